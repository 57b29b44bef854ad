"""`qms render`: draw every diagram of a workspace with Graphviz."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qms.cli import lang_option, pick_lang, workspace_argument
from qms.findings import Msg

if TYPE_CHECKING:
    from qms.load import Loaded

DONE = Msg(
    en="{rendered} files drawn, {skipped} unchanged, in {out}",
    fi="{rendered} tiedostoa piirretty, {skipped} ennallaan, kansiossa {out}",
)
BAD_FORMAT = Msg(
    en="unknown format {fmt!r}; choose from {choices}",
    fi="tuntematon muoto {fmt!r}; valitse näistä: {choices}",
)


def default_out(workspace: str) -> str:
    """diagrams/<the workspace folder's name>."""
    return str(Path("diagrams") / (Path(workspace).resolve().name or "workspace"))


def parse_formats(value: str, lang: str) -> list[str]:
    """'svg,png' -> ['svg', 'png']; an unknown format stops with exit code 2."""
    from qms.render.engine import FORMATS

    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    for fmt in formats:
        if fmt not in FORMATS:
            click.echo(
                f"qms: {BAD_FORMAT.format(lang, fmt=fmt, choices=', '.join(FORMATS))}", err=True
            )
            sys.exit(2)
    return list(dict.fromkeys(formats))


def render_workspace(
    workspace: str,
    out: str | None,
    formats: str,
    lang: str | None,
    loaded: Loaded | None = None,
) -> int:
    """Load (unless `loaded` is given), build DOT, run Graphviz; print failures; return the
    exit code."""
    from qms.load import gc_paused, load
    from qms.render import keep_model, render_diagrams
    from qms.render.engine import NO_DOT, progress_bar

    with gc_paused():  # a one-shot command: the model stays until the process ends
        loaded = loaded or load(workspace)
        keep_model()
    language = pick_lang(lang, loaded.workspace.language if loaded.workspace else None)
    if loaded.fatal or loaded.workspace is None:
        click.echo(f"qms: {(loaded.fatal or {}).get(language, 'nothing to load')}", err=True)
        return 2
    fmts = parse_formats(formats, language)
    from qms.partial import echo_notice

    echo_notice(loaded.findings, language)
    target = Path(out or default_out(workspace))
    try:
        update, close = progress_bar()
        try:
            done = render_diagrams(loaded.workspace, language, target, fmts, progress=update)
        finally:
            close()
    except FileNotFoundError:
        click.echo(f"qms: {NO_DOT.format(language)}", err=True)
        return 2
    report = done.report
    for name, message in done.failures:
        report.failed.append((name, "json", message))
    for message in report.messages(language):
        click.echo(f"qms: {message}", err=True)
    click.echo(
        DONE.format(
            language, rendered=len(report.rendered), skipped=len(report.skipped), out=target
        ),
        err=True,
    )
    return 0 if report.ok else 1


def format_option(func: Any) -> Any:
    """`--format svg,png,pdf,dot`."""
    return click.option(
        "--format",
        "formats",
        default="svg,png,dot",
        show_default=True,
        help="Comma-separated output formats: svg, png, pdf, dot (the DOT source).",
    )(func)


def out_option(func: Any) -> Any:
    """`-o DIR`."""
    return click.option(
        "-o",
        "--out",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help="Output folder (default: diagrams/<workspace folder name>).",
    )(func)


@click.command()
@workspace_argument
@out_option
@format_option
@lang_option
def render(workspace: str, out: str | None, formats: str, lang: str | None) -> None:
    """Draw the process flows, process maps and goal map of a workspace.

    Files go to OUT/<organisation>/<process>.<format>, OUT/<organisation>/process-map.<format>
    and OUT/goal-map.<format>. Unchanged diagrams are not redrawn (.qms-cache.json), nor
    laid out again (.qms-diagrams.json).

    \b
    Examples:
        qms render models/lamppu
        qms render models/lamppu -o site/diagrams --format svg --lang en
    """
    sys.exit(render_workspace(workspace, out, formats, lang))
