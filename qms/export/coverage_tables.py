"""The coverage matrix as a terminal table, CSV, JSON, Markdown, HTML and XLSX.

Every exporter reads the same `Coverage` value (qms/coverage.py) and returns `str` or
`bytes`; the CLI writes. Every state has its own symbol as well as its colour, so the matrix
reads the same in black and white, piped, printed, and for colour-blind readers; the colours
are the Okabe-Ito palette.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qms.coverage import Cell, Coverage, Element, Gap, PeriodCell
from qms.findings import Msg, printable
from qms.l10n import format_date
from qms.model import text

# --- symbols, colours, labels ----------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """How one state is shown: a symbol, its ASCII fallback, a colour, a name per language."""

    symbol: str
    ascii: str
    colour: str
    """Background colour (Okabe-Ito, or grey for nothing)."""
    name: Msg

    def sym(self, ascii_only: bool = False) -> str:
        """The symbol, or its ASCII fallback."""
        return self.ascii if ascii_only else self.symbol


STATE_MARKS: dict[str, Mark] = {
    "covered": Mark(
        "✓", "+", "#009E73", Msg(en="committed and realized", fi="sitoutunut ja toteuttaa")
    ),
    "committed-not-covered": Mark(
        "✗",
        "!",
        "#D55E00",
        Msg(en="committed, nothing behind it", fi="sitoutunut, mikään ei toteuta"),
    ),
    "not-committed-but-contributes": Mark(
        "○",
        "o",
        "#56B4E9",
        Msg(en="realizes without a commitment", fi="toteuttaa sitoutumatta"),
    ),
    "none": Mark("·", ".", "#F0F0F0", Msg(en="not involved", fi="ei mukana")),
}
PERIOD_MARKS: dict[str, Mark] = {
    "achieved": Mark("●", "A", "#009E73", Msg(en="achieved", fi="saavutettu")),
    "ongoing": Mark("◐", "O", "#56B4E9", Msg(en="ongoing", fi="käynnissä")),
    "delayed": Mark("▲", "D", "#E69F00", Msg(en="delayed", fi="viivästynyt")),
    "not-started": Mark("◌", "N", "#CC79A7", Msg(en="not started", fi="ei aloitettu")),
    "missing": Mark(
        "✗", "X", "#D55E00", Msg(en="no result, period ended", fi="ei tulosta, jakso päättynyt")
    ),
    "pending": Mark(
        "…", "-", "#F0F0F0", Msg(en="no result yet, period open", fi="ei vielä tulosta, jakso auki")
    ),
    "": Mark(" ", " ", "#FFFFFF", Msg(en="not committed, no result", fi="ei sitoumusta")),
}
GAP_KIND_COLOURS = {
    "uncovered-goal": "#D55E00",
    "unkept-commitment": "#E69F00",
    "unreported-goal": "#CC79A7",
}

EXAMPLE_TAG = Msg(en="example", fi="esimerkki")

L = {
    "title": Msg(en="Coverage of the project's goals", fi="Hankkeen tavoitteiden kattavuus"),
    "as_of": Msg(en="as of {date}", fi="tilanne {date}"),
    "gaps": Msg(en="Gaps", fi="Puutteet"),
    "examples": Msg(
        en="Items marked (example) are example content, not from the sources.",
        fi="(esimerkki)-merkityt ovat esimerkkisisältöä, eivät lähteistä.",
    ),
    "modelled": Msg(
        en="{modelled}/{members} partners modelled: the figures cover the modelled ones only",
        fi="{modelled}/{members} kumppania mallinnettu: luvut koskevat vain mallinnettuja",
    ),
    "no_gaps": Msg(en="No gaps.", fi="Ei puutteita."),
    "matrix": Msg(en="Matrix", fi="Matriisi"),
    "goal": Msg(en="Goal", fi="Tavoite"),
    "organisation": Msg(en="Organisation", fi="Organisaatio"),
    "totals": Msg(en="Totals", fi="Yhteensä"),
    "legend": Msg(en="Legend", fi="Selite"),
    "periods": Msg(en="Periods", fi="Jaksot"),
    "processes": Msg(en="Processes", fi="Prosessit"),
    "actions": Msg(en="Plan actions", fi="Toimenpiteet"),
    "metrics": Msg(en="Metrics", fi="Mittarit"),
    "details": Msg(en="Details", fi="Erittely"),
    "coverage": Msg(
        en="Coverage {pct} % ({passed}/{checks} checks passed, {explained} of them explained gaps)",
        fi="Kattavuus {pct} % ({passed}/{checks} tarkistusta kunnossa, niistä {explained} "
        "selitettyä puutetta)",
    ),
    "goals_pct": Msg(
        en="goals realized by someone {pct} %", fi="tavoitteista jonkun toteuttamia {pct} %"
    ),
    "commit_pct": Msg(en="commitments kept {pct} %", fi="sitoumuksista toteutettuja {pct} %"),
    "report_pct": Msg(
        en="results reported for ended periods {pct} %",
        fi="päättyneiden jaksojen tuloksista raportoitu {pct} %",
    ),
    "goal_totals": Msg(
        en="committed {committed}, realizing {realized}, kept {kept}, missing results {missing}",
        fi="sitoutuneita {committed}, toteuttajia {realized}, toteutettuja {kept}, "
        "puuttuvia tuloksia {missing}",
    ),
    "org_totals": Msg(
        en="commitments kept {kept}/{committed}, contributes to {contributes} more, "
        "results {reported}/{due}",
        fi="sitoumuksia toteutettu {kept}/{committed}, toteuttaa lisäksi {contributes}, "
        "tuloksia {reported}/{due}",
    ),
    "cell_counts": Msg(en="P{p} A{a} M{m}", fi="P{p} T{a} M{m}"),
    "counts_legend": Msg(
        en="P processes, A plan actions, M metrics of the organisation's own that realize the goal",
        fi="P prosessit, T toimenpiteet, M mittarit, joilla organisaatio itse toteuttaa tavoitetta",
    ),
    "period_legend": Msg(
        en="per period, in order: {periods}", fi="jaksoittain, järjestyksessä: {periods}"
    ),
    "ended": Msg(en="ended", fi="päättynyt"),
    "open": Msg(en="open", fi="auki"),
    "uncovered-goal": Msg(
        en="{goal} {name}: no organisation realizes it",
        fi="{goal} {name}: mikään organisaatio ei toteuta",
    ),
    "unkept-commitment": Msg(
        en="{goal} × {org}: committed, but nothing of its own realizes it",
        fi="{goal} × {org}: sitoutunut, mutta mikään oma ei toteuta",
    ),
    "unreported-goal": Msg(
        en="{goal} × {org}: no result for {period}",
        fi="{goal} × {org}: ei tulosta jaksolta {period}",
    ),
    "explained": Msg(en="explained: {reason}", fi="selitetty: {reason}"),
    "n_explained": Msg(
        en="{n} explained with a `lint: ignore:` reason, listed last",
        fi="{n} selitetty `lint: ignore:` -perustelulla, lopussa",
    ),
}


def label(key: str, lang: str, **params: Any) -> str:
    """A label of the coverage outputs in `lang`."""
    return L[key].format(lang, **params)


# --- shared pieces ---------------------------------------------------------------------------


def as_of_line(cov: Coverage, lang: str) -> str:
    """'tilanne 31.1.2013': the as-of date as the language writes it (Babel)."""
    return label("as_of", lang, date=format_date(cov.as_of, lang))


def _org_short(cov: Coverage) -> dict[str, str]:
    return {o.id: o.short for o in cov.organisations}


def _period_names(cov: Coverage, lang: str) -> dict[str, str]:
    return {p.id: text(p.name, lang) or p.id for p in cov.periods}


def gap_text(cov: Coverage, gap: Gap, lang: str, reason_limit: int | None = None) -> str:
    """One gap as a sentence; an explained gap with its reason (cut to `reason_limit`)."""
    goal = next(g for g in cov.goals if g.id == gap.goal)
    reason = " ".join((gap.suppressed or "").split())
    if reason_limit is not None and len(reason) > reason_limit:
        reason = reason[: reason_limit - 1].rstrip() + "…"
    explained = f" ({label('explained', lang, reason=reason)})" if gap.suppressed else ""
    return (
        label(
            gap.kind,
            lang,
            goal=gap.goal,
            name=text(goal.name, lang),
            org=_org_short(cov).get(gap.organisation, gap.organisation),
            period=_period_names(cov, lang).get(gap.period, gap.period),
        )
        + explained
    )


def counts(cell: Cell, lang: str) -> str:
    """`P2 A1 M3`: how many processes, actions and metrics realize the goal."""
    return label(
        "cell_counts", lang, p=len(cell.processes), a=len(cell.actions), m=len(cell.metrics)
    )


def period_symbols(cell: Cell, ascii_only: bool = False) -> str:
    """One symbol per period, in period order."""
    return "".join(PERIOD_MARKS[pc.status].sym(ascii_only) for pc in cell.periods)


def cell_summary(cell: Cell, lang: str, ascii_only: bool = False) -> str:
    """`✓ P2 A1 M3 ●▲`: the compact text of a cell, symbols first."""
    parts = [STATE_MARKS[cell.state].sym(ascii_only)]
    if cell.elements:
        parts.append(counts(cell, lang))
    if cell.periods and any(pc.status for pc in cell.periods):
        parts.append(period_symbols(cell, ascii_only))
    return " ".join(parts)


def legend_lines(cov: Coverage, lang: str, ascii_only: bool = False) -> list[str]:
    """The legend: cell states, counts, period symbols and the period order."""
    lines = [f"{m.sym(ascii_only)}  {m.name.format(lang)}" for m in STATE_MARKS.values()]
    lines.append(label("counts_legend", lang))
    lines.extend(
        f"{m.sym(ascii_only)}  {m.name.format(lang)}" for k, m in PERIOD_MARKS.items() if k
    )
    names = _period_names(cov, lang)
    shown = ", ".join(
        f"{names[p.id]} ({label('ended' if p.ended else 'open', lang)})" for p in cov.periods
    )
    if cov.periods:
        lines.append(label("period_legend", lang, periods=shown))
    return lines


def scope_lines(cov: Coverage, lang: str) -> list[str]:
    """What the figures do not cover: an incomplete model, partners that are not modelled."""
    lines = []
    if cov.incomplete:
        lines.append(cov.incomplete.text(lang))
    if cov.members and cov.members > cov.modelled:
        lines.append(label("modelled", lang, modelled=cov.modelled, members=cov.members))
    if any(e.example for row in cov.cells for c in row for e in c.elements):
        lines.append(label("examples", lang))
    return lines


def percent_lines(cov: Coverage, lang: str) -> list[str]:
    """The headline percentage and its three parts, then what the figures leave out."""
    return [
        label(
            "coverage",
            lang,
            pct=cov.percent,
            passed=cov.passed,
            checks=cov.checks,
            explained=cov.explained,
        ),
        label("goals_pct", lang, pct=cov.goals_percent),
        label("commit_pct", lang, pct=cov.commitments_percent),
        label("report_pct", lang, pct=cov.reporting_percent),
        *scope_lines(cov, lang),
    ]


def _cell_gaps(cov: Coverage) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for gap in cov.gaps:
        if gap.organisation:
            found.setdefault((gap.goal, gap.organisation), []).append(
                f"{gap.kind}:{gap.period}" if gap.period else gap.kind
            )
    return found


# --- JSON ------------------------------------------------------------------------------------


def element_name(e: Element, lang: str) -> str:
    """The element's name, with '(esimerkki)' after it when it is example content."""
    name = text(e.name, lang) or e.id
    return f"{name} ({EXAMPLE_TAG.format(lang)})" if e.example else name


