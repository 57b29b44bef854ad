"""`qms build`: validate, draw, publish. The one command CI and `make run` call."""

from __future__ import annotations

import sys

import click

from qms.cli import (
    format_option,
    lang_option,
    out_option,
    show_suppressed_option,
    workspace_argument,
)
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
    from qms.cli import draw, publish, published, say, stop_unless_loaded
    from qms.files import default_out
    from qms.publish import BUILD_OUTPUTS, Publication
    from qms.report import echo_text

    pub = Publication.one_shot(workspace, lang, lint=True)  # prints the findings first
    stop_unless_loaded(pub)
    echo_text(pub.result, pub.language, show_suppressed=show_suppressed)
    if pub.result.exit_code(False) != 0 and not keep_going:
        say(STOPPED.format(pub.language))
        sys.exit(1)
    if out:  # diagrams and manuals share one folder
        pub.refuse_shared_folder_clashes()
    pub.draw_charts_ahead()  # on the cores Graphviz leaves idle
    code = draw(pub, out or default_out(workspace), formats, whole=True)
    folder = out or default_out(workspace, "build")
    if code == 0:  # the formats that can (the DOCX) start on workers, beside the portal
        for fmt, below in BUILD_OUTPUTS:
            pub.start_files(fmt, below.format(folder))
    for fmt, below in BUILD_OUTPUTS:  # the manuals: PUB/site/ (HTML) and PUB/<org>.docx
        target = below.format(folder)
        code = code or publish(pub, fmt, target, force=True, announce=False, within=folder)
    if code == 0:
        published(pub, folder)
    sys.exit(code or pub.result.exit_code(False))  # --keep-going writes, and still fails
