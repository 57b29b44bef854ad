"""The operating-system description (toimintajärjestelmäkuvaus) of one organisation, as data.

One content model, four renderers (HTML portal, DOCX, PDF, Markdown): what the manual says is
decided here once, so the formats never disagree. Texts are already in the chosen language
(falling back to the workspace's); enumerations (status, phase, kind) stay as keys that the
renderers look up in qms/export/labels.py. Diagrams are drawn with the render engine's DOT jobs
(qms/render) by `Diagrams`, which runs Graphviz to memory: exporters return bytes, the CLI
writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qms.coverage import Coverage, Element, coverage
from qms.example import Example, Marked, counted_elements, example_of, examples
from qms.export.assessment import AssessmentReport, Link, Trend, trend
from qms.export.assessment import reports as assessment_reports
from qms.findings import Msg
from qms.index import Index
from qms.l10n import format_date
from qms.lint import Result
from qms.model import Metric, Organisation, Plan, Process, Step, Workspace, text
from qms.partial import left_out
from qms.render import graphviz
from qms.render.engine import DotJob
from qms.views import NO_ROLE, PROCESS_MAP, ProcessMapView, process_map_view

if TYPE_CHECKING:
    from qms.history import Revision

BANDS = ("management", "core", "support")
PHASES = ("plan", "do", "check", "act", "")


@dataclass(frozen=True)
class Exchange:
    """An input or output and the party on the other side (a process name or an outsider)."""

    name: str
    party: str
    href: str = ""
    """The party's process page, relative to the organisation folder, when it is a process."""


@dataclass(frozen=True)
class StepRow:
    """One step of the flow, as the step table shows it."""

    id: str
    kind: str
    name: str
    role: str
    next: tuple[str, ...]
    description: str = ""
    documents: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    detail: str = ""
    """What BPMN adds to the kind: trigger, timer, the step an event sits on, loop, data."""


DETAIL = {
    "fi": {
        "trigger": "laukaisin",
        "catch": "odottaa",
        "throw": "lähettää",
        "on": "vaiheen {host} reunalla",
        "non-interrupting": "ei keskeytä",
        "loop": "toisto",
        "compensation": "hyvitys",
        "triggered": "tapahtuman käynnistämä",
        "produces": "tuottaa",
        "systems": "järjestelmät",
        "notes": "huom.",
        "message": "viesti",
        "timer": "ajastin",
        "signal": "signaali",
        "conditional": "ehto",
        "escalation": "eskalointi",
        "error": "virhe",
        "terminate": "lopettaa kaiken",
        "link": "linkki",
        "cancel": "peruutus",
        "multiple": "useita",
        "parallel-multiple": "useita yhtä aikaa",
        "user": "käyttäjä",
        "manual": "käsin",
        "service": "palvelu",
        "script": "skripti",
        "business-rule": "liiketoimintasääntö",
        "send": "lähetys",
        "receive": "vastaanotto",
        "standard": "toistuu",
        "parallel": "rinnakkain jokaiselle",
        "sequential": "vuorotellen jokaiselle",
    },
    "en": {
        "trigger": "trigger",
        "catch": "waits",
        "throw": "sends",
        "on": "on the border of {host}",
        "non-interrupting": "does not interrupt",
        "loop": "loop",
        "compensation": "compensation",
        "triggered": "started by an event",
        "produces": "produces",
        "systems": "systems",
        "notes": "note",
    },
}


def step_detail(step: Step, names: dict[str, str], docs: dict[str, str], lang: str) -> str:
    """One line of what BPMN says beyond the step's kind, in the manual's language.

    >>> step_detail(Step(id="a", name="A", kind="event", trigger="timer",
    ...     timer={"duration": "14 days"}, attached_to="b"), {"b": "B"}, {}, "en")
    'trigger: timer 14 days; on the border of B'
    """
    words = DETAIL["fi" if lang == "fi" else "en"]

    def w(key: str) -> str:
        return words.get(key, key)

    parts: list[str] = []
    if step.task_type:
        parts.append(w(step.task_type))
    if step.trigger:
        timer = step.timer
        when = (timer.date or timer.duration or timer.cycle or "") if timer else ""
        parts.append(f"{w('trigger')}: {w(step.trigger)}" + (f" {when}" if when else ""))
    if step.kind == "event" and not step.attached_to and step.catch is not None:
        parts.append(w("catch") if step.catch else w("throw"))
    if step.attached_to:
        parts.append(w("on").format(host=names.get(step.attached_to, step.attached_to)))
    if not step.interrupting:
        parts.append(w("non-interrupting"))
    if step.loop:
        parts.append(f"{w('loop')}: {w(step.loop)}")
    if step.compensation:
        parts.append(w("compensation"))
    if step.triggered:
        parts.append(w("triggered"))
    if step.produces:
        parts.append(f"{w('produces')}: {', '.join(docs.get(d, d) for d in step.produces)}")
    if step.systems:
        parts.append(f"{w('systems')}: {', '.join(text(x, lang) for x in step.systems)}")
    parts += [f"{w('notes')}: {text(n, lang)}" for n in step.notes]
    return "; ".join(parts)


