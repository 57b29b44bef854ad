"""What the published self-assessment report, maturity matrix and metric trends show.

Plain data built from `qms.quality`, rendered alike by the portal, the DOCX, the PDF and the
management-review pack; the charts are drawn on demand by `qms.charts` from this data, so
that every format shows the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qms.charts import Bar, Format, maturity_chart, ratings_chart, trend_chart, trend_status
from qms.example import example_of, organisation_of
from qms.export.labels import catalogue
from qms.index import Index, split_ref
from qms.l10n import format_date
from qms.model import Assessment, Metric, Workspace, text
from qms.quality import (
    Summary,
    action,
    criteria_sets,
    evidence_target,
    level,
    summarise,
)


@dataclass(frozen=True)
class Link:
    """A name and, when it has one, its place in the portal (relative to the organisation's
    folder: `talous.html`, `talous.html#step-budjetti`, `_metrics.html#metric-m1`). The manual's
    pages and the assessments' evidence and actions share it, so every format draws both alike."""

    name: str
    href: str = ""


@dataclass(frozen=True)
class RatingRow:
    statement: str
    text: str
    level: int | None
    level_name: str
    below: bool
    rationale: str
    evidence: tuple[Link, ...]
    example: str | None = None
    """None for a sourced rating; for example content, its reason ('' when none is given)."""


@dataclass(frozen=True)
class ItemRow:
    id: str
    name: str
    result: str
    """The mean of its rated statements, one decimal ('' when none is rated)."""
    ratings: tuple[RatingRow, ...]


@dataclass(frozen=True)
class AreaRow:
    id: str
    name: str
    result: str
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class ImprovementRow:
    id: str
    text: str
    statements: tuple[str, ...]
    actions: tuple[tuple[Link, str, str], ...]
    """(action, status, due date) of each linked plan action."""


@dataclass(frozen=True)
class AssessmentReport:
    """One self-assessment, ready to publish in the document's language."""

    id: str
    organisation: str
    name: str
    criteria: str
    criteria_name: str
    source: str
    period: str
    date: str
    method: str
    scale: tuple[tuple[int, str, str], ...]
    threshold: int
    threshold_name: str
    areas: tuple[AreaRow, ...]
    strengths: tuple[str, ...]
    improvements: tuple[ImprovementRow, ...]
    unassessed: tuple[str, ...]
    functioning: str
    """'yes', 'no' or 'partial' (some statements not rated)."""
    lang: str = "fi"
    example: str | None = None
    """None when the assessment is sourced; else the reason it is example content."""
    examples: int = 0
    """How many of its ratings are example content."""

    def bars(self) -> list[Bar]:
        return [Bar(r.statement, r.level) for a in self.areas for i in a.items for r in i.ratings]

    def chart(self, fmt: Format = "svg", also: Sequence[Format] = ()) -> bytes:
        """Ratings by statement with the threshold line (`also`: qms.charts)."""
        labels = catalogue(self.lang)
        return ratings_chart(
            self.bars(),
            [(lv, name) for lv, name, _ in self.scale],
            self.threshold,
            {"threshold": labels["threshold"], "unrated": labels["unrated"]},
            fmt,
            also,
        )


def _mean(values: list[int]) -> str:
    return f"{sum(values) / len(values):.1f}" if values else ""


PageName = Callable[[str], str]
"""The portal file of a process page (qms.export.manual.page_name)."""


def _default_page(pid: str) -> str:
    return f"{pid}.html"


def _evidence(ref: str, org: str, index: Index, lang: str, page_name: PageName) -> Link:
    """A readable label and a portal link (relative to the organisation's folder)."""
    target = evidence_target(ref, org, index)
    if target is None:
        return Link(ref)
    kind, what = target
    if kind == "link":
        return Link(what, what)
    if kind == "process":
        key = index.process_key(what, org)
        process = index.processes[key] if key else None
        if process is not None and key is not None:
            prefix = "" if key[0] == org else f"../{key[0]}/"
            return Link(text(process.name, lang), prefix + page_name(key[1]))
    if kind == "metric":
        metric = index.metric(what, org)
        if metric is not None:
            return Link(text(metric.name, lang), f"_metrics.html#{metric.id}")
    if kind == "plan":
        plan = index.plans.get(split_ref(what, org))
        return Link(text(plan.name, lang) if plan else what, "_plan.html")
    if kind == "action":
        return Link(what, "_plan.html")
    if kind == "result":
        return Link(what, "_goals.html")
    return Link(f"{kind}: {what}")


