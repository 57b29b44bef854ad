"""qms.render.graphviz: the one Graphviz runner (real dot, typed errors, batches, timeout)."""

from __future__ import annotations

import json

import pytest

from qms.render import graphviz
from tests.conftest import requires_dot

GOOD = "digraph g { a -> b }"
OTHER = "digraph h { x -> y -> z }"
BAD = "digraph g { a -> }"


@requires_dot
def test_run_returns_what_graphviz_drew() -> None:
    data = json.loads(graphviz.run(("dot",), GOOD, "json"))
    assert {o["name"] for o in data["objects"]} == {"a", "b"}


@requires_dot
def test_a_refused_graph_is_a_failure_with_graphviz_s_message() -> None:
    with pytest.raises(graphviz.GraphvizFailed) as caught:
        graphviz.run(("dot",), BAD, "svg")
    assert "syntax error" in caught.value.message
    assert isinstance(caught.value, RuntimeError)


def test_a_missing_program_is_graphviz_missing() -> None:
    with pytest.raises(graphviz.GraphvizMissing) as caught:
        graphviz.run(("qms-no-such-graphviz-program",), GOOD, "svg")
    assert isinstance(caught.value, FileNotFoundError)
    with pytest.raises(graphviz.GraphvizMissing):
        graphviz.run_batch(("qms-no-such-graphviz-program",), [GOOD, OTHER], "svg")


@requires_dot
def test_a_run_past_the_timeout_is_stopped() -> None:
    big = "digraph g {" + " ".join(f"n{i} -> n{i + 1};" for i in range(3000)) + "}"
    with pytest.raises(graphviz.GraphvizTimeout):
        graphviz.run(("dot",), big, "svg", timeout=0.001)


@requires_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "json"])
def test_a_batch_gives_the_bytes_of_single_runs(fmt: str) -> None:
    before = graphviz.runs
    batch = graphviz.run_batch(("dot",), [GOOD, OTHER, GOOD], fmt)
    assert graphviz.runs == before + 1, "one Graphviz process for the whole batch"
    assert batch == [graphviz.run(("dot",), s, fmt) for s in (GOOD, OTHER, GOOD)]


@requires_dot
def test_a_bad_graph_in_a_batch_fails_alone() -> None:
    out = graphviz.run_batch(("dot",), [GOOD, BAD, OTHER], "svg")
    assert isinstance(out[1], graphviz.GraphvizFailed)
    assert out[0] == graphviz.run(("dot",), GOOD, "svg")
    assert out[2] == graphviz.run(("dot",), OTHER, "svg")


@requires_dot
def test_version_names_graphviz() -> None:
    assert "graphviz" in graphviz.version().lower()