@dataclass(frozen=True)
class MetricRow:
    """A metric with its target and latest value."""

    id: str
    name: str
    unit: str = ""
    baseline: str = ""
    target: str = ""
    target_date: str = ""
    frequency: str = ""
    source: str = ""
    owner: str = ""
    latest: str = ""
    description: str = ""


@dataclass(frozen=True)
class DocRow:
    """A document or operating instruction."""

    id: str
    name: str
    version: str = ""
    link: str = ""
    owner: str = ""


@dataclass(frozen=True)
class RiskRow:
    """A risk and how it is handled."""

    name: str
    likelihood: str = ""
    impact: str = ""
    mitigation: str = ""


@dataclass(frozen=True)
class GoalLink:
    """A goal a process realizes or influences."""

    id: str
    name: str
    how: str
    """`realizes` or `influences`."""


@dataclass(frozen=True)
class FindingRow:
    """A lint finding of the organisation's files, open or suppressed with its reason."""

    code: str
    severity: str
    where: str
    message: str
    reason: str = ""


@dataclass(frozen=True)
class RoleRow:
    """A role of the organisation and what it does where: the role page's row and section."""

    id: str
    name: str
    description: str
    owns: tuple[Link, ...]
    """The processes the role owns."""
    steps: tuple[tuple[Link, tuple[Link, ...]], ...]
    """(process, the steps of its flow in the role's lane), in process order."""
    actions: tuple[Link, ...] = ()
    """Quality-plan actions the role is responsible for."""
    metrics: tuple[Link, ...] = ()
    """Metrics the role owns."""

    def in_process(self, pid: str) -> tuple[bool, int]:
        """(owns the process, how many of its steps are in the role's lane): a matrix cell."""
        href = page_name(pid)
        steps = sum(len(found) for proc, found in self.steps if proc.href == href)
        return any(link.href == href for link in self.owns), steps


@dataclass(frozen=True)
class DocumentEntry:
    """A document of the register, organisation-wide or a process's own, and where it is used."""

    id: str
    name: str
    version: str
    owner: str
    link: str
    organisation_level: bool
    used_in: tuple[Link, ...]
    """The processes that list it and the steps that use it."""
    anchor: str = ""
    """Its anchor on the register page (unique: a process's own documents carry its id)."""


@dataclass(frozen=True)
class PeriodResult:
    """What the organisation reported for a goal in one period."""

    period: str
    status: str
    """A coverage.PeriodStatus key (achieved, ongoing, delayed, not-started, missing, pending)."""
    text: str = ""


@dataclass(frozen=True)
class HistoryRow:
    """One change of a process or plan in git: which version, when, who, what changed."""

    version: str
    date: str
    author: str
    summary: str
    """The semantic changes in a few words (qms.diff.summary_line)."""
    commit: str = ""
    version_kept: bool = False
    """The content changed but the version did not."""


@dataclass(frozen=True)
class History:
    """The change history (muutoshistoria) of a process or plan, newest first.

    `state` says where it comes from: `git` (rows from the repository; none when no commit
    changed the file's content), `no-git` (the workspace is not in a git repository: the
    manual says so), `off` (not asked for).
    """

    state: str = "off"
    rows: tuple[HistoryRow, ...] = ()


@dataclass(frozen=True)
class ProcessPage:
    """Everything the manual says about one process."""

    id: str
    name: str
    band: str
    level: int
    owner: str
    purpose: str
    scope: str
    description: str
    suppliers: tuple[str, ...]
    inputs: tuple[Exchange, ...]
    outputs: tuple[Exchange, ...]
    customers: tuple[str, ...]
    resources: tuple[str, ...]
    steps: tuple[StepRow, ...]
    metrics: tuple[MetricRow, ...]
    documents: tuple[DocRow, ...]
    risks: tuple[RiskRow, ...]
    goals: tuple[GoalLink, ...]
    review_method: str
    review_last: str
    review_next: str
    review_overdue: bool
    status: str
    version: str
    approved_by: str
    approved_on: str
    parent: str = ""
    findings: tuple[FindingRow, ...] = ()
    diagram: str = ""
    """The render engine's diagram name, `<org>/<process>`."""
    example: str = ""
    """A notice when the process, or some of its steps, is example content (with the reason)."""
    parent_href: str = ""
    """The parent's page, when the parent is a process of the portal."""
    lineage: tuple[Link, ...] = ()
    """The processes above this one, top first (the breadcrumb's trail)."""
    children: tuple[Link, ...] = ()
    """The processes one level down (`parent:` naming this one)."""
    history: History = History()
    approval_state: str = ""
    """`current` when the approval's digest still matches the content, `changed` when the
    content (or a goal, parent or metric it points to) changed after the approval, else ''."""


@dataclass(frozen=True)
class ActionRow:
    """An action of a quality plan."""

    id: str
    what: str
    who: str
    due: str
    overdue: bool
    status: str
    evaluated_by: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class PlanSection:
    """A quality plan, its actions grouped by PDCA phase (`""` for unmarked ones)."""

    id: str
    name: str
    description: str
    horizon: str
    status: str
    version: str
    approved_by: str
    approved_on: str
    phases: tuple[tuple[str, tuple[ActionRow, ...]], ...]
    example: str = ""
    """A notice when the plan, or some of its actions, is example content (with the reason)."""
    history: History = History()
    approval_state: str = ""
    """As ProcessPage.approval_state."""


