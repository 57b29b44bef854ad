"""Golden DOT and determinism: the same model gives the same bytes, without Graphviz."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.render import diagram_jobs
from qms.render.dot import goal_map, order_source, process_flow, process_map
from qms.render.layout import compute
from qms.views import flow_view, goal_map_view, process_map_view
from tests.render.helpers import check_golden, fixed_ranks, small


def test_flow_golden() -> None:
    _ws, index = small()
    for (_, pid), proc in sorted(index.processes.items()):
        view = flow_view(index, proc, "fi")
        check_golden(f"{pid}.order.dot", order_source(view))
        check_golden(f"{pid}.dot", process_flow(view, compute(view, fixed_ranks(pid))))


def test_process_map_golden() -> None:
    ws, index = small()
    check_golden("process-map.dot", process_map(process_map_view(index, ws.organisations[0], "fi")))


def test_goal_map_golden() -> None:
    ws, index = small()
    check_golden("goal-map.dot", goal_map(goal_map_view(ws, index, "en")))


def test_same_model_same_bytes() -> None:
    """Two builds from two loads give identical DOT, in a fixed order."""
    import hashlib

    ws, index = small()
    cache = {
        hashlib.sha256(order_source(flow_view(index, p, "fi")).encode()).hexdigest(): fixed_ranks(
            p.id
        )
        for p in ws.processes
    }

    def run(source: str) -> str:
        raise AssertionError("the first pass should come from the cache")

    first, fail1 = diagram_jobs(ws, "fi", dict(cache), run=run)
    second, fail2 = diagram_jobs(small()[0], "fi", dict(cache), run=run)
    assert fail1 == fail2 == []
    assert [(j.name, j.source) for j in first] == [(j.name, j.source) for j in second]
    assert [j.name for j in first] == [
        "demo/_process-map",
        "demo/johtaminen",
        "demo/palaute",
        "goal-map",
    ]


def test_subprocess_links_to_called_diagram() -> None:
    _, index = small()
    view = flow_view(index, index.processes[("demo", "palaute")], "fi")
    step = next(s for s in view.steps if s.id == "toimet")
    assert step.href == "johtaminen.svg"
    source = process_flow(view, compute(view, fixed_ranks("palaute")))
    assert 'href="johtaminen.svg"' in source


def test_process_map_bands_and_handoffs() -> None:
    ws, index = small()
    view = process_map_view(index, ws.organisations[0], "fi")
    bands = {band: [b.id for b in boxes] for band, boxes in view.bands}
    assert bands == {"management": ["johtaminen"], "core": ["palaute"], "support": []}
    assert view.handoffs == (("johtaminen", "palaute"),)
    assert 'href="palaute.svg"' in process_map(view)


def test_goal_coverage_states() -> None:
    ws, index = small()
    view = goal_map_view(ws, index, "en")
    assert {g.id: g.coverage for g in view.goals} == {
        "G1": "covered",
        "G2": "committed",
        "G3": "uncovered",
    }
    assert view.gaps == (("demo", "G2"),)


def test_unknown_role_and_missing_role_get_lanes() -> None:
    _, index = small()
    view = flow_view(index, index.processes[("demo", "johtaminen")], "fi")
    assert [lane.id for lane in view.lanes] == ["rehtori", "—"]


def test_a_missing_golden_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """CI=true: a golden that is not there fails instead of being written (and passing)."""
    from tests.render import helpers

    monkeypatch.setattr(helpers, "GOLDEN", tmp_path)
    monkeypatch.setattr(helpers, "UPDATE", False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(AssertionError, match="missing"):
        helpers.check_golden("nothing.dot", "digraph {}")
    assert not (tmp_path / "nothing.dot").exists()
    monkeypatch.setenv("CI", "")
    helpers.check_golden("nothing.dot", "digraph {}")
    assert (tmp_path / "nothing.dot").read_text(encoding="utf-8") == "digraph {}"


def test_one_font_size_per_flow_and_lane_names_wrap() -> None:
    """Every name on a flow (steps, decisions, events, branch labels, lanes) is drawn at
    FONT_SIZE: a long lane name wraps and hyphenates at a syllable into the name column, it
    does not shrink (it printed at 5 pt on a landscape A4 page)."""
    import re

    from qms.render import styles
    from qms.views import FlowEdge, FlowView, Lane, StepView

    lanes = (
        Lane("a", "Toimintajärjestelmätyöryhmä"),
        Lane("b", "Ammatillinen neuvottelukunta (viestintäala)"),
        Lane("c", "Laatupäällikkö"),
    )
    steps = (
        StepView("s", "start", "Palvelun tarve syntyy", "a"),
        StepView("d", "decision", "Hyväksytäänkö prosessikuvaukset?", "b"),
        StepView("t", "task", "Kirjataan palvelupyyntö", "c"),
        StepView("e", "end", "Valmis", "c"),
    )
    edges = (FlowEdge("s", "d"), FlowEdge("d", "t", "kyllä"), FlowEdge("d", "e", "ei"))
    view = FlowView("o", "p", "Pitkät roolit", "", "", "luonnos", lanes, steps, edges)
    ranks = {"s": (0, 0), "d": (1, 0), "t": (2, 0), "e": (3, 0)}
    source = process_flow(view, compute(view, ranks))
    # The title (TITLE_SIZE) and the subprocess marker are no names.
    sizes = set(re.findall(r"fontsize=([0-9.]+)", source))
    assert sizes == {f"{styles.FONT_SIZE:g}"}, sizes
    assert 'label="Toiminta-\\njärjestel-\\nmätyöryhmä"' in source
    assert 'label="Ammatillinen\\nneuvotte-\\nlukunta\\n(viestintäala)"' in source
    assert 'label="Laatupäällikkö"' in source


def test_a_boundary_event_without_a_role_is_in_its_hosts_lane() -> None:
    """An event on a task's border is drawn on the task: a lane "—" of its own would stand
    empty (found on a `qms init` workspace with a timer added to a task)."""
    from qms.model import Process

    _, index = small()
    process = Process.model_validate(
        {
            "kind": "process",
            "id": "hankinta",
            "organisation": "demo",
            "name": "Hankinta",
            "steps": [
                {"id": "alku", "kind": "start", "name": "A", "role": "rehtori", "next": ["t"]},
                {"id": "t", "name": "Tilaus", "role": "rehtori", "next": ["loppu"]},
                {"id": "e", "kind": "event", "name": "E", "attached_to": "t", "next": ["loppu"]},
                {"id": "loppu", "kind": "end", "name": "L", "role": "rehtori"},
            ],
        }
    )
    view = flow_view(index, process, "fi")
    assert [lane.id for lane in view.lanes] == ["rehtori"]
    assert {s.id: s.lane for s in view.steps}["e"] == "rehtori"
