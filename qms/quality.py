"""The quality cycle: criteria sets, self-assessments and what follows from them.

Pure functions over a loaded workspace, used alike by the rules (QMS501-QMS507), the portal,
the manuals and `qms review`, so that a rating, a gap or an overdue assessment has one
definition everywhere. The criteria sets shipped with qms (qms/criteria/*.yaml) are available
by id in every workspace; a workspace's own `kind: criteria` file of the same id wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from qms.index import Index, split_ref
from qms.model import (
    Assessment,
    Criteria,
    CriteriaArea,
    CriteriaItem,
    Rating,
    ScaleLevel,
    Statement,
    Workspace,
)

EVIDENCE_KINDS = ("process", "plan", "action", "metric", "result", "document")
"""The prefixes of an evidence link: `process:ID`, `action:PLAN/ID`, `result:GOAL/PERIOD`..."""


QUALITY_READS = (
    *("areas", "criteria", "id", "items", "level", "ratings", "scale", "statement"),
    "statements",
)
"""The fields `summaries` reads of assessments and criteria: part of what the assessment
rules read (`Rule.reads`, qms/incremental.py); change it with `summaries`."""
QUALITY_SHARED = tuple(f for f in QUALITY_READS if f not in ("ratings", "statement"))
"""What `summaries` reads of the documents other than an assessment (its criteria set): the
`shared` fields of the rules that judge each assessment against its criteria (`Rule.shared`)."""


_SAFE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: the pure-Python one took a tenth of a second of
every cold `qms validate` for these files."""


@cache
def builtin_criteria() -> dict[str, Criteria]:
    """The criteria sets shipped with qms, by id (validated like any model file)."""
    sets: dict[str, Criteria] = {}
    folder = resources.files("qms") / "criteria"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=_SAFE)
        criteria = Criteria.model_validate(data)
        criteria.__pydantic_private__ = {"_source": f"qms:criteria/{entry.name}"}
        sets[criteria.id] = criteria
    return sets


def criteria_sets(ws: Workspace) -> dict[str, Criteria]:
    """Every criteria set a workspace can assess against: the shipped ones, then its own."""
    sets = dict(builtin_criteria())
    for criteria in ws.criteria:
        sets[criteria.id] = criteria
    return sets


@dataclass(frozen=True)
class Entry:
    """One statement of a criteria set with its item and area."""

    area: CriteriaArea
    item: CriteriaItem
    statement: Statement


def entries(criteria: Criteria) -> list[Entry]:
    """The statements of a set in reading order."""
    return [
        Entry(area, item, statement)
        for area in criteria.areas
        for item in area.items
        for statement in item.statements
    ]


def level(criteria: Criteria, value: int | None) -> ScaleLevel | None:
    """The scale level of a rating's number, or None when it is not on the scale."""
    return next((s for s in criteria.scale if s.level == value), None)


def covers(target: str, entry: Entry) -> bool:
    """True when an improvement's `statements` entry names this statement, its item or area."""
    return target in (entry.statement.id, entry.item.id, entry.area.id)


@dataclass
class Summary:
    """One assessment read against its criteria set."""

    assessment: Assessment
    criteria: Criteria
    ratings: dict[str, Rating] = field(default_factory=dict)
    """Ratings by statement id (the first one when a statement is rated twice)."""

    @property
    def threshold(self) -> int:
        return self.criteria.threshold

    def rated(self, entry: Entry) -> int | None:
        """The level given to a statement, or None when it was not rated."""
        rating = self.ratings.get(entry.statement.id)
        return rating.level if rating else None

    def unassessed(self) -> list[Entry]:
        """Statements of the set without a level."""
        return [e for e in entries(self.criteria) if self.rated(e) is None]

    def gaps(self) -> list[Entry]:
        """Statements rated below the set's threshold."""
        return [
            e
            for e in entries(self.criteria)
            if (value := self.rated(e)) is not None and value < self.threshold
        ]

    def item_mean(self, item: CriteriaItem) -> float | None:
        """The mean level of an item's rated statements (the item's result), or None."""
        values = [
            r.level
            for s in item.statements
            if (r := self.ratings.get(s.id)) is not None and r.level is not None
        ]
        return sum(values) / len(values) if values else None

    def area_mean(self, area: CriteriaArea) -> float | None:
        """The mean level of an area's rated statements, or None."""
        values = [
            r.level
            for item in area.items
            for s in item.statements
            if (r := self.ratings.get(s.id)) is not None and r.level is not None
        ]
        return sum(values) / len(values) if values else None

    def functioning(self) -> bool | None:
        """True when every statement is rated at or above the threshold; None if partial."""
        if self.unassessed():
            return None
        return not self.gaps()