def report(
    assessment: Assessment,
    ws: Workspace,
    index: Index,
    lang: str,
    page_name: PageName = _default_page,
) -> AssessmentReport | None:
    """The publishable report of one assessment, or None when its criteria set is unknown."""
    sets = criteria_sets(ws)
    summary: Summary | None = summarise(assessment, sets)
    if summary is None:
        return None
    crit = summary.criteria
    org = assessment.organisation
    chain = (ws.settings, organisation_of(ws, org), assessment)

    def mark(*inner: object) -> str | None:
        found = example_of(*chain, *inner)
        return None if found is None else text(found.reason, lang)

    areas = []
    for area in crit.areas:
        items = []
        for item in area.items:
            rows = []
            for statement in item.statements:
                rating = summary.ratings.get(statement.id)
                value = rating.level if rating else None
                scale_level = level(crit, value)
                rows.append(
                    RatingRow(
                        statement=statement.id,
                        text=text(statement.text, lang),
                        level=value,
                        level_name=text(scale_level.name, lang) if scale_level else "",
                        below=value is not None and value < crit.threshold,
                        rationale=text(rating.rationale, lang) if rating else "",
                        evidence=tuple(
                            _evidence(ref, org, index, lang, page_name) for ref in rating.evidence
                        )
                        if rating
                        else (),
                        example=mark(rating) if rating else None,
                    )
                )
            rated = [r.level for r in rows if r.level is not None]
            items.append(ItemRow(item.id, text(item.name, lang), _mean(rated), tuple(rows)))
        area_values = [r.level for i in items for r in i.ratings if r.level is not None]
        areas.append(AreaRow(area.id, text(area.name, lang), _mean(area_values), tuple(items)))
    improvements = []
    for imp in assessment.improvements:
        acts = []
        for ref in imp.actions:
            key = action(ref, org, index)
            if key is None:
                acts.append((Link(ref), "", ""))
                continue
            plan = index.plans[(key[0], key[1])]
            act = next(a for a in plan.actions if a.id == key[2])
            prefix = "" if key[0] == org else f"../{key[0]}/"
            acts.append(
                (
                    Link(f"{text(act.what, lang)} ({ref})", prefix + "_plan.html"),
                    act.status,
                    format_date(act.when, lang) if act.when else "",
                )
            )
        improvements.append(
            ImprovementRow(imp.id, text(imp.text, lang), tuple(imp.statements), tuple(acts))
        )
    functioning = summary.functioning()
    threshold = level(crit, crit.threshold)
    built = AssessmentReport(
        id=assessment.id,
        organisation=org,
        name=text(assessment.name, lang) or assessment.id,
        criteria=crit.id,
        criteria_name=text(crit.name, lang),
        source=text(crit.source_, lang),
        period=_period_name(index, assessment.period, lang),
        date=format_date(assessment.date, lang),
        method=text(assessment.method, lang),
        scale=tuple((s.level, text(s.name, lang), text(s.description, lang)) for s in crit.scale),
        threshold=crit.threshold,
        threshold_name=text(threshold.name, lang) if threshold else str(crit.threshold),
        areas=tuple(areas),
        strengths=tuple(text(s, lang) for s in assessment.strengths),
        improvements=tuple(improvements),
        unassessed=tuple(e.statement.id for e in summary.unassessed()),
        functioning="partial" if functioning is None else ("yes" if functioning else "no"),
        lang=lang,
        example=mark(),
        examples=sum(1 for a in areas for i in a.items for r in i.ratings if r.example is not None),
    )
    return built


def _period_name(index: Index, period: str | None, lang: str) -> str:
    if period is None:
        return ""
    located = index.periods.get(period)
    return text(located.item.name, lang) if located else period


def reports(
    ws: Workspace, index: Index, org: str, lang: str, page_name: PageName = _default_page
) -> tuple[AssessmentReport, ...]:
    """An organisation's self-assessments, newest first."""
    found = sorted(
        (a for a in ws.assessments if a.organisation == org),
        key=lambda a: (a.date, a.id),
        reverse=True,
    )
    return tuple(r for a in found if (r := report(a, ws, index, lang, page_name)) is not None)


@dataclass(frozen=True)
class MaturityView:
    """The coordinator's maturity matrix of one criteria set, in the document's language."""

    criteria: str
    criteria_name: str
    threshold: int
    scale: tuple[tuple[int, str], ...]
    columns: tuple[str, ...]
    """Organisations' short names, in the order of the cells."""
    rows: tuple[tuple[str, str, tuple[tuple[int | None, int | None, bool], ...]], ...]
    """(statement id, statement text, ((level, change, example), ...) per column); `example`
    is True when the rating is example content (shown with an asterisk)."""
    missing: tuple[str, ...]
    """Organisations without an assessment against the set."""

    def chart(self, fmt: Format = "svg", also: Sequence[Format] = ()) -> bytes:
        return maturity_chart(
            [r[0] for r in self.rows],
            self.columns,
            [[cell[0] for cell in r[2]] for r in self.rows],
            self.scale,
            fmt,
            marked=[[cell[2] for cell in r[2]] for r in self.rows],
            also=also,
        )

    @property
    def examples(self) -> int:
        """How many cells are example content."""
        return sum(1 for r in self.rows for cell in r[2] if cell[2])


