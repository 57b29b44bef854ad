"""The PDF manual read back: page count and text, Finnish letters included."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qms.export.docx import flow_pieces
from qms.export.html import book, portal
from qms.export.manual import Diagrams, Manual, build_manual
from qms.export.pdf import available, to_pdf
from qms.lint import lint
from qms.load import load
from qms.render import styles
from tests.conftest import LAMPPU, needs, requires_dot
from tests.export.conftest import EVIL

requires_weasyprint = needs(
    available() is None and shutil.which("pdftotext") is not None,
    "WeasyPrint or poppler-utils is missing (make test installs them: "
    "scripts/test-tools/weasyprint.sh)",
)


def _manual_pdf(small: Path, target: Path) -> Manual:
    """The small workspace's manual written as PDF to `target`; its content model."""
    return _manual_and_diagrams(small, target)[0]


def _manual_and_diagrams(small: Path, target: Path) -> tuple[Manual, Diagrams]:
    loaded = load(str(small))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "opisto", "fi", result=lint(loaded))
    diagrams = Diagrams(loaded.workspace, "fi")
    data = to_pdf(m, diagrams)
    assert data.startswith(b"%PDF-")
    target.write_bytes(data)
    return m, diagrams


@requires_weasyprint
@requires_dot
def test_pdf_pages_and_text(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "opisto.pdf"
    _manual_pdf(small, target)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    # title page + process map + one chapter per process + plan, metrics, coverage, findings
    assert pages >= 8
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert EVIL in text  # shown as written, not interpreted
    for words in ("TOIMINTAJÄRJESTELMÄKUVAUS", "Laatupäällikkö", "Kyselyn uudistus", "myöhässä"):
        assert words in text
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True).stdout
    assert "DejaVu" in fonts


@requires_weasyprint
@requires_dot
def test_pdf_flows_on_landscape_pages(small: Path, tmp_path: Path) -> None:
    """The process map and each flow get a landscape A4 page (`@page flow`) of their own (a
    flow too tall for one page at 8 pt as many as the DOCX cuts it into): its heading, the
    picture and its caption fit the page together."""
    target = tmp_path / "opisto.pdf"
    m, diagrams = _manual_and_diagrams(small, target)
    pieces = []
    for p in m.processes:
        png = diagrams.draw(p.diagram, "png")
        assert png is not None
        pieces.append(len(flow_pieces(png, diagrams.source(p.diagram))))
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(target)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [
        line.split("size:")[1].split()[:3:2]
        for line in info.splitlines()
        if line.startswith("Page") and " size:" in line
    ]
    landscape = [float(w) > float(h) for w, h in sizes]
    assert sum(landscape) == sum(pieces) + 1
    # title, contents (portrait), then the process map's landscape page
    assert not landscape[0] and not landscape[1] and landscape[2] and not landscape[-1]
    for w, h in sizes:
        assert sorted((round(float(w)), round(float(h)))) == [595, 842], "A4"
    # The page after a flow's (last) page is portrait again: the chapter goes on (steps,
    # review); a run of landscape pages is the map or one flow.
    runs = sum(1 for a, b in itertools.pairwise([False, *landscape]) if b and not a)
    assert runs == len(m.processes) + 1


_PIECE = re.compile(
    r'<svg class="diagram piece" width="([0-9.]+)pt" height="([0-9.]+)pt"\s+'
    r'viewBox="0 ([0-9.]+) ([0-9.]+) ([0-9.]+)"'
)
DEJAVU_LINE = 1.164
"""DejaVu Sans' ascent + descent per em: pdftotext's word box height over the font size."""


def _jedu() -> tuple[Manual, Diagrams]:
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "jedu", "fi", result=lint(loaded))
    return m, Diagrams(loaded.workspace, "fi")


