"""`qms coverage` in the library: filters checked, the matrix computed, one format made.

Formats come from one table (`FORMATS` of coverage_tables for the text ones, plus the
terminal table, XLSX and the Graphviz heat map), so a new format is one entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qms.files import Refused
from qms.findings import Msg, did_you_mean

if TYPE_CHECKING:
    from qms.coverage import Coverage
    from qms.model import Workspace

UNKNOWN = Msg(
    en="unknown {what} '{value}'{hint}; known: {known}",
    fi="tuntematon {what_fi} '{value}'{hint}; tunnetut: {known}",
)
DID_YOU_MEAN = Msg(en=" (did you mean '{guess}'?)", fi=" (tarkoititko '{guess}'?)")
NO_DOT = Msg(
    en="Graphviz's dot was not found: install Graphviz and make sure `dot` is on your PATH",
    fi="Graphvizin dot-ohjelmaa ei löytynyt: asenna Graphviz ja varmista, että `dot` on PATHissa",
)
DOT_FAILED = Msg(en="Graphviz failed: {error}", fi="Graphviz epäonnistui: {error}")
WHAT_FI = {"goal": "tavoite", "organisation": "organisaatio", "period": "jakso"}


@dataclass(frozen=True)
class Look:
    """How the terminal table is drawn."""

    colour: bool = False
    ascii_only: bool = False
    width: int = 160


def _check_filter(what: str, values: Sequence[str], known: Sequence[str], lang: str) -> None:
    """Refuse a filter value that names nothing (exit 2), with a 'did you mean'."""
    folded = {k.casefold() for k in known}
    for value in values:
        if value.casefold() not in folded:
            guess = did_you_mean(value, list(known))
            raise Refused(
                UNKNOWN.format(
                    lang,
                    what=what,
                    what_fi=WHAT_FI[what],
                    value=value,
                    hint=DID_YOU_MEAN.format(lang, guess=guess) if guess else "",
                    known=", ".join(known) or "-",
                )
            )


def coverage_of(
    ws: Workspace,
    lang: str,
    as_of: dt.date | None = None,
    goals: Sequence[str] = (),
    organisations: Sequence[str] = (),
    periods: Sequence[str] = (),
) -> Coverage:
    """The matrix for the chosen goals, organisations and periods; Refused names a filter
    value that matches nothing."""
    from qms.coverage import coverage
    from qms.index import Index

    _check_filter("goal", goals, [g.id for p in ws.projects for g in p.goals], lang)
    shorts = [o.short for o in ws.organisations if o.short]
    _check_filter("organisation", organisations, [o.id for o in ws.organisations] + shorts, lang)
    _check_filter("period", periods, [x.id for p in ws.projects for x in p.periods], lang)
    return coverage(
        ws, Index.build(ws), as_of, goals=goals, organisations=organisations, periods=periods
    )


def _table(cov: Coverage, lang: str, look: Look) -> str:
    from qms.export.coverage_tables import to_terminal

    return to_terminal(cov, lang, colour=look.colour, ascii_only=look.ascii_only, width=look.width)


def _xlsx(cov: Coverage, lang: str, look: Look) -> bytes:
    from qms.export.coverage_tables import to_xlsx

    return to_xlsx(cov, lang)


def _heatmap(fmt: str) -> Callable[[Coverage, str, Look], str | bytes]:
    def draw(cov: Coverage, lang: str, look: Look) -> str | bytes:
        from qms.export.coverage_heatmap import render, to_dot
        from qms.render.graphviz import GraphvizError, GraphvizMissing

        try:
            data = render(to_dot(cov, lang), fmt)
        except GraphvizMissing:
            raise Refused(NO_DOT.format(lang)) from None
        except GraphvizError as error:
            raise Refused(DOT_FAILED.format(lang, error=error.message)) from None
        return data.decode("utf-8") if fmt == "svg" else data

    return draw


def _text(fmt: str) -> Callable[[Coverage, str, Look], str | bytes]:
    def make(cov: Coverage, lang: str, look: Look) -> str | bytes:
        from qms.export.coverage_tables import FORMATS

        return FORMATS[fmt](cov, lang)

    return make


FORMATS: dict[str, Callable[[Coverage, str, Look], str | bytes]] = {
    "table": _table,
    "csv": _text("csv"),
    "xlsx": _xlsx,
    "json": _text("json"),
    "html": _text("html"),
    "md": _text("md"),
    "svg": _heatmap("svg"),
    "png": _heatmap("png"),
}
"""`qms coverage --format` -> how the matrix is written (str: text, bytes: binary)."""
BINARY = ("xlsx", "png")
