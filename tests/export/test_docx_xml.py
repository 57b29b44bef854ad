"""qms.export.docx_xml writes the XML python-docx's own calls write, and cut flows share one
image cropped in the document."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Sequence
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Emu, Pt
from PIL import Image

from qms.export import docx as export
from qms.export import docx_xml as xml
from qms.export.docx import CELL_STYLE, HEAD_STYLE, TABLE_STYLE, _styles, flow_pieces, to_docx
from qms.export.manual import Diagrams, build_manual
from qms.lint import lint
from qms.load import load
from tests.conftest import LAMPPU, requires_dot

TEXTS = [
    "",
    "plain",
    " leading space",
    "trailing space ",
    "a\ttab",
    "two\nlines",
    "cr\rline",
    "\n",
    "<&> \"quoted\" 'x'",
    "ääkköset — ja €",
    "last line empty\n",
    "\ttab first\n second\tline\n",
]


def _doc() -> Any:
    doc = docx.Document()
    _styles(doc, own_template=True)
    return doc


def _body(doc: Any) -> list[str]:
    return [e.xml for e in doc.element.body]


def _python_docx_table(
    doc: Any, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> None:
    """The table made with python-docx's cell-by-cell API (qms's code before docx_xml)."""
    table = doc.add_table(rows=1 + len(rows), cols=len(head))
    table.style = doc.styles[TABLE_STYLE]
    table.autofit = False
    for n, (row, values) in enumerate(zip(table.rows, [head, *rows], strict=True)):
        props = row._tr.get_or_add_trPr()
        for tag in ("w:tblHeader", "w:cantSplit") if n == 0 else ("w:cantSplit",):
            props.append(props.makeelement(qn(tag), {qn("w:val"): "true"}))
        for cell, value in zip(row.cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles[HEAD_STYLE if n == 0 else CELL_STYLE]
            lines = (value or "—").split("\n")
            run = paragraph.add_run(lines[0])
            for line in lines[1:]:
                run.add_break()
                run.add_text(line)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Emu(int(width * 12700))
        for cell in column.cells:
            cell.width = Emu(int(width * 12700))


def test_a_table_is_the_xml_python_docx_writes() -> None:
    head = ["Vaihe", "Kuvaus", "Tyhjä"]
    rows = [[a, b, ""] for a, b in zip(TEXTS, reversed(TEXTS), strict=True)]
    widths = [100.5, 250.25, 40.0]
    ours, theirs = _doc(), _doc()
    xml.table(ours, head, rows, widths, TABLE_STYLE, CELL_STYLE, HEAD_STYLE)
    _python_docx_table(theirs, head, rows, widths)
    assert _body(ours) == _body(theirs)
    assert "QMSTableHeading" in _body(ours)[0], "the header row has the heading style"


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("style", [None, "Normal", "Heading 2", CELL_STYLE])
def test_a_paragraph_is_the_xml_python_docx_writes(text: str, style: str | None) -> None:
    ours, theirs = _doc(), _doc()
    xml.paragraph(ours, text, style, [(text, True, False), (text, False, True), (text, True, True)])
    paragraph = theirs.add_paragraph(text, style)
    paragraph.add_run(text).bold = True
    paragraph.add_run(text).italic = True
    both = paragraph.add_run(text)
    both.bold = both.italic = True
    assert _body(ours) == _body(theirs)


@pytest.mark.parametrize("text", ["", "text"])
@pytest.mark.parametrize("style", [None, "Normal", CELL_STYLE])
def test_a_paragraph_with_space_after_is_the_xml_python_docx_writes(
    text: str, style: str | None
) -> None:
    ours, theirs = _doc(), _doc()
    xml.paragraph(ours, text, style, after=Pt(6).twips)
    theirs.add_paragraph(text, style).paragraph_format.space_after = Pt(6)
    assert _body(ours) == _body(theirs)


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def test_pictures_are_the_xml_python_docx_writes() -> None:
    """Ids counted once per document give the ids python-docx finds by scanning, and the
    same PNG twice is one image part."""
    first, second = _png(30, 20), _png(20, 30)
    ours, theirs = _doc(), _doc()
    for png, cx in ((first, 254000), (second, 127000), (first, 381000)):
        xml.picture(ours, xml.paragraph(ours), png, cx, cx // 2)
        theirs.add_paragraph().add_run().add_picture(io.BytesIO(png), Emu(cx), Emu(cx // 2))
    assert _body(ours) == _body(theirs)
    assert len(list(ours.part.package.image_parts)) == 2


def test_each_image_part_is_hashed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document that already holds a picture (a template's logo) gets five more: the same
    XML and parts as python-docx's (the logo's PNG again is the logo's part), and each image
    part's SHA-1 is computed once, not once per new picture (python-docx: 1 + 2 + ... + 6)."""
    from docx.parts.image import ImagePart

    logo, pngs = _png(10, 10), [_png(30 + i, 20) for i in range(4)]
    ours, theirs = _doc(), _doc()
    for document in (ours, theirs):
        document.add_paragraph().add_run().add_picture(io.BytesIO(logo), Emu(9525))
    hashed = []
    sha1 = ImagePart.sha1
    monkeypatch.setattr(
        ImagePart, "sha1", property(lambda part: hashed.append(1) or sha1.fget(part))
    )
    for png in [pngs[0], logo, *pngs[1:]]:
        xml.picture(ours, xml.paragraph(ours), png, 127000, 63500)
    assert len(hashed) == 1
    for png in [pngs[0], logo, *pngs[1:]]:
        theirs.add_paragraph().add_run().add_picture(io.BytesIO(png), Emu(127000), Emu(63500))
    assert _body(ours) == _body(theirs)
    assert len(list(ours.part.package.image_parts)) == len(pngs) + 1


