"""Pure DOT builders: a view (and its layout) in, DOT text out; nothing here runs Graphviz.

Nodes and edges are emitted in sorted order and numbers with fixed precision, so the same
model gives the same bytes and golden tests can compare the source.
"""

from __future__ import annotations

import functools
import html
import itertools
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import cast

import graphviz

from qms.render import styles
from qms.render.layout import EdgeRoute, SwimlaneLayout, border_events, leads_up
from qms.views import FlowView, GoalMapView, ProcessMapView, Realizer, counted_marked, label

BADGE_WIDTH = 64
"""Characters per line of the example badge on a flow's title at most (a long reason wraps),..."""
BADGE_MIN = 24
"""...at least (a narrow drawing beside a long title),..."""
BADGE_LINES = 2
"""...on at most this many lines: what styles.TITLE_HEIGHT holds above the facts' line."""


@functools.lru_cache(maxsize=1 << 16)
def _n(value: float) -> str:
    """A coordinate with fixed precision: stable bytes (kept: a flow's DOT repeats its
    columns' and bands' coordinates; equal numbers, 1 and 1.0 or 0.0 and -0.0, write alike)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _inch(points: float) -> str:
    return f"{points / 72:.4f}"


def _lines(lines: Iterable[str], end: str = "\\n") -> str:
    r"""Lines joined with DOT's centred line break `\n` (or `end`: `\r` right-aligns them).

    Backslashes are doubled (DOT escapes) and `&` written as `&amp;`: Graphviz decodes HTML
    entities even in plain labels, so a name holding `&amp;` would otherwise lose text; and
    the graphviz package takes a string in `<...>` for an HTML label unless marked `nohtml`.
    """
    joined = end.join(line.replace("\\", "\\\\").replace("&", "&amp;") for line in lines)
    if end != "\\n":
        joined += end  # each line ends in its justification
    return cast(str, graphviz.nohtml(joined))  # else `<...>` is taken for an HTML label


def _pinned(name: str, height: float) -> tuple[graphviz.Digraph, Callable[[float, float], str]]:
    """A graph for `neato -n2` and its `pos` maker: y measured down from the top."""
    g = _graph(
        name.replace("/", "__"),
        splines="true",
        outputorder="nodesfirst",
        bgcolor=styles.WHITE,
        pad=f"{styles.PAD / 72:.2f}",
    )

    def pos(x: float, y: float) -> str:
        return f"{_n(x)},{_n(height - y)}!"

    return g, pos


_quote = functools.lru_cache(maxsize=1 << 16, typed=True)(graphviz.quoting.quote)
"""The graphviz package's quoting, kept per value and type (a `nohtml` string quotes apart
from an equal plain one): a flow's DOT repeats the same attribute names and values."""
_quote_edge = functools.lru_cache(maxsize=1 << 16, typed=True)(graphviz.quoting.quote_edge)


def _attrs(label: str | None, attrs: Mapping[str, str | None]) -> str:
    """`graphviz.quoting.attr_list(label, kwargs=attrs)`: the label first, then the other
    attributes sorted by name, those set to None left out."""
    parts = [f"label={_quote(label)}"] if label is not None else []
    parts += [_pair(k, v) for k, v in sorted(attrs.items()) if v is not None]
    return f" [{' '.join(parts)}]" if parts else ""


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _pair(name: str, value: str) -> str:
    """One quoted `name=value` of `_attrs`, kept per name and value (and their types, as
    `_quote`): most recur in every flow (shapes, colours, sizes)."""
    return f"{_quote(name)}={_quote(value)}"


def _node(g: graphviz.Digraph, name: str, label: str | None = None, **attrs: str) -> None:
    """`g.node(name, label, **attrs)`, the same line, without the package's checks of its
    arguments on every call (a national render writes millions of attributes)."""
    g.body.append(f"\t{_quote(name)}{_attrs(label, attrs)}\n")


def _edge(
    g: graphviz.Digraph, tail: str, head: str, label: str | None = None, **attrs: str
) -> None:
    """`g.edge(tail, head, label, **attrs)`, the same line (see `_node`)."""
    g.body.append(f"\t{_quote_edge(tail)} -> {_quote_edge(head)}{_attrs(label, attrs)}\n")