@dataclass(frozen=True)
class GoalRow:
    """A project goal and where the organisation stands with it."""

    id: str
    name: str
    committed: bool
    state: str
    realized_by: tuple[str, ...]
    processes: tuple[Link, ...] = ()
    actions: tuple[Link, ...] = ()
    metrics: tuple[Link, ...] = ()
    results: tuple[PeriodResult, ...] = ()


@dataclass(frozen=True)
class ApprovalRow:
    """One line of the version and approval table."""

    document: str
    version: str
    status: str
    approved_by: str
    approved_on: str


@dataclass(frozen=True)
class Band:
    """A band of the process map with (process id, name) boxes."""

    band: str
    processes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Manual:
    """The operating-system description of one organisation, texts in `lang`."""

    lang: str
    organisation: str
    name: str
    short: str
    description: str
    workspace: str
    as_of: str
    bands: tuple[Band, ...]
    customers: tuple[str, ...]
    processes: tuple[ProcessPage, ...]
    plans: tuple[PlanSection, ...]
    metrics: tuple[MetricRow, ...]
    goals: tuple[GoalRow, ...]
    findings: tuple[FindingRow, ...]
    suppressed: tuple[FindingRow, ...]
    approvals: tuple[ApprovalRow, ...]
    quality_group: tuple[tuple[str, str, str], ...] = ()
    """(role, name, task) of the quality group's members."""
    map_diagram: str = ""
    map_view: ProcessMapView | None = field(default=None, compare=False)
    incomplete: str = ""
    """'Malli on puutteellinen: ...' when the loader left something out (qms/partial.py)."""
    example_notice: str = ""
    """A notice that the manual holds example content, when it does."""
    examples: tuple[tuple[str, str], ...] = ()
    """(element, reason) of every example element of the organisation, for the notice."""
    roles: tuple[RoleRow, ...] = ()
    documents: tuple[DocumentEntry, ...] = ()
    """The document register: organisation-wide documents first, then each process's own."""
    assessments: tuple[AssessmentReport, ...] = ()
    """The organisation's self-assessments, newest first."""
    trends: tuple[Trend, ...] = ()
    """Trends of the organisation's metrics that have values."""

    @property
    def as_of_text(self) -> str:
        """The as-of date as the manual's language writes it (31.1.2013 in Finnish)."""
        return format_date(dt.date.fromisoformat(self.as_of), self.lang)

    def process(self, pid: str) -> ProcessPage:
        """The page of one process; KeyError when the manual has none by that id."""
        for page in self.processes:
            if page.id == pid:
                return page
        raise KeyError(pid)


@dataclass(frozen=True)
class Charted:
    """What one organisation's manual charts, made without the rest of the manual: `qms
    build` starts drawing the charts from it (qms/export/ahead.py) and builds the manuals
    while they are drawn. `build_manual` takes its charts from the same `_charted`."""

    short: str
    assessments: tuple[AssessmentReport, ...]
    trends: tuple[Trend, ...]


def _charted(
    ws: Workspace, index: Index, org: Organisation, lang: str, metrics: Sequence[Metric]
) -> Charted:
    reports = assessment_reports(ws, index, org.id, lang, page_name)
    trends = tuple(t for m in metrics if (t := trend(m, index, lang, org.id)) is not None)
    return Charted(org.short or org.id.upper(), reports, trends)


def charted(ws: Workspace, lang: str) -> list[Charted]:
    """What the manuals of every organisation (`build_manuals`' choice and order) chart."""
    index = Index.build(ws)
    metrics: dict[str, list[Metric]] = {}
    for doc, _, m in index.metrics_docs():
        metrics.setdefault(doc.organisation, []).append(m)
    orgs = [o for o in index.organisations.values() if o.merges_into is None]
    return [_charted(ws, index, o, lang, metrics.get(o.id, [])) for o in orgs]


def page_name(pid: str) -> str:
    """The portal file of a process page, next to its organisation's front page.

    Ids cannot start with '_', so the section pages (`_plan.html`, ...) never collide with a
    process; only a process called `index` needs another name than its id.
    """
    return "_process-index.html" if pid == "index" else f"{pid}.html"


# --- building --------------------------------------------------------------------------------


