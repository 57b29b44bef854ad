"""The coordinator's coverage matrix: project goals x organisations (x reporting periods).

One computation, two consumers: `qms coverage` prints and exports the matrix, and the rules
QMS401-QMS403 report its gaps as findings, so the numbers and the findings never disagree.

What counts:

- An organisation *commits* to a goal when the goal is in its `commits_to`.
- An organisation *realizes* a goal with its own processes, plan actions and metrics whose
  `realizes` names the goal (`influences` does not count: it is an indirect contribution).
- A *result* is an entry of the organisation's results for the goal and a period.
- A period has *ended* on its last day: when its `end` is on or before the as-of date (the
  `as_of` argument, else the workspace's `as_of`, else today). As of 2014-12-31 the period
  that ends 2014-12-31 has ended, and its missing results are gaps.

Each cell has one state: `covered` (committed and realized), `committed-not-covered`
(committed, nothing of its own behind it), `not-committed-but-contributes` (realized, or results
reported, without a commitment) or `none`.

The gaps, in the order they are shown (unexplained before explained, then by kind, then goal,
organisation and period order):

1. `uncovered-goal`: a goal that no organisation realizes (QMS401);
2. `unkept-commitment`: a commitment with nothing behind it (QMS402);
3. `unreported-goal`: a commitment without a result in a period that has ended (QMS403).

Percentages (each 100.0 when there is nothing to check):

- `goals_percent`: goals realized by at least one organisation / goals;
- `commitments_percent`: commitments with something behind them / commitments;
- `reporting_percent`: (commitment, ended period) pairs with a result / such pairs;
- `percent`, the headline that `--fail-under` compares: checks passed / checks, where the
  checks are one per goal (realized by someone), one per commitment (something behind it) and
  one per commitment and ended period (a result). It is 100.0 exactly when there are no
  unexplained gaps.

A gap is *explained* when a `lint: ignore:` entry for its rule (QMS401 / QMS402 / QMS403, by
code or name) with a reason covers its location, exactly as the linter would suppress the
finding: it stays in the gap list with its reason, and its check counts as passed in every
percentage.

Filters (`goals`, `organisations`, `periods`) restrict the matrix first; every number is then
computed over what remains, except that whether a goal is realized by *some* organisation
(`uncovered-goal`, `goals_percent`) always looks at every organisation of the workspace: a
goal that REDU covers is not a gap of the network when the view shows KAO only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from qms import lifetime
from qms.findings import Location
from qms.index import Index
from qms.model import Organisation, Period, Workspace
from qms.partial import NOTHING_LEFT_OUT, LeftOut, unresolved

State = Literal["covered", "committed-not-covered", "not-committed-but-contributes", "none"]
STATES: tuple[State, ...] = (
    "covered",
    "committed-not-covered",
    "not-committed-but-contributes",
    "none",
)
GapKind = Literal["uncovered-goal", "unkept-commitment", "unreported-goal"]
GAP_KINDS: tuple[GapKind, ...] = ("uncovered-goal", "unkept-commitment", "unreported-goal")
GAP_RULES: dict[GapKind, str] = {
    "uncovered-goal": "QMS401",
    "unkept-commitment": "QMS402",
    "unreported-goal": "QMS403",
}
"""The rule that reports each kind of gap (its `lint: ignore:` entries explain the gap)."""
PeriodStatus = Literal["achieved", "ongoing", "delayed", "not-started", "missing", "pending", ""]
"""A cell's status in a period: a reported status, `missing` (committed, period ended, no
result), `pending` (committed, period not ended, no result) or empty (neither)."""

_WORST_FIRST: tuple[PeriodStatus, ...] = ("delayed", "not-started", "ongoing", "achieved")
TextValue = str | dict[str, str]


@dataclass(frozen=True)
class Element:
    """A process, plan action or metric that realizes a goal."""

    kind: Literal["process", "action", "metric"]
    id: str
    """Qualified id: `redu/talous`, `sakk/laatusuunnitelma/a1` (org/plan/action), `kao/m1`."""
    name: TextValue
    where: Location
    example: bool = False
    """The element is example content (`example:`): every output marks it as such."""


@dataclass(frozen=True)
class Reported:
    """One reported result."""

    status: str
    text: TextValue
    where: Location


@dataclass(frozen=True)
class PeriodCell:
    """What one organisation reported for one goal in one period."""

    period: str
    ended: bool
    status: PeriodStatus
    results: tuple[Reported, ...] = ()


@dataclass(frozen=True)
class Cell:
    """One goal x organisation cell."""

    goal: str
    organisation: str
    committed: bool
    state: State
    processes: tuple[Element, ...] = ()
    actions: tuple[Element, ...] = ()
    metrics: tuple[Element, ...] = ()
    periods: tuple[PeriodCell, ...] = ()
    commitment: Location | None = None
    """Where the commitment is written (the `commits_to` item)."""

    @property
    def elements(self) -> tuple[Element, ...]:
        """Everything of the organisation's own that realizes the goal."""
        return self.processes + self.actions + self.metrics