def _graph(name: str, **attrs: str) -> graphviz.Digraph:
    g = graphviz.Digraph(name=name, strict=False)
    g.attr(fontname=styles.FONT, fontsize=_n(styles.FONT_SIZE), **attrs)
    g.attr("node", fontname=styles.FONT, fontsize=_n(styles.FONT_SIZE))
    g.attr("edge", fontname=styles.FONT, fontsize=_n(styles.LABEL_SIZE))
    return g


# --- process flow ----------------------------------------------------------------------------


def order_source(view: FlowView) -> str:
    """The first pass: the bare flow, left to right, for `dot` to choose columns and order.

    `phase=2` stops dot after its crossing minimisation: only each node's rank and order are
    read (`layout.ranks_from_json`), and the coordinate phase, which grows faster than the
    steps (a 5,000-step flow: 37 s instead of 5 s), is skipped.
    """
    g = _graph(view.name.replace("/", "__"), rankdir="LR", nodesep="0.3", ranksep="0.6", phase="2")
    g.attr("node", shape="box", fixedsize="true")
    for step in view.steps:
        w, h, _ = styles.step_size(step.kind, step.name)
        g.node(step.id, label="", width=_inch(w), height=_inch(h))
    on_border = border_events(view)
    for e in view.edges:
        if e.attached and e.target in on_border:
            continue
        g.edge(e.source, e.target)
    # An event on its host's border shares the host's column, just below (above) it, so that
    # dot orders its flows' targets below (above) those of the host.
    up = leads_up(view, on_border)
    for event, (host, k) in on_border.items():
        with g.subgraph() as same:
            same.attr(rank="same")
            # The tail of a flat edge comes first: above its head (ranks_from_json's order).
            if k % 2 or event in up:
                same.edge(event, host)
            else:
                same.edge(host, event)
    return str(g.source)


def _spline(points: tuple[tuple[float, float], ...], height: float) -> str:
    """An orthogonal polyline as Graphviz's B-spline `pos`, ending in an arrowhead at the tip."""
    pts = [(x, height - y) for x, y in points]
    tip = pts[-1]
    bx, by = pts[-2]
    dx, dy = tip[0] - bx, tip[1] - by
    length = max(abs(dx) + abs(dy), 1e-6)
    arrow = min(7.0, length / 2)
    base = (tip[0] - dx / length * arrow, tip[1] - dy / length * arrow)
    path = [*pts[:-1], base]
    spline = [path[0]]
    for a, b in itertools.pairwise(path):
        spline += [a, b, b]
    coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in spline)
    return f"e,{_n(tip[0])},{_n(tip[1])} {coords}"


def _title_label(view: FlowView, width: float) -> str:
    title = html.escape(view.title)
    facts = []
    if view.owner:
        facts.append(f"{label('owner', view.lang)}: {view.owner}")
    if view.version:
        facts.append(f"{label('version', view.lang)} {view.version}")
    facts.append(f"{label('status', view.lang)}: {view.status}")
    meta = html.escape("   ·   ".join(facts))
    # Example content and a process the picture cannot show whole are marked on the picture
    # itself, not only in the text around it: a PNG is copied alone into other documents.
    # The example's reason wraps in what the drawing's width leaves beside the title (bold
    # text is up to a fifth wider than styles.text_width's regular estimate).
    room = width - 1.2 * styles.text_width(view.title, styles.TITLE_SIZE) - 30
    chars = int(room / (1.2 * styles.text_width("x")))
    badge = _badge(
        view.example,
        styles.EXAMPLE_LINE,
        styles.EXAMPLE_FILL,
        styles.EXAMPLE_TEXT,
        wrap=min(max(chars, BADGE_MIN), BADGE_WIDTH),
    )
    short = _badge(
        view.incomplete, styles.INCOMPLETE_LINE, styles.INCOMPLETE_FILL, styles.INCOMPLETE_TEXT
    )
    span = ' COLSPAN="3"' if badge and not short else ""
    meta_cell = f'<TD ALIGN="LEFT"{span}><FONT COLOR="{styles.GREY}">{meta}</FONT></TD>'
    head = f'<FONT POINT-SIZE="{_n(styles.TITLE_SIZE)}"><B>{title}</B></FONT>'
    if short:  # title and example badge above, the facts and this badge below
        return (
            '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'<TR><TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
            f'<TD ALIGN="LEFT">{head}</TD>{badge}</TR></TABLE></TD></TR>'
            f'<TR><TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
            f"{meta_cell}{short}</TR></TABLE></TD></TR>"
            "</TABLE>>"
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        f'<TR><TD ALIGN="LEFT">{head}</TD>{badge}</TR>'
        f"<TR>{meta_cell}</TR>"
        "</TABLE>>"
    )


