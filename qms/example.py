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
        found = _nearer(found, element)
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


def _nearer(found: Example | None, element: object) -> Example | None:
    """`example_of` one step further in: `found` for the chain so far, then `element`."""
    mark = element.example if isinstance(element, Exemplary) else None
    if mark is None:
        return found
    if mark is False:
        return None
    if isinstance(mark, ExampleNote):
        return Example(mark.reason)
    return Example(found.reason if found else None)


def _elements(ws: Workspace) -> Iterator[tuple[str, str, tuple[object, ...], Example | None]]:
    """(kind, file, id path, example mark) of every markable element, in document order.

    Each mark comes from its parent's (`_nearer`), organisations are looked up once and the
    id paths are joined only for the marked ones: every cold `qms validate` counts the
    examples, which walked each element's chain and searched the organisations for each
    process (about 0.4 s of a national network's critical path)."""
    top = ws.settings
    here = _nearer(None, top)
    yield "workspace", top.source, (), here
    by_id: dict[str, Organisation] = {}
    for org in ws.organisations:
        by_id.setdefault(org.id.lower(), org)
        at_org, source = _nearer(here, org), org.source
        yield "organisation", source, (org.id,), at_org
        for role in org.roles:
            yield "role", source, (org.id, role.id), _nearer(at_org, role)
        for entry in org.documents:
            yield "document", source, (org.id, entry.id), _nearer(at_org, entry)
    inner: list[tuple[str, Process | Plan, list[tuple[str, Sequence[Step | DocumentRef | Action]]]]]
    inner = [("process", p, [("step", p.steps), ("document", p.documents)]) for p in ws.processes]
    inner += [("plan", p, [("action", p.actions)]) for p in ws.plans]
    for kind, doc, parts in inner:
        outer = _nearer(here, by_id.get(doc.organisation.lower()))
        found, source = _nearer(outer, doc), doc.source
        yield kind, source, (doc.organisation, doc.id), found
        for sub, items in parts:
            for item in items:
                yield sub, source, (doc.organisation, doc.id, item.id), _nearer(found, item)
    for metrics in ws.metrics:
        outer = _nearer(here, by_id.get(metrics.organisation.lower()))
        for metric in metrics.metrics:
            yield (
                "metric",
                metrics.source,
                (metrics.organisation, metric.id),
                _nearer(outer, metric),
            )
    for results in ws.results:
        outer = _nearer(here, by_id.get(results.organisation.lower()))
        for result in results.results:
            at = (results.organisation, result.goal, result.period)
            yield "result", results.source, at, _nearer(outer, result)
    for assessment in ws.assessments:
        found = _nearer(_nearer(here, by_id.get(assessment.organisation.lower())), assessment)
        where = (assessment.organisation, assessment.id)
        yield "assessment", assessment.source, where, found
        for rating in assessment.ratings:
            yield "rating", assessment.source, (*where, rating.statement), _nearer(found, rating)
        for improvement in assessment.improvements:
            yield (
                "improvement",
                assessment.source,
                (*where, improvement.id),
                _nearer(found, improvement),
            )


def examples(ws: Workspace) -> Iterator[Marked]:
    """Every element that is example content (itself or by inheritance), in document order."""
    for kind, file, where, mark in _elements(ws):
        if mark is not None:
            yield Marked(kind, file, "/".join(str(part) for part in where), mark.reason)


def count_examples(ws: Workspace) -> int:
    """How many elements are example content."""
    return sum(1 for _, _, _, mark in _elements(ws) if mark is not None)