@dataclass(frozen=True)
class GoalRow:
    """A project goal, where it is defined, and its totals."""

    id: str
    name: TextValue
    where: Location
    committed: int = 0
    """Organisations committed to it."""
    realized: int = 0
    """Organisations realizing it (committed or not)."""
    kept: int = 0
    """Commitments with something behind them."""
    reported: dict[str, int] = field(default_factory=dict)
    """Per period: organisations with a result."""
    missing: int = 0
    """Results missing from ended periods (committed organisations only)."""


@dataclass(frozen=True)
class OrgColumn:
    """An organisation, where it is defined, and its totals."""

    id: str
    short: str
    name: TextValue
    where: Location
    committed: int = 0
    kept: int = 0
    contributes: int = 0
    """Goals it realizes without a commitment."""
    due: int = 0
    """Results due: commitments x ended periods."""
    reported: int = 0
    """Of those, reported."""


@dataclass(frozen=True)
class PeriodInfo:
    """A reporting period and whether it has ended as of the as-of date."""

    id: str
    name: TextValue
    start: dt.date
    end: dt.date
    ended: bool


@dataclass(frozen=True)
class Gap:
    """One gap of the coverage, with the model location a finding resolves to."""

    kind: GapKind
    goal: str
    where: Location
    organisation: str = ""
    period: str = ""
    suppressed: str | None = None
    """The reason of a `lint: ignore:` entry for the gap's rule that covers its location: an
    explained gap is listed with its reason and counts as a passed check."""


@dataclass(frozen=True)
class Coverage:
    """The whole matrix as plain data; exporters and rules read it, nothing writes it."""

    as_of: dt.date
    goals: tuple[GoalRow, ...]
    organisations: tuple[OrgColumn, ...]
    periods: tuple[PeriodInfo, ...]
    cells: tuple[tuple[Cell, ...], ...]
    """Rows in goal order, each with one cell per organisation in column order."""
    gaps: tuple[Gap, ...]
    checks: int
    passed: int
    """Checks passed, explained gaps included."""
    goals_percent: float
    commitments_percent: float
    reporting_percent: float
    modelled: int = 0
    """How many organisations the workspace models."""
    members: int | None = None
    """How many organisations the network has in all (the project's `members`), if said."""
    incomplete: LeftOut = NOTHING_LEFT_OUT
    """What the figures leave out: goal references that resolve to nothing (found here), plus
    what the loader left out (added by the caller from the load findings, qms/partial.py);
    every format then says that the figures may be short."""

    @property
    def explained(self) -> int:
        """Gaps explained by a `lint: ignore:` entry (counted as passed)."""
        return sum(1 for g in self.gaps if g.suppressed)

    @property
    def percent(self) -> float:
        """Checks passed / checks, in percent (100.0 when there is nothing to check)."""
        return _pct(self.passed, self.checks)

    def cell(self, goal: str, organisation: str) -> Cell:
        """The cell of a goal and an organisation; KeyError when either is not shown."""
        g = next((i for i, row in enumerate(self.goals) if row.id == goal), None)
        o = next((i for i, col in enumerate(self.organisations) if col.id == organisation), None)
        if g is None or o is None:
            raise KeyError((goal, organisation))
        return self.cells[g][o]


