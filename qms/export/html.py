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
import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from markupsafe import Markup

from qms.export.assessment import AssessmentReport, MaturityView, Trend, maturity
from qms.export.flowcut import cut_rows
from qms.export.labels import catalogue, sheet_parts
from qms.export.manual import (
    Diagrams,
    Manual,
    ProcessPage,
    metric_anchor,
    page_name,
    step_anchor,
)
from qms.l10n import plural
from qms.memo import Memo, digest
from qms.render import styles
from qms.render.dot import flow_rows
from qms.render.pool import map_forked

T = TypeVar("T")

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SECTIONS = {
    "plan": "_plan.html",
    "metrics": "_metrics.html",
    "goals": "_goals.html",
    "roles": "_roles.html",
    "documents": "_documents.html",
    "findings": "_findings.html",
    "assessment": "_assessment.html",
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
_TITLE = re.compile(r"<title>([^<]*)</title>\n?")
_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


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
    env.globals["plural"] = plural
    return env


def _retitle(text: str, name: str, names: dict[str, str]) -> str:
    """Graphviz's <title>s (browser tooltips and accessible names) say names, not DOT ids.

    The graph's own title becomes `name`; a node's the name `names` gives its DOT id, else
    the words drawn in it; an edge's "from → to" by those names; a title with nothing to say
    (a lane's background, an invisible corner) is dropped rather than showing an id."""
    chunks = re.split(r"(?=<!-- )", text)
    said: dict[str, str] = {}
    for chunk in chunks:
        found = _TITLE.search(chunk)
        if found:
            words = " ".join(html.unescape(t).strip() for t in _TEXT.findall(chunk))
            said[html.unescape(found.group(1))] = names.get(html.unescape(found.group(1)), words)

    def title(match: re.Match[str]) -> str:
        dot_id = html.unescape(match.group(1))
        if "->" in dot_id:
            tail, head = dot_id.split("->", 1)
            ends = said.get(tail, ""), said.get(head, "")
            value = f"{ends[0]} → {ends[1]}" if all(ends) else ""
        else:
            value = said.get(dot_id, "")
        return f"<title>{html.escape(value, quote=False)}</title>\n" if value else ""

    out = []
    for i, chunk in enumerate(chunks):
        if i == 0:  # the graph's title: the diagram's accessible name
            out.append(_TITLE.sub(f"<title>{html.escape(name, quote=False)}</title>\n", chunk, 1))
        else:
            out.append(_TITLE.sub(title, chunk, 1))
    return "".join(out)


def inline_svg(
    svg: bytes | None,
    org: str,
    pages: set[tuple[str, str]],
    fit: bool = True,
    name: str = "",
    names: dict[str, str] | None = None,
) -> Markup | None:
    """Graphviz SVG ready to inline: prolog dropped, scalable, links pointing at portal pages.

    `pages` holds (organisation, process) of every process page in the portal; a link to
    anything else is removed, so the portal never has a broken link. `fit` scales the diagram
    to the page width (process maps); otherwise (flows) it fills the width but shrinks to no
    less than 60 % of its natural size, and scrolls beyond that, so labels stay readable.
    `name` is the diagram's accessible name and `names` maps DOT ids to the names its
    tooltips show (`_retitle`).
    """
    if not svg:
        return None
    text = svg.decode("utf-8")
    text = text[text.find("<svg") :]
    text = _retitle(text, name, names or {})

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
    # With links inside, a group (its links stay reachable); without, one image.
    role = "group" if "xlink:href" in text else "img"
    end = text.index(">")  # of the <svg> start tag, whose attributes hold no '>'
    label = f' aria-label="{html.escape(name)}"' if name else ""
    text = f'{text[:end]} role="{role}"{label}{text[end:]}'
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
    svg: bytes | None,
    source: str | None,
    org: str,
    pages: set[tuple[str, str]],
    name: str = "",
    names: dict[str, str] | None = None,
) -> Markup | None:
    """A flow for the book's landscape page(s): whole, scaled by the stylesheet to fit the
    page; or, when that would print its text below styles.MIN_PRINT_SIZE, cut between rows
    into pieces (qms.export.flowcut, the DOCX's decision) that each start a page."""
    text = inline_svg(svg, org, pages, name=name, names=names)
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


