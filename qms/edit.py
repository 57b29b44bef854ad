"""`qms serve --edit`: a form editor for process, plan and metric files in the preview.

The form holds the same fields as the workbook's sheets (qms/workbook/columns.py) and is
written back the same way: cells that still show what the YAML holds change nothing, changed
ones are written with ruamel.yaml's round trip (comments and key order kept), and the loader's
and the rules' findings come back at the field that caused them, as the author types.

Every write is guarded: the per-session token (in the editor page, sent as X-QMS-Token), the
Origin header (this server's own), the Host header (the preview's TrustedHostMiddleware), a
file the workspace loaded as a process, plan or metric set (nothing else can be named), and
the file's digest when the form was opened: a file changed on disk since is not overwritten;
both versions are shown instead. The write itself is atomic (qms.files.write_atomic).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qms.findings import Msg
from qms.workbook.columns import ACTIONS, METRICS, PROCESSES, STEPS, Context, Sheet
from qms.workbook.read import (
    Cell,
    Merge,
    Problem,
    Row,
    Table,
    _check,
    _ids,
    _order,
    _unique,
    same,
)
from qms.workbook.source import OrgFiles, items
from qms.workbook.write import choices

if TYPE_CHECKING:
    from qms.model import Workspace

TOKEN_HEADER = "X-QMS-Token"
EDIT = {"fi": "Muokkaa", "en": "Edit"}
CHANGED_ON_DISK = Msg(
    en="{file} changed on disk after the form was opened; nothing written. Both versions are "
    "shown: copy what you need, then reload the form.",
    fi="{file} muuttui levyllä lomakkeen avaamisen jälkeen; mitään ei kirjoitettu. Molemmat "
    "versiot näytetään: kopioi tarvitsemasi ja lataa lomake uudelleen.",
)


@dataclass(frozen=True)
class Editable:
    """A model file the editor may write: workspace-relative path, kind and the page it is on."""

    rel: str
    kind: str
    """process, plan or metrics."""
    page: str
    title: str


@dataclass
class Session:
    """The editor's state in one `qms serve --edit`: the token and the editable files."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    files: dict[str, Editable] = field(default_factory=dict)
    """Workspace-relative path -> what it is."""
    langs: tuple[str, ...] = ("fi",)
    roles: dict[str, list[str]] = field(default_factory=dict)
    """Workspace-relative path -> the role ids of its organisation (for the role lists)."""

    def pages(self) -> dict[str, list[Editable]]:
        """Portal page -> the files edited from it."""
        out: dict[str, list[Editable]] = {}
        for e in self.files.values():
            out.setdefault(e.page, []).append(e)
        return out

    def update(self, ws: Workspace) -> None:
        """Take the editable files of a freshly loaded workspace."""
        from qms.export.manual import page_name
        from qms.model import text

        files: dict[str, Editable] = {}
        roles: dict[str, list[str]] = {}
        by_org = {o.id: [r.id for r in o.roles] for o in ws.organisations}
        lang = ws.settings.language
        for p in ws.processes:
            page = f"{p.organisation}/{page_name(p.id)}"
            files[p._source] = Editable(p._source, "process", page, text(p.name, lang))
            roles[p._source] = by_org.get(p.organisation, [])
        for plan in ws.plans:
            page = f"{plan.organisation}/_plan.html"
            files[plan._source] = Editable(plan._source, "plan", page, text(plan.name, lang))
            roles[plan._source] = by_org.get(plan.organisation, [])
        for metrics in ws.metrics:
            page = f"{metrics.organisation}/_metrics.html"
            name = text(metrics.name, lang) if metrics.name else metrics.organisation
            files[metrics._source] = Editable(metrics._source, "metrics", page, name)
            roles[metrics._source] = by_org.get(metrics.organisation, [])
        self.files, self.roles = files, roles
        self.langs = tuple(dict.fromkeys([ws.settings.language, *ws.settings.languages]))

    def allowed(self, token: str | None) -> bool:
        """The request carries this session's token (compared in constant time)."""
        return token is not None and hmac.compare_digest(token.encode(), self.token.encode())