def _suppression(doc: object, where: Location, kind: GapKind) -> str | None:
    """The innermost `lint.ignore` reason for the gap's rule along the location's key path."""
    code, name = GAP_RULES[kind], kind
    node: Any = doc
    reason: str | None = None
    for part in (None, *where.path):
        if part is not None:
            try:
                node = node[part] if isinstance(part, int) else getattr(node, part)
            except (AttributeError, IndexError, KeyError, TypeError):
                break
        settings = getattr(node, "lint", None)
        for entry in getattr(settings, "ignore", None) or ():
            if entry.rule in (code, name):
                reason = entry.reason
    return reason


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


_T = TypeVar("_T", PeriodInfo, Organisation)


def _first_by_id(items: list[_T]) -> list[_T]:
    """Drop repeated ids, keeping the first (QMS003 reports duplicates)."""
    kept: dict[str, _T] = {}
    for item in items:
        kept.setdefault(item.id, item)
    return list(kept.values())


def _wanted(selected: Sequence[str] | None, *names: str | None) -> bool:
    if not selected:
        return True
    keys = {s.casefold() for s in selected}
    return any(n is not None and n.casefold() in keys for n in names)


def ended(period: Period, as_of: dt.date) -> bool:
    """Whether a period has ended as of a date: on its last day it has (`end <= as_of`).

    The one definition the coverage matrix, the rules and the documents share.

    >>> p = Period(id="k", name="K", start=dt.date(2014, 7, 1), end=dt.date(2014, 12, 31))
    >>> ended(p, dt.date(2014, 12, 31)), ended(p, dt.date(2014, 12, 30))
    (True, False)
    """
    return period.end <= as_of


_LAST: tuple[Workspace, dt.date, Coverage] | None = None
"""The whole coverage last computed, with its workspace and date (`coverage`)."""


def coverage(
    ws: Workspace,
    index: Index | None = None,
    as_of: dt.date | None = None,
    *,
    goals: Sequence[str] | None = None,
    organisations: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
) -> Coverage:
    """Compute the goal x organisation coverage of a workspace.

    Goals come in project order, organisations in file order, periods in project order.
    `goals`, `organisations` (id or short name, any case) and `periods` select what is shown;
    references that resolve to nothing are left out of the figures, and counted in
    `incomplete` so that every format says so (QMS004 reports each at its place).

    `index`, when given, is that of `ws`. In a process that ends with its command
    (qms.lifetime) the whole coverage of a workspace is computed once per date: the goal
    map, the coverage rules and the manuals asked for it two or three times (0.25 s each
    nationally), and a frozen result of a frozen workspace cannot differ.
    """
    global _LAST
    today = as_of or ws.settings.as_of or dt.date.today()
    whole = goals is None and organisations is None and periods is None
    if whole and _LAST is not None and _LAST[0] is ws and _LAST[1] == today:
        return _LAST[2]
    found = _coverage(ws, index or Index.build(ws), today, goals, organisations, periods)
    if whole and lifetime.one_shot():
        _LAST = (ws, today, found)
    return found


