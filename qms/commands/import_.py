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
@lang_option
def bpmn(
    files: tuple[str, ...], out: str, organisation: str | None, force: bool, lang: str | None
) -> None:
    """Import BPMN 2.0 files (bpmn.io, Camunda Modeler, Signavio, qms) as process YAML.

    Every pool becomes a process file <id>.yaml in OUTPUT; lanes become roles, gateways
    decisions (docs/bpmn.md has the whole mapping). Elements without an equivalent are
    reported with their ids and skipped. Nothing is written unless every file converts and
    validates. Exit code 0 on success, 2 when a file cannot be imported.

    \b
    Examples:
        qms import bpmn talous.bpmn -o models/x/organisations/redu/processes --organisation redu
        qms import bpmn *.bpmn -o imported --organisation redu --force
    """
    from qms.bpmn.import_ import NOTHING_WRITTEN, BpmnImportError, import_files, write_files
    from qms.findings import printable
    from qms.i18n import SEVERITY_WORD

    language = pick_lang(lang, None)
    try:
        result = import_files(list(files), organisation)
        for note in result.notes:
            word = SEVERITY_WORD[language].get(note.severity, note.severity)
            click.echo(printable(f"{note.file}: {word}: {note.text[language]}"), err=True)
        written = write_files(result, out, force)
    except BpmnImportError as error:
        click.echo(f"qms: {printable(error.text[language])}", err=True)
        click.echo(f"qms: {NOTHING_WRITTEN.format(language)}", err=True)
        sys.exit(2)
    for path in written:
        click.echo(printable(path))