def _value(value: str | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date(value: dt.date | None, lang: str) -> str:
    """A date as the manual's language writes it (31.1.2013 in Finnish), through Babel."""
    return format_date(value, lang)


def _metric_row(
    metric: Metric, role: dict[str, str], tx: _Tx, mark: Example | None = None
) -> MetricRow:
    latest = ""
    if metric.values:
        last = metric.values[-1]
        latest = f"{_value(last.value)} ({last.period})"
    return MetricRow(
        id=metric.id,
        name=_tag(tx(metric.name), mark, tx.lang),
        unit=metric.unit or "",
        baseline=_value(metric.baseline),
        target=_value(metric.target),
        target_date=_date(metric.target_date, tx.lang),
        frequency=tx(metric.frequency),
        source=tx(metric.source),
        owner=role.get(metric.owner or "", metric.owner or ""),
        latest=latest,
        description=tx(metric.description),
    )


EXAMPLE = {
    "tag": Msg(en="example", fi="esimerkki"),
    "page": Msg(
        en="Example content: this is an illustration, not taken from the sources{reason}.",
        fi="Esimerkkisisältöä: tämä on havainnollistus, ei lähteistä{reason}.",
    ),
    "some": Msg(
        en="Example content: {count} marked (example) are illustrations, not from the sources.",
        fi="Esimerkkisisältöä: {count}, merkitty (esimerkki), ovat havainnollistuksia, eivät "
        "lähteistä.",
    ),
    "manual": Msg(
        en="This description holds example content that its sources do not support: {count}, "
        "each marked (example). Do not read them as the organisation's own.",
        fi="Tämä kuvaus sisältää esimerkkisisältöä, jota lähteet eivät tue: {count}, kukin "
        "merkitty (esimerkki). Niitä ei pidä lukea organisaation omiksi.",
    ),
}


def _tag(name: str, mark: Example | bool | None, lang: str) -> str:
    """`name (esimerkki)` for example content, else the name."""
    return f"{name} ({EXAMPLE['tag'].format(lang)})" if mark else name


def _page_notice(mark: Example | None, inner: int, tx: _Tx) -> str:
    """The notice of a page whose element is an example, or holds `inner` example parts."""
    if mark:
        reason = f": {tx(mark.reason)}" if mark.reason else ""
        return EXAMPLE["page"].format(tx.lang, reason=reason)
    if inner:
        return EXAMPLE["some"].format(tx.lang, count=counted_elements(inner, tx.lang))
    return ""


class _Tx:
    """Resolves a model text in the chosen language, falling back to the workspace's."""

    def __init__(self, lang: str, fallback: str) -> None:
        self.lang, self.fallback = lang, fallback

    def __call__(self, value: str | dict[str, str] | None) -> str:
        return text(value, self.lang, self.fallback)


def _owner_of(ws: Workspace) -> dict[str, str]:
    """Document source -> organisation id, so findings can be filed under their organisation."""
    owners: dict[str, str] = {}
    for org in ws.organisations:
        owners[org.source] = org.id
    for docs in (ws.processes, ws.plans, ws.metrics, ws.results):
        for doc in docs:
            owners[doc.source] = doc.organisation
    return owners


@dataclass(frozen=True)
class _Shared:
    """What each organisation's manual reads from the whole workspace: made once for all
    manuals (each walking every element again made the manuals quadratic in organisations)."""

    owners: dict[str, str]
    examples: tuple[Marked, ...]

    @classmethod
    def of(cls, ws: Workspace) -> _Shared:
        return cls(_owner_of(ws), tuple(examples(ws)))


def _findings(
    result: Result | None, org: str, owners: dict[str, str], lang: str
) -> list[tuple[str, FindingRow]]:
    """(file, row) of the organisation's findings, in the linter's order."""
    rows: list[tuple[str, FindingRow]] = []
    if result is None:
        return rows
    for f in result.findings:
        owner = owners.get(f.file)
        if owner is None:
            parts = f.file.split("/")
            owner = parts[1] if len(parts) > 2 and parts[0] == "organisations" else None
        if owner != org:
            continue
        row = FindingRow(
            code=f.code,
            severity=f.severity,
            where=f"{f.file}:{f.line}:{f.col}",
            message=f.message(lang),
            reason=f.suppressed or "",
        )
        rows.append((f.file, row))
    return rows


def build_manual(
    ws: Workspace,
    organisation: str,
    lang: str | None = None,
    *,
    index: Index | None = None,
    result: Result | None = None,
    cov: Coverage | None = None,
    history: Mapping[str, Sequence[Revision]] | bool | None = False,
    shared: _Shared | None = None,
) -> Manual:
    """The manual of one organisation; KeyError when the workspace has no such organisation.

    `result` is the lint result of the loaded workspace (its open and suppressed findings are
    published); `cov` the coverage matrix (computed here when not given). `history` is the git
    history of the model files by path (qms.history.histories_of), None when the workspace is
    not in git (the manual says so), False when no history is wanted. `shared` is what every
    organisation's manual reads from the whole workspace, made once by `build_manuals`.
    """
    index = index or Index.build(ws)
    shared = shared or _Shared.of(ws)
    org: Organisation = index.organisations[organisation]
    chosen = lang or ws.language
    tx = _Tx(chosen, ws.language)
    cov = cov or coverage(ws, index)
    as_of = cov.as_of
    roles = {r.id: tx(r.name) for r in org.roles}
    own = {p: index.processes[(org.id, p)] for p in index.own_processes.get(org.id, [])}
    pm = process_map_view(index, org, chosen)
    bands = tuple(Band(band, tuple((b.id, b.name) for b in boxes)) for band, boxes in pm.bands)
    order = [pid for band in bands for pid, _ in band.processes]
    order += [pid for pid in own if pid not in order]
    found = _findings(result, org.id, shared.owners, chosen)
    metrics_of_org = [m for doc, _, m in index.metrics_docs() if doc.organisation == org.id]
    charts = _charted(ws, index, org, chosen, metrics_of_org)
    top = (ws.settings, org)

    def tag(name: str, *chain: object) -> str:
        """The name, tagged (esimerkki) when the innermost of `chain` is example content and
        its container in `chain` is not (a tagged process does not repeat it on each step)."""
        inner = example_of(*top, *chain)
        outer = example_of(*top, *chain[:-1]) if len(chain) > 1 else None
        return _tag(name, inner and not outer, chosen)

    marked = [
        (f"{m.kind} {m.element}", tx(m.reason))
        for m in shared.examples
        if m.element.split("/")[0] == org.id or m.kind == "workspace"
    ]

    def party(ref: str | None) -> Exchange:
        if not ref:
            return Exchange("", "")
        key = index.process_key(ref, org.id)
        if key is None:
            return Exchange("", ref)
        proc = index.processes[key]
        href = page_name(key[1]) if key[0] == org.id else f"../{key[0]}/{page_name(key[1])}"
        return Exchange("", tx(proc.name), href)

    def page(proc: Process) -> ProcessPage:
        chain = (ws.settings, org, proc)
        proc_mark = example_of(*chain)
        step_marks = {s.id: example_of(*chain, s) for s in proc.steps}
        names = {s.id: tx(s.name) for s in proc.steps}
        docs_by_id = {d.id: tx(d.name) for d in proc.documents}
        docs_by_id |= {d.id: tx(d.name) for d in org.documents if d.id not in docs_by_id}
        steps = tuple(
            StepRow(
                id=s.id,
                kind=s.kind,
                name=tag(tx(s.name), proc, s),
                role=roles.get(s.role or "", s.role or NO_ROLE),
                next=tuple(
                    names.get(b.to, b.to) + (f" ({tx(b.label)})" if b.label else "") for b in s.next
                ),
                description=tx(s.description),
                documents=tuple(docs_by_id.get(d, d) for d in s.documents),
                outputs=tuple(tx(o) for o in s.outputs),
                detail=step_detail(s, names, docs_by_id, chosen),
            )
            for s in proc.steps
        )
        metrics = []
        for ref in proc.metrics:
            located = index.metrics.get((org.id, ref.split("/")[-1]))
            if located is not None:
                metrics.append(_metric_row(located.item, roles, tx, example_of(*top, located.item)))
        goals = []
        for how, refs in (("realizes", proc.realizes), ("influences", proc.influences)):
            for ref in refs:
                goal = index.goal(ref)
                goals.append(GoalLink(goal.id if goal else ref, tx(goal.name) if goal else "", how))
        review = proc.review
        nxt = review.next if review else None
        inputs = tuple(Exchange(tx(i.name), *_party_fields(party(i.from_))) for i in proc.inputs)
        outputs = tuple(Exchange(tx(o.name), *_party_fields(party(o.to))) for o in proc.outputs)
        parent = ""
        if proc.parent:
            found_parent = index.process(proc.parent, org.id)
            parent = tx(found_parent.name) if found_parent else proc.parent
        lineage = _lineage(proc, index, org.id, tx)
        return ProcessPage(
            id=proc.id,
            name=tx(proc.name),
            band=proc.type,
            level=proc.level,
            owner=roles.get(proc.owner or "", proc.owner or ""),
            purpose=tx(proc.purpose),
            scope=tx(proc.scope),
            description=tx(proc.description),
            suppliers=tuple(tx(s) for s in proc.suppliers),
            inputs=inputs,
            outputs=outputs,
            customers=tuple(tx(c) for c in proc.customers),
            resources=tuple(tx(r) for r in proc.resources),
            steps=steps,
            metrics=tuple(metrics),
            documents=tuple(
                DocRow(
                    d.id,
                    tag(tx(d.name), proc, d),
                    d.version or "",
                    d.link or "",
                    roles.get(d.owner or "", d.owner or ""),
                )
                for d in proc.documents
            ),
            risks=tuple(
                RiskRow(tx(r.name), r.likelihood or "", r.impact or "", tx(r.mitigation))
                for r in proc.risks
            ),
            goals=tuple(goals),
            review_method=tx(review.method) if review else "",
            review_last=_date(review.last, chosen) if review else "",
            review_next=_date(nxt, chosen),
            review_overdue=bool(nxt and nxt < as_of),
            status=proc.status,
            version=proc.version or "",
            approved_by=proc.approved.by if proc.approved else "",
            approved_on=_date(proc.approved.on, chosen) if proc.approved else "",
            parent=parent,
            findings=tuple(row for file, row in found if file == proc.source and not row.reason),
            diagram=f"{org.id}/{proc.id}",
            example=_page_notice(proc_mark, sum(1 for m in step_marks.values() if m), tx),
            parent_href=lineage[-1].href if lineage else "",
            lineage=lineage,
            children=tuple(
                Link(tx(own[c].name), page_name(c))
                for c in order
                if own[c].parent and index.process_key(own[c].parent or "", org.id) == key(proc)
            ),
            history=_history(history, proc.source, chosen),
            approval_state=_approval_state(proc, index),
        )

    def key(proc: Process) -> tuple[str, str]:
        return (proc.organisation, proc.id)

    pages = tuple(page(own[pid]) for pid in order)
    plans_of_org = [plan for (o, _), plan in sorted(index.plans.items()) if o == org.id]
    plans = []
    for (o, _), plan in sorted(index.plans.items()):
        if o != org.id:
            continue
        grouped: dict[str, list[ActionRow]] = {p: [] for p in PHASES}
        plan_mark = example_of(*top, plan)
        action_marks = [example_of(*top, plan, a) for a in plan.actions]
        for a in plan.actions:
            grouped[a.phase or ""].append(
                ActionRow(
                    id=a.id,
                    what=tag(tx(a.what), plan, a),
                    who=roles.get(a.who or "", a.who or ""),
                    due=_date(a.when, chosen),
                    overdue=bool(a.when and a.when < as_of and a.status not in ("done", "dropped")),
                    status=a.status,
                    evaluated_by=tuple(
                        tx(index.metrics[(org.id, m)].item.name)
                        if (org.id, m) in index.metrics
                        else m
                        for m in a.evaluated_by
                    ),
                    description=tx(a.description),
                )
            )
        plans.append(
            PlanSection(
                id=plan.id,
                name=tx(plan.name),
                description=tx(plan.description),
                horizon=_date(plan.horizon, chosen),
                status=plan.status,
                version=plan.version or "",
                approved_by=plan.approved.by if plan.approved else "",
                approved_on=_date(plan.approved.on, chosen) if plan.approved else "",
                phases=tuple((p, tuple(rows)) for p, rows in grouped.items() if rows),
                example=_page_notice(plan_mark, sum(1 for m in action_marks if m), tx),
                history=_history(history, plan.source, chosen),
                approval_state=_approval_state(plan, index),
            )
        )
    goals: list[GoalRow] = []
    periods = {p.id: p for p in cov.periods}
    col = next((i for i, c in enumerate(cov.organisations) if c.id == org.id), None)
    if col is not None:
        for row, cells in zip(cov.goals, cov.cells, strict=True):
            cell = cells[col]
            goals.append(
                GoalRow(
                    id=row.id,
                    name=tx(row.name),
                    committed=cell.committed,
                    state=cell.state,
                    realized_by=tuple(_tag(tx(e.name), e.example, chosen) for e in cell.elements),
                    processes=tuple(_element_link(e, org.id, tx) for e in cell.processes),
                    actions=tuple(_element_link(e, org.id, tx) for e in cell.actions),
                    metrics=tuple(_element_link(e, org.id, tx) for e in cell.metrics),
                    results=tuple(
                        PeriodResult(
                            tx(periods[pc.period].name) if pc.period in periods else pc.period,
                            pc.status,
                            "; ".join(tx(r.text) for r in pc.results if r.text),
                        )
                        for pc in cell.periods
                        if pc.status
                    ),
                )
            )
    approvals = [
        ApprovalRow(p.name, p.version, p.status, p.approved_by, p.approved_on) for p in pages
    ]
    approvals += [
        ApprovalRow(p.name, p.version, p.status, p.approved_by, p.approved_on) for p in plans
    ]
    return Manual(
        lang=chosen,
        organisation=org.id,
        name=tx(org.name),
        short=charts.short,
        description=tx(org.description),
        workspace=tx(ws.settings.name),
        as_of=as_of.isoformat(),
        bands=bands,
        customers=pm.customers,
        processes=pages,
        plans=tuple(plans),
        metrics=tuple(_metric_row(m, roles, tx, example_of(*top, m)) for m in metrics_of_org),
        goals=tuple(goals),
        findings=tuple(row for _, row in found if not row.reason),
        suppressed=tuple(row for _, row in found if row.reason),
        approvals=tuple(approvals),
        quality_group=tuple(
            (roles.get(m.role, m.role), m.name or "", tx(m.task)) for m in org.quality_group
        ),
        map_diagram=f"{org.id}/{PROCESS_MAP}",
        map_view=pm,
        incomplete=left_out(result.findings).text(chosen) if result else "",
        example_notice=(
            EXAMPLE["manual"].format(chosen, count=counted_elements(len(marked), chosen))
            if marked
            else ""
        ),
        examples=tuple(marked),
        roles=_roles(org, [own[pid] for pid in order], plans_of_org, metrics_of_org, tx, tag),
        documents=_register(org, [own[pid] for pid in order], roles, tx, tag),
        assessments=charts.assessments,
        trends=charts.trends,
    )


def _history(
    history: Mapping[str, Sequence[Revision]] | bool | None, source: str, lang: str
) -> History:
    """One document's change history for the manual, in `lang`."""
    from qms.diff import summary_line

    if history is False or history is True:
        return History()
    if history is None:
        return History("no-git")
    rows = tuple(
        HistoryRow(
            version=r.version or "",
            date=format_date(r.date, lang),
            author=r.author,
            summary=summary_line(r.changes, lang),
            commit=r.commit,
            version_kept=r.version_kept,
        )
        for r in history.get(source, ())
    )
    return History("git", rows)


def _approval_state(element: Process | Plan, index: Index) -> str:
    """`current`, `changed` or '' (no approval with a digest): see ProcessPage."""
    from qms.approval import suspect

    if element.approved is None or not element.approved.digest:
        return ""
    return "changed" if suspect(element, index) else "current"


def _party_fields(ex: Exchange) -> tuple[str, str]:
    return ex.party, ex.href


def step_anchor(sid: str) -> str:
    """The anchor of a step's row in its process page's step table."""
    return f"step-{sid}"


def action_anchor(plan: str, aid: str) -> str:
    """The anchor of a plan action's row on the plan page."""
    return f"action-{plan}-{aid}"


def metric_anchor(mid: str) -> str:
    """The anchor of a metric's row on the metrics page."""
    return f"metric-{mid}"


def _lineage(proc: Process, index: Index, org: str, tx: _Tx) -> tuple[Link, ...]:
    """The processes above `proc` through `parent:`, top first; a parent in another
    organisation links to its page there; a cycle (QMS reports it) ends the walk."""
    trail: list[Link] = []
    seen = {(proc.organisation, proc.id)}
    current = proc
    while current.parent:
        key = index.process_key(current.parent, current.organisation)
        if key is None or key in seen:
            if key is None:
                trail.append(Link(current.parent))
            break
        seen.add(key)
        current = index.processes[key]
        href = page_name(key[1]) if key[0] == org else f"../{key[0]}/{page_name(key[1])}"
        trail.append(Link(tx(current.name), href))
    return tuple(reversed(trail))


def _element_link(e: Element, org: str, tx: _Tx) -> Link:
    """A coverage element (process, plan action, metric) as a link to its place."""
    parts = e.id.split("/")
    name = tx(e.name)
    if parts[0] != org:
        return Link(name)
    if e.kind == "process" and len(parts) == 2:
        return Link(name, page_name(parts[1]))
    if e.kind == "action" and len(parts) == 3:
        return Link(name, f"_plan.html#{action_anchor(parts[1], parts[2])}")
    if e.kind == "metric" and len(parts) == 2:
        return Link(name, f"_metrics.html#{metric_anchor(parts[1])}")
    return Link(name)


def _roles(
    org: Organisation,
    processes: list[Process],
    plans: list[Plan],
    metrics: list[Metric],
    tx: _Tx,
    tag: Callable[..., str],
) -> tuple[RoleRow, ...]:
    """Each role of the organisation with what it does: the processes it owns, the steps in
    its lane of each flow, its plan actions and metrics. Roles that processes name but the
    organisation does not declare (QMS reports them) are listed too, by their id. Every name
    that is example content (`tag`) says so, as the process pages do."""
    declared = [(r.id, tag(tx(r.name), r), tx(r.description)) for r in org.roles]
    known = {rid for rid, _, _ in declared}
    for proc in processes:
        for rid in [proc.owner, *(s.role for s in proc.steps)]:
            if rid and rid not in known:
                known.add(rid)
                declared.append((rid, rid, ""))
    rows = []
    for rid, name, description in declared:
        owns = tuple(Link(tag(tx(p.name), p), page_name(p.id)) for p in processes if p.owner == rid)
        steps = tuple(
            (
                Link(tag(tx(p.name), p), page_name(p.id)),
                tuple(
                    Link(tag(tx(s.name), p, s), f"{page_name(p.id)}#{step_anchor(s.id)}")
                    for s in p.steps
                    if s.role == rid
                ),
            )
            for p in processes
            if any(s.role == rid for s in p.steps)
        )
        actions = tuple(
            Link(tag(tx(a.what), plan, a), f"_plan.html#{action_anchor(plan.id, a.id)}")
            for plan in plans
            for a in plan.actions
            if a.who == rid
        )
        owned = tuple(
            Link(tag(tx(m.name), m), f"_metrics.html#{metric_anchor(m.id)}")
            for m in metrics
            if m.owner == rid
        )
        rows.append(RoleRow(rid, name, description, owns, steps, actions, owned))
    return tuple(rows)


def _register(
    org: Organisation,
    processes: list[Process],
    roles: dict[str, str],
    tx: _Tx,
    tag: Callable[..., str],
) -> tuple[DocumentEntry, ...]:
    """The document register: the organisation's documents (where any process or step uses
    them), then each process's own documents (where its steps use them). Example documents,
    processes and steps are tagged (`tag`), as on the process pages."""

    def uses(doc_id: str, procs: list[Process], listed: bool) -> tuple[Link, ...]:
        found = []
        for p in procs:
            if listed or any(d.id == doc_id for d in p.documents):
                found.append(Link(tag(tx(p.name), p), page_name(p.id)))
            found += [
                Link(
                    f"{tx(p.name)}: {tag(tx(s.name), p, s)}",
                    f"{page_name(p.id)}#{step_anchor(s.id)}",
                )
                for s in p.steps
                if doc_id in s.documents
            ]
        return tuple(found)

    entries = [
        DocumentEntry(
            d.id,
            tag(tx(d.name), d),
            d.version or "",
            roles.get(d.owner or "", d.owner or ""),
            d.link or "",
            True,
            uses(
                d.id,
                [p for p in processes if not any(x.id == d.id for x in p.documents)],
                False,
            ),
            f"doc-{d.id}",
        )
        for d in org.documents
    ]
    for p in processes:
        for d in p.documents:
            entries.append(
                DocumentEntry(
                    d.id,
                    tag(tx(d.name), p, d),
                    d.version or "",
                    roles.get(d.owner or "", d.owner or ""),
                    d.link or "",
                    False,
                    uses(d.id, [p], True),
                    f"doc-{p.id}-{d.id}",
                )
            )
    return tuple(entries)


def build_manuals(
    ws: Workspace,
    organisations: list[str] | None = None,
    lang: str | None = None,
    result: Result | None = None,
    history: bool = True,
) -> list[Manual]:
    """The manuals of the chosen organisations (all, in file order, when none are named).

    Names match an organisation's id or short name in any case; KeyError names one that
    matches nothing. With `history`, each process and plan carries its change history from
    the git repository the workspace is in (or the note that there is none).
    """
    found: Mapping[str, Sequence[Revision]] | bool | None = False
    if history:
        from qms.history import histories_of

        found = histories_of(ws.root)
    index = Index.build(ws)
    cov = coverage(ws, index)
    wanted: list[str] = []
    orgs = list(index.organisations.values())
    for name in organisations or [o.id for o in orgs if o.merges_into is None]:
        match = next(
            (
                o.id
                for o in orgs
                if name.casefold() in (o.id.casefold(), (o.short or "").casefold())
            ),
            None,
        )
        if match is None:
            raise KeyError(name)
        if match not in wanted:
            wanted.append(match)
    shared = _Shared.of(ws)
    return [
        build_manual(ws, o, lang, index=index, result=result, cov=cov, history=found, shared=shared)
        for o in wanted
    ]


# --- diagrams --------------------------------------------------------------------------------


class Diagrams:
    """The workspace's diagrams drawn to memory, once per (diagram, format).

    Uses the render engine's DOT jobs (qms.render.diagram_jobs), so the manual shows exactly
    what `qms render` draws. When Graphviz is missing every diagram is None and the manuals
    say so instead of failing.
    """

    def __init__(
        self,
        ws: Workspace,
        lang: str,
        ranks: MutableMapping[str, Any] | None = None,
        drawn: MutableMapping[tuple[str, str], bytes | None] | None = None,
        jobs: Sequence[DotJob] | None = None,
    ) -> None:
        """`ranks` and `drawn` may be kept by a caller across rebuilds (`qms serve`): then
        only diagrams whose DOT changed run Graphviz again; `drawn` may also be the files
        `qms build` has just rendered (qms.render.engine.Written). `jobs` are the DOT jobs already
        made for every diagram (qms.publish), so that no flow is laid out a second time."""
        self.available = graphviz.available()
        self._jobs: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._drawn: MutableMapping[tuple[str, str], bytes | None] = {}
        self._shared = drawn
        self.used: set[tuple[str, str]] = set()
        """The keys of `drawn` this object read or wrote (the rest can be dropped)."""
        if self.available:
            if jobs is None:
                from qms.render import diagram_jobs

                try:
                    jobs, _ = diagram_jobs(ws, lang, ranks)
                except (OSError, RuntimeError, ValueError):
                    jobs = []
            self._jobs = {j.name: (j.source, j.program) for j in jobs}

    def draw(self, name: str, fmt: str) -> bytes | None:
        """The diagram `name` (`<org>/<process>`, `<org>/_process-map`) as svg or png bytes."""
        key = (name, fmt)
        if key not in self._drawn:
            shared = self._shared_key(name, fmt)
            if shared is not None and self._shared is not None and shared in self._shared:
                self._drawn[key] = self._shared[shared]
            else:
                self._drawn[key] = self._run(name, fmt)
                if shared is not None and self._shared is not None:
                    self._shared[shared] = self._drawn[key]
            if shared is not None:
                self.used.add(shared)
        return self._drawn[key]

    def _shared_key(self, name: str, fmt: str) -> tuple[str, str] | None:
        job = self._jobs.get(name)
        return (hashlib.sha256(job[0].encode("utf-8")).hexdigest(), fmt) if job else None

    def source(self, name: str) -> str | None:
        """The DOT text of the diagram `name` (the DOCX reads a flow's row cuts from it)."""
        job = self._jobs.get(name)
        return job[0] if job else None

    def prefetch(self, fmt: str) -> None:
        """Draw every diagram in `fmt` at once, in batches on all cores, before the exporter
        asks for them one by one (one Graphviz run per diagram is mostly start-up). Pictures
        `qms build` has just written (a `Written`) are only checked here and read when asked."""
        from qms.render.engine import Written, draw_many

        names = [n for n in sorted(self._jobs) if (n, fmt) not in self._drawn]
        if self._shared is not None:  # drawn by an earlier build (`qms serve`) or by render
            lazy = self._shared if isinstance(self._shared, Written) else None
            missing = []
            for name in names:
                shared = self._shared_key(name, fmt)
                if shared is None:
                    missing.append(name)
                elif lazy is not None and lazy.on_disk(shared):
                    continue  # `draw` reads it, in whichever process asks for it
                elif shared in self._shared:
                    self._drawn[(name, fmt)] = self._shared[shared]
                    self.used.add(shared)
                else:
                    missing.append(name)
            names = missing
        if not self.available or not names:
            return
        jobs = [DotJob(n, *self._jobs[n]) for n in names]
        for name, data in zip(names, draw_many(jobs, fmt), strict=True):
            self._drawn[(name, fmt)] = data
            shared = self._shared_key(name, fmt)
            if self._shared is not None and shared is not None:
                self._shared[shared] = data
                self.used.add(shared)

    def _run(self, name: str, fmt: str) -> bytes | None:
        job = self._jobs.get(name)
        if job is None:
            return None
        source, program = job
        try:
            return graphviz.run(program, source, fmt)
        except graphviz.GraphvizError:
            return None
