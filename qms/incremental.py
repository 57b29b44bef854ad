"""Incremental `qms validate`: after an edit, re-check what the edit can change, nothing more.

A national workspace has 10,000 files; a quality group saves one of them at a time. The
findings of a run are kept, per file, in the user's cache folder, and the next run compares
the files' sizes, times and contents with what was checked. What it may keep rests on two
properties of the rules, both tested for every rule in tests/test_incremental.py:

- a loader finding, and a finding of a rule declared `scope="file"`, in a document depends
  only on that document (and the settings, the date and qms itself, which are in the key);
- the other rules (`scope="workspace"`: references, coverage, hand-offs...) never read the
  wording of a text (a name, a description), only whether it is empty: their findings
  depend on the documents' *shape*, everything but the wording.

So when every edited document keeps its shape (the usual edit while drafting: rewording a
step, a purpose, a description), the workspace rules' findings stand as they were (moved to
their new lines), and only the edited documents are loaded and re-checked. Each workspace
rule also declares what it reads (`Rule.reads`): one whose reads an edit left alone keeps its
findings; one that declares its `shared` fields, which the edit left alone, runs again on the
edited documents with stand-ins of the others (`ghost`). Any other edit (a new file, an id,
qms.yaml, another qms version) re-checks more, up to everything, as a cold run does. Either
way the output is exactly that of a full run; `QMS_CACHE=0` switches the cache off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from qms.findings import Finding, Result
from qms.lifetime import keep_until_exit
from qms.load import cache_home, code_digest, discover, gc_paused
from qms.load.cache import RACY_NS

if typing.TYPE_CHECKING:
    from pydantic import BaseModel

    from qms.lint import Rule
    from qms.load import Loaded
    from qms.model import Document

Mode = Literal["cold", "unchanged", "incremental", "structural", "local", "workspace", "uncached"]
"""How a run went: everything checked (`cold`, `uncached`: no cache), nothing edited,
only the edited files checked after a rewording (`incremental`) or after an edit that no
workspace rule reads (`structural`), the edited files and the workspace rules that read what
changed, for the edited files alone, with stand-ins of the others (`local`, `Rule.shared`),
or those rules over the whole workspace (`workspace`)."""

STATE_VERSION = 5


@dataclass
class Entry:
    """What was checked of one file."""

    stat: tuple[int, int, int] | None
    """(size, mtime_ns, inode) when trustworthy, else None (always re-read)."""
    digest: bytes | None
    """SHA-256 of the text, None when it could not be read as text."""
    at: tuple[int, int]
    """(offset, length) of the text in the state's text store."""
    keyed: tuple[tuple[Finding, bool], ...]
    """Loader findings and `file`-scope rule findings in this file, each with whether it
    stands on a key (to move it to its new line after a rewording)."""
    anchors: frozenset[str] = frozenset()
    """Codes of the `anchored` rules this file's document anchors (`Rule.anchored`)."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for f, _ in self.keyed)


@dataclass
class State:
    """A validated workspace: the key it is valid for, its files, the cross-file findings."""

    key: bytes
    refused: list[Any]
    entries: dict[str, Entry]
    wide: dict[str, list[tuple[Finding, bool]]]
    """Findings of `workspace`-scope rules by rule code, each with whether it stands on a
    key."""
    other: list[Finding] = field(default_factory=list)
    """Loader findings outside any model file (refused links and folders)."""
    language: str = "fi"
    store_size: int = 0
    examples: int = 0
    """Elements marked `example:`; an edit that changes a mark is never wording-only."""
    marked: frozenset[str] = frozenset()
    """Organisations (ids in lower case) with an `example:` mark, which their documents'
    elements inherit: an edit of their documents is counted again over the workspace."""
    ghosts: bytes = b""
    """The token of the stand-ins kept beside the state (`ghosts.pickle`, `_keep_ghosts`);
    empty when there are none."""
    version: int = STATE_VERSION


@dataclass
class Outcome:
    """What `qms validate` prints and exits with, and how the run got there."""

    result: Result
    language: str
    fatal: dict[str, str] | None
    mode: Mode
    checked: list[str] = field(default_factory=list)
    """The files loaded and checked again (all of them on a cold run)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Where a cold run spent its time (`load`, `rules`, `keep`), for the benchmark."""
    state: State | None = None
    """The state kept after a run that re-used one: its entries' digests say what each file
    held when checked (`qms render` tells from them what changed since it drew)."""


# --- shape -----------------------------------------------------------------------------------


_MENTIONS: dict[int, tuple[Any, bool]] = {}


def _mentions_text(annotation: Any) -> bool:
    """Whether a type annotation is, or contains, the model's multilingual `Text`.

    Kept by the annotation's identity (with the annotation, so that the identity stays its
    own): the model's fields share their parts (`Text`, `Id`...), and walking each field's
    whole annotation again cost a run after one edit 2 % of its instructions."""
    from qms.model import _check_text

    kept = _MENTIONS.get(id(annotation))
    if kept is not None:
        return kept[1]
    if getattr(annotation, "func", None) is _check_text:
        found = True
    else:
        metadata = getattr(annotation, "__metadata__", ())
        found = any(_mentions_text(m) for m in metadata) or any(
            _mentions_text(a) for a in typing.get_args(annotation)
        )
    _MENTIONS[id(annotation)] = (annotation, found)
    return found


_TEXT_FIELDS: dict[type, frozenset[str]] = {}


def _text_fields(cls: type[BaseModel]) -> frozenset[str]:
    """The fields of a model class that hold `Text` (cached per class)."""
    found = _TEXT_FIELDS.get(cls)
    if found is None:
        found = frozenset(
            name
            for name, info in cls.model_fields.items()
            if _mentions_text(info.annotation) or any(_mentions_text(m) for m in info.metadata)
        )
        _TEXT_FIELDS[cls] = found
    return found


def _mask(value: Any) -> Any:
    """A text reduced to what the workspace rules may see: present, blank, its languages."""
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str):
        return ("text", bool(value), not value.strip())
    if isinstance(value, dict):
        return ("text", bool(value), all(not v.strip() for v in value.values()), sorted(value))
    return value


def project(node: Any, reads: frozenset[str], truthy: frozenset[str]) -> Any:
    """`shape` restricted to the fields named in `reads` (and whether those in `truthy` are
    empty): what a `workspace` rule declaring them may see of a document."""
    from pydantic import BaseModel

    if isinstance(node, BaseModel):
        cls = type(node)
        texts = _text_fields(cls)
        read, empty = _named(cls, reads), _named(cls, truthy)
        return (
            cls.__name__,
            tuple(
                (
                    name,
                    bool(value)
                    if name in empty
                    else _mask(value)
                    if name in texts
                    else project(value, reads, truthy),
                )
                for name, value in node.__dict__.items()
                if name in read or name in empty
            ),
            tuple(sorted(n for n in node.model_fields_set if n in read)),
        )
    if isinstance(node, list | tuple):
        return [project(v, reads, truthy) for v in node]
    if isinstance(node, dict):
        return {k: project(v, reads, truthy) for k, v in node.items()}
    return node


def summary(rule: Rule, doc: Document) -> Any:
    """What a `workspace` rule reads of one document (`Rule.reads`): equal summaries before and
    after an edit mean the rule's findings stand."""
    return shape(doc) if rule.reads is None else project(doc, rule.reads, rule.truthy)


