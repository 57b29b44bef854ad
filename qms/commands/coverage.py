"""`qms coverage`: the coordinator's goal x organisation coverage matrix, gaps first."""

from __future__ import annotations

import datetime as dt
import shutil
import sys

import click

from qms.cli import lang_option, pick_lang, workspace_argument
from qms.export.coverage_report import FORMATS
from qms.findings import Msg

NEEDS_OUTPUT = Msg(
    en="--format {fmt} writes binary data: give a file with -o/--output",
    fi="--format {fmt} tuottaa binäärimuotoa: anna tiedosto valitsimella -o/--output",
)
UNDER = Msg(en="coverage {pct} % is under {limit} %", fi="kattavuus {pct} % on alle {limit} %")


@click.command()
@workspace_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
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

    from qms.export.coverage_report import BINARY, Look, coverage_of
    from qms.files import refusal, write_safely
    from qms.load import load
    from qms.partial import echo_left_out, left_out

    loaded = load(workspace)
    language = pick_lang(lang, loaded.workspace.language if loaded.workspace else None)
    if loaded.fatal or loaded.workspace is None:
        click.echo(f"qms: {loaded.fatal[language] if loaded.fatal else workspace}", err=True)
        sys.exit(2)
    if fmt in BINARY and output is None:
        raise refusal(NEEDS_OUTPUT.format(language, fmt=fmt))
    day = as_of.date() if as_of else None
    cov = coverage_of(loaded.workspace, language, day, goals, organisations, periods)
    # Something left out of the model can make a goal look uncovered: every format says so,
    # and the command exits 1 (docs/coverage.md).
    cov = dataclasses.replace(cov, incomplete=left_out(loaded.findings) + cov.incomplete)
    echo_left_out(cov.incomplete, language)
    colour = output is None and sys.stdout.isatty()
    look = Look(colour, ascii_only, shutil.get_terminal_size().columns if colour else 160)
    content = FORMATS[fmt](cov, language, look)
    if output is None:
        click.echo(content, nl=False)
    else:
        write_safely(output, content, force, language)
    if fail_under is not None and cov.percent < fail_under:
        click.echo(f"qms: {UNDER.format(language, pct=cov.percent, limit=fail_under)}", err=True)
        sys.exit(1)
    sys.exit(1 if cov.incomplete else 0)
