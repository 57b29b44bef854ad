"""WordprocessingML for the bulk of a manual, written into python-docx's tree directly.

python-docx looks things up on every call: a table's cells are recomputed from its grid on
each access, a run's text first clears the run by XPath, a style is found among all styles
by name, a new picture's id is one more than the largest id found by scanning the whole
document. A 50-process manual has about 10,000 table cells and 60 flow pictures, and the
searches grow with the document, so they were most of a manual's time. These builders write
the XML python-docx writes (tests/export/test_docx_xml.py compares them) with each lookup
made once per document. python-docx still makes the package: parts, styles, sections,
headers and footers.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_SPECIAL = re.compile(r"([\t\r\n])")
LOOK = {
    f"{W}firstColumn": "1",
    f"{W}firstRow": "1",
    f"{W}lastColumn": "0",
    f"{W}lastRow": "0",
    f"{W}noHBand": "0",
    f"{W}noVBand": "1",
    f"{W}val": "04A0",
}
"""python-docx's w:tblLook of a new table (Word's defaults)."""


@dataclass
class _State:
    """What one document's builders looked up once: its body's closing w:sectPr (new blocks
    go before it), paragraph style ids by name, the next drawing id."""

    end: Any
    styles: dict[tuple[str, bool], str | None] = field(default_factory=dict)
    next_id: int = 0
    images: dict[str, tuple[str, str]] = field(default_factory=dict)
    """(relationship id, file name) by the PNG's SHA-1: the pieces of a cut flow are one
    image."""
    parts: dict[str, Any] | None = None
    """The package's image parts by SHA-1, each hashed once: python-docx's get_or_add_image
    hashes every image part again for each new picture (quadratic in the pictures: a fifth
    of a 50-process manual's CPU time)."""


def _state(doc: Any) -> _State:
    found: _State | None = doc.__dict__.get("_qms_xml")
    if found is None:
        found = doc.__dict__["_qms_xml"] = _State(doc.element.body[-1])
    return found


def style_id(doc: Any, name: str, table: bool = False) -> str | None:
    """The id of paragraph (or table) style `name` (None for the default style), as
    python-docx finds it when a style is set by name; looked up once per document."""
    from docx.enum.style import WD_STYLE_TYPE

    ids = _state(doc).styles
    if (name, table) not in ids:
        kind = WD_STYLE_TYPE.TABLE if table else WD_STYLE_TYPE.PARAGRAPH
        ids[name, table] = doc.part.get_style_id(doc.styles[name], kind)
    return ids[name, table]


def _child(parent: Any, tag: str, attrs: dict[str, str] | None = None) -> Any:
    element = parent.makeelement(tag, attrs or {})
    parent.append(element)
    return element


def add(doc: Any, element: Any) -> Any:
    """Append a block (paragraph or table) to the body, before its closing w:sectPr."""
    _state(doc).end.addprevious(element)
    return element


def set_style(doc: Any, p: Any, name: str) -> None:
    """`paragraph.style = name`: a w:pPr always (python-docx adds one even for the default
    style), a w:pStyle unless the style is the default."""
    ppr = p.find(f"{W}pPr")
    if ppr is None:
        ppr = p.makeelement(f"{W}pPr", {})
        p.insert(0, ppr)
    for old in ppr.findall(f"{W}pStyle"):
        ppr.remove(old)
    sid = style_id(doc, name)
    if sid is not None:
        ppr.insert(0, ppr.makeelement(f"{W}pStyle", {f"{W}val": sid}))


def paragraph(
    doc: Any,
    text: str = "",
    style: str | None = None,
    runs: Sequence[tuple[str, bool, bool]] = (),
    after: int | None = None,
) -> Any:
    """`doc.add_paragraph(text, style)`, then `add_run(text)` (`.bold`, `.italic`) for each
    (text, bold, italic) of `runs`, and `paragraph_format.space_after` of `after` twips: the
    new w:p element.

    Written as text and parsed in one go, as `table` is: half the time of making its
    elements one by one (a 50-process manual has about 2,000 paragraphs)."""
    from lxml import etree  # type: ignore[import-untyped]

    xml = [f'<w:p xmlns:w="{W[1:-1]}">']
    if style is not None or after is not None:  # a w:pPr even for the default style
        sid = None if style is None else style_id(doc, style)
        xml.append("<w:pPr>" if sid is None else f"<w:pPr><w:pStyle w:val={_attr(sid)}/>")
        if after is not None:
            xml.append(f'<w:spacing w:after="{after}"/>')
        xml.append("</w:pPr>")
    if text:
        _run_xml(xml, text)
    for more, bold, italic in runs:
        _run_xml(xml, more, bold, italic)
    xml.append("</w:p>")
    return add(doc, etree.fromstring("".join(xml), _parser()))


def _run_xml(xml: list[str], text: str, bold: bool = False, italic: bool = False) -> None:
    """`run` as text, appended to `xml`."""
    xml.append("<w:r>")
    if bold or italic:
        xml += ("<w:rPr>", "<w:b/>" if bold else "", "<w:i/>" if italic else "", "</w:rPr>")
    _text_xml(xml, text)
    xml.append("</w:r>")


def _text_xml(xml: list[str], text: str) -> None:
    """A run's content as python-docx's Run.text writes it, appended to `xml`: tabs become
    w:tab, line ends w:br."""
    for part in _SPECIAL.split(text) if text else ():
        if part == "\t":
            xml.append("<w:tab/>")
        elif part in ("\r", "\n"):
            xml.append("<w:br/>")
        elif part:
            xml.append(_t_xml(part))


def table(
    doc: Any,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    style: str,
    cell_style: str,
    head_style: str,
) -> Any:
    """A table of text cells in the table style `style`, fixed layout with column `widths`
    (points), the header row repeated on each page and no row split across pages; each cell
    one paragraph, its lines separated by w:br. The XML of python-docx's add_table with the
    same settings made cell by cell.

    Written as text and parsed in one go: a table is most of a manual's elements (about
    40,000 in a 50-process manual), and parsing makes them without a Python object each,
    where building them one by one took a fifth of the manual's time."""
    from docx.shared import Emu
    from lxml import etree

    twips = [str(Emu(int(width * 12700)).twips) for width in widths]
    sid = style_id(doc, style, table=True)
    xml = [f'<w:tbl xmlns:w="{W[1:-1]}"><w:tblPr>']
    if sid is not None:
        xml.append(f"<w:tblStyle w:val={_attr(sid)}/>")
    look = "".join(f" w:{name[len(W) :]}={_attr(v)}" for name, v in LOOK.items())
    xml.append(f'<w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/><w:tblLook{look}/>')
    xml.append("</w:tblPr><w:tblGrid>")
    xml += [f'<w:gridCol w:w="{w}"/>' for w in twips]
    xml.append("</w:tblGrid>")
    empty = False  # an empty w:t of a cell's later line: its text is "", not None
    for n, values in enumerate([head, *rows]):
        sid = style_id(doc, head_style if n == 0 else cell_style)
        # A row is not split across pages (a split SIPOC row left a few words on a page)
        header = '<w:tblHeader w:val="true"/>' if n == 0 else ""
        xml.append(f'<w:tr><w:trPr>{header}<w:cantSplit w:val="true"/></w:trPr>')
        ppr = "<w:pPr/>" if sid is None else f"<w:pPr><w:pStyle w:val={_attr(sid)}/></w:pPr>"
        for w, value in zip(twips, values, strict=True):
            xml.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr><w:p>{ppr}')
            first, *more = (value or "—").split("\n")
            xml.append("<w:r>")
            _text_xml(xml, first)
            for line in more:
                empty = empty or not line
                xml += ("<w:br/>", _t_xml(line))
            xml.append("</w:r></w:p></w:tc>")
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    tbl = etree.fromstring("".join(xml), _parser())
    if empty:
        for t in tbl.iter(f"{W}t"):
            if t.text is None:
                t.text = ""
    return add(doc, tbl)


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
)


