"""`qms render` after an edit: draw what the edit changed without loading the whole workspace.

A full render of 1,000 processes spends most of a re-run loading every document and running
the rules behind the "incomplete" notice, although one edited process changes one flow. So a
full render that drew everything it was asked to leaves a note in the user's cache folder
(`remember`): each file's digest, which process each file holds and the digest of what the
process maps and the goal map read of that process (its `outline`), each organisation's files,
the id digest of `flow_inputs` and the digest of `.qms-diagrams.json` as written.

The next `qms render` of the same workspace into the same folder (`after_edit`) first runs
`qms validate`'s incremental check, which stats the files, re-checks the edited ones and keeps
validate's own state fresh; its findings give the notice. The files whose digest differs from
the note are the edited ones. When each of them is a process file that still holds the same
process (organisation and id) with the same outline (a step, a resource, a purpose edited),
only its flow can have changed: that file, its organisation's files and qms.yaml are loaded,
the flow's inputs digest is worked out as `flow_inputs` does, and `render_diagrams` draws
that flow (when its view changed) and vouches for every other diagram by its entry and the
engine's manifest. Anything else (a new or deleted file, qms.yaml, an organisation, plan or
project file, an id, a process map's or the goal map's input, another qms or Graphviz,
another writer of the folder, a cache missing or broken) returns None and the command renders
as before. tests/render/test_warm.py compares every file with a render of the edited
workspace into an empty folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qms.lifetime import keep_until_exit
from qms.load import cache_home, gc_paused

if TYPE_CHECKING:
    from qms.incremental import Outcome
    from qms.load import Loaded
    from qms.model import Process
    from qms.partial import LeftOut
    from qms.render.cache import Rendered

VERSION = 1
MOST = 20
"""More edited files than this and the whole workspace is loaded anyway."""


def _note(root: str, out: str, formats: Sequence[str], lang: str | None) -> Path | None:
    """Where the note of a render of `root` into `out` is kept (None without a cache): one per
    workspace, folder, formats and the language options (the picked language is in it)."""
    home = cache_home()
    if home is None:
        return None
    asked = f"{lang}\0{os.environ.get('QMS_LANG', '')}"
    where = f"{os.path.realpath(root)}\0{os.path.realpath(out)}\0{','.join(formats)}\0{asked}"
    return home / "render" / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.json"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


OUTLINE = ("id", "organisation", "name", "type", "parent", "inputs", "outputs", "realizes")
"""The fields of a process that the process maps (box, band, sub-processes, hand-offs) and
the goal map (realizers, coverage) read, besides its example mark: an edit that keeps them
changes that process's flow alone. tests/render/test_warm.py changes every other field."""


def outline(process: Process) -> str:
    """A digest of what the process maps and the goal map read of a process."""
    example = process.example  # the mark of the process itself; its steps' are not read
    return _sha(repr([(name, getattr(process, name)) for name in OUTLINE] + [example]))


