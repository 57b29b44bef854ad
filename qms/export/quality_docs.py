"""The quality cycle in documents: the manual's self-assessment chapter and metric trends
(DOCX), and the management-review pack as HTML, PDF and DOCX.

The content comes from `qms.export.assessment` and `qms.review`; the charts from
`qms.charts` (SVG in HTML and PDF, PNG in DOCX), so every format shows the same figures.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from markupsafe import Markup

from qms.export.assessment import AssessmentReport, Trend
from qms.export.labels import catalogue
from qms.review import ReviewPack

CHART_WIDTH_CM = 16.0
"""A chart's width on a portrait A4 page with the manual's margins."""


def _picture(doc: Any, png: bytes) -> None:
    from docx.shared import Cm

    doc.add_paragraph().add_run().add_picture(io.BytesIO(png), width=Cm(CHART_WIDTH_CM))


def _note(doc: Any, text: str) -> None:
    """An example-content or incompleteness notice: a bold, shaded paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = doc.add_paragraph()
    paragraph.add_run(text).bold = True
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "FFF4E5")
    paragraph._p.get_or_add_pPr().append(shading)


def docx_trends(doc: Any, trends: tuple[Trend, ...], L: dict[str, str]) -> None:
    """Each metric's trend: chart (when it has numbers), status, and values per period."""
    from qms.export.docx import _table

    if not trends:
        return
    doc.add_heading(L["trend"], level=2)
    for t in trends:
        doc.add_heading(t.name, level=3)
        if t.plotted:
            _picture(doc, t.chart("png"))
        doc.add_paragraph(f"{L['trend_status']}: {L['status_' + t.status]}")
        unit = f" {t.unit}" if t.unit else ""
        rows = [
            [period, shown + (unit if value is not None else "")]
            for period, shown, value in zip(t.periods, t.shown, t.values, strict=True)
        ]
        _table(doc, [L["period"], L["value"]], rows)


def docx_assessment(doc: Any, r: AssessmentReport, L: dict[str, str], level: int = 2) -> None:
    """One self-assessment: facts, notices, the ratings chart and table, strengths, areas for
    improvement with their actions."""
    from qms.export.docx import _facts, _table

    doc.add_heading(r.name, level=level)
    if r.example is not None:
        _note(doc, L["assessment_example"] + (f": {r.example}" if r.example else ""))
    if r.examples:
        _note(doc, f"{L['example_ratings']}: {r.examples} ({L['example_badge']} = *)")
    _facts(
        doc,
        [
            (L["criteria_set"], r.criteria_name),
            (L["period"], r.period),
            (L["assessed_on"], r.date),
            (L["method"], r.method),
            (L["threshold"], f"{r.threshold} {r.threshold_name}"),
            (L["functioning"], L["functioning_" + r.functioning]),
            (L["unassessed"], ", ".join(r.unassessed)),
        ],
    )
    _picture(doc, r.chart("png"))
    rows = []
    for area in r.areas:
        rows.append([f"{area.id} {area.name}", area.result, "", ""])
        for item in area.items:
            rows.append([f"{item.id} {item.name}", item.result, L["item_result"], ""])
            for x in item.ratings:
                star = "*" if x.example is not None else ""
                rating = f"{x.level} {x.level_name}{star}" if x.level is not None else L["unrated"]
                evidence = ", ".join(e.label for e in x.evidence)
                rows.append([f"{x.statement} {x.text}", rating, x.rationale, evidence])
    _table(doc, [L["statement"], L["rating"], L["rationale"], L["evidence"]], rows)
    if r.strengths:
        doc.add_heading(L["strengths"], level=level + 1)
        for s in r.strengths:
            doc.add_paragraph(s, style="List Bullet")
    if r.improvements:
        doc.add_heading(L["improvements"], level=level + 1)
        for imp in r.improvements:
            doc.add_paragraph(imp.text, style="List Bullet")
            for link, status, due in imp.actions:
                parts = [link.label, L.get(status, status), due]
                doc.add_paragraph(" · ".join(p for p in parts if p), style="List Bullet 2")
            if not imp.actions:
                doc.add_paragraph(L["no_action"], style="List Bullet 2")
    doc.add_paragraph(f"{L['criteria_source']}: {r.source}").italic = True


def docx_assessments(doc: Any, reports: tuple[AssessmentReport, ...], L: dict[str, str]) -> None:
    """The manual's self-assessment chapter (nothing when there is no assessment)."""
    if not reports:
        return
    doc.add_heading(L["self_assessments"], level=1)
    for r in reports:
        docx_assessment(doc, r, L)


# --- the management-review pack --------------------------------------------------------------


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
            partial_text=L["partial_model"].format(n=pack.partial) if pack.partial else "",
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
    from docx.shared import Pt

    from qms.export.coverage_tables import _stable_zip
    from qms.export.docx import _facts, _setup, _table

    L = catalogue(pack.lang)
    doc = docx.Document()
    props = doc.core_properties
    props.title = f"{L['management_review']} – {pack.name} – {pack.period_name}"
    props.language = pack.lang
    stamp = dt.datetime.fromisoformat(pack.as_of_iso)
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.author = pack.workspace
    props.last_modified_by = "qms"
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(10)
    _setup(doc.sections[0], landscape=False)
    doc.add_heading(f"{L['management_review']}: {pack.name}", level=0)
    if pack.partial:
        _note(doc, L["partial_model"].format(n=pack.partial))
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
            [f"{g.goal} {g.name}", L["result_" + g.status], g.text or L["unreported"]]
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
            [f"{a.what} ({a.plan})", a.who, a.due, L[a.status] + (" !" if a.overdue else "")]
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
