"""The manual as a Word document (python-docx): what quality groups used to write by hand.

Title page, a table-of-contents field (Word fills it when the document is opened and fields
are updated), the version and approval table, one chapter per process with its flow diagram
embedded as PNG on a landscape A4 page of its own (cut between rows when too tall to stay
readable), then the quality plan, metrics, goal coverage, roles and the document register.

A publishable document, not a dump: the proofing language is the manual's (fi-FI, sv-FI,
en-GB) and Word may hyphenate; every page but the title page has a header (organisation,
document, version, approval state) and a footer "sivu X / Y" of PAGE and NUMPAGES fields;
table columns are as wide as their contents need; every paragraph and table has a named style
(`STYLES`) that an organisation restyles in its own template. `to_docx(..., reference=...)`
takes that template like pandoc's `--reference-doc`: its styles, fonts, page size, margins,
header (a logo) and footer are used, its body text is not.

The bytes are deterministic: core-property dates are the workspace's as-of date and the zip
entries carry a fixed time, so a rebuilt manual is not a spurious diff.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
from collections.abc import Sequence
from typing import Any, NamedTuple

from qms.export import docx_xml as xml
from qms.export import tables
from qms.export.assessment import AssessmentReport, Trend
from qms.export.flowcut import cut_rows
from qms.export.labels import catalogue, sheet_parts
from qms.export.manual import Diagrams, History, Manual, ProcessPage
from qms.files import read_regular
from qms.render import styles
from qms.render.dot import flow_rows
from qms.render.engine import PNG_DPI

TABLE_STYLE = "QMS Table"
"""The table style of every table: grid lines, the header row filled (restyle it in a
reference document to change every table)."""
CELL_STYLE = "QMS Table Text"
"""Paragraph style of table cells."""
HEAD_STYLE = "QMS Table Heading"
"""Paragraph style of the header row's cells (the row repeats on every page)."""
FACT_STYLE = "QMS Fact"
"""Paragraph style of the "key: value" lines under a chapter heading."""
NOTICE_STYLE = "QMS Notice"
"""Paragraph style of a notice (example content, an incomplete model) in its shaded box."""
STYLES = (
    TABLE_STYLE,
    CELL_STYLE,
    HEAD_STYLE,
    FACT_STYLE,
    NOTICE_STYLE,
    "Header",
    "Footer",
    "Title",
)
"""The named styles the manual uses besides Normal, Heading 1-3 and List Bullet."""
HEADER_FILL = "1F5F8B"
LANGUAGES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
"""The proofing language of a manual's language."""
CHAR_WIDTH = 5.6
"""Average width in points of a 9 pt DejaVu Sans character, for column widths."""
CELL_PADDING = 12.0
"""Left and right cell margins (QMS Table: 0.15 cm each) and a little air, in points."""


