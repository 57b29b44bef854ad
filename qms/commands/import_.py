"""`qms import`: model files from other tools' formats (BPMN 2.0) and from a workbook."""

from __future__ import annotations

import sys

import click

from qms.cli import lang_option, pick_lang


@click.group(name="import")
def import_() -> None:
    """Turn files of other tools into model files: BPMN 2.0, or a workbook of
    `qms export --format xlsx` written back into an organisation's YAML.

    \b
    Examples:
        qms import bpmn talous.bpmn -o models/x/organisations/redu/processes --organisation redu
        qms import xlsx redu.xlsx -o models/x/organisations/redu --force
    """


@import_.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=str),
    help="Folder for the process files, e.g. models/x/organisations/redu/processes.",
)
@click.option(
    "--organisation",
    default=None,
    help="The owning organisation's id (default: the one a qms export recorded).",
)
@click.option("--force", is_flag=True, help="Overwrite process files that already exist.")
@click.option(
    "--ids", is_flag=True, help="List the id of every converted and dropped element as well."
)
@lang_option
def bpmn(
    files: tuple[str, ...],
    out: str,
    organisation: str | None,
    force: bool,
    ids: bool,
    lang: str | None,
) -> None:
    """Import BPMN 2.0 files (bpmn.io, Camunda Modeler, Signavio, qms) as process YAML.

    Every pool becomes a process file <id>.yaml in OUTPUT; lanes become roles, gateways,
    events with their triggers, boundary events, data, notes and groups become what the model
    has for them (docs/bpmn.md has the whole mapping). The end of the run shows one table: per
    kind of element, how many were kept, converted (and how) or dropped (and why); --ids lists
    the ids. It also says once what to add for a valid model (roles, owners), with a snippet.
    Nothing is written unless every file converts and validates. Exit code 0 on success, 2 when
    a file cannot be imported.

    \b
    Examples:
        qms import bpmn talous.bpmn -o models/x/organisations/redu/processes --organisation redu
        qms import bpmn *.bpmn -o imported --organisation redu --force
    """
    from qms.bpmn.import_ import NOTHING_WRITTEN, BpmnImportError, import_files, report, write_files
    from qms.findings import printable
    from qms.i18n import SEVERITY_WORD

    language = pick_lang(lang, None)
    try:
        result = import_files(list(files), organisation, language)
        for note in result.notes:
            word = SEVERITY_WORD[language].get(note.severity, note.severity)
            click.echo(printable(f"{note.file}: {word}: {note.text[language]}"), err=True)
        written = write_files(result, out, force)
        summary = report(result, language, ids)
        if summary:
            click.echo(printable(summary, newlines=True), err=True)
    except BpmnImportError as error:
        click.echo(f"qms: {printable(error.text[language])}", err=True)
        click.echo(f"qms: {NOTHING_WRITTEN.format(language)}", err=True)
        sys.exit(2)
    for path in written:
        click.echo(printable(path))


@import_.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=str),
    help="The organisation's folder, e.g. models/x/organisations/redu.",
)
@click.option("--force", is_flag=True, help="Replace the YAML files that the workbook changes.")
@lang_option
def xlsx(workbook: str, out: str, force: bool, lang: str | None) -> None:
    """Write a workbook of `qms export --format xlsx` back into an organisation's YAML files.

    Only what the workbook changes is written: comments, key order and every field the
    workbook does not carry stay as they are. A mistake is reported at its cell (Sheet!B7)
    with the hint `qms validate` gives; nothing is written unless there is no error, and files
    that exist are replaced only with --force, all of them or none. Exit code 0 on success,
    2 when nothing was written.

    \b
    Examples:
        qms import xlsx redu.xlsx -o models/lamppu/organisations/redu
        qms import xlsx redu.xlsx -o models/lamppu/organisations/redu --force
    """
    from pathlib import Path

    from qms.findings import printable
    from qms.workbook.read import plan_import, report, write, wrote

    outcome = plan_import(Path(workbook), Path(out))
    language = pick_lang(lang, outcome.lang)
    for line in report(outcome, language):
        click.echo(line, err=True)
    if not outcome.ok:
        sys.exit(2)
    written = write(outcome, force, language)  # refused (exit 2) over files without --force
    for path in written:
        click.echo(printable(path))
    if written:
        click.echo(f"qms: {wrote(len(written), language)}", err=True)
