"""`qms init`: start a new workspace with an example that validates clean, or copy out an
example network that ships with qms (`--example lamppu`)."""

from __future__ import annotations

from pathlib import Path

import click

from qms.cli import pick_lang
from qms.findings import Msg

DONE = Msg(
    en="Created {count} files in {path}. Next: qms validate {path}",
    fi="Luotiin {count} tiedostoa kansioon {path}. Seuraavaksi: qms validate {path}",
)
NO_EXAMPLE = Msg(
    en="the example network {name!r} is not in this installation of qms",
    fi="esimerkkiverkostoa {name!r} ei ole tässä qms-asennuksessa",
)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option(
    "--lang",
    type=click.Choice(["fi", "en"]),
    default=None,
    help="Language of the example content and of messages (default fi, or $QMS_LANG).",
)
@click.option(
    "--example",
    type=click.Choice(["lamppu"]),
    default=None,
    help="Copy an example network that ships with qms instead: lamppu, the LAMPPU network "
    "of seven vocational education providers (2012).",
)
@click.option("--force", is_flag=True, help="Replace existing files that differ.")
def init(directory: str, lang: str | None, example: str | None, force: bool) -> None:
    """Create a new workspace in DIRECTORY: qms.yaml, a project whose periods are this
    year's, one organisation, one example process and its metric, and qms.schema.json for
    editors. With --example, copy an example network out of the installed package instead.

    Files that exist with other contents are never replaced without --force.

    \b
    Examples:
        qms init laatu
        qms init quality --lang en
        qms init --example lamppu lamppu && qms build lamppu
    """
    from qms.files import write_tree
    from qms.scaffold import example_files, workspace_files

    language = pick_lang(lang, "fi")
    files: dict[str, str | bytes]
    if example:
        files = dict(example_files(example))
        if not files:
            raise click.ClickException(NO_EXAMPLE.format(language, name=example))
    else:
        files = dict(workspace_files(language))
    write_tree(files, Path(directory), force, language)
    click.echo(DONE.format(language, count=len(files), path=directory), err=True)