def _formats(formats: str) -> list[str] | None:
    from qms.render.engine import FORMATS

    found = list(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    return found if found and all(f in FORMATS for f in found) else None


def _diagrams_digest(out: str) -> str:
    """The digest of the output folder's diagram cache as it is, or "" (no match: the full
    render) when it is missing, not a regular file or too large. The folder is untrusted
    input: a FIFO or a link to /dev/zero put there must neither hang nor be read forever."""
    from qms.files import read_cache_bytes
    from qms.render.cache import DIAGRAM_CACHE

    data = read_cache_bytes(Path(out) / DIAGRAM_CACHE)
    return "" if data is None else hashlib.sha256(data).hexdigest()


def outlined(loaded: Loaded) -> dict[str, Any] | None:
    """What the note keeps of the model itself (each file's digest, the processes, their
    outlines, the organisations' files and the ids' digest), or None when no note can be made
    of it. `qms render` works it out while its workers lay the flows out, where it costs half
    what it did after the drawing, with the second core idle (0.3 s nationally)."""
    from qms.index import Index
    from qms.render.cache import ids_digest, organisation_files

    ws = loaded.workspace
    if ws is None or ws.settings.source != "qms.yaml" or cache_home() is None:
        return None
    texts = {rel: loaded.sources.text(rel) for rel in loaded.files}
    if any(t is None for t in texts.values()):
        return None
    index = Index.build(ws)
    return {
        "files": {rel: _sha(t) for rel, t in texts.items() if t is not None},
        "processes": {p.source: list(key) for key, p in index.processes.items()},
        "outlines": {p.source: outline(p) for p in index.processes.values()},
        "organisations": organisation_files(ws),
        "ids": ids_digest(ws, index),
    }


def remember(
    loaded: Loaded,
    out: str,
    formats: str,
    lang: str | None,
    picked: str,
    model: Callable[[], dict[str, Any] | None] | None = None,
) -> None:
    """After a full render that drew every diagram: keep the note `after_edit` starts from
    (removed when it cannot be made, e.g. a file whose text the loader did not keep).
    `model` gives `outlined(loaded)`, worked out already where the caller could (`qms
    render`: while its workers laid the flows out)."""
    from qms.files import write_atomic
    from qms.render.cache import code_digest, load_diagram_cache, package_digest

    fmts = _formats(formats)
    note = _note(loaded.root, out, fmts or [], lang)
    if note is None or fmts is None:
        return
    note.unlink(missing_ok=True)
    found = model() if model is not None else outlined(loaded)
    if found is None:
        return
    entries = load_diagram_cache(out)
    flows = ["/".join(key) for key in found["processes"].values()]
    if any(n not in entries or not entries[n].inputs for n in flows):
        return
    data = {
        "version": VERSION,
        "code": package_digest(),
        "render": code_digest(),
        "language": picked,
        **found,
        "names": sorted(entries),
        "diagrams": _diagrams_digest(out),
    }
    with contextlib.suppress(OSError):  # no note: the next render loads everything
        write_atomic(note, json.dumps(data, sort_keys=True).encode("utf-8"))


def _read(note: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(note.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == VERSION else None


def after_edit(
    root: str, out: str, formats: str, lang: str | None
) -> tuple[Rendered, LeftOut, str] | None:
    """Render after an edit from the note of the last full render: (what was drawn, the
    notice, the language), or None when the whole workspace must be loaded."""
    from qms.incremental import validate

    fmts = _formats(formats)
    note = _note(root, out, fmts or [], lang)
    data = _read(note) if note is not None and fmts is not None else None
    if note is None or fmts is None or data is None:
        return None
    # In the `qms` script's process, what the check made is kept and frozen (qms.lifetime)
    # before the collector is back: the check runs with it paused, so all it made is young,
    # and the first collection after it, those once drawing allocates and the process's end
    # would walk it all.
    with gc_paused():
        outcome = validate(root)  # keeps validate's state fresh; its findings give the notice
        keep_until_exit()
    try:
        done = _draw(root, out, fmts, data, outcome)
    except (KeyError, TypeError, ValueError, AttributeError):
        done = None  # a note of the wrong shape: render as before
    if done is None:
        note.unlink(missing_ok=True)
        return None
    from qms.partial import left_out

    rendered, edited = done
    if not rendered.report.ok or rendered.failures:
        note.unlink(missing_ok=True)
    elif edited or rendered.jobs:  # else nothing was edited or drawn: the note stands
        for rel, (text, kept) in edited.items():
            data["files"][rel], data["outlines"][rel] = _sha(text), kept
        data["diagrams"] = _diagrams_digest(out)
        from qms.files import write_atomic

        try:
            write_atomic(note, json.dumps(data, sort_keys=True).encode("utf-8"))
        except OSError:
            note.unlink(missing_ok=True)
    keep_until_exit()  # what drawing made too: the process's end walks none of it
    return rendered, left_out(outcome.result.findings), data["language"]


def _draw(
    root: str, out: str, formats: list[str], data: dict[str, Any], outcome: Outcome
) -> tuple[Rendered, dict[str, tuple[str, str]]] | None:
    """Draw the edited flows when nothing else can have changed; None otherwise. Also
    returns, per edited file, its text and outline for the note."""
    from qms.render.cache import code_digest, package_digest

    state = outcome.state
    files: dict[str, str] = data["files"]
    if state is None or outcome.fatal or set(state.entries) != set(files):
        return None  # validate ran cold, or a file came or went
    if data["code"] != package_digest() or data["render"] != code_digest():
        return None
    if data["diagrams"] != _diagrams_digest(out) or not data["diagrams"]:
        return None  # the folder was written by something else since
    suspects = {
        rel
        for rel, entry in state.entries.items()
        if entry.digest is None or entry.digest.hex() != files[rel]
    }
    suspects.update(outcome.checked)  # read now, even if validate could not keep its state
    processes: dict[str, list[str]] = data["processes"]
    if len(suspects) > MOST or any(rel not in processes for rel in suspects):
        return None
    if not suspects and (same := _unchanged(out, formats, data)) is not None:
        return same
    return _draw_flows(root, out, formats, data, sorted(suspects))


def _unchanged(
    out: str, formats: list[str], data: dict[str, Any]
) -> tuple[Rendered, dict[str, tuple[str, str]]] | None:
    """Nothing edited since the note: what `render_diagrams` finds without loading a file,
    the model or the drawing code (every diagram current, nothing written); None when the
    manifest does not vouch for every file or names a file to remove (`_draw_flows` then
    decides)."""
    from qms.files import output_lock
    from qms.render.cache import Rendered, files_current, load_diagram_cache
    from qms.render.engine import RenderReport, load_manifest

    names: list[str] = data["names"]
    base = Path(out)
    with output_lock(base, data["language"]):  # as render_diagrams: another run may write
        entries = load_diagram_cache(out)
        manifest = load_manifest(out)
        if (
            not manifest
            or set(entries) != set(names)
            or any(rel.rsplit(".", 1)[0] not in entries for rel in manifest)
        ):
            return None
        if not all(files_current(base, manifest, n, entries[n], formats) for n in names):
            return None
    report = RenderReport(skipped=sorted(f"{n}.{fmt}" for n in names for fmt in formats))
    return Rendered(report, diagrams=len(names)), {}


def _draw_flows(
    root: str, out: str, formats: list[str], data: dict[str, Any], suspects: list[str]
) -> tuple[Rendered, dict[str, tuple[str, str]]] | None:
    from qms.index import Index
    from qms.load import load
    from qms.model import Process
    from qms.render.cache import (
        Given,
        files_current,
        flow_digest,
        inputs_common,
        load_diagram_cache,
    )
    from qms.render.diagrams import render_diagrams
    from qms.render.engine import load_manifest
    from qms.render.graphviz import GraphvizMissing
    from qms.views import flow_view

    files: dict[str, str] = data["files"]
    processes: dict[str, list[str]] = data["processes"]
    orgs: dict[str, list[str]] = data["organisations"]
    lang: str = data["language"]
    around = {"qms.yaml", *(f for rel in suspects for f in orgs.get(processes[rel][0], []))}
    if around & set(suspects):
        return None
    loaded = load(root, files=sorted({*around, *suspects}), packs=False)
    ws = loaded.workspace
    text = loaded.sources.text
    if ws is None or any((t := text(rel)) is None or _sha(t) != files[rel] for rel in around):
        return None  # the settings or an organisation's file changed since validate read it
    found = {p.source: p for p in ws.processes}
    edited: dict[str, tuple[str, str]] = {}
    for rel in suspects:
        now = text(rel)
        if now is None:
            return None
        if _sha(now) == files[rel]:
            continue  # as it was drawn (edited and back)
        process = found.get(rel)
        if process is None or [process.organisation, process.id] != processes[rel]:
            return None
        edited[rel] = (now, outline(process))
        if edited[rel][1] != data["outlines"][rel]:
            return None
    index = Index.build(ws)
    # A flow reads of the other processes only whether a called id exists: stand-ins that
    # fail loudly if a view ever reads more of them.
    stand_in = Process.model_construct()  # type: ignore[call-arg]
    for org, pid in processes.values():
        index.processes.setdefault((org, pid), stand_in)
    common = inputs_common(lang, data["ids"], text("qms.yaml"))
    entries = load_diagram_cache(out)
    manifest = load_manifest(out)
    base = Path(out)
    if common is None:
        return None
    inputs = {n: e.inputs for n, e in entries.items() if e.inputs}
    views = []
    for rel in edited:
        org, pid = processes[rel]
        name = f"{org}/{pid}"
        digest = flow_digest(common, [rel, *orgs.get(org, [])], text)
        if digest is None:
            return None
        inputs[name] = digest
        entry = entries.get(name)
        if entry and entry.inputs == digest and files_current(base, manifest, name, entry, formats):
            continue
        views.append(flow_view(index, index.processes[(org, pid)], lang))
    drawn = {v.name for v in views}
    reused = [n for n in data["names"] if n not in drawn]
    for name in reused:
        entry = entries.get(name)
        if entry is None or not files_current(base, manifest, name, entry, formats):
            return None
    try:
        rendered = render_diagrams(ws, lang, out, formats, given=Given(list(views), reused, inputs))
    except GraphvizMissing:
        return None
    return rendered, edited
