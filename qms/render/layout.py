"""The swimlane layout: Graphviz `dot` orders the steps along the flow; lanes come from the model.

Plain clusters give bands of unequal width in an order dot picks itself. Here `dot -Tjson`
(rankdir=LR) is asked only for each step's column (rank) and its order inside the column;
the bands are then laid out as equal-height, full-width rows in the declared role order, every
step is placed in its lane, and the flows are routed orthogonally through the free space
between columns and along the bands' edges. The result is plain data (points, top-left origin,
y downwards) that the DOT builder pins with `neato -n2` and that a BPMN export can reuse as DI.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from qms.render import styles
from qms.views import FlowView

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


Ranks = dict[str, tuple[int, int]]
"""Step id -> (column, order inside the column)."""


def ranks_from_json(data: str) -> Ranks:
    """Columns and in-column order from `dot -Tjson` output of an LR graph."""
    doc = json.loads(data)
    pos: dict[str, tuple[float, float]] = {}
    for obj in doc.get("objects", []):
        if "pos" in obj and "nodes" not in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            pos[obj["name"]] = (x, y)
    xs = sorted({round(x, 1) for x, _ in pos.values()})
    column = {x: i for i, x in enumerate(xs)}
    ranks: Ranks = {}
    for col_x, col in column.items():
        in_col = sorted((-y, name) for name, (x, y) in pos.items() if round(x, 1) == col_x)
        for order, (_, name) in enumerate(in_col):
            ranks[name] = (col, order)
    return ranks


def run_dot_json_batch(sources: Sequence[str]) -> list[str]:
    """`dot -Tjson` over many graphs in one process; the outputs in the same order.

    Starting Graphviz costs more than laying out a small flow (about 6 ms against well under
    1 ms here), so one run per batch instead of one per process. When the batch fails or does
    not give one document per graph, each graph is run alone, so that the caller still learns
    which one Graphviz refused.
    """
    if not sources:
        return []
    proc = subprocess.run(
        ["dot", "-Tjson"],
        input="\n".join(sources).encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if proc.returncode == 0:
        text = proc.stdout.decode("utf-8")
        decoder = json.JSONDecoder()
        docs: list[str] = []
        at = 0
        try:
            while True:
                while at < len(text) and text[at].isspace():
                    at += 1
                if at >= len(text):
                    break
                _, end = decoder.raw_decode(text, at)
                docs.append(text[at:end])
                at = end
        except ValueError:
            docs = []
        if len(docs) == len(sources):
            return docs
    out: list[str] = []
    for source in sources:
        try:
            out.append(run_dot_json(source))
        except RuntimeError as err:
            out.append(f"!error {err}")
    return out


def run_dot_json(source: str) -> str:
    """Run `dot -Tjson` on a DOT text; raises RuntimeError with Graphviz's message."""
    proc = subprocess.run(
        ["dot", "-Tjson"], input=source.encode("utf-8"), capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout.decode("utf-8")


def compute(view: FlowView, ranks: Ranks) -> SwimlaneLayout:
    """Place every step in its lane and column, and route every flow."""
    lane_ids = [lane.id for lane in view.lanes]
    sizes = {s.id: styles.step_size(s.kind, s.name) for s in view.steps}
    below = {
        s.id: styles.event_label_height(s.name) if s.kind in styles.EVENTS else 0.0
        for s in view.steps
    }
    fallback = max((c for c, _ in ranks.values()), default=-1) + 1
    col_of = {s.id: ranks.get(s.id, (fallback, i))[0] for i, s in enumerate(view.steps)}
    ord_of = {s.id: ranks.get(s.id, (fallback, i))[1] for i, s in enumerate(view.steps)}
    ncols = max(col_of.values(), default=-1) + 1
    # Stacks: the steps sharing a lane and a column, top to bottom in dot's order.
    stacks: dict[tuple[str, int], list[str]] = {}
    for s in sorted(view.steps, key=lambda s: (col_of[s.id], ord_of[s.id], s.id)):
        stacks.setdefault((s.lane, col_of[s.id]), []).append(s.id)

    def stack_height(ids: list[str]) -> float:
        return sum(sizes[i][1] + below[i] for i in ids) + styles.STACK_GAP * (len(ids) - 1)

    need = max((stack_height(ids) for ids in stacks.values()), default=0.0)
    band_h = max(styles.MIN_LANE, need + 2 * styles.LANE_PAD)
    col_w = [
        max(
            (
                max(sizes[s][0], styles.EVENT_LABEL_W if below[s] else 0.0)
                for s in col_of
                if col_of[s] == c
            ),
            default=40.0,
        )
        for c in range(ncols)
    ]
    col_x: list[float] = []
    x = styles.LANE_HEADER + styles.COLUMN_GAP * 0.75
    for w in col_w:
        col_x.append(x + w / 2)
        x += w + styles.COLUMN_GAP
    width = x - styles.COLUMN_GAP * 0.25 + styles.EVENT_LABEL_ROOM
    top = styles.TITLE_HEIGHT
    lanes = [
        LaneBand(lane.id, lane.name, top + i * band_h, band_h) for i, lane in enumerate(view.lanes)
    ]
    lane_of = {lane.id: lane for lane in lanes}
    nodes: dict[str, NodeBox] = {}
    for (lane_id, col), ids in stacks.items():
        band = lane_of[lane_id]
        y = band.y + (band.h - stack_height(ids)) / 2
        for sid in ids:
            w, h, lines = sizes[sid]
            kind = next(s.kind for s in view.steps if s.id == sid)
            nodes[sid] = NodeBox(sid, kind, col_x[col], y + h / 2, w, h, tuple(lines))
            y += h + below[sid] + styles.STACK_GAP
    layout = SwimlaneLayout(width, top + band_h * len(lanes), top, styles.LANE_HEADER)
    layout.lanes = lanes
    layout.nodes = dict(sorted(nodes.items()))
    step_lane = {s.id: s.lane for s in view.steps}
    layout.edges = _route(view, layout, col_of, col_w, col_x, step_lane, lane_ids)
    return layout


def _route(
    view: FlowView,
    layout: SwimlaneLayout,
    col_of: dict[str, int],
    col_w: list[float],
    col_x: list[float],
    step_lane: dict[str, str],
    lane_ids: list[str],
) -> list[EdgeRoute]:
    """Orthogonal routes: the first candidate that crosses no symbol wins."""
    nodes = layout.nodes
    lanes = {lane.id: lane for lane in layout.lanes}
    label_h = {s.id: styles.event_label_height(s.name) for s in view.steps}
    gap = styles.COLUMN_GAP

    def blocked(a: Point, b: Point, ends: set[str]) -> bool:
        x0, x1 = sorted((a[0], b[0]))
        y0, y1 = sorted((a[1], b[1]))
        for n in nodes.values():
            if n.id in ends:
                continue
            half = max(n.w, styles.EVENT_LABEL_W) / 2 if n.kind in styles.EVENTS else n.w / 2
            bottom = n.bottom + (label_h[n.id] if n.kind in styles.EVENTS else 0.0)
            if x0 < n.x + half + 4 and x1 > n.x - half - 4 and y0 < bottom + 4 and y1 > n.top - 4:
                return True
        return False

    def free(points: list[Point], ends: set[str]) -> bool:
        return not any(blocked(a, b, ends) for a, b in itertools.pairwise(points))

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

    # Channel offsets: edges entering the same column spread a little apart.
    into: dict[int, list[str]] = {}
    for e in view.edges:
        into.setdefault(col_of[e.target], [])
        if e.target not in into[col_of[e.target]]:
            into[col_of[e.target]].append(e.target)
    out_sides: dict[str, set[str]] = {}
    back: dict[str, int] = {}
    used: list[str] = []
    routes: list[EdgeRoute] = []
    # Decisions' branches first, in a fixed order, so their exits are chosen deterministically.
    for e in view.edges:
        s, t = nodes[e.source], nodes[e.target]
        ends = {s.id, t.id}
        col_t = col_of[t.id]
        targets = sorted(into[col_t], key=lambda i: nodes[i].y)
        spread = (targets.index(t.id) - (len(targets) - 1) / 2) * 6
        # Never into the lane-name column, however many flows share the channel.
        ch_t = max(col_x[col_t] - col_w[col_t] / 2 - gap / 2 + spread, layout.header + 4)
        t_left = (t.left, t.y)
        sides = out_sides.setdefault(s.id, set())
        candidates: list[tuple[str, list[Point]]] = []
        if col_of[t.id] > col_of[s.id]:
            if abs(s.y - t.y) < 1:
                candidates.append(("right", [(s.right, s.y), t_left]))
            if s.kind == "decision" and abs(s.y - t.y) >= 1:
                side = "top" if t.y < s.y else "bottom"
                exit_y = s.top if side == "top" else s.bottom
                candidates.append((side, [(s.x, exit_y), (s.x, t.y), t_left]))
            candidates.append(("right", [(s.right, s.y), (ch_t, s.y), (ch_t, t.y), t_left]))
            ch_s = s.right + gap / 2
            candidates.append(("right", [(s.right, s.y), (ch_s, s.y), (ch_s, t.y), t_left]))
            band = lanes[step_lane[s.id]]
            low = t.y > s.y or step_lane[s.id] == step_lane[t.id]
            corridor = band.y + band.h - 10 if low else band.y + 10
            if s.kind == "decision":
                side = "bottom" if low else "top"
                exit_y = s.bottom if low else s.top
                candidates.append(
                    (side, [(s.x, exit_y), (s.x, corridor), (ch_t, corridor), (ch_t, t.y), t_left])
                )
            candidates.append(("right", detour(s, t, ch_s, corridor, ch_t)))
        else:
            band = lanes[step_lane[s.id]]
            loops = back.get(band.id, 0)
            back[band.id] = loops + 1
            preferred = ["bottom", "top"] if "bottom" not in sides else ["top", "bottom"]
            for side in preferred:
                exit_y = s.bottom if side == "bottom" else s.top
                if side == "bottom":
                    corridor = band.y + band.h - 10 - 5 * loops
                else:
                    corridor = band.y + 10 + 5 * loops
                # A decision's top and bottom are its exits: loops enter it from the left.
                if step_lane[s.id] == step_lane[t.id] and t.kind != "decision":
                    entry = (t.x, t.bottom if side == "bottom" else t.top)
                    candidates.append(
                        (side, [(s.x, exit_y), (s.x, corridor), (t.x, corridor), entry])
                    )
                candidates.append(
                    (side, [(s.x, exit_y), (s.x, corridor), (ch_t, corridor), (ch_t, t.y), t_left])
                )
            # Last resort: leave to the right, then run along the band's lower edge.
            ch_s = s.right + gap / 2
            corridor = band.y + band.h - 10 - 5 * loops
            candidates.append(("right", detour(s, t, ch_s, corridor, ch_t)))
        chosen = candidates[-1]
        for cand in candidates:
            if cand[0] in sides and s.kind == "decision" and cand[0] != "right":
                continue
            if free(cand[1], ends):
                chosen = cand
                break
        side, points = chosen
        nth = sum(1 for r, sd in zip(routes, used, strict=True) if r.source == s.id and sd == side)
        sides.add(side)
        used.append(side)
        label_at = _label_at(e.label, side, points, nth)
        routes.append(EdgeRoute(e.source, e.target, e.label, tuple(points), label_at))
    return routes


def _label_at(label: str, side: str, points: list[Point], nth: int) -> Point | None:
    """Where a branch label sits: beside the flow, just after it leaves the symbol.

    On a right exit the label goes above the line, unless the flow soon turns upwards (or a
    second branch already leaves to the right): then below it.
    """
    if not label:
        return None
    w = styles.text_width(label, styles.FONT_SIZE - 1)
    x, y = points[0]
    if side == "right":
        turns_up = len(points) > 2 and points[2][1] < points[1][1] and points[1][0] - x < w + 10
        turns_down = len(points) > 2 and points[2][1] > points[1][1] and points[1][0] - x < w + 10
        below = (nth > 0 or turns_up) and not turns_down
        return (x + 4 + w / 2, y + 11 if below else y - 9)
    # Above or below the symbol: on the side of the vertical line the flow does not turn to.
    turns_right = len(points) > 2 and points[2][0] > points[1][0]
    lx = x - 6 - w / 2 if turns_right else x + 6 + w / 2
    return (lx, y - 10 if side == "top" else y + 10)


def layout_flow(view: FlowView, run: Callable[[str], str] = run_dot_json) -> SwimlaneLayout:
    """Order the steps with `dot` (via `run`), then lay out the lanes."""
    from qms.render.dot import order_source

    return compute(view, ranks_from_json(run(order_source(view))))
