"""The swimlane layout: equal full-width bands in declared order, every step inside its lane."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qms.render import styles
from qms.render.layout import _label_box, _orth_cross, _orth_overlap, border_events, compute
from qms.views import FlowEdge, FlowView, Lane, StepView, flow_view
from tests.conftest import LAMPPU, requires_dot
from tests.render.helpers import fixed_ranks, small


def check(view, layout) -> None:  # type: ignore[no-untyped-def]
    for r in range(layout.rows):
        heights = {round(lane.h, 3) for lane in layout.lanes if lane.row == r}
        assert len(heights) == 1, "the bands of a row must be of equal height"
    declared = [lane.id for lane in view.lanes]
    lane_of = {s.id: s.lane for s in view.steps}
    if layout.rows == 1:
        assert [lane.id for lane in layout.lanes] == declared, "unfolded: every role's lane"
    spans = layout.row_spans()
    assert len(spans) == layout.rows
    for (_, bottom), (top, _) in itertools.pairwise(spans):
        assert top == pytest.approx(bottom + styles.ROW_GAP), "rows stack with a gap"
    assert spans[-1][1] == pytest.approx(layout.height)
    for r, (top, bottom) in enumerate(spans):
        row = [lane for lane in layout.lanes if lane.row == r]
        ids = [lane.id for lane in row]
        assert ids == [i for i in declared if i in ids], "declared order"
        if layout.rows > 1:
            used = {
                lane_of[n.id]
                for n in layout.nodes.values()
                if top < n.y < bottom and n.id in lane_of
            }
            assert set(ids) == used, "a folded row draws exactly the lanes it uses"
        for above, below in itertools.pairwise(row):
            assert below.y == pytest.approx(above.y + above.h)
    on_border = border_events(view)
    for sid, box in layout.nodes.items():
        if box.kind == "connector":
            continue
        lane = lane_of[on_border[sid][0]] if sid in on_border else lane_of[sid]
        bands = [band for band in layout.lanes if band.id == lane]
        assert any(b.y <= box.top and box.bottom <= b.y + b.h for b in bands), sid
        assert layout.header < box.left and box.right < layout.width, sid
        if box.name_box is not None:  # an event's name beside it stays in its band too
            left, top, _, bottom = box.name_box
            assert any(b.y <= top and bottom <= b.y + b.h for b in bands), sid
            assert layout.header < left, sid
    check_border(view, layout)
    for a in layout.nodes.values():
        for b in layout.nodes.values():
            hosts = {on_border[i][0] for i in (a.id, b.id) if i in on_border}
            if hosts & {a.id, b.id}:
                continue  # an event on its host's border
            if a.id < b.id:
                apart = a.right <= b.left or b.right <= a.left
                apart = apart or a.bottom <= b.top or b.bottom <= a.top
                assert apart, f"{a.id} overlaps {b.id}"
    for route in layout.edges:
        assert len(route.points) >= 2
        for a, b in itertools.pairwise(route.points):  # never across another symbol
            x0, x1 = sorted((a[0], b[0]))
            y0, y1 = sorted((a[1], b[1]))
            for n in layout.nodes.values():
                if n.id not in (route.source, route.target):
                    inside = x0 < n.right - 1 and x1 > n.left + 1
                    assert not (inside and y0 < n.bottom - 1 and y1 > n.top + 1), (route, n.id)
        for (x0, y0), (x1, y1) in zip(route.points, route.points[1:], strict=False):
            assert x0 == pytest.approx(x1) or y0 == pytest.approx(y1), "orthogonal"
            assert min(x0, x1) >= layout.header, "no flow crosses a lane's name"
    check_connectors(view, layout)


def check_border(view, layout) -> None:  # type: ignore[no-untyped-def]
    """An event attached to a task sits on its top or bottom edge, its flows leave outwards
    from there, and the link to its host is the border itself (no drawn line)."""
    on_border = border_events(view)
    drawn = {(r.source, r.target) for r in layout.edges}
    for event, (host_id, _) in on_border.items():
        e, host = layout.nodes[event], layout.nodes[host_id]
        assert e.name_box is not None
        assert e.y in (pytest.approx(host.top), pytest.approx(host.bottom)), event
        assert host.left < e.x < host.right, event
        assert (host_id, event) not in drawn
        left, top, right, bottom = e.name_box
        band = next(b for b in layout.lanes if b.y <= host.y <= b.y + b.h)
        assert band.y <= top and bottom <= band.y + band.h, f"the name of {event} leaves its band"
        for other in layout.nodes.values():
            if other.id != event:
                apart = right <= other.left or other.right <= left
                apart = apart or bottom <= other.top or other.bottom <= top
                assert apart, f"the name of {event} overlaps {other.id}"
        for r in layout.edges:
            if r.source == event:
                (x0, y0), (_, y1) = r.points[:2]
                outwards = y1 > y0 if e.y > host.y else y1 < y0
                assert x0 == pytest.approx(e.x) and outwards, (event, r.points)


def check_no_crossing(layout) -> None:  # type: ignore[no-untyped-def]
    """No two flows of a layout cross."""
    for a, b in itertools.combinations(layout.edges, 2):
        for s in itertools.pairwise(a.points):
            for t in itertools.pairwise(b.points):
                assert not _orth_cross(s, t), f"{a.source}>{a.target} crosses {b.source}>{b.target}"


def check_connectors(view, layout) -> None:  # type: ignore[no-untyped-def]
    """Every flow is drawn once: whole, or as a lettered out/in connector pair across rows."""
    conn = {sid: box for sid, box in layout.nodes.items() if box.kind == "connector"}
    assert layout.rows > 1 or not conn
    drawn = {(r.source, r.target) for r in layout.edges}
    outs = {r.target: r.source for r in layout.edges if r.target in conn}
    ins = {r.source: r.target for r in layout.edges if r.source in conn}
    assert len(drawn) == len(layout.edges)
    on_border = border_events(view)
    flows = [e for e in view.edges if not (e.attached and e.target in on_border)]
    whole = {(e.source, e.target) for e in flows} & drawn
    assert len(whole) + len(outs) == len(flows)
    assert {o.removesuffix("-out") for o in outs} == {i.removesuffix("-in") for i in ins}
    row_h = {lane.row: lane.y for lane in layout.lanes}
    for o, source in outs.items():
        i = o.removesuffix("-out") + "-in"
        assert conn[o].lines == conn[i].lines == (o[1:-4],), "both ends carry the letter"
        assert (source, ins[i]) in {(e.source, e.target) for e in view.edges}
        assert conn[o].x > layout.nodes[source].x, "out-connectors close a row at the right"
        assert conn[i].x < layout.nodes[ins[i]].x, "in-connectors open a row at the left"
    assert sorted(row_h) == list(range(layout.rows))


def test_small_layout() -> None:
    _, index = small()
    proc = index.processes[("demo", "palaute")]
    view = flow_view(index, proc, "fi")
    flat = compute(view, fixed_ranks("palaute"), fold=False)
    assert [lane.id for lane in flat.lanes] == ["rehtori", "laatupaallikko", "opettaja"]
    check(view, flat)
    layout = compute(view, fixed_ranks("palaute"))
    # Six columns do not fit a landscape A4 page at 8 pt: two rows that do.
    assert flat.width > styles.FOLD_WIDTH
    assert layout.rows == 2 and layout.width <= styles.FOLD_WIDTH
    check(view, layout)


@pytest.mark.dot
@requires_dot
def test_lamppu_layouts() -> None:
    from qms.index import Index
    from qms.load import load
    from qms.render import layout_flow

    ws = load(LAMPPU).workspace
    assert ws is not None
    index = Index.build(ws)
    assert index.processes
    for proc in index.processes.values():
        view = flow_view(index, proc, "fi")
        check(view, layout_flow(view))


@settings(max_examples=60, deadline=None)
@given(
    lanes=st.lists(st.integers(0, 3), min_size=2, max_size=12),
    loops=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=3),
    cols=st.lists(st.integers(0, 2), min_size=12, max_size=12),
    border=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=3),
)
# Two events on one task, each with a flow back into the task (a retry): out and around.
@example(lanes=[0, 1], loops=[], cols=[0] * 12, border=[(0, 0), (0, 0)])
# Eight steps of one column in two alternating lanes: seven flows into the column, whose
# channels spread past its gap into the symbols, and a last-resort route through a decision.
@example(lanes=[1, 0, 1, 0, 1, 0, 1, 0], loops=[], cols=[0] * 12, border=[])
# A wider decision above the target decision in its column: its side, a grid line in the air
# in front of the target's port, cut the grid search off from the port.
@example(
    lanes=[0, 0, 2, 0, 2, 2, 0, 1, 0, 2, 0, 2], loops=[(1, 11), (4, 3)], cols=[0] * 12, border=[]
)
def test_any_flow_keeps_bands_equal_and_steps_inside(
    lanes: list[int],
    loops: list[tuple[int, int]],
    cols: list[int],
    border: list[tuple[int, int]],
) -> None:
    """Random chains with random lanes, loops, shared columns and events on tasks' borders
    (with a flow each to a random step) keep the layout invariants."""
    n = len(lanes)
    steps = tuple(
        StepView(
            f"s{i}", "decision" if i % 4 == 2 else "task", f"Vaihe {i} " * (i % 3 + 1), f"r{lane}"
        )
        for i, lane in enumerate(lanes)
    )
    edges = {(f"s{i}", f"s{i + 1}") for i in range(n - 1)}
    edges |= {(f"s{a}", f"s{b}") for a, b in loops if a < n and b < n and a != b}
    flows = [FlowEdge(a, b, "kyllä") for a, b in sorted(edges)]
    for k, (host, to) in enumerate(border):
        if host < n and to < n and steps[host].kind == "task":
            event = StepView(f"b{k}", "event", f"Aikaraja {k}", steps[host].lane)
            steps += (event,)
            flows += [FlowEdge(f"s{host}", event.id, attached=True), FlowEdge(event.id, f"s{to}")]
    order = sorted({s.lane for s in steps})
    view = FlowView(
        "o",
        "p",
        "P",
        "",
        "",
        "luonnos",
        tuple(Lane(r, r) for r in order),
        steps,
        tuple(flows),
    )
    # Columns as dot would give them: along the chain, sometimes two steps share a column.
    ranks, col = {}, 0
    for i in range(n):
        ranks[f"s{i}"] = (col, 0)
        col += 1 if cols[i] else 0
        if cols[i] == 0:
            col += 1 if any(s.lane == steps[i].lane for s in steps[i + 1 : i + 2]) else 0
    check(view, compute(view, ranks))
    flat = compute(view, ranks, fold=False)
    assert flat.rows == 1
    check(view, flat)


def chain(n: int, lanes: int = 2) -> tuple[FlowView, dict[str, tuple[int, int]]]:
    """A straight flow of n tasks alternating over `lanes` lanes, one column each."""
    steps = tuple(
        StepView(f"t{i:02d}", "task", f"Tehtävä numero {i} tehdään", f"r{i % lanes}")
        for i in range(n)
    )
    edges = tuple(FlowEdge(f"t{i:02d}", f"t{i + 1:02d}") for i in range(n - 1))
    lanes_ = tuple(Lane(f"r{j}", f"Rooli {j}") for j in range(lanes))
    view = FlowView("o", "p", "P", "", "", "luonnos", lanes_, steps, edges)
    return view, {s.id: (i, 0) for i, s in enumerate(steps)}


def test_short_flow_is_not_folded() -> None:
    """A flow that fits the print width is laid out exactly as without folding."""
    _, index = small()
    view = flow_view(index, index.processes[("demo", "johtaminen")], "fi")
    ranks = fixed_ranks("johtaminen")
    folded, flat = compute(view, ranks), compute(view, ranks, fold=False)
    assert folded.rows == 1
    assert folded == flat


def test_long_flow_folds_into_readable_rows() -> None:
    view, ranks = chain(16)
    flat = compute(view, ranks, fold=False)
    assert flat.rows == 1 and flat.width > styles.FOLD_WIDTH
    folded = compute(view, ranks)
    assert folded.rows > 1
    assert folded.width <= styles.FOLD_WIDTH
    assert styles.print_size(folded.width) >= styles.MIN_PRINT_SIZE
    assert folded.height > flat.height
    check(view, folded)
    # A chain crosses each fold with exactly one flow: A, B, ... in reading order.
    letters = sorted(b.lines[0] for b in folded.nodes.values() if b.kind == "connector")
    expected = [layout_connector_name(i) for i in range(folded.rows - 1)]
    assert letters == sorted(expected * 2)
    # Rows stack top to bottom with a gap; both lanes have steps in every row.
    tops = [lane.y for lane in folded.lanes if lane.id == "r0"]
    assert tops == sorted(tops) and len(tops) == folded.rows
    assert tops[1] - tops[0] == pytest.approx(2 * folded.lanes[0].h + styles.ROW_GAP)


def layout_connector_name(i: int) -> str:
    from qms.render.layout import connector_name

    return connector_name(i)


def test_connector_names() -> None:
    names = [layout_connector_name(i) for i in (0, 1, 25, 26, 27, 701, 702)]
    assert names == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_folded_rows_draw_only_their_lanes() -> None:
    """Each row of a folded flow has the bands of the lanes it uses, in the declared order;
    the unfolded flow keeps every lane."""
    view, ranks = chain(14, lanes=3)
    lanes = ["r0", "r1"] * 4 + ["r2", "r1"] * 3
    steps = tuple(replace(s, lane=lane) for s, lane in zip(view.steps, lanes, strict=True))
    view = replace(view, steps=steps)
    folded, flat = compute(view, ranks), compute(view, ranks, fold=False)
    assert [lane.id for lane in flat.lanes] == ["r0", "r1", "r2"]
    assert folded.rows == 4
    rows = [[lane.id for lane in folded.lanes if lane.row == r] for r in range(4)]
    assert rows == [["r0", "r1"], ["r0", "r1"], ["r0", "r1", "r2"], ["r1", "r2"]]
    check(view, folded)


def test_folds_where_fewest_flows_cross() -> None:
    """Two tight groups joined by one flow: the fold falls between the groups."""
    view, ranks = chain(7)
    # Extra flows inside the first four columns and inside the last three.
    extra = (
        FlowEdge("t00", "t02"), FlowEdge("t01", "t03"), FlowEdge("t03", "t01"),
        FlowEdge("t04", "t06"),
    )  # fmt: skip
    view = FlowView(
        view.organisation, view.process, view.title, "", "", "luonnos",
        view.lanes, view.steps, view.edges + extra,
    )  # fmt: skip
    from qms.render.layout import fold_points

    col_of = {k: c for k, (c, _) in ranks.items()}
    assert fold_points(view, col_of) == [(0, 4), (4, 7)]
    layout = compute(view, ranks)
    assert sum(1 for b in layout.nodes.values() if b.kind == "connector") == 2
    check(view, layout)


def test_no_row_holds_a_lone_step_when_a_better_split_exists() -> None:
    """LAMPPU's redu/henkilosto in small: a start, a task, a decision whose two branches run
    into the rest. Counting each flow across a fold at both its ends made the fold after the
    first task (a row of a start and one step) as cheap as an even one, and ties go to the
    earliest fold. Now a row of one step besides its events is taken only when nothing else
    fits."""
    from qms.render.layout import fold_points

    def task(i: int, lane: str = "r0") -> StepView:
        return StepView(f"t{i}", "task", f"Tehtävä {i}", lane)

    steps = (
        StepView("s", "start", "Alku", "r1"), task(1), StepView("d", "decision", "Rahaa?", "r0"),
        task(3, "r1"), task(4, "r1"), task(5, "r1"), task(6), task(7),
        StepView("e", "end", "Loppu", "r0"),
    )  # fmt: skip
    cols = {"s": 0, "t1": 1, "d": 2, "t3": 3, "t4": 4, "t5": 4, "t6": 5, "t7": 6, "e": 7}
    pairs = [("s", "t1"), ("t1", "d"), ("t3", "t4"), ("t4", "t6"), ("t5", "t6"), ("t6", "t7")]
    edges = (
        *(FlowEdge(a, b) for a, b in pairs),
        FlowEdge("d", "t3", "kyllä"), FlowEdge("d", "t5", "ei"), FlowEdge("t7", "e"),
    )  # fmt: skip
    lanes = (Lane("r0", "Talousjohtaja"), Lane("r1", "Esimies"))
    view = FlowView("o", "p", "P", "", "", "luonnos", lanes, steps, edges)
    rows = fold_points(view, cols)
    assert len(rows) == 2
    kinds = {s.id: s.kind for s in steps}
    for a, b in rows:
        inside = [s for s, c in cols.items() if a <= c < b and kinds[s] not in styles.EVENTS]
        assert len(inside) >= 2, f"row {a}-{b} holds {inside}"


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 30),
    lanes=st.integers(1, 4),
    crossed=st.dictionaries(st.tuples(st.integers(0, 29), st.integers(1, 30)), st.integers(0, 3)),
)
def test_folds_chosen_routing_few_rows_are_those_with_every_row_routed(
    n: int, lanes: int, crossed: dict[tuple[int, int], int]
) -> None:
    """`fold_points` routes only the rows of its best folding so far (the others counted as
    crossing nothing) until they are all routed: the folding must be the one chosen with the
    crossings of every candidate row known, ties and all."""
    from qms.render.layout import _best_folding, fold_points, fold_rows

    view, ranks = chain(n, lanes=lanes)
    col_of = {k: c for k, (c, _) in ranks.items()}
    asked: list[tuple[int, int]] = []

    def crossings(a: int, b: int) -> int:
        asked.append((a, b))
        return crossed.get((a, b), 0)

    rows = fold_rows(view, col_of)
    every = {row: crossed.get(row, 0) for row in rows}
    assert fold_points(view, col_of, crossings) == _best_folding(n, rows, every)
    assert len(asked) == len(set(asked)) <= len(rows)


def test_folding_is_deterministic() -> None:
    view, ranks = chain(14, lanes=3)
    assert compute(view, ranks) == compute(view, dict(reversed(list(ranks.items()))))


def _every_folding_leaves_one_alone(view: FlowView, rows: int) -> bool:
    """Whether every folding of a flow into `rows` rows that fits the page (each row as wide
    as styles.FOLD_WIDTH and as tall as styles.ROW_HEIGHT at most) and whose flows do not
    cross has a row holding fewer than two steps besides its events: tried one by one, each
    laid out in full (a crossing misleads more than a lone step)."""
    from qms.render.dot import order_source
    from qms.render.layout import _crossings, _folded, ranks_from_json, run_dot_json

    ranks = ranks_from_json(run_dot_json(order_source(view)))
    col_of = {s.id: ranks[s.id][0] for s in view.steps}
    ord_of = {s.id: ranks[s.id][1] for s in view.steps}
    kinds = {s.id: s.kind for s in view.steps}
    n = max(col_of.values()) + 1
    for cuts in itertools.combinations(range(1, n), rows - 1):
        bounds = [0, *cuts, n]
        segments = list(itertools.pairwise(bounds))
        placed = _folded(view, col_of, ord_of, segments)
        if any(
            p.width > styles.FOLD_WIDTH or p.height > styles.ROW_HEIGHT or _crossings(p)
            for p in placed
        ):
            continue
        if all(
            sum(1 for s, c in col_of.items() if a <= c < b and kinds[s] not in styles.EVENTS) >= 2
            for a, b in segments
        ):
            return False
    return True


@pytest.mark.dot
@requires_dot
def test_lamppu_flows_readable_on_a4() -> None:
    """Every LAMPPU flow, printed on a landscape A4 page, keeps its text at
    styles.MIN_PRINT_SIZE (8 pt) or more.

    Computed from the layout: the drawing (with Graphviz's border) scaled to fit
    styles.PRINT_WIDTH, and every row (the first with the title) to fit styles.PRINT_HEIGHT,
    since the DOCX cuts a flow taller than the page between rows. Long flows fold into at
    most four rows. BPMN keeps the unfolded layout (one contiguous band per lane).
    """
    from qms.bpmn.export import swimlane_layout
    from qms.index import Index
    from qms.load import load
    from qms.render import layout_flow

    ws = load(LAMPPU).workspace
    assert ws is not None
    index = Index.build(ws)
    folded = 0
    for proc in index.processes.values():
        view = flow_view(index, proc, "fi")
        layout = layout_flow(view)
        size = styles.print_size(layout.width)
        assert size >= styles.MIN_PRINT_SIZE, f"{view.name}: {size:.1f} pt at A4 width"
        assert layout.rows <= 4, view.name
        # The pictures the DOCX cuts: from the middle of one gap between rows to the next.
        spans = layout.row_spans()
        cuts = [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(spans)]
        bounds = [-styles.PAD, *cuts, layout.height + styles.PAD]
        for top, bottom in itertools.pairwise(bounds):
            size = styles.print_size(layout.width, height=bottom - top - 2 * styles.PAD)
            assert size >= styles.MIN_PRINT_SIZE, f"{view.name}: a row prints at {size:.1f} pt"
        folded += layout.rows > 1
        # Balanced folds: every row holds at least two steps besides its events, except where
        # every folding into as few rows leaves one alone.
        kinds = {s.id: s.kind for s in view.steps}
        for top, bottom in spans:
            inside = [n for n in layout.nodes.values() if top <= n.y <= bottom and n.id in kinds]
            if sum(kinds[n.id] not in styles.EVENTS for n in inside) < 2:
                assert _every_folding_leaves_one_alone(view, layout.rows), view.name
        bpmn = swimlane_layout(view)
        assert bpmn.rows == 1 and len(bpmn.lanes) == len(view.lanes)
    assert folded, "LAMPPU has long flows: some must fold"


@pytest.mark.dot
@requires_dot
def test_lamppu_branch_labels_stay_off_the_flows() -> None:
    """No branch label of a LAMPPU flow sits on a line: a loop back routed under a decision
    after its label was placed moves the label (`_clear_labels`), not over it."""
    from qms.index import Index
    from qms.load import load
    from qms.render import layout_flow
    from qms.render.layout import _crosses, _label_box

    ws = load(LAMPPU).workspace
    assert ws is not None
    index = Index.build(ws)
    labelled = 0
    for proc in index.processes.values():
        layout = layout_flow(flow_view(index, proc, "fi"))
        segments = [seg for r in layout.edges for seg in itertools.pairwise(r.points)]
        for r in layout.edges:
            if r.label_at is None:
                continue
            labelled += 1
            box = _label_box(r.label, r.label_at)
            hit = [seg for seg in segments if _crosses(box, *seg)]
            assert not hit, f"{proc.organisation}/{proc.id}: '{r.label}' on {hit}"
    assert labelled > 20


# --- a process beyond the documented limit (issue 15, item 7) -----------------------------------


def _long_view(n: int) -> FlowView:
    steps = tuple(StepView(f"s{i}", "task", f"Vaihe {i}", "r") for i in range(n))
    edges = tuple(FlowEdge(f"s{i}", f"s{i + 1}") for i in range(n - 1))
    return FlowView("o", "p", "P", "", "", "draft", (Lane("r", "Rooli"),), steps, edges)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_a_flow_beyond_the_limit_is_refused_before_any_graphviz_run(lang: str) -> None:
    from qms.render import build_jobs
    from qms.render import layout as layout_mod

    def no_dot(source: str) -> str:
        raise AssertionError("dot must not run for a refused flow")

    view = replace(_long_view(layout_mod.MAX_STEPS + 1), lang=lang)
    jobs, failures = build_jobs([view], {}, run=no_dot)
    assert jobs == []
    [(name, message)] = failures
    assert name == "o/p"
    assert f"{layout_mod.MAX_STEPS}" in message and f"{layout_mod.MAX_STEPS + 1}" in message
    assert ("aliprosesseihin" in message) == (lang == "fi")
    with pytest.raises(layout_mod.TooManySteps):
        compute(view, {})
    # Within the limit the same flow is laid out.
    within = _long_view(40)
    ranks = {s.id: (i, 0) for i, s in enumerate(within.steps)}
    assert len(compute(within, ranks, fold=False).nodes) == 40


@requires_dot
def test_render_and_bpmn_export_refuse_a_process_beyond_the_limit_with_a_message(
    tmp_path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from qms.cli import cli
    from qms.render import layout as layout_mod

    # The limit lowered so that a LAMPPU process (more than 12 steps) is beyond it.
    monkeypatch.setattr(layout_mod, "MAX_STEPS", 12)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["render", str(LAMPPU), "-o", str(out), "--format", "dot"])
    assert result.exit_code == 1, result.output
    assert "12" in result.output and "Traceback" not in result.output
    assert "aliprosesseihin" in result.output or "subprocesses" in result.output
    assert not isinstance(result.exception, layout_mod.TooManySteps)
    small = [p for p in (out / "redu").glob("*.dot")]
    assert small, "processes within the limit are still drawn"
    result = runner.invoke(
        cli, ["export", str(LAMPPU), "--format", "bpmn", "-o", str(tmp_path / "bpmn")]
    )
    assert result.exit_code == 1, result.output
    assert "12" in result.output and "Traceback" not in result.output


def test_flows_in_one_lane_run_straight_where_the_band_allows() -> None:
    """A decision's two branches stack in one column; the step after the upper branch moves
    level with it (its band has room), so that flow runs straight instead of turning twice,
    and a step nearly level with its predecessor is entered beside its middle, straight."""
    steps = (
        StepView("s", "start", "Alku", "r0"),
        StepView("a", "task", "Tarkistetaan", "r0"),
        StepView("d", "decision", "Kunnossa?", "r0"),
        StepView("y", "task", "Hyväksytään", "r0"),
        StepView("n", "task", "Korjataan", "r0"),
        StepView("p", "task", "Julkaistaan", "r0"),
        StepView("e", "end", "Loppu", "r0"),
    )
    edges = (
        FlowEdge("s", "a"), FlowEdge("a", "d"), FlowEdge("d", "y", "kyllä"),
        FlowEdge("d", "n", "ei"), FlowEdge("y", "p"), FlowEdge("p", "e"), FlowEdge("n", "e"),
    )  # fmt: skip
    view = FlowView("o", "p", "P", "", "", "luonnos", (Lane("r0", "Rooli"),), steps, edges)
    ranks = {"s": (0, 0), "a": (1, 0), "d": (2, 0), "y": (3, 0), "n": (3, 1), "p": (4, 0)}
    ranks["e"] = (5, 0)
    layout = compute(view, ranks, fold=False)  # six columns: folded at 8 pt print size
    route = {(r.source, r.target): r.points for r in layout.edges}
    assert len(route[("y", "p")]) == 2, "the upper branch's next step stands level with it"
    assert len(route[("p", "e")]) == 2
    assert len(route[("s", "a")]) == len(route[("a", "d")]) == 2
    bends = sum(len(points) - 2 for points in route.values())
    assert bends <= 3, route
    check(view, layout)


def test_boundary_events_sit_on_their_task_and_a_third_stands_beside_it() -> None:
    """Two events attached to a task go on its bottom and top edges, their flows' targets
    below and above its own successor (no crossing); a third keeps a column of its own with
    a dotted link, since its flow would run through the first one's name."""
    steps = (
        StepView("a", "start", "Alku", "r"),
        StepView("t", "task", "Odotetaan vastausta", "r"),
        StepView("ok", "end", "Saatu", "r"),
        StepView("e0", "event", "Päivittäin", "r"),
        StepView("e1", "event", "Viikko", "r"),
        StepView("e2", "event", "Kuukausi", "r"),
        StepView("low", "task", "Muistutetaan", "r"),
        StepView("high", "task", "Soitetaan", "r"),
        StepView("far", "task", "Suljetaan", "r"),
    )
    edges = (
        FlowEdge("a", "t"),
        FlowEdge("t", "ok"),
        *(FlowEdge("t", e, attached=True) for e in ("e0", "e1", "e2")),
        FlowEdge("e0", "low"),
        FlowEdge("e1", "high"),
        FlowEdge("e2", "far"),
    )
    view = FlowView("o", "p", "P", "", "", "luonnos", (Lane("r", "R"),), steps, edges)
    assert border_events(view) == {"e0": ("t", 0), "e1": ("t", 1)}
    # As dot orders them (qms.render.dot.order_source: e1 above t above e0).
    ranks = {"a": (0, 0), "e1": (1, 0), "t": (1, 1), "e0": (1, 2), "e2": (2, 0)}
    ranks |= {"high": (2, 1), "ok": (2, 2), "low": (2, 3), "far": (3, 0)}
    layout = compute(view, ranks, fold=False)
    check(view, layout)
    t = layout.nodes["t"]
    assert layout.nodes["e0"].y == t.bottom and layout.nodes["e1"].y == t.top
    assert layout.nodes["high"].y < layout.nodes["ok"].y < layout.nodes["low"].y
    assert layout.nodes["e2"].name_box is None and ("t", "e2") in {
        (r.source, r.target) for r in layout.edges
    }
    check_no_crossing(layout)


def test_a_boundary_event_takes_the_edge_facing_where_its_flow_leads() -> None:
    """Of a task's two boundary events the one whose flow leads higher takes the top edge,
    whatever their order in the file (the first one, on the bottom, sent its flow up across
    the other's); a lone event whose flow leads to a lane above leaves by the top edge."""
    steps = (
        StepView("a", "start", "Alku", "s"),
        StepView("t", "task", "Odotetaan vastausta", "s"),
        StepView("ok", "task", "Saatu", "s"),
        StepView("e0", "event", "Päivittäin", "s"),
        StepView("e1", "event", "Viikko", "s"),
        StepView("high", "task", "Soitetaan", "r"),
        StepView("low", "task", "Muistutetaan", "q"),
        StepView("u", "task", "Tarkistetaan", "q"),
        StepView("e2", "event", "Virhe", "q"),
        StepView("boss", "end", "Ilmoitettu", "r"),
    )
    edges = (
        FlowEdge("a", "t"),
        FlowEdge("t", "ok"),
        FlowEdge("ok", "u"),
        *(FlowEdge(h, e, attached=True) for h, e in (("t", "e1"), ("t", "e0"), ("u", "e2"))),
        FlowEdge("e0", "high"),
        FlowEdge("e1", "low"),
        FlowEdge("e2", "boss"),
    )
    lanes = (Lane("r", "R"), Lane("s", "S"), Lane("q", "Q"))
    view = FlowView("o", "p", "P", "", "", "luonnos", lanes, steps, edges)
    assert border_events(view) == {"e0": ("t", 0), "e1": ("t", 1), "e2": ("u", 0)}
    ranks = {"a": (0, 0), "e1": (1, 0), "t": (1, 1), "e0": (1, 2), "high": (2, 0)}
    ranks |= {"ok": (2, 1), "low": (2, 2), "u": (3, 0), "e2": (3, 1), "boss": (4, 0)}
    layout = compute(view, ranks, fold=False)
    check(view, layout)
    t, u = layout.nodes["t"], layout.nodes["u"]
    assert layout.nodes["e0"].y == t.top and layout.nodes["e1"].y == t.bottom
    assert layout.nodes["e2"].y == u.top
    check_no_crossing(layout)


def test_a_long_branch_label_gets_room_between_its_decision_and_the_next_column() -> None:
    """A branch label stands beside its flow's first segment: the gap after a decision widens
    to hold it, instead of the label running over the diamond or the next step."""
    steps = (
        StepView("d", "decision", "Riski?", "r"),
        StepView("y", "task", "Hylätään hakemus", "r"),
        StepView("n", "task", "Hyväksytään hakemus", "r"),
    )
    edges = (
        FlowEdge("d", "y", "Hakemus hylätty kokonaan"),
        FlowEdge("d", "n", "Hakemus hyväksytty ehdoitta"),
    )
    view = FlowView("o", "p", "P", "", "", "luonnos", (Lane("r", "R"),), steps, edges)
    layout = compute(view, {"d": (0, 0), "y": (1, 0), "n": (1, 1)}, fold=False)
    check(view, layout)
    for r in layout.edges:
        assert r.label_at is not None
        left, top, right, bottom = _label_box(r.label, r.label_at)
        for n in layout.nodes.values():
            apart = right <= n.left or n.right <= left or bottom <= n.top or n.bottom <= top
            assert apart, f"the label {r.label!r} runs over {n.id}"


def test_two_channels_reached_by_different_sums_are_one_line() -> None:
    """A channel computed from a column's left edge and from a step's right edge differs in
    the last bits (614.3 and 614.3000000000001): the router must still see two flows there
    running on one line (it drew three branches to three fold connectors on one stretch)."""
    a = ((614.3, 109.0), (614.3, 140.0))
    b = ((614.3000000000001, 119.0), (614.3000000000001, 110.0))
    assert _orth_overlap(a, b) == pytest.approx(9.0)
    assert _orth_overlap(((0.0, 5.0), (9.0, 5.0)), ((3.0, 5.000000001), (20.0, 5.000000001))) > 5
    assert _orth_overlap(a, ((614.4, 109.0), (614.4, 140.0))) == 0.0


@requires_dot
def test_rows_routed_while_choosing_the_folds_are_the_rows_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flow whose first folding crosses has its folds chosen again with candidate rows
    routed (`row_crossings`); the chosen rows are then taken from those routes, their
    connectors relettered, not routed a second time: each must equal the row `_folded` lays
    out afresh, on LAMPPU's flows and on long generated ones (which fold and re-fold)."""
    import sys

    from bench.generate import generate
    from qms.index import Index
    from qms.load import load
    from qms.render import layout, layout_flow
    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT))
    generate(tmp_path / "ws", 1, 12, 24, seed=18)
    reused = layout._reused
    checked: list[str] = []

    def compared(view, col_of, ord_of, segments, placed):  # type: ignore[no-untyped-def]
        rows = reused(view, col_of, ord_of, segments, placed)
        fresh = layout._folded(view, col_of, ord_of, segments, stagger_of[0])
        assert rows == fresh, view.name
        checked.append(view.name)
        return rows

    stagger_of: list[dict[str, int] | None] = [None]
    split = layout._split_tall_columns

    def kept_stagger(view, col_of, ord_of):  # type: ignore[no-untyped-def]
        col_of, stagger = split(view, col_of, ord_of)
        stagger_of[0] = stagger
        return col_of, stagger

    monkeypatch.setattr(layout, "_reused", compared)
    monkeypatch.setattr(layout, "_split_tall_columns", kept_stagger)
    for root in (LAMPPU, tmp_path / "ws"):
        ws = load(root).workspace
        assert ws is not None
        index = Index.build(ws)
        for _, p in sorted(index.processes.items()):
            layout_flow(flow_view(index, p, "fi"))
    assert checked  # some flow did re-fold


