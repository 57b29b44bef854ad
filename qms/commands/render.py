"""`qms render`: draw every diagram of a workspace with Graphviz."""

from __future__ import annotations

import functools
import sys

import click

from qms.cli import format_option, lang_option, out_option, workspace_argument


@click.command()
@workspace_argument
@out_option
@format_option
@lang_option
def render(workspace: str, out: str | None, formats: str, lang: str | None) -> None:
    """Draw the process flows, process maps and goal map of a workspace.

    Files go to OUT/<organisation>/<process>.<format>, OUT/<organisation>/_process-map.<format>
    and OUT/goal-map.<format>. Unchanged diagrams are not redrawn (.qms-cache.json), nor
    laid out again (.qms-diagrams.json); the files of a deleted process are removed. After
    an edit of process files, only those and their organisations' files are loaded.

    \b
    Examples:
        qms render models/lamppu
        qms render models/lamppu -o site/diagrams --format svg --lang en
    """
    from qms.cli import draw, report_drawn, stop_unless_loaded
    from qms.files import default_out
    from qms.render import warm

    target = out or default_out(workspace)
    if (after := warm.after_edit(workspace, target, formats, lang)) is not None:
        sys.exit(report_drawn(*after, target))  # else: load everything
    from qms.publish import Publication  # the model and the loader: not needed above

    pub = Publication.one_shot(workspace, lang)
    stop_unless_loaded(pub)
    model = functools.cache(functools.partial(warm.outlined, pub.loaded))
    code = draw(pub, target, formats, also=model)  # worked out while the workers lay out
    if code == 0:
        warm.remember(pub.loaded, target, formats, lang, pub.language, model)
    sys.exit(code)
