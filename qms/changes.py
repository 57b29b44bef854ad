"""`qms diff`: load two versions of a workspace, list what changed, in four formats.

The versions are two revisions of the git repository the workspace is in (read with dulwich,
qms/history.py), a revision and the working tree, or two folders. A file that one version
cannot read completely is said so, with its located message, next to the change list: its
document would otherwise look removed or emptied, a silent wrong answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from qms.diff import LABELS, Change, DocumentDiff, WorkspaceDiff, diff_workspaces
from qms.findings import Finding, Msg, make_text, printable
from qms.i18n import NO_SUCH_PATH
from qms.load import Loaded
from qms.model import Workspace, text

NO_REPO = Msg(
    en="{path} is not inside a git repository: compare two folders instead (qms diff OLD NEW)",
    fi="{path} ei ole git-säilössä: vertaa sen sijaan kahta kansiota (qms diff VANHA UUSI)",
)
BAD_REV = Msg(en="{path}: {error}", fi="{path}: {error_fi}")
TWO_FOLDERS = Msg(
    en="--from/--to compare revisions of one workspace; give either them or a second folder",
    fi="--from/--to vertaavat yhden työtilan versioita; anna joko ne tai toinen kansio",
)
UNREAD = Msg(
    en="{file} could not be read completely at {side}; its changes may be missing or wrong: "
    "{where}: {message}",
    fi="tiedostoa {file} ei voitu lukea kokonaan versiossa {side}; sen muutokset voivat puuttua "
    "tai olla väärin: {where}: {message}",
)
WORKING_TREE = {"en": "working tree", "fi": "työkopio"}
SIGNS = {"added": "+", "removed": "-", "changed": "~", "renamed": "~"}


@dataclass(frozen=True)
class Unread:
    """A file one side could not read completely (a load error), with its first message."""

    side: str
    finding: Finding

    def say(self, lang: str) -> str:
        f = self.finding
        return UNREAD.format(
            lang,
            file=f.file,
            side=self.side,
            where=f"{f.file}:{f.line}:{f.col}",
            message=f.message(lang),
        )


def unread(loaded: Loaded, side: str) -> list[Unread]:
    """The first load error of each file of one side (errors only: warnings lose nothing)."""
    first: dict[str, Finding] = {}
    for finding in loaded.findings:
        if finding.severity == "error" and finding.code in ("QMS001", "QMS002"):
            first.setdefault(finding.file, finding)
    return [Unread(side, f) for _file, f in sorted(first.items())]


# --- formats ---------------------------------------------------------------------------------


def show(value: Any, lang: str, limit: int = 120) -> str:
    """A value on one line, texts in `lang`, control characters escaped."""
    if value is None:
        return "-"
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        shown = text(value, lang)
    elif isinstance(value, str):
        shown = value
    else:
        shown = json.dumps(value, ensure_ascii=False, sort_keys=True)
    shown = " ".join(printable(shown).split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def describe(change: Change, lang: str) -> str:
    """`~ owner: talousjohtaja -> rehtori`, `+ steps[x]: Name`, `- metrics: m1`."""
    words = LABELS[lang]
    if not change.path:  # the whole document
        value = change.new if change.op == "added" else change.old
        sign = SIGNS[change.op]
        return f"{sign} {show(value, lang)}  ({words['created' if sign == '+' else 'deleted']})"
    path = printable(change.path)
    if change.op == "added":
        return f"+ {path}: {show(change.new, lang)}"
    if change.op == "removed":
        return f"- {path}: {show(change.old, lang)}"
    return f"~ {path}: {show(change.old, lang)} -> {show(change.new, lang)}  ({words[change.op]})"


def heading(doc: DocumentDiff, lang: str) -> str:
    """`redu · prosessi talous (Talousprosessi)`."""
    name = show(doc.name, lang) if doc.name is not None else ""
    org = f"{doc.organisation} · " if doc.organisation else ""
    named = f" ({name})" if name and name != doc.id else ""
    return f"{org}{LABELS[lang].get(doc.kind, doc.kind)} {doc.id}{named}"


def counts(diff: WorkspaceDiff) -> dict[str, int]:
    ops = [d.op for d in diff.documents]
    return {
        "docs": len(ops),
        "added": ops.count("added"),
        "removed": ops.count("removed"),
        "changed": len(ops) - ops.count("added") - ops.count("removed"),
    }


def summary(diff: WorkspaceDiff, lang: str) -> str:
    """'1 asiakirja muuttunut: 0 lisätty, ...' with the document count's CLDR plural."""
    from qms.l10n import plural

    words = LABELS[lang]
    found = counts(diff)
    docs = plural(found.pop("docs"), lang, one=words["document"], other=words["documents"])
    return words["summary"].format(docs=docs, **found)