@requires_dot
def test_a_cut_flow_is_one_image_cropped_into_rows() -> None:
    """The pieces of a cut LAMPPU flow show one image part, top to bottom, each piece's
    crop where the previous one's ended, and their heights in the image's proportions."""
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    diagrams = Diagrams(loaded.workspace, "fi")
    m = build_manual(loaded.workspace, "lappia", "fi", result=lint(loaded))
    document = docx.Document(io.BytesIO(to_docx(m, diagrams)))
    cut = 0
    for p in m.processes:
        png, source = diagrams.draw(p.diagram, "png"), diagrams.source(p.diagram)
        assert png is not None
        pieces = flow_pieces(png, source)
        if len(pieces) < 2:
            continue
        cut += 1
        assert pieces[0].crop.top == 0 and pieces[-1].crop.bottom == 0
        for above, below in itertools.pairwise(pieces):
            assert above.crop.bottom == pytest.approx(1 - below.crop.top)
        shown = [1 - piece.crop.top - piece.crop.bottom for piece in pieces]
        assert sum(shown) == pytest.approx(1)
    assert cut, "a LAMPPU flow of lappia is cut"
    cropped = [
        rect.getprevious().get(qn("r:embed"))
        for rect in document.element.body.iter(qn("a:srcRect"))
    ]
    assert len(cropped) >= 2
    assert len(set(cropped)) < len(cropped), "the pieces of one flow share one image part"


