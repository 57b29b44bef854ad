"""The manual as Markdown for wikis: an index, one file per process, diagrams as SVG files.

`markdown_files` returns {relative path: text or bytes}; the CLI writes it. User texts are
escaped for Markdown and for the HTML that most wikis allow inside Markdown, so a name such as
`<script>` shows as written instead of becoming markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qms.export import tables
from qms.export.assessment import Link, Trend
from qms.export.labels import catalogue
from qms.export.manual import Diagrams, History, Manual, ProcessPage, page_name
from qms.views import PROCESS_MAP

_SPECIAL = re.compile(r"([\\`*_\[\]{}|#+!~])")


def md(value: str) -> str:
    """A user text safe inside Markdown (also inside a table cell): one line, no markup."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _SPECIAL.sub(r"\\\1", value)
    return " ".join(value.split())


def _page(pid: str) -> str:
    return page_name(pid).removesuffix(".html") + ".md"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return []
    out = ["| " + " | ".join(md(h) for h in head) + " |", "|" + " --- |" * len(head)]
    # a cell's lines (a document's places of use) are kept apart on the table's one line
    out += ["| " + " | ".join(md(c.replace("\n", "; ")) or "—" for c in row) + " |" for row in rows]
    return [*out, ""]


def _notices(*texts: str) -> list[str]:
    """Notices a reader must not miss (incomplete model, example content) as quoted blocks."""
    return [line for text in texts if text for line in (f"> **{md(text)}**", "")]


def _process(m: Manual, p: ProcessPage, has_diagram: bool) -> str:
    L = catalogue(m.lang)
    lines = [f"# {md(p.name)}", "", f"[{md(L['back'])}](index.md)", ""]
    lines += _notices(m.incomplete, m.example_notice, p.example)
    facts = [
        (L["owner"], p.owner),
        (L["type"], L[p.band]),
        (L["status"], L[p.status]),
        (L["version"], p.version),
        (L["approved_by"], tables.approval(p.approved_by, p.approved_on, p.approval_state, L)),
    ]
    lines += [f"- **{md(k)}:** {md(v) or '—'}" for k, v in facts] + [""]
    for key, value in (("purpose", p.purpose), ("scope", p.scope), ("description", p.description)):
        if value:
            lines += [f"## {L[key]}", "", md(value), ""]
    lines += [f"## {L['sipoc']}", ""]
    lines += _table(*tables.sipoc(p, L, ", "))
    lines += [f"## {L['flow']}", ""]
    if has_diagram:
        lines += [f"![{md(p.name)}](diagrams/{p.id}.svg)", ""]
    else:
        lines += [f"_{L['no_diagram']}_", ""]
    if p.steps:
        lines += [f"## {L['steps']}", ""]
        lines += _table(*tables.steps(p, L))  # with BPMN detail, description, outputs
    if p.metrics:
        lines += [f"## {L['metrics']}", ""]
        lines += _table(*tables.process_metrics(p, L))
    if p.documents:
        lines += [f"## {L['documents']}", ""]
        lines += _table(*tables.documents(p, L))
    if p.risks:
        lines += [f"## {L['risks']}", ""]
        lines += _table(*tables.risks(p, L))
    if p.goals:
        lines += [f"## {L['goals']}", ""]
        lines += [f"- **{md(g.id)}** {md(g.name)} ({L[g.how]})" for g in p.goals] + [""]
    lines += [f"## {L['review']}", ""]
    overdue = f" **{L['overdue']}**" if p.review_overdue else ""
    lines += [
        f"- **{L['review_method']}:** {md(p.review_method) or '—'}",
        f"- **{L['review_last']}:** {p.review_last or '—'}",
        f"- **{L['review_next']}:** {p.review_next or '—'}{overdue}",
        "",
    ]
    lines += _history(p.history, L, "##")
    return "\n".join(lines)


def _history(history: History, L: dict[str, str], hashes: str) -> list[str]:
    """The change history (muutoshistoria): its source and a table, or why there is none."""
    if history.state == "off":
        return []
    note, table = tables.history(history, L)
    return [
        f"{hashes} {L['history']}",
        "",
        f"_{md(note)}_",
        "",
        *(_table(*table) if table[1] else []),
    ]