def _anchors(rules: Sequence[Rule], doc: Document | None) -> frozenset[str]:
    """The codes of the `anchored` rules that `doc` anchors."""
    if doc is None:
        return frozenset()
    return frozenset(r.code for r in rules if r.anchored is not None and r.anchored(doc))


def shape(node: Any) -> Any:
    """A document with the wording of its texts left out, in comparable form."""
    from pydantic import BaseModel

    if isinstance(node, BaseModel):
        texts = _text_fields(type(node))
        return (
            type(node).__name__,
            tuple(
                (name, _mask(value) if name in texts else shape(value))
                for name, value in node.__dict__.items()
            ),
            tuple(sorted(node.model_fields_set)),
        )
    if isinstance(node, list | tuple):
        return [shape(v) for v in node]
    if isinstance(node, dict):
        return {k: shape(v) for k, v in node.items()}
    return node


_NAMED: dict[tuple[type, frozenset[str]], frozenset[str]] = {}


def _named(cls: type[BaseModel], names: frozenset[str]) -> frozenset[str]:
    """The fields of `cls` that `names` names: by name (`id`, in any class) or by class and
    name (`Process.id`, that class's alone: `Rule.reads`, `Rule.shared`)."""
    found = _NAMED.get((cls, names))
    if found is None:
        own = cls.__name__
        found = _NAMED[cls, names] = frozenset(
            n for n in cls.model_fields if n in names or f"{own}.{n}" in names
        )
    return found


def _within(fields: frozenset[str], keep: frozenset[str]) -> bool:
    """Whether every field `fields` names is one that `keep` names too."""
    return all(f in keep or f.partition(".")[2] in keep for f in fields)


def shared_fields(rules: Sequence[Rule]) -> frozenset[str]:
    """The fields the stand-ins keep: every `shared` field of the `workspace` rules."""
    keep: set[str] = set()
    for r in rules:
        if r.scope == "workspace" and r.shared is not None:
            keep |= r.shared
    return frozenset(keep)


_DEFAULTS: dict[type, dict[str, Any]] = {}


def _defaults(cls: type[BaseModel]) -> dict[str, Any]:
    """Each field's default (None when it has none): what a stand-in holds for the fields it
    does not keep, so that a rule walking every document finds a value of the expected kind."""
    found = _DEFAULTS.get(cls)
    if found is None:
        found = _DEFAULTS[cls] = {
            name: None if info.is_required() else info.get_default(call_default_factory=True)
            for name, info in cls.model_fields.items()
        }
    return found


_KEPT: dict[tuple[type, frozenset[str]], tuple[tuple[str, bool], ...]] = {}


def _kept(cls: type[BaseModel], keep: frozenset[str]) -> tuple[tuple[str, bool], ...]:
    """The fields of `cls` a stand-in keeps, each with whether it holds `Text`."""
    found = _KEPT.get((cls, keep))
    if found is None:
        texts, named = _text_fields(cls), _named(cls, keep)
        found = _KEPT[cls, keep] = tuple((n, n in texts) for n in cls.model_fields if n in named)
    return found


def _stand_in(value: Any) -> Any:
    """A text as the stand-ins keep it: each language's text blank as it was, or 'x'."""
    if isinstance(value, list):
        return [_stand_in(v) for v in value]
    if isinstance(value, str):
        return value if not value.strip() else "x"
    if isinstance(value, dict):
        return {k: v if not v.strip() else "x" for k, v in value.items()}
    return value


def ghost(node: Any, keep: frozenset[str]) -> Any:
    """A light stand-in of a document: the same classes, only the fields in `keep` (at any
    depth, texts reduced as the `workspace` rules may see them), the others at their
    defaults. A rule declaring `shared` fields within `keep` finds in a full document the
    same with stand-ins of the other documents as with the documents themselves
    (tests/test_incremental_wide.py)."""
    from pydantic import BaseModel

    if isinstance(node, BaseModel):
        cls = type(node)
        values = dict(_defaults(cls))
        given = node.__dict__
        for name, text in _kept(cls, keep):
            if name in given:
                value = given[name]
                values[name] = _stand_in(value) if text else ghost(value, keep)
        new = cls.__new__(cls)
        setattr_ = object.__setattr__
        setattr_(new, "__dict__", values)
        setattr_(new, "__pydantic_fields_set__", node.model_fields_set & _named(cls, keep))
        setattr_(new, "__pydantic_extra__", None)
        private = node.__pydantic_private__
        if private and private.get("_salvaged") is not None:
            private = {**private, "_salvaged": None}
        setattr_(new, "__pydantic_private__", private)
        return new
    if isinstance(node, list):
        return [ghost(v, keep) for v in node]
    if isinstance(node, tuple):
        return tuple(ghost(v, keep) for v in node)
    if isinstance(node, dict):
        return {k: ghost(v, keep) for k, v in node.items()}
    return node


# --- the state on disk -----------------------------------------------------------------------


def _folder(root: str) -> Path | None:
    """Where the state of this workspace is kept, or None without a cache."""
    home = cache_home()
    if home is None:
        return None
    name = hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:32]
    return home / "validate" / name


