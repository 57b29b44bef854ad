"""`qms coverage`: the coordinator's goal x organisation coverage matrix, gaps first."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Sequence

import click

from qms.cli import lang_option, pick_lang, workspace_argument
from qms.findings import Msg

BINARY = ("xlsx", "png")
NEEDS_OUTPUT = Msg(
    en="--format {fmt} writes binary data: give a file with -o/--output",
    fi="--format {fmt} tuottaa binäärimuotoa: anna tiedosto valitsimella -o/--output",
)
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
UNDER = Msg(en="coverage {pct} % is under {limit} %", fi="kattavuus {pct} % on alle {limit} %")
WHAT_FI = {"goal": "tavoite", "organisation": "organisaatio", "period": "jakso"}


def _check_filter(what: str, values: Sequence[str], known: Sequence[str], lang: str) -> None:
    """Refuse a filter value that names nothing (exit 2), with a 'did you mean'."""
    from qms.files import refusal
    from qms.findings import did_you_mean

    folded = {k.casefold() for k in known}
    for value in values:
        if value.casefold() not in folded:
            guess = did_you_mean(value, list(known))
            raise refusal(
                UNKNOWN.format(
                    lang,
                    what=what,
                    what_fi=WHAT_FI[what],
                    value=value,
                    hint=DID_YOU_MEAN.format(lang, guess=guess) if guess else "",
                    known=", ".join(known) or "-",
                )
            )


@click.command()
@workspace_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "xlsx", "json", "html", "md", "svg", "png"]),
    default="table",
    show_default=True,
    help="Output format; xlsx and png need -o.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Write to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Replace an existing different output file.")
@click.option("--period", "periods", multiple=True, help="Show only this period (repeatable).")
@click.option(
    "--organisation",
    "organisations",
    multiple=True,
    help="Show only this organisation, by id or short name (repeatable).",
)
@click.option("--goal", "goals", multiple=True, help="Show only this goal (repeatable).")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    help="Exit 1 when the coverage percentage is below PCT (for CI).",
    metavar="PCT",
)
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The date that decides which periods have ended (default: the workspace's as_of, "
    "or today).",
)
@click.option("--ascii", "ascii_only", is_flag=True, help="ASCII symbols in the table.")
@lang_option
def coverage(
    workspace: str,
    fmt: str,
    output: str | None,
    force: bool,
    periods: tuple[str, ...],
    organisations: tuple[str, ...],
    goals: tuple[str, ...],
    fail_under: float | None,
    as_of: dt.datetime | None,
    ascii_only: bool,
    lang: str | None,
) -> None:
    """Print which project goals each organisation covers, with what, and what it reported.

    Rows are the project's goals, columns the organisations; gaps (goals nobody realizes,
    commitments with nothing behind them, missing results of ended periods) come first. The
    coverage percentage is the share of these checks that pass (see docs/coverage.md).

    \b
    Examples:
        qms coverage models/lamppu
        qms coverage models/lamppu --organisation KAO --period syksy-2012
        qms coverage models/lamppu --format xlsx -o kattavuus.xlsx
        qms coverage models/lamppu --format svg -o kattavuus.svg
        qms coverage models/lamppu --fail-under 90        # exit 1 below 90 %
    """
    import dataclasses

    from qms.coverage import coverage as compute
    from qms.files import refusal, write_safely
    from qms.index import Index
    from qms.load import load
    from qms.partial import echo_notice, left_out

    loaded = load(workspace)
    language = pick_lang(lang, loaded.workspace.language if loaded.workspace else None)
    if loaded.fatal or loaded.workspace is None:
        message = loaded.fatal[language] if loaded.fatal else workspace
        click.echo(f"qms: {message}", err=True)
        sys.exit(2)
    if fmt in BINARY and output is None:
        raise refusal(NEEDS_OUTPUT.format(language, fmt=fmt))
    ws = loaded.workspace
    index = Index.build(ws)
    _check_filter("goal", goals, [g.id for p in ws.projects for g in p.goals], language)
    _check_filter(
        "organisation",
        organisations,
        [o.id for o in ws.organisations] + [o.short for o in ws.organisations if o.short],
        language,
    )
    _check_filter("period", periods, [x.id for p in ws.projects for x in p.periods], language)
    cov = compute(
        ws,
        index,
        as_of.date() if as_of else None,
        goals=goals,
        organisations=organisations,
        periods=periods,
    )
    # Something left out of the model can make a goal look uncovered: every format says so,
    # and the command exits 1 (docs/coverage.md).
    cov = dataclasses.replace(cov, incomplete=left_out(loaded.findings))
    echo_notice(loaded.findings, language)

    data: bytes | None = None
    out: str | None = None
    if fmt == "table":
        from qms.export.coverage_tables import to_terminal

        colour = output is None and sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if colour else 160
        out = to_terminal(cov, language, colour=colour, ascii_only=ascii_only, width=width)
    elif fmt == "xlsx":
        from qms.export.coverage_tables import to_xlsx

        data = to_xlsx(cov, language)
    elif fmt in ("svg", "png"):
        from qms.export.coverage_heatmap import render, to_dot
        from qms.render.graphviz import GraphvizError, GraphvizMissing

        try:
            data = render(to_dot(cov, language), fmt)
        except GraphvizMissing:
            raise refusal(NO_DOT.format(language)) from None
        except GraphvizError as error:
            raise refusal(DOT_FAILED.format(language, error=error.message)) from None
        if fmt == "svg":
            out, data = data.decode("utf-8"), None
    else:
        from qms.export.coverage_tables import FORMATS

        out = FORMATS[fmt](cov, language)

    if output is None:
        assert out is not None
        click.echo(out, nl=False)
    else:
        content = data if data is not None else out
        assert content is not None
        write_safely(output, content, force, language)

    if fail_under is not None and cov.percent < fail_under:
        click.echo(f"qms: {UNDER.format(language, pct=cov.percent, limit=fail_under)}", err=True)
        sys.exit(1)
    sys.exit(1 if cov.incomplete else 0)
