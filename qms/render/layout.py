"""The swimlane layout: Graphviz `dot` orders the steps along the flow; lanes come from the model.

Plain clusters give bands of unequal width in an order dot picks itself. Here `dot -Tjson`
(rankdir=LR) is asked only for each step's column (rank) and its order inside the column;
the bands are then laid out as equal-height, full-width rows in the declared role order, every
step is placed in its lane, and the flows are routed orthogonally through the free space
between columns and along the bands' edges. The result is plain data (points, top-left origin,
y downwards) that the DOT builder pins with `neato -n2` and that a BPMN export can reuse as DI.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import json
import math
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from qms.findings import Msg
from qms.graph import BORDER_HOSTS
from qms.render import graphviz, styles
from qms.views import FlowEdge, FlowView, StepView

Point = tuple[float, float]


@dataclass(frozen=True)
class NodeBox:
    """A step's symbol: centre (x, y), width and height."""

    id: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...] = ()
    name_box: tuple[float, float, float, float] | None = None
    """Where an event on its host's border has its name (left, top, right, bottom): beside
    the line its flows leave by, right-aligned to it; None for a name centred below."""

    def moved(self, dy: float) -> NodeBox:
        """The same symbol `dy` lower (a row of a folded diagram), its name with it."""
        box = self.name_box
        if box is not None:
            box = (box[0], box[1] + dy, box[2], box[3] + dy)
        return self.at(self.y + dy, box)

    def at(self, y: float, name_box: tuple[float, float, float, float] | None = None) -> NodeBox:
        """`dataclasses.replace(self, y=y)` (and `name_box`, when given), at a fraction of its
        cost: the layout moves every symbol a few times (`_straighten`, rows stacked)."""
        new = object.__new__(NodeBox)
        fields = new.__dict__
        fields.update(self.__dict__)
        fields["y"] = y
        if name_box is not None:
            fields["name_box"] = name_box
        return new

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class LaneBand:
    """A lane: a full-width band from y to y + h."""

    id: str
    name: str
    y: float
    h: float
    row: int = 0
    """Which row of a folded diagram the band belongs to (0 when not folded)."""


@dataclass(frozen=True)
class EdgeRoute:
    """A flow drawn as an orthogonal polyline; the last point is the arrow's tip."""

    source: str
    target: str
    label: str
    points: tuple[Point, ...]
    label_at: Point | None = None


@dataclass
class SwimlaneLayout:
    """Coordinates of one swimlane diagram, in points, origin top-left."""

    width: float
    height: float
    top: float
    """Where the first band starts (below the title block)."""
    header: float
    """Width of the lane-name column at the left of every band."""
    lanes: list[LaneBand] = field(default_factory=list)
    nodes: dict[str, NodeBox] = field(default_factory=dict)
    edges: list[EdgeRoute] = field(default_factory=list)
    rows: int = 1
    """How many rows the flow is folded into; `lanes` holds each row's bands in turn."""

    def row_spans(self) -> list[tuple[float, float]]:
        """Each row's top and bottom (its first band's top, its last band's bottom)."""
        spans: dict[int, tuple[float, float]] = {}
        for lane in self.lanes:
            top, bottom = spans.get(lane.row, (lane.y, lane.y + lane.h))
            spans[lane.row] = (min(top, lane.y), max(bottom, lane.y + lane.h))
        return [spans[r] for r in sorted(spans)]


MAX_STEPS = 5000
"""The most steps one process diagram is laid out with. Layout time grows about linearly up to
it (`python -m bench.bigflow`: docs/performance.md); dot's first pass grows faster beyond, and
a flow of thousands of steps is unreadable on any page anyway. A bigger process is refused
before any work with a message naming this limit (split it into subprocesses)."""

TOO_MANY_STEPS = Msg(
    en="{name}: {steps} steps is more than the {limit} one process diagram can hold; "
    "split the process into subprocesses",
    fi="{name}: {steps} vaihetta on enemmän kuin prosessikaavioon mahtuu ({limit}); "
    "jaa prosessi aliprosesseihin",
)


class TooManySteps(ValueError):
    """A process beyond `MAX_STEPS`; `message(lang)` says so in Finnish or English."""

    def __init__(self, name: str, steps: int) -> None:
        self.name, self.steps = name, steps
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return TOO_MANY_STEPS.format(lang, name=self.name, steps=self.steps, limit=MAX_STEPS)


def check_size(view: FlowView) -> None:
    """Raise TooManySteps for a process beyond MAX_STEPS (before any layout work)."""
    if len(view.steps) > MAX_STEPS:
        raise TooManySteps(view.name, len(view.steps))


BORDER_MAX = 2
"""Boundary events drawn on one host's border: one on its bottom edge, one on its top (a
third one's flow would run through the first one's name); more stand beside the host with a
dotted link, as events on a gateway do."""
BORDER_INSET = 16.0
"""How far in from the host's right corner its first boundary event sits."""


def border_events(view: FlowView) -> dict[str, tuple[str, int]]:
    """Boundary events drawn on their host's border: event id -> (host id, k), the k-th on that
    host, in the order of the steps (which edge each takes: `border_tops`).

    BPMN draws a boundary event on the outline of the step it interrupts; laid out as a step
    of its own it stands a column further right, and its flows cross the host's.
    """
    kinds = {s.id: s.kind for s in view.steps}
    count: dict[str, int] = {}
    out: dict[str, tuple[str, int]] = {}
    attached = {e.target: e.source for e in view.edges if e.attached}
    for s in view.steps:
        host = attached.get(s.id)
        if host is None or s.kind not in styles.EVENTS or kinds.get(host) not in BORDER_HOSTS:
            continue
        k = count.get(host, 0)
        count[host] = k + 1
        if k < BORDER_MAX:
            out[s.id] = (host, k)
    return out


def border_name_box(name: str, x: float, y: float, r: float, top: bool) -> Box:
    """The name of an event of radius `r` on a border at (x, y): under (above) the host, beside
    the circle, right-aligned to its left, so that the line its flows leave by (down or up
    from x) never runs through the text."""
    lines = styles.event_name_lines(name)
    w = max((styles.text_width(line, styles.EVENT_LABEL_SIZE) for line in lines), default=0.0)
    h = styles.event_label_height(name)
    right = x - r - 2
    if top:
        return (right - w, y - 2 - h, right, y - 2)
    return (right - w, y + 2, right, y + 2 + h)


def border_reach(
    view: FlowView, hosts: dict[str, tuple[str, int]]
) -> dict[str, tuple[float, float]]:
    """How far each host's boundary events reach above its top and below its bottom (the
    event's outer half or its name, whichever is more). Of two events either may take either
    edge (`border_tops`), so both edges keep room for the larger; a lone event keeps room on
    the edge facing its flows' lanes (`leads_up`)."""
    out: dict[str, tuple[float, float]] = {}
    up_ids = leads_up(view, hosts)
    for s in view.steps:
        if s.id not in hosts:
            continue
        host, k = hosts[s.id]
        r = styles.step_box(s.kind, s.name)[1] / 2
        reach = max(r, styles.event_label_height(s.name) + 2) + 2
        up, down = out.get(host, (0.0, 0.0))
        if k % 2:
            out[host] = (max(up, down, reach),) * 2
        elif s.id in up_ids:
            out[host] = (max(up, reach), down)
        else:
            out[host] = (up, max(down, reach))
    return out


def leads_up(view: FlowView, hosts: dict[str, tuple[str, int]]) -> set[str]:
    """The boundary events whose flows all lead to lanes above their host's: on the top edge
    when alone on their host, so that the flow leaves towards its target at once."""
    lane_at = {lane.id: k for k, lane in enumerate(view.lanes)}
    lane_of = {s.id: lane_at.get(s.lane, 0) for s in view.steps}
    targets: dict[str, list[int]] = {}
    for e in view.edges:
        if e.source in hosts and not e.attached and e.target in lane_of:
            targets.setdefault(e.source, []).append(lane_of[e.target])
    return {
        event for event, lanes in targets.items() if max(lanes) < lane_of.get(hosts[event][0], 0)
    }


def border_tops(
    view: FlowView, nodes: dict[str, NodeBox], hosts: dict[str, tuple[str, int]]
) -> set[str]:
    """The boundary events on their host's top edge, the others on its bottom. Of a host's
    two, the one whose flows lead higher (mean height of their targets) takes the top, so
    that the lower one's flow does not cut across the upper one's on their way (the first
    one keeps the bottom when both lead as high); a lone one the top when `leads_up`."""
    host_of = {event: host for event, (host, _) in hosts.items()}
    heights: dict[str, list[float]] = {}
    for e in view.edges:
        t = host_of.get(e.target, e.target)
        if e.source in hosts and not e.attached and t in nodes:
            heights.setdefault(e.source, []).append(nodes[t].y)
    pairs: dict[str, dict[int, str]] = {}
    for event, (host, k) in hosts.items():
        pairs.setdefault(host, {})[k] = event
    tops = set()
    up_ids = leads_up(view, hosts)
    for host, by_k in pairs.items():
        if 1 not in by_k:
            tops |= {by_k[0]} & up_ids
            continue

        def lead(event: str, host: str = host) -> float:
            ys = heights.get(event)
            return sum(ys) / len(ys) if ys else nodes[host].y

        first, second = by_k[0], by_k[1]
        tops.add(first if lead(first) < lead(second) - 0.5 else second)
    return tops


Ranks = dict[str, tuple[int, int]]
"""Step id -> (column, order inside the column)."""


def ranks_from_json(data: str) -> Ranks:
    """Columns and in-column order from `dot -Tjson` output of an LR graph.

    The first pass stops after dot's crossing minimisation (`phase=2`, see
    `dot.order_source`): each node then carries its `rank` and `order`, and dot skips the
    coordinate phase, whose network simplex grows faster than the steps. Output with
    coordinates only (an older first-pass cache) is read by position.
    """
    doc = json.loads(data)
    objects = [o for o in doc.get("objects", []) if "nodes" not in o]
    if objects and all("rank" in o and "order" in o for o in objects):
        try:
            rank_order = {o["name"]: (int(o["rank"]), int(o["order"])) for o in objects}
        except (TypeError, ValueError):
            rank_order = {}
        if rank_order:
            by_rank: dict[int, list[tuple[int, str]]] = {}
            for name, (rank, order) in rank_order.items():
                # In an LR graph dot's order 0 is drawn lowest: top-down is the reverse.
                by_rank.setdefault(rank, []).append((-order, name))
            out: Ranks = {}
            for col, rank in enumerate(sorted(by_rank)):
                for order, (_, name) in enumerate(sorted(by_rank[rank])):
                    out[name] = (col, order)
            return out
    pos: dict[str, tuple[float, float]] = {}
    for obj in objects:
        if "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            pos[obj["name"]] = (x, y)
    by_x: dict[float, list[tuple[float, str]]] = {}
    for name, (x, y) in pos.items():
        by_x.setdefault(round(x, 1), []).append((-y, name))
    ranks: Ranks = {}
    for col, col_x in enumerate(sorted(by_x)):
        for order, (_, name) in enumerate(sorted(by_x[col_x])):
            ranks[name] = (col, order)
    return ranks


def run_dot_json(source: str) -> str:
    """Run `dot -Tjson` on a DOT text; raises GraphvizFailed (a RuntimeError) with Graphviz's
    message, GraphvizMissing (a FileNotFoundError) without Graphviz."""
    return graphviz.run(("dot",), source, "json").decode("utf-8")


def compute(view: FlowView, ranks: Ranks, fold: bool = True) -> SwimlaneLayout:
    """Place every step in its lane and column, and route every flow.

    With `fold` (the drawn diagrams) a flow wider than `styles.FOLD_WIDTH` is folded into rows
    stacked top to bottom, each with the bands of the lanes that have a step in it (declared
    order); a flow crossing a fold ends in a lettered connector at the right of its row and
    resumes from the same letter at the left of the target's row. BPMN needs contiguous lanes,
    so it asks for `fold=False`; an unfolded flow keeps every lane, the process's roles.
    """
    check_size(view)
    fallback = max((c for c, _ in ranks.values()), default=-1) + 1
    col_of = {s.id: ranks.get(s.id, (fallback, i))[0] for i, s in enumerate(view.steps)}
    ord_of = {s.id: ranks.get(s.id, (fallback, i))[1] for i, s in enumerate(view.steps)}
    for event, (host, _) in border_events(view).items():  # on its host's border
        col_of[event], ord_of[event] = col_of[host], ord_of[host]
    stagger: dict[str, int] = {}
    if fold:
        col_of, stagger = _split_tall_columns(view, col_of, ord_of)
    col_w = _column_widths(view, col_of)
    room = _label_room(view, col_of)
    # The unfolded width follows from the columns alone: a flow that folds is never routed
    # unfolded first.
    too_tall = row_height(view, col_of, every_lane=True)(0, len(col_w)) > styles.ROW_HEIGHT
    wide = _columns(col_w, [False] * len(col_w), room)[2] > styles.FOLD_WIDTH
    if fold and (too_tall or wide):
        rows = fold_rows(view, col_of)  # the same for both searches below
        segments = fold_points(view, col_of, rows=rows)
        if len(segments) >= 2:
            placed = _folded(view, col_of, ord_of, segments, stagger)
            crossed = [_crossings(p) for p in placed]
            if len(col_w) <= FOLD_SEARCH and any(crossed):
                count = row_crossings(view, col_of, ord_of, stagger)
                if _letters_kept(view, col_of, segments):  # these rows are routed already
                    letters = _letters(view, col_of, ord_of, segments)
                    for row, lines, crossings in zip(segments, placed, crossed, strict=True):
                        count.known[row] = crossings
                        count.placed[row] = (lines, letters)
                again = fold_points(view, col_of, count, rows)
                if again != segments and _letters_kept(view, col_of, again):
                    placed = _reused(view, col_of, ord_of, again, count.placed)
                elif again != segments:
                    placed = _folded(view, col_of, ord_of, again, stagger)
            return _stacked(placed)
    return _place(view, col_of, ord_of, stagger=stagger)


