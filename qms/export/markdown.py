"""The manual as Markdown for wikis: an index, one file per process, diagrams as SVG files.

`markdown_files` returns {relative path: text or bytes}; the CLI writes it. User texts are
escaped for Markdown and for the HTML that most wikis allow inside Markdown, so a name such as
`<script>` shows as written instead of becoming markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qms.export import tables
from qms.export.labels import catalogue
from qms.export.manual import Diagrams, Manual, ProcessPage, page_name
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
    out += ["| " + " | ".join(md(c) or "—" for c in row) + " |" for row in rows]
    return [*out, ""]


def _notices(*texts: str) -> list[str]:
    """Notices a reader must not miss (incomplete model, example content) as quoted blocks."""
    return [line for text in texts if text for line in (f"> **{md(text)}**", "")]


def _process(m: Manual, p: ProcessPage, has_diagram: bool) -> str:
    L = catalogue(m.lang)
    lines = [f"# {md(p.name)}", "", f"[{md(L['back'])}](index.md)", ""]
    lines += _notices(m.incomplete, p.example)
    facts = [
        (L["owner"], p.owner),
        (L["type"], L[p.band]),
        (L["status"], L[p.status]),
        (L["version"], p.version),
        (L["approved_by"], f"{p.approved_by} {p.approved_on}".strip()),
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
        lines += _table(
            ["#", L["step"], L["role"], L["next"], L["documents"]],
            [
                [str(i), s.name, s.role, "; ".join(s.next), ", ".join(s.documents)]
                for i, s in enumerate(p.steps, 1)
            ],
        )
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
    return "\n".join(lines)


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
        "",
        f"## {L['approval']}",
        "",
    ]
    lines += _table(*tables.approvals(m, L))
    return "\n".join(lines)


def _plan(m: Manual) -> str:
    L = catalogue(m.lang)
    lines = [f"# {L['quality_plan']}", "", "[←](index.md)", ""]
    for plan in m.plans:
        lines += [f"## {md(plan.name)}", ""]
        lines += _notices(plan.example)
        if plan.description:
            lines += [md(plan.description), ""]
        lines += [
            f"- **{L['status']}:** {L[plan.status]}",
            f"- **{L['horizon']}:** {plan.horizon or '—'}",
            "",
        ]
        for phase, actions in plan.phases:
            lines += [f"### {L[phase] if phase else L['no_phase']}", ""]
            lines += _table(*tables.actions(actions, L))
    return "\n".join(lines)


def _metrics(m: Manual) -> str:
    L = catalogue(m.lang)
    lines = [f"# {L['metrics']}", "", "[←](index.md)", ""]
    lines += _table(*tables.metrics(m, L))
    return "\n".join(lines)


def _goals(m: Manual) -> str:
    L = catalogue(m.lang)
    lines = [f"# {L['coverage']}", "", "[←](index.md)", ""]
    lines += _table(*tables.coverage(m, L))
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
    return files