def _rows_measured_alone(
    view: FlowView, col_of: dict[str, int]
) -> dict[tuple[int, int], tuple[float, float, int]]:
    """Per row [a, b) a folding may hold, as `fold_rows` measured it before it added each row
    up from the one a column shorter: its width from `_columns` (connector columns where
    flows enter or leave it), its height from `row_height` (both 0 for one column, which
    always makes a row) and its cost when it fits."""
    from qms.render.layout import (
        FOLD_CROSSING,
        LONE_ROW,
        _column_widths,
        _columns,
        _label_room,
        row_height,
    )

    col_w, room = _column_widths(view, col_of), _label_room(view, col_of)
    tall = row_height(view, col_of)
    spans = [(col_of[e.source], col_of[e.target]) for e in view.edges]
    out: dict[tuple[int, int], tuple[float, float, int]] = {}
    for b in range(1, len(col_w) + 1):
        for a in range(max(0, b - styles.FOLD_COLUMNS), b):
            leaving = sum(1 for s, t in spans if a <= s < b and not a <= t < b)
            width = height = 0.0
            if b - a > 1:
                ins = any(not a <= s < b and a <= t < b for s, t in spans)
                head = [styles.CONNECTOR] if ins else []
                tail = [styles.CONNECTOR] if leaving else []
                flags = [True] * len(head) + [False] * (b - a) + [True] * len(tail)
                room_ = [0.0] * len(head) + room[a:b]
                width = _columns([*head, *col_w[a:b], *tail], flags, room_)[2]
                height = tall(a, b)
            inside = [s for s in view.steps if a <= col_of[s.id] < b]
            lone = LONE_ROW if sum(1 for s in inside if s.kind not in styles.EVENTS) <= 1 else 0
            out[(a, b)] = (width, height, lone + FOLD_CROSSING * leaving + (b - a) ** 2)
    return out