def element_id(e: Element, lang: str) -> str:
    """The element's id, with '(esimerkki)' after it when it is example content."""
    return f"{e.id} ({EXAMPLE_TAG.format(lang)})" if e.example else e.id


def _element(e: Element, lang: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": element_name(e, lang),
        "file": e.where.file,
        "example": e.example,
    }


def _period_cell(pc: PeriodCell, lang: str) -> dict[str, Any]:
    return {
        "period": pc.period,
        "ended": pc.ended,
        "status": pc.status,
        "results": [
            {"status": r.status, "text": text(r.text, lang), "file": r.where.file}
            for r in pc.results
        ],
    }


def to_data(cov: Coverage, lang: str) -> dict[str, Any]:
    """The coverage as plain JSON-ready data, names in `lang`."""
    return {
        "as_of": cov.as_of.isoformat(),
        "percent": cov.percent,
        "goals_percent": cov.goals_percent,
        "commitments_percent": cov.commitments_percent,
        "reporting_percent": cov.reporting_percent,
        "checks": cov.checks,
        "passed": cov.passed,
        "explained": cov.explained,
        "incomplete": cov.incomplete.text(lang) or None,
        "organisations_modelled": cov.modelled,
        "network_members": cov.members,
        "periods": [
            {
                "id": p.id,
                "name": text(p.name, lang),
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "ended": p.ended,
            }
            for p in cov.periods
        ],
        "goals": [
            {
                "id": g.id,
                "name": text(g.name, lang),
                "committed": g.committed,
                "realized": g.realized,
                "kept": g.kept,
                "reported": g.reported,
                "missing": g.missing,
            }
            for g in cov.goals
        ],
        "organisations": [
            {
                "id": o.id,
                "short": o.short,
                "name": text(o.name, lang),
                "committed": o.committed,
                "kept": o.kept,
                "contributes": o.contributes,
                "due": o.due,
                "reported": o.reported,
            }
            for o in cov.organisations
        ],
        "gaps": [
            {
                "kind": g.kind,
                "goal": g.goal,
                "organisation": g.organisation,
                "period": g.period,
                "file": g.where.file,
                "path": list(g.where.path),
                "explained": g.suppressed,
                "text": gap_text(cov, g, lang),
            }
            for g in cov.gaps
        ],
        "cells": [
            {
                "goal": c.goal,
                "organisation": c.organisation,
                "committed": c.committed,
                "state": c.state,
                "processes": [_element(e, lang) for e in c.processes],
                "actions": [_element(e, lang) for e in c.actions],
                "metrics": [_element(e, lang) for e in c.metrics],
                "periods": [_period_cell(pc, lang) for pc in c.periods],
            }
            for row in cov.cells
            for c in row
        ],
    }


