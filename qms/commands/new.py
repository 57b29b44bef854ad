"""`qms new`: a new organisation, process, plan or metric in the right folder and file."""

from __future__ import annotations

import sys

import click

from qms.cli import lang_option, workspace_argument
from qms.findings import Msg

WROTE = Msg(
    en="Wrote {file}. Next: edit it, then qms validate {root}",
    fi="Kirjoitettiin {file}. Seuraavaksi: muokkaa sitä ja aja qms validate {root}",
)


@click.command()
@click.argument("kind", type=click.Choice(["organisation", "process", "plan", "metric"]))
@click.argument("new_id", metavar="ID")
@workspace_argument
@click.option("--organisation", "org", metavar="ORG", help="The owning organisation's id.")
@click.option("--name", default=None, help="The name (default: the id).")
@lang_option
def new(
    kind: str, new_id: str, workspace: str, org: str | None, name: str | None, lang: str | None
) -> None:
    """Start a new organisation, process, plan or metric in WORKSPACE.

    \b
    organisation  organisations/ID/organisation.yaml
    process       organisations/ORG/processes/ID.yaml (start, one task, end)
    plan          organisations/ORG/plan.yaml (one action)
    metric        added to organisations/ORG/metrics.yaml (comments and order kept)

    Each new file has the yaml-language-server line for editors; placeholder steps and
    actions are marked as example content until you replace them. Nothing is overwritten.

    \b
    Examples:
        qms new organisation lappia --name "Lapin ammattiopisto" laatu
        qms new process opiskelijahuolto --organisation lappia laatu
        qms new metric keskeyttaneet --organisation lappia laatu
    """
    from pathlib import Path

    from qms.cli import pick_lang, say
    from qms.files import write_atomic
    from qms.load import load
    from qms.newfile import new_file

    loaded = load(workspace)
    language = pick_lang(lang, loaded.language)
    if loaded.fatal is not None or loaded.workspace is None:
        say(loaded.fatal[language] if loaded.fatal else workspace)
        sys.exit(2)
    made = new_file(loaded.workspace, kind, new_id, org, name, language)
    write_atomic(Path(workspace) / made.rel, made.text.encode("utf-8"))
    click.echo(WROTE.format(language, file=made.rel, root=workspace), err=True)