@settings(max_examples=30, deadline=None)
@given(
    columns=st.lists(
        st.lists(
            st.sampled_from(["task", "decision", "start", "end", "subprocess"]),
            min_size=1,
            max_size=4,
        ),
        min_size=2,
        max_size=16,
    ),
    lanes=st.integers(1, 4),
    flows=st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99), st.booleans()), max_size=24),
)
def test_fold_rows_as_each_row_measured_alone(
    columns: list[list[str]], lanes: int, flows: list[tuple[int, int, bool]]
) -> None:
    """`fold_rows` grows each row by a column; the rows it keeps and their costs are those of
    each row measured alone, to the last bit: with the print width (height) set to a row's
    width (height) or just below it, that row is kept or left out alike."""
    import math
    from unittest import mock

    from qms.render.layout import fold_rows

    steps = tuple(
        StepView(f"s{c}_{k}", kind, f"Vaihe {c} {k}" + " nimi" * k, f"r{(c + k) % lanes}")
        for c, kinds in enumerate(columns)
        for k, kind in enumerate(kinds)
    )
    col_of = {s.id: int(s.id[1:].split("_")[0]) for s in steps}
    label = "kyllä, jatketaan"
    edges = tuple(
        FlowEdge(steps[a % len(steps)].id, steps[b % len(steps)].id, label if labelled else "")
        for a, b, labelled in flows
        if a % len(steps) != b % len(steps)
    )
    roles = tuple(Lane(f"r{j}", f"Rooli {j}") for j in range(lanes))
    view = FlowView("o", "p", "P", "", "", "luonnos", roles, steps, edges)
    measured = _rows_measured_alone(view, col_of)
    widths = {w for w, _, _ in measured.values() if w}
    heights = {h for _, h, _ in measured.values() if h}
    limits = [(w, styles.ROW_HEIGHT) for w in widths] + [(styles.FOLD_WIDTH, h) for h in heights]
    for width, height in [*limits, (styles.FOLD_WIDTH, styles.ROW_HEIGHT)]:
        for w, h in ((width, height), (math.nextafter(width, 0), math.nextafter(height, 0))):
            with (
                mock.patch.object(styles, "FOLD_WIDTH", w),
                mock.patch.object(styles, "ROW_HEIGHT", h),
            ):
                expected = {
                    row: cost
                    for row, (rw, rh, cost) in measured.items()
                    if rw <= styles.FOLD_WIDTH and rh <= styles.ROW_HEIGHT
                }
                assert fold_rows(view, col_of) == expected
