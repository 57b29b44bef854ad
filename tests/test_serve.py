"""`qms serve` as a quality group uses it: a page open in headless Chromium follows the model
files as they are saved, shows an overlay for a broken file, and the server hands out nothing
but the built site."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from qms.cli import cli
from qms.serve import Site, create_app
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, requires_chromium, requires_dot

PROCESS = "organisations/oppilaitos/processes/opiskelijapalaute.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, Site]]:
    """A fresh `qms init` workspace served on a free loopback port; stopped afterwards."""
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(ws), "--lang", "fi"]).exit_code == 0
    site = Site(str(ws))
    site.rebuild()
    port = free_port()
    with running(create_app(site), port) as base:
        yield ws, base, site


@contextmanager
def running(app: Any, port: int) -> Iterator[str]:
    """`app` served by uvicorn on a loopback port in a thread; its base URL while it runs."""
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def raw_get(base: str, path: str, host: str | None = None) -> int:
    """A request exactly as written (no client-side normalisation of `..`)."""
    _, _, hostport = base.partition("://")
    name, _, port = hostport.partition(":")
    conn = http.client.HTTPConnection(name, int(port), timeout=10)
    conn.putrequest("GET", path, skip_host=host is not None)
    if host is not None:
        conn.putheader("Host", host)
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


@requires_dot
def test_only_the_built_site_is_served(served: tuple[Path, str, Site]) -> None:
    _, base, _ = served
    assert raw_get(base, "/") == 200
    assert raw_get(base, "/oppilaitos/opiskelijapalaute.html") == 200
    assert raw_get(base, "/../qms.yaml") == 404
    assert raw_get(base, "/qms.yaml") == 404
    assert raw_get(base, "/%2e%2e/qms.yaml") == 404
    assert raw_get(base, "/organisations/oppilaitos/organisation.yaml") == 404
    assert raw_get(base, "/oppilaitos/") == 404 or raw_get(base, "/oppilaitos/") == 200
    assert raw_get(base, "/", host="evil.example") == 400
    assert raw_get(base, "/", host="localhost:1234") == 200


@requires_dot
@requires_chromium
def test_a_saved_change_reaches_the_open_page(served: tuple[Path, str, Site]) -> None:
    from playwright.sync_api import expect, sync_playwright

    ws, base, site = served
    process = ws / PROCESS
    original = process.read_text(encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page()
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
        tab.goto(f"{base}/oppilaitos/opiskelijapalaute.html")
        expect(tab.locator("svg").first).to_contain_text("Kysely opiskelijoille")
        version = site.state.version

        # 1. A renamed step: the diagram changes without a manual reload.
        started = time.monotonic()
        process.write_text(original.replace("Kysely opiskelijoille", "Verkkokysely"), "utf-8")
        expect(tab.locator("svg").first).to_contain_text("Verkkokysely", timeout=15_000)
        elapsed = time.monotonic() - started
        assert site.state.version > version
        print(f"save -> page shows the change: {elapsed:.2f} s")

        # 2. A new finding shows on the page.
        without_metric = original.replace("metrics: [palautteen-vastausprosentti]\n", "")
        process.write_text(without_metric, "utf-8")
        expect(tab.locator("#qms-findings")).to_contain_text("QMS206", timeout=15_000)

        # 3. A syntax error: overlay, and the last good diagram stays.
        process.write_text(original + "steps: [\n", "utf-8")
        overlay = tab.locator("#qms-overlay")
        expect(overlay).to_be_visible(timeout=15_000)
        expect(overlay).to_contain_text("QMS001")
        expect(overlay).to_contain_text("opiskelijapalaute.yaml")
        expect(tab.locator("svg").first).to_contain_text("Kysely")

        # 4. Fixed: the overlay goes.
        process.write_text(original, "utf-8")
        expect(overlay).to_have_count(0, timeout=15_000)
        expect(tab.locator("svg").first).to_contain_text("Kysely opiskelijoille")
        browser.close()
    assert errors == []


def test_a_broken_workspace_at_start_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", str(tmp_path / "nothing"), "--lang", "en"])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@requires_dot
def test_rebuild_keeps_the_last_good_site(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    CliRunner().invoke(cli, ["init", str(ws), "--lang", "en"])
    site = Site(str(ws))
    first = site.rebuild()
    assert first.errors == [] and site.page("/") is not None
    good = dict(site.files)
    (ws / "project.yaml").write_text("kind: project\nid: [\n", "utf-8")
    broken = site.rebuild()
    assert [e["code"] for e in broken.errors] == ["QMS001"]
    assert site.files == good
    assert site.page("/../qms.yaml") is None
