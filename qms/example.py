"""Example content: which elements are illustrative, not taken from a source, and why.

Any element kind (workspace, organisation, process, step, role, metric, plan, action, result,
document) may say `example: true` or `example: {reason: ...}`. The mark is inherited downward:
a step of an example process is an example, and so is everything of an example organisation.
An inner `example: false` marks that element as sourced again. Every output asks here, so that
invented flows, owners, risks or metrics are never published as a provider's own.

>>> from qms.model import Step
>>> marked = example_of(None, Step(id="a", name="A", example={"reason": "not in the report"}))
>>> marked is not None and marked.reason
'not in the report'
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qms.model import (
    Action,
    DocumentRef,
    ExampleNote,
    Exemplary,
    Organisation,
    Plan,
    Process,
    Step,
    Workspace,
)

ELEMENT_NOUN = {
    "fi": {"one": "osa", "other": "osaa"},
    "sv": {"one": "del", "other": "delar"},
    "en": {"one": "element", "other": "elements"},
}
"""How a count of example elements is worded, by CLDR plural category (qms.l10n.plural)."""


def counted_elements(count: int, lang: str) -> str:
    """'1 osa', '6 osaa', '2 elements'."""
    from qms.l10n import plural

    return plural(count, lang, **ELEMENT_NOUN.get(lang, ELEMENT_NOUN["en"]))


@dataclass(frozen=True)
class Example:
    """An element is example content; `reason` is the nearest reason given (a text or None)."""

    reason: str | dict[str, str] | None = None


def example_of(*chain: object) -> Example | None:
    """Whether the innermost element of `chain` (outermost first) is example content, and why.

    The nearest explicit `example:` wins; a reason given further out is kept when the nearer
    mark is a bare `true`. Elements without the field (or None) are skipped.
    """
    found: Example | None = None
    for element in chain:
        mark = element.example if isinstance(element, Exemplary) else None
        if mark is None:
            continue
        if mark is False:
            found = None
        elif isinstance(mark, ExampleNote):
            found = Example(mark.reason)
        else:
            found = Example(found.reason if found else None)
    return found


def organisation_of(ws: Workspace, org_id: str) -> Organisation | None:
    """The organisation with id `org_id` (case-insensitive), or None."""
    key = org_id.lower()
    for org in ws.organisations:
        if org.id.lower() == key:
            return org
    return None


@dataclass(frozen=True)
class Marked:
    """One example element: its kind, the file it is in, a readable id path, and the reason."""

    kind: str
    file: str
    element: str
    reason: str | dict[str, str] | None


def _elements(ws: Workspace) -> Iterator[tuple[str, str, str, tuple[object, ...]]]:
    """(kind, file, id path, chain from the workspace down) of every markable element."""
    top = ws.settings
    yield "workspace", top.source, "", (top,)
    for org in ws.organisations:
        yield "organisation", org.source, org.id, (top, org)
        for role in org.roles:
            yield "role", org.source, f"{org.id}/{role.id}", (top, org, role)
        for entry in org.documents:
            yield "document", org.source, f"{org.id}/{entry.id}", (top, org, entry)
    inner: list[tuple[str, Process | Plan, list[tuple[str, Sequence[Step | DocumentRef | Action]]]]]
    inner = [("process", p, [("step", p.steps), ("document", p.documents)]) for p in ws.processes]
    inner += [("plan", p, [("action", p.actions)]) for p in ws.plans]
    for kind, doc, parts in inner:
        chain: tuple[object, ...] = (top, organisation_of(ws, doc.organisation), doc)
        where = f"{doc.organisation}/{doc.id}"
        yield kind, doc.source, where, chain
        for sub, items in parts:
            for item in items:
                yield sub, doc.source, f"{where}/{item.id}", (*chain, item)
    for metrics in ws.metrics:
        org_ = organisation_of(ws, metrics.organisation)
        for metric in metrics.metrics:
            where = f"{metrics.organisation}/{metric.id}"
            yield "metric", metrics.source, where, (top, org_, metric)
    for results in ws.results:
        org_ = organisation_of(ws, results.organisation)
        for result in results.results:
            where = f"{results.organisation}/{result.goal}/{result.period}"
            yield "result", results.source, where, (top, org_, result)
    for assessment in ws.assessments:
        chain = (top, organisation_of(ws, assessment.organisation), assessment)
        where = f"{assessment.organisation}/{assessment.id}"
        yield "assessment", assessment.source, where, chain
        for rating in assessment.ratings:
            yield "rating", assessment.source, f"{where}/{rating.statement}", (*chain, rating)
        for improvement in assessment.improvements:
            yield (
                "improvement",
                assessment.source,
                f"{where}/{improvement.id}",
                (*chain, improvement),
            )


def examples(ws: Workspace) -> Iterator[Marked]:
    """Every element that is example content (itself or by inheritance), in document order."""
    for kind, file, where, chain in _elements(ws):
        mark = example_of(*chain)
        if mark is not None:
            yield Marked(kind, file, where, mark.reason)


def count_examples(ws: Workspace) -> int:
    """How many elements are example content."""
    return sum(1 for _ in examples(ws))
