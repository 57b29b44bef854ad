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

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
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


def paragraph(doc: Any, text: str = "", style: str | None = None) -> Any:
    """`doc.add_paragraph(text, style)`: the new w:p element."""
    p = doc.element.body.makeelement(f"{W}p", {})
    if text:
        run(p, text)
    if style is not None:
        set_style(doc, p, style)
    return add(doc, p)


def run(p: Any, text: str = "", bold: bool = False, italic: bool = False) -> Any:
    """`p.add_run(text)` (then `.bold = True`, `.italic = True`): tabs become w:tab, line
    ends w:br, as python-docx's Run.text writes them."""
    r = _child(p, f"{W}r")
    if bold or italic:
        rpr = _child(r, f"{W}rPr")
        if bold:
            _child(rpr, f"{W}b")
        if italic:
            _child(rpr, f"{W}i")
    for part in _SPECIAL.split(text) if text else ():
        if part == "\t":
            _child(r, f"{W}tab")
        elif part in ("\r", "\n"):
            _child(r, f"{W}br")
        elif part:
            _t(r, part)
    return r


def _t(r: Any, text: str) -> None:
    """`r.add_t(text)`: xml:space="preserve" when the text starts or ends with white space."""
    t = _child(r, f"{W}t")
    t.text = text
    if len(text.strip()) < len(text):
        t.set(XML_SPACE, "preserve")


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
    same settings made cell by cell."""
    from docx.shared import Emu

    body = doc.element.body
    tbl = body.makeelement(f"{W}tbl", {})
    pr = _child(tbl, f"{W}tblPr")
    sid = style_id(doc, style, table=True)
    if sid is not None:
        _child(pr, f"{W}tblStyle", {f"{W}val": sid})
    _child(pr, f"{W}tblW", {f"{W}type": "auto", f"{W}w": "0"})
    _child(pr, f"{W}tblLayout", {f"{W}type": "fixed"})
    _child(pr, f"{W}tblLook", LOOK)
    grid = _child(tbl, f"{W}tblGrid")
    twips = [str(Emu(int(width * 12700)).twips) for width in widths]
    for w in twips:
        _child(grid, f"{W}gridCol", {f"{W}w": w})
    ids = (style_id(doc, head_style), style_id(doc, cell_style))
    for n, values in enumerate([head, *rows]):
        tr = _child(tbl, f"{W}tr")
        trpr = _child(tr, f"{W}trPr")
        if n == 0:
            _child(trpr, f"{W}tblHeader", {f"{W}val": "true"})
        # A row is not split across pages (a split SIPOC row left a few words on a page)
        _child(trpr, f"{W}cantSplit", {f"{W}val": "true"})
        for w, value in zip(twips, values, strict=True):
            tc = _child(tr, f"{W}tc")
            _child(_child(tc, f"{W}tcPr"), f"{W}tcW", {f"{W}type": "dxa", f"{W}w": w})
            p = _child(tc, f"{W}p")
            sid = ids[0 if n == 0 else 1]
            ppr = _child(p, f"{W}pPr")
            if sid is not None:
                _child(ppr, f"{W}pStyle", {f"{W}val": sid})
            first, *more = (value or "—").split("\n")
            r = run(p, first)
            for line in more:
                _child(r, f"{W}br")
                _t(r, line)
    return add(doc, tbl)


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