def summarise(assessment: Assessment, sets: dict[str, Criteria]) -> Summary | None:
    """An assessment read against its criteria set, or None when the set is unknown."""
    criteria = sets.get(assessment.criteria)
    if criteria is None:
        return None
    summary = Summary(assessment, criteria)
    for rating in assessment.ratings:
        if rating.level is not None and level(criteria, rating.level) is None:
            continue  # off the scale (QMS508): never counted, drawn or averaged as a level
        summary.ratings.setdefault(rating.statement, rating)
    return summary


def summaries(ws: Workspace) -> Iterator[Summary]:
    """Every assessment of a workspace read against its criteria set (unknown sets skipped:
    QMS508 reports them)."""
    sets = criteria_sets(ws)
    for assessment in ws.assessments:
        summary = summarise(assessment, sets)
        if summary is not None:
            yield summary


def latest(
    ws: Workspace, org: str, criteria: str, before: dt.date | None = None
) -> list[Assessment]:
    """An organisation's assessments against one set, newest first (optionally before a date)."""
    found = [
        a
        for a in ws.assessments
        if a.organisation == org and a.criteria == criteria and (before is None or a.date < before)
    ]
    return sorted(found, key=lambda a: (a.date, a.id), reverse=True)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31.1. + 1 -> 28.2.)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def evidence_target(ref: str, org: str, index: Index) -> tuple[str, str] | None:
    """(kind, what) when an evidence link resolves, else None. Links (https://) always do."""
    if ref.startswith(("https://", "http://")):
        return ("link", ref)
    kind, _, rest = ref.partition(":")
    if kind not in EVIDENCE_KINDS or not rest:
        return None
    if kind == "process":
        return (kind, rest) if index.process_key(rest, org) else None
    if kind == "plan":
        return (kind, rest) if split_ref(rest, org) in index.plans else None
    if kind == "metric":
        return (kind, rest) if index.metric(rest, org) else None
    if kind == "document":
        if split_ref(rest, org) in index.register:
            return (kind, rest)
        owned = index.own_processes.get(org, [])
        for pid in owned:
            process = index.processes[(org, pid)]
            if any(d.id == rest for d in process.documents):
                return (kind, rest)
        return None
    if kind == "action":
        return (kind, rest) if action(rest, org, index) else None
    goal, _, period = rest.partition("/")
    if index.goal(goal) is None or period not in index.periods:
        return None
    for results in index.workspace.results:
        if results.organisation == org and any(
            r.period == period and index.goal_id(r.goal) == index.goal_id(goal)
            for r in results.results
        ):
            return (kind, rest)
    return None


def action(ref: str, org: str, index: Index) -> tuple[str, str, str] | None:
    """(org, plan, action) of a `PLAN/ACTION` or `ORG/PLAN/ACTION` reference, if it exists."""
    parts = ref.split("/")
    if len(parts) == 2:
        owner, plan_id, action_id = org, parts[0], parts[1]
    elif len(parts) == 3:
        owner, plan_id, action_id = parts
    else:
        return None
    plan = index.plans.get((owner, plan_id))
    if plan is None or not any(a.id == action_id for a in plan.actions):
        return None
    return (owner, plan_id, action_id)


def improvement_actions(ws: Workspace, index: Index) -> Iterator[tuple[Assessment, int, str]]:
    """(assessment, improvement index, action ref) for every action an improvement names."""
    for assessment in ws.assessments:
        for i, improvement in enumerate(assessment.improvements):
            for ref in improvement.actions:
                yield assessment, i, ref