def _png_dpi(width: int, height: int, dpi: tuple[int, int] | None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGBA", (width, height), "white")
    image.save(out, format="PNG", **({"dpi": dpi} if dpi else {}))
    return out.getvalue()


@pytest.mark.parametrize("dpi", [None, (96, 96), (150, 300), (1, 1)])
def test_a_png_is_read_as_python_docx_reads_it(dpi: tuple[int, int] | None) -> None:
    """The PNG's Image has python-docx's header: size, resolution (72 without pHYs), type."""
    from docx.image.image import Image as DocxImage

    png = _png_dpi(37, 21, dpi)
    ours, theirs = xml._png_image(png), DocxImage.from_blob(png)
    for name in ("px_width", "px_height", "horz_dpi", "vert_dpi", "content_type", "ext"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.filename == theirs.filename and ours.blob is png
    assert ours.scaled_dimensions(Emu(127000), None) == theirs.scaled_dimensions(Emu(127000))


def test_what_is_not_a_whole_png_goes_to_python_docx() -> None:
    from docx.image.exceptions import UnexpectedEndOfFileError, UnrecognizedImageError

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="JPEG")
    assert xml._png_image(out.getvalue()).content_type == "image/jpeg"
    with pytest.raises(UnrecognizedImageError):
        xml._png_image(b"not an image at all, and long enough to be read")
    with pytest.raises(UnexpectedEndOfFileError):
        xml._png_image(_png(4, 4)[:20])


def test_a_cropped_picture_on_a_single_line_is_the_xml_python_docx_writes() -> None:
    """A cut flow's piece: the picture cropped (a:srcRect after a:blip) on a paragraph of
    single line spacing and no space before or after, as python-docx's calls make it."""
    from docx.text.parfmt import ParagraphFormat

    png = _png(30, 60)
    ours, theirs = _doc(), _doc()
    for top, bottom in ((0.0, 0.5), (0.5, 0.0), (0.0, 0.0)):
        xml.picture(
            ours, xml.paragraph(ours, single=True), png, 254000, 127000, xml.Crop(top, bottom)
        )
        paragraph = theirs.add_paragraph()
        spacing = ParagraphFormat(paragraph._p)
        spacing.line_spacing = 1.0
        spacing.space_before = spacing.space_after = 0
        paragraph.add_run().add_picture(io.BytesIO(png), Emu(254000), Emu(127000))
        if top or bottom:
            blip = next(paragraph._p.iter(qn("a:blip")))
            rect = {"t": str(round(top * 100000)), "b": str(round(bottom * 100000))}
            blip.addnext(blip.makeelement(qn("a:srcRect"), rect))
    assert _body(ours) == _body(theirs)


@pytest.mark.parametrize("landscape", [False, True])
def test_the_room_kept_for_a_page_is_what_its_section_says(landscape: bool) -> None:
    from docx.section import Section

    from qms.export.docx import _Pages, _room

    doc = _doc()
    pages = _Pages(doc, True, None)
    pages.new(landscape=landscape)
    kept = _room(doc, 10)
    xml.state(doc).room = None
    assert _room(doc, 10) == kept
    page = Section(doc.element.body[-1], doc.part)
    assert (page.page_width > page.page_height) == landscape


def _python_docx_new(self: Any, landscape: bool, header: str | None = None) -> None:
    """`_Pages.new` with python-docx's calls (qms's code before it made the elements)."""
    from docx.enum.section import WD_SECTION

    section = self.doc.add_section(WD_SECTION.NEW_PAGE)
    body = self.doc.element.body
    holder = body[-2]  # the empty paragraph python-docx added, before the body's sectPr
    before, props = holder.getprevious(), holder.find(qn("w:pPr"))
    sect = props.find(qn("w:sectPr"))
    if before is not None and before.tag == qn("w:p") and not before.xpath("./w:pPr/w:sectPr"):
        before.get_or_add_pPr().append(sect)
        body.remove(holder)
    else:
        props.insert(0, export._w("spacing", before="0", after="0", line="20", lineRule="exact"))
        mark = export._w("rPr")
        mark.append(export._w("sz", val="2"))
        sect.addprevious(mark)
    section.different_first_page_header_footer = False
    self.orient(section, landscape)
    if header is not None:
        section.header.is_linked_to_previous = False
        own = section.header
        export._header_text(self.doc, own._element, own.part, header, self.template_header)


_HEADER_TEXT = export._header_text


def _python_docx_header_text(doc: Any, body: Any, part: Any, text: str, template: Any) -> None:
    """`_header_text` with python-docx's paragraph (add_paragraph(text), the style set) in
    place of the one written as text."""
    from docx.text.paragraph import Paragraph

    _HEADER_TEXT(doc, body, part, text, template)
    body.remove(body[-1])
    paragraph = Paragraph(body.add_p(), None)
    paragraph.add_run(text)
    xml.set_style(doc, paragraph._p, "Header")


def _template_with_logo() -> bytes:
    """A reference document: a logo and text in its header, a first-page header, a section
    that starts on an odd page."""
    from docx.enum.section import WD_SECTION

    template = docx.Document()
    section = template.sections[0]
    section.start_type = WD_SECTION.ODD_PAGE
    header = section.header.paragraphs[0]
    header.add_run().add_picture(io.BytesIO(_png(60, 20)), width=Emu(720000))
    header.add_run(" LOGO\tline")
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "first page"
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


@requires_dot
@pytest.mark.parametrize("reference", [False, True])
def test_sections_and_headers_are_what_python_docx_makes(
    reference: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The LAMPPU manual (sections portrait and landscape, breaks folded into a picture's
    paragraph or after a table, a header per chapter), in the house style and with a
    reference document, is the same DOCX as with python-docx's section and header calls."""
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    diagrams = Diagrams(loaded.workspace, "fi")
    m = build_manual(loaded.workspace, "lappia", "fi", result=lint(loaded))
    template = _template_with_logo() if reference else None
    ours = to_docx(m, diagrams, template)
    monkeypatch.setattr(export._Pages, "new", _python_docx_new)
    monkeypatch.setattr(export, "_header_text", _python_docx_header_text)
    theirs = to_docx(m, diagrams, template)
    assert ours == theirs
    document = docx.Document(io.BytesIO(ours))
    assert len(document.sections) > 5
    assert len({s.header.part.partname for s in document.sections}) > 3


def _sections(reference: bool) -> bytes:
    """Breaks after breaks, after a table and after a paragraph, headers or none."""
    from qms.export.docx import _Pages, _save, _Template

    doc = docx.Document(io.BytesIO(_template_with_logo())) if reference else docx.Document()
    _styles(doc, own_template=not reference)
    template = _Template(doc.sections[0].header) if reference else None
    pages = _Pages(doc, not reference, template)
    pages.new(landscape=True)
    pages.new(landscape=False, header="one")
    xml.table(doc, ["a"], [["b"]], [100.0], TABLE_STYLE, CELL_STYLE, HEAD_STYLE)
    pages.new(landscape=True, header="two\tand\nthree")
    xml.paragraph(doc, "text")
    pages.new(landscape=False)
    pages.new(landscape=False, header="four")
    return _save(doc, "2026-01-01")


@pytest.mark.parametrize("reference", [False, True])
def test_every_kind_of_break_is_what_python_docx_makes(
    reference: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _sections(reference)
    monkeypatch.setattr(export._Pages, "new", _python_docx_new)
    monkeypatch.setattr(export, "_header_text", _python_docx_header_text)
    assert ours == _sections(reference)
    assert b'w:line="20"' in zipfile.ZipFile(io.BytesIO(ours)).read("word/document.xml")