def to_json(cov: Coverage, lang: str) -> str:
    """The coverage as indented JSON, keys in a fixed order."""
    return json.dumps(to_data(cov, lang), ensure_ascii=False, indent=2) + "\n"


# --- CSV -------------------------------------------------------------------------------------


def csv_rows(cov: Coverage, lang: str) -> list[list[str]]:
    """One row per goal x organisation: the long form that spreadsheets pivot. `example` lists
    the cell's elements that are example content; `notice` says on every row what the figures
    do not cover (a partial model, partners not modelled, example content), so that a filtered
    or pivoted copy still says it."""
    header = [
        "goal",
        "goal_name",
        "organisation",
        "committed",
        "state",
        "symbol",
        "processes",
        "actions",
        "metrics",
    ]
    for p in cov.periods:
        header += [f"{p.id}_status", f"{p.id}_text"]
    header += ["gaps", "example", "notice"]
    rows = [header]
    gaps = _cell_gaps(cov)
    names = {g.id: text(g.name, lang) for g in cov.goals}
    notice = " ".join(scope_lines(cov, lang))
    for row in cov.cells:
        for c in row:
            line = [
                c.goal,
                names[c.goal],
                c.organisation,
                "true" if c.committed else "false",
                c.state,
                STATE_MARKS[c.state].symbol,
                " ".join(e.id for e in c.processes),
                " ".join(e.id for e in c.actions),
                " ".join(e.id for e in c.metrics),
            ]
            for pc in c.periods:
                line += [pc.status, " | ".join(text(r.text, lang) for r in pc.results)]
            line.append(" ".join(gaps.get((c.goal, c.organisation), [])))
            line.append(" ".join(e.id for e in c.elements if e.example))
            line.append(notice)
            rows.append(line)
    return rows


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP, CSV injection)."""


def neutralised(value: str) -> str:
    r"""A cell value no spreadsheet runs: one starting like a formula gets a leading `'`
    (OWASP's advice for CSV injection), which Excel and LibreOffice show as text.

    >>> neutralised("=HYPERLINK(\"http://x\")"), neutralised("-5"), neutralised("G1")
    ('\'=HYPERLINK("http://x")', "'-5", 'G1')
    """
    return f"'{value}" if value.startswith(FORMULA_START) else value


def to_csv(cov: Coverage, lang: str) -> str:
    """CSV with a header row, one row per cell (RFC 4180, CRLF line ends); a cell that starts
    like a formula is neutralised (`neutralised`)."""
    out = io.StringIO()
    csv.writer(out).writerows([neutralised(v) for v in row] for row in csv_rows(cov, lang))
    return out.getvalue()


# --- Markdown --------------------------------------------------------------------------------


def _md(value: str) -> str:
    """A model text inside the Markdown report: HTML and Markdown markup escaped, one line."""
    from qms.export.markdown import md

    return md(value)


def to_markdown(cov: Coverage, lang: str) -> str:
    """Gaps first, then the matrix with totals, then the legend."""
    out = [f"# {label('title', lang)}", "", f"*{as_of_line(cov, lang)}*", ""]
    out += [f"**{percent_lines(cov, lang)[0]}**: " + "; ".join(percent_lines(cov, lang)[1:]), ""]
    out += [f"## {label('gaps', lang)}", ""]
    out += [f"- {_md(gap_text(cov, g, lang))}" for g in cov.gaps] or [label("no_gaps", lang)]
    out += ["", f"## {label('matrix', lang)}", ""]
    head = [label("goal", lang), *(o.short for o in cov.organisations), label("totals", lang)]
    out.append("| " + " | ".join(_md(h) for h in head) + " |")
    out.append("|" + "---|" * len(head))
    for g, row in zip(cov.goals, cov.cells, strict=True):
        total = f"{g.kept}/{g.committed} · {g.realized}"
        cells = [cell_summary(c, lang) for c in row]
        out.append("| " + " | ".join([_md(f"{g.id} {text(g.name, lang)}"), *cells, total]) + " |")
    org_totals = [f"{o.kept}/{o.committed} · {o.reported}/{o.due}" for o in cov.organisations]
    out.append("| " + " | ".join([label("totals", lang), *org_totals, f"{cov.percent} %"]) + " |")
    out += ["", f"## {label('legend', lang)}", ""]
    out += [f"- {_md(line)}" for line in legend_lines(cov, lang)]
    out.append(f"- {_totals_legend(lang)}")
    out.append("")
    return "\n".join(out)


# --- terminal --------------------------------------------------------------------------------


def to_terminal(
    cov: Coverage, lang: str, colour: bool = False, ascii_only: bool = False, width: int = 120
) -> str:
    """The matrix as a rich table: gaps first, symbols in every cell, colour only as an extra."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=colour,
        no_color=not colour,
        color_system="standard" if colour else None,
        width=width,
        legacy_windows=False,
        emoji=False,
        highlight=False,
        safe_box=True,
    )
    style = {
        "covered": "green",
        "committed-not-covered": "bold red",
        "not-committed-but-contributes": "cyan",
        "none": "dim",
    }
    console.print(Text(f"{label('title', lang)} ({as_of_line(cov, lang)})"))
    for line in percent_lines(cov, lang):
        console.print(Text(line))
    console.print()
    console.print(Text(f"{label('gaps', lang)} ({len(cov.gaps)}):", style="bold"))
    if cov.explained:
        console.print(Text(f"  ({label('n_explained', lang, n=cov.explained)})"))
    bullet = "-" if ascii_only else "•"
    kind_style = {
        "uncovered-goal": "bold red",
        "unkept-commitment": "red",
        "unreported-goal": "magenta",
    }
    for gap in cov.gaps:
        tint = "dim" if gap.suppressed else kind_style[gap.kind]
        said = printable(gap_text(cov, gap, lang, reason_limit=60))
        console.print(Text(f"  {bullet} {said}", style=tint))
    if not cov.gaps:
        console.print(Text(f"  {label('no_gaps', lang)}"))
    console.print()
    from rich import box

    table = Table(
        box=box.ASCII if ascii_only else box.SQUARE,
        show_lines=False,
        header_style="bold",
        safe_box=True,
    )
    table.add_column(label("goal", lang), overflow="fold", max_width=36)
    for o in cov.organisations:
        table.add_column(printable(o.short), justify="left", no_wrap=True)
    table.add_column(label("totals", lang), justify="right", no_wrap=True)
    for g, row in zip(cov.goals, cov.cells, strict=True):
        cells = [
            Text(cell_summary(c, lang, ascii_only), style=style[c.state])
            if colour
            else Text(cell_summary(c, lang, ascii_only))
            for c in row
        ]
        table.add_row(
            Text(printable(f"{g.id} {text(g.name, lang)}")),
            *cells,
            Text(
                f"{g.kept}/{g.committed} · {g.realized}"
                if not ascii_only
                else f"{g.kept}/{g.committed} {g.realized}"
            ),
        )
    table.add_section()
    table.add_row(
        Text(label("totals", lang)),
        *(Text(f"{o.kept}/{o.committed} {o.reported}/{o.due}") for o in cov.organisations),
        Text(f"{cov.percent} %"),
    )
    console.print(table)
    console.print(Text(f"{label('legend', lang)}:"))
    for line in legend_lines(cov, lang, ascii_only):
        console.print(Text(f"  {printable(line)}"))
    console.print(Text("  " + _totals_legend(lang)))
    if ascii_only:
        return buffer.getvalue().translate(_ASCII)
    return buffer.getvalue()