SECTION_TITLES = {
    "plan": "quality_plan",
    "metrics": "metrics",
    "goals": "coverage",
    "roles": "roles",
    "documents": "document_register",
    "findings": "findings",
    "assessment": "self_assessments",
}
"""The label of each section page (its heading and its breadcrumb)."""

SEARCH_KINDS = ("process", "step", "role", "document", "metric")


def search_documents(manuals: Iterable[Manual]) -> list[dict[str, str]]:
    """What the portal's search finds: processes, steps, roles, documents and metrics, each
    with the page (and anchor) it is on, relative to the portal's root."""
    docs: list[dict[str, str]] = []

    def add(kind: str, m: Manual, title: str, url: str, text: str = "", context: str = "") -> None:
        docs.append(
            {
                "id": str(len(docs)),
                "kind": kind,
                "title": title,
                "text": text,
                "org": m.short,
                "context": context,
                "url": f"{m.organisation}/{url}",
            }
        )

    for m in manuals:
        for p in m.processes:
            page = page_name(p.id)
            add("process", m, p.name, page, " ".join((p.purpose, p.scope, p.description)))
            for s in p.steps:
                add("step", m, s.name, f"{page}#{step_anchor(s.id)}", s.description, p.name)
        for r in m.roles:
            add("role", m, r.name, f"{SECTIONS['roles']}#role-{r.id}", r.description)
        for d in m.documents:
            add("document", m, d.name, f"{SECTIONS['documents']}#{d.anchor}")
        for x in m.metrics:
            add("metric", m, x.name, f"{SECTIONS['metrics']}#{metric_anchor(x.id)}", x.description)
    return docs


