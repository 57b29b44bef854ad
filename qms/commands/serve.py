"""`qms serve`: a live preview of the portal while the quality group drafts."""

from __future__ import annotations

import sys

import click

from qms.cli import lang_option, workspace_argument
from qms.findings import Msg

SERVING = Msg(
    en="Serving {path} at http://{host}:{port}/ (built in {seconds:.2f} s); Ctrl-C stops",
    fi="Palvellaan {path} osoitteessa http://{host}:{port}/ (koottu {seconds:.2f} s:ssa);"
    " Ctrl-C lopettaa",
)


@click.command()
@workspace_argument
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="TCP port to listen on (1-65535).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    type=click.Choice(["127.0.0.1", "localhost", "::1"]),
    help="Loopback address to bind; the preview is never served to the network.",
)
@click.option(
    "--edit",
    is_flag=True,
    help="Add 'Muokkaa' (edit) to process, plan and metric pages: a form that writes the YAML "
    "back, comments and order kept (docs/serve.md).",
)
@lang_option
def serve(workspace: str, port: int, host: str, lang: str | None, edit: bool) -> None:
    """Preview the workspace's HTML portal in a browser; pages reload as files are saved.

    Findings show on the page; a file broken mid-edit shows an overlay and keeps the last
    good pages until it is fixed. Only the built site is served: no model files, no
    directory listings, and only to a Host header naming this machine. Without --edit nothing
    is ever written; with it, only the files of process, plan and metric pages, through the
    form, with this session's token and this server's Origin.

    \b
    Examples:
        qms serve models/lamppu --port 8000
        qms serve models/lamppu --edit
    """
    import uvicorn

    from qms.cli import pick_lang
    from qms.edit import origins
    from qms.render.pool import cores
    from qms.serve import Site, create_app, listen, quiet_logs

    with listen(host, port, pick_lang(lang, None)) as sock:  # a port in use: exit 2 at once
        site = Site(workspace, lang, edit=edit)
        state = site.rebuild(processes=cores())  # no threads yet: the first build may fork
        language = pick_lang(lang, site.lang)
        if state.errors and not site.files:
            for error in state.errors:
                click.echo(f"qms: {error['where']}: {error['message']}", err=True)
            sys.exit(2)
        if site.incomplete:  # the pages carry it as a banner too
            click.echo(f"qms: {site.incomplete}", err=True)
        shown = f"[{host}]" if ":" in host else host
        click.echo(
            SERVING.format(language, path=workspace, host=shown, port=port, seconds=state.built_in),
            err=True,
        )
        config = uvicorn.Config(
            create_app(site, origins=origins(host, port) if edit else None),
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=1,
            lifespan="on",
        )
        config.load()  # configures uvicorn's logging; the throttle goes on top of it
        quiet_logs()
        uvicorn.Server(config).run(sockets=[sock])
