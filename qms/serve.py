"""`qms serve`: the HTML portal of a workspace, rebuilt as its model files are saved.

The site lives in memory as a map of path -> bytes, so the server can serve nothing but the
built pages: no model sources, no directory listings, no path traversal, no writes. A
watcher re-validates on every save; only diagrams whose DOT changed run Graphviz again. A
model that no longer loads (a YAML syntax error mid-edit) keeps the last good site and shows
an overlay with the findings; the open pages hear of each change over server-sent events
and reload themselves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from qms.files import Refused
from qms.findings import Finding, Msg, printable
from qms.memo import Memo
from qms.report import shown_path

if TYPE_CHECKING:
    from qms.edit import Session
    from qms.render.layout import Ranks

LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1", "[::1]"]
"""Host headers accepted: a page on another name (DNS rebinding) gets 400."""

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}

LIVE_SCRIPT = """<script id="qms-live">
(function () {
  var seen = null;
  function esc(t) { var d = document.createElement('div'); d.textContent = t; return d.innerHTML; }
  function lines(items) {
    return items.map(function (f) {
      return '<li><code>' + esc(f.where) + '</code> ' + esc(f.code) + ' ' +
        esc(f.message) + '</li>';
    }).join('');
  }
  function show(state) {
    var old = document.getElementById('qms-overlay'); if (old) old.remove();
    if (state.errors.length) {
      var o = document.createElement('div'); o.id = 'qms-overlay';
      o.setAttribute('role', 'alert');
      o.style.cssText = 'position:fixed;inset:0;background:rgba(20,20,20,.82);color:#fff;' +
        'z-index:10000;padding:2em;font:14px/1.5 DejaVu Sans,sans-serif;overflow:auto';
      o.innerHTML = '<h2>' + esc(state.labels.broken) + '</h2><ul>' + lines(state.errors) +
        '</ul><p>' + esc(state.labels.kept) + '</p>';
      document.body.appendChild(o);
    }
    var panel = document.getElementById('qms-findings'); if (panel) panel.remove();
    if (state.findings.length) {
      panel = document.createElement('details'); panel.id = 'qms-findings';
      panel.style.cssText = 'position:fixed;right:1em;bottom:1em;max-width:45em;max-height:40vh;' +
        'overflow:auto;background:#fff;border:1px solid #999;padding:.5em 1em;z-index:9999;' +
        'font:13px/1.4 DejaVu Sans,sans-serif';
      panel.innerHTML = '<summary>' + esc(state.labels.findings) + ' (' + state.findings.length +
        ')</summary><ul>' + lines(state.findings) + '</ul>';
      document.body.appendChild(panel);
    }
  }
  var source = new EventSource('/__qms__/events');
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (seen !== null && state.version !== seen && !state.errors.length) {
      location.reload(); return;
    }
    seen = state.version; show(state);
  };
})();
</script>"""

LABELS = {
    "en": {
        "broken": "The model does not load: the last good version is shown",
        "kept": "Fix the file and save it; this page updates by itself.",
        "findings": "Findings in the workspace",
    },
    "fi": {
        "broken": "Malli ei lataudu: näytetään viimeisin toimiva versio",
        "kept": "Korjaa tiedosto ja tallenna; sivu päivittyy itsestään.",
        "findings": "Havainnot työtilassa",
    },
}


@dataclass
class State:
    """What the pages are told: the build's version, blocking errors and all findings."""

    version: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)
    built_in: float = 0.0


def _finding_row(f: Finding, root: str, lang: str) -> dict[str, str]:
    return {
        "where": f"{shown_path(root, f.file)}:{f.line}:{f.col}",
        "code": f.code,
        "message": f.message(lang),
        "file": f.file,
    }


