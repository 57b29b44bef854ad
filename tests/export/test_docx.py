"""The DOCX manual reopened with python-docx: headings, tables, images, TOC field, stable bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from qms.export.docx import TABLE_STYLE, to_docx
from qms.export.manual import Diagrams, build_manual
from qms.lint import lint
from qms.load import load
from qms.render.engine import PNG_DPI
from tests.conftest import LAMPPU, requires_dot
from tests.export.conftest import EVIL, EVIL_PROCESS


def make(root: Path, lang: str = "fi") -> bytes:
    loaded = load(str(root))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "opisto", lang, result=lint(loaded))
    return to_docx(m, Diagrams(loaded.workspace, lang))


def test_structure(small: Path) -> None:
    data = make(small)
    document = docx.Document(io.BytesIO(data))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert ("Title", EVIL) in headings
    level1 = [t for s, t in headings if s == "Heading 1"]
    assert level1[:5] == [
        "Sisällys",
        "Versiot ja hyväksynnät",
        "Prosessit",
        "Laaturyhmä",
        "Prosessikartta",
    ]
    assert EVIL_PROCESS in level1 and "Talous" in level1
    assert {"Laatusuunnitelma", "Mittarit", "Tavoitteiden kattavuus"} <= set(level1)
    assert ("Heading 2", "SIPOC") in headings
    # the approval table comes first, every table has the house style
    approvals = document.tables[0]
    assert [c.text for c in approvals.rows[0].cells] == [
        "Dokumentti",
        "Versio",
        "Tila",
        "Hyväksyjä",
        "Hyväksytty",
    ]
    assert [c.text for c in approvals.rows[1].cells] == [
        EVIL_PROCESS,
        "1.2",
        "hyväksytty",
        "Johtoryhmä",
        "1.2.2026",
    ]
    assert all(t.style is not None and t.style.name == TABLE_STYLE for t in document.tables)
    texts = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "Kyselyn uudistus" in texts and "Vastausprosentti" in texts
    body = document.element.body.xml
    assert 'TOC \\o "1-2"' in body
    assert document.core_properties.created is not None
    assert document.core_properties.created.date().isoformat() == "2026-06-01"


@requires_dot
def test_diagrams_are_embedded(small: Path) -> None:
    document = docx.Document(io.BytesIO(make(small)))
    # the process map, two flows, and the trend chart of the one metric with numeric values
    assert len(document.inline_shapes) == 3 + 1
    names = zipfile.ZipFile(io.BytesIO(make(small))).namelist()
    assert sum(n.startswith("word/media/") and n.endswith(".png") for n in names) == 3 + 1


def test_bytes_are_deterministic(small: Path) -> None:
    first = make(small, "en")
    assert first == make(small, "en")
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert docx.Document(io.BytesIO(first)).paragraphs[6].text == "OPERATING SYSTEM DESCRIPTION"
    # Pictures (PNG, deflated already) are stored as they are; the XML parts are deflated.
    kinds = {(i.filename.endswith(".png"), i.compress_type) for i in infos}
    assert kinds == {(True, zipfile.ZIP_STORED), (False, zipfile.ZIP_DEFLATED)}


def pictures(document: Any) -> list[tuple[Any, int, int, str]]:
    """Every picture in reading order: (its section, extent cx, cy in EMU, image rId)."""
    from docx.oxml.ns import qn

    sections = list(document.sections)
    out, at = [], 0
    for element in document.element.body.iterchildren():
        for inline in element.iter(qn("wp:inline")):
            extent = inline.find(qn("wp:extent"))
            blip = next(inline.iter(qn("a:blip")))
            rid = blip.get(qn("r:embed"))
            out.append((sections[at], int(extent.get("cx")), int(extent.get("cy")), rid))
        props = element.find(qn("w:pPr")) if element.tag == qn("w:p") else None
        if props is not None and props.find(qn("w:sectPr")) is not None:
            at += 1
    return out


def printable(section: Any) -> tuple[int, int]:
    return (
        section.page_width - section.left_margin - section.right_margin,
        section.page_height - section.top_margin - section.bottom_margin,
    )


def landscape(section: Any) -> bool:
    return bool(
        section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    )


@requires_dot
def test_flows_sit_on_landscape_pages(small: Path) -> None:
    """A4 throughout; the process map and each flow on a landscape page, the rest portrait."""
    document = docx.Document(io.BytesIO(make(small)))
    a4 = {(round(s.page_width.cm, 1), round(s.page_height.cm, 1)) for s in document.sections}
    assert a4 == {(21.0, 29.7), (29.7, 21.0)}
    shown = pictures(document)
    assert len(shown) == 3 + 1  # the map, two flows; a metric's trend chart (portrait)
    shown = [picture for picture in shown if landscape(picture[0])]
    assert len(shown) == 3
    for section, cx, cy, _ in shown:
        width, height = printable(section)
        assert cx <= width and cy <= height
    # The chapter goes on in portrait after its flow: steps, metrics, review.
    assert not landscape(document.sections[-1])


@pytest.mark.dot
@requires_dot
def test_lamppu_flows_print_readable() -> None:
    """Every LAMPPU flow's picture(s) fit a landscape page and print names >= 8 pt.

    The printed size is the picture's scale (its width on paper over the drawing's natural
    width, PNG at Graphviz's 96 dpi) times the 10 pt of a step name; a flow too tall for one
    page at that size is cut between rows into several pictures.
    """
    from qms.render import styles
    from qms.render.dot import flow_rows

    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    result = lint(loaded)
    flows = cut = 0
    for org in ("jedu", "kao", "lappia", "redu", "sakk"):
        m = build_manual(loaded.workspace, org, "fi", result=result)
        diagrams = Diagrams(loaded.workspace, "fi")
        data = to_docx(m, diagrams)
        document = docx.Document(io.BytesIO(data))
        shown = [s for s in pictures(document) if landscape(s[0])]
        flows += len(m.processes)
        cut += len(shown) - len(m.processes)
        for p in m.processes:
            png, source = diagrams.draw(p.diagram, "png"), diagrams.source(p.diagram)
            assert png is not None and source is not None
            rows = flow_rows(source)
            assert rows is not None
            px_h = Image.open(io.BytesIO(png)).size[1]
            assert rows[0] / px_h == pytest.approx(72 / PNG_DPI, rel=0.01), "drawn at 96 dpi"
        for section, cx, cy, rid in shown:
            width, height = printable(section)
            assert cx <= width and cy <= height, f"{org}: a picture overflows its page"
            px_w = document.part.related_parts[rid].image.px_width
            scale = cx / 12700 / (px_w * 72 / PNG_DPI)
            # The process map too (see test_lamppu_process_maps_print_readable).
            assert scale * 10 >= styles.MIN_PRINT_SIZE - 0.01, (
                f"{org}: names print at {scale * 10:.1f} pt"
            )
        if org == "redu":
            assert data == to_docx(m, Diagrams(loaded.workspace, "fi")), "same bytes"
    assert flows == 16
    assert cut > 0, "some LAMPPU flows are too tall for one page and are cut between rows"


@pytest.mark.dot
@requires_dot
def test_lamppu_process_maps_print_readable() -> None:
    """Each LAMPPU process map opens its chapter on a landscape page, its 10 pt names at
    styles.MIN_PRINT_SIZE or more (tests/render/test_process_map.py: a crowded band wraps)."""
    from qms.render import styles

    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    result = lint(loaded)
    for org in ("jedu", "kao", "lappia", "redu", "sakk"):
        m = build_manual(loaded.workspace, org, "fi", result=result)
        diagrams = Diagrams(loaded.workspace, "fi")
        png = diagrams.draw(m.map_diagram, "png")
        assert png is not None
        natural = Image.open(io.BytesIO(png)).size[0] * 72 / PNG_DPI * 12700  # EMU
        section, cx, cy, _ = pictures(docx.Document(io.BytesIO(to_docx(m, diagrams))))[0]
        width, height = printable(section)
        assert landscape(section) and cx <= width and cy <= height
        assert cx / natural * styles.FONT_SIZE >= styles.MIN_PRINT_SIZE - 0.01, org


@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(st.text(" \n\tab—ä", max_size=12), min_size=n, max_size=n),
            st.lists(
                st.lists(st.text(" \n\tab—ä", max_size=12), min_size=n, max_size=n),
                max_size=3,
            ),
        )
    )
)
def test_a_columns_extent_is_its_longest_word_and_line(
    table: tuple[list[str], list[list[str]]],
) -> None:
    """Split once per column, the least and most widths are still the longest word's and
    the longest line's, cell by cell and line by line (an empty or blank cell is "—")."""
    from qms.export.docx import CELL_PADDING, CHAR_WIDTH, _extents

    head, rows = table
    least, most = [], []
    for cells in zip(head, *rows, strict=True):
        lines = [line for cell in cells for line in (cell or "—").split("\n")]
        words = [w for line in lines for w in line.split()] or ["—"]
        least.append(max(len(w) for w in words) * CHAR_WIDTH + CELL_PADDING)
        most.append(max(len(line) for line in lines) * CHAR_WIDTH + CELL_PADDING)
    assert _extents(head, rows) == (least, most)