_ASCII = str.maketrans({"×": "x", "·": "|", "…": "...", "•": "-", "—": "-", "–": "-"})
"""The punctuation of the labels, for terminals without Unicode."""


def _totals_legend(lang: str) -> str:
    return {
        "fi": "Yhteensä: tavoitteella toteutetut/sitoumukset · toteuttajat; "
        "organisaatiolla toteutetut/sitoumukset ja raportoidut/erääntyneet tulokset",
        "en": "Totals: per goal kept/commitments · realizing organisations; "
        "per organisation kept/commitments and reported/due results",
    }["fi" if lang == "fi" else "en"]


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111; margin: 1em; }
h1 { font-size: 16pt; margin: 0 0 .2em; } h2 { font-size: 12pt; margin: 1em 0 .3em; }
.meta { color: #444; margin: 0 0 .6em; }
table.matrix { border-collapse: collapse; width: 100%; table-layout: auto; }
.matrix th, .matrix td { border: 1px solid #888; padding: 3px 5px; vertical-align: top; }
.matrix thead th { background: #333; color: #fff; }
.matrix tfoot td, .matrix .total { background: #eee; font-weight: bold; white-space: nowrap; }
.sym { font-size: 12pt; font-weight: bold; }
.cell ul { margin: 2px 0 0; padding-left: 1.1em; }
.cell .periods { margin-top: 2px; white-space: nowrap; }
.covered { background: #c9eee2; } .committed-not-covered { background: #f6d0b8; }
.not-committed-but-contributes { background: #d5ecf9; } .none { background: #fafafa; color: #666; }
ul.gaps li.uncovered-goal { color: #a33a00; font-weight: bold; }
ul.gaps li.unkept-commitment { color: #8a5a00; }
.legend { columns: 2; font-size: 9pt; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } }
"""


def _h(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_cell(cell: Cell, cov: Coverage, lang: str) -> str:
    mark = STATE_MARKS[cell.state]
    parts = [
        f'<td class="cell {cell.state}" title="{_h(mark.name.format(lang))}">'
        f'<span class="sym" aria-label="{_h(mark.name.format(lang))}">{_h(mark.symbol)}</span>'
    ]
    items = [
        (label(key, lang), elems)
        for key, elems in (
            ("processes", cell.processes),
            ("actions", cell.actions),
            ("metrics", cell.metrics),
        )
        if elems
    ]
    if items:
        parts.append("<ul>")
        for heading, elems in items:
            for e in elems:
                parts.append(
                    f'<li title="{_h(heading)}: {_h(e.id)}">{_h(element_name(e, lang))}</li>'
                )
        parts.append("</ul>")
    names = _period_names(cov, lang)
    shown = [pc for pc in cell.periods if pc.status]
    if shown:
        parts.append('<div class="periods">')
        for pc in shown:
            pm = PERIOD_MARKS[pc.status]
            said = " | ".join(text(r.text, lang) for r in pc.results)
            tip = f"{names[pc.period]}: {pm.name.format(lang)}" + (f" – {said}" if said else "")
            parts.append(
                f'<span class="p {_h(pc.status)}" title="{_h(tip)}">{_h(pm.symbol)} '
                f"{_h(names[pc.period])}</span><br>"
            )
        parts.append("</div>")
    parts.append("</td>")
    return "".join(parts)


def to_html(cov: Coverage, lang: str) -> str:
    """A self-contained HTML page that prints on A4 landscape; every text escaped."""
    title = label("title", lang)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_h(lang)}"><head><meta charset="utf-8">',
        f"<title>{_h(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_h(title)}</h1>",
        f'<p class="meta">{_h(as_of_line(cov, lang))} · '
        + " · ".join(_h(line) for line in percent_lines(cov, lang))
        + "</p>",
        f"<h2>{_h(label('gaps', lang))} ({len(cov.gaps)})</h2>",
    ]
    if cov.gaps:
        out.append('<ul class="gaps">')
        out += [f'<li class="{_h(g.kind)}">{_h(gap_text(cov, g, lang))}</li>' for g in cov.gaps]
        out.append("</ul>")
    else:
        out.append(f"<p>{_h(label('no_gaps', lang))}</p>")
    out.append(f"<h2>{_h(label('matrix', lang))}</h2>")
    out.append('<table class="matrix"><thead><tr>')
    out.append(f'<th scope="col">{_h(label("goal", lang))}</th>')
    out += [
        f'<th scope="col" title="{_h(text(o.name, lang))}">{_h(o.short)}</th>'
        for o in cov.organisations
    ]
    out.append(f'<th scope="col">{_h(label("totals", lang))}</th></tr></thead><tbody>')
    for g, row in zip(cov.goals, cov.cells, strict=True):
        out.append(f'<tr><th scope="row">{_h(g.id)} {_h(text(g.name, lang))}</th>')
        out += [_html_cell(c, cov, lang) for c in row]
        out.append(f'<td class="total">{g.kept}/{g.committed} · {g.realized}</td></tr>')
    out.append(f"</tbody><tfoot><tr><td>{_h(label('totals', lang))}</td>")
    out += [f"<td>{o.kept}/{o.committed} · {o.reported}/{o.due}</td>" for o in cov.organisations]
    out.append(f"<td>{cov.percent} %</td></tr></tfoot></table>")
    out.append(f'<h2>{_h(label("legend", lang))}</h2><ul class="legend">')
    out += [f"<li>{_h(line)}</li>" for line in legend_lines(cov, lang)]
    out.append(f"<li>{_h(_totals_legend(lang))}</li></ul>")
    out.append("</body></html>\n")
    return "\n".join(out)


# --- XLSX ------------------------------------------------------------------------------------


def to_xlsx(cov: Coverage, lang: str) -> bytes:
    """A workbook: Matrix (A4 landscape, fit to width, frozen header), Gaps, Details."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    light = {
        "covered": "C9EEE2",
        "committed-not-covered": "F6D0B8",
        "not-committed-but-contributes": "D5ECF9",
        "none": "FAFAFA",
    }
    wb = Workbook()
    ws = wb.active
    ws.title = label("matrix", lang)[:31]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    _append(ws, [f"{label('title', lang)} ({as_of_line(cov, lang)})"])
    ws["A1"].font = Font(bold=True, size=14)
    _append(ws, ["; ".join(percent_lines(cov, lang))])
    for line in scope_lines(cov, lang):  # each on its own row too, where it is seen first
        _append(ws, [line])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="A33A00")
    header = [label("goal", lang), *(o.short for o in cov.organisations), label("totals", lang)]
    _append(ws, header)
    head_row = ws.max_row
    for col in range(1, len(header) + 1):
        cell = ws.cell(row=head_row, column=col)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="333333")
    names = _period_names(cov, lang)
    for g, row in zip(cov.goals, cov.cells, strict=True):
        values = [f"{g.id} {text(g.name, lang)}"]
        for c in row:
            lines = [f"{STATE_MARKS[c.state].symbol} {STATE_MARKS[c.state].name.format(lang)}"]
            lines += [element_id(e, lang) for e in c.elements]
            lines += [
                f"{PERIOD_MARKS[pc.status].symbol} {names[pc.period]}"
                for pc in c.periods
                if pc.status
            ]
            values.append("\n".join(lines))
        values.append(f"{g.kept}/{g.committed} · {g.realized}")
        _append(ws, values)
        r = ws.max_row
        ws.cell(row=r, column=1).alignment = wrap
        ws.cell(row=r, column=1).font = bold
        for k, c in enumerate(row, start=2):
            target = ws.cell(row=r, column=k)
            target.fill = PatternFill("solid", fgColor=light[c.state])
            target.alignment = wrap
    _append(
        ws,
        [
            label("totals", lang),
            *(f"{o.kept}/{o.committed} · {o.reported}/{o.due}" for o in cov.organisations),
            f"{cov.percent} %",
        ],
    )
    for col in range(1, len(header) + 1):
        ws.cell(row=ws.max_row, column=col).font = bold
    _append(ws, [])
    for line in [*legend_lines(cov, lang), _totals_legend(lang)]:
        _append(ws, [line])
    ws.column_dimensions["A"].width = 40
    for col in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 24
    ws.freeze_panes = ws.cell(row=head_row + 1, column=2)
    ws.print_title_rows = f"{head_row}:{head_row}"
    _a4_landscape(ws)

    gaps = wb.create_sheet(label("gaps", lang)[:31])
    _append(gaps, ["kind", "goal", "organisation", "period", "file", label("gaps", lang)])
    for gap in cov.gaps:
        _append(
            gaps,
            [
                gap.kind,
                gap.goal,
                gap.organisation,
                gap.period,
                gap.where.file,
                gap_text(cov, gap, lang),
            ],
        )
        gaps.cell(row=gaps.max_row, column=1).fill = PatternFill(
            "solid", fgColor=GAP_KIND_COLOURS[gap.kind].lstrip("#")
        )
    for letter, size in zip("ABCDEF", (20, 8, 14, 14, 40, 70), strict=True):
        gaps.column_dimensions[letter].width = size
    gaps.freeze_panes = "A2"
    _a4_landscape(gaps)

    details = wb.create_sheet(label("details", lang)[:31])
    for values in csv_rows(cov, lang):
        _append(details, values)
    details.freeze_panes = "A2"
    _a4_landscape(details)

    for sheet in (gaps, details):
        for cell in sheet[1]:
            cell.font = bold
    out = io.BytesIO()
    wb.properties.creator = "qms"
    wb.save(out)
    return _stable_zip(out.getvalue(), cov.as_of.isoformat())


def _append(sheet: Any, values: list[Any]) -> None:
    """Append a row whose texts stay texts: openpyxl stores any string that starts with '='
    as a formula, so each string cell is typed as a string, and one that starts like a
    formula also gets Excel's quote prefix (shown as written, and still text when edited or
    saved as CSV)."""
    sheet.append(values)
    row = sheet.max_row
    for col, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=col)
            cell.data_type = "s"
            if value.startswith(FORMULA_START):
                cell.quotePrefix = True


def stamp_core(core: bytes, date: str) -> bytes:
    """docProps/core.xml with its created and modified dates set to `date` (midnight UTC)."""
    import re

    stamp = f"{date}T00:00:00Z".encode()
    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>" + stamp + rb"\g<2>",
        core,
    )


def _stable_zip(data: bytes, date: str) -> bytes:
    """The same workbook bytes for the same data: fixed zip times, dates set to the as-of date.

    openpyxl stamps the save time into docProps/core.xml and the zip entries; a report that
    changes with the clock would make every regenerated file a diff.
    """
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = stamp_core(content, date)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def _a4_landscape(sheet: Any) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


FORMATS: dict[str, Callable[[Coverage, str], str]] = {
    "csv": to_csv,
    "json": to_json,
    "md": to_markdown,
    "html": to_html,
}
"""The text formats by name; `xlsx` (bytes) and `table` (terminal options) are separate."""