def _index(m: Manual, has_map: bool) -> str:
    L = catalogue(m.lang)
    lines = [f"# {md(m.name)}", "", f"{L['manual']} · {L['as_of']} {m.as_of_text}", ""]
    lines += _notices(m.incomplete, m.example_notice)
    if m.description:
        lines += [md(m.description), ""]
    lines += [f"## {L['process_map']}", ""]
    if has_map:
        lines += [f"![{L['process_map']}](diagrams/{PROCESS_MAP}.svg)", ""]
    for band in m.bands:
        if band.processes:
            lines += [f"### {L[band.band]}", ""]
            lines += [f"- [{md(name)}]({_page(pid)})" for pid, name in band.processes] + [""]
    lines += [
        f"## {L['contents']}",
        "",
        f"- [{L['quality_plan']}](_plan.md)",
        f"- [{L['metrics']}](_metrics.md)",
        f"- [{L['coverage']}](_goals.md)",
        f"- [{L['roles']}](_roles.md)",
        f"- [{L['document_register']}](_documents.md)",
        *([f"- [{L['self_assessments']}](_assessment.md)"] if m.assessments else []),
        "",
        f"## {L['approval']}",
        "",
    ]
    lines += _table(*tables.approvals(m, L))
    return "\n".join(lines)


def _plan(m: Manual) -> str:
    L = catalogue(m.lang)
    lines = [f"# {L['quality_plan']}", "", "[←](index.md)", ""]
    lines += _notices(m.incomplete, m.example_notice)
    for plan in m.plans:
        lines += [f"## {md(plan.name)}", ""]
        lines += _notices(plan.example)
        if plan.description:
            lines += [md(plan.description), ""]
        approved = tables.approval(plan.approved_by, plan.approved_on, plan.approval_state, L)
        lines += [
            f"- **{L['status']}:** {L[plan.status]}",
            f"- **{L['horizon']}:** {plan.horizon or '—'}",
            f"- **{L['version']}:** {md(plan.version) or '—'}",
            f"- **{L['approved_by']}:** {md(approved) or '—'}",
            "",
        ]
        for phase, actions in plan.phases:
            lines += [f"### {L[phase] if phase else L['no_phase']}", ""]
            lines += _table(*tables.actions(actions, L))
        lines += _history(plan.history, L, "###")
    return "\n".join(lines)


def _metrics(m: Manual) -> str:
    L = catalogue(m.lang)
    lines = [f"# {L['metrics']}", "", "[←](index.md)", ""]
    lines += _notices(m.incomplete, m.example_notice)
    lines += _table(*tables.metrics(m, L))
    if m.trends:
        lines += [f"## {L['trend']}", ""]
    for t in m.trends:
        mark = f" ({L['example_badge']})" if t.example is not None else ""
        lines += [f"### {md(t.name)}{mark}", ""]
        if t.plotted:
            lines += [f"![{md(L['trend'])}: {md(t.name)}](charts/{_trend_chart(t)})", ""]
        lines += [f"{L['trend_status']}: {L['status_' + t.status]}", ""]
        lines += _table(*tables.trend_values(t, L))
    return "\n".join(lines)


def _goals(m: Manual) -> str:
    L = catalogue(m.lang)
    lines = [f"# {L['coverage']}", "", "[←](index.md)", ""]
    lines += _notices(m.incomplete, m.example_notice)
    lines += _table(*tables.coverage(m, L))
    return "\n".join(lines)


def _href(link: Link) -> str:
    """A portal link as a link between the Markdown pages (`talous.html#step-x` ->
    `talous.md`): wikis name heading anchors their own way, so the page is linked."""
    page = link.href.split("#")[0]
    return page.removesuffix(".html") + ".md" if page else ""


def _linked(links: Sequence[Link]) -> str:
    return ", ".join(f"[{md(x.name)}]({_href(x)})" if x.href else md(x.name) for x in links)


def _trend_chart(t: Trend) -> str:
    return f"trend-{t.metric}.svg"


def _roles(m: Manual) -> str:
    """Who does what: the role matrix, then each role's processes, steps, actions, metrics."""
    L = catalogue(m.lang)
    lines = [f"# {L['roles']}", "", "[←](index.md)", ""]
    lines += _notices(m.incomplete, m.example_notice)
    if not m.roles:
        return "\n".join([*lines, L["none"], ""])
    lines += [f"## {L['role_matrix']}", ""]
    lines += _table(*tables.role_matrix(m, L))
    for r in m.roles:
        lines += [f"## {md(r.name)}", ""]
        if r.description:
            lines += [md(r.description), ""]
        if r.owns:
            lines += [f"- **{md(L['owns'])}:** {_linked(r.owns)}"]
        lines += [
            f"- [{md(proc.name)}]({_href(proc)}): {_linked(found)}" for proc, found in r.steps
        ]
        if r.actions:
            lines += [f"- **{md(L['actions'])}:** {_linked(r.actions)}"]
        if r.metrics:
            lines += [f"- **{md(L['metrics'])}:** {_linked(r.metrics)}"]
        if not (r.owns or r.steps or r.actions or r.metrics):
            lines += [md(L["none"])]
        lines += [""]
    return "\n".join(lines)