def _coverage(
    ws: Workspace,
    index: Index,
    today: dt.date,
    goals: Sequence[str] | None,
    organisations: Sequence[str] | None,
    periods: Sequence[str] | None,
) -> Coverage:
    """The coverage itself (`coverage`)."""
    period_infos = [
        PeriodInfo(p.id, p.name, p.start, p.end, ended(p, today))
        for project in ws.projects
        for p in project.periods
        if _wanted(periods, p.id)
    ]
    period_infos = _first_by_id(period_infos)
    goal_defs = [
        (g, Location(project.source, ("goals", i)))
        for project in ws.projects
        for i, g in enumerate(project.goals)
        if _wanted(goals, g.id, f"{project.id}/{g.id}")
    ]
    goal_defs = list({g.id: (g, w) for g, w in reversed(goal_defs)}.values())[::-1]
    orgs = _first_by_id([o for o in ws.members if _wanted(organisations, o.id, o.short)])

    # (goal, org) -> realizing elements, by kind
    found: dict[tuple[str, str], dict[str, list[Element]]] = {}

    def marked(org: str, *chain: object) -> bool:
        from qms.example import example_of, organisation_of

        return example_of(ws.settings, organisation_of(ws, org), *chain) is not None

    unknown: list[str] = []

    def add(refs: Iterable[str], org: str, element: Element) -> None:
        for ref in dict.fromkeys(refs):
            goal_id = index.goal_id(ref)
            if goal_id is None:
                unknown.append(element.where.file)
            else:
                bucket = found.setdefault((goal_id, org), {})
                bucket.setdefault(element.kind, []).append(element)

    for process in ws.processes:
        add(
            process.realizes,
            process.organisation,
            Element(
                "process",
                f"{process.organisation}/{process.id}",
                process.name,
                Location(process.source),
                marked(process.organisation, process),
            ),
        )
    for plan in ws.plans:
        for i, action in enumerate(plan.actions):
            add(
                action.realizes,
                plan.organisation,
                Element(
                    "action",
                    f"{plan.organisation}/{plan.id}/{action.id}",
                    action.what,
                    Location(plan.source, ("actions", i)),
                    marked(plan.organisation, plan, action),
                ),
            )
    for mdoc in ws.metrics:
        for i, metric in enumerate(mdoc.metrics):
            add(
                metric.realizes,
                mdoc.organisation,
                Element(
                    "metric",
                    f"{mdoc.organisation}/{metric.id}",
                    metric.name,
                    Location(mdoc.source, ("metrics", i)),
                    marked(mdoc.organisation, metric),
                ),
            )

    reports: dict[tuple[str, str, str], list[Reported]] = {}
    for rdoc in ws.results:
        for i, result in enumerate(rdoc.results):
            goal_id = index.goal_id(result.goal)
            if goal_id is None:
                unknown.append(rdoc.source)
                continue
            reports.setdefault((goal_id, rdoc.organisation, result.period), []).append(
                Reported(result.status, result.text, Location(rdoc.source, ("results", i)))
            )

    commitments: dict[tuple[str, str], Location] = {}
    for org in orgs:
        for j, ref in enumerate(org.commits_to):
            goal_id = index.goal_id(ref)
            if goal_id is None:
                unknown.append(org.source)
            else:
                commitments.setdefault((goal_id, org.id), Location(org.source, ("commits_to", j)))

    # A goal is covered by the network: an organisation filter narrows the columns shown, not
    # the organisations that can cover a goal.
    declared = {o.id for o in ws.members}
    realized_anywhere = {goal_id for goal_id, org_id in found if org_id in declared}

    rows: list[tuple[Cell, ...]] = []
    for goal, _ in goal_defs:
        row: list[Cell] = []
        for org in orgs:
            key = (goal.id, org.id)
            committed = key in commitments
            bucket = found.get(key, {})
            realized = bool(bucket)
            state: State
            has_results = any((goal.id, org.id, period.id) in reports for period in period_infos)
            if committed:
                state = "covered" if realized else "committed-not-covered"
            else:
                # Reported results show that the organisation took part, even uncommitted.
                contributes = realized or has_results
                state = "not-committed-but-contributes" if contributes else "none"
            cells_by_period = []
            for period in period_infos:
                got = tuple(reports.get((goal.id, org.id, period.id), ()))
                status: PeriodStatus
                if got:
                    statuses = {r.status for r in got}
                    status = next(s for s in _WORST_FIRST if s in statuses)
                elif committed:
                    status = "missing" if period.ended else "pending"
                else:
                    status = ""
                cells_by_period.append(PeriodCell(period.id, period.ended, status, got))
            row.append(
                Cell(
                    goal=goal.id,
                    organisation=org.id,
                    committed=committed,
                    state=state,
                    processes=tuple(bucket.get("process", ())),
                    actions=tuple(bucket.get("action", ())),
                    metrics=tuple(bucket.get("metric", ())),
                    periods=tuple(cells_by_period),
                    commitment=commitments.get(key),
                )
            )
        rows.append(tuple(row))

    goal_rows = []
    gaps: list[Gap] = []
    for (goal, where), cells in zip(goal_defs, rows, strict=True):
        committed_cells = [c for c in cells if c.committed]
        goal_rows.append(
            GoalRow(
                id=goal.id,
                name=goal.name,
                where=where,
                committed=len(committed_cells),
                realized=sum(1 for c in cells if c.elements),
                kept=sum(1 for c in committed_cells if c.elements),
                reported={
                    p.id: sum(1 for c in cells if c.periods[k].results)
                    for k, p in enumerate(period_infos)
                },
                missing=sum(1 for c in cells for pc in c.periods if pc.status == "missing"),
            )
        )
        if goal.id not in realized_anywhere:
            gaps.append(Gap("uncovered-goal", goal.id, where))
        for c in cells:
            if c.state == "committed-not-covered" and c.commitment:
                gaps.append(Gap("unkept-commitment", goal.id, c.commitment, c.organisation))
            for pc in c.periods:
                if pc.status == "missing" and c.commitment:
                    gaps.append(
                        Gap("unreported-goal", goal.id, c.commitment, c.organisation, pc.period)
                    )

    org_cols = []
    for k, org in enumerate(orgs):
        column = [row[k] for row in rows]
        committed_cells = [c for c in column if c.committed]
        org_cols.append(
            OrgColumn(
                id=org.id,
                short=org.short or org.id,
                name=org.name,
                where=Location(org.source, ("id",)),
                committed=len(committed_cells),
                kept=sum(1 for c in committed_cells if c.elements),
                contributes=sum(1 for c in column if c.state == "not-committed-but-contributes"),
                due=sum(1 for c in committed_cells for pc in c.periods if pc.ended),
                reported=sum(
                    1 for c in committed_cells for pc in c.periods if pc.ended and pc.results
                ),
            )
        )

    docs = {doc.source: doc for doc in ws.documents()}
    gaps = [
        Gap(
            g.kind,
            g.goal,
            g.where,
            g.organisation,
            g.period,
            _suppression(docs.get(g.where.file), g.where, g.kind),
        )
        for g in gaps
    ]
    order = {kind: i for i, kind in enumerate(GAP_KINDS)}
    goal_order = {g.id: i for i, g in enumerate(goal_rows)}
    org_order = {o.id: i for i, o in enumerate(org_cols)}
    period_order = {p.id: i for i, p in enumerate(period_infos)}
    gaps.sort(
        key=lambda g: (
            g.suppressed is not None,
            order[g.kind],
            goal_order[g.goal],
            org_order.get(g.organisation, -1),
            period_order.get(g.period, -1),
        )
    )

    n_goals = len(goal_rows)
    n_commit = sum(o.committed for o in org_cols)
    due = sum(o.due for o in org_cols)
    explained = {
        kind: sum(1 for g in gaps if g.kind == kind and g.suppressed) for kind in GAP_KINDS
    }
    covered_goals = sum(1 for g in goal_rows if g.id in realized_anywhere)
    covered_goals += explained["uncovered-goal"]
    kept = sum(o.kept for o in org_cols) + explained["unkept-commitment"]
    reported = sum(o.reported for o in org_cols) + explained["unreported-goal"]
    return Coverage(
        modelled=len(ws.members),
        members=next((p.members for p in ws.projects if p.members), None),
        as_of=today,
        goals=tuple(goal_rows),
        organisations=tuple(org_cols),
        periods=tuple(period_infos),
        cells=tuple(rows),
        gaps=tuple(gaps),
        checks=n_goals + n_commit + due,
        passed=covered_goals + kept + reported,
        goals_percent=_pct(covered_goals, n_goals),
        commitments_percent=_pct(kept, n_commit),
        reporting_percent=_pct(reported, due),
        incomplete=unresolved(unknown),
    )