def portal(
    manuals: list[Manual],
    diagrams: Diagrams | None,
    title: str = "",
    kept: Memo | None = None,
    processes: int = 1,
) -> dict[str, str]:
    """The portal of one or more organisations as {relative path: HTML, CSS or JS text}.

    With `kept` (`qms serve`'s memo, qms/memo.py), each page, chart and the search index is
    looked up under a digest of everything it is made from (its manual, the set of process
    pages it may link to, its diagram's SVG, the language and title), so that a rebuild after
    a save renders only the pages whose inputs changed: those of the edited organisation and
    the index pages. The result is the same text either way. With `processes` > 1 (one-shot
    commands) and no memo, the charts are drawn first, on forked workers (matplotlib is most
    of a portal's own CPU time)."""
    env = environment()
    pages = _pages(manuals)
    lang = manuals[0].lang if manuals else "en"
    labels = catalogue(lang)
    title = title or labels["manuals"]
    multi = len(manuals) > 1
    own = {m.organisation: digest(m) for m in manuals} if kept is not None else {}
    every = digest(lang, title, *own.values()) if kept is not None else ""
    linked = digest(sorted(pages)) if kept is not None else ""

    views = maturity([(m.short, m.assessments) for m in manuals])
    drawn = _draw_charts(manuals, views, processes)

    def svg_of(item: Chartable) -> bytes:
        """The chart's SVG: drawn beforehand on the workers, else now."""
        return drawn.get(id(item)) or item.chart()

    def once(kind: str, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """`make()`, or what an earlier build made from the same inputs `key`."""
        return make() if kept is None else kept.get(kind, digest(*key), make)

    files: dict[str, str] = {
        "qms.css": (STATIC / "qms.css").read_text(encoding="utf-8"),
        ".nojekyll": "",
    }
    for name in ("minisearch.js", "minisearch.LICENSE.txt", "search.js"):
        files[name] = (STATIC / name).read_text(encoding="utf-8")
    files["search-index.js"] = once(
        "search",
        (every,),
        lambda: (
            "window.QMS_SEARCH = "
            + json.dumps({"docs": search_documents(manuals)}, ensure_ascii=False, sort_keys=True)
            + ";\n"
        ),
    )
    base = {"L": labels, "lang": lang, "root": "", "title": title, "linked": True}
    files["index.html"] = once(
        "page",
        ("index.html", every),
        lambda: env.get_template("home.html.j2").render(**base, manuals=manuals),
    )
    files["search.html"] = once(
        "page",
        ("search.html", lang, title),
        lambda: env.get_template("search.html.j2").render(
            **base, kinds={k: labels[f"search_kind_{k}"] for k in SEARCH_KINDS}
        ),
    )
    for m in manuals:
        _organisation_pages(
            m, diagrams, pages, multi, files, once, (own.get(m.organisation), linked), svg_of
        )
    matrices = {
        v.criteria: once("chart", ("maturity", v), functools.partial(svg_of, v)) for v in views
    }
    for v in views:  # the matrix as a picture of its own, for a report to the funder
        files[f"maturity-{v.criteria}.svg"] = matrices[v.criteria].decode("utf-8")
    if views:
        files["maturity.html"] = once(
            "page",
            ("maturity.html", lang, title, views),
            lambda: env.get_template("maturity.html.j2").render(
                L=labels,
                lang=lang,
                root="",
                title=title or labels["manuals"],
                views=views,
                charts={
                    v.criteria: inline_chart(
                        matrices[v.criteria], f"{labels['maturity']}: {v.criteria_name}"
                    )
                    for v in views
                },
            ),
        )
    return files


Once = Callable[[str, tuple[object, ...], Callable[[], Any]], Any]
"""`once(kind, key, make)`: `make()`, or what an earlier build made from the inputs `key`."""


def _organisation_pages(
    m: Manual,
    diagrams: Diagrams | None,
    pages: set[tuple[str, str]],
    multi: bool,
    files: dict[str, str],
    once: Once,
    keys: tuple[str | None, str],
    svg_of: Callable[[Chartable], bytes] | None = None,
) -> None:
    """The front, section and process pages of one organisation into `files`. `keys` are the
    digests of the manual and of `pages` (empty without a memo)."""
    env = environment()
    labels = catalogue(m.lang)
    manual, linked = keys
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
        "multi": multi,
        "linked": True,
    }
    files[f"{m.organisation}/index.html"] = once(
        "page",
        ("front", manual, linked, multi, svg or b""),
        lambda: env.get_template("front.html.j2").render(
            **common,
            current="front",
            trail=(),
            here="",
            map_svg=inline_svg(
                svg,
                m.organisation,
                pages,
                name=f"{labels['process_map']}: {m.name}",
                names=_map_names(m),
            ),
        ),
    )
    charts: list[dict[str, Markup]] = []

    def section(key: str) -> str:
        if not charts:
            charts.append(quality_charts(m, once, svg_of))
        return env.get_template(f"{key}.html.j2").render(
            **common,
            current=key,
            trail=(),
            here=labels[SECTION_TITLES[key]],
            charts=charts[0],
        )

    for key, name in SECTIONS.items():
        if key == "assessment" and not m.assessments:
            continue
        files[f"{m.organisation}/{name}"] = once(
            "page", (key, manual, multi), functools.partial(section, key)
        )

    def process(p: ProcessPage, flow: bytes | None) -> str:
        return env.get_template("process.html.j2").render(
            **common,
            current=p.id,
            p=p,
            links=links,
            trail=p.lineage,
            here=p.name,
            flow_svg=inline_svg(
                flow,
                m.organisation,
                pages,
                fit=False,
                name=f"{labels['diagram_of']}: {p.name}",
                names=_flow_names(p),
            ),
        )

    for p in m.processes:
        flow = diagrams.draw(p.diagram, "svg") if diagrams else None
        files[f"{m.organisation}/{page_name(p.id)}"] = once(
            "page",
            ("process", p.id, manual, linked, multi, flow or b""),
            functools.partial(process, p, flow),
        )


Chartable = AssessmentReport | Trend | MaturityView
"""What draws a chart of the portal (`.chart()`: SVG bytes)."""


def _svg(item: Chartable) -> bytes:
    return item.chart()


def _draw_charts(
    manuals: Sequence[Manual], views: Sequence[MaturityView], processes: int
) -> dict[int, bytes]:
    """Every chart of the portal drawn at once on forked workers (qms.render.pool.map_forked),
    by the id of what it shows; empty unless `processes` > 1 (then each is drawn when asked),
    and empty when they were drawn ahead (qms/export/ahead.py: then each is found when asked)."""
    from qms.charts import drawn_ahead
    from qms.export.ahead import work

    if processes < 2 or drawn_ahead():
        return {}
    items = [item for item, formats in work(manuals, views) if "svg" in formats]
    return dict(zip(map(id, items), map_forked(_svg, items, processes), strict=True))


