"""`qms init`: start a new workspace with an example that validates clean."""

from __future__ import annotations

from pathlib import Path

import click

from qms.cli import pick_lang
from qms.findings import Msg

REFUSED = Msg(
    en="not overwriting files that exist and differ (use --force to replace them):\n{files}",
    fi="olemassa olevia, erilaisia tiedostoja ei korvata (korvaa valitsimella --force):\n{files}",
)
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
    from qms.files import conflicts, refusal, write_atomic
    from qms.scaffold import workspace_files

    language = pick_lang(lang, "fi")
    base = Path(directory)
    files = workspace_files(language)
    clashes = conflicts(files, base)
    if clashes and not force:
        raise refusal(REFUSED.format(language, files="\n".join(f"  {c}" for c in clashes)))
    for rel, content in files.items():
        write_atomic(base / rel, content.encode("utf-8"))
    click.echo(DONE.format(language, count=len(files), path=directory), err=True)
