"""`qms validate`: the linter a quality group runs before every commit."""

from __future__ import annotations

import datetime as dt
import sys

import click

from qms.cli import lang_option, pick_lang, show_suppressed_option, workspace_argument


@click.command()
@workspace_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="Output format: text (path:line:col), json, sarif (SARIF 2.1.0 for code scanning) "
    "or github (annotations in GitHub Actions).",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings as well as errors.")
@click.option(
    "--severity",
    type=click.Choice(["error", "warning", "info"]),
    default="info",
    show_default=True,
    help="List only findings of this severity or more severe (the exit code still counts "
    "every finding).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Text format: print the findings only, without the summary and the suppressed count.",
)
@show_suppressed_option
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The date deadline checks use (default: the workspace's as_of, or today).",
)
@lang_option
def validate(
    workspace: str,
    fmt: str,
    strict: bool,
    severity: str,
    quiet: bool,
    show_suppressed: bool,
    as_of: dt.datetime | None,
    lang: str | None,
) -> None:
    """Check a workspace's model files against the schema and the rules.

    Prints each finding as path:line:col: CODE severity: key path: message; a line counting
    the findings suppressed with a reason (`lint: ignore`; listed with --show-suppressed) and
    a summary go to standard error. Exit code 0 when clean, 1 when errors were found, 2 when
    nothing could be loaded.

    \b
    Examples:
        qms validate models/lamppu
        qms validate models/lamppu --severity error --quiet
        qms validate models/lamppu --lang en --format json > findings.json
        qms validate models/lamppu --format sarif > qms.sarif
        qms validate models/lamppu --format github      (in a GitHub Actions step)
    """
    from qms.findings import Result
    from qms.incremental import validate as run
    from qms.report import FORMATS, SEVERITY_RANK, echo_text

    outcome = run(workspace, strict, as_of.date() if as_of else None, one_shot=True)
    language = pick_lang(lang, outcome.language if not outcome.fatal else None)
    if outcome.fatal:
        click.echo(f"qms: {outcome.fatal[language]}", err=True)
        sys.exit(2)
    result = outcome.result
    if fmt == "text":
        echo_text(result, language, show_suppressed=show_suppressed, severity=severity, quiet=quiet)
    else:  # --severity leaves the less severe findings out of the file too
        floor = SEVERITY_RANK[severity]
        listed = [f for f in result.findings if SEVERITY_RANK[f.severity] >= floor]
        shown = Result(listed, result.root, result.fatal)
        click.echo(FORMATS[fmt](shown, language), nl=False)
    sys.exit(result.exit_code(strict))