class Site:
    """The built portal of one workspace, in memory, and how to rebuild it."""

    def __init__(self, root: str, lang: str | None = None, edit: bool = False) -> None:
        self.root = root
        self.lang = lang
        self.session: Session | None = None
        if edit:
            from qms.edit import Session

            self.session = Session()
        """With `qms serve --edit`: the editor's token and files (qms/edit.py)."""
        self.files: dict[str, bytes] = {}
        self.state = State()
        self.incomplete = ""
        """'Malli on puutteellinen: ...' when the last load left something out."""
        self._ranks: dict[str, Ranks] = {}
        self._drawn: dict[tuple[str, str], bytes | None] = {}
        self.kept = Memo()
        """DOT texts, charts and pages by their inputs: a save rebuilds what it changed."""
        self._lock = threading.Lock()

    @property
    def language(self) -> str:
        """The language of the server's own messages."""
        return self.lang or "fi"

    def rebuild(self, processes: int = 1) -> State:
        """Load, lint and publish again; keep the last good pages when the model is broken.

        The first passes, DOT texts, pictures, charts and pages of the previous build are
        kept by a digest of their inputs (qms/memo.py), so a save lays out, draws and renders
        only what it changed, and the pages are the same bytes as a full build's; whatever
        this build did not use is dropped, so the caches hold one build's worth however long
        the preview runs. `processes` > 1 lets the flows be laid out in forked workers
        (qms/render/pool.py): only for the first build, before the server starts its threads
        (a process with threads must not fork)."""
        from qms.load import gc_paused, load
        from qms.partial import left_out
        from qms.publish import Publication

        started = time.perf_counter()
        # The model is millions of small objects with few cycles (qms.load.gc_paused): the
        # collector walking it would cost more than a small rebuild. Collected after.
        with self._lock, gc_paused():
            pub = Publication(
                load(self.root),
                self.lang,
                self._ranks,
                self._drawn,
                processes=processes,
                kept=self.kept,
            )
            loaded, ws = pub.loaded, pub.workspace
            lang = pub.doc_lang
            self.incomplete = left_out(loaded.findings).text(lang)
            rows = [
                _finding_row(f, self.root, lang) for f in pub.result.findings if not f.suppressed
            ]
            blocking = [f for f in loaded.findings if f.code == "QMS001"]
            if loaded.fatal or ws is None or blocking:
                errors = [_finding_row(f, self.root, lang) for f in blocking]
                if loaded.fatal:
                    errors.append(
                        {"where": self.root, "code": "", "message": loaded.fatal[lang], "file": ""}
                    )
                self.state = State(self.state.version + 1, errors, rows)
            else:
                try:
                    built = pub.files("html", self.root)
                except Exception as error:  # noqa: BLE001 - shown on the page, watching goes on
                    # A build that fails (a bug, a Graphviz crash, a full disk) is an overlay on
                    # the last good pages, like a broken file; the next save tries again.
                    self.state = State(self.state.version + 1, [self.failure(error)], rows)
                else:
                    pub.forget_unused()
                    if self.session is not None:
                        self.session.update(ws)
                    self.files = {
                        rel: (data.encode("utf-8") if isinstance(data, str) else data)
                        for rel, data in built.items()
                    }
                    self.state = State(self.state.version + 1, [], rows)
            self.state.built_in = time.perf_counter() - started
            if self.lang is None:
                self.lang = lang
            return self.state

    def failure(self, error: Exception) -> dict[str, str]:
        """The overlay's row for a rebuild that raised: what failed, and that the last good
        pages stay until the next save."""
        message = REBUILD_FAILED.format(
            self.language, error=f"{type(error).__name__}: {printable(str(error))}"
        )
        return {"where": self.root, "code": "", "message": message, "file": ""}

    def page(self, path: str) -> bytes | None:
        """The bytes of a built file, or None: only what the build produced is ever served."""
        rel = path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        return self.files.get(rel)

    def state_json(self) -> str:
        """The state as the live script reads it."""
        return json.dumps(
            {
                "version": self.state.version,
                "errors": self.state.errors,
                "findings": self.state.findings,
                "labels": LABELS.get(self.language, LABELS["en"]),
            },
            ensure_ascii=False,
        )


REBUILD_FAILED = Msg(
    en="the rebuild failed ({error}); the last good pages are shown, and the next save is "
    "tried again",
    fi="uudelleenkokoaminen epäonnistui ({error}); viimeiset toimivat sivut näytetään, ja "
    "seuraava tallennus yritetään uudelleen",
)


class _Throttle(logging.Filter):
    """At most one record a minute per message (the rest counted): when the process runs out
    of file descriptors, asyncio reports every refused connection, and the log would fill
    with the same traceback many times a second."""

    def __init__(self, seconds: float = 60.0) -> None:
        super().__init__()
        self.seconds = seconds
        self.last: dict[str, float] = {}
        self.quiet: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        first = str(record.msg).split("\n", 1)[0]
        key = f"{record.name}:{first[:40]}"  # "Exception in callback ..." differs in its tail
        now = time.monotonic()
        if now - self.last.get(key, -1e9) < self.seconds:
            self.quiet[key] = self.quiet.get(key, 0) + 1
            return False
        self.last[key] = now
        skipped = self.quiet.pop(key, 0)
        if record.name == "asyncio":
            # One line, no traceback: the event loop's errors under load are about sockets
            # it could not accept, not about qms, and repeat for every client.
            error = record.exc_info[1] if record.exc_info else None
            record.msg = first + (f": {type(error).__name__}: {error}" if error else "")
            record.args = None
            record.exc_info = None
            record.exc_text = None
        if skipped:
            record.msg = f"{record.msg} (and {skipped} more like it in the last minute)"
        return True


THROTTLE = _Throttle()


def quiet_logs() -> None:
    """Throttle the loggers that repeat themselves under load (asyncio's accept errors,
    uvicorn's per-connection errors)."""
    for name in ("asyncio", "uvicorn.error"):
        logger = logging.getLogger(name)
        if THROTTLE not in logger.filters:
            logger.addFilter(THROTTLE)


PORT_TAKEN = Msg(
    en="cannot listen on {host} port {port}: {reason}; choose another with --port",
    fi="osoitteen {host} porttia {port} ei voi kuunnella: {reason}; valitse toinen valitsimella"
    " --port",
)


