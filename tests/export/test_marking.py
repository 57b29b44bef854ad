"""Example content and an incomplete model are marked in every output; read back from the files.

Each test writes real outputs (HTML portal, DOCX read with python-docx, Markdown, SVG drawn by
Graphviz, coverage pages) and looks for the marking in what a reader would see.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from tests.conftest import IN_CI, requires_dot
from tests.export.conftest import FILES

Make = Callable[[dict[str, str]], Path]


def marked_files() -> dict[str, str]:
    files = dict(FILES)
    files["organisations/opisto/processes/talous.yaml"] = files[
        "organisations/opisto/processes/talous.yaml"
    ].replace("realizes: [G2]\n", "realizes: [G2]\nexample: {reason: keksitty kulku}\n")
    files["organisations/opisto/plan.yaml"] = files["organisations/opisto/plan.yaml"].replace(
        "  - {id: a4, what: Vaiheeton, who: laatu, when: 2026-12-01, realizes: [G1]}\n",
        "  - {id: a4, what: Vaiheeton, who: laatu, when: 2026-12-01, realizes: [G1],"
        " example: true}\n",
    )
    files["organisations/opisto/metrics.yaml"] = files["organisations/opisto/metrics.yaml"].replace(
        "    realizes: [G1]\n", "    realizes: [G1]\n    example: {reason: ei lähteessä}\n"
    )
    return files


def broken_files() -> dict[str, str]:
    files = dict(FILES)
    files["organisations/opisto/results.yaml"] = (
        "kind: results\norganisation: opisto\nresults:\n"
        "  - {period: kevat, goal: G1, text: Tehty, status: finished}\n"
    )
    return files


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def html_text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def export(root: Path, fmt: str, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["export", str(root), "--format", fmt, "-o", str(out)])
    return result.exit_code, result.stderr


# --- example content ----------------------------------------------------------------------------


def test_html_portal_marks_example_content(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(marked_files())
    code, _ = export(root, "html", tmp_path / "site")
    assert code == 0
    page = (tmp_path / "site" / "opisto" / "talous.html").read_text(encoding="utf-8")
    assert 'class="example-note"' in page
    assert "Esimerkkisisältöä: tämä on havainnollistus, ei lähteistä: keksitty kulku" in html_text(
        page
    )
    front = html_text((tmp_path / "site" / "opisto" / "index.html").read_text(encoding="utf-8"))
    assert "Tämä kuvaus sisältää esimerkkisisältöä" in front
    plan = html_text((tmp_path / "site" / "opisto" / "_plan.html").read_text(encoding="utf-8"))
    assert "Vaiheeton (esimerkki)" in plan and "Kysely (esimerkki)" not in plan
    metrics = html_text(
        (tmp_path / "site" / "opisto" / "_metrics.html").read_text(encoding="utf-8")
    )
    assert "Vastausprosentti (esimerkki)" in metrics
    # every page of the organisation carries the banner; the sourced process is not marked
    sourced = html_text((tmp_path / "site" / "opisto" / "palaute.html").read_text(encoding="utf-8"))
    assert "Tämä kuvaus sisältää esimerkkisisältöä" in sourced
    assert "tämä on havainnollistus" not in sourced
    other = (tmp_path / "site" / "muu" / "index.html").read_text(encoding="utf-8")
    assert 'class="example-note"' not in other


def test_docx_and_markdown_mark_example_content(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(marked_files())
    assert export(root, "docx", tmp_path / "o.docx")[0] == 2  # two organisations: a folder
    assert export(root, "docx", tmp_path / "docx")[0] == 0
    text = docx_text((tmp_path / "docx" / "opisto.docx").read_bytes())
    assert "Tämä kuvaus sisältää esimerkkisisältöä" in text
    assert "Esimerkkisisältöä: tämä on havainnollistus, ei lähteistä: keksitty kulku" in text
    assert "Vaiheeton (esimerkki)" in text
    assert "esimerkki" not in docx_text((tmp_path / "docx" / "muu.docx").read_bytes())
    assert export(root, "md", tmp_path / "md")[0] == 0
    index = (tmp_path / "md" / "opisto" / "index.md").read_text(encoding="utf-8")
    assert "> **Tämä kuvaus sisältää esimerkkisisältöä" in index
    talous = (tmp_path / "md" / "opisto" / "talous.md").read_text(encoding="utf-8")
    assert "> **Esimerkkisisältöä: tämä on havainnollistus" in talous


@requires_dot
def test_diagrams_carry_a_badge(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(marked_files())
    result = CliRunner().invoke(
        cli, ["render", str(root), "-o", str(tmp_path / "d"), "--format", "svg"]
    )
    assert result.exit_code == 0, result.stderr
    flow = (tmp_path / "d" / "opisto" / "talous.svg").read_text(encoding="utf-8")
    assert "ESIMERKKI: keksitty kulku" in flow
    assert "ESIMERKKI" not in (tmp_path / "d" / "opisto" / "palaute.svg").read_text("utf-8")
    process_map = (tmp_path / "d" / "opisto" / "_process-map.svg").read_text(encoding="utf-8")
    assert "(esimerkki)" in process_map


LONG_REASON = (
    "Raportit eivät kuvaa tätä kulkua: vaiheet, roolit, omistaja, riskit ja katselmointi ovat"
    " esimerkkejä"
)


@requires_dot
@pytest.mark.parametrize("repeat", [1, 3])
def test_a_long_example_reason_is_wrapped_not_cut(
    make_workspace: Make, tmp_path: Path, repeat: int
) -> None:
    """The badge holds a reason up to two lines long whole; a longer one ends in '…'."""
    reason = " ".join([LONG_REASON] * repeat)
    files = marked_files()
    files["organisations/opisto/processes/talous.yaml"] = files[
        "organisations/opisto/processes/talous.yaml"
    ].replace("keksitty kulku", f"'{reason}'")
    root = make_workspace(files)
    result = CliRunner().invoke(
        cli, ["render", str(root), "-o", str(tmp_path / "d"), "--format", "svg,dot"]
    )
    assert result.exit_code == 0, result.stderr
    dot = tmp_path / "d" / "opisto" / "talous.dot"
    drawn = subprocess.run(["dot", "-Tsvg", str(dot)], capture_output=True, text=True, check=True)
    assert "'title'" not in drawn.stderr  # "size too small for label": the badge would overflow
    svg = (tmp_path / "d" / "opisto" / "talous.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    start = next(i for i, t in enumerate(texts) if t.startswith("ESIMERKKI: "))
    end = next(i for i, t in enumerate(texts) if t.startswith("Omistaja"))  # then the facts
    assert end - start == 2
    said = " ".join(texts[start:end])
    if repeat == 1:
        assert said == f"ESIMERKKI: {reason}"
    else:
        assert said.endswith(" …") and f"ESIMERKKI: {reason}".startswith(said[:-2])


@requires_dot
def test_example_steps_are_dashed_in_a_sourced_process(
    make_workspace: Make, tmp_path: Path
) -> None:
    files = dict(FILES)
    files["organisations/opisto/processes/talous.yaml"] = files[
        "organisations/opisto/processes/talous.yaml"
    ].replace(
        "  - {id: budjetti, name: Budjetointi, role: rehtori, next: [loppu]}",
        "  - {id: budjetti, name: Budjetointi, role: rehtori, next: [loppu], example: true}",
    )
    root = make_workspace(files)
    out = tmp_path / "d"
    result = CliRunner().invoke(cli, ["render", str(root), "-o", str(out), "--format", "svg"])
    assert result.exit_code == 0, result.stderr
    svg = (out / "opisto" / "talous.svg").read_text(encoding="utf-8")
    assert "ESIMERKKI: katkoviivalla esimerkkivaiheet" in svg
    groups = re.findall(r"<g id=\"node\d+\" class=\"node\">(.*?)</g>", svg, re.S)
    dashed = [g for g in groups if "stroke-dasharray" in g]
    assert len(dashed) == 1 and "Budjetointi" in dashed[0]


# --- an incomplete model ------------------------------------------------------------------------

NOTICE = "Malli on puutteellinen: 1 virhe (organisations/opisto/results.yaml)"


def test_coverage_says_it_is_incomplete_and_exits_1(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(broken_files())
    runner = CliRunner()
    result = runner.invoke(cli, ["coverage", str(root)])
    assert result.exit_code == 1
    assert NOTICE in result.stderr and NOTICE in result.stdout
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"c.{fmt}"
        result = runner.invoke(cli, ["coverage", str(root), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 1, fmt
        assert NOTICE in out.read_text(encoding="utf-8"), fmt
    (root / "organisations/opisto/results.yaml").unlink()  # complete again: no notice, exit 0
    result = runner.invoke(cli, ["coverage", str(root)])
    assert result.exit_code == 0 and "puutteellinen" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("organisations/opisto/organisation.yaml", "commits_to: [G1, G2]", "commits_to: [G1, g2]"),
        ("organisations/opisto/plan.yaml", "realizes: [G1]}", "realizes: [G7]}"),
        ("organisations/opisto/metrics.yaml", "realizes: [G1]", "realizes: [tavoite-1]"),
    ],
)
def test_coverage_with_an_unknown_goal_reference_is_incomplete(
    make_workspace: Make, file: str, old: str, new: str
) -> None:
    """A commitment or realization that names no declared goal is left out of every figure:
    coverage says so and exits 1, as for anything the loader left out."""
    files = dict(FILES)
    assert old in files[file]
    files[file] = files[file].replace(old, new, 1)
    result = CliRunner().invoke(cli, ["coverage", str(make_workspace(files))])
    assert result.exit_code == 1
    notice = f"Malli on puutteellinen: 1 virhe ({file})"
    assert notice in result.stderr and notice in result.stdout


def test_render_and_export_count_an_unknown_reference_as_the_pages_do(
    make_workspace: Make, tmp_path: Path
) -> None:
    """A flow to an unknown step is missing from the drawing: render and export say the model
    is incomplete on the terminal, with the count the published pages give."""
    files = dict(FILES)
    talous = "organisations/opisto/processes/talous.yaml"
    files[talous] = files[talous].replace("next: [", "next: [tuntematon, ", 1)
    root = make_workspace(files)
    notice = f"Malli on puutteellinen: 1 virhe ({talous})"
    result = CliRunner().invoke(cli, ["render", str(root), "-o", str(tmp_path / "r")])
    assert notice in result.stderr
    code, err = export(root, "md", tmp_path / "md")
    assert code == 0 and notice in err  # written, as with the loader's errors
    assert f"> **{notice}" in (tmp_path / "md" / "opisto" / "index.md").read_text("utf-8")


def test_build_keep_going_writes_and_exits_1(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(broken_files())
    runner = CliRunner()
    stopped = runner.invoke(cli, ["build", str(root), "-o", str(tmp_path / "a")])
    assert stopped.exit_code == 1 and not (tmp_path / "a" / "site").exists()
    result = runner.invoke(cli, ["build", str(root), "-o", str(tmp_path / "b"), "--keep-going"])
    assert result.exit_code == 1
    assert NOTICE in result.stderr
    home = (tmp_path / "b" / "site" / "index.html").read_text(encoding="utf-8")
    assert NOTICE in html_text(home) and 'class="incomplete-note"' in home
    page = (tmp_path / "b" / "site" / "opisto" / "palaute.html").read_text(encoding="utf-8")
    assert NOTICE in html_text(page)
    assert NOTICE in docx_text((tmp_path / "b" / "opisto.docx").read_bytes())


def test_every_export_says_so(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(broken_files())
    for fmt in ("md", "bpmn", "html"):
        code, err = export(root, fmt, tmp_path / fmt)
        assert code == 0 and NOTICE in err, fmt
    md = (tmp_path / "md" / "opisto" / "index.md").read_text(encoding="utf-8")
    assert f"> **{NOTICE}" in md
    result = CliRunner().invoke(cli, ["render", str(root), "-o", str(tmp_path / "r")])
    assert NOTICE in result.stderr


def test_coverage_and_goal_map_mark_example_realizers(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(marked_files())
    runner = CliRunner()
    out = tmp_path / "c.html"
    result = runner.invoke(cli, ["coverage", str(root), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    page = html_text(out.read_text(encoding="utf-8"))
    assert "Vaiheeton (esimerkki)" in page and "Vastausprosentti (esimerkki)" in page
    assert "Kyselyn uudistus (esimerkki)" not in page
    data = tmp_path / "c.json"
    runner.invoke(cli, ["coverage", str(root), "--format", "json", "-o", str(data)])
    assert '"example": true' in data.read_text(encoding="utf-8")


@requires_dot
def test_goal_map_keeps_the_example_tag(make_workspace: Make, tmp_path: Path) -> None:
    root = make_workspace(marked_files())
    result = CliRunner().invoke(
        cli, ["render", str(root), "-o", str(tmp_path / "d"), "--format", "svg"]
    )
    assert result.exit_code == 0, result.stderr
    svg = (tmp_path / "d" / "goal-map.svg").read_text(encoding="utf-8")
    assert "Talous (esimerkki)" in svg


def test_pdf_carries_both_notices(make_workspace: Make, tmp_path: Path) -> None:
    """The PDF read back with pdftotext: the incomplete-model and example notices are there."""
    import shutil
    import subprocess

    from qms.export.pdf import available

    if available() is not None or shutil.which("pdftotext") is None:
        import pytest

        if not IN_CI:
            pytest.skip("WeasyPrint or poppler-utils is missing (make test installs them)")
    files = marked_files() | {
        "organisations/opisto/results.yaml": broken_files()["organisations/opisto/results.yaml"]
    }
    root = make_workspace(files)
    code, err = export(root, "pdf", tmp_path / "pdf")
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "pdf" / "opisto.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "Malli on puutteellinen: 1 virhe" in flat
    assert "Tämä kuvaus sisältää esimerkkisisältöä" in flat
    assert "Esimerkkisisältöä: tämä on havainnollistus, ei lähteistä: keksitty kulku" in flat


def test_goal_map_counts_say_when_they_are_examples(make_workspace: Make) -> None:
    from qms.index import Index
    from qms.load import load
    from qms.render.dot import goal_map
    from qms.views import goal_map_view

    ws = load(str(make_workspace(marked_files()))).workspace
    assert ws is not None
    dot = goal_map(goal_map_view(ws, Index.build(ws), "fi"))
    # G1 in opisto: four actions of which one (a4) is an example, one metric that is one
    assert "4 toimenpidettä (1 esimerkki)" in dot and "1 mittari (esimerkki)" in dot


def _bpmn_docs(data: bytes, element: str) -> list[str]:
    import xml.etree.ElementTree as ET

    from tests.bpmn.helpers import NS

    found = ET.fromstring(data).find(f"bpmn:process{element}", NS)
    assert found is not None, element
    return [d.text or "" for d in found.findall("bpmn:documentation", NS)]


def test_bpmn_marks_example_content_and_a_partial_model(
    make_workspace: Make, tmp_path: Path
) -> None:
    from tests.bpmn.tools import XSD, xsd_errors

    code, err = export(make_workspace(marked_files()), "bpmn", tmp_path / "m")
    assert code == 0, err
    marked = (tmp_path / "m" / "opisto" / "talous.bpmn").read_bytes()
    said = "Esimerkkisisältöä: keksitty kulku"
    assert said in _bpmn_docs(marked, "")
    assert said in _bpmn_docs(marked, "/bpmn:task[@id='Task_budjetti']")  # inherited by a step
    sourced = (tmp_path / "m" / "opisto" / "palaute.bpmn").read_bytes()
    assert "Esimerkkisisältöä" not in sourced.decode("utf-8")
    assert "puutteellinen" not in marked.decode("utf-8")
    code, err = export(make_workspace(broken_files()), "bpmn", tmp_path / "b")
    files = sorted((tmp_path / "b").rglob("*.bpmn"))
    assert code == 0 and files, err
    for path in files:
        assert any(d.startswith(NOTICE) for d in _bpmn_docs(path.read_bytes(), "")), path
    if XSD.is_file():  # the notes are where the OMG schema allows them
        for data in (marked, files[0].read_bytes()):
            assert xsd_errors(data) == []


def test_coverage_csv_and_xlsx_name_example_content(make_workspace: Make, tmp_path: Path) -> None:
    import csv

    import openpyxl

    root = make_workspace(marked_files())
    runner = CliRunner()
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"c.{fmt}"
        result = runner.invoke(cli, ["coverage", str(root), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    cell = next(r for r in rows if (r["goal"], r["organisation"]) == ("G1", "opisto"))
    assert cell["example"].split() == ["opisto/laatusuunnitelma/a4", "opisto/vastaus"]
    assert all("esimerkkisisältöä" in r["notice"] for r in rows)
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    values = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert any("opisto/laatusuunnitelma/a4 (esimerkki)" in v.splitlines() for v in values)
    assert not any("a1 (esimerkki)" in v for v in values)
    assert "(esimerkki)-merkityt ovat esimerkkisisältöä, eivät lähteistä." in values
    details = [[c.value for c in row] for row in book.worksheets[2].iter_rows()]
    assert details[0][-2:] == ["example", "notice"]


def test_coverage_csv_and_xlsx_say_the_model_is_partial(
    make_workspace: Make, tmp_path: Path
) -> None:
    import csv

    import openpyxl

    root = make_workspace(broken_files())
    runner = CliRunner()
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"c.{fmt}"
        result = runner.invoke(cli, ["coverage", str(root), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 1, fmt
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert rows and all(r["notice"].startswith(NOTICE) for r in rows)
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx").worksheets[0]
    firsts = [str(sheet.cell(row=r, column=1).value) for r in range(1, 6)]
    assert any(v.startswith(NOTICE) for v in firsts), firsts


def test_role_page_and_document_register_mark_example_content(
    make_workspace: Make, tmp_path: Path
) -> None:
    """A role, a document and a process that are examples are tagged where the role page and
    the document register list them, in the portal and in Word, and sourced ones are not."""
    files = marked_files()
    files["organisations/opisto/organisation.yaml"] = (
        files["organisations/opisto/organisation.yaml"]
        .replace(
            "  - {id: opettaja, name: {fi: Opettaja, en: Teacher}}\n",
            "  - {id: opettaja, name: {fi: Opettaja, en: Teacher}, example: true}\n",
        )
        .replace(
            "  - {id: ohje, name: {fi: Palauteohje, en: Feedback instruction}}\n",
            "  - {id: ohje, name: {fi: Palauteohje, en: Feedback instruction}, example: true}\n",
        )
    )
    root = make_workspace(files)
    assert export(root, "html", tmp_path / "site")[0] == 0
    site = tmp_path / "site" / "opisto"
    roles = html_text((site / "_roles.html").read_text(encoding="utf-8"))
    assert "Opettaja (esimerkki)" in roles
    assert "Rehtori (esimerkki)" not in roles and "Rehtori" in roles
    assert "Talous (esimerkki)" in roles  # the example process, where a role owns it
    register = html_text((site / "_documents.html").read_text(encoding="utf-8"))
    assert "Palauteohje (esimerkki)" in register
    assert "Palautelomake (esimerkki)" not in register and "Palautelomake" in register
    assert export(root, "docx", tmp_path / "docx")[0] == 0
    text = docx_text((tmp_path / "docx" / "opisto.docx").read_bytes())
    assert "Opettaja (esimerkki)" in text and "Palauteohje (esimerkki)" in text
