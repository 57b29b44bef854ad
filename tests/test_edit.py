"""`qms serve --edit`: the form editor in real Chromium (with axe-core), and the guards of
every write: the session's token, the server's own Origin, only editable files, and a file
changed on disk since the form was opened is never overwritten (both versions come back)."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.edit import origins
from qms.serve import Site, create_app
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, needs, requires_chromium, requires_dot
from tests.test_serve import free_port, running

PROCESS = "organisations/oppilaitos/processes/opiskelijapalaute.yaml"
AXE = ROOT / ".tools" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
requires_axe = needs(AXE.is_file(), "axe-core is not installed (make test installs it)")
COMMENT = "# Palautekysely tehdään kahdesti vuodessa.\n"


@pytest.fixture
def editing(tmp_path: Path) -> Iterator[tuple[Path, str, Site]]:
    """A `qms init` workspace (with a comment in its process) served with --edit."""
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(ws), "--lang", "fi"]).exit_code == 0
    process = ws / PROCESS
    text = process.read_text(encoding="utf-8")
    process.write_text(text.replace("steps:\n", f"{COMMENT}steps:\n"), encoding="utf-8")
    site = Site(str(ws), edit=True)
    site.rebuild()
    port = free_port()
    with running(create_app(site, origins=origins("127.0.0.1", port)), port) as base:
        yield ws, base, site


def request(
    base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    _, _, hostport = base.partition("://")
    name, _, port = hostport.partition(":")
    conn = http.client.HTTPConnection(name, int(port), timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(
        method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    response = conn.getresponse()
    text = response.read().decode("utf-8")
    conn.close()
    return response.status, text


def opened(base: str, rel: str = PROCESS) -> tuple[str, dict[str, Any]]:
    """The token and the form state of the editor page of `rel`."""
    status, page = request(base, "GET", f"/__qms__/edit?file={rel}")
    assert status == 200
    token = re.search(r'name="qms-token" content="([^"]+)"', page)
    state = re.search(r'<script id="qms-form" type="application/json">(.*?)</script>', page, re.S)
    assert token and state
    return token.group(1), json.loads(state.group(1).replace("<\\/", "</"))


def payload(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": state["file"],
        "base": state["base"],
        "sections": {s["key"]: s["rows"] for s in state["sections"]},
    }


def renamed(state: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    body = payload(state)
    for rows in body["sections"].values():
        for row in rows:
            for i, cell in enumerate(row):
                if cell == old:
                    row[i] = new
    return body


@requires_dot
def test_every_write_needs_the_token_the_origin_and_an_editable_file(
    editing: tuple[Path, str, Site],
) -> None:
    ws, base, _ = editing
    token, state = opened(base)
    before = {p: p.read_bytes() for p in ws.rglob("*.yaml")}
    body = renamed(state, "Kysely opiskelijoille", "Verkkokysely")
    own = {"Origin": base, "X-QMS-Token": token}
    for headers in (
        {"Origin": base},  # no token
        {"Origin": base, "X-QMS-Token": token[:-1] + ("A" if token[-1] != "A" else "B")},
        {"X-QMS-Token": token},  # no Origin
        {"Origin": "http://evil.example", "X-QMS-Token": token},
        {"Origin": base.replace("127.0.0.1", "127.0.0.1.evil.example"), "X-QMS-Token": token},
        {"Origin": "null", "X-QMS-Token": token},
    ):
        for path in ("/__qms__/save", "/__qms__/check"):
            status, _ = request(base, "POST", path, body, headers)
            assert status == 403, (path, headers)
    for file in ("qms.yaml", "../ws/" + PROCESS, "/etc/passwd", "organisations/oppilaitos/x.yaml"):
        status, _ = request(base, "POST", "/__qms__/save", {**body, "file": file}, own)
        assert status == 404, file
    assert request(base, "GET", "/__qms__/edit?file=qms.yaml")[0] == 404
    assert request(base, "POST", "/__qms__/save", None, own)[0] == 400
    assert {p: p.read_bytes() for p in ws.rglob("*.yaml")} == before
    status, text = request(base, "POST", "/__qms__/save", body, own)
    assert status == 200 and json.loads(text)["written"]
    after = (ws / PROCESS).read_text(encoding="utf-8")
    assert "name: Verkkokysely" in after and COMMENT in after


@requires_dot
def test_a_file_changed_on_disk_since_the_form_opened_is_not_overwritten(
    editing: tuple[Path, str, Site],
) -> None:
    ws, base, _ = editing
    token, state = opened(base)
    process = ws / PROCESS
    theirs = process.read_text(encoding="utf-8").replace("Tulosten käsittely", "Tulosten analyysi")
    process.write_text(theirs, encoding="utf-8")
    body = renamed(state, "Kysely opiskelijoille", "Verkkokysely")
    status, text = request(
        base, "POST", "/__qms__/save", body, {"Origin": base, "X-QMS-Token": token}
    )
    assert status == 409
    answer = json.loads(text)
    assert answer["disk"] == theirs  # both versions shown
    assert "Verkkokysely" in answer["mine"] and "Tulosten käsittely" in answer["mine"]
    assert "muuttui levyllä" in answer["message"]
    assert process.read_text(encoding="utf-8") == theirs  # not overwritten


@requires_dot
def test_a_wrong_role_is_reported_at_its_field_and_not_written(
    editing: tuple[Path, str, Site],
) -> None:
    ws, base, _ = editing
    token, state = opened(base)
    before = (ws / PROCESS).read_bytes()
    body = renamed(state, "opettaja", "opetaja")
    status, text = request(
        base, "POST", "/__qms__/save", body, {"Origin": base, "X-QMS-Token": token}
    )
    assert status == 422
    problems = json.loads(text)["problems"]
    assert {
        "where": "steps:1:3",
        "severity": "error",
        "text": "QMS004 tuntematon rooli 'opetaja'; tarkoititko 'opettaja'?",
    } in problems
    assert (ws / PROCESS).read_bytes() == before


def axe(tab: Any) -> list[str]:
    """axe-core's violations on the page (axe must be loaded into it)."""
    found = tab.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']}))"
        ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(found)