def _code_signature() -> str:
    """Changes whenever qms's own code, Python or pydantic changes; empty when unreadable."""
    package = Path(__file__).parent
    return code_digest(sorted(package.rglob("*.py")), f"validate {STATE_VERSION}")


def _key(code: str, strict: bool, as_of: dt.date | None) -> bytes:
    """What a kept state is valid for: the code, the options and today's date (deadlines)."""
    h = hashlib.sha256(code.encode())
    h.update(f"|{strict}|{as_of}|{dt.date.today()}".encode())
    return h.digest()


def _read_state(folder: Path) -> State | None:
    """The kept state, or None when missing or unusable (a cache miss, never an error)."""
    try:
        state = pickle.loads((folder / "state.pickle").read_bytes())
    except Exception:  # noqa: BLE001 - a broken cache entry is a miss
        return None
    return state if isinstance(state, State) and state.version == STATE_VERSION else None


def _write_state(folder: Path, state: State) -> None:
    """Keep the state atomically; a failure only costs the next run its head start."""
    from qms.files import write_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "state.pickle", pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


def _stat(path: str, now_ns: int) -> tuple[int, int, int] | None:
    """A file's (size, mtime_ns, inode), None when racy or unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if st.st_mtime_ns >= now_ns - RACY_NS:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


# --- runs ------------------------------------------------------------------------------------


def validate(
    root: str,
    strict: bool = False,
    as_of: dt.date | None = None,
    cache: bool = True,
    one_shot: bool = False,
) -> Outcome:
    """Validate a workspace like `load` + `lint`, re-using what an earlier run kept.

    `one_shot` is for a process that ends with the run and has no threads (the command): a
    cold run may then fork a helper to parse on another core (qms/load/split.py).

    The cyclic garbage collector is paused throughout: the run makes millions of objects and
    almost no cycles, and each collection would walk them all. A one-shot run in the `qms`
    script's process (qms.lifetime) then keeps and freezes what is alive, so that neither a
    later collection nor the process's end walks the model again.
    """
    with gc_paused():
        outcome = _validate(root, strict, as_of, cache, one_shot)
        if one_shot:
            keep_until_exit()
    return outcome


def _validate(
    root: str, strict: bool, as_of: dt.date | None, cache: bool, one_shot: bool
) -> Outcome:
    code = _code_signature() if cache else ""
    folder = _folder(root) if code else None
    base = Path(root)
    if folder is None or not (base / "qms.yaml").is_file():
        return _cold(root, strict, as_of, None, b"", one_shot)
    key = _key(code, strict, as_of)
    state = _read_state(folder)
    if state is None or state.key != key:
        return _cold(root, strict, as_of, folder, key, one_shot)
    with gc_paused():
        kept = _incremental(root, strict, as_of, folder, state)
    return kept if kept is not None else _cold(root, strict, as_of, folder, key, one_shot)


@dataclass
class Start:
    """What a cold run takes before loading: the files found and their (size, time, inode),
    taken first so that an edit made while loading is seen by the next run, and where the
    state is kept and for what key (`folder` None: it is not kept)."""

    folder: Path | None
    key: bytes
    names: list[str]
    refused: list[Any]
    stats: dict[str, tuple[int, int, int] | None]

    def kept(self, loaded: Loaded) -> Path | None:
        """Where to keep the state of `loaded`: None when not kept, or when the load found
        other files than were stat'ed."""
        if self.folder is None or loaded.workspace is None or self.names != loaded.files:
            return None
        return self.folder


def _start(root: str, folder: Path | None, key: bytes) -> Start:
    now_ns = int(dt.datetime.now().timestamp() * 1e9)
    base = os.fspath(root)
    names, refused = discover(Path(root)) if folder else ([], [])
    prefix = os.path.join(base, "")
    stats = {rel: _stat(prefix + rel, now_ns) for rel in names}
    return Start(folder, key, names, refused, stats)


def starting(root: str) -> Start | None:
    """For a one-shot command that loads and lints the whole workspace anyway (`qms render`,
    `qms build`, `qms export`: qms/publish.py), taken before it loads: what it needs to keep
    the state cold `qms validate` keeps (`keep_linted`), so that the first run after an edit,
    of `qms validate` or of `qms render`, is not a cold one. Their lint is `qms validate`'s
    without options (no --strict, no --as-of), which is the key. None without a cache or a
    workspace, or when the kept state is current."""
    code = _code_signature()
    folder = _folder(root) if code else None
    if folder is None or not (Path(root) / "qms.yaml").is_file():
        return None
    start = _start(root, folder, _key(code, False, None))
    return None if _current(start, folder) else start


def _current(start: Start, folder: Path) -> bool:
    """Whether the kept state is for these files as they are now (by size, time and inode):
    e.g. `qms render` after `qms validate` (or its own warm path, which ran it) need not keep
    it again."""
    state = _read_state(folder)
    if state is None or state.key != start.key or state.refused != start.refused:
        return False
    entries = state.entries
    if len(entries) != len(start.names):
        return False
    for rel in start.names:
        entry = entries.get(rel)
        st = start.stats[rel]
        if entry is None or st is None or entry.stat != st:
            return False
    return not any(f.code == "QMS000" for f, _ in _wide(state))


_Checked = tuple[Result, list[tuple["Rule", Finding, bool]], bytes, "_Stored | None"]


def _check(
    loaded: Loaded, kept: Path | None, strict: bool, as_of: dt.date | None, one_shot: bool
) -> _Checked:
    """Every rule over `loaded`, on two cores when that pays (`lint_aside`: its helper runs the
    `workspace`-scope rules and writes the document cache's new packs while this process runs
    the `file`-scope ones, prepares what the state keeps of each file and, when the state is
    kept in `kept`, writes the stand-ins; the two parts took about as long on a national
    network once the flow rules got faster, the stand-ins having been the helper's)."""
    from qms.lint import lint_aside, lint_stamped
    from qms.load.split import wanted

    sizes = [len(loaded.sources.text(rel) or "") for rel in loaded.files]
    if one_shot and wanted(sizes):
        finish = lint_aside(loaded, lambda: _aside(None, loaded), strict, as_of)
        stored = _stored(loaded) if kept is not None else None  # while the helper works
        token = _write_ghosts(kept, loaded) if kept is not None else b""
        result, triples, _ = finish()
        return result, triples, token, stored
    result, triples = lint_stamped(loaded, strict=strict, as_of=as_of)
    return result, triples, _aside(kept, loaded), None


