"""The HTML portal of the operating-system description: static files, no JavaScript.

`portal` returns a file map {relative path: text}; only the CLI writes it. Every page links
relatively, so the portal works opened from disk (file://) as well as from any web server.
Jinja2 escapes every user text (autoescape on); the only markup not from a template is
Graphviz's SVG, whose text Graphviz itself escapes. Links inside the diagrams (`x.svg`, as
`qms render` writes them) are rewritten to the portal's pages, or dropped when the page is not
part of this portal. Lay-reader mode is a checkbox that hides ids and internals through CSS.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import jinja2
from markupsafe import Markup

from qms.export.flowcut import cut_rows
from qms.export.labels import catalogue
from qms.export.manual import Diagrams, Manual, page_name
from qms.render import styles
from qms.render.dot import flow_rows

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SECTIONS = {
    "plan": "_plan.html",
    "metrics": "_metrics.html",
    "goals": "_goals.html",
    "findings": "_findings.html",
}
"""Section pages of an organisation; ids cannot start with '_', so no process collides."""

BOOK_FLOW_ROOM = (styles.PRINT_WIDTH, styles.PRINT_HEIGHT)
"""Room for a flow on the book's landscape page below its heading, as in the DOCX (qms.css
`@page flow`: 20 mm margins; the figure's max-height: 158mm), so both cut at the same rows."""

_VIEWBOX = re.compile(r'viewBox="0(?:\.0+)? 0(?:\.0+)? ([0-9.]+) ([0-9.]+)"')
_GRAPH = re.compile(
    r'<g id="graph0" class="graph" '
    r'transform="scale\(1 1\) rotate\(0\) translate\(([-0-9.]+) ([-0-9.]+)\)">\n'
)
_SHAPE = re.compile(r' (?:points|d)="([^"]*)"')
_PAIR = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")
_Y = re.compile(r' y="(-?[0-9.]+)"')
_HREF = re.compile(r'xlink:href="(?:\.\./([a-z0-9][a-z0-9_-]*)/)?([a-z0-9][a-z0-9_-]*)\.svg"')


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment: autoescape everywhere, undefined names are errors.

    Made once per process: compiling the templates is most of a small rebuild's time
    (`qms serve` rebuilds on every save)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["page_name"] = page_name
    return env


def inline_svg(
    svg: bytes | None, org: str, pages: set[tuple[str, str]], fit: bool = True
) -> Markup | None:
    """Graphviz SVG ready to inline: prolog dropped, scalable, links pointing at portal pages.

    `pages` holds (organisation, process) of every process page in the portal; a link to
    anything else is removed, so the portal never has a broken link. `fit` scales the diagram
    to the page width (process maps); otherwise (flows) it fills the width but shrinks to no
    less than 60 % of its natural size, and scrolls beyond that, so labels stay readable.
    """
    if not svg:
        return None
    text = svg.decode("utf-8")
    text = text[text.find("<svg") :]

    def link(match: re.Match[str]) -> str:
        target_org = match.group(1) or org
        pid = match.group(2)
        if (target_org, pid) not in pages:
            return ""
        prefix = "" if target_org == org else f"../{target_org}/"
        return f'xlink:href="{prefix}{page_name(pid)}"'

    text = _HREF.sub(link, text)
    if fit:
        text = re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg class="diagram"', text, count=1)
    else:
        size = re.search(r'<svg width="([0-9.]+)pt"', text)
        width = float(size.group(1)) if size else 0.0
        style = f"width: max(100%, {width * 0.6:.0f}pt); max-width: {width:.0f}pt" if size else ""
        text = text.replace("<svg ", f'<svg class="diagram natural" style="{style}" ', 1)
    return Markup(text)


def _span(chunk: str, shift: float) -> tuple[float, float] | None:
    """The y range (viewBox points) of one drawn element of a Graphviz SVG, None if none."""
    ys = [float(m.group(2)) for a in _SHAPE.findall(chunk) for m in _PAIR.finditer(a)]
    ys += [float(m.group(1)) for m in _Y.finditer(chunk)]
    return (min(ys) + shift, max(ys) + shift) if ys else None


