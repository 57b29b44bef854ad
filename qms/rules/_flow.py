"""Helpers that several flow rules (QMS1xx) share; not a rule module (the registry skips `_`).

The flow rules divide the findings of one fault between them (e.g. a disconnected step is
reported by disconnected-step only), so they must agree on what a step, a connection and a
label are: keeping those definitions here makes the agreement hold by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from qms.findings import Msg
from qms.graph import Flow
from qms.model import Branch, Process, Step, StepKind, Text
from qms.rule import Context, Problem, problem
from qms.rules._common import blank


def unique_steps(process: Process) -> Iterator[tuple[int, Step]]:
    """Steps with their index, the first of each id only (QMS003 reports repeated ids).

    The flow graph has one node per id, so a flow rule reporting per node reports once.

    >>> p = Process(kind="process", id="p", organisation="o", name="P",
    ...     steps=[{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "a", "name": "C"}])
    >>> [(i, s.name) for i, s in unique_steps(p)]
    [(0, 'A'), (1, 'B')]
    """
    steps = process.steps
    if len({step.id for step in steps}) == len(steps):
        return enumerate(steps)  # the usual process: no id repeated, nothing to skip
    return _first_of_each(steps)


def _first_of_each(steps: list[Step]) -> Iterator[tuple[int, Step]]:
    seen: set[str] = set()
    for i, step in enumerate(steps):
        if step.id not in seen:
            seen.add(step.id)
            yield i, step


def isolated(graph: Flow, node: str) -> bool:
    """True when no flow joins `node` to another step (self-loops do not count).

    >>> g = Flow([("a", "b"), ("c", "c")])
    >>> g.add_node("d")
    >>> [isolated(g, n) for n in "abcd"]
    [False, False, True, True]
    """
    return graph.isolated(node)


def reach(neighbours: Callable[[str], Iterable[str]], sources: Iterable[str]) -> set[str]:
    """Every node reachable from any of `sources` (included), in one linear pass.

    Pass `graph.successors` to go forward and `graph.predecessors` to go backward.

    >>> g = Flow([("a", "b"), ("b", "c"), ("d", "c")])
    >>> sorted(reach(g.successors, ["a"])), sorted(reach(g.predecessors, ["c"]))
    (['a', 'b', 'c'], ['a', 'b', 'c', 'd'])
    """
    seen = set(sources)
    todo = list(seen)
    while todo:
        for node in neighbours(todo.pop()):
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return seen


def unlabelled(label: Text | None) -> bool:
    """True for a missing or blank label, in every language given.

    >>> unlabelled(None), unlabelled(" "), unlabelled({"fi": ""}), unlabelled("kyllä")
    (True, True, True, False)
    """
    return blank(label)


def says_when(branch: Branch) -> bool:
    """True when a branch says when it is taken: a label, a condition, or the default mark.

    >>> says_when(Branch(to="a")), says_when(Branch(to="a", condition="x > 1"))
    (False, True)
    >>> says_when(Branch(to="a", default=True)), says_when(Branch(to="a", label="kyllä"))
    (True, True)
    """
    return branch.default or not blank(branch.condition) or not unlabelled(branch.label)


def label_key(label: Text | None) -> Hashable:
    """A comparable form of a label; missing and blank labels are equal.

    >>> label_key(None) == label_key(" "), label_key({"fi": "kyllä", "en": "yes"})
    (True, (('en', 'yes'), ('fi', 'kyllä')))
    """
    if isinstance(label, dict):
        pairs = tuple(sorted((k, v.strip()) for k, v in label.items() if v.strip()))
        return pairs or None
    return (label or "").strip() or None


def step_problem(
    ctx: Context, process: Process, i: int, step: Step, msg: Msg, **params: Any
) -> Problem:
    """A finding on step `i` of `process`; the message gets `{step}`, `{process}` and `params`."""
    return problem(
        ctx.loc(process, "steps", i),
        msg,
        element=step.id,
        step=step.id,
        process=process.id,
        **params,
    )


def missing_kind(ctx: Context, kind: StepKind, msg: Msg) -> Iterator[Problem]:
    """A finding at the `steps:` key of each process that has steps but none of `kind`."""
    for process in ctx.workspace.processes:
        if process.steps and not any(s.kind == kind for s in process.steps):
            yield Problem(
                ctx.loc(process, "steps"),
                msg,
                {"process": process.id, "count": len(process.steps)},
                element=process.id,
                at_key=True,
            )
