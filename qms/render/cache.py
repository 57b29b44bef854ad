"""The per-diagram cache of an output folder, and the digests that say a diagram is current.

`.qms-diagrams.json` keeps, per diagram, a key of what it shows (`view_key`) and, per flow,
a digest of the files its view was built from (`flow_inputs`); with the engine's manifest they
let a render skip a diagram without building its view. Kept apart from the drawing code
(qms/render/diagrams.py) and free of the model, the views and the layout, so that `qms render`
after an edit (qms/render/warm.py) can tell what is current before it imports any of them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qms.files import read_cache_bytes
from qms.load import code_digest as code_digest_of
from qms.load import source_digest
from qms.render.engine import DotJob, RenderReport, graphviz_version, is_current

if TYPE_CHECKING:
    from qms.index import Index
    from qms.model import Workspace
    from qms.render.diagrams import View

DIAGRAM_CACHE = ".qms-diagrams.json"
"""Per diagram: the key of what it shows, and the engine's cache key of each file drawn."""
DIAGRAM_CACHE_VERSION = 2

_HERE = Path(__file__).resolve().parent
RENDER_SOURCES = (*sorted(_HERE.glob("*.py")), _HERE.parent / "views.py")
"""The code that turns a view into a DOT text: qms/render/*.py and qms/views.py."""
_SOURCES = source_digest(RENDER_SOURCES, f"qms-diagrams {DIAGRAM_CACHE_VERSION}")
"""Read at import, so that the digest describes the code that runs, even if the files are
edited while a long render is under way."""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The render code's digest plus the graphviz library's and Graphviz's versions.

    Empty when a source file could not be read (e.g. a zipped install): then nothing is
    cached, since a code change could not be detected.
    """
    import graphviz

    if not _SOURCES:
        return ""
    versions = f"{_SOURCES}\0{getattr(graphviz, '__version__', '?')}\0{graphviz_version()}"
    return hashlib.sha256(versions.encode("utf-8")).hexdigest()


def view_key(view: View, code: str) -> str:
    """sha256 over the render code and the view's repr.

    A view is a frozen dataclass of strings, tuples and dicts whose repr lists every field
    (tests/render/test_incremental.py checks that no field hides from repr), and the DOT text
    is a pure function of the view, the first pass (itself a function of the view) and the
    code: so an equal key means an equal DOT text.
    """
    return hashlib.sha256(f"{code}\0{type(view).__name__}\0{view!r}".encode()).hexdigest()


@lru_cache(maxsize=1)
def package_digest() -> str:
    """sha256 over every file of the qms package (code, translations, data), or '' when one
    cannot be read: a flow's input digest holds only for the code that built its view from
    the files (the loader, the model, the views and their labels)."""
    here = Path(__file__).resolve().parent.parent
    files = []
    for folder, subfolders, names in os.walk(here):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        files += [Path(folder, n) for n in names]
    # The digest kept in the cache folder with each file's size, time and inode: the
    # package is read and hashed again only when one of them changed (qms.load.cache).
    return code_digest_of(sorted(files), "qms-package")


def flow_inputs(
    ws: Workspace, index: Index, lang: str, text: Callable[[str], str | None]
) -> dict[str, str]:
    """<org>/<process> -> a digest of everything its flow view reads, from the texts the
    loader read (`text(rel)`): the process's file, the files of its organisation (its
    roles, names and example marks; every file that declares the organisation, since roles
    are merged from all of them), qms.yaml, which file each process and organisation id was
    taken from (a call's link and which definition wins), the language and the code.

    A flow whose digest equals the one recorded when it was drawn has the same view, so
    `render_diagrams` neither builds nor compares it. A flow whose file text is unknown gets
    no digest (it is always built). tests/render/test_incremental.py edits every kind of
    input at random and compares with a render into an empty folder.
    """
    settings = text(ws.settings.source)
    common = inputs_common(lang, ids_digest(ws, index), settings)
    if common is None:
        return {}
    orgs = organisation_files(ws)
    found: dict[str, str] = {}
    for (org, pid), process in index.processes.items():
        digest = flow_digest(common, [process.source, *orgs.get(org, [])], text)
        if digest is not None:
            found[f"{org}/{pid}"] = digest
    return found


def organisation_files(ws: Workspace) -> dict[str, list[str]]:
    """Organisation id -> every file declaring it, in the loader's order."""
    orgs: dict[str, list[str]] = {}
    for declared in ws.organisations:
        orgs.setdefault(declared.id, []).append(declared.source)
    return orgs


def ids_digest(ws: Workspace, index: Index) -> str:
    """A digest of which file each organisation and process id was taken from."""
    orgs = organisation_files(ws)
    listed = [sorted(orgs.items()), [[*k, p.source] for k, p in sorted(index.processes.items())]]
    return hashlib.sha256(json.dumps(listed).encode()).hexdigest()


def inputs_common(lang: str, ids: str, settings: str | None) -> hashlib._Hash | None:
    """The part of every flow's `flow_inputs` digest that all flows share (code, language,
    ids, qms.yaml); None when the code or the settings' text is unknown (no digest)."""
    code = package_digest()
    if not code or settings is None:
        return None
    common = hashlib.sha256(f"{code}\0{code_digest()}\0{lang}\0".encode())
    common.update(bytes.fromhex(ids))
    common.update(hashlib.sha256(settings.encode()).digest())
    return common


def flow_digest(
    common: hashlib._Hash, rels: Iterable[str], text: Callable[[str], str | None]
) -> str | None:
    """One flow's `flow_inputs` digest from the texts of its files (its process's, then its
    organisation's); None when one of them is unknown."""
    h = common.copy()
    for rel in rels:
        content = text(rel)
        if content is None:
            return None
        h.update(f"{rel}\0".encode() + hashlib.sha256(content.encode()).digest())
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    """A diagram's key and, per format, the engine cache key of the file drawn from it."""

    key: str
    files: Mapping[str, str]
    layout: str = ""
    """A flow's key in the layout cache, so that keys no diagram uses can be dropped."""
    inputs: str = ""
    """A flow's `flow_inputs` digest when it was drawn ('' for other diagrams)."""


_parsed: tuple[bytes, dict[str, Entry]] | None = None
"""The bytes of the last `.qms-diagrams.json` read and what they held: a render after an edit
reads the file in qms/render/warm.py and again under the output lock in `render_diagrams`, and
parsing it (a JSON text of every diagram) costs far more than reading it again to compare."""


def load_diagram_cache(out: str | os.PathLike[str]) -> dict[str, Entry]:
    """The per-diagram cache of an output folder; empty when missing, broken or of another
    version (a miss only costs time). The file is read every time; it is parsed again only
    when its bytes differ from the last read's (what it holds is a function of its bytes)."""
    global _parsed
    data = read_cache_bytes(Path(out) / DIAGRAM_CACHE)
    if data is None:
        return {}
    if _parsed is None or _parsed[0] != data:
        _parsed = (data, _diagram_entries(data))
    return dict(_parsed[1])


def _diagram_entries(data: bytes) -> dict[str, Entry]:
    """The entries of a `.qms-diagrams.json` text; empty when broken or of another version."""
    try:
        found = json.loads(data)
        if found.get("version") != DIAGRAM_CACHE_VERSION:
            return {}
        entries: dict[str, Entry] = {}
        for name, value in found["diagrams"].items():
            key, files, layout = value["key"], value["files"], value.get("layout", "")
            inputs = value.get("inputs", "")
            if (
                isinstance(key, str)
                and isinstance(layout, str)
                and isinstance(inputs, str)
                and all(isinstance(f, str) and isinstance(k, str) for f, k in files.items())
            ):
                entries[str(name)] = Entry(key, dict(files), layout, inputs)
        return entries
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return {}


_PLAIN = re.compile(r"[ !#-\[\]-~]*")
"""Printable ASCII without '"' and '\\': the strings `json.dumps` writes as they are, quoted."""


def dump_diagram_cache(entries: Mapping[str, Entry]) -> str:
    """Stable JSON: hashes only, one line per diagram of the last run, as `json.dumps` (with
    `sort_keys`) writes each. Its names, hashes and formats are plain ASCII (`_PLAIN`), which
    JSON quotes as they are: then each line is formatted directly (after an edit of one flow
    of 1,000, calling `json.dumps` twice per line cost 52 million instructions, 3 % of the
    run); any other string, and the lines go through `json.dumps` (tests/render/
    test_incremental.py compares the two)."""
    strings = [
        s for name, e in entries.items() for s in (name, e.key, e.layout, e.inputs, *_flat(e))
    ]
    plain = all(type(s) is str for s in strings) and _PLAIN.fullmatch("".join(cast(Any, strings)))
    line = _plain_line if plain else _json_line
    lines = [line(name, e) for name, e in sorted(entries.items())]
    body = "\n" + ",\n".join(lines) + "\n" if lines else ""
    return f'{{"version": {DIAGRAM_CACHE_VERSION}, "diagrams": {{{body}}}}}\n'


def _flat(entry: Entry) -> Iterable[object]:
    """An entry's formats and their hashes."""
    for fmt, key in entry.files.items():
        yield fmt
        yield key


def _json_line(name: str, e: Entry) -> str:
    """One diagram's line of `.qms-diagrams.json`, through `json.dumps`."""
    return f"{json.dumps(name)}: " + json.dumps(
        {"files": dict(e.files), "key": e.key, "layout": e.layout}
        | ({"inputs": e.inputs} if e.inputs else {}),
        sort_keys=True,
    )


def _plain_line(name: str, e: Entry) -> str:
    """`_json_line` of an entry whose strings are all `_PLAIN`."""
    files = ", ".join(f'"{fmt}": "{key}"' for fmt, key in sorted(e.files.items()))
    inputs = f'"inputs": "{e.inputs}", ' if e.inputs else ""
    return f'"{name}": {{"files": {{{files}}}, {inputs}"key": "{e.key}", "layout": "{e.layout}"}}'


@dataclass
class Given:
    """What a render after an edit knows without the whole workspace (qms/render/warm.py)."""

    views: list[View]
    """The views to draw or compare by key: the edited flows'."""
    reused: list[str]
    """Every other diagram, vouched for by its entry, the manifest and unchanged inputs."""
    inputs: dict[str, str]
    """Every flow's `flow_inputs` digest, as a full render would record it."""


@dataclass
class Rendered:
    """What `render_diagrams` did."""

    report: RenderReport
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(diagram, message) for flows whose first pass Graphviz refused."""
    jobs: list[DotJob] = field(default_factory=list)
    """The diagrams whose DOT was built this run (the others were current)."""
    diagrams: int = 0
    """Every diagram of the workspace."""


def with_inputs(entry: Entry, inputs: str) -> Entry:
    """`entry` with today's inputs digest (itself when unchanged: a render after an edit
    keeps a thousand entries as they were)."""
    return entry if entry.inputs == inputs else dataclasses.replace(entry, inputs=inputs)


def files_current(
    root: Path, manifest: Mapping[str, str], name: str, entry: Entry, formats: Iterable[str]
) -> bool:
    """True when the manifest vouches for every requested file drawn from `entry`."""
    for fmt in formats:
        key = entry.files.get(fmt)
        if key is None or not is_current(root, manifest, f"{name}.{fmt}", key):
            return False
    return True
