"""`qms approve`: record an approval bound to the approved content's digest."""

from __future__ import annotations

import datetime as dt

import click

from qms.cli import lang_option


@click.command()
@click.argument("workspace", type=click.Path(file_okay=False, path_type=str))
@click.argument("element", metavar="ORG/ID")
@click.option("--by", "by", required=True, help="Who approves: a role id, a body or a person.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The date of the approval (default: today).")  # fmt: skip
@lang_option
def approve(
    workspace: str, element: str, by: str, on: dt.datetime | None, lang: str | None
) -> None:
    """Approve a process or plan: write `status: approved` and `approved: {by, on, digest,
    version, links}` into its file.

    The digest is that of the validated content (comments and formatting do not count); the
    links record the digests of the goals, parent process and metrics it points to. When the
    content changes later, rule QMS220 suspect-approval reports it (QMS221 when the version
    was not raised, QMS222 when a linked goal, parent or metric changed). The file is edited
    in place with its comments, key order, indentation and flow style kept.

    \b
    Examples:
        qms approve models/lamppu redu/talous --by yhtymahallitus
        qms approve models/lamppu kao/laatusuunnitelma --by johtoryhma --on 2012-12-14
    """
    from qms.approval import run_approve

    day = on.date() if on else None
    raise SystemExit(run_approve(workspace, element, by, day, lang, click.echo))
