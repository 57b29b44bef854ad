"""The layout-quality measure (bench/quality.py) and the router's properties it checks.

The measure reads BPMN DI; here it is first shown to count what it claims on small drawings,
then applied to qms's own export of LAMPPU and of a generated workspace.
"""

from __future__ import annotations

import itertools

import pytest

from tests.bpmn.miwg import miwg_files
from tests.conftest import LAMPPU, ROOT, requires_dot

MIWG_FILES = miwg_files(("reference",))


@pytest.fixture(scope="module")
def quality():  # type: ignore[no-untyped-def]
    import sys

    sys.path.insert(0, str(ROOT))
    from bench import quality as q

    return q


def _flow(q, fid: str, source: str, target: str, *points: tuple[float, float]):  # type: ignore[no-untyped-def]
    return q.Flow(fid, source, target, q.simplify(points))


def test_a_proper_crossing_counts_and_a_touch_does_not(quality) -> None:  # type: ignore[no-untyped-def]
    q = quality
    cross = [
        _flow(q, "f1", "a", "b", (0, 50), (100, 50)),
        _flow(q, "f2", "c", "d", (50, 0), (50, 100)),
    ]
    assert q.measure_flows("x", {}, cross).crossings == 1
    touch = [
        _flow(q, "f1", "a", "b", (0, 50), (100, 50)),
        _flow(q, "f2", "c", "d", (50, 0), (50, 50)),
    ]
    assert q.measure_flows("x", {}, touch).crossings == 0


def test_a_shared_segment_counts_unless_two_flows_join_into_one_target(quality) -> None:  # type: ignore[no-untyped-def]
    q = quality
    apart = [
        _flow(q, "f1", "a", "b", (0, 0), (50, 0), (50, 100), (100, 100)),
        _flow(q, "f2", "c", "d", (0, 200), (50, 200), (50, 60), (100, 60)),
    ]
    assert q.measure_flows("x", {}, apart).shared == 1
    join = [
        _flow(q, "f1", "a", "t", (0, 0), (50, 0), (50, 100), (100, 100)),
        _flow(q, "f2", "c", "t", (0, 200), (50, 200), (50, 100), (100, 100)),
    ]
    assert q.measure_flows("x", {}, join).shared == 0
    # Same target, but they part again before it: not a join.
    parted = [
        _flow(q, "f1", "a", "t", (0, 0), (50, 0), (50, 100), (100, 100)),
        _flow(q, "f2", "c", "t", (0, 200), (50, 200), (50, 50), (100, 50), (100, 100)),
    ]
    assert q.measure_flows("x", {}, parted).shared == 1


def test_bends_drop_repeated_and_collinear_points(quality) -> None:  # type: ignore[no-untyped-def]
    q = quality
    f = _flow(q, "f", "a", "b", (0, 0), (10, 0), (10, 0), (20, 0), (20, 30), (40, 30))
    assert q.measure_flows("x", {}, [f]).bends == 2


def _layouts(root, fold: bool):  # type: ignore[no-untyped-def]
    from qms.index import Index
    from qms.load import load
    from qms.render import layout_flow
    from qms.views import flow_view

    ws = load(root).workspace
    assert ws is not None
    index = Index.build(ws)
    return [(p.id, layout_flow(flow_view(index, p, "fi"), fold=fold)) for p in ws.processes]


def _views(root, fold: bool):  # type: ignore[no-untyped-def]
    from qms.index import Index
    from qms.load import load
    from qms.render import layout_flow
    from qms.views import flow_view

    ws = load(root).workspace
    assert ws is not None
    index = Index.build(ws)
    for key, p in sorted(index.processes.items()):
        view = flow_view(index, p, "en")
        yield "/".join(key), view, layout_flow(view, fold=fold)


def _flows(quality, layout):  # type: ignore[no-untyped-def]
    return [
        quality.Flow(f"{r.source}>{r.target}", r.source, r.target, quality.simplify(r.points))
        for r in layout.edges
    ]


def _generated(tmp_path_factory):  # type: ignore[no-untyped-def]
    import sys

    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    root = tmp_path_factory.mktemp("gen") / "ws"
    generate(root, 1, 6, 15, seed=11)
    return root


@requires_dot
@pytest.mark.parametrize("fold", [True, False])
def test_no_two_flows_share_a_line_and_no_branch_crosses_its_sibling(
    quality, tmp_path_factory, fold: bool
) -> None:  # type: ignore[no-untyped-def]
    q = quality
    roots = [LAMPPU, _generated(tmp_path_factory)]
    checked = 0
    for root in roots:
        for pid, layout in _layouts(root, fold):
            flows = _flows(q, layout)
            m = q.measure_flows(pid, {}, flows)
            assert m.shared == 0, f"{pid}: two flows on one line"
            if root == LAMPPU:  # connectors where flows resume stand in their steps' order
                assert m.crossings == 0, f"{pid}: {m.crossings} crossings"
            for a, b in itertools.combinations(flows, 2):
                if a.source != b.source:
                    continue
                for s in itertools.pairwise(a.points):
                    for t in itertools.pairwise(b.points):
                        assert not q.crosses(s, t), f"{pid}: {a.id} crosses its sibling {b.id}"
            checked += len(flows)
    assert checked > 200


