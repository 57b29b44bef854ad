"""WordprocessingML for the bulk of a manual, written into python-docx's tree directly.

python-docx looks things up on every call: a table's cells are recomputed from its grid on
each access, a run's text first clears the run by XPath, a style is found among all styles
by name, a new picture's id is one more than the largest id found by scanning the whole
document. A 50-process manual has about 10,000 table cells and 60 flow pictures, and the
searches grow with the document, so they were most of a manual's time. These builders write
the XML python-docx writes (tests/export/test_docx_xml.py compares them) with each lookup
made once per document. python-docx still makes the package, its parts and styles, and the
first section's header and footer; qms.export.docx makes the later sections' breaks and
headers on the elements, as python-docx would.
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
    blobs: dict[int, tuple[bytes, str, Any]] = field(default_factory=dict)
    """(PNG, its SHA-1, its python-docx Image) by the PNG's id: a cut flow's pieces and a
    chart's height and picture read one PNG object, hashed and parsed once."""
    numbers: set[int] = field(default_factory=set)
    """The numbers of the package's image parts (image<n>.png)."""
    room: tuple[float, float] | None = None
    """(width, height) in points inside the margins of the page the body ends with, as
    qms.export.docx's sections set it (None: read it from the w:sectPr)."""


def state(doc: Any) -> _State:
    """The document's builder state, made on first use."""
    found: _State | None = doc.__dict__.get("_qms_xml")
    if found is None:
        found = doc.__dict__["_qms_xml"] = _State(doc.element.body[-1])
    return found


def style_id(doc: Any, name: str, table: bool = False) -> str | None:
    """The id of paragraph (or table) style `name` (None for the default style), as
    python-docx finds it when a style is set by name; looked up once per document."""
    ids = state(doc).styles
    if (name, table) not in ids:
        from docx.enum.style import WD_STYLE_TYPE

        kind = WD_STYLE_TYPE.TABLE if table else WD_STYLE_TYPE.PARAGRAPH
        ids[name, table] = doc.part.get_style_id(doc.styles[name], kind)
    return ids[name, table]


def _child(parent: Any, tag: str, attrs: dict[str, str] | None = None) -> Any:
    element = parent.makeelement(tag, attrs or {})
    parent.append(element)
    return element


def add(doc: Any, element: Any) -> Any:
    """Append a block (paragraph or table) to the body, before its closing w:sectPr."""
    state(doc).end.addprevious(element)
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
    single: bool = False,
    into: Any = None,
) -> Any:
    """`doc.add_paragraph(text, style)`, then `add_run(text)` (`.bold`, `.italic`) for each
    (text, bold, italic) of `runs`, and `paragraph_format.space_after` of `after` twips: the
    new w:p element. `single`: `paragraph_format.line_spacing = 1.0`, then `space_before` and
    `space_after` 0 (the line of a picture, as tall as the picture), in place of `after`.
    `into`: the element the paragraph is appended to (a header's w:hdr) instead of the body.

    Written as text and parsed in one go, as `table` is: half the time of making its
    elements one by one (a 50-process manual has about 2,000 paragraphs)."""
    from lxml import etree  # type: ignore[import-untyped]

    xml = [f'<w:p xmlns:w="{W[1:-1]}">']
    if style is not None or after is not None or single:  # a w:pPr even for the default style
        sid = None if style is None else style_id(doc, style)
        xml.append("<w:pPr>" if sid is None else f"<w:pPr><w:pStyle w:val={_attr(sid)}/>")
        if single:
            xml.append('<w:spacing w:line="240" w:lineRule="auto" w:before="0" w:after="0"/>')
        elif after is not None:
            xml.append(f'<w:spacing w:after="{after}"/>')
        xml.append("</w:pPr>")
    if text:
        _run_xml(xml, text)
    for more, bold, italic in runs:
        _run_xml(xml, more, bold, italic)
    xml.append("</w:p>")
    p = etree.fromstring("".join(xml), parser())
    if into is not None:
        into.append(p)
        return p
    return add(doc, p)


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
    tbl = etree.fromstring("".join(xml), parser())
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
def parser() -> Any:
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


_INLINE = (
    "<wp:inline {ns}>"
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{id}" name="Picture {id}"/>'
    '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name={name}/><pic:cNvPicPr/></pic:nvPicPr>'
    "<pic:blipFill><a:blip r:embed={rid}/>{crop}<a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
    '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>'
)
"""python-docx's CT_Inline.new_pic_inline as text: its templates with the values set (the
same namespace declarations on wp:inline, so that lxml keeps or drops the same ones when the
element joins the document)."""