def _attr(value: str) -> str:
    """An attribute value, quoted, that parses back to `value`."""
    return f'"{value.translate(_ATTR_ESCAPES)}"'


def _t_xml(text: str) -> str:
    """`_t` as text: a w:t of `text`, xml:space="preserve" when it starts or ends with white
    space (a line end inside is a character reference: the parser would make it a line feed)."""
    space = ' xml:space="preserve"' if len(text.strip()) < len(text) else ""
    return f"<w:t{space}>{text.translate(_ESCAPES)}</w:t>"


@functools.cache
def _parser() -> Any:
    """A parser making python-docx's element classes, keeping every text as written."""
    from docx.oxml.parser import element_class_lookup
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False)
    parser.set_element_class_lookup(element_class_lookup)
    return parser


@dataclass(frozen=True)
class Crop:
    """The fractions of a picture's height left out above and below (DrawingML a:srcRect),
    so that the pieces of a cut flow share one image."""

    top: float = 0.0
    bottom: float = 0.0


def picture(doc: Any, p: Any, png: bytes, cx: int, cy: int, crop: Crop | None = None) -> None:
    """An inline picture in a new run of `p`, `cx` x `cy` EMU, optionally cropped:
    python-docx's Run.add_picture, with the drawing ids counted here rather than found by
    scanning the document for each picture."""
    from docx.oxml.shape import CT_Inline
    from docx.shared import Emu

    state = _state(doc)
    if not state.next_id:
        used = [int(i) for i in doc.element.xpath("//@id") if i.isdigit()]
        state.next_id = max(used, default=0) + 1
    digest = hashlib.sha1(png).hexdigest()
    if digest not in state.images:
        state.images[digest] = _image(doc, state, digest, png)
    rid, filename = state.images[digest]
    inline = CT_Inline.new_pic_inline(state.next_id, rid, filename, Emu(cx), Emu(cy))
    state.next_id += 1
    if crop is not None and (crop.top or crop.bottom):
        blip = next(inline.iter(f"{A}blip"))
        rect = {"t": str(round(crop.top * 100000)), "b": str(round(crop.bottom * 100000))}
        blip.addnext(blip.makeelement(f"{A}srcRect", rect))
    _child(_child(p, f"{W}r"), f"{W}drawing").append(inline)


def _image(doc: Any, state: _State, digest: str, png: bytes) -> tuple[str, str]:
    """(relationship id, file name) of a picture's image part: what python-docx's
    `get_or_add_image` gives (the first part with the same SHA-1, else a new one), with the
    parts hashed once per document instead of once per new picture."""
    from docx.image.image import Image
    from docx.opc.constants import RELATIONSHIP_TYPE

    parts = doc.part.package.image_parts
    if state.parts is None:  # reversed: the first of equal parts wins, as in python-docx
        state.parts = {part.sha1: part for part in reversed(list(parts))}
    part = state.parts.get(digest)
    if part is None:
        part = state.parts[digest] = parts._add_image_part(Image.from_blob(png))
    return doc.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE), part.image.filename