@requires_dot
def test_branch_labels_sit_on_their_own_first_segment_clear_of_other_flows(quality) -> None:  # type: ignore[no-untyped-def]
    from qms.render.layout import _label_box

    q = quality
    labelled = 0
    for pid, layout in _layouts(LAMPPU, True):
        for r in layout.edges:
            if not r.label_at:
                continue
            labelled += 1
            box = _label_box(r.label, r.label_at)
            others = [o for o in layout.edges if o is not r]
            near = [
                o for o in others if any(q._near(box, s, 0) for s in itertools.pairwise(o.points))
            ]
            assert not near, f"{pid}: the label {r.label!r} touches another flow"
            first = (r.points[0], r.points[1])
            assert q._near(box, first, 12), f"{pid}: {r.label!r} is not by its first segment"
    assert labelled >= 20


def test_a_flow_through_a_symbol_counts_unless_the_symbol_holds_both_ends(quality) -> None:  # type: ignore[no-untyped-def]
    q = quality
    symbols = {"a": (0, 0, 10, 10), "b": (90, 0, 100, 10), "m": (40, -5, 60, 15)}
    across = [_flow(q, "f", "a", "b", (10, 5), (90, 5))]
    assert q.measure_flows("x", symbols, across).through == 1
    around = [_flow(q, "f", "a", "b", (10, 5), (20, 5), (20, 30), (80, 30), (80, 5), (90, 5))]
    assert q.measure_flows("x", symbols, around).through == 0
    inside = dict(symbols, box=(-20, -20, 120, 40))  # an expanded subprocess holding both
    assert q.measure_flows("x", inside, across).through == 1  # m still counts, box does not
    assert q.measure_flows("x", {**inside, "m": (40, 50, 60, 60)}, across).through == 0


@requires_dot
@pytest.mark.skipif(not MIWG_FILES, reason="MIWG reference files not found ($QMS_MIWG)")
@pytest.mark.parametrize("fold", [True, False])
def test_miwg_reference_flows_keep_clear_of_symbols(quality, tmp_path_factory, fold: bool) -> None:  # type: ignore[no-untyped-def]
    """The 21 MIWG reference processes (boundary events, event sub-processes, gateways of every
    kind, drawn by hand by the BPMN working group) laid out by qms: no flow is drawn across a
    symbol, no two flows share a line, every event on a task's border leaves it outwards, and
    no branch label is touched by another flow."""
    from qms.render.layout import _label_box
    from tests.render.test_layout import check_border

    ws, refused = quality.imported_workspace(MIWG_FILES, tmp_path_factory.mktemp("miwg"))
    assert not refused, refused
    checked = 0
    touched: list[str] = []
    for pid, view, layout in _views(ws, fold):
        check_border(view, layout)
        nodes = list(layout.nodes.values())
        for r in layout.edges:
            for a, b in itertools.pairwise(r.points):
                box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
                for n in nodes:
                    if n.id in (r.source, r.target):
                        continue
                    apart = box[2] <= n.left + 1 or n.right - 1 <= box[0]
                    apart = apart or box[3] <= n.top + 1 or n.bottom - 1 <= box[1]
                    assert apart, f"{pid}: {r.source} -> {r.target} runs across {n.id}"
            checked += 1
            if r.label_at:
                box = _label_box(r.label, r.label_at)
                if any(
                    quality._near(box, t, 0)
                    for o in layout.edges
                    if o is not r
                    for t in itertools.pairwise(o.points)
                ):
                    touched.append(f"{pid}: {r.label}")
        flows = _flows(quality, layout)
        assert quality.measure_flows(pid, {}, flows).shared == 0, pid
        for a, b in itertools.combinations(flows, 2):  # a branch never crosses its sibling
            if a.source == b.source:
                for s in itertools.pairwise(a.points):
                    assert not any(quality.crosses(s, t) for t in itertools.pairwise(b.points)), (
                        f"{pid}: {a.id} crosses its sibling {b.id}"
                    )
    assert checked > 400
    # Unfolded (the BPMN DI) no label touches another flow; folded, c-9-0's "Application
    # accepted" leaves a decision 10 pt under its sibling and turns down before its label fits
    # anywhere by its own line (docs/diagrams.md, "What does not hold yet").
    assert touched == ([] if not fold else ["c-9-0/customer-onboarding: Application accepted"])


MIWG_CROSSINGS = 2
"""Crossings the BPMN DI that qms exports for the 21 MIWG reference processes may have in all
(the hand-made drawings have 2, bpmn-auto-layout's 10; bench/quality.md)."""


@requires_dot
@pytest.mark.skipif(not MIWG_FILES, reason="MIWG reference files not found ($QMS_MIWG)")
def test_miwg_reference_layouts_cross_no_more_than_the_hand_made_ones(
    quality, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    """Flows that cross make a reader guess which line goes where: qms's layouts of processes
    it never saw drawn (the MIWG references, imported) cross as little as a hand drawing, read
    from the exported DI as bench/quality.md reads it."""
    ws, _ = quality.imported_workspace(MIWG_FILES, tmp_path_factory.mktemp("miwg"))
    parts = quality.measure_files(quality.qms_bpmn(ws, "en"))
    crossing = {p.name: p.crossings for p in parts if p.crossings}
    assert len(parts) > 50
    assert sum(crossing.values()) <= MIWG_CROSSINGS, crossing
    near = {p.name: p.labels_near for p in parts if p.labels_near}
    assert near == {}, "a branch label with another flow within 6 units in the DI"