def picture(doc: Any, p: Any, png: bytes, cx: int, cy: int, crop: Crop | None = None) -> None:
    """An inline picture in a new run of `p`, `cx` x `cy` EMU, optionally cropped:
    python-docx's Run.add_picture, with the drawing ids counted here rather than found by
    scanning the document for each picture, and the wp:inline written as text and parsed
    (making it with python-docx's element classes took a third of a picture's time)."""
    from docx.oxml.ns import nsdecls
    from lxml import etree

    known = state(doc)
    if not known.next_id:
        used = [int(i) for i in doc.element.xpath("//@id") if i.isdigit()]
        known.next_id = max(used, default=0) + 1
    rid, filename = _image(doc, known, png)
    rect = ""
    if crop is not None and (crop.top or crop.bottom):
        top, bottom = round(crop.top * 100000), round(crop.bottom * 100000)
        rect = f'<a:srcRect t="{top}" b="{bottom}"/>'
    text = _INLINE.format(
        ns=nsdecls("wp", "a", "pic", "r"),
        cx=int(cx),
        cy=int(cy),
        id=known.next_id,
        name=_attr(filename),
        rid=_attr(rid),
        crop=rect,
    )
    known.next_id += 1
    _child(_child(p, f"{W}r"), f"{W}drawing").append(etree.fromstring(text, parser()))


def image(doc: Any, png: bytes) -> Any:
    """python-docx's Image of `png` (its size and resolution), parsed once per document:
    a chart's height is computed from it before it becomes the picture's image part."""
    return _blob(state(doc), png)[1]


def _blob(state: _State, png: bytes) -> tuple[str, Any]:
    """(SHA-1, python-docx Image) of `png`, made once per PNG object."""
    known = state.blobs.get(id(png))
    if known is None or known[0] is not png:
        known = state.blobs[id(png)] = (png, hashlib.sha1(png).hexdigest(), _png_image(png))
    return known[1], known[2]


def _png_image(blob: bytes) -> Any:
    """`docx.image.image.Image.from_blob(blob)` for a PNG: the same Png header (size from
    IHDR, resolution from the first pHYs, else 72 dpi), read from the chunks with struct
    rather than python-docx's stream reader (a tenth of a picture's time); anything that is
    not a well-formed PNG goes to python-docx itself."""
    import struct

    from docx.image.image import Image
    from docx.image.png import Png

    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        return Image.from_blob(blob)
    size: tuple[int, int] | None = None
    dpi: tuple[int, int] | None = None
    offset = 8
    try:
        while True:
            length, kind = struct.unpack_from(">L4s", blob, offset)
            data = offset + 8
            if kind == b"IHDR" and size is None:
                size = struct.unpack_from(">LL", blob, data)
            elif kind == b"pHYs" and dpi is None:
                horz, vert, unit = struct.unpack_from(">LLB", blob, data)
                dpi = (_dpi(unit, horz), _dpi(unit, vert))
            if kind == b"IEND":
                break
            offset = data + length + 4
    except struct.error:
        return Image.from_blob(blob)
    if size is None:
        return Image.from_blob(blob)
    return Image(blob, "image.png", Png(*size, *(dpi or (72, 72))))


def _dpi(unit: int, per_unit: int) -> int:
    """python-docx's _PngParser._dpi: pixels per metre to dots per inch, else 72."""
    return round(per_unit * 0.0254) if unit == 1 and per_unit else 72


def _image(doc: Any, state: _State, png: bytes) -> tuple[str, str]:
    """(relationship id, file name) of a picture's image part: what python-docx's
    `get_or_add_image` gives (the first part with the same SHA-1, else a new one), with the
    parts hashed once per document instead of once per new picture, and each PNG once
    however many pictures show it (the pieces of a cut flow are one PNG)."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    digest, image = _blob(state, png)
    known = state.images.get(digest)
    if known is not None:
        return known
    parts = doc.part.package.image_parts
    if state.parts is None:  # reversed: the first of equal parts wins, as in python-docx
        state.parts = {part.sha1: part for part in reversed(list(parts))}
        state.numbers = {part.partname.idx for part in parts}
    part = state.parts.get(digest)
    if part is None:
        part = state.parts[digest] = _image_part(state.numbers, image)
        parts.append(part)
    found = state.images[digest] = (
        doc.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE),
        part.image.filename,
    )
    return found


def _image_part(numbers: set[int], image: Any) -> Any:
    """python-docx's ImageParts._add_image_part without its search: the part is
    /word/media/image<n>.<ext> with the least n no image part has (python-docx lists the
    numbers of all image parts and tries each n against the list, for every new image)."""
    from docx.opc.packuri import PackURI
    from docx.parts.image import ImagePart

    n = 1
    while n in numbers:
        n += 1
    numbers.add(n)
    return ImagePart.from_image(image, PackURI(f"/word/media/image{n}.{image.ext}"))