def _keep(start: Start, kept: Path, loaded: Loaded, checked: _Checked) -> None:
    result, triples, token, stored = checked
    with gc_paused():
        state = State(
            start.key, start.refused, {}, {}, language=loaded.language, examples=result.examples
        )
        state.ghosts = token
        _keep_cold(kept, state, loaded, triples, start.stats, stored)


def keep_linted(start: Start | None, loaded: Loaded, two_cores: bool) -> Result:
    """`lint(loaded)` as cold `qms validate` runs it, keeping its state (`start`: what
    `starting` took before the load; None: only lint). With `two_cores`, for a command that
    waits for the findings (`qms build` prints them first), on two cores as `qms validate`
    does (`lint_aside`: the load must have been asked not to `flush`, the helper writes the
    packs). Without, in this process: `qms render` runs it while its workers lay the flows
    out, and a forked helper would then copy the pages of the model it reads (a cold render's
    memory is the larger)."""
    kept = start.kept(loaded) if start is not None else None
    checked = _check(loaded, kept, False, None, one_shot=two_cores)
    if start is not None and kept is not None:
        _keep(start, kept, loaded, checked)
    return checked[0]


def _cold(
    root: str,
    strict: bool,
    as_of: dt.date | None,
    folder: Path | None,
    key: bytes,
    one_shot: bool = False,
) -> Outcome:
    """Load and check everything; keep the findings per file for the next run. A one-shot
    run (the command) may load on two cores (`load(..., split=True)`) and then check on two
    (`lint_aside`, which also writes the document cache's new packs and the stand-ins)."""
    from qms.load import load

    start = _start(root, folder, key)
    started = time.perf_counter()
    loaded = load(root, split=one_shot, flush=not one_shot)
    loaded_at = time.perf_counter()
    kept = start.kept(loaded)
    checked = _check(loaded, kept, strict, as_of, one_shot)
    result = checked[0]
    checked_at = time.perf_counter()
    if one_shot:
        keep_until_exit(loaded, checked[1])  # not freed object by object on the way out
    if loaded.workspace is None:
        return Outcome(result, loaded.language, loaded.fatal, "cold")
    if kept is not None:
        _keep(start, kept, loaded, checked)
    seconds = {
        "load": loaded_at - started,
        "rules": checked_at - loaded_at,
        "keep": time.perf_counter() - checked_at,
    }
    mode: Mode = "cold" if folder else "uncached"
    return Outcome(result, loaded.language, loaded.fatal, mode, loaded.files, seconds)


def _keep_cold(
    folder: Path,
    state: State,
    loaded: Loaded,
    triples: Sequence[tuple[Rule, Finding, bool]],
    stats: dict[str, tuple[int, int, int] | None],
    stored: _Stored | None = None,
) -> None:
    """Split a full run's findings by file and scope, and write them with the texts
    (`stored`: what `_stored` gives, when already done)."""
    per_file: dict[str, list[tuple[Finding, bool]]] = {rel: [] for rel in loaded.files}
    other: list[Finding] = []
    for f in loaded.findings:
        if f.file in per_file:
            per_file[f.file].append((f, False))
        else:
            other.append(f)
    wide: dict[str, list[tuple[Finding, bool]]] = {}
    for r, f, at_key in triples:
        if r.scope == "file" and f.code != "QMS000" and f.file in per_file:
            per_file[f.file].append((f, at_key))
        else:
            wide.setdefault(r.code, []).append((f, at_key))
    if stored is not None:
        chunks, digests, anchors = stored
        sizes = [len(data) for data in chunks]
        body: Iterable[bytes] = chunks
    else:  # each text encoded and hashed as it is written: never all of them in memory
        digests, sizes, anchors = [], [], _all_anchors(loaded)
        body = _encoded(loaded, digests, sizes)
    from qms.files import write_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "texts.bin", body)
    except OSError:
        return
    entries: dict[str, Entry] = {}
    offset = 0
    for rel, size, digest in zip(loaded.files, sizes, digests, strict=True):
        entries[rel] = Entry(
            stats[rel],
            digest,
            (offset, size),
            tuple(per_file[rel]),
            anchors.get(rel, frozenset()),
        )
        offset += size
    state.entries, state.wide, state.other, state.store_size = entries, wide, other, offset
    state.marked = _marked(loaded)
    _write_state(folder, state)


@dataclass
class Ghosts:
    """Stand-ins of every document of a checked workspace (`ghost`), kept beside the state."""

    token: bytes
    """Equal to the state's `ghosts` while the two belong together."""
    unloaded: tuple[tuple[str, str, str], ...]
    documents: dict[str, Any]
    """By file; qms.yaml's settings are not among them (a run always loads them)."""
    marks: dict[str, Any] = field(default_factory=dict)
    """Each organisation's `example:` mark, by id in lower case (the first of an id, as
    `qms.example.organisation_of` finds it), which its documents' elements inherit."""
    keep: frozenset[str] | None = None
    """The fields the stand-ins keep (`_tiers`); None: every `shared` field."""


_Stored = tuple[list[bytes], list[bytes | None], dict[str, frozenset[str]]]


def _stored(loaded: Loaded) -> _Stored:
    """What a cold run keeps of each file that no finding changes: its text as stored (b""
    when unreadable), the text's digest and the document's anchors."""
    chunks: list[bytes] = []
    digests: list[bytes | None] = []
    for rel in loaded.files:
        text = loaded.sources.text(rel)
        chunks.append(text.encode("utf-8") if text is not None else b"")
        digests.append(_digest(text) if text is not None else None)
    return chunks, digests, _all_anchors(loaded)


def _encoded(loaded: Loaded, digests: list[bytes | None], sizes: list[int]) -> Iterator[bytes]:
    """Each file's text as `_stored` keeps it, one at a time, its digest and size appended
    to `digests` and `sizes` as it goes."""
    for rel in loaded.files:
        text = loaded.sources.text(rel)
        data = text.encode("utf-8") if text is not None else b""
        digests.append(hashlib.sha256(data).digest() if text is not None else None)
        sizes.append(len(data))
        yield data


