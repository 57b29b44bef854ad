"""Approvals bound to content: canonical digests, suspect links, and `qms approve`'s edit.

An approval (`approved: {by, on, digest, version, links}`) records the canonical digest of the
approved element: the SHA-256 of its validated model as canonical JSON (sorted keys, no
comments, no formatting), so re-indenting a file or rewording a comment does not change it,
while any change of content does. The approval itself, the `status`, the `version` and rule
suppressions (`lint:`) are left out of the digest: writing the approval must not change what
was approved, and a version bump is not a change of content. Keys left at their default are
left out too, so that writing a default explicitly is no change, and a newer qms whose model
has gained an optional key keeps every approval valid.

As Doorstop's suspect links, an approval also records the digests of what the element points
to (its goals, its parent process, its metrics): when one of those changes after the approval,
the approval is suspect too. A link's digest covers the structure of its target, not its
wording (see `link_digest`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qms.findings import Msg
from qms.index import Index
from qms.model import Goal, Metric, Plan, Process, Workspace

DIGEST_PREFIX = "sha256:"
LEFT_OUT = frozenset({"approved", "status", "version", "lint"})
"""Keys left out of a digest at every level."""


def canonical(value: Any) -> Any:
    """A model element (or its dump) without the keys an approval does not cover."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", by_alias=True, exclude_defaults=True, warnings=False)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items() if k not in LEFT_OUT}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """The canonical JSON text of a model element: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(canonical(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def link_digest(value: Any) -> str:
    """The digest of an element's shape, for suspect links.

    The shape (qms/incremental.py) is the element without the wording of its texts: what the
    workspace rules may read, so that `qms validate` re-checks links to other files only when
    the structure changes. A goal re-parented, a metric's target or unit changed, a parent
    process's steps, lanes or flows changed make a link suspect; a reworded name does not.
    """
    from qms.incremental import shape

    kind, fields, given = shape(value)  # an element's own approval and status are left out
    kept = (
        kind,
        [f for f in fields if f[0] not in LEFT_OUT],
        [g for g in given if g not in LEFT_OUT],
    )
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
    return DIGEST_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def digest(value: Any) -> str:
    """`sha256:` and the first 16 hex digits of the canonical JSON's SHA-256.

    >>> from qms.model import Goal
    >>> digest(Goal(id="G1", name="Laatu")) == digest(Goal(id="G1", name="Laatu", lint=None))
    True
    """
    text = canonical_json(value).encode("utf-8")
    return DIGEST_PREFIX + hashlib.sha256(text).hexdigest()[:16]


Element = Process | Plan


def linked(element: Element, index: Index) -> dict[str, Goal | Metric | Process | None]:
    """What an element points to, by link key (`goal:G7`, `parent:talous`, `metric:m1`).

    A link that resolves to nothing maps to None (its approval is then suspect, if it was
    recorded while the link resolved).
    """
    org = element.organisation
    links: dict[str, Goal | Metric | Process | None] = {}
    if isinstance(element, Process):
        for ref in (*element.realizes, *element.influences):
            links[f"goal:{ref}"] = index.goal(ref)
        if element.parent:
            links[f"parent:{element.parent}"] = index.process(element.parent, org)
        for ref in element.metrics:
            links[f"metric:{ref}"] = index.metric(ref, org)
    else:
        for action in element.actions:
            for ref in action.realizes:
                links[f"goal:{ref}"] = index.goal(ref)
            for ref in action.evaluated_by:
                links[f"metric:{ref}"] = index.metric(ref, org)
    return links


def link_digests(element: Element, index: Index) -> dict[str, str]:
    """The digest of every resolvable link of an element, by link key (sorted)."""
    found = linked(element, index)
    return {key: link_digest(item) for key, item in sorted(found.items()) if item is not None}


def content_changed(element: Element) -> bool:
    """The element's content differs from what its approval's digest recorded."""
    approval = element.approved
    return bool(approval and approval.digest and digest(element) != approval.digest)


def suspect_links(element: Element, index: Index) -> tuple[str, ...]:
    """Link keys (`goal:G7`) whose target changed or disappeared since the approval."""
    approval = element.approved
    if approval is None or not approval.digest or not approval.links:
        return ()
    now = link_digests(element, index)
    return tuple(key for key, old in sorted(approval.links.items()) if now.get(key) != old)


def suspect(element: Element, index: Index) -> bool:
    """The approval no longer covers the element (its content or one of its links changed)."""
    return content_changed(element) or bool(suspect_links(element, index))


# --- the edit `qms approve` makes ------------------------------------------------------------


class ApproveError(Exception):
    """The file cannot be edited safely (it is not a single mapping document, ...)."""


def approval_fields(element: Element, index: Index, by: str, on: dt.date) -> dict[str, Any]:
    """The `approved:` map `qms approve` writes, in the order it is written."""
    fields: dict[str, Any] = {"by": by, "on": on, "digest": digest(element)}
    if element.version is not None:
        fields["version"] = element.version
    links = link_digests(element, index)
    if links:
        fields["links"] = links
    return fields


def write_approval(path: Path, fields: dict[str, Any]) -> str:
    """The file's text with `status: approved` and `approved:` set; every other line kept.

    ruamel.yaml (round-trip mode) finds where the top-level keys stand; the edit then replaces
    the `status` value and the `approved` block and inserts what is missing, line by line, so
    comments, quoting, key order, indentation and wrapped lines stay exactly as written.
    Returns the new text; the caller checks it reads back as the approved content.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    try:
        data = YAML(typ="rt").load(text)
    except Exception as error:  # ruamel raises many kinds; all mean "unparsable"
        raise ApproveError(str(error)) from error
    if not isinstance(data, CommentedMap) or data.fa.flow_style():
        raise ApproveError("not a block mapping")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    starts = {key: data.lc.key(key)[0] for key in data}
    if any(data.lc.key(key)[1] != 0 for key in data):
        raise ApproveError("top-level keys are not at the start of their lines")
    order = sorted(starts, key=starts.__getitem__)

    def span(key: str) -> tuple[int, int]:
        """The lines of a top-level key and its value, up to the comments above the next."""
        first = starts[key]
        following = order.index(key) + 1
        last = starts[order[following]] if following < len(order) else len(lines)
        while last > first + 1 and _comment_or_blank(lines[last - 1]):
            last -= 1
        return first, last

    block = _block(fields, _indents(text)["mapping"], newline)
    edits: list[tuple[int, int, list[str]]] = []
    if "status" in starts:
        edits.append((*span("status"), [f"status: approved{newline}"]))
    if "approved" in starts:
        edits.append((*span("approved"), block))
    else:
        at = _insert_at(order, starts, lines, span)
        extra = [] if "status" in starts else [f"status: approved{newline}"]
        edits.append((at, at, [*extra, *block]))
    for first, last, replacement in sorted(edits, reverse=True):
        lines[first:last] = replacement
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    out = "".join(lines)
    return ("\ufeff" + out) if bom else out


