"""The swimlane layout: equal full-width bands in declared order, every step inside its lane."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qms.render.layout import compute
from qms.views import FlowEdge, FlowView, Lane, StepView, flow_view
from tests.conftest import LAMPPU, requires_dot
from tests.render.helpers import fixed_ranks, small


def check(view, layout) -> None:  # type: ignore[no-untyped-def]
    heights = {round(lane.h, 3) for lane in layout.lanes}
    assert len(heights) == 1, "bands must be of equal height"
    assert [lane.id for lane in layout.lanes] == [lane.id for lane in view.lanes]
    for above, below in zip(layout.lanes, layout.lanes[1:], strict=False):
        assert below.y == pytest.approx(above.y + above.h)
    lane_of = {s.id: s.lane for s in view.steps}
    bands = {lane.id: lane for lane in layout.lanes}
    for sid, box in layout.nodes.items():
        band = bands[lane_of[sid]]
        assert band.y <= box.top and box.bottom <= band.y + band.h, sid
        assert layout.header < box.left and box.right < layout.width, sid
    for a in layout.nodes.values():
        for b in layout.nodes.values():
            if a.id < b.id:
                apart = a.right <= b.left or b.right <= a.left
                apart = apart or a.bottom <= b.top or b.bottom <= a.top
                assert apart, f"{a.id} overlaps {b.id}"
    for route in layout.edges:
        assert len(route.points) >= 2
        for (x0, y0), (x1, y1) in zip(route.points, route.points[1:], strict=False):
            assert x0 == pytest.approx(x1) or y0 == pytest.approx(y1), "orthogonal"
            assert min(x0, x1) >= layout.header, "no flow crosses a lane's name"


def test_small_layout() -> None:
    _, index = small()
    proc = index.processes[("demo", "palaute")]
    view = flow_view(index, proc, "fi")
    layout = compute(view, fixed_ranks("palaute"))
    assert [lane.id for lane in layout.lanes] == ["rehtori", "laatupaallikko", "opettaja"]
    check(view, layout)


@pytest.mark.dot
@requires_dot
def test_lamppu_layouts() -> None:
    from qms.index import Index
    from qms.load import load
    from qms.render.layout import layout_flow

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
)
def test_any_flow_keeps_bands_equal_and_steps_inside(
    lanes: list[int], loops: list[tuple[int, int]], cols: list[int]
) -> None:
    """Random chains with random lanes, loops and shared columns keep the layout invariants."""
    n = len(lanes)
    steps = tuple(
        StepView(
            f"s{i}", "decision" if i % 4 == 2 else "task", f"Vaihe {i} " * (i % 3 + 1), f"r{lane}"
        )
        for i, lane in enumerate(lanes)
    )
    edges = {(f"s{i}", f"s{i + 1}") for i in range(n - 1)}
    edges |= {(f"s{a}", f"s{b}") for a, b in loops if a < n and b < n and a != b}
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
        tuple(FlowEdge(a, b, "kyllä") for a, b in sorted(edges)),
    )
    # Columns as dot would give them: along the chain, sometimes two steps share a column.
    ranks, col = {}, 0
    for i in range(n):
        ranks[f"s{i}"] = (col, 0)
        col += 1 if cols[i] else 0
        if cols[i] == 0:
            col += 1 if any(s.lane == steps[i].lane for s in steps[i + 1 : i + 2]) else 0
    check(view, compute(view, ranks))