def _aside(folder: Path | None, loaded: Loaded) -> bytes:
    """What a cold run writes that needs no findings: the document cache's new packs, and the
    stand-ins when the state is kept in `folder` (`_check` on two cores: the helper writes
    the packs, the command the stand-ins)."""
    if loaded.unwritten is not None:
        loaded.unwritten.flush()
    return _write_ghosts(folder, loaded) if folder is not None else b""


def _keep_ghosts(folder: Path, state: State, loaded: Loaded) -> None:
    """Write stand-ins of the loaded workspace's documents for the next runs (`_local`)."""
    state.ghosts = _write_ghosts(folder, loaded)


def _write_ghosts(folder: Path, loaded: Loaded) -> bytes:
    """Write stand-ins of the loaded workspace's documents; their token, or b"" when none
    were written: a document loaded only in part (its salvage is not in the stand-in)."""
    from qms.files import write_atomic
    from qms.load.salvage import salvaged_of
    from qms.rules import all_rules

    ws = loaded.workspace
    keep = shared_fields(all_rules())
    if ws is None or not keep or any(salvaged_of(d) for d in ws.documents()):
        return b""
    token = os.urandom(16)
    documents = {d.source: ghost(d, keep) for d in ws.documents() if d is not ws.settings}
    marks = {o.id.lower(): o.example for o in reversed(ws.organisations)}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n, fields in enumerate(_tiers(keep)):
            kept = Ghosts(token, ws.unloaded, documents, marks, fields)
            write_atomic(folder / f"ghosts-{n}.pickle", _pickled_ghosts(kept, fields))
        kept = Ghosts(token, ws.unloaded, documents, marks, keep)
        write_atomic(folder / "ghosts.pickle", _pickled_ghosts(kept))
    except OSError:
        return b""
    return token


def _tiers(keep: frozenset[str]) -> list[frozenset[str]]:
    """The smaller sets of fields whose stand-ins are kept in files of their own beside
    `ghosts.pickle` (which keeps every `shared` field), smallest first: a run whose rules
    share no more than one of them reads only that file. The one tier is what the index reads
    (`INDEX_FIELDS`): an edit of a step's role, a goal or a metric reference re-runs QMS003
    and QMS004 alone, and their stand-ins are under half of all of them (nationally 16,700
    of 34,700: the processes' own document references, the reports' results and the plans'
    actions are left out)."""
    from qms.index import INDEX_FIELDS

    return [INDEX_FIELDS] if keep != INDEX_FIELDS and _within(INDEX_FIELDS, keep) else []


def _pickled_ghosts(ghosts: Ghosts, fields: frozenset[str] | None = None) -> bytes:
    """The stand-ins as `ghosts.pickle` holds them: each model object as its class and the
    values it does not share with its class's defaults (`_revive` adds those back). A stand-in
    holds the defaults' very objects in every field it does not keep; pickled whole, each
    object's every field was written, and read back one by one (a role edit at 1,000
    processes spent 0.1 billion instructions reading 5,157 of them). The set of fields given
    is written once for all the objects that share it (most of one class do); with each
    object made directly, reading the stand-ins of 1,000 processes back went from 66.6 to
    59.6 million instructions.

    With `fields`, the documents' objects keep only those fields: the stand-ins `ghost` would
    make for them (`_tiers`), written without making them first."""
    from pydantic import BaseModel

    given: dict[frozenset[str], frozenset[str]] = {}
    marks = _models_in(ghosts.marks) if fields is not None else set()

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if not isinstance(obj, BaseModel):
                return NotImplemented
            cls = type(obj)
            defaults = _defaults(cls)
            own = {n: v for n, v in obj.__dict__.items() if v is not defaults.get(n, _ABSENT)}
            names = frozenset(obj.__pydantic_fields_set__)
            if fields is not None and id(obj) not in marks:
                named = _named(cls, fields)
                own = {n: v for n, v in own.items() if n in named}
                names &= named
            return _revive, (cls, own, given.setdefault(names, names), obj.__pydantic_private__)

    out = io.BytesIO()
    Pickler(out, pickle.HIGHEST_PROTOCOL).dump(ghosts)
    return out.getvalue()


def _models_in(value: Any) -> set[int]:
    """The ids of every model object in `value`, at any depth."""
    from pydantic import BaseModel

    found: set[int] = set()
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, BaseModel):
            found.add(id(item))
            todo.extend(item.__dict__.values())
        elif isinstance(item, list | tuple | set | frozenset):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
    return found


_ABSENT = object()


def _revive(
    cls: type[BaseModel], own: dict[str, Any], fields_set: Iterable[str], private: Any
) -> BaseModel:
    """A model object read back from `ghosts.pickle`: its class's defaults, then its own
    values (`_pickled_ghosts`); equal to the object written, with a set of given fields of
    its own. Called once per object (34,667 of them nationally): the defaults are looked up
    without a call and the three slots set through their descriptors, not by name."""
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _defaults(cls)
    new = _new(cls)  # no model class has a __new__ of its own
    _setattr(new, "__dict__", {**defaults, **own})
    given, extra, private_ = _SLOTS or _slots()
    given(new, set(fields_set))
    extra(new, None)
    private_(new, private)
    return new


_new = object.__new__
_setattr = object.__setattr__
_Setter = Callable[[Any, Any], None]
_SLOTS: tuple[_Setter, _Setter, _Setter] | None = None