def _comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _insert_at(
    order: list[str],
    starts: dict[str, int],
    lines: list[str],
    span: Callable[[str], tuple[int, int]],
) -> int:
    """The line a new `approved:` goes to: after `version` (or `status`), else above the
    comments of `example`, `steps` or `actions`, else at the end."""
    for after in ("version", "status"):
        if after in starts:
            return span(after)[1]
    for stop in ("example", "steps", "actions"):
        if stop in starts:
            at = starts[stop]
            while at > 0 and _comment_or_blank(lines[at - 1]) and lines[at - 1].strip():
                at -= 1
            return at
    return len(lines)


def _block(fields: dict[str, Any], indent: int, newline: str) -> list[str]:
    """`approved:` and its fields as YAML lines, each value quoted only where YAML needs it."""
    pad = " " * indent
    out = [f"approved:{newline}"]
    for key, value in fields.items():
        if isinstance(value, dict):
            out.append(f"{pad}{key}:{newline}")
            out += [f"{pad}{pad}{k}: {_scalar(v)}{newline}" for k, v in value.items()]
        else:
            out.append(f"{pad}{key}: {_scalar(value)}{newline}")
    return out


def _scalar(value: Any) -> str:
    """One YAML scalar on one line, quoted where YAML would read it as other than text."""
    import yaml

    if isinstance(value, dt.date):
        return value.isoformat()
    dumped = yaml.safe_dump(str(value), allow_unicode=True, width=10**6)
    return dumped.removesuffix("...\n").strip()


def _indents(text: str) -> dict[str, int]:
    """The indentation the file uses for nested maps (2 when it has none)."""
    import re

    nested = re.search(r"^([ ]*)[^\s#-][^\n]*:[ ]*\n(?:[ ]*(?:#.*)?\n)*([ ]+)[^\s#-]", text, re.M)
    mapping = len(nested.group(2)) - len(nested.group(1)) if nested else 2
    return {"mapping": mapping if mapping > 0 else 2}