def maturity(
    organisations: Sequence[tuple[str, Sequence[AssessmentReport]]],
) -> tuple[MaturityView, ...]:
    """The network maturity matrices from each organisation's published self-assessments.

    `organisations` holds (short name, reports newest first) in the network's order. One
    matrix per criteria set that anyone assessed against; each column is an organisation's
    newest assessment against the set, the change is against its previous one. Rows with
    more organisations below the threshold come first; ties keep the set's order.
    """
    views = []
    sets = sorted({r.criteria for _, reports in organisations for r in reports})
    for criteria_id in sets:
        columns: list[str] = []
        newest: list[dict[str, int | None]] = []
        before: list[dict[str, int | None]] = []
        marks: list[dict[str, bool]] = []
        missing: list[str] = []
        first: AssessmentReport | None = None
        for name, reports in organisations:
            own = [r for r in reports if r.criteria == criteria_id]
            if not own:
                missing.append(name)
                continue
            first = first or own[0]
            columns.append(name)
            newest.append(_levels(own[0]))
            marks.append(
                {
                    x.statement: x.example is not None
                    for a in own[0].areas
                    for i in a.items
                    for x in i.ratings
                }
            )
            before.append(_levels(own[1]) if len(own) > 1 else {})
        assert first is not None  # the set was taken from some organisation's reports
        statements = [
            (x.statement, x.text) for a in first.areas for i in a.items for x in i.ratings
        ]
        rows = []
        for position, (sid, stext) in enumerate(statements):
            cells = tuple(
                (now.get(sid), _change(now.get(sid), then.get(sid)), mark.get(sid, False))
                for now, then, mark in zip(newest, before, marks, strict=True)
            )
            gaps = sum(1 for lv, _, _ in cells if lv is not None and lv < first.threshold)
            rows.append((-gaps, position, (sid, stext, cells)))
        rows.sort(key=lambda r: (r[0], r[1]))
        views.append(
            MaturityView(
                criteria=criteria_id,
                criteria_name=first.criteria_name,
                threshold=first.threshold,
                scale=tuple((lv, name) for lv, name, _ in first.scale),
                columns=tuple(columns),
                rows=tuple(r[2] for r in rows),
                missing=tuple(missing),
            )
        )
    return tuple(views)


def _levels(report: AssessmentReport) -> dict[str, int | None]:
    return {x.statement: x.level for a in report.areas for i in a.items for x in i.ratings}


def _change(now: int | None, then: int | None) -> int | None:
    return None if now is None or then is None else now - then


@dataclass(frozen=True)
class Trend:
    """A metric's values per period with its target, baseline and traffic light."""

    metric: str
    name: str
    unit: str
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    shown: tuple[str, ...]
    """Each period's value as written (numbers and texts alike), for the table."""
    target: float | None
    baseline: float | None
    status: str
    lang: str
    example: str | None = None
    """None for a sourced metric; for example content, its reason ('' when none is given)."""

    @property
    def plotted(self) -> bool:
        """True when at least one value is a number (texts are tabled, not plotted)."""
        return any(v is not None for v in self.values)

    def chart(self, fmt: Format = "svg", also: Sequence[Format] = ()) -> bytes:
        labels = catalogue(self.lang)
        return trend_chart(
            self.periods,
            self.values,
            self.target,
            self.baseline,
            {"target": labels["target_short"], "baseline": labels["baseline_short"]},
            self.unit,
            fmt,
            also,
        )


def _num_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _number(value: str | float | None) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def trend(metric: Metric, index: Index, lang: str, org: str | None = None) -> Trend | None:
    """The trend of a metric over the project's periods, or None when it has no values.

    `org` (the metric set's organisation) lets an example mark inherited from the
    workspace or the organisation reach the trend, as it reaches the metric's table row."""
    if not metric.values:
        return None
    by_period = {v.period: v.value for v in metric.values}
    order = [pid for pid in index.periods if "/" not in pid]
    order += [p for p in by_period if p not in order]
    shown = [p for p in order if p in by_period]
    values = tuple(_number(by_period[p]) for p in shown)
    written = tuple(
        _num_text(v) if (v := _number(by_period[p])) is not None else str(by_period[p])
        for p in shown
    )
    target, baseline = _number(metric.target), _number(metric.baseline)
    return Trend(
        metric=metric.id,
        name=text(metric.name, lang),
        unit=metric.unit or "",
        periods=tuple(_period_name(index, p, lang) for p in shown),
        values=values,
        shown=written,
        target=target,
        baseline=baseline,
        status=trend_status(values, target, baseline),
        lang=lang,
        example=_example_reason(index, org, metric, lang),
    )


def _example_reason(index: Index, org: str | None, element: object, lang: str) -> str | None:
    """The element's example reason in `lang` ('' for a bare mark), None when sourced."""
    ws = index.workspace
    chain = (ws.settings, organisation_of(ws, org) if org else None, element)
    found = example_of(*chain)
    return None if found is None else text(found.reason, lang)
