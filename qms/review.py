"""The management review pack (johdon katselmus, ISO 9001 9.3) of one organisation and period.

What the review's inputs are, gathered from the model as plain data: results per committed
goal in the period, metrics against targets with their trends, the plan's status (done,
overdue, open), open findings, the latest self-assessment with its areas for improvement,
and an empty table for the review's decisions. The functions below write it as HTML,
PDF and DOCX. A pack computed from a model with load errors says so on its first page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from qms.example import example_of
from qms.export.assessment import AssessmentReport, Trend, report, trend
from qms.export.labels import catalogue
from qms.findings import Msg
from qms.index import Index
from qms.l10n import format_date
from qms.lint import Result
from qms.model import Workspace, text
from qms.quality import latest

UNKNOWN = Msg(
    en="no {what} {name!r} in the workspace; choose from {choices}",
    fi="työtilassa ei ole kohdetta {name!r} ({what_fi}); valitse näistä: {choices}",
)
DONE = Msg(en="{count} files written to {out}", fi="{count} tiedostoa kirjoitettu kohteeseen {out}")


@dataclass(frozen=True)
class GoalResult:
    goal: str
    name: str
    status: str
    """A result status (achieved, ongoing, delayed, not-started) or 'unreported'."""
    text: str
    example: bool = False
    """True when a reported result is example content."""


@dataclass(frozen=True)
class ActionStatus:
    plan: str
    id: str
    what: str
    who: str
    due: str
    status: str
    overdue: bool
    example: bool = False
    """True when the action (or its plan) is example content."""


@dataclass(frozen=True)
class OpenFinding:
    code: str
    severity: str
    where: str
    message: str


@dataclass(frozen=True)
class ReviewPack:
    """Everything the management review of one organisation and period looks at."""

    lang: str
    organisation: str
    name: str
    workspace: str
    period: str
    period_name: str
    start: str
    end: str
    as_of: str
    as_of_iso: str
    """The as-of date as YYYY-MM-DD (the DOCX's fixed timestamps, for stable bytes)."""
    results: tuple[GoalResult, ...]
    trends: tuple[Trend, ...]
    untracked: tuple[str, ...]
    """Metrics with no value at all (no trend to show)."""
    actions: tuple[ActionStatus, ...]
    findings: tuple[OpenFinding, ...]
    assessment: AssessmentReport | None
    incomplete: str = ""
    """The incomplete-model notice (qms.partial), the same as the manual's; '' when whole."""

    @property
    def examples(self) -> int:
        """How many results, actions and metric trends of the pack are example content."""
        return (
            sum(1 for g in self.results if g.example)
            + sum(1 for a in self.actions if a.example)
            + sum(1 for t in self.trends if t.example is not None)
            + (self.assessment.examples if self.assessment else 0)
        )

    @property
    def counts(self) -> dict[str, int]:
        """Actions by state: done, overdue (not done, past due), open."""
        done = sum(1 for a in self.actions if a.status == "done")
        overdue = sum(1 for a in self.actions if a.overdue)
        return {"done": done, "overdue": overdue, "open": len(self.actions) - done - overdue}


class UnknownPeriod(KeyError):
    """The period named on the command line is not one of the project's."""


def build_review(
    ws: Workspace,
    organisation: str,
    period: str,
    lang: str,
    result: Result | None = None,
    incomplete: str = "",
) -> ReviewPack:
    """The pack of one organisation for one period (KeyError: unknown organisation;
    UnknownPeriod: unknown period)."""
    index = Index.build(ws)
    org = index.organisations[organisation]
    as_of = ws.settings.as_of or dt.date.today()
    located = index.periods.get(period)
    if located is None:
        raise UnknownPeriod(period)
    p = located.item
    results = []
    for goal_id in org.commits_to:
        goal = index.goal(goal_id)
        reported = [
            r
            for doc in ws.results
            if doc.organisation == org.id
            for r in doc.results
            if r.period == period and index.goal_id(r.goal) == index.goal_id(goal_id)
        ]
        results.append(
            GoalResult(
                goal=goal_id,
                name=text(goal.name, lang) if goal else goal_id,
                status=reported[0].status if reported else "unreported",
                text=" ".join(text(r.text, lang) for r in reported),
                example=any(example_of(ws.settings, org, r) is not None for r in reported),
            )
        )
    trends, untracked = [], []
    for doc, _, metric in index.metrics_docs():
        if doc.organisation != org.id:
            continue
        found = trend(metric, index, lang, org.id)
        if found is None:
            untracked.append(text(metric.name, lang))
        else:
            trends.append(found)
    actions = []
    for plan in ws.plans:
        if plan.organisation != org.id:
            continue
        for act in plan.actions:
            actions.append(
                ActionStatus(
                    plan=text(plan.name, lang),
                    id=act.id,
                    what=text(act.what, lang),
                    who=act.who or "",
                    due=format_date(act.when, lang),
                    status=act.status,
                    # Due by the period's end (or the as-of date, if earlier) and not done; an
                    # action due on that very day is not late yet.
                    overdue=act.status not in ("done", "dropped")
                    and act.when is not None
                    and act.when < min(p.end, as_of),
                    example=example_of(ws.settings, org, plan, act) is not None,
                )
            )
    own_files = {d.source for d in ws.documents() if getattr(d, "organisation", None) == org.id}
    own_files.add(org.source)
    findings = tuple(
        OpenFinding(f.code, f.severity, f"{f.file}:{f.line}", f.message(lang))
        for f in (result.findings if result else [])
        if f.suppressed is None and f.file in own_files and f.severity in ("error", "warning")
    )
    history = latest(ws, org.id, _criteria_of(ws, org.id) or "", before=p.end + dt.timedelta(1))
    assessment = report(history[0], ws, index, lang) if history else None
    return ReviewPack(
        lang=lang,
        organisation=org.id,
        name=text(org.name, lang),
        workspace=text(ws.settings.name, lang),
        period=period,
        period_name=text(p.name, lang),
        start=format_date(p.start, lang),
        end=format_date(p.end, lang),
        as_of=format_date(as_of, lang),
        as_of_iso=as_of.isoformat(),
        results=tuple(results),
        trends=tuple(trends),
        untracked=tuple(untracked),
        actions=tuple(actions),
        findings=findings,
        assessment=assessment,
        incomplete=incomplete,
    )


def _criteria_of(ws: Workspace, org: str) -> str | None:
    """The criteria set of the organisation's newest assessment (the one the review reads)."""
    own = sorted((a for a in ws.assessments if a.organisation == org), key=lambda a: a.date)
    return own[-1].criteria if own else None


FORMATS = ("html", "pdf", "docx")
STEM = {"fi": "johdon-katselmus", "sv": "ledningens-genomgang", "en": "management-review"}
"""The pack's file names begin with what it is, in the document's language."""


def review_files(pack: ReviewPack, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The pack's files by name (`johdon-katselmus-<org>-<period>.<ext>` in Finnish,
    `management-review-...` in English), in `formats`.

    PDF needs WeasyPrint: ImportError propagates, for the command to explain."""
    stem = f"{STEM.get(pack.lang, STEM['en'])}-{pack.organisation}-{pack.period}"
    files: dict[str, bytes] = {}
    if "html" in formats:
        files[f"{stem}.html"] = review_html(pack).encode("utf-8")
    if "docx" in formats:
        files[f"{stem}.docx"] = review_docx(pack)
    if "pdf" in formats:
        files[f"{stem}.pdf"] = review_pdf(pack)
    return files


def run_review(
    workspace: str,
    org: str,
    period: str,
    out: str,
    formats: tuple[str, ...],
    force: bool,
    lang: str | None,
    say: Callable[..., None],
) -> int:
    """Load, lint, build and write the pack; return the exit code (0; 1 when the model is
    incomplete, as every manual says; 2 for bad usage or a refused overwrite).
    `say(text, err=True)` prints."""
    from pathlib import Path

    from qms.export.pdf import MISSING, available
    from qms.files import write_tree
    from qms.partial import echo_left_out
    from qms.publish import Publication

    pub = Publication.one_shot(workspace, lang, lint=True)
    language = pub.language
    fatal = pub.fatal()
    if fatal or pub.workspace is None:
        say(f"qms: {fatal}", err=True)
        return 2
    ws = pub.workspace
    match = next(
        (o.id for o in ws.organisations if org.casefold() in (o.id, (o.short or "").casefold())),
        None,
    )
    if match is None:
        say(f"qms: {pub.unknown_org(org)}", err=True)
        return 2
    left_out = pub.left_out()
    try:
        pack = build_review(
            ws, match, period, pub.doc_lang, pub.result, left_out.text(pub.doc_lang)
        )
    except UnknownPeriod:
        known = ", ".join(p.id for proj in ws.projects for p in proj.periods) or "-"
        text_ = UNKNOWN.format(language, what="period", what_fi="jakso", name=period, choices=known)
        say(f"qms: {text_}", err=True)
        return 2
    wanted = formats or FORMATS
    missing = available() if "pdf" in wanted else None
    if missing:
        say(f"qms: {MISSING.format(language, error=missing)}", err=True)
        if formats:
            return 2
        wanted = tuple(f for f in wanted if f != "pdf")
    written = write_tree(review_files(pack, wanted), Path(out), force, language)
    say(DONE.format(language, count=written, out=out), err=True)
    return 1 if echo_left_out(left_out, language) else 0


# --- the pack as HTML, PDF and DOCX -----------------------------------------------------------


def review_html(pack: ReviewPack, for_print: bool = False) -> str:
    """The pack as one self-contained HTML page (the stylesheet inlined, charts as SVG)."""
    from qms.export.html import STATIC, environment, inline_chart

    L = catalogue(pack.lang)
    charts: dict[str, Markup] = {
        f"trend-{t.metric}": inline_chart(t.chart(), f"{L['trend']}: {t.name}")
        for t in pack.trends
        if t.plotted
    }
    if pack.assessment is not None:
        charts[pack.assessment.id] = inline_chart(
            pack.assessment.chart(), f"{L['ratings_chart']}: {pack.assessment.name}"
        )
    return (
        environment()
        .get_template("review.html.j2")
        .render(
            L=L,
            lang=pack.lang,
            root="",
            pack=pack,
            charts=charts,
            counts=pack.counts,
            partial_text=pack.incomplete,
            for_print=for_print,
            css=Markup((STATIC / "qms.css").read_text(encoding="utf-8")),
        )
    )


def review_pdf(pack: ReviewPack) -> bytes:
    """The pack as PDF (WeasyPrint, as the manual's PDF; raises ImportError without it)."""
    import weasyprint  # type: ignore[import-untyped,import-not-found,unused-ignore]

    data: bytes = weasyprint.HTML(
        string=review_html(pack, for_print=True), base_url="."
    ).write_pdf()
    return data


def review_docx(pack: ReviewPack) -> bytes:
    """The pack as a Word document, with an empty decisions table to fill in the meeting."""
    import docx

    from qms.export.coverage_tables import _stable_zip
    from qms.export.docx import (
        LANGUAGES,
        _facts,
        _language,
        _note,
        _setup,
        _styles,
        _table,
        docx_assessment,
        docx_trends,
    )

    L = catalogue(pack.lang)
    doc = docx.Document()
    props = doc.core_properties
    props.title = f"{L['management_review']} – {pack.name} – {pack.period_name}"
    props.language = LANGUAGES.get(pack.lang, "en-GB")
    stamp = dt.datetime.fromisoformat(pack.as_of_iso)
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.author = pack.workspace
    props.last_modified_by = "qms"
    _styles(doc, own_template=True)
    _language(doc, pack.lang)
    _setup(doc.sections[0], landscape=False)
    doc.add_heading(f"{L['management_review']}: {pack.name}", level=0)
    if pack.examples:
        _note(doc, L["review_examples"].format(n=pack.examples))
    if pack.incomplete:
        _note(doc, pack.incomplete)
    _facts(
        doc,
        [
            (L["period"], f"{pack.period_name} ({pack.start} – {pack.end})"),
            (L["as_of"], pack.as_of),
        ],
    )
    doc.add_heading(L["goal_results"], level=1)
    _table(
        doc,
        [L["goal"], L["status"], L["reported_result"]],
        [
            [
                f"{g.goal} {g.name}",
                L["result_" + g.status],
                (g.text or L["unreported"]) + (f" ({L['example_badge']})" if g.example else ""),
            ]
            for g in pack.results
        ],
    )
    doc.add_heading(L["metrics"], level=1)
    docx_trends(doc, pack.trends, L)
    if pack.untracked:
        doc.add_paragraph(f"{L['untracked']}: {', '.join(pack.untracked)}")
    doc.add_heading(L["plan_status"], level=1)
    counts = pack.counts
    doc.add_paragraph(
        f"{L['actions_done']} {counts['done']} · {L['actions_overdue']} {counts['overdue']} · "
        f"{L['actions_open']} {counts['open']}"
    )
    _table(
        doc,
        [L["action"], L["who"], L["due"], L["status"]],
        [
            [
                f"{a.what} ({a.plan})" + (f" ({L['example_badge']})" if a.example else ""),
                a.who,
                a.due,
                L[a.status] + (f" · {L['actions_overdue']}" if a.overdue else ""),
            ]
            for a in pack.actions
        ],
    )
    doc.add_heading(L["open_findings"], level=1)
    _table(
        doc,
        [L["code"], L["severity"], L["message"]],
        [[f.code, L[f.severity], f.message] for f in pack.findings],
    )
    if pack.assessment is not None:
        doc.add_heading(L["self_assessment"], level=1)
        docx_assessment(doc, pack.assessment, L, level=2)
    doc.add_heading(L["decisions"], level=1)
    _table(doc, [L["review_decision"], L["responsible"], L["due"]], [["", "", ""]] * 5)
    out = io.BytesIO()
    doc.save(out)
    return _stable_zip(out.getvalue(), pack.as_of_iso)
