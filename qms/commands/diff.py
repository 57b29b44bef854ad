"""`qms diff`: what changed in the model between two versions, element by element."""

from __future__ import annotations

import click

from qms.cli import lang_option, workspace_argument


@click.command()
@workspace_argument
@click.argument("other", type=click.Path(file_okay=False, path_type=str), required=False)
@click.option("--from", "rev_from", default=None, help="The old revision (default: HEAD).")
@click.option("--to", "rev_to", default=None, help="The new revision (default: the working tree).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "github"]),
              default="text", show_default=True,
              help="text (terminal), json (tools), markdown, github (a pull request).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to this file instead of standard output.")  # fmt: skip
@click.option("--force", is_flag=True, help="Replace an existing different output file.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed (as git diff).")
@click.option("--svg", "svg_dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Also draw each changed process highlighted: DIR/ORG/ID.svg.")  # fmt: skip
@lang_option
def diff(workspace: str, other: str | None, rev_from: str | None, rev_to: str | None, fmt: str,
         output: str | None, force: bool, exit_code: bool, svg_dir: str | None,
         lang: str | None) -> None:  # fmt: skip
    """List what changed in the model: per organisation and document, the elements added,
    removed and renamed and the fields changed, with old and new values.

    Compares revisions of the git repository the workspace is in (read with dulwich; the
    default is HEAD against the working tree), or two workspace folders. Comments and
    formatting are not changes; a process whose content changed while its `version` did not
    is marked. Exit 2 when the folder is not in git or a revision is unknown.

    \b
    Examples:
        qms diff models/lamppu                            # HEAD -> working tree
        qms diff models/lamppu --from main --to HEAD      # what a branch changes
        qms diff models/lamppu --from HEAD~3 --format json
        qms diff models/lamppu v1.0..v1.1               # two revisions, as git writes them
        qms diff vanha/ uusi/                             # two folders
        qms diff models/lamppu --from origin/main --format github > comment.md
        qms diff models/lamppu --from main --svg review/  # highlighted diagrams
    """
    from qms.changes import run_diff

    args = (workspace, other, rev_from, rev_to, fmt, output, force, exit_code, lang, click.echo)
    raise SystemExit(run_diff(*args, svg_dir=svg_dir))