@requires_dot
@requires_chromium
@requires_axe
def test_a_step_added_in_the_editor_reaches_the_yaml_and_the_diagram(
    editing: tuple[Path, str, Site],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ws, base, site = editing
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1366, "height": 900})
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.goto(f"{base}/oppilaitos/opiskelijapalaute.html")
        tab.get_by_role("link", name="Muokkaa: Opiskelijapalautteen käsittely").click()
        expect(tab.locator("h1")).to_contain_text("Muokkaa")
        tab.evaluate(AXE.read_text(encoding="utf-8"))
        assert axe(tab) == []
        steps = tab.locator("fieldset", has_text="Vaiheet")
        steps.get_by_role("button", name="Lisää rivi").click()
        new = "Opiskelijat kommentoivat tuloksia"
        tab.get_by_label("Vaiheen tunniste, rivi 7").fill("kommentit")
        tab.get_by_label("Nimi (fi), rivi 7").fill(new)
        tab.get_by_label("Rooli, rivi 7").fill("opetaja")  # a typo first
        expect(tab.get_by_label("Rooli, rivi 7")).to_have_attribute(
            "aria-invalid", "true", timeout=15_000
        )
        expect(tab.locator("#problems")).to_contain_text("tarkoititko 'opettaja'?")
        tab.get_by_label("Rooli, rivi 7").fill("opettaja")
        tab.get_by_label("Seuraavat vaiheet, rivi 7").fill("kasittely")
        tab.get_by_label("Seuraavat vaiheet, rivi 2").fill("kommentit")
        tab.get_by_role("button", name="Siirrä ylös (rivi 7)").click()  # now row 6
        for _ in range(3):
            tab.get_by_role(
                "button", name="Siirrä ylös (rivi 6)" if _ == 0 else f"Siirrä ylös (rivi {6 - _})"
            ).click()
        expect(tab.get_by_label("Vaiheen tunniste, rivi 3")).to_have_value("kommentit")
        expect(tab.locator("#problems")).to_contain_text("Ei havaintoja.", timeout=15_000)
        # the diagram is redrawn from the unsaved form as it is checked
        expect(tab.locator("#diagram svg")).to_contain_text("kommentoivat", timeout=15_000)
        expect(tab.locator("#diagram")).to_contain_text("Esikatselu")
        assert "kommentit" not in (ws / PROCESS).read_text(encoding="utf-8")
        assert axe(tab) == []  # with the preview and the new row in it
        version = site.state.version
        tab.get_by_role("button", name="Tallenna").click()
        expect(tab.locator("#status")).to_have_text("Tallennettu.", timeout=15_000)
        text = (ws / PROCESS).read_text(encoding="utf-8")
        assert f"  - {{id: kommentit, name: {new}, role: opettaja, next: [kasittely]}}\n" in text
        assert text.index("id: kysely") < text.index("id: kommentit") < text.index("id: kasittely")
        assert COMMENT in text  # the comment kept
        assert "next: [kommentit]" in text
        expect(tab.locator("#diagram")).not_to_contain_text("Esikatselu", timeout=30_000)
        expect(tab.locator("#diagram svg")).to_contain_text("kommentoivat")  # the saved one
        assert site.state.version > version
        tab.goto(f"{base}/oppilaitos/opiskelijapalaute.html")
        expect(tab.locator("figure.flow svg")).to_contain_text("kommentoivat")
        tab.screenshot(path=str(ws.parent / "editor.png"), full_page=True)
        browser.close()
    assert errors == []


def test_an_unchanged_form_of_every_lamppu_file_changes_nothing(tmp_path: Path) -> None:
    """The editor's round trip: the form of each of LAMPPU's 16 processes, 5 plans and 5
    metric sets, sent back as it came, gives the file's text unchanged."""
    import shutil

    from qms.edit import Session, apply, form
    from qms.load import load
    from tests.conftest import LAMPPU

    root = tmp_path / "lamppu"
    shutil.copytree(LAMPPU, root)
    loaded = load(root)
    assert loaded.workspace is not None
    session = Session()
    session.update(loaded.workspace)
    kinds = sorted(e.kind for e in session.files.values())
    # 16 sourced processes and 6 of JEDU's merger case (example content), with their metric sets
    assert kinds.count("process") == 22 and kinds.count("plan") == 5 and kinds.count("metrics") == 7
    for e in session.files.values():
        for lang in ("fi", "en"):
            state = form(root, e, session, lang)
            done = apply(root, e, payload(state), session, lang)
            assert done.text is None and done.disk is None, (e.rel, lang)
            assert [p for p in done.problems if p.severity == "error"] == []