def _piece(text: str, width: float, top: float, bottom: float, scale: float) -> str:
    """The rows from `top` to `bottom` (viewBox points) of an inlined flow SVG: the same vector
    drawing with its viewBox narrowed to them, printed at `scale`. Elements wholly outside the
    piece are dropped, so its text is not in the PDF twice (hidden on the other page)."""
    head = text.replace(
        '<svg class="diagram"',
        f'<svg class="diagram piece" width="{width * scale:.2f}pt" '
        f'height="{(bottom - top) * scale:.2f}pt"',
        1,
    )
    head = _VIEWBOX.sub(f'viewBox="0 {top:.2f} {width:.2f} {bottom - top:.2f}"', head, count=1)
    graph = _GRAPH.search(head)
    if not graph:
        return head
    shift = float(graph.group(2))
    start, end = graph.end(), head.rfind("</g>")
    kept = []
    for chunk in re.split(r"(?=<!-- )", head[start:end]):
        span = _span(chunk, shift)
        if span is None or (span[1] >= top and span[0] <= bottom):
            kept.append(chunk)
    return head[:start] + "".join(kept) + head[end:]


def book_flow(
    svg: bytes | None, source: str | None, org: str, pages: set[tuple[str, str]]
) -> Markup | None:
    """A flow for the book's landscape page(s): whole, scaled by the stylesheet to fit the
    page; or, when that would print its text below styles.MIN_PRINT_SIZE, cut between rows
    into pieces (qms.export.flowcut, the DOCX's decision) that each start a page."""
    text = inline_svg(svg, org, pages)
    rows = flow_rows(source) if source else None
    size = _VIEWBOX.search(text) if text and rows else None
    if text is None or rows is None or size is None:
        return text
    width, height = float(size.group(1)), float(size.group(2))
    cut = cut_rows(height, width, [0.0, *(c * height for c in rows[1]), height], BOOK_FLOW_ROOM)
    if not cut.pieces:
        return text
    return Markup("".join(_piece(str(text), width, *piece) for piece in cut.pieces))


def _pages(manuals: Iterable[Manual]) -> set[tuple[str, str]]:
    return {(m.organisation, p.id) for m in manuals for p in m.processes}


def portal(manuals: list[Manual], diagrams: Diagrams | None, title: str = "") -> dict[str, str]:
    """The portal of one or more organisations as {relative path: HTML or CSS text}."""
    env = environment()
    pages = _pages(manuals)
    lang = manuals[0].lang if manuals else "en"
    labels = catalogue(lang)
    files: dict[str, str] = {
        "qms.css": (STATIC / "qms.css").read_text(encoding="utf-8"),
        ".nojekyll": "",
    }
    files["index.html"] = env.get_template("home.html.j2").render(
        L=labels, lang=lang, root="", manuals=manuals, title=title or labels["manuals"]
    )
    for m in manuals:
        links = {
            page_name(pid) if org == m.organisation else f"../{org}/{page_name(pid)}"
            for org, pid in pages
        }
        svg = diagrams.draw(m.map_diagram, "svg") if diagrams else None
        common = {
            "L": labels,
            "lang": m.lang,
            "root": "../",
            "m": m,
            "sections": SECTIONS,
            "multi": len(manuals) > 1,
        }
        files[f"{m.organisation}/index.html"] = env.get_template("front.html.j2").render(
            **common, current="front", map_svg=inline_svg(svg, m.organisation, pages)
        )
        for key, name in SECTIONS.items():
            files[f"{m.organisation}/{name}"] = env.get_template(f"{key}.html.j2").render(
                **common, current=key
            )
        for p in m.processes:
            flow = diagrams.draw(p.diagram, "svg") if diagrams else None
            files[f"{m.organisation}/{page_name(p.id)}"] = env.get_template(
                "process.html.j2"
            ).render(
                **common,
                current=p.id,
                p=p,
                links=links,
                flow_svg=inline_svg(flow, m.organisation, pages, fit=False),
            )
    return files


def book(manual: Manual, diagrams: Diagrams | None) -> str:
    """The whole manual of one organisation as one HTML document (the PDF's source)."""
    env = environment()
    pages = _pages([manual])
    svgs = {
        p.id: book_flow(
            diagrams.draw(p.diagram, "svg") if diagrams else None,
            diagrams.source(p.diagram) if diagrams else None,
            manual.organisation,
            pages,
        )
        for p in manual.processes
    }
    map_svg = diagrams.draw(manual.map_diagram, "svg") if diagrams else None
    return env.get_template("book.html.j2").render(
        L=catalogue(manual.lang),
        lang=manual.lang,
        root="",
        m=manual,
        sections=SECTIONS,
        multi=False,
        current="book",
        map_svg=inline_svg(map_svg, manual.organisation, pages),
        svgs=svgs,
        css=Markup((STATIC / "qms.css").read_text(encoding="utf-8")),
    )