def _map_names(m: Manual) -> dict[str, str]:
    """DOT ids of a process map's boxes -> the processes' names."""
    return {f"p__{pid}": name for band in m.bands for pid, name in band.processes}


def _flow_names(p: ProcessPage) -> dict[str, str]:
    """DOT ids of a flow's step boxes and their name labels -> the steps' names."""
    names = {f"s__{s.id}": s.name for s in p.steps}
    names |= {f"s__{s.id}__name": s.name for s in p.steps}
    return names


def inline_chart(svg: bytes, label: str) -> Markup:
    """A matplotlib SVG ready to inline: no XML prolog, scalable, named for screen readers."""
    text = svg.decode("utf-8")
    text = text[text.find("<svg") :]
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
    name = str(Markup.escape(label))
    return Markup(text.replace("<svg", f'<svg class="chart" role="img" aria-label="{name}"', 1))


def quality_charts(
    m: Manual, once: Once | None = None, svg_of: Callable[[Chartable], bytes] | None = None
) -> dict[str, Markup]:
    """The charts of an organisation's quality-cycle pages: ratings by assessment id and
    metric trends by `trend-<metric id>` (with `once`, each made once per inputs; `svg_of`
    gives a chart's SVG, when it was drawn beforehand)."""
    labels = catalogue(m.lang)

    def chart(item: AssessmentReport | Trend, label: str) -> Markup:
        def made() -> Markup:
            return inline_chart(svg_of(item) if svg_of else item.chart(), label)

        return made() if once is None else once("chart", (item, label), made)

    charts = {r.id: chart(r, f"{labels['ratings_chart']}: {r.name}") for r in m.assessments}
    for t in (t for t in m.trends if t.plotted):
        charts[f"trend-{t.metric}"] = chart(t, f"{labels['trend']}: {t.name}")
    return charts


def css_string(value: str) -> Markup:
    """`value` as a CSS string literal for a <style> element: everything but letters and
    digits is a six-digit hex escape, so no model text can end the string or the element."""
    escaped = "".join(c if c.isalnum() else f"\\{ord(c):06x}" for c in value)
    return Markup(f'"{escaped}"')


def book(manual: Manual, diagrams: Diagrams | None) -> str:
    """The whole manual of one organisation as one HTML document (the PDF's source)."""
    env = environment()
    pages = _pages([manual])
    labels = catalogue(manual.lang)
    svgs = {
        p.id: book_flow(
            diagrams.draw(p.diagram, "svg") if diagrams else None,
            diagrams.source(p.diagram) if diagrams else None,
            manual.organisation,
            pages,
            name=f"{labels['diagram_of']}: {p.name}",
            names=_flow_names(p),
        )
        for p in manual.processes
    }
    map_svg = diagrams.draw(manual.map_diagram, "svg") if diagrams else None
    return env.get_template("book.html.j2").render(
        L=labels,
        lang=manual.lang,
        root="",
        m=manual,
        sections=SECTIONS,
        multi=False,
        linked=False,
        current="book",
        map_svg=inline_svg(
            map_svg,
            manual.organisation,
            pages,
            name=f"{labels['process_map']}: {manual.name}",
            names=_map_names(manual),
        ),
        svgs=svgs,
        charts=quality_charts(manual),
        css=Markup((STATIC / "qms.css").read_text(encoding="utf-8")),
        css_string=css_string,
        running=f"{manual.name} · {labels['manual']}",
        sheet=sheet_parts(manual.lang),
        chapters=[
            ("ch-map", labels["process_map"]),
            *((f"ch-p-{p.id}", p.name) for p in manual.processes),
            ("ch-plan", labels["quality_plan"]),
            ("ch-metrics", labels["metrics"]),
            ("ch-goals", labels["coverage"]),
            ("ch-roles", labels["roles"]),
            ("ch-documents", labels["document_register"]),
            ("ch-findings", labels["findings"]),
        ],
    )
