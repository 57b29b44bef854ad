"""`qms compare`: equivalent processes of two organisations (or of the whole network)."""

from __future__ import annotations

import click

from qms.cli import lang_option, workspace_argument


@click.command()
@workspace_argument
@click.argument("orgs", nargs=-1, metavar="[ORG_A ORG_B]")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.option("--alignment", type=click.Path(dir_okay=False, exists=True, path_type=str),
              default=None, help="Read the pairs from this hand-corrected file.")  # fmt: skip
@click.option("--save-alignment", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the alignment here, to correct by hand.")  # fmt: skip
@click.option("--draft", is_flag=True, help="Write a harmonised draft of the merged organisation.")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=str), default=None,
              help="The folder the draft is written to.")  # fmt: skip
@click.option("--into", default=None, help="The merged organisation's id (default: A-B).")
@click.option("--force", is_flag=True, help="Replace existing files that differ.")
@lang_option
def compare(workspace: str, orgs: tuple[str, ...], fmt: str, alignment: str | None,
            save_alignment: str | None, draft: bool, out: str | None, into: str | None,
            force: bool, lang: str | None) -> None:  # fmt: skip
    """Align the equivalent processes of two organisations (by type, level, name, SIPOC and
    goals) and show, per pair, their steps, roles, metrics, documents and goals side by side,
    and the processes only one of them has. Without organisations: which members of the
    network have an equivalent of each process.

    \b
    Examples:
        qms compare models/lamppu jedu-a jedu-b
        qms compare models/lamppu jedu-a jedu-b --save-alignment pairs.yaml
        qms compare models/lamppu jedu-a jedu-b --alignment pairs.yaml
        qms compare models/lamppu jedu-a jedu-b --draft -o luonnos --into jedu-yhteinen
        qms compare models/lamppu --format markdown      # the whole network
    """
    from qms.compare import Request, run_compare

    ask = Request(orgs, fmt, alignment, save_alignment, draft, out, into, force)
    raise SystemExit(run_compare(workspace, ask, lang, click.echo))
