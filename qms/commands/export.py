"""`qms export`: publish the operating-system description as HTML, DOCX, PDF, Markdown or BPMN."""

from __future__ import annotations

import sys

import click

from qms.cli import lang_option, workspace_argument
from qms.export.formats import EXPORTS
from qms.findings import Msg

BAD_REFERENCE = Msg(
    en="--reference-docx {path}: not a Word document (.docx) that python-docx can read ({error})",
    fi="--reference-docx {path}: ei Word-asiakirja (.docx), jota python-docx osaa lukea ({error})",
)
REFERENCE_NOT_DOCX = Msg(
    en="--reference-docx is for --format docx only",
    fi="--reference-docx käy vain muodon docx kanssa (--format docx)",
)


@click.command()
@workspace_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORTS)),
    required=True,
    help="; ".join(f"{name}: {f.help}" for name, f in EXPORTS.items()) + ".",
)
@click.option(
    "--organisation",
    "organisations",
    multiple=True,
    metavar="ORG",
    help="An organisation's id or short name (repeatable; default: every organisation).",
)
@lang_option
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(path_type=str),
    help="Output folder (a file name ending in .docx/.pdf for one organisation).",
)
@click.option("--force", is_flag=True, help="Replace existing files that differ.")
@click.option(
    "--reference-docx",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=str),
    help="docx: take styles, fonts, page size, margins, header (logo) and footer from this "
    "Word document, as pandoc's --reference-doc.",
)
def export(
    workspace: str,
    fmt: str,
    organisations: tuple[str, ...],
    lang: str | None,
    out: str,
    force: bool,
    reference_docx: str | None,
) -> None:
    """Publish the operating-system description (toimintajärjestelmäkuvaus).

    The manual of each organisation: process map, a page per process (SIPOC, flow diagram,
    steps, metrics, documents, risks, goals, review and approval), the quality plan, metrics,
    goal coverage and open findings.

    \b
    Examples:
        qms export models/lamppu --format html -o public/manual
        qms export models/lamppu --format docx --organisation redu -o redu.docx
        qms export models/lamppu --format docx --reference-docx pohja.docx -o manuals
        qms export models/lamppu --format md --lang en -o wiki
        qms export models/lamppu --format bpmn -o bpmn
        qms export models/lamppu --format xlsx -o tyokirjat   (back with: qms import xlsx)
    """
    from qms.cli import publish, stop_unless_loaded
    from qms.publish import Publication

    pub = Publication.one_shot(workspace, lang, lint=True)  # the notice comes first
    stop_unless_loaded(pub)
    if reference_docx is not None:
        if fmt != "docx":
            click.echo(f"qms: {REFERENCE_NOT_DOCX.format(pub.language)}", err=True)
            sys.exit(2)
        from qms.export.docx import read_reference

        try:
            pub.reference_docx = read_reference(reference_docx)
        except ValueError as error:
            message = BAD_REFERENCE.format(pub.language, path=reference_docx, error=error)
            click.echo(f"qms: {message}", err=True)
            sys.exit(2)
    sys.exit(publish(pub, fmt, out, organisations, force))
