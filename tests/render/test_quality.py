"""The layout-quality measure (bench/quality.py) and the router's properties it checks.

The measure reads BPMN DI; here it is first shown to count what it claims on small drawings,
then applied to qms's own export of LAMPPU and of a generated workspace.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT


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
