"""Helpers that several rule modules share; not a rule module (the registry skips `_`).

Each helper holds logic that two or more rules must apply alike (what counts as a blank
text, where a finding on a plan action's date stands, how a coverage gap becomes a finding),
so that the rules cannot drift apart; each rule keeps its own code, message and docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from qms.findings import Location, Msg
from qms.index import INDEX_READS
from qms.model import Action, Plan, Process, text
from qms.rule import Context, Problem, problem

if TYPE_CHECKING:
    from qms.coverage import GapKind  # annotations only: qms.lint loads qms.coverage lazily too


COVERAGE_READS = (
    *INDEX_READS,
    *("actions", "commits_to", "end", "example", "goal", "ignore", "lint", "members"),
    *("merges_into", "name", "period", "realizes", "reason", "results", "rule", "short"),
    *("start", "status", "text", "what"),
)
"""The fields `qms.coverage.coverage` reads (names only as empty or not): what the coverage
rules read (`Rule.reads`, qms/incremental.py). Kept here, not there, so that listing the rules
does not import qms.coverage (and qms.partial) before a run needs them."""


def blank(value: str | float | dict[str, str] | None) -> bool:
    """True for no value, an empty text, or a map of languages whose texts are all empty.

    >>> blank(None), blank(" "), blank({"fi": "", "en": " "}), blank("kyllä"), blank(0.0)
    (True, True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(not item.strip() for item in value.values())
    return False


def field_loc(ctx: Context, process: Process, field: str) -> Location:
    """Where a finding on a missing or empty `field` of `process` stands: on the key when it is
    written (empty), otherwise on the process's `id`."""
    return ctx.loc(process, field if field in process.model_fields_set else "id")


def unlinked_exchanges(
    ctx: Context, field: Literal["inputs", "outputs"], msg: Msg
) -> Iterator[Problem]:
    """A finding on each input without a supplier (`from`) or output without a customer (`to`).

    The message gets `{id}` (the process) and `{name}` (the exchange, in the workspace language).
    """
    lang = ctx.workspace.language
    for process in ctx.workspace.processes:
        for i, item in enumerate(process.inputs if field == "inputs" else process.outputs):
            if blank(item.from_ if field == "inputs" else item.to):
                yield problem(
                    ctx.loc(process, field, i),
                    msg,
                    element=process.id,
                    id=process.id,
                    name=text(item.name, lang),
                )


def dated_actions(ctx: Context) -> Iterator[tuple[Plan, int, Action, dt.date]]:
    """Each plan action that has a due date (`when`), with its plan, index and that date."""
    for plan, i, action in ctx.index.actions():
        if action.when is not None:
            yield plan, i, action, action.when


def due_problem(
    ctx: Context, plan: Plan, i: int, action: Action, due: dt.date, msg: Msg, **params: Any
) -> Problem:
    """A finding on the `when` of action `i` of `plan`; the message gets `{id}`, `{plan}`,
    `{due}` (ISO date) and `params`."""
    return problem(
        ctx.loc(plan, "actions", i, "when"),
        msg,
        element=action.id,
        id=action.id,
        plan=plan.id,
        due=due.isoformat(),
        **params,
    )


GapField = Literal["org", "goal", "period"]


def gap_problems(ctx: Context, kind: GapKind, msg: Msg, *fields: GapField) -> Iterator[Problem]:
    """A finding on each coverage gap of `kind` (`qms coverage` computes the same gaps).

    The message gets the `fields` named, and the element is their values joined by `/`.
    """
    for gap in ctx.coverage.gaps:
        if gap.kind == kind:
            values = {"org": gap.organisation, "goal": gap.goal, "period": gap.period}
            params = {name: values[name] for name in fields}
            yield problem(gap.where, msg, element="/".join(params.values()), **params)