def _badge(said: str, line: str, fill: str, ink: str, wrap: int = 0) -> str:
    """A framed, filled cell with bold text beside the title or the facts ('' for none). With
    `wrap` (the example's reason, the user's words) it wraps at that many characters, so that
    a long reason is read whole without widening the picture; past BADGE_LINES (what the title's
    height holds beside a one-line incomplete badge) the last line ends in '…'."""
    if not said:
        return ""
    lines = [said]
    if wrap:
        lines = textwrap.wrap(
            said, wrap, max_lines=BADGE_LINES, placeholder=" …", break_on_hyphens=False
        )
    return (
        '<TD WIDTH="10"></TD>'
        f'<TD BORDER="1" COLOR="{line}" BGCOLOR="{fill}" BALIGN="LEFT">'
        f'<FONT COLOR="{ink}"><B>{"<BR/>".join(html.escape(x) for x in lines)}</B></FONT></TD>'
    )


def _subprocess_label(lines: tuple[str, ...]) -> str:
    text = "<BR/>".join(html.escape(line) for line in lines)
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f"<TR><TD>{text}</TD></TR><TR><TD>"
        '<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        '<TR><TD><FONT POINT-SIZE="8"> + </FONT></TD></TR></TABLE>'
        "</TD></TR></TABLE>>"
    )