def _kept(doc: DocumentDiff, lang: str) -> str:
    return LABELS[lang]["version_kept"].format(version=doc.version[0])


def as_text(diff: WorkspaceDiff, notes: list[Unread], lang: str) -> str:
    words = LABELS[lang]
    lines = [f"! {printable(n.say(lang))}" for n in notes]
    if not diff.documents:
        return "\n".join([*lines, words["none"], ""])
    lines += [f"{diff.old_label} -> {diff.new_label}", summary(diff, lang), ""]
    for doc in diff.documents:
        lines.append(f"{heading(doc, lang)}  [{printable(doc.source)}]")
        lines.extend(f"  {describe(c, lang)}" for c in doc.changes)
        if doc.version_kept:
            lines.append(f"  ! {_kept(doc, lang)}")
        lines.append("")
    return "\n".join(lines)


def _md(value: str) -> str:
    from qms.export.markdown import md

    return md(value)


def _code(path: str) -> str:
    """A change's path as a code span (ids read best so); escaped text if it holds a backtick."""
    if not path or "`" in path or printable(path) != path:
        return _md(path or "-")
    return "`" + path.replace("|", "\\|") + "`"


def _table(doc: DocumentDiff, lang: str, worded: bool) -> list[str]:
    """A document's changes as a Markdown table (sign and word, path, old, new)."""
    words = LABELS[lang]
    head = f"| | {words['path']} | {words['old']} | {words['new']} |"
    lines = [head, "| --- | --- | --- | --- |"]
    for c in doc.changes:
        sign = f"{SIGNS[c.op]} {words[c.op]}" if worded else SIGNS[c.op]
        lines.append(
            f"| {_md(sign)} | {_code(c.path)} "
            f"| {_md(show(c.old, lang))} | {_md(show(c.new, lang))} |"
        )
    return [*lines, ""]


def as_markdown(diff: WorkspaceDiff, notes: list[Unread], lang: str) -> str:
    words = LABELS[lang]
    lines = [f"## {words['title']}: {_md(diff.old_label)} → {_md(diff.new_label)}", ""]
    lines += [line for n in notes for line in (f"> **{_md(n.say(lang))}**", "")]
    if not diff.documents:
        return "\n".join([*lines, words["none"], ""])
    lines += [summary(diff, lang), ""]
    organisation = None
    for doc in diff.documents:
        if doc.organisation != organisation:
            organisation = doc.organisation
            lines += [f"### {_md(organisation or '-')}", ""]
        lines += [f"**{_md(heading(doc, lang))}** ({_md(doc.source)})", ""]
        if doc.version_kept:
            lines += [f"> ⚠ {_md(_kept(doc, lang))}", ""]
        lines += _table(doc, lang, worded=True)
    return "\n".join(lines)


def as_github(diff: WorkspaceDiff, notes: list[Unread], lang: str) -> str:
    """A pull-request comment: a marker to find it again, a summary line, then the tables
    folded per organisation."""
    words = LABELS[lang]
    lines = ["<!-- qms diff -->", f"### {words['title']}", ""]
    lines += [line for n in notes for line in (f"> [!CAUTION]\n> {_md(n.say(lang))}", "")]
    if not diff.documents:
        return "\n".join([*lines, words["none"], ""])
    said = summary(diff, lang)
    lines += [f"{said} ({_md(diff.old_label)} → {_md(diff.new_label)})", ""]
    by_org: dict[str, list[DocumentDiff]] = {}
    for doc in diff.documents:
        by_org.setdefault(doc.organisation or "-", []).append(doc)
    for org, docs in by_org.items():
        lines += [f"<details><summary><b>{_md(org)}</b>: {len(docs)}</summary>", ""]
        for doc in docs:
            lines += [f"**{_md(heading(doc, lang))}**", ""]
            if doc.version_kept:
                lines += [f"> [!WARNING]\n> {_md(_kept(doc, lang))}", ""]
            lines += _table(doc, lang, worded=False)
        lines += ["</details>", ""]
    return "\n".join(lines)


def as_json(diff: WorkspaceDiff, notes: list[Unread], lang: str) -> str:
    payload = diff.as_json()
    payload["unread"] = [
        {
            "side": n.side,
            "file": n.finding.file,
            "line": n.finding.line,
            "col": n.finding.col,
            "message": n.finding.message(lang),
        }
        for n in notes
    ]
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