def _split_tall_columns(
    view: FlowView, col_of: dict[str, int], ord_of: dict[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """The columns with every second step of a stack moved to a column of its own just after,
    for each column taller than a row (`styles.ROW_HEIGHT`) while its stacks hold two steps or
    more; and the stagger of the halves (-1 kept, +1 moved: `_place`).

    A fold cuts between columns, never through one: a column of many parallel steps taller
    than a page would be shrunk to fit it, names and all, below the print size. Halved, its
    stacks stand side by side, the moved half half a step lower, so that the steps alternate
    in height and each flow into or out of one runs through a gap of the other stack. Steps of
    one stack have no flow between them (they share a rank), so no flow runs backwards. At most
    `MAX_SPLITS` columns are added.
    """
    stagger: dict[str, int] = {}
    on_border = border_events(view)
    for _ in range(MAX_SPLITS):
        height = row_height(view, col_of)
        ncols = max(col_of.values(), default=-1) + 1
        stacks: dict[tuple[int, str], list[str]] = {}
        for s in sorted(view.steps, key=lambda s: (ord_of[s.id], s.id)):
            if s.id not in on_border:
                stacks.setdefault((col_of[s.id], s.lane), []).append(s.id)
        tall = next(
            (
                c
                for c in range(ncols)
                if height(c, c + 1) > styles.ROW_HEIGHT
                and any(len(ids) > 1 for (col, _), ids in stacks.items() if col == c)
            ),
            None,
        )
        if tall is None:
            break
        halves = [ids for (col, _), ids in stacks.items() if col == tall and len(ids) > 1]
        moved = {ids[k] for ids in halves for k in range(1, len(ids), 2)}
        stagger |= {i: 1 if i in moved else -1 for ids in halves for i in ids}
        moved |= {event for event, (host, _) in on_border.items() if host in moved}
        col_of = {i: c + 1 if c > tall or i in moved else c for i, c in col_of.items()}
    return col_of, stagger


MAX_SPLITS = 20
"""Columns `_split_tall_columns` may add to one flow (layout time stays linear)."""


def _column_widths(view: FlowView, col_of: dict[str, int]) -> list[float]:
    """Each column as wide as its widest symbol (an event as wide as its name below it)."""
    ncols = max(col_of.values(), default=-1) + 1
    widths = [40.0] * ncols
    seen = [False] * ncols
    on_border = border_events(view)
    for s in view.steps:
        if s.id in on_border:
            continue
        w = styles.step_box(s.kind, s.name)[0]
        if s.kind in styles.EVENTS:
            w = max(w, styles.EVENT_LABEL_W)
        c = col_of[s.id]
        widths[c] = max(widths[c], w) if seen[c] else w
        seen[c] = True
    return widths


def _label_room(view: FlowView, col_of: dict[str, int]) -> list[float]:
    """How much wider than COLUMN_GAP the gap after each column must be for the branch labels
    of the flows leaving it to the right: a label stands beside its flow's first segment,
    between the symbol it leaves and the next column, not over either."""
    room = [0.0] * (max(col_of.values(), default=-1) + 1)
    for e in view.edges:
        if e.label and col_of[e.target] > col_of[e.source]:
            need = 4 + styles.text_width(e.label, styles.LABEL_SIZE) + 8 - styles.COLUMN_GAP
            room[col_of[e.source]] = max(room[col_of[e.source]], need)
    return room


def _columns(
    col_w: Sequence[float], connector: Sequence[bool], room: Sequence[float] = ()
) -> tuple[list[float], list[float], float]:
    """Column centres, the free gap in front of each column, and the total width.

    Columns are COLUMN_GAP apart (room for elbows and branch labels), or further where the
    branch labels leaving a column need it (`room`, see `_label_room`); an in-connector column
    at the left sits closer to the lane names and to the next column, since only unlabelled
    straight flows leave it.
    """
    gap = styles.COLUMN_GAP
    xs: list[float] = []
    gaps: list[float] = []
    x = styles.LANE_HEADER
    for c, w in enumerate(col_w):
        if c == 0:
            before = styles.CONNECTOR_GAP * 0.6 if connector[c] else gap * 0.75
        elif connector[c - 1]:
            before = styles.CONNECTOR_GAP
        else:
            # Also in front of an out-connector: room for a branch label.
            before = gap + (room[c - 1] if c - 1 < len(room) else 0.0)
        gaps.append(before)
        x += before
        xs.append(x + w / 2)
        x += w
    if connector and connector[-1]:
        x += styles.CONNECTOR_GAP / 2
    else:
        x += gap * 0.75 + styles.EVENT_LABEL_ROOM
    return xs, gaps, x


FOLD_CROSSING = 4
"""What a flow across a fold weighs against evenness: moving a fold one column off the
middle costs about 2, a row of one column among eight about 18."""
LONE_ROW = 1000
"""A row holding at most one step besides its events (a start and one task): the reader turns
to the next row for the rest. It outweighs evenness and crossings together, so such a row is
left only where no other folding into as few rows exists."""


def row_height(
    view: FlowView, col_of: dict[str, int], every_lane: bool = False
) -> Callable[[int, int], float]:
    """The height `_place` gives a row of the columns [a, b), title included: a band for each
    lane with a step in those columns (`every_lane`: for every lane, as unfolded), each as high
    as the tallest stack or lane name among them."""
    stacks, names = _column_stacks(view, col_of)
    # Each column's tallest stack: a row's is the largest of its columns' (asked of every row
    # a folding may hold).
    peaks = [max(c.values(), default=0.0) for c in stacks]

    def height(a: int, b: int) -> float:
        lanes = set(names) if every_lane else {lane for c in stacks[a:b] for lane in c}
        tallest = max(peaks[a:b], default=0.0)
        band = max(
            styles.MIN_LANE,
            tallest + 2 * styles.LANE_PAD,
            max((names.get(lane, 0.0) for lane in lanes), default=0.0),
        )
        return styles.TITLE_HEIGHT + band * len(lanes)

    return height


def _column_stacks(
    view: FlowView, col_of: dict[str, int]
) -> tuple[list[dict[str, float]], dict[str, float]]:
    """Per column, the height of each lane's stack in it (events with their names); and the
    height of each lane's name (`row_height`)."""
    stacks: list[dict[str, float]] = [{} for _ in range(max(col_of.values(), default=-1) + 1)]
    for s in view.steps:
        h = styles.step_box(s.kind, s.name)[1]
        if s.kind in styles.EVENTS:
            h += styles.event_label_height(s.name)
        column = stacks[col_of[s.id]]
        column[s.lane] = column[s.lane] + styles.STACK_GAP + h if s.lane in column else h
    return stacks, {lane.id: styles.lane_name_height(lane.name) for lane in view.lanes}


def fold_rows(view: FlowView, col_of: dict[str, int]) -> dict[tuple[int, int], int]:
    """Every row [a, b) a folding may hold (`fold_points`), with what it costs on its own
    besides its crossings."""
    col_w = _column_widths(view, col_of)
    room = _label_room(view, col_of)
    n = len(col_w)
    # The flows touching each column: a row's cost reads only those of its own columns, so
    # the whole programme stays linear in the number of steps.
    touching: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    # Steps other than events per column: a row must hold two of them to stand on its own.
    content = [0] * n
    for s in view.steps:
        if s.kind not in styles.EVENTS:
            content[col_of[s.id]] += 1
    for e in view.edges:
        span = (col_of[e.source], col_of[e.target])
        touching[span[0]].append(span)
        if span[1] != span[0]:
            touching[span[1]].append(span)

    stacks, names = _column_stacks(view, col_of)
    peaks = [max(c.values(), default=0.0) for c in stacks]
    gap = styles.COLUMN_GAP
    found: dict[tuple[int, int], int] = {}
    # The rows starting at column a, one column longer each time: what a row's cost reads
    # (its flows, steps, lanes, tallest stack, and its width up to its last column, as
    # `_columns` adds it up for the row alone or with a connector column in front of it and
    # one after it where flows enter or leave it) grows by its last column.
    for a in range(n):
        spans: list[tuple[int, int]] = []
        steps = 0
        lanes: set[str] = set()
        tallest = named = 0.0
        plain = with_in = 0.0
        for b in range(a + 1, min(n, a + styles.FOLD_COLUMNS) + 1):
            c = b - 1
            spans += touching[c]
            steps += content[c]
            new = stacks[c].keys() - lanes
            if new:
                lanes |= new
                named = max(named, max(names.get(lane, 0.0) for lane in new))
            w = col_w[c]
            if b == a + 1:
                tallest = peaks[c]
                plain = styles.LANE_HEADER
                plain += gap * 0.75
                plain += w
                with_in = styles.LANE_HEADER
                with_in += styles.CONNECTOR_GAP * 0.6
                with_in += styles.CONNECTOR
                with_in += styles.CONNECTOR_GAP
                with_in += w
            else:
                tallest = max(tallest, peaks[c])
                before = gap + room[c - 1]
                plain += before
                plain += w
                with_in += before
                with_in += w
            # Each flow across a fold counts once: in the row it leaves (listed once there,
            # since its other end is outside).
            leaving = sum(1 for s, t in spans if a <= s < b and not a <= t < b)
            if b - a > 1:  # a single column always makes a row
                ins = any(not a <= s < b and a <= t < b for s, t in spans)
                width = with_in if ins else plain
                if leaving:
                    width += gap + room[c]
                    width += styles.CONNECTOR
                    width += styles.CONNECTOR_GAP / 2
                else:
                    width += gap * 0.75 + styles.EVENT_LABEL_ROOM
                if width > styles.FOLD_WIDTH:
                    continue
                band = max(styles.MIN_LANE, tallest + 2 * styles.LANE_PAD, named)
                if styles.TITLE_HEIGHT + band * len(lanes) > styles.ROW_HEIGHT:  # `row_height`
                    continue
            lone = LONE_ROW if steps <= 1 else 0
            found[(a, b)] = lone + FOLD_CROSSING * leaving + (b - a) ** 2
    return {
        (a, b): found[(a, b)]
        for b in range(1, n + 1)
        for a in range(max(0, b - styles.FOLD_COLUMNS), b)
        if (a, b) in found
    }


def fold_points(
    view: FlowView,
    col_of: dict[str, int],
    crossings: Callable[[int, int], int] | None = None,
    rows: Mapping[tuple[int, int], int] | None = None,
) -> list[tuple[int, int]]:
    """Rows as column ranges [start, end): fewest rows, then the least of `LONE_ROW` x (rows
    with at most one step besides events) + `FOLD_CROSSING` x (flows across a fold) + the sum
    of the rows' squared lengths in columns.

    A flow across a fold costs the reader a pair of connectors; a lopsided fold (a row holding
    only the start event and one task) wastes a whole band of lanes. Every row fits
    `styles.FOLD_WIDTH` and `styles.ROW_HEIGHT` (so that it prints at `styles.MIN_PRINT_SIZE`
    on a landscape A4 page) and holds at most `styles.FOLD_COLUMNS` columns (a single column
    wider or taller than that still gets its own row). With `crossings` (the crossings of a
    row routed on its own, see `row_crossings`), the fewest crossings come first, before the
    fewest rows: a crossing misleads the reader, a row more only takes room.

    Whether a row needs connector columns depends only on its own range, and so do its
    crossings, so a dynamic programme over column boundaries finds the best folding exactly;
    ties go to the earliest folds. `rows`: what `fold_rows` gives for `view` and `col_of`, when
    known already.
    """
    n = max(col_of.values(), default=-1) + 1
    if rows is None:
        rows = fold_rows(view, col_of)
    if crossings is None:
        return _best_folding(n, rows, {})
    # Routing a candidate row is what costs: route only the rows of the best folding found
    # with the rows not yet routed counted as crossing nothing, until that folding's rows are
    # all routed. Its key is then exact, and no other folding's key (at least its optimistic
    # one) is smaller: the same folding as with every row routed, at a fraction of the cost.
    crossed: dict[tuple[int, int], int] = {}
    while True:
        found = _best_folding(n, rows, crossed)
        todo = [row for row in found if row not in crossed]
        if not todo:
            return found
        crossed.update((row, crossings(*row)) for row in todo)


def _best_folding(
    n: int, rows: Mapping[tuple[int, int], int], crossed: Mapping[tuple[int, int], int]
) -> list[tuple[int, int]]:
    """`fold_points`'s dynamic programme over the feasible `rows` (range -> cost), with the
    crossings in `crossed` (a row missing there crosses nothing)."""
    # best[b]: (crossings inside rows, rows, lone rows, flows across a fold and squared row
    # lengths, folds) for columns [0, b).
    best: list[tuple[int, int, int, tuple[int, ...]] | None] = [None] * (n + 1)
    best[0] = (0, 0, 0, ())
    for b in range(1, n + 1):
        for a in range(max(0, b - styles.FOLD_COLUMNS), b):
            prev = best[a]
            c = rows.get((a, b))
            if prev is None or c is None:
                continue
            cand = (prev[0] + crossed.get((a, b), 0), prev[1] + 1, prev[2] + c, (*prev[3], a))
            if best[b] is None or cand < best[b]:  # type: ignore[operator]
                best[b] = cand
    end = best[n]
    if end is None:  # cannot happen: one column per row always fits the rules
        return [(0, n)]
    starts = [*end[3], n]
    return [(starts[i], starts[i + 1]) for i in range(len(starts) - 1)]


def connector_name(i: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the letter pair of the i-th flow across a fold."""
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(ord("A") + r) + name
    return name


def _row_part(
    view: FlowView,
    col_of: dict[str, int],
    ord_of: dict[str, int],
    span: tuple[int, int],
    steps: Sequence[StepView],
    edges: Sequence[FlowEdge],
    ins: Sequence[FlowEdge],
    outs: Sequence[FlowEdge],
    names: dict[int, str],
    lane_of: dict[str, str],
) -> tuple[FlowView, dict[str, int], dict[str, int]]:
    """The row of columns `span` as a flow of its own: its `steps`, the `edges` inside it, and
    a lettered connector (`names`, by flow id()) for each flow entering (`ins`, in reading
    order) or leaving it (`outs`), in the lane of the step at its end (`lane_of`)."""
    a, b = span
    # Flows from further right reach their connector straight, so they take the upper
    # connectors; flows from further left come along the band's lower edge, below them.
    outs = sorted(outs, key=lambda e: (-col_of[e.source], ord_of[e.source]))
    shift = 1 if ins else 0
    part = list(steps)
    cols = {s.id: col_of[s.id] - a + shift for s in steps}
    order = {s.id: ord_of[s.id] for s in steps}
    row_edges = list(edges)
    for i, e in enumerate(ins):
        cid = f"@{names[id(e)]}-in"
        part.append(StepView(cid, "connector", names[id(e)], lane_of[e.target]))
        cols[cid], order[cid] = 0, i
        row_edges.append(FlowEdge(cid, e.target))
    for i, e in enumerate(outs):
        cid = f"@{names[id(e)]}-out"
        part.append(StepView(cid, "connector", names[id(e)], lane_of[e.source]))
        cols[cid], order[cid] = b - a + shift, i
        row_edges.append(FlowEdge(e.source, cid, e.label))
    # Only the lanes that hold something in this row, in the declared order: a row
    # repeating every lane is mostly empty bands (see docs/diagrams.md).
    used = {s.lane for s in part}
    lanes = tuple(lane for lane in view.lanes if lane.id in used)
    return replace(view, lanes=lanes, steps=tuple(part), edges=tuple(row_edges)), cols, order


def _crossing_edges(
    view: FlowView, col_of: dict[str, int], ord_of: dict[str, int], row: Callable[[str], int]
) -> list[FlowEdge]:
    """The flows whose ends lie in two rows, in reading order: by the row and column the
    flow leaves, then where it goes (the order their letters are given in)."""
    return sorted(
        (e for e in view.edges if row(e.source) != row(e.target)),
        key=lambda e: (col_of[e.source], ord_of[e.source], col_of[e.target], ord_of[e.target]),
    )


def _crossings(layout: SwimlaneLayout) -> int:
    """Pairs of segments of two different flows that cross (a touch is no crossing)."""
    segs = [(k, seg) for k, r in enumerate(layout.edges) for seg in itertools.pairwise(r.points)]
    return sum(
        1 for (i, s), (j, t) in itertools.combinations(segs, 2) if i != j and _orth_cross(s, t)
    )


FOLD_SEARCH = 200
"""Flows of at most this many columns whose folded rows cross have their folds chosen again
with candidate rows routed (`row_crossings`; `fold_points` routes only the rows of its best
folding so far); longer ones keep the first folding."""


class RowCrossings:
    """How many crossings the row [a, b) has when laid out and routed on its own (rows are
    routed independently, so this is exact for any folding): `row_crossings`. `known` holds
    the rows counted so far, and may be given rows routed elsewhere."""

    def __init__(self, place: Callable[[int, int], tuple[SwimlaneLayout, dict[str, int]]]) -> None:
        self.known: dict[tuple[int, int], int] = {}
        self.placed: dict[tuple[int, int], tuple[SwimlaneLayout, dict[str, int]]] = {}
        """The rows laid out, with the flow (its index in the view's edges) of each
        connector letter."""
        self._place = place

    def __call__(self, a: int, b: int) -> int:
        if (a, b) not in self.known:
            self.placed[(a, b)] = self._place(a, b)
            self.known[(a, b)] = _crossings(self.placed[(a, b)][0])
        return self.known[(a, b)]


def _letters_kept(view: FlowView, col_of: dict[str, int], segments: list[tuple[int, int]]) -> bool:
    """True when the rows of `segments`, laid out by `_folded`, are what `row_crossings` lays
    out for them: their connectors' letters, counted over the whole folding there and over the
    row here, sort alike (one letter each, A to Z), and nothing else differs."""
    row_of = {c: r for r, (a, b) in enumerate(segments) for c in range(a, b)}
    across = sum(1 for e in view.edges if row_of[col_of[e.source]] != row_of[col_of[e.target]])
    return across <= 26


def row_crossings(
    view: FlowView,
    col_of: dict[str, int],
    ord_of: dict[str, int],
    stagger: dict[str, int] | None = None,
) -> RowCrossings:
    """How many crossings the row [a, b) has when laid out and routed on its own."""
    lane_of = {s.id: s.lane for s in view.steps}

    number = {id(e): i for i, e in enumerate(view.edges)}

    def count(a: int, b: int) -> tuple[SwimlaneLayout, dict[str, int]]:
        inside = {s.id for s in view.steps if a <= col_of[s.id] < b}
        crossing = _crossing_edges(view, col_of, ord_of, inside.__contains__)
        names = {id(e): connector_name(i) for i, e in enumerate(crossing)}
        part = _row_part(
            view,
            col_of,
            ord_of,
            (a, b),
            [s for s in view.steps if s.id in inside],
            [e for e in view.edges if e.source in inside and e.target in inside],
            [e for e in crossing if e.target in inside],
            [e for e in crossing if e.source in inside],
            names,
            lane_of,
        )
        letters = {connector_name(i): number[id(e)] for i, e in enumerate(crossing)}
        return _place(*part, stagger=stagger), letters

    return RowCrossings(count)


def _letters(
    view: FlowView, col_of: dict[str, int], ord_of: dict[str, int], segments: list[tuple[int, int]]
) -> dict[str, int]:
    """The connector letters of a folding (as `_folded` gives them): letter -> the flow's
    index in the view's edges."""
    row_of_col = {c: r for r, (a, b) in enumerate(segments) for c in range(a, b)}
    row_of = {sid: row_of_col[c] for sid, c in col_of.items()}
    crossing = _crossing_edges(view, col_of, ord_of, row_of.__getitem__)
    number = {id(e): i for i, e in enumerate(view.edges)}
    return {connector_name(i): number[id(e)] for i, e in enumerate(crossing)}


def _reused(
    view: FlowView,
    col_of: dict[str, int],
    ord_of: dict[str, int],
    segments: list[tuple[int, int]],
    placed: Mapping[tuple[int, int], tuple[SwimlaneLayout, dict[str, int]]],
) -> list[SwimlaneLayout]:
    """The rows of `segments` as `_folded` lays them out, taken from the rows `row_crossings`
    routed while `fold_points` chose them (it routes every row of the folding it returns)."""
    letter = {flow: name for name, flow in _letters(view, col_of, ord_of, segments).items()}
    rows: list[SwimlaneLayout] = []
    for span in segments:
        layout, flows = placed[span]
        names = {name: letter[flow] for name, flow in flows.items() if flow in letter}
        rows.append(_relettered(layout, names))
    return rows


def _relettered(layout: SwimlaneLayout, names: Mapping[str, str]) -> SwimlaneLayout:
    """A row laid out by `row_crossings` with its connectors lettered as in the folding
    (`names`: letter over the row -> letter over the folding). Only the letters change when
    both sort alike (`_letters_kept`): the layout is what `_folded` makes for the row."""

    def rename(node: str) -> str:
        if node.startswith("@"):
            letter, end = node[1:].rsplit("-", 1)
            return f"@{names[letter]}-{end}"
        return node

    nodes = {rename(k): box for k, box in layout.nodes.items()}
    out = replace(layout, lanes=list(layout.lanes), edges=list(layout.edges))
    out.nodes = {
        k: replace(box, id=k, lines=(k[1:].rsplit("-", 1)[0],)) if k.startswith("@") else box
        for k, box in sorted(nodes.items())
    }
    out.edges = [replace(e, source=rename(e.source), target=rename(e.target)) for e in out.edges]
    return out


def _folded(
    view: FlowView,
    col_of: dict[str, int],
    ord_of: dict[str, int],
    segments: list[tuple[int, int]],
    stagger: dict[str, int] | None = None,
) -> list[SwimlaneLayout]:
    """Each row laid out on its own (its own lanes and band height)."""
    row_of_col = {c: r for r, (a, b) in enumerate(segments) for c in range(a, b)}
    row_of = {sid: row_of_col[c] for sid, c in col_of.items()}
    crossing = _crossing_edges(view, col_of, ord_of, row_of.__getitem__)
    names = {id(e): connector_name(i) for i, e in enumerate(crossing)}
    # Everything grouped by row once: each row then costs only its own steps and flows.
    nrows = len(segments)
    row_ins: list[list[FlowEdge]] = [[] for _ in range(nrows)]
    row_outs: list[list[FlowEdge]] = [[] for _ in range(nrows)]
    for e in crossing:
        row_ins[row_of[e.target]].append(e)
        row_outs[row_of[e.source]].append(e)
    row_steps: list[list[StepView]] = [[] for _ in range(nrows)]
    for s in view.steps:
        row_steps[row_of[s.id]].append(s)
    row_edges: list[list[FlowEdge]] = [[] for _ in range(nrows)]
    for e in view.edges:
        if row_of[e.source] == row_of[e.target]:
            row_edges[row_of[e.source]].append(e)
    lane_of = {s.id: s.lane for s in view.steps}
    # Each row's bands as high as its own tallest stack: one tall decision does not make
    # every row taller (each row must fit a landscape page on its own, see docx.flow_pieces).
    return [
        _place(
            *_row_part(
                view,
                col_of,
                ord_of,
                span,
                row_steps[r],
                row_edges[r],
                row_ins[r],
                row_outs[r],
                names,
                lane_of,
            ),
            stagger=stagger,
        )
        for r, span in enumerate(segments)
    ]


def _stacked(placed: Sequence[SwimlaneLayout]) -> SwimlaneLayout:
    """Rows laid out on their own, stacked top to bottom (the first with the title)."""
    width = max(p.width for p in placed)
    out = SwimlaneLayout(width, 0.0, styles.TITLE_HEIGHT, styles.LANE_HEADER)
    out.rows = len(placed)
    dy = 0.0
    for r, p in enumerate(placed):
        if r:
            dy += placed[r - 1].height - styles.TITLE_HEIGHT + styles.ROW_GAP
        # The classes' own constructors: `dataclasses.replace` costs several times more.
        out.lanes += [LaneBand(lane.id, lane.name, lane.y + dy, lane.h, r) for lane in p.lanes]
        out.nodes.update({k: n.moved(dy) for k, n in p.nodes.items()})
        out.edges += [
            EdgeRoute(
                e.source,
                e.target,
                e.label,
                tuple([(x, y + dy) for x, y in e.points]),
                (e.label_at[0], e.label_at[1] + dy) if e.label_at else None,
            )
            for e in p.edges
        ]
    out.height = placed[-1].height + dy
    out.nodes = dict(sorted(out.nodes.items()))
    return out


def _place(
    view: FlowView,
    col_of: dict[str, int],
    ord_of: dict[str, int],
    band_h: float = 0.0,
    stagger: dict[str, int] | None = None,
) -> SwimlaneLayout:
    """One row of bands: every step at its column, bands at least `band_h` high; the two
    stacks of a halved column (`stagger`: `_split_tall_columns`) stand half a step apart."""
    lane_ids = [lane.id for lane in view.lanes]
    sizes = {s.id: styles.step_box(s.kind, s.name) for s in view.steps}
    on_border = border_events(view)
    # What stands below (above) a symbol in its stack: an event's name, a host's boundary
    # events with theirs.
    below = {
        s.id: styles.event_label_height(s.name) if s.kind in styles.EVENTS else 0.0
        for s in view.steps
    }
    above = dict.fromkeys(below, 0.0)
    for host, (up, down) in border_reach(view, on_border).items():
        above[host], below[host] = up, down
    ncols = max(col_of.values(), default=-1) + 1
    # Stacks: the steps sharing a lane and a column, top to bottom in dot's order.
    stacks: dict[tuple[str, int], list[str]] = {}
    for s in sorted(view.steps, key=lambda s: (col_of[s.id], ord_of[s.id], s.id)):
        if s.id not in on_border:
            stacks.setdefault((s.lane, col_of[s.id]), []).append(s.id)
    lane_index = {lane_id: k for k, lane_id in enumerate(lane_ids)}
    _order_stacks(view, stacks, lane_index, col_of, on_border)

    def stack_height(ids: list[str]) -> float:
        return (
            sum(above[i] + sizes[i][1] + below[i] for i in ids)
            + styles.STACK_GAP * (len(ids) - 1)
            + half_step(ids)
        )

    def half_step(ids: list[str]) -> float:
        """Room for a halved column's stacks to stand half a step apart (0 for any other)."""
        if not stagger or not ids or ids[0] not in stagger:
            return 0.0
        plain = sum(above[i] + sizes[i][1] + below[i] for i in ids)
        return (plain / len(ids) + styles.STACK_GAP) / 2

    need = max((stack_height(ids) for ids in stacks.values()), default=0.0)
    # A band holds its lane's wrapped name too (names wrap, they never shrink).
    names = max((styles.lane_name_height(lane.name) for lane in view.lanes), default=0.0)
    band_h = max(styles.MIN_LANE, need + 2 * styles.LANE_PAD, band_h, names)
    in_col: list[list[str]] = [[] for _ in range(ncols)]
    for sid, c in col_of.items():
        if sid not in on_border:
            in_col[c].append(sid)
    col_w = [
        max(
            (max(sizes[s][0], styles.EVENT_LABEL_W if below[s] else 0.0) for s in ids),
            default=40.0,
        )
        for ids in in_col
    ]
    kinds = {s.id: s.kind for s in view.steps}
    connector = [bool(ids) and all(kinds[s] == "connector" for s in ids) for ids in in_col]
    col_x, gaps, width = _columns(col_w, connector, _label_room(view, col_of))
    top = styles.TITLE_HEIGHT
    lanes = [
        LaneBand(lane.id, lane.name, top + i * band_h, band_h) for i, lane in enumerate(view.lanes)
    ]
    lane_of = {lane.id: lane for lane in lanes}
    nodes: dict[str, NodeBox] = {}
    for (lane_id, col), ids in stacks.items():
        band = lane_of[lane_id]
        y = band.y + (band.h - stack_height(ids)) / 2
        if stagger and ids[0] in stagger and stagger[ids[0]] > 0:
            y += half_step(ids)  # the lower half of a halved column
        if len(ids) == 1 and below[ids[0]]:
            # A lone event (or host of boundary events) on the band's middle line, like the
            # tasks beside it, so that the flows between them run straight; what stands below
            # (above) it stays inside the band.
            h = sizes[ids[0]][1]
            centre = min(band.y + band.h / 2, band.y + band.h - 4 - below[ids[0]] - h / 2)
            centre = max(centre, band.y + 4 + above[ids[0]] + h / 2)
            y = centre - h / 2 - above[ids[0]]
        for sid in ids:
            w, h, lines = sizes[sid]
            y += above[sid]
            nodes[sid] = NodeBox(sid, kinds[sid], col_x[col], y + h / 2, w, h, tuple(lines))
            y += h + below[sid] + styles.STACK_GAP
    _straighten(view, nodes, stacks, lane_of, above, below, col_of)
    event_names = {s.id: s.name for s in view.steps}
    tops = border_tops(view, nodes, on_border)
    for event, (host_id, _) in on_border.items():
        hbox = nodes[host_id]
        w, h, lines = sizes[event]
        x = hbox.right - BORDER_INSET
        y = hbox.top if event in tops else hbox.bottom
        box = border_name_box(event_names[event], x, y, h / 2, top=event in tops)
        nodes[event] = NodeBox(event, kinds[event], x, y, w, h, tuple(lines), box)
    _align_connectors(view, nodes, stacks, lane_of)
    layout = SwimlaneLayout(width, top + band_h * len(lanes), top, styles.LANE_HEADER)
    layout.lanes = lanes
    layout.nodes = dict(sorted(nodes.items()))
    step_lane = {s.id: s.lane for s in view.steps}
    layout.edges = _route(view, layout, col_of, col_w, col_x, gaps, step_lane, lane_ids)
    return layout


def _order_stacks(
    view: FlowView,
    stacks: dict[tuple[str, int], list[str]],
    lane_index: dict[str, int],
    col_of: dict[str, int],
    on_border: dict[str, tuple[str, int]],
) -> None:
    """Reorder the steps sharing a lane and a column so that fewer flows cross.

    dot orders a column without knowing the lanes; once the steps stand in their lanes, a
    step whose flow leads to a lane below (or comes from low in its own lane) may stand above
    its neighbours in the stack, and its flow crosses theirs. Sweeps left to right and back
    move each step with flows to other columns to the mean height of those flows' other ends
    on the side swept from (a barycentre, as dot itself orders); the order kept is the one,
    among dot's and each sweep's, whose flows cross least when drawn as straight lines between
    the columns (`_stack_crossings`). An event on a border stands for a point just below (above)
    its host.
    """
    pos: dict[str, float] = {}

    def spread(lane_id: str, ids: list[str]) -> None:
        for k, i in enumerate(ids):
            pos[i] = lane_index[lane_id] + (k + 1) / (len(ids) + 1)

    for (lane_id, _), ids in stacks.items():
        spread(lane_id, ids)
    host_of = {event: host for event, (host, _) in on_border.items()}
    up_ids = leads_up(view, on_border)
    side = {
        event: (-0.01 if k % 2 or event in up_ids else 0.01) for event, (_, k) in on_border.items()
    }

    def at(i: str) -> float | None:
        if i in host_of:
            h = pos.get(host_of[i])
            return None if h is None else h + side[i]
        return pos.get(i)

    links: dict[str, list[str]] = {}
    spans: list[tuple[str, str]] = []
    for e in view.edges:
        if e.attached and e.target in on_border:
            continue
        s, t = host_of.get(e.source, e.source), host_of.get(e.target, e.target)
        if s == t or col_of.get(s) == col_of.get(t) or s not in col_of or t not in col_of:
            continue
        links.setdefault(s, []).append(e.target)
        links.setdefault(t, []).append(e.source)
        spans.append((e.source, e.target) if col_of[s] < col_of[t] else (e.target, e.source))
    keys = sorted(stacks, key=lambda k: (k[1], lane_index[k[0]]))
    moving = [k for k in keys if len(stacks[k]) > 1 and any(i in links for i in stacks[k])]
    if not moving:
        return

    def column(i: str) -> int:
        return col_of[host_of.get(i, i)]

    best = (_stack_crossings(spans, column, at), {k: list(stacks[k]) for k in moving})
    for sweep in range(ORDER_SWEEPS):
        forward = sweep % 2 == 0
        for key in moving if forward else reversed(moving):
            ids = stacks[key]

            def height(i: str, col: int = key[1], forward: bool = forward) -> float:
                # The ends on the side swept from (placed already), else all of them.
                found = [j for j in links.get(i, []) if at(j) is not None]
                ends = [j for j in found if (column(j) < col) == forward] or found
                return sum(at(j) or 0.0 for j in ends) / len(ends) if ends else pos[i]

            ids = sorted(ids, key=lambda i: (height(i), pos[i]))
            stacks[key] = ids
            spread(key[0], ids)
        count = _stack_crossings(spans, column, at)
        if count < best[0]:
            best = (count, {k: list(stacks[k]) for k in moving})
    for key, ids in best[1].items():
        stacks[key] = ids


ORDER_SWEEPS = 4
"""Sweeps of `_order_stacks`: left to right, right to left, and once more each way."""


def _stack_crossings(
    spans: list[tuple[str, str]],
    column: Callable[[str], int],
    at: Callable[[str], float | None],
) -> int:
    """How many pairs of flows cross, each drawn as a straight line from its left end's
    height to its right end's between the columns (the measure dot's ordering minimises):
    in each gap between two columns, the pairs whose order at its left and right differ."""
    gaps: dict[int, list[tuple[float, float]]] = {}
    for a, b in spans:
        ca, cb = column(a), column(b)
        pa, pb = at(a), at(b)
        if pa is None or pb is None:
            continue
        for g in range(ca, cb):
            left = pa + (pb - pa) * (g - ca) / (cb - ca)
            right = pa + (pb - pa) * (g + 1 - ca) / (cb - ca)
            gaps.setdefault(g, []).append((left, right))
    count = 0
    for lines in gaps.values():
        lines.sort()
        seen: list[float] = []
        for _, right in lines:  # inversions of the right ends, in the order of the left ones
            count += len(seen) - bisect.bisect_right(seen, right)
            bisect.insort(seen, right)
    return count


STRAIGHTEN_SWEEPS = 4
"""Sweeps of `_straighten`, alternating left to right and right to left."""


def _straighten(
    view: FlowView,
    nodes: dict[str, NodeBox],
    stacks: dict[tuple[str, int], list[str]],
    lane_of: dict[str, LaneBand],
    above: dict[str, float],
    below: dict[str, float],
    col_of: dict[str, int],
) -> None:
    """Move steps up or down inside their band so that flows between steps of one lane run
    straight, as a hand drawing keeps a lane's main path on one line.

    A band is as high as its lane's tallest stack needs, so a shorter stack has room to move:
    each step goes to the height of a neighbour in its lane (the one before it in a sweep to
    the right, the one after it in a sweep to the left, the upper when several), keeping its
    stack's order and gaps and the band's padding (room for loops along its edges).
    """
    lane = {s.id: s.lane for s in view.steps}
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for e in view.edges:
        s, t = e.source, e.target
        if s not in nodes or t not in nodes or lane[s] != lane[t] or col_of[s] == col_of[t]:
            continue
        if "connector" in (nodes[s].kind, nodes[t].kind):
            continue  # placed level with their partner afterwards
        if col_of[s] > col_of[t]:
            s, t = t, s  # a loop back: its ends are neighbours all the same
        after.setdefault(s, []).append(t)
        before.setdefault(t, []).append(s)
    if not before:
        return
    # What every sweep reads of a stack, once: its steps, their neighbours on either side of
    # a sweep, and the room above and below each (the symbols' heights do not change).
    plans = []
    for key in sorted(stacks, key=lambda k: (k[1], k[0])):
        ids = stacks[key]
        band = lane_of[key[0]]
        up = [nodes[i].h / 2 + above[i] for i in ids]
        down = [nodes[i].h / 2 + below[i] for i in ids]
        lo, hi = band.y + styles.LANE_PAD, band.y + band.h - styles.LANE_PAD
        # An event's name may reach into the padding, as long as it stays inside.
        last = min(hi - up[-1], band.y + band.h - 4 - down[-1])
        ahead = [before.get(i) or after.get(i) or [] for i in ids]
        behind = [after.get(i) or before.get(i) or [] for i in ids]
        plans.append((ids, up, down, lo, last, ahead, behind))
    gap = styles.STACK_GAP
    for sweep in range(STRAIGHTEN_SWEEPS):
        forward = sweep % 2 == 0
        for ids, up, down, lo, last, ahead, behind in plans if forward else reversed(plans):
            ys = []
            for i, near in zip(ids, ahead if forward else behind, strict=True):
                here = nodes[i].y
                if not near:
                    ys.append(here)
                elif len(near) == 1:
                    ys.append(nodes[near[0]].y)
                else:
                    ys.append(min((nodes[j].y for j in near), key=lambda y: (abs(y - here), y)))
            n = len(ids)
            for k in range(n):  # down from the band's top, in order with gaps
                floor = lo + up[k] if k == 0 else ys[k - 1] + down[k - 1] + gap + up[k]
                ys[k] = max(ys[k], floor)
            for k in reversed(range(n)):  # up from the band's bottom
                ceil = last if k == n - 1 else ys[k + 1] - up[k + 1] - gap - down[k]
                ys[k] = min(ys[k], ceil)
            for i, y in zip(ids, ys, strict=True):
                if y != nodes[i].y:  # most stay: no new box (a sweep visits every step)
                    nodes[i] = nodes[i].at(y)


def _align_connectors(
    view: FlowView,
    nodes: dict[str, NodeBox],
    stacks: dict[tuple[str, int], list[str]],
    lane_of: dict[str, LaneBand],
) -> None:
    """Move each connector level with the step it belongs to, so its flow runs straight.

    Connectors of one lane and column stay a connector apart, those where flows resume in
    the order of their steps (those where flows leave keep theirs); a stack that would leave
    its band is pushed back inside it.
    """
    partner: dict[str, str] = {}
    resuming: set[str] = set()
    for e in view.edges:
        if e.target in nodes and nodes[e.target].kind == "connector":
            partner[e.target] = e.source
        if e.source in nodes and nodes[e.source].kind == "connector":
            resuming.add(e.source)
            partner[e.source] = e.target
    step = styles.CONNECTOR + 8
    for (lane_id, _), ids in stacks.items():
        if not all(nodes[i].kind == "connector" for i in ids):
            continue
        band = lane_of[lane_id]
        lo, hi = band.y + styles.CONNECTOR, band.y + band.h - styles.CONNECTOR
        if all(i in resuming for i in ids):
            # Where flows resume: in the order of the steps they lead to, so that their flows
            # never cross (a stable sort: those of one step keep their letters' order).
            ids = sorted(ids, key=lambda i: nodes[partner[i]].y)
        wants = [nodes[partner[i]].y if i in partner else nodes[i].y for i in ids]
        if not all(i in resuming for i in ids):
            # Where flows leave: three or more connectors of one step fanned out round its
            # middle, the outer ones past its top and bottom, so that its flows leave by
            # different sides with a bend at most and none runs along or beside another (of
            # two, the first stays level and the flow to the second leaves by the bottom).
            k = 0
            while k < len(ids):
                j = k
                while j + 1 < len(ids) and partner.get(ids[j + 1]) == partner.get(ids[k]):
                    j += 1
                m = j - k + 1
                if m > 2 and ids[k] in partner:
                    src = nodes[partner[ids[k]]]
                    gap = max(step, (src.h + STUB) / (m - 1))
                    for n in range(m):
                        wants[k + n] += (n - (m - 1) / 2) * gap
                k = j + 1
        ys: list[float] = []
        for want in wants:
            ys.append(max(want, ys[-1] + step) if ys else want)
        over = ys[-1] - hi
        if over > 0:
            ys = [y - over for y in ys]
        for k in range(len(ys)):
            floor = lo if k == 0 else ys[k - 1] + step
            ys[k] = max(ys[k], floor)
        for i, y in zip(ids, ys, strict=True):
            nodes[i] = nodes[i].at(y)


BEND_COST = 40.0
LENGTH_COST = 0.1
"""Per point of length: a bend weighs as much as 400 pt of line."""
CROSS_COST = 500.0
SHARED_COST = 5000.0
"""Two flows on one line (not a join) read as one flow: worse than a crossing."""
SIBLING_CROSS_COST = 5000.0
"""A branch crossing its sibling makes the other branch look like it leads to its target."""
SIDE_COST = 3000.0
"""Two flows of one step leaving by the same side (while it has a free side) share a line."""
REROUTE_PASSES = 2
SEARCH_STATES = 20000
"""At most this many grid points (with a direction) a search on the grid settles before it
gives up: the layout time stays linear in the steps whatever the flows."""
WHOLE_SEARCH_STATES = 200000
"""The same for a flow whose every template route passes a symbol and whose search near its
ends found none: rare (a layout drawn through a symbol is wrong), so it may cost more."""
CORRIDORS = (0.0, 6.0, 12.0)
"""Offsets of the parallel lines a flow may take along a band's edge."""
LABEL_COST = 800.0
"""A flow through a branch label (its own or another's) makes the label name the wrong flow."""
PORT_LABEL_COST = 1500.0
"""A labelled branch leaving beside the middle of a side: two labels 20 pt apart."""
STUB = 16.0
"""A one-bend route needs at least this much straight line into (out of) a symbol's side."""
PORT = 10.0
"""How far above or below the middle of the right side a second flow of a step may leave."""


OFF_MIDDLE = {"task": 14.0, "subprocess": 14.0, "start": 6.0, "end": 6.0, "event": 6.0}
"""How far beside the middle of its left or right side a flow may meet a symbol: within
what BPMN DI keeps as a port (60 % of its symbol's half side); diamonds keep their corners."""


def _side_at(n: NodeBox, dy: float, sign: int) -> float | None:
    """x where a horizontal line `dy` below the middle meets the left (sign -1) or right
    (+1) side of a symbol, or None when that is too far off the middle for it."""
    if abs(dy) > OFF_MIDDLE.get(n.kind, 0.0):
        return None
    if n.kind in styles.EVENTS:  # on the circle
        return n.x + sign * math.sqrt(max(0.0, (n.w / 2) ** 2 - dy * dy))
    return n.x + sign * n.w / 2


MIN_RUN = 4.0
"""The shortest straight run of a route (a shorter jog reads as a kink, not a turn)."""


CHANNEL_PITCH = 6.0
"""How far apart the channels of the flows into one column lie (when their gap has room)."""


def _channel_pitch(gap: float, flows: int) -> float:
    """The distance between the channels of `flows` flows into one column, in whole points:
    CHANNEL_PITCH, or less when that would take the outer ones out of the gap in front of the
    column (`gap` wide) to within 5 pt of its symbols, whose keepout (4 pt) they would cross
    whatever the column's symbols are; 0 (one shared line) when even 1 pt is too much."""
    if flows < 2:
        return CHANNEL_PITCH
    room = gap / 2 - 5
    return min(CHANNEL_PITCH, max(0.0, math.floor(room / ((flows - 1) / 2))))


def _tidy(points: Sequence[Point]) -> list[Point]:
    """An orthogonal route without repeated points and straight-through corners; [] when it
    doubles back on itself or keeps a segment shorter than 4 pt."""
    # Called for every candidate route of every flow: one plain loop over local names, the
    # last two points kept (a, b) rather than read back from the list. Only the last segment
    # may still grow (a straight-through corner dropped), so the one before it is final, and
    # measured, when a point is added after it.
    if not points:
        return []
    first = points[0]
    out: list[Point] = [first]
    n = 1
    ax = ay = 0.0
    bx, by = first
    for p in points[1:]:
        px, py = p
        dx, dy = px - bx, py - by
        if -0.01 < dx < 0.01 and -0.01 < dy < 0.01:
            continue
        if n >= 2:
            if (ax == bx == px) or (ay == by == py):
                if (bx - ax) * dx < 0 or (by - ay) * dy < 0:
                    return []  # back along the same line
                out[-1] = p
                bx, by = px, py
                continue
            if abs(ax - bx) + abs(ay - by) < MIN_RUN:
                return []
        out.append(p)
        n += 1
        ax, ay, bx, by = bx, by, px, py
    if n < 2 or abs(ax - bx) + abs(ay - by) < MIN_RUN:
        return []
    return out


def _orth_cross(s: tuple[Point, Point], t: tuple[Point, Point]) -> bool:
    """Whether a horizontal and a vertical segment cross inside both (a touch is no crossing)."""
    (a, b), (p, q) = s, t
    if a[1] == b[1] and p[0] == q[0]:
        h, v = (a, b), (p, q)
    elif a[0] == b[0] and p[1] == q[1]:
        h, v = (p, q), (a, b)
    else:
        return False
    x, y = v[0][0], h[0][1]
    return (
        min(h[0][0], h[1][0]) + 0.5 < x < max(h[0][0], h[1][0]) - 0.5
        and min(v[0][1], v[1][1]) + 0.5 < y < max(v[0][1], v[1][1]) - 0.5
    )


def _step_cross(s: tuple[Point, Point], t: tuple[Point, Point]) -> bool:
    """Whether a grid step s crosses segment t: as `_orth_cross`, or from a start on t's
    inside. The grid has lines along the flows, so a route crosses one at a grid point: it
    arrives there (a touch) and leaves on the far side; counting the step that leaves counts
    the crossing once (one that turns along t instead shares its line, counted apart)."""
    if _orth_cross(s, t):
        return True
    (a, b), (p, q) = s, t
    if a[1] == b[1] and p[0] == q[0]:  # a horizontal step from a point on a vertical line
        return abs(a[0] - p[0]) < ON_LINE and min(p[1], q[1]) + 0.5 < a[1] < max(p[1], q[1]) - 0.5
    if a[0] == b[0] and p[1] == q[1]:
        return abs(a[1] - p[1]) < ON_LINE and min(p[0], q[0]) + 0.5 < a[0] < max(p[0], q[0]) - 0.5
    return False


ON_LINE = 0.01
"""Two coordinates this close are one line: a channel reached by two sums (a column's left
edge less half a gap, a step's right edge plus half a gap) differs in the last bits."""


def _orth_overlap(s: tuple[Point, Point], t: tuple[Point, Point]) -> float:
    """How long two axis-parallel segments run on one line (0 when they do not)."""
    (a, b), (p, q) = s, t
    if a[1] == b[1] and p[1] == q[1] and abs(a[1] - p[1]) < ON_LINE:
        lo, hi = max(min(a[0], b[0]), min(p[0], q[0])), min(max(a[0], b[0]), max(p[0], q[0]))
        return max(0.0, hi - lo)
    if a[0] == b[0] and p[0] == q[0] and abs(a[0] - p[0]) < ON_LINE:
        lo, hi = max(min(a[1], b[1]), min(p[1], q[1])), min(max(a[1], b[1]), max(p[1], q[1]))
        return max(0.0, hi - lo)
    return 0.0


def _joined(a: Sequence[Point], i: int, b: Sequence[Point], j: int) -> bool:
    """Whether segments a[i] and b[j] of two flows into one target lie on their common last
    stretch: from there on both run together into the target (drawn as a join)."""
    rest_a, rest_b = a[i + 1 :], b[j + 1 :]
    return len(rest_a) == len(rest_b) and all(
        abs(p[0] - q[0]) <= 0.5 and abs(p[1] - q[1]) <= 0.5
        for p, q in zip(rest_a, rest_b, strict=True)
    )


def _pack(state: tuple[int, int, int]) -> int:
    """A grid search state (column, row, direction) as one int (for the heap)."""
    return (state[0] * 1_000_003 + state[1]) * 4 + state[2]


def _unpack(n: int) -> tuple[int, int, int]:
    rest, d = divmod(n, 4)
    x, y = divmod(rest, 1_000_003)
    return x, y, d


def _route(
    view: FlowView,
    layout: SwimlaneLayout,
    col_of: dict[str, int],
    col_w: list[float],
    col_x: list[float],
    gaps: list[float],
    step_lane: dict[str, str],
    lane_ids: list[str],
) -> list[EdgeRoute]:
    """Orthogonal routes a reader can trust.

    Every flow gets a few candidate routes (straight, one bend into the target's top or bottom
    or out of the source's, two bends through a channel between columns, a detour along a
    band's edge); those that cross a symbol are out. Among the rest the cheapest wins:
    crossing a sibling (a flow from the same step) costs most, then running on another flow's
    line (unless both flows end together in one target: a join), then crossing any flow, then
    each bend, then length. Flows are routed in order, then each once more against all the
    others (rip-up and reroute), so an early flow does not keep a route that a later one
    made bad. The flows of one step leave by different sides (a decision's branches by
    different corners, so their labels stay apart).
    """
    nodes = layout.nodes
    lanes = {lane.id: lane for lane in layout.lanes}
    label_h = {
        s.id: styles.event_label_height(s.name) for s in view.steps if s.kind in styles.EVENTS
    }

    def gap_after(col: int) -> float:
        """The free space right of a column: where its flows turn."""
        return gaps[col + 1] if col + 1 < len(gaps) else styles.COLUMN_GAP

    # Every symbol (an event with its name below it) with 4 pt of air, in a grid: a segment is
    # checked against the symbols of the cells it passes only (linear time in the steps).
    keepout: _Grid[str] = _Grid()
    for n in nodes.values():
        if n.name_box is not None:  # on a border: the circle, and its name beside it
            keepout.add((n.left - 4, n.top - 4, n.right + 4, n.bottom + 4), n.id)
            box = n.name_box
            keepout.add((box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2), f"{n.id}#name")
            continue
        half = max(n.w, styles.EVENT_LABEL_W) / 2 if n.kind in styles.EVENTS else n.w / 2
        bottom = n.bottom + (label_h[n.id] if n.kind in styles.EVENTS else 0.0)
        keepout.add((n.x - half - 4, n.top - 4, n.x + half + 4, bottom + 4), n.id)
    keepout_cells, keepout_entries = keepout.cells, keepout.entries
    # An event on its host's border leaves it outwards only (down from the bottom edge, up
    # from the top); the host's own keepout then lies behind it.
    hosts = {event: host for event, (host, _) in border_events(view).items() if event in nodes}
    border_side = {
        event: "top" if nodes[event].y < nodes[host].y else "bottom"
        for event, host in hosts.items()
    }
    # The link of a host to the event on its border is the border itself: not drawn.
    edges = [e for e in view.edges if not (e.attached and e.target in border_side)]

    def blocked(a: Point, b: Point, ends: set[str], close: Container[str] = ()) -> bool:
        """Whether a segment passes a symbol other than `ends`, or its air; those in `close`
        count without their air (4 pt)."""
        x0, x1 = sorted((a[0], b[0]))
        y0, y1 = sorted((a[1], b[1]))
        return blocked_at((x0, y0, x1, y1), _cells_at((x0, y0, x1, y1)), ends, close)

    def blocked_at(
        seg: Box, where: list[Cell], ends: Container[str], close: Container[str] = ()
    ) -> bool:
        """`blocked` for a segment given by its box and the box's grid cells."""
        x0, y0, x1, y1 = seg
        if len(where) == 1:  # `keepout.at` for one cell (most segments)
            found = keepout_cells.get(where[0])
            if not found:
                return False
            near = [keepout_entries[n] for n in found]
        else:
            near = keepout.at(where)
        for box, nid in near:
            air = 4.0 if nid in close else 0.0
            inside = x0 < box[2] - air and x1 > box[0] + air
            if inside and y0 < box[3] - air and y1 > box[1] + air and nid not in ends:
                return True
        return False

    def detour(s: NodeBox, t: NodeBox, ch_s: float, corridor: float, ch_t: float) -> list[Point]:
        """Out to the right, along a corridor of the band, into the target from its left."""
        return [
            (s.right, s.y),
            (ch_s, s.y),
            (ch_s, corridor),
            (ch_t, corridor),
            (ch_t, t.y),
            (t.left, t.y),
        ]

    def can_exit(s: NodeBox, side: str) -> bool:
        """An event's name stands below it; a connector is left to the right only; an event on
        a border outwards."""
        if s.kind == "connector":
            return side == "right"
        if s.id in border_side:
            return side == border_side[s.id]
        return not (side == "bottom" and s.kind in styles.EVENTS)

    def can_enter(t: NodeBox, side: str) -> bool:
        """A decision's top and bottom are its exits; an event's name stands below it."""
        if t.kind in ("connector", "decision"):
            return side == "left"
        return not (side == "bottom" and t.kind in styles.EVENTS)

    # Channel offsets: edges entering the same column spread a little apart.
    into: dict[int, list[str]] = {}
    for e in edges:
        into.setdefault(col_of[e.target], [])
        if e.target not in into[col_of[e.target]]:
            into[col_of[e.target]].append(e.target)
    fan_out: dict[str, int] = {}
    for e in edges:
        fan_out[e.source] = fan_out.get(e.source, 0) + 1
    back: dict[str, int] = {}
    options: list[list[tuple[str, list[Point]]]] = []
    option_ends: list[set[str]] = []
    for e in edges:
        s, t = nodes[e.source], nodes[e.target]
        col_t = col_of[t.id]
        targets = sorted(into[col_t], key=lambda i: nodes[i].y)
        spread = (targets.index(t.id) - (len(targets) - 1) / 2) * _channel_pitch(
            gaps[col_t], len(targets)
        )
        # Never into the lane-name column, however many flows share the channel.
        ch_t = col_x[col_t] - col_w[col_t] / 2 - gaps[col_t] / 2 + spread
        ch_t = max(ch_t, layout.header + 4)
        t_left = (t.left, t.y)
        candidates: list[tuple[str, list[Point]]] = []
        if col_of[t.id] > col_of[s.id]:
            if abs(s.y - t.y) < 1:
                candidates.append(("right", [(s.right, s.y), (t.left, s.y)]))
            else:
                # Nearly level: straight, into the target's side beside its middle, or out of
                # the source's side beside its middle (a port), level with the other's middle.
                x = _side_at(t, s.y - t.y, -1)
                if x is not None:
                    candidates.append(("right", [(s.right, s.y), (x, s.y)]))
                x = _side_at(s, t.y - s.y, 1)
                if x is not None:
                    candidates.append((f"right{t.y - s.y:+g}", [(x, t.y), t_left]))
            # One bend: out of the right side and down (or up) into the target's top (bottom).
            if abs(s.y - t.y) >= t.h / 2 + STUB:
                entry = "top" if t.y > s.y else "bottom"
                if can_enter(t, entry):
                    end_y = t.top if entry == "top" else t.bottom
                    candidates.append(("right", [(s.right, s.y), (t.x, s.y), (t.x, end_y)]))
            # One bend: out of the top (bottom) corner when the target lies beyond it.
            if abs(s.y - t.y) >= s.h / 2 + STUB / 2:
                side = "top" if t.y < s.y else "bottom"
                if can_exit(s, side):
                    exit_y = s.top if side == "top" else s.bottom
                    candidates.append((side, [(s.x, exit_y), (s.x, t.y), t_left]))
            # Through the target's channel, the source's, and beside either's middle: two flows
            # of one step turning in one channel towards the same side take lines of their
            # own, and a flow can turn before (or after) another one's vertical instead of
            # crossing it. A channel twice (the two often coincide) would be the same route.
            ch_s = s.right + gap_after(col_of[s.id]) / 2
            lines_x = [ch_t]
            for ch in (ch_s, ch_s - 6.0, ch_t - 6.0, ch_s + 6.0, ch_t + 6.0):
                if ch not in lines_x:
                    lines_x.append(ch)
            for ch in lines_x:
                candidates.append(("right", [(s.right, s.y), (ch, s.y), (ch, t.y), t_left]))
            band = lanes[step_lane[s.id]]
            low = t.y > s.y or step_lane[s.id] == step_lane[t.id]
            # Along the band's edge, on one of a few parallel lines (the cost keeps two flows
            # off one line); the edge towards the target first, the other one too.
            for side in ("bottom", "top") if low else ("top", "bottom"):
                for off in CORRIDORS:
                    edge = band.y + band.h - 10 - off if side == "bottom" else band.y + 10 + off
                    corridor = edge
                    if can_exit(s, side):
                        exit_y = s.bottom if side == "bottom" else s.top
                        candidates.append(
                            (
                                side,
                                [
                                    (s.x, exit_y),
                                    (s.x, corridor),
                                    (ch_t, corridor),
                                    (ch_t, t.y),
                                    t_left,
                                ],
                            )
                        )
                    if side == ("bottom" if low else "top"):
                        candidates.append(("right", detour(s, t, ch_s, corridor, ch_t)))
        else:
            band = lanes[step_lane[s.id]]
            loops = back.get(band.id, 0)
            back[band.id] = loops + 1
            for side in ("bottom", "top"):
                if not can_exit(s, side):
                    continue
                exit_y = s.bottom if side == "bottom" else s.top
                for off in CORRIDORS:
                    if side == "bottom":
                        corridor = band.y + band.h - 10 - 5 * loops - off
                    else:
                        corridor = band.y + 10 + 5 * loops + off
                    # A decision's top and bottom are its exits: loops enter it from the left.
                    if step_lane[s.id] == step_lane[t.id] and can_enter(t, side):
                        end = (t.x, t.bottom if side == "bottom" else t.top)
                        candidates.append(
                            (side, [(s.x, exit_y), (s.x, corridor), (t.x, corridor), end])
                        )
                    candidates.append(
                        (
                            side,
                            [(s.x, exit_y), (s.x, corridor), (ch_t, corridor), (ch_t, t.y), t_left],
                        )
                    )
            # Last resort: leave to the right, then run along the band's lower edge.
            ch_s = s.right + gap_after(col_of[s.id]) / 2
            for off in CORRIDORS:
                corridor = band.y + band.h - 10 - 5 * loops - off
                candidates.append(("right", detour(s, t, ch_s, corridor, ch_t)))
        if fan_out[s.id] > 1 and s.kind != "connector":
            # Ports above and below the right corner: flows of one step that all have to
            # leave to the right still leave on lines of their own.
            exits = []
            for d in (-PORT, PORT):
                ex = s.right
                if s.kind == "decision":  # on the diamond's edge
                    ex = s.x + s.w / 2 * (1 - abs(d) / (s.h / 2))
                elif s.kind in styles.EVENTS:  # on the circle
                    ex = s.x + math.sqrt(max(0.0, (s.w / 2) ** 2 - d * d))
                exits.append((f"right{d:+g}", ex, s.y + d))
            for side, points in list(candidates):
                if side != "right" or len(points) < 3 or points[1][1] != s.y:
                    continue
                for port, ex, port_y in exits:
                    candidates.append((port, [(ex, port_y), (points[1][0], port_y), *points[2:]]))
        if s.id in border_side:
            # Out of the event's outer side only, then to the right at once (its name stands
            # on the other side of the line) or at the target's height.
            out = border_side[s.id]
            sign = 1.0 if out == "bottom" else -1.0
            ey = s.bottom if out == "bottom" else s.top
            candidates = [
                c for c in candidates if c[0] == out and sign * (c[1][1][1] - c[1][0][1]) > 0
            ]
            if sign * (t.y - ey) >= STUB and t.left > s.x + STUB:
                candidates.append((out, [(s.x, ey), (s.x, t.y), t_left]))
            # Beyond its name too, for a target to the left (its host, a step before it).
            assert s.name_box is not None
            past = s.name_box[3] if out == "bottom" else s.name_box[1]
            turns = [ey + sign * (12 + off) for off in CORRIDORS]
            turns += [past + sign * (6 + off) for off in CORRIDORS]
            # Down (up) the channel by the target or the one just past the host: an event on
            # the far edge from its target goes round the host's corner, not the columns
            # between.
            ch_h = nodes[hosts[s.id]].right + gap_after(col_of[s.id]) / 2
            channels = (ch_t, ch_h - 6, ch_h, ch_h + 6) if t.left > ch_h + 6 else (ch_t,)
            for yt in turns:
                for ch in channels:
                    candidates.append((out, [(s.x, ey), (s.x, yt), (ch, yt), (ch, t.y), t_left]))
        ends = {s.id, t.id}
        # A corridor on the symbol's own edge folds back on itself: no such candidates. A flow
        # leaves a top or bottom vertically, a right side horizontally (BPMN DI moves the end
        # onto the BPMN symbol along that first segment). The same route twice is one option.
        unique: dict[tuple[Point, ...], tuple[str, list[Point]]] = {}
        for side, raw in candidates:
            pts = _tidy(raw)
            if pts and (pts[0][0] == pts[1][0]) == (side == "top" or side == "bottom"):
                unique.setdefault(tuple(pts), (side, pts))
        if not unique:
            # Nothing else is drawable (e.g. two steps of one column in different lanes): out
            # to the right, along the edge of the target's band that faces the source, in
            # from the left; orthogonal, whatever it passes.
            band_t = lanes[step_lane[t.id]]
            edge = band_t.y + 10 if t.y > s.y else band_t.y + band_t.h - 10
            ch_s = s.right + gap_after(col_of[s.id]) / 2
            candidates = [
                ("right", _tidy(detour(s, t, ch_s, edge, ch_t)) or detour(s, t, ch_s, edge, ch_t))
            ]
            if s.id in border_side and s.name_box is not None:
                out = border_side[s.id]
                if out == "bottom":
                    ey, yt = s.bottom, s.name_box[3] + 6
                else:
                    ey, yt = s.top, s.name_box[1] - 6
                path = [(s.x, ey), (s.x, yt), (ch_t, yt), (ch_t, t.y), t_left]
                candidates = [(out, _tidy(path) or path)]
            unique = {tuple(cand[1]): cand for cand in candidates}
        # Whether a candidate crosses a symbol is asked only of those a flow considers
        # (`pick` stops at the first cheap enough): most are never looked at.
        options.append(list(unique.values()))
        option_ends.append(ends)

    chosen: list[tuple[str, list[Point]]] = [("", [])] * len(edges)
    version = [0] * len(edges)
    active = [False] * len(edges)
    clock = [0]
    """Counts every placement and removal in the two grids below."""
    drawn: _Grid[tuple[int, int, int]] = _Grid(clock)

    def seg_box(a: Point, b: Point) -> Box:
        return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))

    labels: _Grid[tuple[int, int]] = _Grid(clock)

    def label_box(i: int, side: str, points: list[Point]) -> Box | None:
        at = _label_at(edges[i].label, side, points, 0)
        return _label_box(edges[i].label, at) if at else None

    def base(i: int, side: str, points: list[Point]) -> float:
        """What a route costs on its own: bends, length, a labelled branch at a port."""
        total = BEND_COST * (len(points) - 2)
        total += LENGTH_COST * sum(
            [abs(ax - bx) + abs(ay - by) for (ax, ay), (bx, by) in itertools.pairwise(points)]
        )
        if side != "right" and side.startswith("right") and edges[i].label:
            total += PORT_LABEL_COST  # a labelled branch beside its sibling: labels collide
        return total

    def shape(i: int, side: str, points: list[Point]) -> Shape:
        """A route's segments with their boxes, and its label's box, each with its grid cells:
        what `cost` and `place` look up in the grids (kept per candidate, which `pick` prices
        again and again)."""
        segs = []
        for a, b in itertools.pairwise(points):
            (ax, ay), (bx, by) = a, b
            # `seg_box`: min and max written out.
            box = (
                bx if bx < ax else ax,
                by if by < ay else ay,
                bx if bx > ax else ax,
                by if by > ay else ay,
            )
            segs.append((a, b, box, _cells_at(box)))
        own = label_box(i, side, points)
        return segs, (own, _cells_at(own)) if own is not None else None

    def cost(i: int, side: str, points: list[Point], geo: Shape | None = None) -> float:
        """`base` plus what the route does to the flows and labels placed so far.

        Every term is a whole number of points, so the total does not depend on the order in
        which the grids list what is near."""
        e = edges[i]
        segs, own = geo if geo is not None else shape(i, side, points)
        total = 0.0
        if own is not None:  # its label clear of every other flow
            hits = 0
            for _, (j, ver, tj) in drawn.at(own[1]):
                if j != i and ver == version[j]:
                    other = chosen[j][1]
                    if _crosses(own[0], other[tj], other[tj + 1]):
                        hits += 1
            total += LABEL_COST * hits
        # `_orth_cross` and `_orth_overlap` written out (the segments' boxes are at hand): this
        # loop prices every candidate a flow looks at against every flow near it.
        label_cells, label_entries = labels.cells, labels.entries
        drawn_cells, drawn_entries = drawn.cells, drawn.entries
        for si, (a, b, box_ab, where) in enumerate(segs):
            one = len(where) == 1
            if label_cells:  # clear of the others' labels (`labels.at`, one cell inline)
                if one:
                    found = label_cells.get(where[0])
                    marks = [label_entries[n] for n in found] if found else ()
                else:
                    marks = labels.at(where)
                for box, (j, ver) in marks:
                    if j != i and ver == version[j] and _crosses(box, a, b):
                        total += LABEL_COST
            if one:  # `drawn.at` for one cell (most segments)
                handles = drawn_cells.get(where[0])
                if not handles:
                    continue
                near = [drawn_entries[n] for n in handles]
            else:
                near = drawn.at(where)
            x0, y0, x1, y1 = box_ab
            level = a[1] == b[1]
            upright = a[0] == b[0]
            for box, (j, ver, tj) in near:
                if j == i or ver != version[j]:
                    continue
                # A segment whose box is clearly apart (1 pt) neither crosses nor shares a line.
                if box[0] > x1 + 1 or box[2] < x0 - 1 or box[1] > y1 + 1 or box[3] < y0 - 1:
                    continue
                other = chosen[j][1]
                p, q = other[tj], other[tj + 1]
                if level and p[0] == q[0]:
                    x, y = p[0], a[1]
                    crossing = x0 + 0.5 < x < x1 - 0.5 and box[1] + 0.5 < y < box[3] - 0.5
                elif upright and p[1] == q[1]:
                    x, y = a[0], p[1]
                    crossing = box[0] + 0.5 < x < box[2] - 0.5 and y0 + 0.5 < y < y1 - 0.5
                else:
                    crossing = False
                if crossing:
                    total += SIBLING_CROSS_COST if edges[j].source == e.source else CROSS_COST
                    continue
                if level and p[1] == q[1] and abs(a[1] - p[1]) < ON_LINE:
                    shared = min(x1, box[2]) - max(x0, box[0]) > 2
                elif upright and p[0] == q[0] and abs(a[0] - p[0]) < ON_LINE:
                    shared = min(y1, box[3]) - max(y0, box[1]) > 2
                else:
                    shared = False
                if shared and not (edges[j].target == e.target and _joined(points, si, other, tj)):
                    total += SHARED_COST
        return total

    # A sparse grid for the flows no template route draws clear of the symbols: its lines are
    # the channels between columns (and lines 6 pt beside them), the symbols' middles and
    # sides, the bands' corridors and the middles of the gaps between stacked symbols.
    lines: list[tuple[list[float], list[float]]] = []

    def grid_lines() -> tuple[list[float], list[float]]:
        """The grid's vertical and horizontal lines, sorted (made at the first search: most
        layouts need none)."""
        if lines:
            return lines[0]
        grid_x: set[float] = set()
        for col in range(len(col_x)):
            ch = col_x[col] - col_w[col] / 2 - gaps[col] / 2
            grid_x |= {ch - 6, ch, ch + 6}
        grid_x.add(col_x[-1] + col_w[-1] / 2 + styles.COLUMN_GAP / 2 if col_x else 0.0)
        grid_y: set[float] = set()
        for lane in lanes.values():
            grid_y |= {lane.y + 10, lane.y + 16, lane.y + lane.h - 16, lane.y + lane.h - 10}
        column_boxes: dict[float, list[tuple[float, float]]] = {}
        for n in nodes.values():
            grid_x |= {n.x, n.left, n.right}
            grid_y |= {n.y, n.top, n.bottom}
            bottom = n.bottom + (label_h[n.id] if n.kind in styles.EVENTS and not n.name_box else 0)
            column_boxes.setdefault(n.x, []).append((n.top, bottom))
            if n.name_box is not None:
                column_boxes[n.x].append((n.name_box[1], n.name_box[3]))
                # Under (over) its host: the gap between the name and the next symbol of the
                # host's stack is a way through too.
                host = nodes[hosts[n.id]]
                column_boxes.setdefault(host.x, []).append((n.name_box[1], n.name_box[3]))
        for spans_y in column_boxes.values():
            spans_y.sort()
            for (_, b0), (t1, _) in itertools.pairwise(spans_y):
                if t1 - b0 > 12:
                    grid_y.add((b0 + t1) / 2)
        lines.append((sorted(grid_x), sorted(grid_y)))
        return lines[0]

    steps_xy = ((1, 0), (0, 1), (-1, 0), (0, -1))
    """Directions: right, down, left, up (index into steps_xy)."""

    def search(i: int, budget: int, whole: bool = False) -> tuple[str, list[Point]] | None:
        """The cheapest route on the grid (length, bends, crossings and shared lines with the
        flows placed so far), between the bands and columns of its ends and one beyond (on the
        `whole` grid when that has none)."""
        e = edges[i]
        s, t = nodes[e.source], nodes[e.target]
        ends = option_ends[i]
        starts = [
            (side, p, d)
            for side, p, d in (
                ("right", (s.right, s.y), 0),
                ("bottom", (s.x, s.bottom), 1),
                ("top", (s.x, s.top), 3),
            )
            if can_exit(s, side)
        ]
        goals = {
            p: d
            for side, p, d in (
                ("left", (t.left, t.y), 0),
                ("top", (t.x, t.top), 1),
                ("bottom", (t.x, t.bottom), 3),
            )
            if can_enter(t, side)
        }
        if not starts or not goals:
            return None
        band_s, band_t = lanes[step_lane[s.id]], lanes[step_lane[t.id]]
        y_lo, y_hi = min(band_s.y, band_t.y), max(band_s.y + band_s.h, band_t.y + band_t.h)
        x_lo = min(s.left, t.left) - styles.COLUMN_GAP
        x_hi = max(s.right, t.right) + styles.COLUMN_GAP
        xs_all, ys_all = grid_lines()
        xs = xs_all if whole else [x for x in xs_all if x_lo <= x <= x_hi]
        ys = ys_all if whole else [y for y in ys_all if y_lo <= y <= y_hi]
        xi = {x: k for k, x in enumerate(xs)}
        yi = {y: k for k, y in enumerate(ys)}
        ports = {p for _, p, _ in starts} | set(goals)
        if any(p[0] not in xi or p[1] not in yi for p in ports):
            return None
        # The lines straight out of each port, away from its symbol: a step on one may pass
        # through the air of the route's own ends (not the symbols), as a step into the port
        # does (a wider symbol's side in that air is a grid line; blocked, it would cut the
        # port off). Per line: 0 for a
        # horizontal one at y (1: vertical at x), that coordinate, the span of the other.
        rays: list[tuple[int, float, float, float]] = []
        for (px, py), d in [(p, d) for _, p, d in starts] + list(goals.items()):
            onwards = (d == 0 or d == 1) == ((px, py) not in goals)  # to the right or down
            along = py if d in (0, 2) else px
            at = px if d in (0, 2) else py
            rays.append((d % 2, along, at, math.inf) if onwards else (d % 2, along, -math.inf, at))

        def on_ray(a: Point, b: Point) -> bool:
            """Whether the step a-b lies on a line straight out of a port."""
            return any(
                a[1 - axis] == b[1 - axis] == along
                and lo <= min(a[axis], b[axis])
                and max(a[axis], b[axis]) <= hi
                for axis, along, lo, hi in rays
            )

        def step_cost(a: Point, b: Point) -> float | None:
            """What one grid step costs, None when it passes a symbol."""
            if a in ports or b in ports:
                if blocked(a, b, ends):
                    return None
            elif blocked(a, b, set(), ends if on_ray(a, b) else ()):
                return None
            total = LENGTH_COST * (abs(a[0] - b[0]) + abs(a[1] - b[1]))
            for _, (j, ver, tj) in drawn.near(seg_box(a, b)):
                if j == i or ver != version[j]:
                    continue
                p, q = chosen[j][1][tj], chosen[j][1][tj + 1]
                if _step_cross((a, b), (p, q)):
                    total += SIBLING_CROSS_COST if edges[j].source == e.source else CROSS_COST
                elif _orth_overlap((a, b), (p, q)) > 2 and edges[j].target != e.target:
                    total += SHARED_COST
            for box, (j, ver) in labels.near(seg_box(a, b)):
                if j != i and ver == version[j] and _crosses(box, a, b):
                    total += LABEL_COST
            return total

        def ahead(x: float, y: float) -> float:
            """Length to the nearest goal: a lower bound of what is left (A*)."""
            return LENGTH_COST * min(abs(x - gx) + abs(y - gy) for gx, gy in goals)

        def run_length(state: tuple[int, int, int], point: Point) -> float:
            """How far the route to `state` has run straight (counted up to MIN_RUN)."""
            run = 0.0
            cur = came[state]
            while cur is not None:
                p = (xs[cur[0]], ys[cur[1]])
                run = abs(point[0] - p[0]) + abs(point[1] - p[1])
                if run >= MIN_RUN or cur[2] != state[2]:
                    break
                cur = came[cur]
            return run

        heap: list[tuple[float, float, int, int, int, int, str]] = []
        for side, (px, py), d in starts:
            heap.append((ahead(px, py), 0.0, xi[px], yi[py], d, -1, side))
        heapq.heapify(heap)
        came: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
        done: dict[tuple[int, int, int], str] = {}
        best_at: dict[tuple[int, int, int], float] = {}
        while heap and len(done) < budget:
            _, c, x, y, d, prev, side = heapq.heappop(heap)
            state = (x, y, d)
            if state in done:
                continue
            done[state] = side
            came[state] = None if prev < 0 else _unpack(prev)
            point = (xs[x], ys[y])
            # `_tidy` drops a route with a run shorter than MIN_RUN: no turn (nor arrival)
            # before the run so far is that long.
            run = run_length(state, point)
            if point in goals and goals[point] == d and prev >= 0 and run >= MIN_RUN:
                path = [point]
                cur: tuple[int, int, int] | None = came[state]
                while cur is not None:
                    path.append((xs[cur[0]], ys[cur[1]]))
                    cur = came[cur]
                route = _tidy(path[::-1])
                return (side, route) if route else None
            for d2, (dx, dy) in enumerate(steps_xy):
                if d2 == (d + 2) % 4 or (d2 != d and (prev < 0 or run < MIN_RUN)):
                    continue
                nx, ny = x + dx, y + dy
                if not (0 <= nx < len(xs) and 0 <= ny < len(ys)):
                    continue
                nxt = (nx, ny, d2)
                if nxt in done:
                    continue
                step = step_cost(point, (xs[nx], ys[ny]))
                if step is None:
                    continue
                nc = c + step + (BEND_COST if d2 != d else 0.0)
                if nc < best_at.get(nxt, math.inf):
                    best_at[nxt] = nc
                    guess = nc + ahead(xs[nx], ys[ny])
                    heapq.heappush(heap, (guess, nc, nx, ny, d2, _pack(state), side))
        return None

    handles: list[tuple[list[int], int | None]] = [([], None)] * len(edges)
    chosen_shape: list[Shape] = [([], None)] * len(edges)
    """The shape of each flow's route as placed (`shape`)."""

    def unplace(i: int) -> None:
        version[i] += 1  # its segments and label no longer count
        active[i] = False
        segs, label = handles[i]
        for h in segs:
            drawn.discard(h)
        if label is not None:
            labels.discard(label)
        handles[i] = ([], None)

    def place(i: int, route: tuple[str, list[Point]], geo: Shape | None = None) -> None:
        unplace(i)
        version[i] += 1
        active[i] = True
        chosen[i] = route
        if geo is None:
            geo = shape(i, *route)
        chosen_shape[i] = geo
        segs, own = geo
        ver = version[i]
        handles[i] = (
            [drawn.add(box, (i, ver, k), where) for k, (_, _, box, where) in enumerate(segs)],
            labels.add(own[0], (i, ver), own[1]) if own is not None else None,
        )

    by_source: dict[str, list[int]] = {}
    for i, e in enumerate(edges):
        by_source.setdefault(e.source, []).append(i)

    # Per flow and candidate (lists, not dicts keyed by pairs: asked at every pick): whether
    # it keeps clear of the symbols, its shape, the cells pricing it looks into.
    clear: list[list[bool | None]] = [[None] * len(o) for o in options]
    shapes: list[list[Shape | None]] = [[None] * len(o) for o in options]
    cells_of: list[list[list[Cell] | None]] = [[None] * len(o) for o in options]
    # The other flows of each flow's step, and whether there are at most three in all.
    siblings = [[j for j in by_source[e.source] if j != i] for i, e in enumerate(edges)]
    few = [len(by_source[e.source]) <= 3 for e in edges]

    def clear_of_symbols(geo: Shape, ends: set[str]) -> bool:
        """Whether a route (by its shape) keeps clear of every symbol but its own ends."""
        return not any(blocked_at(box, where, ends) for _, _, box, where in geo[0])

    def usable(i: int, k: int) -> bool:
        """Whether candidate k of flow i keeps clear of every symbol (asked once)."""
        found = clear[i][k]
        if found is None:
            found = clear[i][k] = clear_of_symbols(option_shape(i, k), option_ends[i])
        return found

    def option_shape(i: int, k: int) -> Shape:
        found = shapes[i][k]
        if found is None:
            found = shapes[i][k] = shape(i, *options[i][k])
        return found

    def pick(i: int, looked: list[tuple[int, int]]) -> tuple[float, int]:
        """The cost and index of flow i's cheapest candidate route, given the others; each
        candidate priced against them goes into `looked` as (i, k)."""
        taken = {chosen[j][0] for j in siblings[i] if active[j]}
        best: tuple[float, int] | None = None
        # Cheapest on their own first: once a route's own cost reaches the best total, no
        # later one can win (the other costs are never negative).
        for own, k in bases[i]:
            if best is not None and own > best[0]:
                break
            side, points = options[i][k]
            if not usable(i, k):
                continue
            # The flows of one step leave by different sides while there are sides left.
            reuse = SIDE_COST if side in taken and few[i] else 0.0
            looked.append((i, k))
            c = own + reuse + cost(i, side, points, option_shape(i, k))
            if best is None or (c, k) < best:
                best = (c, k)
        if best is None:  # nothing keeps clear of the symbols: the last resort anyway
            k = len(options[i]) - 1
            side, points = options[i][k]
            looked.append((i, k))
            return base(i, side, points) + cost(i, side, points, option_shape(i, k)), k
        return best

    def option_cells(i: int, k: int) -> list[Cell]:
        """The grid cells that pricing candidate k of flow i looks into."""
        found = cells_of[i][k]
        if found is None:
            segs, own = option_shape(i, k)
            found = [cell for seg in segs for cell in seg[3]] + (own[1] if own else [])
            cells_of[i][k] = found
        return found

    def put(i: int, k: int) -> None:
        """Place candidate k of flow i."""
        place(i, options[i][k], option_shape(i, k))

    bases = [
        sorted((base(i, side, points), k) for k, (side, points) in enumerate(options[i]))
        for i in range(len(edges))
    ]

    def lift(group: Sequence[int]) -> None:
        for j in group:
            unplace(j)

    settled: dict[int, tuple[list[list[int]], int, set[tuple[int, int]], int]] = {}
    """Per group of flows (by its first): the candidates each order picked, the cheapest
    order, the grid cells of every candidate priced, and the clock when it was placed."""

    def settle(group: Sequence[int]) -> None:
        """Place a step's flows anew, against all the others: lifted first and placed again
        in the order (of at most six) that costs least in all.

        When no other flow was placed into or taken out of any cell that a candidate priced
        last time lies in, every pick would price the same candidates at the same costs:
        the picks are replayed instead of priced again (the same placements, in the same
        order, so the grids end exactly as they would)."""
        orders = list(itertools.permutations(group)) if len(group) <= 3 else [tuple(group)]
        last = settled.get(group[0])
        if last is not None and drawn.still(last[2], last[3]) and labels.still(last[2], last[3]):
            picked, cheapest, cells = last[0], last[1], last[2]
            for order, chosen_k in zip(orders, picked, strict=True):
                lift(group)
                for j, n in zip(order, chosen_k, strict=True):
                    put(j, n)
        else:
            looked: list[tuple[int, int]] = []
            best: tuple[float, int] | None = None
            picked = []
            for k, order in enumerate(orders):
                lift(group)
                total = 0.0
                picked.append([])
                for j in order:
                    c, n = pick(j, looked)
                    total += c
                    put(j, n)
                    picked[-1].append(n)
                if best is None or (total, k) < best:
                    best = (total, k)
            assert best is not None
            cheapest = best[1]
            cells = {cell for i_k in set(looked) for cell in option_cells(*i_k)}
        if cheapest != len(orders) - 1:
            # Placed again as tried: each pick saw what it sees now (the same flows in the
            # same cells), so it would choose the same route again.
            lift(group)
            for j, n in zip(orders[cheapest], picked[cheapest], strict=True):
                put(j, n)
        settled[group[0]] = (picked, cheapest, cells, clock[0])

    for i in range(len(edges)):
        if len(by_source[edges[i].source]) == 1:
            settle([i])
        else:
            put(i, pick(i, [])[1])

    # Each step's flows again, against all the others, so that two siblings can swap sides
    # (one alone would keep the other's way blocked).
    for _ in range(REROUTE_PASSES):
        for group in by_source.values():
            settle(group)

    # Last, each flow that no template draws clear of the symbols (the last resort above runs
    # through one) or off the other flows' lines once more, on the grid against all the others.
    # A route through a symbol hides the symbol or reads as passing through it: any route on the
    # grid (which keeps clear of every symbol) replaces it, searched on the whole grid when the
    # ends' bands and columns have none. A route off the others' lines is kept when it costs
    # less, so that no other flow gets worse (what two flows do to each other counts for both).
    # Flows that only cross are left as they are: searching for each would cost more time than
    # linear, for few crossings less.
    for i in range(len(edges)):
        side, points = chosen[i]
        now = cost(i, side, points, chosen_shape[i])
        through = not clear_of_symbols(chosen_shape[i], option_ends[i])
        if not through and now < SHARED_COST:
            continue
        found = search(i, SEARCH_STATES)
        if found is None and through:
            found = search(i, WHOLE_SEARCH_STATES, whole=True)
        if found is None:
            continue
        if through:
            place(i, found)
            continue
        taken = {chosen[j][0] for j in by_source[edges[i].source] if j != i and active[j]}

        def reuse(side: str, i: int = i, taken: set[str] = taken) -> float:
            return SIDE_COST if side in taken and len(by_source[edges[i].source]) <= 3 else 0.0

        if (
            base(i, *found) + reuse(found[0]) + cost(i, *found)
            < base(i, side, points) + reuse(side) + now
        ):
            place(i, found)

    used: dict[tuple[str, str], int] = {}
    routes: list[EdgeRoute] = []
    for i, e in enumerate(edges):
        side, points = chosen[i]
        nth = used.get((e.source, side), 0)
        used[(e.source, side)] = nth + 1
        label_at = _label_at(e.label, side, points, nth)
        routes.append(EdgeRoute(e.source, e.target, e.label, tuple(points), label_at))
    # What a moved label must keep clear of besides the flows: every symbol (with an event's
    # name under it) and the lanes' edges.
    symbols = [
        (
            n.x - (max(n.w, styles.EVENT_LABEL_W) if n.kind in styles.EVENTS else n.w) / 2,
            n.top,
            n.x + (max(n.w, styles.EVENT_LABEL_W) if n.kind in styles.EVENTS else n.w) / 2,
            n.bottom + (label_h[n.id] if n.kind in styles.EVENTS else 0.0),
        )
        for n in nodes.values()
        if n.name_box is None
    ]
    for n in nodes.values():
        if n.name_box is not None:
            symbols += [(n.left, n.top, n.right, n.bottom), n.name_box]
    lane_edges = sorted({y for lane in lanes.values() for y in (lane.y, lane.y + lane.h)})
    return _clear_labels(routes, symbols, lane_edges)


Box = tuple[float, float, float, float]
"""(left, top, right, bottom)."""
Cell = tuple[int, int]
"""A square of a `_Grid` (its column and row of cells)."""
Shape = tuple[list[tuple[Point, Point, Box, list[Cell]]], tuple[Box, list[Cell]] | None]
"""A route's segments (ends, box and the box's grid cells each) and its label's box with
its cells, if it has a label."""
T = TypeVar("T")

GRID_CELL = 160.0
"""The side of a `_Grid`'s cells, in points."""


def _cells_at(box: Box) -> list[Cell]:
    """The cells of a `_Grid` that a box touches: where `_Grid.near` looks for it."""
    floor = math.floor
    x0, y0 = floor(box[0] / GRID_CELL), floor(box[1] / GRID_CELL)
    x1, y1 = floor(box[2] / GRID_CELL), floor(box[3] / GRID_CELL)
    if x0 == x1 and y0 == y1:  # most boxes
        return [(x0, y0)]
    return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]


class _Grid(Generic[T]):
    """Boxes with a value each, bucketed by square cells: `near` yields only the entries whose
    cells a query box touches (each once), so a check costs what is close by, not every entry."""

    CELL = GRID_CELL

    def __init__(self, clock: list[int] | None = None) -> None:
        self.cells: dict[Cell, dict[int, None]] = {}
        """Per cell, its entries' handles in the order they came (a dict: one goes in O(1))."""
        self.entries: list[tuple[Box, T]] = []
        self.where: list[list[Cell]] = []
        """Per entry, the cells it is in (`cells_at` of its box, kept for `discard`)."""
        self.clock = clock if clock is not None else [0]
        """Ticks at every add and discard (shared by grids that change together)."""
        self.changed: dict[Cell, int] = {}
        """Per cell, the clock's tick when an entry last came or went."""

    def cells_at(self, box: Box) -> list[Cell]:
        """The cells a box touches: where `near` looks for it."""
        return _cells_at(box)

    def still(self, cells: Iterable[Cell], since: int) -> bool:
        """True when no entry came into or went out of `cells` after tick `since`."""
        changed = self.changed
        return all(changed.get(cell, 0) <= since for cell in cells)

    def add(self, box: Box, value: T, where: list[Cell] | None = None) -> int:
        """Add an entry (`where`: its box's `cells_at`, when known); its handle (for
        `discard`)."""
        n = len(self.entries)
        self.entries.append((box, value))
        if where is None:
            where = _cells_at(box)
        self.where.append(where)
        self.clock[0] += 1
        tick = self.clock[0]
        cells, changed = self.cells, self.changed
        for cell in where:
            found = cells.get(cell)
            if found is None:
                cells[cell] = {n: None}
            else:
                found[n] = None
            changed[cell] = tick
        return n

    def discard(self, n: int) -> None:
        """Take an entry out again (a flow routed anew)."""
        self.clock[0] += 1
        tick = self.clock[0]
        cells, changed = self.cells, self.changed
        for cell in self.where[n]:
            del cells[cell][n]
            changed[cell] = tick

    def near(self, box: Box) -> list[tuple[Box, T]]:
        """The entries whose cells `box` touches, each once (a list: most queries find few)."""
        return self.at(_cells_at(box))

    def at(self, where: list[Cell]) -> list[tuple[Box, T]]:
        """The entries in the cells `where` (a box's `cells_at`), each once."""
        entries, cells = self.entries, self.cells
        if len(where) == 1:
            # One cell (most boxes): its entries, each there once.
            found = cells.get(where[0])
            return [entries[n] for n in found] if found else []
        seen: set[int] = set()
        out: list[tuple[Box, T]] = []
        for cell in where:  # in the order of `cells_at`
            for n in cells.get(cell, ()):
                if n not in seen:
                    seen.add(n)
                    out.append(entries[n])
        return out


def _label_box(label: str, at: Point) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a branch label's text, with a little air around it."""
    w = styles.text_width(label, styles.LABEL_SIZE)
    return (at[0] - w / 2 - 2, at[1] - 6, at[0] + w / 2 + 2, at[1] + 6)


def _crosses(box: tuple[float, float, float, float], a: Point, b: Point) -> bool:
    """Whether an axis-parallel segment runs through a box."""
    left, top, right, bottom = box
    if a[1] == b[1]:
        return top <= a[1] <= bottom and min(a[0], b[0]) <= right and max(a[0], b[0]) >= left
    return left <= a[0] <= right and min(a[1], b[1]) <= bottom and max(a[1], b[1]) >= top


def _clear_labels(
    routes: list[EdgeRoute],
    symbols: list[tuple[float, float, float, float]],
    edges: list[float],
) -> list[EdgeRoute]:
    """Move a branch label that a flow routed later runs through (e.g. a loop back passing just
    under a decision) to the first free spot beside its line (either side, further along it) or
    on the other side of a rightward exit. Free means clear of every flow, symbol, lane edge and
    label placed before it; a label that no spot frees stays where it was."""
    if all(r.label_at is None for r in routes):
        return list(routes)  # nothing to move: no grids to build
    segments: _Grid[tuple[Point, Point]] = _Grid()
    for r in routes:
        for a, b in itertools.pairwise(r.points):
            segments.add(
                (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])), (a, b)
            )
    placed: _Grid[None] = _Grid()
    for box in symbols:
        placed.add(box, None)
    out: list[EdgeRoute] = []

    def free(box: tuple[float, float, float, float]) -> bool:
        # A lane's edge is a line across the whole width: only its height matters.
        at = bisect.bisect_left(edges, box[1])
        if at < len(edges) and edges[at] <= box[3]:
            return False
        if any(_crosses(box, a, b) for _, (a, b) in segments.near(box)):
            return False
        return not any(
            box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]
            for o, _ in placed.near(box)
        )

    for r in routes:
        at = r.label_at
        if at is None:
            out.append(r)
            continue
        (x, y), (x1, y1) = r.points[0], r.points[1]
        lx, ly = at
        if x == x1:  # leaves up or down: beside the vertical line, while it lasts
            along = [y + k * (ly - y) for k in (1, 2, 3, 4)]
            along = [y2 for y2 in along if abs(y2 - y) + 6 <= abs(y1 - y)] or [ly]
            spots = [p for y2 in along for p in ((lx, y2), (2 * x - lx, y2))]
            if len(r.points) > 2 and r.points[2][1] == y1:  # then beside the line it turns to
                x2 = r.points[2][0]
                w = styles.text_width(r.label, styles.LABEL_SIZE)
                step = 1.0 if x2 > x else -1.0
                # A label wider than the line's run may still fit past its turn (checked free).
                reach = max(int(abs(x2 - x) - w / 2), int(w / 2) + 8 + 24 * 4)
                for d in range(int(w / 2) + 8, reach, 24):
                    spots += [(x + step * d, y1 - 8), (x + step * d, y1 + 9)]
        else:  # leaves to the right: above or below the line, then further along it
            other = 2 * y - ly + (2 if ly < y else -2)
            spots = [at, (lx, other)]
            w = styles.text_width(r.label, styles.LABEL_SIZE)
            # Further along, never past the flow's far end (a label must stay by its flow).
            reach = int(max(p[0] for p in r.points) - w / 2 - 6 - lx)
            for d in range(24, reach, 24):
                spots += [(lx + d, ly), (lx + d, other)]
            if len(r.points) > 2 and r.points[2][0] == x1:  # then beside the line it turns to
                y2 = r.points[2][1]
                step = 1.0 if y2 > y1 else -1.0
                for d in range(16, int(abs(y2 - y1) - 6), 14):
                    spots += [(x1 + w / 2 + 6, y1 + step * d), (x1 - w / 2 - 6, y1 + step * d)]
        chosen = next((p for p in spots if free(_label_box(r.label, p))), at)
        placed.add(_label_box(r.label, chosen), None)
        out.append(replace(r, label_at=chosen) if chosen != at else r)
    return out


