"""The DOCX manual as a quality group publishes it: proofing language, header and footer with
page numbers, column widths, everything the portal shows, an organisation's own template
(--reference-docx), and LibreOffice opening and paginating it."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from PIL import Image

from qms.export.docx import CELL_STYLE, TABLE_STYLE, to_docx
from qms.export.manual import Diagrams, Manual, build_manual
from qms.lint import lint
from qms.load import load
from tests.conftest import LAMPPU, needs, requires_dot
from tests.export.test_docx import landscape, pictures, printable

requires_soffice = needs(
    shutil.which("soffice") is not None,
    "LibreOffice is not installed (make test installs it: scripts/test-tools/libreoffice.sh)",
)
requires_poppler = needs(
    shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) are not installed"
)


@pytest.fixture(scope="module")
def redu() -> tuple[Manual, Diagrams]:
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "redu", "fi", result=lint(loaded))
    return m, Diagrams(loaded.workspace, "fi")


def _fields(part_element: Any) -> list[str]:
    return [i.text.strip() for i in part_element.iter(qn("w:instrText"))]


def test_finnish_proofing_and_hyphenation(redu: tuple[Manual, Diagrams]) -> None:
    document = docx.Document(io.BytesIO(to_docx(redu[0], None)))
    langs = {e.get(qn("w:val")) for e in document.styles.element.iter(qn("w:lang"))}
    assert langs == {"fi-FI"}
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}") is not None
    settings = document.settings.element
    assert settings.find(qn("w:autoHyphenation")).get(qn("w:val")) == "true"
    assert settings.find(qn("w:proofState")) is None  # Word proofs the text afresh
    assert document.core_properties.language == "fi-FI"
    english = build_manual(load(str(LAMPPU)).workspace, "redu", "en")  # type: ignore[arg-type]
    styles = docx.Document(io.BytesIO(to_docx(english, None))).styles.element
    assert {e.get(qn("w:val")) for e in styles.iter(qn("w:lang"))} == {"en-GB"}


def test_header_and_footer_with_page_numbers(redu: tuple[Manual, Diagrams]) -> None:
    m = redu[0]
    document = docx.Document(io.BytesIO(to_docx(m, None)))
    first = document.sections[0]
    assert first.different_first_page_header_footer  # a clean title page
    assert first.first_page_header.paragraphs[0].text == ""
    head = first.header.paragraphs[-1].text
    assert head.startswith("Rovaniemen koulutuskuntayhtymä · Toimintajärjestelmäkuvaus")
    assert "Tilanne 31.1.2013" in head and "hyväksytty" in head
    assert first.header.paragraphs[-1].style.name == "Header"
    footer = first.footer.paragraphs[-1]
    assert footer.style.name == "Footer" and footer.text.startswith("sivu ")
    assert _fields(first.footer._element) == ["PAGE", "NUMPAGES"]
    # every process chapter has its own header: the process, its version and approval state
    talous = m.process("talous")
    heads = {s.header.paragraphs[-1].text for s in document.sections}
    assert f"{m.name} · {talous.name} · Versio {talous.version} · luonnos" in heads
    # later sections share the footer, and none opens with an empty first-page header
    assert all(s.footer.is_linked_to_previous for s in document.sections[1:])
    assert not any(s.different_first_page_header_footer for s in document.sections[1:])


def test_column_widths_fit_their_contents(redu: tuple[Manual, Diagrams]) -> None:
    document = docx.Document(io.BytesIO(to_docx(redu[0], None)))
    printable = Cm(21.0 - 4.0)
    for table in document.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
        assert abs(sum(grid) * 635 - printable) < Cm(0.2) or sum(grid) * 635 < printable
    approvals = next(t for t in document.tables if t.rows[0].cells[0].text == "Dokumentti")
    grid = [int(c.get(qn("w:w"))) for c in approvals._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert grid[0] == max(grid) and grid[1] < grid[0] / 2  # document names vs "0.2"
    steps = next(t for t in document.tables if t.rows[0].cells[0].text == "#")
    grid = [int(c.get(qn("w:w"))) for c in steps._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert grid[0] == min(grid) and len(set(grid)) == len(grid)
    assert all(c.width == steps.columns[0].width for c in steps.columns[0].cells)


def test_everything_the_portal_shows(redu: tuple[Manual, Diagrams]) -> None:
    m = redu[0]
    document = docx.Document(io.BytesIO(to_docx(m, None)))
    heads = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["#", "Vaihe", "Rooli", "Seuraavat vaiheet", "Dokumentit ja ohjeet"] in heads
    assert any("Viimeisin arvo" in h and "Tavoitepäivä" in h for h in heads)  # process metrics
    assert any(h[-1] == "Arvioidaan mittarilla" for h in heads)  # plan actions
    assert any(h[-1] == "Missä käytetään" for h in heads)  # the document register
    assert any(h[0] == "Rooli" and "Talousprosessi" in h for h in heads)  # role x process
    facts = [p.text for p in document.paragraphs if p.style.name == "QMS Fact"]
    talous = m.process("talous")
    assert f"Resurssit: {', '.join(talous.resources)}" in facts
    assert "Kuvaustaso (JHS 152): 2 – toimintamalli" in facts
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert any(c.startswith("Prosessit: ") for c in cells)  # coverage grouped by kind
    head_cells = [c for t in document.tables if len(t.columns) > 1 for c in t.rows[0].cells]
    assert {p.style.name for c in head_cells for p in c.paragraphs} == {"QMS Table Heading"}
    every = {p.style.name for p in document.paragraphs}
    every |= {p.style.name for t in document.tables for c in t._cells for p in c.paragraphs}
    assert every <= {
        "Normal",
        "Title",
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "QMS Fact",
        "QMS Table Text",
        "QMS Table Heading",
        "QMS Notice",
        "List Bullet",  # the quality cycle's lists
        "List Bullet 2",
    }


def _reference(tmp_path: Path) -> bytes:
    """An organisation's Word template: US Letter, 3 cm margins, a serif Normal, red
    headings, small table text, a logo in the header, a line in the footer, body text."""
    template = docx.Document()
    section = template.sections[0]
    section.page_width, section.page_height = Cm(21.59), Cm(27.94)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(3))
    template.styles["Normal"].font.name = "Liberation Serif"
    template.styles["Normal"].font.size = Pt(12)
    template.styles["Heading 1"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    cell = template.styles.add_style(CELL_STYLE, 1)
    cell.font.size = Pt(8)
    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 20), (200, 30, 30)).save(logo)
    header = section.header.paragraphs[0]
    header.add_run().add_picture(str(logo), width=Cm(2))
    header.add_run(" OPISTON LOGO")
    section.footer.paragraphs[0].text = "Opiston laatukäsikirja"
    template.add_paragraph("TEMPLATE BODY TEXT")
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


@requires_dot
def test_reference_docx_gives_styles_page_logo_and_footer(
    redu: tuple[Manual, Diagrams], tmp_path: Path
) -> None:
    m, diagrams = redu
    document = docx.Document(io.BytesIO(to_docx(m, diagrams, _reference(tmp_path))))
    assert document.styles["Normal"].font.name == "Liberation Serif"
    assert document.styles["Normal"].font.size == Pt(12)
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert document.styles[CELL_STYLE].font.size == Pt(8)  # the template's own definition
    assert document.styles[TABLE_STYLE] is not None  # added where the template has none
    assert "TEMPLATE BODY TEXT" not in [p.text for p in document.paragraphs]
    for s in document.sections:
        assert {round(s.page_width.cm, 2), round(s.page_height.cm, 2)} == {21.59, 27.94}
        assert round(s.left_margin.cm, 2) == round(s.top_margin.cm, 2) == 3.0
    # every header, the chapters' own ones too, carries the logo picture and the manual's line
    for s in document.sections:
        header = s.header
        blips = list(header._element.iter(qn("a:blip")))
        assert blips, "logo missing"
        rid = blips[0].get(qn("r:embed"))
        assert header.part.related_parts[rid].content_type == "image/png"
        assert "OPISTON LOGO" in header._element.xml
        assert header.paragraphs[-1].style.name == "Header"
    footer = document.sections[0].footer
    assert footer.paragraphs[0].text == "Opiston laatukäsikirja"
    assert _fields(footer._element) == ["PAGE", "NUMPAGES"]
    # the map and the flows still fit their (Letter) landscape pages
    shown = pictures(document)
    assert shown
    for section, cx, cy, _ in shown:
        width, height = printable(section)
        if landscape(section):  # the quality cycle's charts are a fixed 16 cm (qms/review.py)
            assert cx <= width and cy <= height


@requires_dot
@requires_soffice
@requires_poppler
def test_libreoffice_opens_and_paginates_the_redu_manual(
    redu: tuple[Manual, Diagrams], tmp_path: Path
) -> None:
    """LibreOffice converts the REDU manual to PDF: every page after the title page has the
    header and "sivu X / Y" with the real count; no page is blank, and at most two are nearly
    empty (fewer than 40 words besides header and footer, and no picture)."""
    m, diagrams = redu
    source = tmp_path / "redu.docx"
    source.write_bytes(to_docx(m, diagrams))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / "redu.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert 20 <= pages <= 60
    sparse = []
    for page in range(2, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = [x.strip() for x in text.splitlines() if x.strip()]
        assert lines[0].startswith("Rovaniemen koulutuskuntayhtymä · "), page
        assert lines[-1] == f"sivu {page} / {pages}", page
        images = subprocess.run(
            ["pdfimages", "-f", str(page), "-l", str(page), "-list", str(pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[2:]
        words = sum(len(x.split()) for x in lines[1:-1])
        if words < 40 and not images:
            sparse.append((page, words))
    # No page is blank; a chapter's last table row may still spill onto a page of its own
    # (rows are not split): REDU has one such page in 33 (its Riskit table).
    assert not [page for page, words in sparse if words == 0]
    assert len(sparse) <= 2, sparse