def digest(text: str) -> str:
    """The digest a form remembers of the file it was opened on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sections(kind: str) -> list[tuple[Sheet, bool]]:
    """The form's sections: (sheet, one row only)."""
    if kind == "process":
        return [(PROCESSES, True), (STEPS, False)]
    if kind == "plan":
        return [(ACTIONS, False)]
    return [(METRICS, False)]


def _fields(sheet: Sheet) -> list[Any]:
    return list(sheet.fields)


def form(root: Path, e: Editable, session: Session, lang: str) -> dict[str, Any]:
    """The form of a file as JSON for the editor page: its sections' columns and rows."""
    from qms import yamledit
    from qms.workbook.source import example_mark

    text = (root / e.rel).read_text(encoding="utf-8-sig")
    data = yamledit.load(text)
    ctx = Context(session.langs)
    sections = []
    for sheet, single in _sections(e.kind):
        columns = []
        for f in _fields(sheet):
            for part, head in enumerate(f.heads(ctx, lang)):
                choice = choices(f, lang) if part == 0 else None
                if f.roles:
                    choice = session.roles.get(e.rel, [])
                columns.append({"key": f.key, "part": part, "head": head, "choices": choice})
        if single:
            elements = [data]
        elif sheet is STEPS:
            elements = items(data, "steps")
        elif sheet is ACTIONS:
            elements = items(data, "actions")
        else:
            elements = items(data, "metrics")
        rows = []
        for item in elements:
            cells: list[Any] = []
            for f in _fields(sheet):
                value = item.get(f.key) if isinstance(item, dict) else None
                if f.codec == "example" and value is None:
                    mark = example_mark((data, item) if not single else (data,))
                    cells += [f"↑ {f.cells(mark, ctx, lang)[0]}".rstrip() if mark else ""]
                    continue
                cells += [same(c) for c in f.cells(value, ctx, lang)]
            rows.append(cells)
        sections.append(
            {
                "key": sheet.key,
                "title": sheet.title(lang),
                "single": single,
                "columns": columns,
                "rows": rows,
            }
        )
    return {
        "file": e.rel,
        "kind": e.kind,
        "base": digest(text),
        "sections": sections,
        "page": "/" + e.page,
        "title": e.title,
    }


@dataclass
class Applied:
    """The outcome of a form: the new text (None when unchanged), the problems, the disk text
    when it changed since the form was opened."""

    text: str | None
    problems: list[Problem]
    disk: str | None = None
    preview: str | None = None
    """A process's flow drawn from the unsaved form (SVG), when it loads."""


def apply(
    root: Path,
    e: Editable,
    payload: dict[str, Any],
    session: Session,
    lang: str,
    want_preview: bool = False,
    ranks: MutableMapping[str, Any] | None = None,
) -> Applied:
    """The file's text with the form's rows written in, and the findings at their fields;
    with `want_preview`, a process's flow drawn from it (first passes kept in `ranks`)."""
    from qms import yamledit

    path = root / e.rel
    disk = path.read_text(encoding="utf-8-sig")
    ctx = Context(session.langs)
    problems: list[Problem] = []
    data = yamledit.load(disk)
    folder = path.parent
    m = Merge(OrgFiles(folder), ctx, lang, problems)
    rel = path.name
    got = payload.get("sections", {})
    for sheet, single in _sections(e.kind):
        rows = got.get(sheet.key, []) if isinstance(got, dict) else []
        table = _table(sheet, rows, ctx, lang)
        if single:
            if table.rows:
                m.apply(data, table, table.rows[0], _order("Process"), False)
                m.rows_at[(rel, ())] = (table, table.rows[0])
            continue
        key, cls, flow = {
            "steps": ("steps", "Step", True),
            "actions": ("actions", "Action", False),
            "metrics": ("metrics", "Metric", False),
        }[sheet.key]
        m.merge_list(
            data, key, table, _unique(m, table, table.rows), _ids, _order(cls), flow, (rel, ())
        )
    m.changed[rel] = data
    text = yamledit.dump(data)
    preview = None
    if not any(p.severity == "error" for p in problems) and text != disk:
        ws = _check(m, root.resolve(), folder, {rel: text})
        if ws is not None and e.kind == "process" and want_preview:
            preview = draw_flow(
                ws, str(data.get("organisation", "")), str(data.get("id", "")), lang, ranks
            )
    stale = payload.get("base") != digest(disk)
    return Applied(None if text == disk else text, problems, disk if stale else None, preview)