def _documents(m: Manual) -> str:
    L = catalogue(m.lang)
    lines = [f"# {L['document_register']}", "", "[←](index.md)", ""]
    lines += _notices(m.incomplete, m.example_notice)
    lines += _table(*tables.register(m, L)) or [L["none"], ""]
    return "\n".join(lines)


def _assessments(m: Manual) -> str:
    """Each self-assessment: notices, facts, the ratings chart and table, strengths, areas
    for improvement with their actions (as the portal and the Word manual show them)."""
    L = catalogue(m.lang)
    lines = [f"# {L['self_assessments']}", "", "[←](index.md)", ""]
    lines += _notices(m.incomplete, m.example_notice)
    for r in m.assessments:
        lines += [f"## {md(r.name)}", ""]
        if r.example is not None:
            lines += _notices(L["assessment_example"] + (f": {r.example}" if r.example else ""))
        if r.examples:
            lines += _notices(f"{L['example_ratings']}: {r.examples} ({L['example_badge']} = *)")
        facts = tables.assessment_facts(r, L)
        lines += [f"- **{md(k)}:** {md(v) or '—'}" for k, v in facts] + [""]
        lines += [f"![{md(L['ratings_chart'])}: {md(r.name)}](charts/arvio-{r.id}.svg)", ""]
        lines += _table(*tables.ratings(r, L))
        if r.strengths:
            lines += [f"### {L['strengths']}", ""] + [f"- {md(x)}" for x in r.strengths] + [""]
        if r.improvements:
            lines += [f"### {L['improvements']}", ""]
            for imp in r.improvements:
                lines += [f"- {md(imp.text)}"]
                for link, status, due in imp.actions:
                    parts = [md(link.name), L.get(status, status), due]
                    lines += ["  - " + " · ".join(x for x in parts if x)]
                if not imp.actions:
                    lines += [f"  - *{md(L['no_action'])}*"]
            lines += [""]
        lines += [f"*{md(L['criteria_source'])}: {md(r.source)}*", ""]
    return "\n".join(lines)


def markdown_files(manuals: list[Manual], diagrams: Diagrams | None) -> dict[str, str | bytes]:
    """{relative path: content}: index.md, <org>/index.md, <org>/<process>.md, SVG diagrams."""
    files: dict[str, str | bytes] = {}
    lang = manuals[0].lang if manuals else "en"
    L = catalogue(lang)
    home = [f"# {L['manuals']}", ""]
    home += _notices(manuals[0].incomplete if manuals else "")
    home += [f"- [{md(m.name)}]({m.organisation}/index.md)" for m in manuals]
    files["index.md"] = "\n".join([*home, ""])
    for m in manuals:
        base = m.organisation
        svg_map = diagrams.draw(m.map_diagram, "svg") if diagrams else None
        if svg_map:
            files[f"{base}/diagrams/{PROCESS_MAP}.svg"] = svg_map
        files[f"{base}/index.md"] = _index(m, svg_map is not None)
        for p in m.processes:
            svg = diagrams.draw(p.diagram, "svg") if diagrams else None
            if svg:
                files[f"{base}/diagrams/{p.id}.svg"] = svg
            files[f"{base}/{_page(p.id)}"] = _process(m, p, svg is not None)
        files[f"{base}/_plan.md"] = _plan(m)
        files[f"{base}/_metrics.md"] = _metrics(m)
        files[f"{base}/_goals.md"] = _goals(m)
        files[f"{base}/_roles.md"] = _roles(m)
        files[f"{base}/_documents.md"] = _documents(m)
        for t in m.trends:
            if t.plotted:
                files[f"{base}/charts/{_trend_chart(t)}"] = t.chart("svg")
        if m.assessments:
            files[f"{base}/_assessment.md"] = _assessments(m)
            for r in m.assessments:
                files[f"{base}/charts/arvio-{r.id}.svg"] = r.chart("svg")
    return files