def _label_at(label: str, side: str, points: list[Point], nth: int) -> Point | None:
    """Where a branch label sits: beside the flow, just after it leaves the symbol.

    On a right exit the label goes above the line, unless the flow soon turns upwards (or a
    second branch already leaves to the right): then below it.
    """
    if not label:
        return None
    w = styles.text_width(label, styles.LABEL_SIZE)
    x, y = points[0]
    if side.startswith("right"):  # also a port beside the middle ("right+10")
        if side != "right":
            nth = 1 if side.startswith("right+") else 0
        turns_up = len(points) > 2 and points[2][1] < points[1][1] and points[1][0] - x < w + 10
        turns_down = len(points) > 2 and points[2][1] > points[1][1] and points[1][0] - x < w + 10
        below = (nth > 0 or turns_up) and not turns_down
        lx = x + 4 + w / 2
        if len(points) == 2:  # straight into the next symbol: end the label before it
            lx = min(lx, points[1][0] - 6 - w / 2)
        return (lx, y + 11 if below else y - 9)
    # Above or below the symbol: on the side of the vertical line the flow does not turn to.
    turns_right = len(points) > 2 and points[2][0] > points[1][0]
    lx = x - 6 - w / 2 if turns_right else x + 6 + w / 2
    return (lx, y - 10 if side == "top" else y + 10)
