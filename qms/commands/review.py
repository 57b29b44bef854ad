"""`qms review`: the management-review pack (johdon katselmus) of one organisation."""

from __future__ import annotations

import click

from qms.cli import lang_option, workspace_argument


@click.command()
@workspace_argument
@click.option("--organisation", "org", required=True, help="The organisation (id or short name).")
@click.option("--period", required=True, help="The reporting period, e.g. syksy-2012.")
@click.option("-o", "--output", "out", required=True, type=click.Path(), help="Output folder.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["html", "pdf", "docx"]),
              help="A format to write (repeatable; default: all three).")  # fmt: skip
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@lang_option
def review(workspace: str, org: str, period: str, out: str, formats: tuple[str, ...],
           force: bool, lang: str | None) -> None:  # fmt: skip
    """Write the management-review pack (ISO 9001 9.3) of an organisation for a period as
    HTML, PDF and DOCX: results per goal, metrics against targets with trends, plan status,
    open findings, the newest self-assessment and a table for the review's decisions. Exit 1
    when the model had load errors (the pack is written and says it may be incomplete).

    \b
    Examples:
        qms review models/lamppu --organisation REDU --period syksy-2012 -o katselmus
        qms review models/lamppu --organisation kao --period syksy-2012 -o out --format docx
    """
    from qms.review import run_review

    raise SystemExit(run_review(workspace, org, period, out, formats, force, lang, click.echo))