def draw_flow(
    ws: Workspace, org: str, pid: str, lang: str, ranks: MutableMapping[str, Any] | None
) -> str | None:
    """The flow of process `pid` of `ws` as SVG text (None when it cannot be drawn): the
    editor's preview of a form not yet saved, laid out as `qms render` would."""
    from qms.index import Index
    from qms.render import build_jobs
    from qms.render.engine import draw_many
    from qms.views import flow_view

    index = Index.build(ws)
    process = index.processes.get((org, pid))
    if process is None:
        return None
    try:
        jobs, _ = build_jobs([flow_view(index, process, lang)], {} if ranks is None else ranks)
        drawn = draw_many(jobs, "svg", workers=1) if jobs else []
    except (OSError, RuntimeError, ValueError):
        return None
    return drawn[0].decode("utf-8") if drawn and drawn[0] else None


def _table(sheet: Sheet, rows: Any, ctx: Context, lang: str) -> Table:
    """The form's rows as a sheet table; a cell's place is `section:row:column`."""
    fields = _fields(sheet)
    spans = [(f, len(f.heads(ctx, lang))) for f in fields]
    out: list[Row] = []
    for r, values in enumerate(rows if isinstance(rows, list) else []):
        if not isinstance(values, list):
            continue
        cells: dict[str, list[Cell]] = {}
        col = 0
        for f, span in spans:
            cells[f.key] = [
                Cell(
                    _cell(values[col + i]) if col + i < len(values) else None,
                    f"{sheet.key}:{r}:{col + i}",
                )
                for i in range(span)
            ]
            col += span
        key = str(cells[fields[0].key][0].value or "").strip()
        out.append(Row(r, "", key, cells))
    return Table(sheet, sheet.title(lang), out, {})


def _cell(value: Any) -> str | None:
    """A form value as a cell: always text, as typed (the codecs read numbers and dates)."""
    return value if isinstance(value, str) else None if value is None else str(value)


def problems_json(problems: list[Problem], lang: str) -> list[dict[str, str]]:
    """Problems as the editor shows them: where (a field or file:line:col), severity, text."""
    return [
        {"where": p.where, "severity": p.severity, "text": p.text.get(lang) or p.text["en"]}
        for p in problems
    ]


def page(state: dict[str, Any], session: Session, lang: str) -> str:
    """The editor page: the form's JSON, the token, and the script that runs it."""
    from html import escape

    from qms.editor_page import SCRIPT, STYLE, WORDS

    words = WORDS.get(lang, WORDS["en"])
    data = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    title = f"{words['edit']}: {state['title']}"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="qms-token" content="{escape(session.token)}">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<header><a href="{escape(state["page"])}">{escape(words["back"])}</a></header>'
        f'<main><h1>{escape(title)}</h1><p class="file"><code>{escape(state["file"])}</code></p>'
        f'<div id="form"></div>'
        f'<div class="actions"><button type="button" id="save">{escape(words["save"])}</button>'
        f' <span id="status" role="status" aria-live="polite"></span></div>'
        f'<section aria-labelledby="problems-h"><h2 id="problems-h">{escape(words["problems"])}'
        f'</h2><ul id="problems"></ul></section>'
        f'<section id="conflict" hidden aria-labelledby="conflict-h"><h2 id="conflict-h">'
        f'{escape(words["conflict"])}</h2><div class="both"><div><h3>{escape(words["disk"])}</h3>'
        f'<pre id="disk" tabindex="0"></pre></div><div><h3>{escape(words["mine"])}</h3>'
        f'<pre id="mine" tabindex="0"></pre></div></div></section>'
        f'<section aria-labelledby="diagram-h"><h2 id="diagram-h">{escape(words["diagram"])}</h2>'
        f'<div id="diagram"></div></section></main>'
        f'<script id="qms-form" type="application/json">{data}</script>'
        f"<script>var WORDS = {json.dumps(words, ensure_ascii=False)};</script>"
        f"<script>{SCRIPT}</script></body></html>"
    )


MAX_BODY = 2 * 1024 * 1024
"""A form larger than this is refused (413)."""