FORMATS: dict[str, Callable[[WorkspaceDiff, list[Unread], str], str]] = {
    "text": as_text,
    "json": as_json,
    "markdown": as_markdown,
    "github": as_github,
}


# --- the command -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sides:
    """The two versions compared, loaded, with their labels and the files they could not read."""

    old: Workspace
    new: Workspace
    old_label: str
    new_label: str
    notes: list[Unread]


def _loaded(loaded: Loaded, label: str, lang: str) -> Workspace:
    """The workspace of one side, or a refusal (exit 2) that says which side is unloadable."""
    from qms.files import refusal

    if loaded.fatal or loaded.workspace is None:
        reason = (loaded.fatal or {}).get(lang, loaded.root)
        raise refusal(f"{label}: {reason}")
    return loaded.workspace


def language_of(workspace: str, lang: str | None) -> str:
    """`--lang`, else the workspace's language (its qms.yaml alone is read), else $QMS_LANG."""
    from qms.i18n import pick_lang
    from qms.load import load

    if lang is None and os.path.isfile(os.path.join(workspace, "qms.yaml")):
        settings = load(workspace, files=["qms.yaml"], packs=False).workspace
        return pick_lang(None, settings.language if settings else None)
    return pick_lang(lang, None)


def rev_range(other: str | None) -> tuple[str, str, bool] | None:
    """`A..B` or `A...B` (git's ways to name two revisions) as (A, B, three dots), when no
    folder has that name; a side left out is HEAD, as in git (`main..` is main against HEAD).
    Revision names cannot contain `..`, so the first one splits.

    >>> rev_range("v1.0..v1.1"), rev_range("main..."), rev_range("vanha/")
    (('v1.0', 'v1.1', False), ('main', 'HEAD', True), None)
    """
    if other is None or ".." not in other or os.path.exists(other):
        return None
    old, _, new = other.partition("..")
    three = new.startswith(".")
    return old or "HEAD", new.removeprefix(".") or "HEAD", three


def load_sides(
    workspace: str, other: str | None, rev_from: str | None, rev_to: str | None, lang: str
) -> Sides:
    """Load the two versions `qms diff` compares; refuse (exit 2) with a located message when
    the folder is not in git, a revision is unknown or a side cannot be loaded."""
    from qms.files import refusal
    from qms.history import HistoryError, load_at, merge_base, open_repository
    from qms.load import load

    revisions = rev_range(other) if rev_from is None and rev_to is None else None
    if revisions is not None:  # `qms diff WS A..B` (or A...B), as git writes them
        other, (rev_from, rev_to, _) = None, revisions
    if other is not None:
        if rev_from is not None or rev_to is not None:
            raise refusal(TWO_FOLDERS.format(lang))
        old, new = load(workspace, packs=False), load(other, packs=False)
        labels = (workspace, other)
    else:
        if not os.path.isdir(workspace):
            raise refusal(make_text(NO_SUCH_PATH, path=workspace)[lang])
        repository = open_repository(workspace)
        if repository is None:
            raise refusal(NO_REPO.format(lang, path=workspace))
        labels = (
            "HEAD" if rev_from is None else rev_from,
            WORKING_TREE[lang] if rev_to is None else rev_to,
        )
        try:
            if revisions is not None and revisions[2]:  # A...B: B against where it left A
                labels = (merge_base(repository, labels[0], labels[1])[:12], labels[1])
            old = load_at(repository, labels[0])
            new = load(workspace, packs=False) if rev_to is None else load_at(repository, rev_to)
        except HistoryError as error:
            said = BAD_REV.format(lang, path=workspace, error=error.en, error_fi=error.fi)
            raise refusal(said) from None
        finally:
            repository.close()
    notes = unread(old, labels[0]) + unread(new, labels[1])
    return Sides(_loaded(old, labels[0], lang), _loaded(new, labels[1], lang), *labels, notes=notes)


NO_DOT = Msg(
    en="Graphviz could not draw the changed diagrams: {error}",
    fi="Graphviz ei voinut piirtää muuttuneita kaavioita: {error}",
)


def _draw(sides: Sides, folder: str, force: bool, lang: str) -> None:
    """The highlighted diagrams into `folder` (nothing outside it; no file replaced without
    `force`); a refusal with Graphviz's message when it cannot draw them."""
    from pathlib import Path

    from qms.files import refusal, write_tree
    from qms.render.graphviz import GraphvizError
    from qms.visualdiff import draw_changes

    try:
        files = draw_changes(sides.old, sides.new, lang)
    except (GraphvizError, ValueError) as error:
        raise refusal(NO_DOT.format(lang, error=printable(str(error)))) from None
    write_tree(dict(files), Path(folder), force, lang)


