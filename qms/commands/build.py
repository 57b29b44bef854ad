"""`qms build`: validate, draw, publish. The one command CI and `make run` call."""

from __future__ import annotations

import sys

import click

from qms.cli import lang_option, pick_lang, show_suppressed_option, workspace_argument
from qms.commands.render import format_option, out_option, render_workspace
from qms.findings import Msg

STOPPED = Msg(
    en="stopped: the model has errors (use --keep-going to draw anyway)",
    fi="keskeytetty: mallissa on virheitä (piirrä silti valitsimella --keep-going)",
)


@click.command()
@workspace_argument
@out_option
@format_option
@lang_option
@click.option("--keep-going", is_flag=True, help="Draw even when validation finds errors.")
@show_suppressed_option
def build(
    workspace: str,
    out: str | None,
    formats: str,
    lang: str | None,
    keep_going: bool,
    show_suppressed: bool,
) -> None:
    """Validate a workspace, render its diagrams, and publish its manual.

    Diagrams go to diagrams/<workspace name> (or -o OUT); the HTML portal and one DOCX per
    organisation to build/<workspace name> (or OUT as well), replacing earlier build output.
    The last line names the portal (a file:// link) and the documents.

    \b
    Examples:
        qms build models/lamppu
        qms build models/lamppu -o public/diagrams --keep-going
    """
    from qms.lint import lint
    from qms.load import load
    from qms.report import echo_text

    loaded = load(workspace)
    language = pick_lang(lang, loaded.workspace.language if loaded.workspace else None)
    if loaded.fatal:
        click.echo(f"qms: {loaded.fatal[language]}", err=True)
        sys.exit(2)
    result = lint(loaded)
    echo_text(result, language, show_suppressed=show_suppressed)
    if result.exit_code(False) != 0 and not keep_going:
        click.echo(f"qms: {STOPPED.format(language)}", err=True)
        sys.exit(1)
    code = render_workspace(workspace, out, formats, lang, loaded)
    if code == 0:  # then publish the manual: PUB/site/ (HTML portal) and PUB/<org>.docx
        from pathlib import Path

        from qms.commands.export import publish_build

        published = out or str(Path("build") / (Path(workspace).resolve().name or "workspace"))
        code = publish_build(workspace, published, lang, loaded, result)
    # --keep-going writes what it can, and still fails: the model has errors.
    sys.exit(code or result.exit_code(False))