def origins(host: str, port: int) -> set[str]:
    """The Origin headers of this server's own pages: its loopback names and port."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host}
    return {f"http://{name}:{port}" for name in names}


def links(session: Session, page: str, lang: str) -> bytes:
    """The "Muokkaa" links of a portal page, as a landmark of its own ('' when none)."""
    from html import escape
    from urllib.parse import quote

    found = session.pages().get(page.lstrip("/"), [])
    if not found:
        return b""
    word = EDIT.get(lang, EDIT["en"])
    items_html = "".join(
        f'<li><a href="/__qms__/edit?file={quote(e.rel)}">{escape(word)}: {escape(e.title)}'
        "</a></li>"
        for e in found
    )
    return (
        f'<nav id="qms-edit" aria-label="{escape(word)}" style="position:fixed;left:1em;'
        f"bottom:1em;z-index:9998;background:#fff;border:2px solid #1f3b57;padding:.3em .8em;"
        f'font:15px/1.4 DejaVu Sans,sans-serif"><ul style="list-style:none;margin:0;padding:0">'
        f"{items_html}</ul></nav>"
    ).encode()


def routes(site: Any, allowed_origins: set[str]) -> list[Any]:
    """The editor's routes over a preview site whose `session` is set."""
    import asyncio
    import threading

    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    from qms.files import write_atomic

    session: Session = site.session
    root = Path(site.root)
    ranks: dict[str, Any] = {}
    """First passes of the previews' flows, kept while the server runs."""
    lock = threading.Lock()
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

    def lang() -> str:
        return str(site.language)

    async def guarded(request: Request) -> tuple[Editable, dict[str, Any]] | Response:
        """The file and form of a write, or the refusal: a wrong token or Origin (403), a
        body too large (413) or not JSON (400), a file not editable (404)."""
        if not session.allowed(request.headers.get(TOKEN_HEADER)):
            return JSONResponse({"error": "token"}, status_code=403)
        if request.headers.get("origin") not in allowed_origins:
            return JSONResponse({"error": "origin"}, status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "too large"}, status_code=413)
        try:
            payload = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "not JSON"}, status_code=400)
        e = session.files.get(str(payload.get("file"))) if isinstance(payload, dict) else None
        if e is None or not (root / e.rel).resolve().is_relative_to(root.resolve()):
            return JSONResponse({"error": "not an editable file"}, status_code=404)
        return e, payload

    async def editor(request: Request) -> Response:
        e = session.files.get(request.query_params.get("file", ""))
        if e is None:
            return Response("404", status_code=404, media_type="text/plain")
        state = await asyncio.to_thread(form, root, e, session, lang())
        return HTMLResponse(page(state, session, lang()), headers=headers)

    async def check(request: Request) -> Response:
        got = await guarded(request)
        if isinstance(got, Response):
            return got
        e, payload = got
        if len(ranks) > 500:  # one per distinct step order seen: a bound, not a leak
            ranks.clear()
        done = await asyncio.to_thread(apply, root, e, payload, session, lang(), True, ranks)
        answer = {"problems": problems_json(done.problems, lang()), "preview": done.preview}
        return JSONResponse(answer, headers=headers)

    def save_now(e: Editable, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with lock:
            done = apply(root, e, payload, session, lang())
            shown = problems_json(done.problems, lang())
            if done.disk is not None:
                message = CHANGED_ON_DISK.format(lang(), file=e.rel)
                mine = done.text if done.text is not None else done.disk
                return 409, {"message": message, "disk": done.disk, "mine": mine, "problems": shown}
            if any(p.severity == "error" for p in done.problems):
                return 422, {"problems": shown}
            if done.text is None:
                return 200, {"written": False, "base": payload.get("base"), "problems": shown}
            write_atomic(root / e.rel, done.text.encode("utf-8"))
            return 200, {"written": True, "base": digest(done.text), "problems": shown}

    async def save(request: Request) -> Response:
        got = await guarded(request)
        if isinstance(got, Response):
            return got
        e, payload = got
        status, answer = await asyncio.to_thread(save_now, e, payload)
        return JSONResponse(answer, status_code=status, headers=headers)

    return [
        Route("/__qms__/edit", editor),
        Route("/__qms__/check", check, methods=["POST"]),
        Route("/__qms__/save", save, methods=["POST"]),
    ]