def _slots() -> tuple[_Setter, _Setter, _Setter]:
    """The setters of a model object's three slots (given fields, extra, private), taken once
    (pydantic is imported late: a run with nothing edited never imports it)."""
    from pydantic import BaseModel

    global _SLOTS
    names = ("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
    given, extra, private = (BaseModel.__dict__[n].__set__ for n in names)
    _SLOTS = (given, extra, private)
    return _SLOTS


def _read_ghosts(folder: Path, state: State, fields: frozenset[str] | None = None) -> Ghosts | None:
    """The stand-ins kept with this state that keep at least `fields` (None: every `shared`
    field), read from the smallest file that has them (`_tiers`), or None."""
    names = ["ghosts.pickle"]
    if fields is not None:
        from qms.rules import all_rules

        tiers = _tiers(shared_fields(all_rules()))
        names[:0] = [f"ghosts-{n}.pickle" for n, tier in enumerate(tiers) if _within(fields, tier)]
    for name in names if state.ghosts else ():
        try:
            found = pickle.loads((folder / name).read_bytes())
        except Exception:  # noqa: BLE001 - a broken cache entry is a miss
            continue
        if isinstance(found, Ghosts) and found.token == state.ghosts:
            return found
    return None


def _covers(ghosts: Ghosts | None, fields: frozenset[str]) -> bool:
    """Whether `ghosts` keep every field in `fields`."""
    return ghosts is not None and (ghosts.keep is None or _within(fields, ghosts.keep))


def _all_anchors(loaded: Loaded) -> dict[str, frozenset[str]]:
    """Each document's anchors (`Rule.anchored`), by file."""
    from qms.rules import all_rules

    rules = [r for r in all_rules() if r.anchored is not None]
    ws = loaded.workspace
    docs = ws.documents() if ws is not None else []
    return {d.source: found for d in docs if (found := _anchors(rules, d))}


def _marked(loaded: Loaded) -> frozenset[str]:
    """Organisations whose `example:` mark their documents' elements inherit."""
    ws = loaded.workspace
    orgs = ws.organisations if ws is not None else ()
    return frozenset(o.id.lower() for o in orgs if o.example is not None)


def _read_text(folder: Path, at: tuple[int, int]) -> str | None:
    """A text as it was checked, from the state's store."""
    try:
        with open(folder / "texts.bin", "rb") as store:
            store.seek(at[0])
            data = store.read(at[1])
    except OSError:
        return None
    return data.decode("utf-8") if len(data) == at[1] else None


def _rebuild(rel: str, text: str) -> Document | None:
    """The document a kept text made, built again to compare shapes."""
    from qms.load import SourceMap, build_document, parse_file

    scratch = SourceMap()
    data, _ = parse_file(Path("."), rel, scratch, text.encode("utf-8"))
    if data is None:
        return None
    doc, _ = build_document(data, rel, scratch)
    return doc


def _incremental(
    root: str, strict: bool, as_of: dt.date | None, folder: Path, state: State
) -> Outcome | None:
    """Re-check what the edits can change; None when a cold run is needed."""
    now = int(dt.datetime.now().timestamp() * 1e9)
    base = os.fspath(root)
    names, refused = discover(Path(root))
    if refused != state.refused or any(f.code == "QMS000" for f, _ in _wide(state)):
        return None
    live = sum(e.at[1] for e in state.entries.values())
    if state.store_size > 2 * live + (1 << 20):
        return None  # the text store is mostly old texts: a cold run writes it afresh
    changed: list[str] = []
    stats: dict[str, tuple[int, int, int] | None] = {}
    dirty = False
    prefix = os.path.join(base, "")  # joined by hand below: os.path.join took 12 ms nationally
    for rel in names:
        # The time and size are taken before the text is read: an edit in between is seen
        # by the next run, never kept as checked.
        st = stats[rel] = _stat(prefix + rel, now)
        entry = state.entries.get(rel)
        if entry is None:
            changed.append(rel)
            continue
        if st is not None and st == entry.stat:
            continue
        try:
            text = Path(base, rel).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            changed.append(rel)  # the loader will say what is wrong with it
            continue
        if entry.digest is not None and _digest(text) == entry.digest:
            if entry.stat != st:
                entry.stat, dirty = st, True
            continue
        changed.append(rel)
    removed = set(state.entries) - set(names)
    if not changed and not removed:
        if dirty:
            _write_state(folder, state)
        return _outcome(root, state, "unchanged", [])
    if "qms.yaml" in changed:
        return None
    from qms.load import load

    if not removed and len(changed) < len(names) // 2 + 1:
        loaded = load(root, files=[*changed, "qms.yaml"], packs=False)
        if loaded.workspace is None:
            return None
        docs = {d.source: d for d in loaded.workspace.documents()}
        before = {rel: _before(folder, state, rel) for rel in changed}
        if all(_same(before[rel], docs.get(rel), shape) for rel in changed):
            found = _recheck(loaded, changed, docs, strict, as_of, reworded=True)
            if found is None:
                return None
            for rel in changed:  # the findings of rules that read no wording stand, moved
                kept = [(f, k) for f, k in state.entries[rel].keyed if _shape_only(f.rule)]
                found[rel] += _moved(kept, loaded, docs, changed)
            state.wide = {c: _moved(w, loaded, docs, changed) for c, w in state.wide.items()}
            _remember(folder, state, names, loaded, found, stats)
            return _outcome(root, state, "incremental", changed)
        rerun = _dirty(state, changed, before, docs)
        examples = _examples(state, loaded, changed, before, docs)
        ghosts = None
        if examples is None and state.marked:  # the organisation's mark may be kept
            ghosts = _read_ghosts(folder, state, frozenset())  # the marks: the smallest
            examples = _examples(state, loaded, changed, before, docs, ghosts)
        if rerun == set() and examples is not None:
            found = _recheck(loaded, changed, docs, strict, as_of)
            if found is None:
                return None
            state.wide = {c: _moved(w, loaded, docs, changed) for c, w in state.wide.items()}
            state.examples += examples
            _remember(folder, state, names, loaded, found, stats)
            return _outcome(root, state, "structural", changed)
        if rerun is not None and examples is not None:
            edit = Edit(names, changed, stats, loaded, docs, before, ghosts)
            local = _local(root, strict, as_of, folder, state, edit, rerun, examples)
            if local is not None:
                return local
        return _recheck_wide(
            root, strict, as_of, folder, state, names, changed, stats, rerun, examples
        )
    return _recheck_wide(root, strict, as_of, folder, state, names, changed, stats, None, None)


def _wide(state: State) -> list[tuple[Finding, bool]]:
    return [pair for found in state.wide.values() for pair in found]


def _before(folder: Path, state: State, rel: str) -> Document | None:
    """The document an edited file held when it was last checked, built again."""
    entry = state.entries.get(rel)
    before_text = _read_text(folder, entry.at) if entry and entry.digest else None
    return _rebuild(rel, before_text) if before_text is not None else None


def _same(before: Document | None, after: Document | None, view: Any) -> bool:
    return before is not None and after is not None and view(before) == view(after)


def _dirty(
    state: State,
    changed: list[str],
    before: dict[str, Document | None],
    after: dict[str, Document],
) -> set[str] | None:
    """The codes of the `workspace` rules that must run again because an edited document
    changed what they read; None when that cannot be told (a document that did not load)."""
    from qms.rules import all_rules

    if any(before[rel] is None or rel not in after for rel in changed):
        return None
    edited = set(changed)
    dirty: set[str] = set()
    elsewhere: set[str] | None = None  # the anchors of the other files, gathered once
    same: dict[tuple[frozenset[str] | None, frozenset[str]], bool] = {}  # rules reading alike
    for r in all_rules():
        if r.scope != "workspace":
            continue
        if r.anchored is not None:
            if elsewhere is None:
                elsewhere = set()
                for rel, e in state.entries.items():
                    if e.anchors and rel not in edited:
                        elsewhere |= e.anchors
            anchored = r.code in elsewhere or any(
                r.anchored(d) for rel in changed for d in (before[rel], after[rel])
            )
            if not anchored:
                continue  # it finds nothing, before as after
        key = (r.reads, r.truthy)
        if key not in same:
            same[key] = all(summary(r, before[rel]) == summary(r, after[rel]) for rel in changed)  # type: ignore[arg-type]
        if not same[key]:
            dirty.add(r.code)
    return dirty


PER_ORGANISATION = frozenset({"process", "plan", "metrics", "results", "assessment"})
"""Kinds of documents whose elements' example marks depend on nothing but the document, the
settings and their organisation's mark."""


def _examples(
    state: State,
    loaded: Loaded,
    changed: list[str],
    before: dict[str, Document | None],
    after: dict[str, Document],
    ghosts: Ghosts | None = None,
) -> int | None:
    """How many example elements the edits add (or remove); None when that needs the whole
    workspace (an organisation's document, or one of an organisation with an `example:` mark
    when `ghosts` does not keep the mark)."""
    from qms.example import count_examples
    from qms.load import assemble
    from qms.model import Organisation

    assert loaded.workspace is not None
    settings = loaded.workspace.settings
    delta = 0
    for rel in changed:
        docs = (before[rel], after.get(rel))
        for n, doc in enumerate(docs):
            if doc is None or doc.KIND not in PER_ORGANISATION:
                return None
            members: list[Document] = [settings, doc]
            org = str(getattr(doc, "organisation", "")).lower()
            if org in state.marked:
                if ghosts is None or org not in ghosts.marks:
                    return None
                mark = ghosts.marks[org]  # the organisation as far as its mark goes
                stub = Organisation.model_construct(
                    kind="organisation", id=org, name=org, example=mark
                )
                members.insert(1, stub)
            count = count_examples(assemble(loaded.root, members))
            delta += count if n else -count
    return delta


@dataclass
class Edit:
    """What a run after an edit found: the files, the edited ones loaded, as they were."""

    names: list[str]
    changed: list[str]
    stats: dict[str, tuple[int, int, int] | None]
    loaded: Loaded
    """The edited files and qms.yaml, loaded alone."""
    docs: dict[str, Document]
    before: dict[str, Document | None]
    ghosts: Ghosts | None = None
    """The stand-ins, when already read."""


def _local(
    root: str,
    strict: bool,
    as_of: dt.date | None,
    folder: Path,
    state: State,
    edit: Edit,
    rerun: set[str],
    examples: int,
) -> Outcome | None:
    """The `workspace` rules in `rerun` again for the edited files alone, on a workspace of
    the edited documents and stand-ins of the others (`ghost`), when each rule declares its
    `shared` fields and no edit changed one; their findings in the other files stand. None
    when that cannot be done (the caller runs them over the whole workspace)."""
    from qms.lint import Context, configure, stamped
    from qms.load import assemble
    from qms.load.salvage import salvaged_of
    from qms.rules import all_rules

    rules = all_rules()
    again = [r for r in rules if r.code in rerun]
    keep = shared_fields(rules)
    if any(r.shared is None or r.anchored is not None for r in again):
        return None
    changed, docs, before = edit.changed, edit.docs, edit.before
    if any(salvaged_of(docs[rel]) is not None for rel in changed):
        return None
    none: frozenset[str] = frozenset()
    if any(project(before[rel], keep, none) != project(docs[rel], keep, none) for rel in changed):
        return None  # what the other documents' findings read of it changed
    need = frozenset().union(*(r.shared or () for r in again))
    ghosts = edit.ghosts if _covers(edit.ghosts, need) else _read_ghosts(folder, state, need)
    loaded = edit.loaded
    if ghosts is None or loaded.workspace is None:
        return None
    edited = set(changed)
    settings = loaded.workspace.settings
    members: list[Document] = [settings]
    for rel in edit.names:
        found = docs.get(rel) if rel in edited else ghosts.documents.get(rel)
        if found is not None and found is not settings:
            members.append(found)
    ws = assemble(root, members, unloaded=ghosts.unloaded)
    severities = configure(rules, settings.rules, strict)
    fresh: dict[str, list[tuple[Finding, bool]]] = {r.code: [] for r in again}
    for r, f, k in stamped(Context(ws, as_of), loaded.sources, again, severities, only=edited):
        if f.code == "QMS000":
            return None
        if f.file in edited:
            fresh[r.code].append((f, k))
    found_here = _recheck(loaded, changed, docs, strict, as_of)
    if found_here is None:
        return None
    wide = {c: _moved(w, loaded, docs, changed) for c, w in state.wide.items()}
    for code, new in fresh.items():
        wide[code] = [(f, k) for f, k in wide.get(code, []) if f.file not in edited] + new
    state.wide = wide
    state.examples += examples
    _remember(folder, state, edit.names, loaded, found_here, edit.stats)
    return _outcome(root, state, "local", changed)


def _recheck_wide(
    root: str,
    strict: bool,
    as_of: dt.date | None,
    folder: Path,
    state: State,
    names: list[str],
    changed: list[str],
    stats: dict[str, tuple[int, int, int] | None],
    dirty: set[str] | None,
    examples: int | None,
) -> Outcome | None:
    """After an edit beyond wording: the `workspace` rules in `dirty` (every one when None)
    again, over the whole workspace, `file` rules on the edited files only (the others'
    findings stand: they read nothing but their own file, or nothing that changed); the
    example marks counted again only when `examples` (what the edits add) is unknown."""
    from qms.example import count_examples
    from qms.lint import Context, configure, stamped
    from qms.load import load
    from qms.rules import all_rules

    rules = all_rules()
    loaded = load(root)
    if loaded.workspace is None or loaded.files != names:
        return None
    severities = configure(rules, loaded.workspace.settings.rules, strict)
    again = [r for r in rules if r.scope == "workspace" and (dirty is None or r.code in dirty)]
    ctx = Context(loaded.workspace, as_of)
    docs = {d.source: d for d in loaded.workspace.documents()}
    wide = {c: _moved(w, loaded, docs, changed) for c, w in state.wide.items()}
    for r in again:
        wide[r.code] = []
    for r, f, k in stamped(ctx, loaded.sources, again, severities):
        wide[r.code].append((f, k))
    state.wide = wide
    if examples is None:
        state.examples = count_examples(loaded.workspace)
    else:
        state.examples += examples
    state.marked = _marked(loaded)
    found = _recheck(loaded, changed, docs, strict, as_of)
    if found is None or any(f.code == "QMS000" for f, _ in _wide(state)):
        return None
    anchors = _all_anchors(loaded)
    for rel, entry in state.entries.items():
        entry.anchors = anchors.get(rel, frozenset())
    _keep_ghosts(folder, state, loaded)
    _remember(folder, state, names, loaded, found, stats)
    return _outcome(root, state, "workspace", changed)


def _recheck(
    loaded: Loaded,
    changed: list[str],
    docs: dict[str, Document],
    strict: bool,
    as_of: dt.date | None,
    reworded: bool = False,
) -> dict[str, list[tuple[Finding, bool]]] | None:
    """Loader and `file`-scope findings of each edited file, checked with the settings alone,
    each with whether it stands on a key; after a rewording, only the rules that read wording
    (`Rule.wording`)."""
    from qms.lint import Context, configure, stamped
    from qms.load import assemble
    from qms.rules import all_rules

    assert loaded.workspace is not None
    settings = loaded.workspace.settings
    rules = all_rules()
    severities = configure(rules, settings.rules, strict)
    local = [r for r in rules if r.scope == "file" and (r.wording or not reworded)]
    found: dict[str, list[tuple[Finding, bool]]] = {rel: [] for rel in changed}
    for f in loaded.findings:
        if f.file in found:
            found[f.file].append((f, False))
    for rel in changed:
        if rel not in docs:
            continue  # it did not load: its loader findings say why
        alone = assemble(loaded.root, [settings, docs[rel]])
        for _, f, at_key in stamped(Context(alone, as_of), loaded.sources, local, severities):
            if f.code == "QMS000":
                return None
            if f.file == rel:
                found[rel].append((f, at_key))
    return found


def _shape_only(name: str) -> bool:
    """Whether the `file` rule named `name` reads no wording (a loader finding: False)."""
    from qms.rules import all_rules

    return any(r.name == name and r.wording is False for r in all_rules() if r.scope == "file")


def _moved(
    wide: list[tuple[Finding, bool]],
    loaded: Loaded,
    docs: dict[str, Document],
    changed: list[str],
) -> list[tuple[Finding, bool]]:
    """Kept `workspace` findings, those in edited files moved to their new positions."""
    from qms.lint import _suppression
    from qms.rules import get

    edited = set(changed)
    moved: list[tuple[Finding, bool]] = []
    for f, at_key in wide:
        if f.file in edited:
            from qms.load.salvage import raw_path

            line, col, keypath = loaded.sources.locate(
                f.file, raw_path(docs.get(f.file), f.path), at_key
            )
            reason = _suppression(docs.get(f.file), f.path, get(f.code))
            f = replace(f, line=line, col=col, keypath=keypath, suppressed=reason)
        moved.append((f, at_key))
    return moved


def _remember(
    folder: Path,
    state: State,
    names: list[str],
    loaded: Loaded,
    found: dict[str, list[tuple[Finding, bool]]],
    stats: dict[str, tuple[int, int, int] | None],
) -> None:
    """Fold the re-checked files into the state: their texts, findings and anchors; forget
    the deleted ones. The text store only grows here; a cold run compacts it."""
    from qms.rules import all_rules

    anchored = [r for r in all_rules() if r.anchored is not None]
    docs = loaded.workspace.documents() if loaded.workspace is not None else []
    appended: list[bytes] = []
    offset = state.store_size
    entries: dict[str, Entry] = {}
    for rel in names:
        if rel not in found:
            entries[rel] = state.entries[rel]
            continue
        text = loaded.sources.text(rel)
        data = text.encode("utf-8") if text is not None else b""
        appended.append(data)
        doc = next((d for d in docs if d.source == rel), None)
        entries[rel] = Entry(
            stats.get(rel),
            _digest(text) if text is not None else None,
            (offset, len(data)),
            tuple(found[rel]),
            _anchors(anchored, doc),
        )
        offset += len(data)
    try:
        with open(folder / "texts.bin", "ab") as store:
            if store.tell() != state.store_size:
                raise OSError("text store out of step")
            store.write(b"".join(appended))
    except OSError:
        (folder / "state.pickle").unlink(missing_ok=True)
        return
    state.entries, state.store_size = entries, offset
    _write_state(folder, state)


def _outcome(root: str, state: State, mode: Mode, checked: list[str]) -> Outcome:
    """The result a full run would print, assembled from the kept findings."""
    everything = [*state.other, *(f for e in state.entries.values() for f in e.findings)]
    everything += [f for f, _ in _wide(state)]
    unique = {(*f.sort_key(), f.path.__repr__()): f for f in everything}
    result = Result(sorted(unique.values(), key=Finding.sort_key), root, None, state.examples)
    return Outcome(result, state.language, None, mode, checked, state=state)
