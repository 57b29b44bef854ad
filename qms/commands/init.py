"""`qms init`: start a new workspace with an example that validates clean."""

from __future__ import annotations

from pathlib import Path

import click

from qms.cli import pick_lang
from qms.findings import Msg

DONE = Msg(
    en="Created {count} files in {path}. Next: qms validate {path}",
    fi="Luotiin {count} tiedostoa kansioon {path}. Seuraavaksi: qms validate {path}",
)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option(
    "--lang",
    type=click.Choice(["fi", "en"]),
    default=None,
    help="Language of the example content and of messages (default fi, or $QMS_LANG).",
)
@click.option("--force", is_flag=True, help="Replace existing files that differ.")
def init(directory: str, lang: str | None, force: bool) -> None:
    """Create a new workspace in DIRECTORY: qms.yaml, a project, one organisation, one
    example process and its metric, and qms.schema.json for editors.

    Files that exist with other contents are never replaced without --force.

    \b
    Examples:
        qms init laatu
        qms init quality --lang en
    """
    from qms.files import write_tree
    from qms.scaffold import workspace_files

    language = pick_lang(lang, "fi")
    files = workspace_files(language)
    write_tree(files, Path(directory), force, language)
    click.echo(DONE.format(language, count=len(files), path=directory), err=True)
