"""The coverage matrix as a heatmap picture: DOT text (pure), drawn by Graphviz to SVG or PNG.

The picture is one HTML-like table label, so Graphviz lays out a grid without any graph
layout at all: same data, same bytes. Colours are the Okabe-Ito palette (safe for colour-blind
readers) and every cell carries its symbol as well, so it also reads in black and white.
"""

from __future__ import annotations

import html

from qms.coverage import Coverage
from qms.export.coverage_tables import (
    PERIOD_MARKS,
    STATE_MARKS,
    as_of_line,
    counts,
    label,
    legend_lines,
    percent_lines,
    scope_lines,
)
from qms.model import text

FONT = "DejaVu Sans"
"""Has every symbol used (✓ ✗ ○ ● ◐ ▲ ◌ …); Graphviz falls back when it is missing."""
_TEXT_ON = {
    "covered": "#FFFFFF",
    "committed-not-covered": "#FFFFFF",
    "not-committed-but-contributes": "#000000",
    "none": "#555555",
}


def _e(value: object) -> str:
    """Escape for an HTML-like label (Graphviz reads XML entities)."""
    return html.escape(str(value), quote=True)


def _short(value: str, limit: int = 34) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def to_dot(cov: Coverage, lang: str) -> str:
    """DOT source of the heatmap: goals as rows, organisations as columns, totals at the ends."""
    head = 'BGCOLOR="#333333"'
    rows = [
        f'<TR><TD COLSPAN="{len(cov.organisations) + 2}" ALIGN="LEFT" BORDER="0">'
        f"<B>{_e(label('title', lang))}</B> — {_e(as_of_line(cov, lang))}<BR/>"
        f'{_e(percent_lines(cov, lang)[0])}<BR ALIGN="LEFT"/>'
        + "".join(
            f'<FONT COLOR="#B3261E"><B>{_e(line)}</B></FONT><BR ALIGN="LEFT"/>'
            for line in scope_lines(cov, lang)
        )
        + "</TD></TR>",
        f'<TR><TD {head} ALIGN="LEFT"><FONT COLOR="#FFFFFF"><B>{_e(label("goal", lang))}'
        "</B></FONT></TD>"
        + "".join(
            f'<TD {head}><FONT COLOR="#FFFFFF"><B>{_e(o.short)}</B></FONT></TD>'
            for o in cov.organisations
        )
        + f'<TD {head}><FONT COLOR="#FFFFFF"><B>{_e(label("totals", lang))}</B></FONT></TD></TR>',
    ]
    for g, row in zip(cov.goals, cov.cells, strict=True):
        cells = []
        for c in row:
            mark = STATE_MARKS[c.state]
            lines = [f'<FONT POINT-SIZE="16">{_e(mark.symbol)}</FONT>']
            if c.elements:
                lines.append(_e(counts(c, lang)))
            periods = "".join(PERIOD_MARKS[pc.status].symbol for pc in c.periods)
            if periods.strip():
                lines.append(_e(periods))
            cells.append(
                f'<TD BGCOLOR="{mark.colour}" WIDTH="70"><FONT COLOR="{_TEXT_ON[c.state]}">'
                + "<BR/>".join(lines)
                + "</FONT></TD>"
            )
        rows.append(
            f'<TR><TD ALIGN="LEFT" BGCOLOR="#FFFFFF"><B>{_e(g.id)}</B> '
            f"{_e(_short(text(g.name, lang)))}</TD>"
            + "".join(cells)
            + f'<TD BGCOLOR="#EEEEEE">{g.kept}/{g.committed} · {g.realized}</TD></TR>'
        )
    rows.append(
        f'<TR><TD ALIGN="LEFT" BGCOLOR="#EEEEEE"><B>{_e(label("totals", lang))}</B></TD>'
        + "".join(
            f'<TD BGCOLOR="#EEEEEE">{o.kept}/{o.committed}<BR/>{o.reported}/{o.due}</TD>'
            for o in cov.organisations
        )
        + f'<TD BGCOLOR="#EEEEEE"><B>{cov.percent} %</B></TD></TR>'
    )
    legend = '<BR ALIGN="LEFT"/>'.join(_e(line) for line in legend_lines(cov, lang))
    rows.append(
        f'<TR><TD COLSPAN="{len(cov.organisations) + 2}" ALIGN="LEFT" BORDER="0">'
        f'<FONT POINT-SIZE="9">{legend}<BR ALIGN="LEFT"/></FONT></TD></TR>'
    )
    table = (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" COLOR="#888888">'
        + "".join(rows)
        + "</TABLE>"
    )
    return (
        "digraph coverage {\n"
        f'  graph [fontname="{FONT}", bgcolor="white", pad="0.2"];\n'
        f'  node [shape=plaintext, fontname="{FONT}", fontsize=10];\n'
        f"  matrix [label=<{table}>];\n"
        "}\n"
    )


def render(source: str, fmt: str) -> bytes:
    """Run Graphviz's dot on DOT source; raises GraphvizMissing without it (qms.render.graphviz)."""
    from qms.render import graphviz

    return graphviz.run(("dot",), source, fmt)