# --- `qms approve` ---------------------------------------------------------------------------

USAGE = Msg(
    en="give the element as ORGANISATION/ID, e.g. redu/talous",
    fi="anna kohde muodossa ORGANISAATIO/TUNNUS, esim. redu/talous",
)
UNKNOWN = Msg(
    en="no process or plan '{ref}' in the workspace{hint}",
    fi="työtilassa ei ole prosessia tai suunnitelmaa '{ref}'{hint}",
)
BROKEN = Msg(
    en="{file} has errors; fix them before approving it (qms validate):\n{errors}",
    fi="tiedostossa {file} on virheitä; korjaa ne ennen hyväksyntää (qms validate):\n{errors}",
)
UNSAFE = Msg(
    en="{file} could not be edited safely ({reason}); nothing was written",
    fi="tiedostoa {file} ei voitu muokata turvallisesti ({reason}); mitään ei kirjoitettu",
)
READ_BACK = Msg(
    en="the written file would not read back as the approved content",
    fi="kirjoitettu tiedosto ei lukeutuisi takaisin hyväksyttynä sisältönä",
)
DONE = Msg(
    en="approved {ref} ({digest}) by {by} on {on} in {file}",
    fi="hyväksytty {ref} ({digest}), hyväksyjä {by}, {on}, tiedostoon {file}",
)


def _target(ws: Workspace, element: str, lang: str) -> Element:
    """The process or plan ORG/ID names, or a refusal with a did-you-mean."""
    from qms import i18n
    from qms.files import refusal
    from qms.findings import did_you_mean

    org, slash, ident = element.partition("/")
    if not slash or not org or not ident:
        raise refusal(USAGE.format(lang))
    elements: list[Element] = [*ws.processes, *ws.plans]
    candidates = {f"{d.organisation}/{d.id}": d for d in elements}
    target = candidates.get(element)
    if target is None:
        guess = did_you_mean(element, sorted(candidates))
        hint = i18n.DID_YOU_MEAN.format(lang, word=guess) if guess else ""
        raise refusal(UNKNOWN.format(lang, ref=element, hint=hint))
    return target


def run_approve(
    workspace: str,
    element: str,
    by: str,
    on: dt.date | None,
    lang: str | None,
    say: Callable[..., None],
) -> int:
    """Write the approval of ORG/ID into its file (comments, order and style kept), after
    checking that the file has no errors and that the edited file reads back as the approved
    content; refuse (exit 2) otherwise, writing nothing. Returns the exit code."""
    from qms.files import refusal, write_atomic
    from qms.i18n import pick_lang
    from qms.load import SourceMap, build_document, load, parse_file

    loaded = load(workspace)
    language = pick_lang(lang, loaded.workspace.language if loaded.workspace else None)
    if loaded.fatal or loaded.workspace is None:
        raise refusal((loaded.fatal or {}).get(language, workspace))
    ws = loaded.workspace
    target = _target(ws, element, language)
    errors = [
        f"{f.file}:{f.line}:{f.col}: {f.code} {f.message(language)}"
        for f in loaded.findings
        if f.file == target.source and f.severity == "error"
    ]
    if errors:
        raise refusal(BROKEN.format(language, file=target.source, errors="\n".join(errors)))
    when = on or dt.date.today()
    fields = approval_fields(target, Index.build(ws), by, when)
    path = Path(workspace) / target.source
    try:
        new_text = write_approval(path, fields)
    except ApproveError as error:
        raise refusal(UNSAFE.format(language, file=target.source, reason=error)) from None
    # The edit must not change what was approved: read the new text back and compare digests.
    sources = SourceMap()
    data, problems = parse_file(path.parent, path.name, sources, new_text.encode("utf-8"))
    doc, more = build_document(data, target.source, sources) if data else (None, [])
    if doc is None or problems or more or digest(doc) != fields["digest"]:
        reason = READ_BACK.format(language)
        raise refusal(UNSAFE.format(language, file=target.source, reason=reason))
    write_atomic(path, new_text.encode("utf-8"))
    shown = DONE.format(
        language, ref=element, digest=fields["digest"], by=by, on=when, file=target.source
    )
    say(shown, err=True)
    return 0