def process_flow(
    view: FlowView,
    layout: SwimlaneLayout,
    highlight: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The swimlane diagram: every position pinned, for `neato -n2`.

    `highlight` overrides the attributes of steps (by step id) and flows (by
    `source->target`), for the visual diff (qms/visualdiff.py) that highlights what a change
    added or removed.
    """
    highlight = highlight or {}
    height = layout.height + styles.MARGIN
    g, pos = _pinned(view.name, height)

    _node(
        g,
        "title",
        label=_title_label(view, layout.width),
        shape="plaintext",
        pos=pos(layout.width / 2, styles.TITLE_HEIGHT / 2),
        width=_inch(layout.width),
        height=_inch(styles.TITLE_HEIGHT),
        fixedsize="true",
    )
    first: dict[int, int] = {}  # each row's first band: fills alternate from it
    for i, lane in enumerate(layout.lanes):
        first.setdefault(lane.row, i)
    for i, lane in enumerate(layout.lanes):
        cy = lane.y + lane.h / 2
        _node(
            g,
            f"lane__{i:02d}",
            label="",
            shape="box",
            style="filled",
            fillcolor=styles.LANE_FILLS[(i - first[lane.row]) % 2],
            color=styles.LANE_LINE,
            pos=pos(layout.width / 2, cy),
            width=_inch(layout.width),
            height=_inch(lane.h),
            fixedsize="true",
        )
        _node(
            g,
            f"lane__{i:02d}__name",
            label=_lines(styles.lane_name_lines(lane.name)),
            shape="box",
            style="filled",
            fillcolor=styles.HEADER_FILL,
            color=styles.LANE_LINE,
            pos=pos(layout.header / 2, cy),
            width=_inch(layout.header),
            height=_inch(lane.h),
            fixedsize="true",
        )
    hrefs = {s.id: s.href for s in view.steps}
    names = {s.id: s.name for s in view.steps}
    examples = {s.id for s in view.steps if s.example}
    marks = {s.id: s for s in view.steps}
    attached = {(e.source, e.target) for e in view.edges if e.attached}
    # Events on a border last: drawn over their host's outline, as BPMN draws them.
    for sid, box in sorted(layout.nodes.items(), key=lambda kv: kv[1].name_box is not None):
        st = styles.STEPS.get(box.kind, styles.STEPS["task"])
        attrs = {
            "shape": st.shape,
            "style": f"{st.style},dashed" if sid in examples else st.style,
            "fillcolor": st.fill,
            "color": st.line,
            "penwidth": _n(st.penwidth),
            "fontsize": _n(st.fontsize),
            "pos": pos(box.x, box.y),
            "width": _inch(box.w),
            "height": _inch(box.h),
            "fixedsize": "true",
            "label": _lines(box.lines),
        }
        name = names.get(sid, sid)
        mark = marks.get(sid)
        if mark is not None and mark.dashed and "dashed" not in attrs["style"]:
            attrs["style"] = f"{attrs['style']},dashed"
        if mark is not None and mark.marker and box.kind not in styles.EVENTS:
            if box.kind in ("task", "subprocess") and box.lines:  # a loop: beside the name
                attrs["label"] = _lines([f"{mark.marker} {box.lines[0]}", *box.lines[1:]])
            else:
                attrs["label"] = mark.marker
        if box.kind in styles.EVENTS:
            attrs["label"] = mark.marker if mark is not None else ""
            lines = styles.event_name_lines(name)
            label_h = styles.event_label_height(name)
            where = {
                "label": _lines(lines),
                "pos": pos(box.x, box.bottom + label_h / 2 + 1),
                "width": _inch(styles.EVENT_LABEL_W),
            }
            if box.name_box is not None:  # on a border: right-aligned beside its circle
                left, top, right, bottom = box.name_box
                where = {
                    "label": _lines(lines, end="\\r"),
                    "pos": pos((left + right) / 2, (top + bottom) / 2),
                    "width": _inch(right - left),
                }
            _node(
                g,
                f"s__{sid}__name",
                shape="plaintext",
                fontsize=_n(styles.EVENT_LABEL_SIZE),
                height=_inch(label_h),
                fixedsize="true",
                margin="0",
                **where,
            )
        if box.kind == "subprocess":
            attrs["label"] = _subprocess_label(box.lines)
        if hrefs.get(sid):
            attrs["href"] = str(hrefs[sid])
            attrs["tooltip"] = name.replace("\\", "\\\\")  # DOT escapes
        _node(g, f"s__{sid}", **(attrs | dict(highlight.get(sid, {}))))
    for route in sorted(layout.edges, key=lambda r: (r.source, r.target)):
        edge = _edge_attrs(route, height)
        if (route.source, route.target) in attached:  # the event on a step's border
            edge.update(style="dotted", arrowhead="none")
        edge.update(highlight.get(f"{route.source}->{route.target}", {}))
        _edge(g, f"s__{route.source}", f"s__{route.target}", **edge)
    return f"{ROWS_MARK}{_row_cuts(layout)}\n{g.source}"


ROWS_MARK = "// qms-rows "
"""First line of a flow's DOT: its printed size and where a publisher may cut it into rows."""


def _row_cuts(layout: SwimlaneLayout) -> str:
    """The drawing's height with its border (points) and, between every two rows, the middle
    of the gap as a fraction of that height: `height cut cut ...`."""
    spans = layout.row_spans()
    total = layout.height + 2 * styles.PAD
    cuts = [(a[1] + b[0]) / 2 + styles.PAD for a, b in itertools.pairwise(spans)]
    return " ".join([_n(total), *(f"{c / total:.5f}" for c in cuts)])


def flow_rows(source: str) -> tuple[float, list[float]] | None:
    """A flow's height with its border (points) and its row cuts (fractions of that height,
    top down), read back from its DOT; None for any other diagram."""
    if not source.startswith(ROWS_MARK):
        return None
    head = source[len(ROWS_MARK) : source.find("\n")].split()
    try:
        values = [float(v) for v in head]
    except ValueError:
        return None
    return (values[0], values[1:]) if values else None


def _edge_attrs(route: EdgeRoute, height: float) -> dict[str, str]:
    attrs = dict(styles.EDGE)
    attrs["pos"] = _spline(route.points, height)
    if route.label and route.label_at:
        attrs["label"] = route.label
        attrs["lp"] = f"{_n(route.label_at[0])},{_n(height - route.label_at[1])}"
    return attrs


def _xdot(op: str, text: str, size: str = "") -> str:
    """One xdot operation carrying a string: `op [size] n -text` (n counts UTF-8 bytes)."""
    head = f"{op} {size} " if size else (f"{op} " if op else "")
    return f"{head}{len(text.encode('utf-8'))} -{text}"


# --- process map -----------------------------------------------------------------------------

MAP_HEADER = 110.0
"""Width of the band names' column."""
MAP_ROW = 96.0
"""Height of a band holding one row of processes."""
MAP_EMPTY = 48.0
"""Height of a band without processes."""
MAP_COL = 170.0
"""Width of a column of process boxes (styles.MAP_BOX is 150 wide)."""
MAP_CUSTOMER = 90.0
"""Width of each customers' column, at both ends."""
MAP_GAP = 10.0
"""White space between the columns of the map and at its right edge."""


def _map_size(view: ProcessMapView, cols: int, pitch: float) -> tuple[float, float]:
    """Width and height of the map with at most `cols` processes a row in each band."""
    width = MAP_HEADER + 4 * MAP_GAP + 2 * MAP_CUSTOMER + cols * MAP_COL
    return width, _band_tops(view, cols, pitch)[-1] + 10


def _rows(boxes: tuple[object, ...], cols: int) -> int:
    return -(-len(boxes) // cols)


def _band_height(rows: int, pitch: float) -> float:
    """A band's height: MAP_ROW for one row of boxes, a pitch more for each further row, and
    MAP_EMPTY for none (the band is still drawn: "no support processes" is said by it)."""
    return max(MAP_ROW, rows * pitch + 20) if rows else MAP_EMPTY


def _band_tops(view: ProcessMapView, cols: int, pitch: float) -> list[float]:
    """The top of each band and, last, the bottom of the last one."""
    heights = (_band_height(_rows(boxes, cols), pitch) for _, boxes in view.bands)
    return list(itertools.accumulate(heights, initial=styles.TITLE_HEIGHT))


def map_columns(view: ProcessMapView, pitch: float) -> int:
    """How many processes a band's row holds: one row per band when its names still print at
    styles.MIN_PRINT_SIZE on the landscape page; else the most that do (a band of many
    processes wraps into rows rather than shrinking the names); else what prints largest."""
    widest = max((len(boxes) for _, boxes in view.bands), default=1) or 1

    def printed(cols: int) -> float:
        width, height = _map_size(view, cols, pitch)
        return styles.print_size(width, height=height)

    return max(
        range(1, widest + 1),
        key=lambda cols: (min(printed(cols), styles.MIN_PRINT_SIZE), cols),
    )


def _map_lines(view: ProcessMapView) -> dict[str, list[str]]:
    """Each box's wrapped name, and under it '+3 osaprosessia (1 esimerkki)' for the
    sub-processes it holds."""
    return {
        box.id: styles.wrap(box.name, styles.MAP_BOX.wrap)
        + (
            styles.wrap(
                f"+{counted_marked('subprocesses', box.below, box.below_examples, view.lang)}",
                styles.MAP_BOX.wrap,
            )
            if box.below
            else []
        )
        for _, boxes in view.bands
        for box in boxes
    }


def _box_height(lines: list[str]) -> float:
    return max(styles.MAP_BOX.height, 14 * len(lines) + 16)


def process_map(view: ProcessMapView) -> str:
    """The organisation's process map, pinned for `neato -n2`; each box links to its diagram."""
    lines = _map_lines(view)
    pitch = max((_box_height(x) for x in lines.values()), default=styles.MAP_BOX.height) + 24
    ncols = map_columns(view, pitch)
    width, height = _map_size(view, ncols, pitch)
    x0 = MAP_HEADER + 2 * MAP_GAP + MAP_CUSTOMER
    tops = _band_tops(view, ncols, pitch)
    top, bottom = tops[0], tops[-1]
    g, pos = _pinned(view.name, height)

    g.node(
        "title",
        label=f'<<FONT POINT-SIZE="{_n(styles.TITLE_SIZE)}"><B>{html.escape(view.title)}</B>'
        "</FONT>>",
        shape="plaintext",
        pos=pos(width / 2, top / 2),
    )
    # Bands are drawn as background, not nodes: the edge router then sees only the boxes.
    draw: list[str] = []
    for i, (band, _) in enumerate(view.bands):
        y0, y1 = height - tops[i], height - tops[i + 1]
        for left, right, fill in (
            (0.0, MAP_HEADER, styles.HEADER_FILL),
            (MAP_HEADER, width, styles.BANDS[band]),
        ):
            corners = " ".join(
                f"{_n(x)} {_n(y)}" for x, y in ((left, y0), (right, y0), (right, y1), (left, y1))
            )
            draw.append(f"{_xdot('C', fill)} {_xdot('c', styles.LANE_LINE)} P 4 {corners}")
        names = styles.wrap(label(band, view.lang), int((MAP_HEADER - 10) / styles.text_width("x")))
        for k, name in enumerate(names):
            y = (y0 + y1) / 2 - 3 + (len(names) - 1 - 2 * k) * 6.5
            draw.append(
                f"{_xdot('F', styles.FONT, _n(styles.FONT_SIZE))} {_xdot('c', styles.BLACK)} "
                f"T {_n(MAP_HEADER / 2)} {_n(y)} 0 "
                f"{_n(styles.text_width(name))} {_xdot('', name)}"
            )
    g.attr(_background=" ".join(draw))
    for corner, (cx, cy) in (("nw", (0.0, 0.0)), ("se", (width, height))):
        g.node(f"corner__{corner}", label="", shape="point", style="invis", pos=pos(cx, cy))
    for y_top, (_, boxes) in zip(tops, view.bands, strict=False):
        rows = _rows(boxes, ncols)
        first = y_top + (_band_height(rows, pitch) - rows * pitch) / 2 + pitch / 2
        for j, box in enumerate(boxes):
            row, col = divmod(j, ncols)
            in_row = min(ncols, len(boxes) - row * ncols)
            offset = (ncols - in_row) * MAP_COL / 2
            cy = first + row * pitch
            g.node(
                f"p__{box.id}",
                label=_lines(lines[box.id]),
                shape=styles.MAP_BOX.shape,
                style=styles.MAP_BOX.style,
                fillcolor=styles.MAP_BOX.fill,
                color=styles.MAP_BOX.line,
                penwidth=_n(styles.MAP_BOX.penwidth),
                pos=pos(x0 + offset + col * MAP_COL + MAP_COL / 2, cy),
                width=_inch(styles.MAP_BOX.width),
                height=_inch(_box_height(lines[box.id])),
                fixedsize="true",
                href=box.href,
                tooltip=box.name.replace("\\", "\\\\"),  # DOT escapes
            )
    customers = [label("customers", view.lang), "", *view.customers]
    wrap = int((MAP_CUSTOMER - 10) / styles.text_width("x"))
    for side, cx in (
        ("in", MAP_HEADER + MAP_GAP + MAP_CUSTOMER / 2),
        ("out", width - MAP_GAP - MAP_CUSTOMER / 2),
    ):
        g.node(
            f"customers__{side}",
            label=_lines(line for c in customers for line in (styles.wrap(c, wrap, True) or [""])),
            shape="box",
            style="rounded,filled",
            fillcolor=styles.CUSTOMER.fill,
            color=styles.CUSTOMER.line,
            pos=pos(cx, (top + bottom) / 2),
            width=_inch(MAP_CUSTOMER - 10),
            height=_inch(bottom - top - 24),
            fixedsize="true",
        )
    for src, dst in view.handoffs:
        g.edge(f"p__{src}", f"p__{dst}", **styles.EDGE)
    return str(g.source)


# --- goal map --------------------------------------------------------------------------------


def _cell(view: GoalMapView, realizers: Sequence[Realizer], goal: str, state: str) -> str:
    """One goal x organisation cell: its realizers (the organisation's `realizers`, in the
    view's order), coloured by coverage."""
    style = styles.COVERAGE[state]
    found = [r for r in realizers if goal in r.goals]
    parts = []
    for r in found:
        if r.kind == "process":
            parts.append(html.escape(_short_kept_tag(r.name, 26)))
    counts = []
    for kind, key in (("action", "actions"), ("metric", "metrics")):
        of_kind = [r for r in found if r.kind == kind]
        if of_kind:
            examples = sum(1 for r in of_kind if r.example)
            counts.append(counted_marked(key, len(of_kind), examples, view.lang))
    if counts:
        parts.append(html.escape(" · ".join(counts)))
    if state == "committed":
        parts.append(f"<B>{html.escape(label('committed', view.lang))}</B>")
    body = "<BR/>".join(parts) or " "
    font = style["fontcolor"]
    return (
        f'<TD BGCOLOR="{style["fillcolor"]}" ALIGN="LEFT" BALIGN="LEFT">'
        f'<FONT COLOR="{font}" POINT-SIZE="9">{body}</FONT></TD>'
    )


def _short_kept_tag(name: str, width: int) -> str:
    """Shorten a name but keep a trailing '(esimerkki)' tag whole: the mark must show."""
    if name.endswith(")") and " (" in name and len(name) > width:
        base, tag = name.rsplit(" (", 1)
        return f"{_short(base, max(8, width - len(tag) - 2))} ({tag}"
    return _short(name, width)


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def goal_map(view: GoalMapView) -> str:
    """Goals as rows, organisations as columns; every cell names what realizes the goal there."""
    g = _graph("goal_map", bgcolor=styles.WHITE, pad="0.15")
    head = "".join(
        f'<TD BGCOLOR="{styles.HEADER_FILL}"><B>{html.escape(short)}</B></TD>'
        for _, short in view.organisations
    )
    rows = [
        f'<TR><TD COLSPAN="{len(view.organisations) + 1}" BORDER="0"><FONT POINT-SIZE='
        f'"{_n(styles.TITLE_SIZE)}"><B>{html.escape(view.title)}</B></FONT></TD></TR>',
        f'<TR><TD BGCOLOR="{styles.HEADER_FILL}"><B>{html.escape(label("goals", view.lang))}'
        f"</B></TD>{head}</TR>",
    ]
    # Each organisation's realizers once, not every realizer of the network for every cell
    # (a national goal map: 150 organisations x its goals x 20,000 realizers, seconds).
    owned: dict[str, list[Realizer]] = {org: [] for org, _ in view.organisations}
    for realizer in view.realizers:
        if realizer.organisation in owned:
            owned[realizer.organisation].append(realizer)
    for goal in view.goals:
        style = styles.COVERAGE[goal.coverage]
        name = "<BR/>".join(html.escape(x) for x in styles.wrap(f"{goal.id} {goal.name}", 30))
        cells = "".join(
            _cell(view, owned[org], goal.id, view.states.get((org, goal.id), "uncovered"))
            for org, _ in view.organisations
        )
        rows.append(
            f'<TR><TD BGCOLOR="{style["fillcolor"]}" ALIGN="LEFT" BALIGN="LEFT">'
            f'<FONT COLOR="{style["fontcolor"]}">{name}</FONT></TD>{cells}</TR>'
        )
    legend = "".join(
        f'<TD BGCOLOR="{styles.COVERAGE[s]["fillcolor"]}"><FONT COLOR="'
        f'{styles.COVERAGE[s]["fontcolor"]}">{html.escape(label(s, view.lang))}</FONT></TD>'
        for s in ("covered", "committed", "uncovered")
    )
    rows.append(
        f'<TR><TD BORDER="0" ALIGN="RIGHT">{html.escape(label("legend", view.lang))}:</TD>'
        f'<TD COLSPAN="{max(len(view.organisations), 1)}" BORDER="0"><TABLE BORDER="0" '
        f'CELLSPACING="4"><TR>{legend}</TR></TABLE></TD></TR>'
    )
    table = (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" '
        f'COLOR="{styles.LANE_LINE}">{"".join(rows)}</TABLE>>'
    )
    g.node("goal_map", label=table, shape="plaintext")
    return str(g.source)
