"""The manual as a Word document (python-docx): what quality groups used to write by hand.

Title page, a table-of-contents field (Word fills it when the document is opened and fields
are updated), the version and approval table, one chapter per process with its flow diagram
embedded as PNG on a landscape A4 page of its own (cut between rows when too tall to stay
readable), then the quality plan, metrics and goal coverage. Every table has the same
house style. The bytes are deterministic: core-property dates are the workspace's as-of date
and the zip entries carry a fixed time, so a rebuilt manual is not a spurious diff.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from qms.export import tables
from qms.export.assessment import AssessmentReport, Trend
from qms.export.coverage_tables import _stable_zip
from qms.export.flowcut import cut_rows
from qms.export.labels import catalogue
from qms.export.manual import Diagrams, Manual, ProcessPage
from qms.render import styles
from qms.render.dot import flow_rows

TABLE_STYLE = "Light Grid Accent 1"
"""One table style for every table (a built-in style of python-docx's default template)."""
HEADER_FILL = "1F5F8B"


def _toc(doc: Any) -> None:
    """A TOC field (headings 1-2) that Word updates on opening."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = doc.add_paragraph()
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "…"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, placeholder, end):
        run._r.append(element)
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc: Any, head: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table in the house style: coloured header row, repeated on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    table = doc.add_table(rows=1, cols=len(head))
    table.style = doc.styles[TABLE_STYLE]
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_pr.append(repeat)
    for cell, title in zip(header.cells, head, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(title)
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, HEADER_FILL)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(value or "—")
            run.font.size = Pt(9)
    doc.add_paragraph()


def _facts(doc: Any, pairs: Sequence[tuple[str, str]]) -> None:
    for key, value in pairs:
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{key}: ").bold = True
        paragraph.add_run(value or "—")
        paragraph.paragraph_format.space_after = 0
    doc.add_paragraph()


def _room(doc: Any, reserved: float) -> tuple[float, float]:
    """(width, height) in points that the current section leaves for a picture, less
    `reserved` points of height for what stands above it."""
    page = doc.sections[-1]
    return (
        (page.page_width - page.left_margin - page.right_margin) / 12700,
        (page.page_height - page.top_margin - page.bottom_margin) / 12700 - reserved,
    )


def _fitted(doc: Any, png: bytes | None, missing: str) -> None:
    """A picture as large as the current section allows (never enlarged), leaving room above
    it for the chapter's heading and a lead paragraph."""
    from docx.shared import Emu

    if not png:
        doc.add_paragraph().add_run(missing).italic = True
        return
    data, width, height = flow_pieces(png, None, _room(doc, 3 * styles.FLOW_HEADING))[0]
    doc.add_paragraph().add_run().add_picture(
        io.BytesIO(data), width=Emu(_emu(width)), height=Emu(_emu(height))
    )


def _page(doc: Any, landscape: bool) -> None:
    """A new section on a new A4 page, landscape or portrait, with the manual's margins."""
    from docx.enum.section import WD_SECTION

    _setup(doc.add_section(WD_SECTION.NEW_PAGE), landscape)


def _setup(section: Any, landscape: bool) -> None:
    """A4 with styles.PAGE_MARGIN on every side: the page styles.PRINT_WIDTH is taken from."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    # Whole twips, as Word stores them (A4 is 11906 x 16838).
    long, short = Twips(round(styles.PAGE_LONG * 20)), Twips(round(styles.PAGE_SHORT * 20))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    margin = Twips(round(styles.PAGE_MARGIN * 20))
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin


def _emu(points: float) -> int:
    """Points to EMU (12700 a point), rounded down so that a fitted size never overflows."""
    return int(points * 12700)


def flow_pieces(
    png: bytes,
    source: str | None,
    room: tuple[float, float] = (styles.PRINT_WIDTH, styles.PRINT_HEIGHT),
) -> list[tuple[bytes, float, float]]:
    """A flow's picture(s) for a landscape page: (PNG, width pt, height pt) each.

    The drawing is printed as large as the `room` (width, height in points) allows, never
    enlarged. When that would shrink its text below styles.MIN_PRINT_SIZE and the flow is
    folded, it is cut between rows (where its DOT's first line says the gaps are) into pieces
    of consecutive rows, each as tall as fits the page at the width's scale; a single row
    taller than that is shrunk to fit (qms.export.flowcut decides, for the PDF too). Cropping
    and PNG encoding are deterministic.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    px_w, px_h = image.size
    rows = flow_rows(source) if source else None
    height = rows[0] if rows else px_h * 72 / 110  # Diagrams draws PNG at 110 dpi
    per_px = height / px_h
    width = px_w * per_px
    cuts = rows[1] if rows else []
    cut = cut_rows(height, width, [0, *(round(c * px_h) for c in cuts), px_h], room)
    if not cut.pieces:
        return [(png, width * cut.scale, height * cut.scale)]
    pieces = []
    for top, bottom, scale in cut.pieces:
        out = io.BytesIO()
        image.crop((0, int(top), px_w, int(bottom))).save(out, format="PNG", optimize=False)
        h = (bottom - top) * per_px
        pieces.append((out.getvalue(), width * scale, h * scale))
    return pieces


def _flow(doc: Any, heading: str, png: bytes | None, source: str | None, missing: str) -> None:
    """The flow diagram on landscape page(s) of its own; back to portrait after it."""
    from docx.shared import Emu

    if not png:
        doc.add_heading(heading, level=2)
        doc.add_paragraph().add_run(missing).italic = True
        return
    _page(doc, landscape=True)
    doc.add_heading(heading, level=2)
    for data, width, height in flow_pieces(png, source, _room(doc, styles.FLOW_HEADING)):
        # Single line spacing and no space after: the template's 1.15 lines would make the
        # line of an inline picture taller than the picture.
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = 0
        paragraph.add_run().add_picture(
            io.BytesIO(data), width=Emu(_emu(width)), height=Emu(_emu(height))
        )
    _page(doc, landscape=False)


def _process(doc: Any, m: Manual, p: ProcessPage, png: bytes | None, source: str | None) -> None:
    L = catalogue(m.lang)
    doc.add_heading(p.name, level=1)
    _notice(doc, p.example)
    _facts(
        doc,
        [
            (L["owner"], p.owner),
            (L["type"], L[p.band]),
            (L["status"], L[p.status]),
            (L["version"], p.version),
            (L["approved_by"], f"{p.approved_by} {p.approved_on}".strip()),
        ],
    )
    for key, value in (("purpose", p.purpose), ("scope", p.scope), ("description", p.description)):
        if value:
            doc.add_heading(L[key], level=2)
            doc.add_paragraph(value)
    doc.add_heading(L["sipoc"], level=2)
    _table(doc, *tables.sipoc(p, L, "\n"))
    _flow(doc, L["flow"], png, source, L["no_diagram"])
    if p.steps:
        doc.add_heading(L["steps"], level=2)
        _table(
            doc,
            ["#", L["step"], L["role"], L["next"]],
            [
                [
                    str(i),
                    s.name + (f"\n{s.description}" if s.description else ""),
                    s.role,
                    "\n".join(s.next),
                ]
                for i, s in enumerate(p.steps, 1)
            ],
        )
    if p.metrics:
        doc.add_heading(L["metrics"], level=2)
        _table(doc, *tables.process_metrics(p, L))
    if p.documents:
        doc.add_heading(L["documents"], level=2)
        _table(doc, *tables.documents(p, L))
    if p.risks:
        doc.add_heading(L["risks"], level=2)
        _table(doc, *tables.risks(p, L))
    if p.goals:
        doc.add_heading(L["goals"], level=2)
        _table(doc, [L["goal"], ""], [[f"{g.id} {g.name}", L[g.how]] for g in p.goals])
    doc.add_heading(L["review"], level=2)
    overdue = f" ({L['overdue']})" if p.review_overdue else ""
    _facts(
        doc,
        [
            (L["review_method"], p.review_method),
            (L["review_last"], p.review_last),
            (L["review_next"], p.review_next + overdue if p.review_next else ""),
        ],
    )


def _notice(doc: Any, text: str, alert: bool = False) -> None:
    """A notice that must not be missed (example content, an incomplete model): bold, in a
    shaded one-cell box, so it survives printing in black and white."""
    if not text:
        return
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    cell = doc.add_table(rows=1, cols=1).rows[0].cells[0]
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:fill"), "FDE2D8" if alert else "FFF6D6")
    cell._tc.get_or_add_tcPr().append(shade)
    run = cell.paragraphs[0].add_run(text)
    run.bold = True
    doc.add_paragraph()


def to_docx(m: Manual, diagrams: Diagrams | None) -> bytes:
    """The manual of one organisation as .docx bytes."""
    import docx
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    L = catalogue(m.lang)
    doc = docx.Document()
    as_of = dt.datetime.fromisoformat(m.as_of)
    props = doc.core_properties
    props.title = f"{m.name} – {L['manual']}"
    props.subject = L["manual"]
    props.author = m.workspace
    props.last_modified_by = "qms"
    props.language = m.lang
    props.created = props.modified = props.last_printed = as_of
    props.revision = 1
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(10)
    _setup(doc.sections[0], landscape=False)

    # title page
    for _ in range(6):
        doc.add_paragraph()
    subtitle = doc.add_paragraph(L["manual"].upper())
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_heading(m.name, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (m.workspace, f"{L['as_of']} {m.as_of_text}"):
        paragraph = doc.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _notice(doc, m.incomplete, alert=True)
    _notice(doc, m.example_notice)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    doc.add_heading(L["contents"], level=1)
    _toc(doc)
    doc.add_heading(L["approval"], level=1)
    _table(doc, *tables.approvals(m, L))
    # The process map is wide (bands left to right): on a portrait page its text would print
    # at about 5 pt, so it gets a landscape page, as the flows do.
    _page(doc, landscape=True)
    doc.add_heading(L["process_map"], level=1)
    if m.description:
        doc.add_paragraph(m.description)
    _fitted(doc, diagrams.draw(m.map_diagram, "png") if diagrams else None, L["no_diagram"])
    for band in m.bands:
        if band.processes:
            doc.add_heading(L[band.band], level=2)
            for _, name in band.processes:
                doc.add_paragraph(name, style="List Bullet")
    for p in m.processes:
        _page(doc, landscape=False)
        png = diagrams.draw(p.diagram, "png") if diagrams else None
        _process(doc, m, p, png, diagrams.source(p.diagram) if diagrams else None)
    doc.add_section(WD_SECTION.NEW_PAGE)
    doc.add_heading(L["quality_plan"], level=1)
    for plan in m.plans:
        doc.add_heading(plan.name, level=2)
        _notice(doc, plan.example)
        if plan.description:
            doc.add_paragraph(plan.description)
        _facts(doc, [(L["status"], L[plan.status]), (L["horizon"], plan.horizon)])
        for phase, actions in plan.phases:
            doc.add_heading(L[phase] if phase else L["no_phase"], level=3)
            _table(doc, *tables.actions(actions, L))
    doc.add_heading(L["metrics"], level=1)
    _table(doc, *tables.metrics(m, L))
    docx_trends(doc, m.trends, L)
    doc.add_heading(L["coverage"], level=1)
    _table(doc, *tables.coverage(m, L))
    docx_assessments(doc, m.assessments, L)
    out = io.BytesIO()
    doc.save(out)
    return _stable_zip(out.getvalue(), m.as_of)


# --- the quality cycle: self-assessment chapter and metric trends ------------------------------


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