def _w(tag: str, **attrs: str) -> Any:
    """A WordprocessingML element `w:tag` with `w:` attributes."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES, TOC ...) with `shown` as its result until updated."""
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    instr = _w("instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    result = _w("t")
    result.text = shown
    for element in (
        _w("fldChar", fldCharType="begin"),
        instr,
        _w("fldChar", fldCharType="separate"),
        result,
        _w("fldChar", fldCharType="end"),
    ):
        run._r.append(element)


def _toc(doc: Any, entries: Sequence[tuple[int, str]]) -> None:
    """A TOC field (headings 1-2) that Word updates on opening (and F9 updates again); until
    then it shows the chapter titles, so a reader that does not update fields still sees them."""
    from docx.oxml.ns import qn

    paragraph = doc.add_paragraph()
    _field(paragraph, 'TOC \\o "1-2" \\h \\z \\u', "")
    run = paragraph.runs[-1]._r
    result = run.find(qn("w:t"))
    for i, (_, title) in enumerate(entries):
        if i:
            run.insert(list(run).index(result), _w("br"))
        text = _w("t")
        text.text = title
        run.insert(list(run).index(result), text)
    run.remove(result)
    settings = doc.settings.element
    settings.remove_all("w:updateFields")
    compat = settings.find(qn("w:compat"))
    update = _w("updateFields", val="true")
    if compat is not None:
        compat.addprevious(update)
    else:
        settings.append(update)


def _language(doc: Any, lang: str) -> None:
    """The proofing language of every style and the document's defaults; Word may hyphenate;
    the template's "already proofed" mark is dropped, so Word checks the text afresh."""
    from docx.oxml.ns import qn

    code = LANGUAGES.get(lang, "en-GB")
    root = doc.styles.element
    defaults = root.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = _w("docDefaults")
        root.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = _w("rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = _w("rPr")
        rpr_default.append(rpr)
    if rpr.find(qn("w:lang")) is None:
        rpr.append(_w("lang"))
    for element in root.iter(qn("w:lang")):
        element.set(qn("w:val"), code)
    settings = doc.settings.element
    settings.remove_all("w:proofState")
    for element in settings.iter(qn("w:themeFontLang")):
        element.set(qn("w:val"), code)
    if settings.find(qn("w:autoHyphenation")) is None:
        tab = settings.find(qn("w:defaultTabStop"))
        hyphenate = _w("autoHyphenation", val="true")
        if tab is not None:
            tab.addnext(hyphenate)
        else:
            settings.insert(0, hyphenate)


def _table_style_xml(based_on: str | None) -> Any:
    """QMS Table: thin grid, compact cells, the header row filled with the house colour."""
    style = _w("style", type="table", customStyle="1", styleId="QMSTable")
    style.append(_w("name", val=TABLE_STYLE))
    if based_on:
        style.append(_w("basedOn", val=based_on))
    style.append(_w("uiPriority", val="99"))
    ppr = _w("pPr")
    ppr.append(_w("spacing", after="0", line="240", lineRule="auto"))
    style.append(ppr)
    tblpr = _w("tblPr")
    borders = _w("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_w(side, val="single", sz="4", space="0", color="B7C3CF"))
    tblpr.append(borders)
    margins = _w("tblCellMar")
    for side, width in (("top", "45"), ("left", "85"), ("bottom", "45"), ("right", "85")):
        margins.append(_w(side, w=width, type="dxa"))
    tblpr.append(margins)
    style.append(tblpr)
    first = _w("tblStylePr", type="firstRow")
    rpr = _w("rPr")
    rpr.append(_w("b"))
    rpr.append(_w("color", val="FFFFFF"))
    first.append(rpr)
    tcpr = _w("tcPr")
    tcpr.append(_w("shd", val="clear", color="auto", fill=HEADER_FILL))
    first.append(tcpr)
    style.append(first)
    return style


def _has_style(doc: Any, name: str) -> bool:
    try:
        doc.styles[name]
    except KeyError:
        return False
    return True


def _styles(doc: Any, own_template: bool) -> None:
    """Add the manual's named styles that the template lacks; a reference document's own
    definitions of them win. Without a reference, the house fonts and sizes are set."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    if own_template:
        doc.styles["Normal"].font.name = "DejaVu Sans"
        doc.styles["Normal"].font.size = Pt(10)
    for level, size in ((1, 16), (2, 13), (3, 11)):
        name = f"Heading {level}"
        if not _has_style(doc, name):
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = doc.styles["Normal"]
            style.font.bold, style.font.size = True, Pt(size)
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.space_before = Pt(12)
            style.element.get_or_add_pPr().append(_w("outlineLvl", val=str(level - 1)))
    for name, size in (
        ("Title", 26),
        ("Header", 8),
        ("Footer", 8),
        ("List Bullet", 0),
        ("List Bullet 2", 0),
    ):
        if not _has_style(doc, name):
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = doc.styles["Normal"]
            if size:
                style.font.size = Pt(size)
    if own_template:
        for name in ("Header", "Footer"):
            doc.styles[name].font.size = Pt(8)
            doc.styles[name].font.color.rgb = RGBColor(0x5B, 0x67, 0x75)
    if not _has_style(doc, CELL_STYLE):
        cell = doc.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = doc.styles["Normal"]
        cell.font.size = Pt(9)
        cell.paragraph_format.space_before = cell.paragraph_format.space_after = Pt(0)
        cell.paragraph_format.line_spacing = 1.0
    if not _has_style(doc, HEAD_STYLE):
        head = doc.styles.add_style(HEAD_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        head.base_style = doc.styles[CELL_STYLE]
        head.font.bold = True
        head.paragraph_format.keep_with_next = True
    if not _has_style(doc, FACT_STYLE):
        fact = doc.styles.add_style(FACT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        fact.base_style = doc.styles["Normal"]
        fact.paragraph_format.space_after = Pt(0)
        fact.paragraph_format.keep_with_next = True
    if not _has_style(doc, NOTICE_STYLE):
        notice = doc.styles.add_style(NOTICE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        notice.base_style = doc.styles["Normal"]
        notice.font.bold = True
        notice.paragraph_format.space_after = Pt(0)
    if not _has_style(doc, TABLE_STYLE):
        based = "TableNormal" if _has_style(doc, "Normal Table") else None
        doc.styles.element.append(_table_style_xml(based))


def widths(head: Sequence[str], rows: Sequence[Sequence[str]], total: float) -> list[float]:
    """Column widths in points that fit their contents into `total`, as a browser lays out an
    automatic table: each column gets at least its longest word, and the room left is shared
    in proportion to how much longer each column's longest line is; columns that all fit get
    their longest line, and the rest of the width goes to the wordiest."""
    least, most = _extents(head, rows)
    if sum(least) >= total:  # even the longest words do not fit: shrink them alike
        return [w * total / sum(least) for w in least]
    if sum(most) <= total:
        spare = total - sum(most)
        weights = [m - low + 1.0 for m, low in zip(most, least, strict=True)]
        return [m + spare * w / sum(weights) for m, w in zip(most, weights, strict=True)]
    room = total - sum(least)
    extra = [m - low for m, low in zip(most, least, strict=True)]
    return [low + room * e / sum(extra) for low, e in zip(least, extra, strict=True)]


def _extents(head: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[list[float], list[float]]:
    """Each column's least width (its longest word) and most (its longest line) in points;
    an empty cell is "—". A column's text is split once, not cell by cell and line by line:
    a manual has about 1,300 tables."""
    least, most = [], []
    for cells in zip(head, *rows, strict=True):
        text = "\n".join(cell or "—" for cell in cells)
        longest_word = max(map(len, text.split()), default=1)  # no words at all: "—"
        least.append(longest_word * CHAR_WIDTH + CELL_PADDING)
        most.append(max(map(len, text.split("\n"))) * CHAR_WIDTH + CELL_PADDING)
    return least, most


def _table(doc: Any, head: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table in the house style (QMS Table): the header row repeated on every page, the
    columns as wide as their contents need, every cell a QMS Table Text paragraph."""
    room, _ = _room(doc, 0)
    xml.table(doc, head, rows, widths(head, rows, room), TABLE_STYLE, CELL_STYLE, HEAD_STYLE)
    _gap(doc)


def _styled(doc: Any, text: str, name: str | None = None) -> Any:
    """`doc.add_paragraph(text, style=name)` without python-docx's searches (docx_xml): the
    w:p element."""
    return xml.paragraph(doc, text, name)


def _heading(doc: Any, text: str, level: int) -> None:
    """`doc.add_heading(text, level)` without python-docx's searches (docx_xml)."""
    xml.paragraph(doc, text, "Title" if level == 0 else f"Heading {level}")


def _italic(doc: Any, text: str) -> None:
    xml.paragraph(doc, runs=[(text, False, True)])


def _gap(doc: Any) -> None:
    """An empty line after a table, so that two tables never run into one."""
    from docx.shared import Pt

    xml.paragraph(doc, "", CELL_STYLE, after=Pt(6).twips)


def _notice(doc: Any, text: str, alert: bool = False) -> None:
    """A notice that must not be missed (example content, an incomplete model): a QMS Notice
    paragraph (bold) in a shaded one-cell box, so it survives printing in black and white."""
    if not text:
        return
    cell = doc.add_table(rows=1, cols=1).rows[0].cells[0]
    cell._tc.get_or_add_tcPr().append(
        _w("shd", val="clear", color="auto", fill="FDE2D8" if alert else "FFF6D6")
    )
    paragraph = cell.paragraphs[0]
    xml.set_style(doc, paragraph._p, NOTICE_STYLE)
    paragraph.add_run(text)
    _gap(doc)


def _facts(doc: Any, pairs: Sequence[tuple[str, str]]) -> None:
    for key, value in pairs:
        xml.paragraph(
            doc, "", FACT_STYLE, [(f"{key}: ", True, False), (value or "—", False, False)]
        )
    _gap(doc)


def _room(doc: Any, reserved: float) -> tuple[float, float]:
    """(width, height) in points that the current section leaves for a picture, less
    `reserved` points of height for what stands above it."""
    from docx.section import Section

    room = xml.state(doc).room  # the page _Pages last set up
    if room is None:
        page: Any = Section(doc.element.body[-1], doc.part)  # the last; doc.sections searches
        room = (
            (page.page_width - page.left_margin - page.right_margin) / 12700,
            (page.page_height - page.top_margin - page.bottom_margin) / 12700,
        )
    return room[0], room[1] - reserved


def _fitted(doc: Any, png: bytes | None, missing: str) -> None:
    """A picture as large as the current section allows (never enlarged), leaving room above
    it for the chapter's heading and a lead paragraph."""
    if not png:
        _italic(doc, missing)
        return
    piece = flow_pieces(png, None, _room(doc, 3 * styles.FLOW_HEADING))[0]
    xml.picture(doc, xml.paragraph(doc), png, _emu(piece.width), _emu(piece.height))


def _setup(section: Any, landscape: bool) -> None:
    """A4 with styles.PAGE_MARGIN on every side (the review pack's page, qms/review.py)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    long, short = Twips(round(styles.PAGE_LONG * 20)), Twips(round(styles.PAGE_SHORT * 20))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    margin = Twips(round(styles.PAGE_MARGIN * 20))
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin


class _Pages:
    """Sections of the document: each new one A4 (or the reference document's page) portrait
    or landscape with the same margins; a chapter's sections share its header."""

    def __init__(self, doc: Any, own_template: bool, header: _Template | None) -> None:
        from docx.shared import Twips

        self.doc = doc
        first = doc.sections[0]
        if own_template:
            # Whole twips, as Word stores them (A4 is 11906 x 16838).
            long, short = Twips(round(styles.PAGE_LONG * 20)), Twips(round(styles.PAGE_SHORT * 20))
            margin = Twips(round(styles.PAGE_MARGIN * 20))
            first.page_width, first.page_height = short, long
            first.left_margin = first.right_margin = margin
            first.top_margin = first.bottom_margin = margin
            first.header_distance = first.footer_distance = Twips(round(styles.PAGE_MARGIN * 10))
        self.short = min(first.page_width, first.page_height)
        self.long = max(first.page_width, first.page_height)
        self.margins = (
            first.top_margin,
            first.right_margin,
            first.bottom_margin,
            first.left_margin,
        )
        self.template_header = header
        self.partnames: set[str] | None = None
        self.orient(first, landscape=False)

    def orient(self, section: Any, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT

        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        wide = (self.long, self.short) if landscape else (self.short, self.long)
        section.page_width, section.page_height = wide
        top, right, bottom, left = self.margins
        section.top_margin, section.right_margin = top, right
        section.bottom_margin, section.left_margin = bottom, left
        # What _room would read back from the section (whole twips, so the same numbers),
        # kept: a manual reads it for every table (a thirtieth of its time).
        xml.state(self.doc).room = (
            (wide[0] - left - right) / 12700,
            (wide[1] - top - bottom) / 12700,
        )

    def new(self, landscape: bool, header: str | None = None) -> None:
        """A new section on a new page; `header` starts a chapter with its own header line.

        python-docx's `doc.add_section(WD_SECTION.NEW_PAGE)`, `different_first_page_header_
        footer = False` and `header.is_linked_to_previous = False`, made on the elements
        directly (tests/export/test_docx_xml.py compares them): python-docx numbers a new
        header part by walking every part of the package, relationships and all, and finds
        every element through a proxy, which was a fifth of a manual's time."""
        from docx.enum.section import WD_HEADER_FOOTER
        from docx.section import Section

        end = xml.state(self.doc).end  # the body's w:sectPr: the last section's properties
        _section_break(end)
        end.start_type = None  # python-docx's NEW_PAGE: no w:type
        end.titlePg_val = False  # different_first_page_header_footer = False
        self.orient(Section(end, self.doc.part), landscape)
        if header is not None:
            part = self._header_part()
            end.add_headerReference(
                WD_HEADER_FOOTER.PRIMARY, self.doc.part.relate_to(part, _HEADER)
            )
            _header_text(self.doc, part.element, part, header, self.template_header)

    def _header_part(self) -> Any:
        """python-docx's HeaderPart.new: /word/header<n>.xml with the first n no part has
        (the part names gathered once: only these sections add headers), its default XML."""
        from docx.opc.constants import CONTENT_TYPE
        from docx.opc.packuri import PackURI
        from docx.oxml.parser import parse_xml
        from docx.parts.hdrftr import HeaderPart

        package = self.doc.part.package
        if self.partnames is None:
            self.partnames = {str(part.partname) for part in package.iter_parts()}
        n = 1
        while f"/word/header{n}.xml" in self.partnames:
            n += 1
        name = f"/word/header{n}.xml"
        self.partnames.add(name)
        element = parse_xml(_default_header_xml())
        return HeaderPart(PackURI(name), CONTENT_TYPE.WML_HEADER, element, package)


_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
"""The relationship type of a header part (docx.opc.constants.RELATIONSHIP_TYPE.HEADER)."""


@functools.cache
def _default_header_xml() -> bytes:
    """python-docx's XML of a new header part, read once (HeaderPart.new reads its file each
    time)."""
    from docx.parts.hdrftr import HeaderPart

    return bytes(HeaderPart._default_header_xml())  # type: ignore[no-untyped-call]


def _section_break(end: Any) -> None:
    """python-docx's `add_section_break`, the break folded: a copy of the ending section's
    properties `end` (no attributes) goes into the last paragraph when it holds none (after a
    full-page picture python-docx's empty paragraph would open a blank page), else into an
    empty paragraph one point high; `end` loses its header and footer references (the new
    section shares the previous one's until it gets its own)."""
    from lxml import etree  # type: ignore[import-untyped]

    clone = copy.deepcopy(end)
    clone.attrib.clear()
    before = end.getprevious()
    if before is not None and before.tag == f"{xml.W}p" and not before.xpath("./w:pPr/w:sectPr"):
        before.get_or_add_pPr().append(clone)
    else:
        holder = etree.fromstring(
            f'<w:p xmlns:w="{xml.W[1:-1]}"><w:pPr>'
            '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
            '<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>',
            xml.parser(),
        )
        holder[0].append(clone)
        end.addprevious(holder)
    for ref in end.xpath("w:headerReference|w:footerReference"):
        end.remove(ref)


def _header_text(doc: Any, body: Any, part: Any, text: str, template: _Template | None) -> None:
    """A header (its w:hdr `body`, its `part`): the reference document's header content (its
    logo) with the images it refers to, then the manual's line (style Header)."""
    from docx.oxml.ns import qn

    for child in list(body):
        body.remove(child)
    if template is not None:
        for element in template:
            clone = copy.deepcopy(element)
            for node in clone.iter():
                for attr in (qn("r:embed"), qn("r:id"), qn("r:link")):
                    rid = node.get(attr)
                    if rid and rid in template.rels:
                        rel = template.rels[rid]
                        node.set(attr, part.relate_to(rel.target_part, rel.reltype))
            body.append(clone)
    xml.paragraph(doc, text, "Header", into=body)


class _Template:
    """A reference document's header: its elements and its part's relationships."""

    def __init__(self, header: Any) -> None:
        self.elements = [copy.deepcopy(e) for e in header._element]
        self.rels = header.part.rels

    def __iter__(self) -> Any:
        return iter(self.elements)


def _footer(section: Any, lang: str) -> None:
    """The footer's last line: "sivu X / Y" (PAGE and NUMPAGES fields), centred, after any
    footer content of the reference document."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = section.footer
    paragraphs = footer.paragraphs
    if (
        len(paragraphs) == 1
        and not paragraphs[0].text
        and not paragraphs[0]._p.xpath(".//w:drawing")
    ):
        paragraph = paragraphs[0]
        paragraph.style = "Footer"
    else:
        paragraph = footer.add_paragraph(style="Footer")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, between, after = sheet_parts(lang)
    paragraph.add_run(before)
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(between)
    _field(paragraph, "NUMPAGES", "1")
    if after:
        paragraph.add_run(after)


def _emu(points: float) -> int:
    """Points to EMU (12700 a point), rounded down so that a fitted size never overflows."""
    return int(points * 12700)


class Piece(NamedTuple):
    """One picture of a flow on a landscape page: the part `crop` leaves of the flow's PNG,
    `width` x `height` points."""

    crop: xml.Crop
    width: float
    height: float


def flow_pieces(
    png: bytes,
    source: str | None,
    room: tuple[float, float] = (styles.PRINT_WIDTH, styles.PRINT_HEIGHT),
) -> list[Piece]:
    """A flow's picture(s) for a landscape page.

    The drawing is printed as large as the `room` (width, height in points) allows, never
    enlarged. When that would shrink its text below styles.MIN_PRINT_SIZE and the flow is
    folded, it is cut between rows (where its DOT's first line says the gaps are) into pieces
    of consecutive rows, each as tall as fits the page at the width's scale; a single row
    taller than that is shrunk to fit (qms.export.flowcut decides, for the PDF too). A piece
    is the whole PNG cropped in the document (a:srcRect), not a PNG of its own: cutting and
    encoding pieces with PIL was a third of a manual's time, and the pieces share one image.
    """
    from PIL import Image

    px_w, px_h = Image.open(io.BytesIO(png)).size  # the header only
    rows = flow_rows(source) if source else None
    height = rows[0] if rows else px_h * 72 / PNG_DPI
    per_px = height / px_h
    width = px_w * per_px
    cuts = rows[1] if rows else []
    cut = cut_rows(height, width, [0, *(round(c * px_h) for c in cuts), px_h], room)
    if not cut.pieces:
        return [Piece(xml.Crop(), width * cut.scale, height * cut.scale)]
    return [
        Piece(
            xml.Crop(int(top) / px_h, (px_h - int(bottom)) / px_h),
            width * scale,
            (bottom - top) * per_px * scale,
        )
        for top, bottom, scale in cut.pieces
    ]


def _flow(
    doc: Any, pages: _Pages, heading: str, png: bytes | None, source: str | None, missing: str
) -> None:
    """The flow diagram on landscape page(s) of its own; back to portrait after it."""
    if not png:
        _heading(doc, heading, 2)
        _italic(doc, missing)
        return
    pages.new(landscape=True)
    _heading(doc, heading, 2)
    for piece in flow_pieces(png, source, _room(doc, styles.FLOW_HEADING)):
        # Single line spacing and no space after: the template's 1.15 lines would make the
        # line of an inline picture taller than the picture.
        p = xml.paragraph(doc, single=True)
        xml.picture(doc, p, png, _emu(piece.width), _emu(piece.height), piece.crop)
    pages.new(landscape=False)


def _process(
    doc: Any, pages: _Pages, m: Manual, p: ProcessPage, png: bytes | None, source: str | None
) -> None:
    L = catalogue(m.lang)
    _heading(doc, p.name, 1)
    _notice(doc, p.example)
    facts = [
        (L["owner"], p.owner),
        (L["type"], L[p.band]),
        (L["status"], L[p.status]),
        (L["version"], p.version),
        (L["approved_by"], tables.approval(p.approved_by, p.approved_on, p.approval_state, L)),
        (L["jhs_level"], L[f"level_{p.level}"]),
    ]
    if p.parent:
        facts.append((L["part_of"], p.parent))
    if p.children:
        facts.append((L["subprocesses"], ", ".join(c.name for c in p.children)))
    if p.resources:
        facts.append((L["resources"], ", ".join(p.resources)))
    # Goals and the review with the other facts at the top: at the chapter's end their few
    # lines would often spill onto a page of their own.
    if p.goals:
        facts.append((L["goals"], "; ".join(f"{g.id} {g.name} ({L[g.how]})" for g in p.goals)))
    overdue = f" ({L['overdue']})" if p.review_overdue else ""
    facts += [
        (L["review_method"], p.review_method),
        (L["review_last"], p.review_last),
        (L["review_next"], p.review_next + overdue if p.review_next else ""),
    ]
    _facts(doc, facts)
    for key, value in (("purpose", p.purpose), ("scope", p.scope), ("description", p.description)):
        if value:
            _heading(doc, L[key], 2)
            _styled(doc, value)
    _heading(doc, L["sipoc"], 2)
    _table(doc, *tables.sipoc(p, L, "\n"))
    _flow(doc, pages, L["flow"], png, source, L["no_diagram"])
    if p.steps:
        _heading(doc, L["steps"], 2)
        _table(doc, *tables.steps(p, L))
    if p.metrics:
        _heading(doc, L["metrics"], 2)
        _table(doc, *tables.process_metrics(p, L))
    if p.documents:
        _heading(doc, L["documents"], 2)
        _table(doc, *tables.documents(p, L))
    if p.risks:
        _heading(doc, L["risks"], 2)
        _table(doc, *tables.risks(p, L))
    _history(doc, p.history, L, level=2)


def _history(doc: Any, history: History, L: dict[str, str], level: int) -> None:
    """The change history (muutoshistoria): its source and a table, or why there is none."""
    if history.state == "off":
        return
    _heading(doc, L["history"], level)
    note, table = tables.history(history, L)
    _styled(doc, note)
    if table[1]:
        _table(doc, *table)


def _line(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def _process_header(m: Manual, p: ProcessPage, L: dict[str, str]) -> str:
    version = f"{L['version']} {p.version}" if p.version else ""
    return _line(m.name, p.name, version, L[p.status])


def _manual_header(m: Manual, L: dict[str, str]) -> str:
    """The manual's own line: what it is, as of when, and how much of it is approved."""
    approved = sum(1 for a in m.approvals if a.status == "approved")
    state = f"{approved}/{len(m.approvals)} {L['approved']}" if m.approvals else ""
    return _line(m.name, L["manual"], f"{L['as_of']} {m.as_of_text}", state)


def to_docx(m: Manual, diagrams: Diagrams | None, reference: bytes | None = None) -> bytes:
    """The manual of one organisation as .docx bytes; `reference` is a .docx whose styles,
    page, header and footer it takes (pandoc's --reference-doc), else the house style."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn

    L = catalogue(m.lang)
    if reference is None:
        doc = docx.Document()
        template = None
    else:
        doc = docx.Document(io.BytesIO(reference))
        body = doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        first = doc.sections[0]
        template = _Template(first.header) if not first.header.is_linked_to_previous else None
        for extra in first._sectPr.findall(qn("w:headerReference")):
            if extra.get(qn("w:type")) == "first":
                first._sectPr.remove(extra)
    as_of = dt.datetime.fromisoformat(m.as_of)
    props = doc.core_properties
    props.title = f"{m.name} – {L['manual']}"
    props.subject = L["manual"]
    props.author = m.workspace
    props.last_modified_by = "qms"
    props.language = LANGUAGES.get(m.lang, "en-GB")
    props.created = props.modified = props.last_printed = as_of
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.category = ""
    _styles(doc, own_template=reference is None)
    _language(doc, m.lang)
    pages = _Pages(doc, reference is None, template)
    first = doc.sections[0]
    first.different_first_page_header_footer = True  # the title page has neither
    header = first.header
    _header_text(doc, header._element, header.part, _manual_header(m, L), template)
    _footer(first, m.lang)

    # title page
    for _ in range(6):
        doc.add_paragraph()
    subtitle = doc.add_paragraph(L["manual"].upper())
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph(m.name, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (m.workspace, f"{L['as_of']} {m.as_of_text}"):
        paragraph = doc.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _notice(doc, m.incomplete, alert=True)
    _notice(doc, m.example_notice)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    _heading(doc, L["contents"], 1)
    chapters = [L["approval"], L["processes"]]
    chapters += [L["quality_group"]] if m.quality_group else []
    chapters += [L["process_map"], *(p.name for p in m.processes)]
    chapters += [L["quality_plan"], L["metrics"], L["coverage"], L["roles"]]
    chapters += [L["document_register"]]
    _toc(doc, [(1, c) for c in chapters])
    _heading(doc, L["approval"], 1)
    _table(doc, *tables.approvals(m, L))
    # The map's text alternative and the quality group: short, so they share these pages
    # rather than leave one nearly empty after the landscape map.
    _heading(doc, L["processes"], 1)
    _table(doc, *tables.bands(m, L))
    if m.quality_group:
        _heading(doc, L["quality_group"], 1)
        _table(doc, [L["role"], L["name"], L["task"]], [list(q) for q in m.quality_group])
    # The process map is wide (bands left to right): on a portrait page its text would print
    # at about 5 pt, so it gets a landscape page, as the flows do.
    pages.new(landscape=True)
    _heading(doc, L["process_map"], 1)
    if m.description:
        _styled(doc, m.description)
    _fitted(doc, diagrams.draw(m.map_diagram, "png") if diagrams else None, L["no_diagram"])
    for p in m.processes:
        pages.new(landscape=False, header=_process_header(m, p, L))
        png = diagrams.draw(p.diagram, "png") if diagrams else None
        _process(doc, pages, m, p, png, diagrams.source(p.diagram) if diagrams else None)
    pages.new(landscape=False, header=_manual_header(m, L))
    _heading(doc, L["quality_plan"], 1)
    for plan in m.plans:
        _heading(doc, plan.name, 2)
        _notice(doc, plan.example)
        if plan.description:
            _styled(doc, plan.description)
        _facts(
            doc,
            [
                (L["status"], L[plan.status]),
                (L["version"], plan.version),
                (
                    L["approved_by"],
                    tables.approval(plan.approved_by, plan.approved_on, plan.approval_state, L),
                ),
                (L["horizon"], plan.horizon),
            ],
        )
        for phase, actions in plan.phases:
            _heading(doc, L[phase] if phase else L["no_phase"], 3)
            _table(doc, *tables.actions(actions, L))
        _history(doc, plan.history, L, level=3)
    _heading(doc, L["metrics"], 1)
    _table(doc, *tables.metrics(m, L))
    docx_trends(doc, m.trends, L)
    _heading(doc, L["coverage"], 1)
    _table(doc, *tables.coverage(m, L))
    _heading(doc, L["roles"], 1)
    _table(doc, *tables.role_matrix(m, L))
    for role in m.roles:
        does = tables.role_tasks(role, L)
        if does:
            _heading(doc, role.name, 2)
            _facts(doc, does)
    _heading(doc, L["document_register"], 1)
    _table(doc, *tables.register(m, L))
    docx_assessments(doc, m.assessments, L)
    return _save(doc, m.as_of)


class _StableZip:
    """A zip that python-docx's package writer writes into (`write(pack_uri, blob)`), with
    the bytes `_stable_zip` gives: fixed entry times, core-property dates at the as-of date.
    One pass: saving with python-docx and then copying into a stable zip compressed every
    part twice (an eighth of a manual's time)."""

    def __init__(self, as_of: str) -> None:
        import zipfile

        self.as_of = as_of
        self.out = io.BytesIO()
        self.zip = zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: Any, blob: bytes) -> None:
        import zipfile

        from qms.export.coverage_tables import stamp_core

        name = pack_uri.membername
        if name == "docProps/core.xml":
            blob = stamp_core(blob, self.as_of)
        entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        # Pictures are stored as they are (ECMA-376 Part 2 allows stored parts): PNG is
        # deflated already, and deflating a national manual's diagrams again (zlib's fastest
        # level) took 0.13 s of its 0.4 s, 18 s of CPU for 150 manuals, to make the file a
        # tenth smaller (6.7 MB against 7.5 MB).
        png = name.endswith(".png")
        entry.compress_type = zipfile.ZIP_STORED if png else zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        self.zip.writestr(entry, blob)


def _save(doc: Any, as_of: str) -> bytes:
    """The document as .docx bytes: python-docx's own save (OpcPackage.save), written into a
    `_StableZip`."""
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    stable = _StableZip(as_of)
    writer: Any = PackageWriter  # its steps, each given the stable zip as PhysPkgWriter
    writer._write_content_types_stream(stable, parts)
    writer._write_pkg_rels(stable, package.rels)
    writer._write_parts(stable, parts)
    stable.zip.close()
    return stable.out.getvalue()


# --- the quality cycle: self-assessment chapter and metric trends ------------------------------


CHART_WIDTH_CM = 16.0
"""A chart's width on a portrait A4 page with the manual's margins."""


def _picture(doc: Any, png: bytes) -> None:
    """A chart at CHART_WIDTH_CM, or narrower when the page (a reference template's margins)
    leaves less room."""
    from docx.shared import Cm, Pt

    width = min(Cm(CHART_WIDTH_CM), Pt(_room(doc, 0)[0]))
    # python-docx's height for a width: the picture's aspect, rounded as Run.add_picture does
    image = xml.image(doc, png)
    _, height = image.scaled_dimensions(width, None)
    xml.picture(doc, xml.paragraph(doc), png, width, height)


def _note(doc: Any, text: str) -> None:
    """An example-content or incompleteness notice: a bold, shaded paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = doc.add_paragraph()
    paragraph.add_run(text).bold = True
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "FFF4E5")
    paragraph._p.get_or_add_pPr().append(shading)


def docx_trends(doc: Any, trends: tuple[Trend, ...], L: dict[str, str]) -> None:
    """Each metric's trend: chart (when it has numbers), status, and values per period."""
    if not trends:
        return
    _heading(doc, L["trend"], 2)
    for t in trends:
        mark = f" ({L['example_badge']})" if t.example is not None else ""
        _heading(doc, t.name + mark, 3)
        if t.plotted:
            _picture(doc, t.chart("png"))
        _styled(doc, f"{L['trend_status']}: {L['status_' + t.status]}")
        _table(doc, *tables.trend_values(t, L))


def docx_assessment(doc: Any, r: AssessmentReport, L: dict[str, str], level: int = 2) -> None:
    """One self-assessment: facts, notices, the ratings chart and table, strengths, areas for
    improvement with their actions."""
    _heading(doc, r.name, level)
    if r.example is not None:
        _note(doc, L["assessment_example"] + (f": {r.example}" if r.example else ""))
    if r.examples:
        _note(doc, f"{L['example_ratings']}: {r.examples} ({L['example_badge']} = *)")
    _facts(doc, tables.assessment_facts(r, L))
    _picture(doc, r.chart("png"))
    _table(doc, *tables.ratings(r, L))
    if r.strengths:
        _heading(doc, L["strengths"], level + 1)
        for s in r.strengths:
            _styled(doc, s, "List Bullet")
    if r.improvements:
        _heading(doc, L["improvements"], level + 1)
        for imp in r.improvements:
            _styled(doc, imp.text, "List Bullet")
            for link, status, due in imp.actions:
                parts = [link.name, L.get(status, status), due]
                _styled(doc, " · ".join(p for p in parts if p), "List Bullet 2")
            if not imp.actions:
                _styled(doc, L["no_action"], "List Bullet 2")
    _italic(doc, f"{L['criteria_source']}: {r.source}")


def docx_assessments(doc: Any, reports: tuple[AssessmentReport, ...], L: dict[str, str]) -> None:
    """The manual's self-assessment chapter (nothing when there is no assessment)."""
    if not reports:
        return
    _heading(doc, L["self_assessments"], 1)
    for r in reports:
        docx_assessment(doc, r, L)


MAX_REFERENCE_BYTES = 64 * 2**20
"""A Word template larger than this is refused (one with its fonts embedded is a few MB)."""


def read_reference(path: str) -> bytes:
    """The bytes of a reference document, checked: ValueError says why it cannot be used
    (missing, unreadable, not a .docx, a .docx python-docx cannot open)."""
    import docx

    try:  # a FIFO or a device (/dev/zero) is refused before reading: no hang, no endless read
        data, size = read_regular(path, MAX_REFERENCE_BYTES)
    except OSError as error:
        raise ValueError(error.strerror or str(error)) from None
    if size > MAX_REFERENCE_BYTES:
        raise ValueError(f"larger than {MAX_REFERENCE_BYTES // 2**20} MB")
    try:
        docx.Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - any failure to open means "not usable"
        raise ValueError(f"{type(error).__name__}: {error}") from None
    return data