def listen(host: str, port: int, lang: str) -> socket.socket:
    """The server's socket, bound before anything is built: a port in use (or one this user
    may not bind) is a refusal with a message (exit code 2), not the server's error after the
    build."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        reason = error.strerror or str(error)
        raise Refused(PORT_TAKEN.format(lang, host=host, port=port, reason=reason)) from None
    sock.set_inheritable(True)
    return sock


def _inject(html: bytes, extra: bytes = b"") -> bytes:
    """The live-reload script (and the editor's links), just before </body>."""
    marker = b"</body>"
    script = extra + LIVE_SCRIPT.encode("utf-8")
    at = html.rfind(marker)
    return html[:at] + script + html[at:] if at >= 0 else html + script


def create_app(
    site: Site,
    watch: bool = True,
    on_change: Callable[[], None] | None = None,
    origins: set[str] | None = None,
) -> Starlette:
    """The ASGI app over a site; with `watch`, a background task rebuilds on every save.
    With the site's editor on, `origins` are the Origin headers its writes must carry."""
    changed = asyncio.Condition()

    async def notify() -> None:
        async with changed:
            changed.notify_all()

    async def watcher() -> None:
        from watchfiles import awatch

        root = os.path.abspath(site.root)

        def only_models(_: Any, path: str) -> bool:
            return path == root or (path.endswith(".yaml") and "/." not in path)

        async def rebuilt() -> None:
            try:
                await asyncio.to_thread(site.rebuild)
            except Exception as error:  # noqa: BLE001 - the watcher never stops
                # Loading or linting itself failed (rebuild reports a failed build): say so
                # on the page and keep watching; the fix is the next save.
                failed = [site.failure(error)]
                site.state = State(site.state.version + 1, failed, site.state.findings)
            if on_change:
                on_change()
            await notify()

        # A watch dies with its folder: when the workspace folder itself is deleted (or the
        # watch fails), the page says so, and once the folder is back it is rebuilt and
        # watched again.
        gone = False
        while True:
            try:
                if os.path.isdir(root):
                    if gone:
                        gone = False
                        await rebuilt()
                    async for changes in awatch(
                        root, watch_filter=only_models, step=30, debounce=400
                    ):
                        await rebuilt()
                        if any(path == root for _, path in changes):
                            gone = True
                            break
            except Exception as error:  # noqa: BLE001 - said on the page, then watched again
                gone = True
                failed = [site.failure(error)]
                if site.state.errors != failed:
                    site.state = State(site.state.version + 1, failed, site.state.findings)
                    await notify()
            await asyncio.sleep(1)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(watcher()) if watch else None
        try:
            yield
        finally:
            if task:
                task.cancel()

    async def events(request: Request) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            yield f"data: {site.state_json()}\n\n"
            seen = site.state.version
            while not await request.is_disconnected():
                async with changed:
                    try:
                        await asyncio.wait_for(changed.wait(), timeout=15)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                if site.state.version != seen:
                    seen = site.state.version
                    yield f"data: {site.state_json()}\n\n"

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    async def state(_: Request) -> Response:
        return Response(site.state_json(), media_type="application/json")

    async def page(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response(status_code=405, headers={"Allow": "GET, HEAD"})
        body = site.page(request.url.path)
        if body is None:
            return Response("404", status_code=404, media_type="text/plain")
        suffix = Path(request.url.path).suffix or ".html"
        if suffix == ".html":
            extra = b""
            if site.session is not None:
                from qms.edit import links

                extra = links(site.session, request.url.path, site.language)
            body = _inject(body, extra)
        return Response(
            body,
            media_type=TYPES.get(suffix, "application/octet-stream"),
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )

    async def diff(request: Request) -> Response:
        """The uncommitted changes (HEAD -> the saved files), each changed process drawn
        with them highlighted (qms.changes.review_pages); drawn when asked."""
        from qms.changes import review_pages

        pages = await asyncio.to_thread(review_pages, site.root, site.language)
        body = pages.get(request.path_params.get("path", "") or "index.html")
        if body is None:
            return Response("404", status_code=404, media_type="text/plain")
        suffix = Path(request.path_params.get("path", "") or "index.html").suffix
        return Response(
            body,
            media_type=TYPES.get(suffix, "application/octet-stream"),
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"version": site.state.version, "built_in": site.state.built_in})

    editing = []
    if site.session is not None:
        from qms.edit import routes

        editing = routes(site, origins or set())
    return Starlette(
        routes=[
            *editing,
            Route("/__qms__/events", events),
            Route("/__qms__/state", state),
            Route("/__qms__/health", health),
            Route("/__qms__/diff/", diff),
            Route("/__qms__/diff/{path:path}", diff),
            Route("/favicon.ico", lambda _: Response(status_code=204)),
            Route("/{path:path}", page, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=LOCAL_HOSTS)],
        lifespan=lifespan,
    )