@pytest.mark.dot
@requires_dot
def test_book_cuts_tall_flow_like_docx() -> None:
    """JEDU's toimintajarjestelman-rakentaminen, whole on one page, would print at about 3 pt:
    the book cuts it into SVG pieces of rows at the DOCX's rows, each fitting the page at a
    readable scale (its width on paper over the drawing's width, times 10 pt step names)."""
    m, diagrams = _jedu()
    html = book(m, diagrams)
    pieces = _PIECE.findall(html)
    assert len(pieces) >= 2
    tops = [float(top) for _, _, top, _, _ in pieces]
    assert tops[0] == 0 and tops == sorted(tops)
    for width, height, _, view_w, _ in pieces:
        assert float(width) <= styles.PRINT_WIDTH and float(height) <= styles.PRINT_HEIGHT
        scale = float(width) / float(view_w)
        assert scale * styles.FONT_SIZE >= styles.MIN_PRINT_SIZE
    docx_pieces = 0
    for p in m.processes:
        png = diagrams.draw(p.diagram, "png")
        assert png is not None
        docx_pieces += len(flow_pieces(png, diagrams.source(p.diagram)))
    assert docx_pieces == len(m.processes) - 1 + len(pieces), "the same cut as the DOCX"
    # The portal's page of the same flow stays one drawing.
    files = portal([m], diagrams)
    assert not any('class="diagram piece"' in text for text in files.values())


@requires_weasyprint
@pytest.mark.dot
@requires_dot
def test_pdf_tall_flow_cut_on_landscape_pages(tmp_path: Path) -> None:
    """Every landscape page of JEDU's PDF holds one flow or piece that fits it, with task
    names measured on paper (pdftotext's word boxes) at >= 6 pt."""
    m, diagrams = _jedu()
    pieces = len(_PIECE.findall(book(m, diagrams)))
    target = tmp_path / "jedu.pdf"
    target.write_bytes(to_pdf(m, diagrams))
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = re.findall(r'<page width="([0-9.]+)" height="([0-9.]+)">(.*?)</page>', bbox, re.S)
    landscape = [body for w, h, body in pages if float(w) > float(h)]
    assert ">Prosessikartta</word>" in landscape[0], "the process map's page comes first"
    landscape = landscape[1:]
    assert len(landscape) == len(m.processes) - 1 + pieces
    # Every name on a flow is drawn at one size (styles.FONT_SIZE): step, decision and event
    # names and lane names alike; the words of titles and headings (bigger type) aside.
    other = {word for p in m.processes for word in p.name.split()}
    names = {
        w
        for p in m.processes
        for text in (*(s.name for s in p.steps), *(s.role for s in p.steps if s.role))
        for w in text.split()
    } - other
    for body in landscape:
        words = re.findall(
            r'<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">'
            r"([^<]*)</word>",
            body,
        )
        assert words, "no page holds only a heading"
        limit = styles.PAGE_LONG - styles.PAGE_MARGIN + 1
        assert all(float(x1) <= limit for _, _, x1, _, _ in words), "nothing spills over"
        sizes = [(float(y1) - float(y0)) / DEJAVU_LINE for _, y0, _, y1, w in words if w in names]
        assert sizes, "the page shows step names"
        assert min(sizes) >= styles.MIN_PRINT_SIZE - 0.05, f"step names at {min(sizes):.2f} pt"


@requires_weasyprint
@requires_dot
def test_pdf_contents_page_numbers_running_header_footer_and_tags(tmp_path: Path) -> None:
    """REDU's PDF: the contents give each chapter's page, and that page starts the chapter;
    every page after the title has the running header (manual; chapter) and "sivu X / Y";
    the PDF is tagged."""
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "redu", "fi")
    target = tmp_path / "redu.pdf"
    target.write_bytes(to_pdf(m, Diagrams(loaded.workspace, "fi")))
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    pages = int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.M).group(1))  # type: ignore[union-attr]

    def page(n: int) -> list[str]:
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(target), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [line.strip() for line in text.splitlines() if line.strip()]

    contents = page(2)
    assert contents[1] == "Sisällys"
    listed = {}
    for line in contents:
        found = re.fullmatch(r"(.+?) ?\.{3,} ?(\d+)", line)
        if found:
            listed[found.group(1)] = int(found.group(2))
    chapters = ["Prosessikartta", *(p.name for p in m.processes), "Laatusuunnitelma", "Roolit"]
    assert set(chapters) <= set(listed)
    for title in chapters:
        lines = page(listed[title])
        assert title in lines[1:4], (title, listed[title], lines[:4])
    assert listed["Prosessikartta"] < listed[m.processes[0].name] < listed["Laatusuunnitelma"]
    for n in range(2, pages + 1):
        lines = page(n)
        assert lines[0].startswith(f"{m.name} · Toimintajärjestelmäkuvaus"), n
        assert lines[-1] == f"sivu {n} / {pages}", n
    talous = page(listed["Talousprosessi"] + 1)
    assert talous[0].endswith("Talousprosessi")  # the chapter's name in the running header