def without_unread(diff: WorkspaceDiff, notes: list[Unread]) -> WorkspaceDiff:
    """Leave out a document that looks added or removed only because its file could not be
    read on one side: the note says so instead of a wrong "deleted"."""
    unreadable = {(n.side, n.finding.file) for n in notes}
    kept = tuple(
        d
        for d in diff.documents
        if not (d.op == "removed" and (diff.new_label, d.source) in unreadable)
        and not (d.op == "added" and (diff.old_label, d.source) in unreadable)
    )
    return replace(diff, documents=kept)


def run_diff(
    workspace: str,
    other: str | None,
    rev_from: str | None,
    rev_to: str | None,
    fmt: str,
    output: str | None,
    force: bool,
    exit_code: bool,
    lang: str | None,
    say: Callable[..., None],
    svg_dir: str | None = None,
) -> int:
    """`qms diff`: print or write the change list, and with `svg_dir` one highlighted
    diagram per added or changed process (DIR/ORG/PROCESS.svg); the exit code (1 with
    `exit_code` when anything changed, else 0). Bad usage raises a refusal (exit 2)."""
    from qms.files import write_safely

    language = language_of(workspace, lang)
    sides = load_sides(workspace, other, rev_from, rev_to, language)
    result = without_unread(
        diff_workspaces(sides.old, sides.new, sides.old_label, sides.new_label), sides.notes
    )
    out = FORMATS[fmt](result, sides.notes, language)
    if output is None:
        say(out, nl=False)
    else:
        write_safely(output, out, force, language)
    if svg_dir is not None:
        _draw(sides, svg_dir, force, language)
    if output is not None or fmt not in ("text",):
        for note in sides.notes:  # also on the terminal when the list goes elsewhere
            say(f"qms: {printable(note.say(language))}", err=True)
    return 1 if exit_code and result.documents else 0


# --- `qms serve`'s review page ---------------------------------------------------------------

REVIEW_TITLE = Msg(en="Changes: HEAD → working tree", fi="Muutokset: HEAD → työkopio")
NO_CHANGES = Msg(en="No process has changed.", fi="Yksikään prosessi ei ole muuttunut.")


def review_pages(root: str, lang: str) -> dict[str, bytes]:
    """The review of a workspace's uncommitted changes for `qms serve` (/__qms__/diff/), by
    path: `index.html` (the change list and each changed process's highlighted diagram) and
    `ORG/PROCESS.svg`. What `qms diff` would refuse (no git, ...) is said on the page."""
    import html

    from qms.files import Refused
    from qms.render.graphviz import GraphvizError
    from qms.visualdiff import diff_svg

    body: list[str] = []
    pages: dict[str, bytes] = {}
    try:
        sides = load_sides(root, None, None, None, lang)
    except Refused as refused:
        sides = None
        body.append(f"<p>{html.escape(refused.message)}</p>")
    if sides is not None:
        from qms.index import Index
        from qms.visualdiff import changed_processes

        body += [f'<p role="alert">{html.escape(n.say(lang))}</p>' for n in sides.notes]
        diff = diff_workspaces(sides.old, sides.new, sides.old_label, sides.new_label)
        diff = without_unread(diff, sides.notes)
        body.append(f"<pre>{html.escape(as_text(diff, [], lang))}</pre>")
        index = Index.build(sides.new)
        changed = changed_processes(sides.old, sides.new)
        for was, process in changed:
            name = f"{process.organisation}/{process.id}.svg"
            try:
                pages[name] = diff_svg(index, was, process, lang)
            except (GraphvizError, ValueError) as error:
                body.append(f"<p>{html.escape(name)}: {html.escape(str(error))}</p>")
                continue
            title = html.escape(f"{process.organisation} · {text(process.name, lang)}")
            body.append(f'<h2>{title}</h2><p><img src="{html.escape(name)}" alt="{title}"></p>')
        if not changed:
            body.append(f"<p>{html.escape(NO_CHANGES.format(lang))}</p>")
    title = html.escape(REVIEW_TITLE.format(lang))
    pages["index.html"] = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>img{max-width:100%}</style>"
        f"</head><body><main><h1>{title}</h1>{''.join(body)}</main></body></html>"
    ).encode()
    return pages
