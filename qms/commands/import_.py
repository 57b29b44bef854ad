"""`qms import`: model files from other tools' formats (BPMN 2.0 for now)."""

from __future__ import annotations

import sys

import click

from qms.cli import lang_option, pick_lang


@click.group(name="import")
def import_() -> None:
    """Turn files of other tools into model files: BPMN 2.0 for now.

    \b
    Example:
        qms import bpmn talous.bpmn -o models/x/organisations/redu/processes --organisation redu
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
        result = import_files(list(files), organisation)
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
