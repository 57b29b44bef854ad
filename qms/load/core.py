"""Model files -> Workspace (`qms.load.load`), with every problem reported at file:line:col.

The fast path parses with libyaml and builds no position table: positions are needed only for
findings, so the SourceMap re-composes a file lazily, the first time a finding in it needs a
line number. Schema errors (pydantic) and syntax errors become findings QMS001/QMS002; nothing
here raises on bad input.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qms import i18n
from qms.findings import Finding, Location, did_you_mean, make_text
from qms.load.cache import DocumentCache, _pack_of, _read
from qms.load.discover import WORKSPACE_FILE, discover
from qms.load.pause import gc_paused
from qms.load.salvage import salvage
from qms.load.schema_errors import _schema_finding, schema_finding
from qms.load.split import Helper, their_share, wanted
from qms.load.yaml_source import MAX_DEPTH, SourceMap, _finding, parse_file
from qms.model import DOCUMENT_KINDS, Document, Workspace, WorkspaceSettings


@dataclass
class Loaded:
    """What `load` returns: the workspace (None when nothing was loadable) and the findings."""

    root: str
    workspace: Workspace | None
    findings: list[Finding]
    sources: SourceMap
    fatal: dict[str, str] | None = None
    """Why nothing could be loaded (exit code 2), in both languages."""
    files: list[str] = field(default_factory=list)
    unwritten: DocumentCache | None = None
    """The document cache with this run's packs still to write (`DocumentCache.flush`), left
    to the caller by `load(..., flush=False)`, which may write them on another core."""

    @property
    def language(self) -> str:
        """The workspace's language, or English when it could not be read."""
        return self.workspace.language if self.workspace else "en"


def build_document(
    data: dict[str, Any], rel: str, sources: SourceMap
) -> tuple[Document | None, list[Finding]]:
    """Validate one parsed file against the model class its `kind:` names."""
    loc = Location(rel)
    kinds = ", ".join(DOCUMENT_KINDS)
    if "kind" not in data:
        return None, [_finding(sources, "QMS002", i18n.NO_KIND, loc, kinds=kinds)]
    kind = data["kind"]
    cls = DOCUMENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        guess = did_you_mean(str(kind), list(DOCUMENT_KINDS))
        return None, [
            schema_finding(
                sources,
                rel,
                loc.child("kind").path,
                lambda lang: i18n.UNKNOWN_KIND.format(
                    lang,
                    kind=kind,
                    kinds=kinds,
                    hint=i18n.DID_YOU_MEAN.format(lang, word=guess) if guess else "",
                ),
            )
        ]
    is_root = rel == WORKSPACE_FILE
    if cls is WorkspaceSettings and not is_root:
        return None, [_finding(sources, "QMS002", i18n.WORKSPACE_ELSEWHERE, loc.child("kind"))]
    if is_root and cls is not WorkspaceSettings:
        return None, [
            _finding(sources, "QMS002", i18n.ROOT_NOT_WORKSPACE, loc.child("kind"), kind=kind)
        ]
    try:
        doc = cls.model_validate(data)
    except ValidationError as error:
        errors = error.errors()
        findings = [_schema_finding(sources, cls, e, rel) for e in errors]
        kept, record = salvage(cls, data, errors)
        findings = [
            f.with_(text={lang: f.text[lang] + record.notes[n][lang] for lang in f.text})
            if n in record.notes and kept is not None
            else f
            for n, f in enumerate(findings)
        ]
        if not isinstance(kept, Document):
            return None, findings
        kept._source = rel
        kept._salvaged = record
        return kept, findings
    except RecursionError:
        return None, [_finding(sources, "QMS001", i18n.TOO_DEEP, loc, limit=MAX_DEPTH)]
    doc._source = rel
    return doc, []


# --- the workspace ---------------------------------------------------------------------------


def load(
    root: str | os.PathLike[str],
    files: Iterable[str] | None = None,
    packs: bool = True,
    split: bool = False,
    flush: bool = True,
) -> Loaded:
    """Load every model file of the workspace at `root` (or only `files`, relative to it).

    `packs=False` skips the document cache, for loading a few files alone. `split=True` lets
    a forked helper parse part of the files on another core (qms/load/split.py): only for a
    process that has no threads and ends soon after (`qms validate`). `flush=False` leaves
    the packs this run built unwritten, in `Loaded.unwritten`.

    Never raises on bad input: problems are findings; `fatal` is set when there is no
    workspace to speak of (exit code 2).
    """
    shown = os.fspath(root)
    base = Path(shown)
    sources = SourceMap()
    if not base.exists():
        return Loaded(shown, None, [], sources, fatal=make_text(i18n.NO_SUCH_PATH, path=shown))
    if (not base.is_dir() or not (base / WORKSPACE_FILE).is_file()) and files is None:
        return Loaded(shown, None, [], sources, fatal=make_text(i18n.NOT_A_WORKSPACE, path=shown))
    findings: list[Finding] = []
    if files is None:
        names, refused = discover(base)
        for rel, msg, params, severity in refused:
            findings.append(
                _finding(sources, "QMS001", msg, Location(rel), severity=severity, **params)
            )
    else:
        names = sorted(set(files))
    unloaded: list[tuple[str, str, str]] = []
    cache = DocumentCache.open() if packs else None
    groups: dict[str, list[str]] = {}
    for rel in names:
        groups.setdefault(_pack_of(rel) if cache or split else "", []).append(rel)
    built: dict[str, Document] = {}
    with gc_paused():
        plan = [_Group(base, rels, cache, read=bool(cache or split)) for rels in groups.values()]
        theirs = _theirs(plan) if split else []
        helper = Helper(lambda: [_sent(plan[n]) for n in theirs]) if theirs else None
        for n, group in enumerate(plan):
            if n not in theirs:
                group.load(sources)
        sent = helper.result() if helper else None
        for n, message in zip(theirs, sent or [None] * len(theirs), strict=True):
            if message is None:
                plan[n].load(sources)  # the helper failed: load its folders here
            else:
                plan[n].take(message, sources)
        for group in plan:
            built.update(group.built)
            findings.extend(group.findings)
            unloaded.extend(group.unloaded)
            if group.fresh is not None and cache and group.entry:
                cache.pending.append((group.entry, group.fresh))
        if cache and flush:
            cache.flush()
    documents = [built[rel] for rel in names if rel in built]
    workspace = assemble(shown, documents, default_name=base.resolve().name, unloaded=unloaded)
    findings.sort(key=Finding.sort_key)
    unwritten = cache if cache and cache.pending else None
    return Loaded(shown, workspace, findings, sources, files=list(names), unwritten=unwritten)


class _Group:
    """The files of one organisation folder (one document cache pack), loaded together."""

    def __init__(self, base: Path, rels: list[str], cache: DocumentCache | None, read: bool):
        self.base, self.rels, self.cache = base, rels, cache
        self.raws = {rel: _read(base / rel) for rel in rels} if read else {}
        known = {k: v for k, v in self.raws.items() if v is not None}
        self.entry = cache.entry(known) if cache and len(known) == len(rels) else None
        self.packed = (cache.get(self.entry) if cache and self.entry else None) or {}
        self.built: dict[str, Document] = {}
        self.findings: list[Finding] = []
        self.unloaded: list[tuple[str, str, str]] = []
        self.fresh: dict[str, Document] | None = None
        """The documents that loaded without findings, to pack (None: nothing to pack)."""

    def to_parse(self) -> int:
        """Bytes this group has to parse (what the cache does not hold)."""
        return sum(len(self.raws.get(rel) or b"") for rel in self.rels if rel not in self.packed)

    def load(self, sources: SourceMap) -> None:
        """Take the cached documents, parse and validate the others."""
        fresh: dict[str, Document] = {}
        for rel in self.rels:
            raw = self.raws.get(rel)
            if rel in self.packed and raw is not None:
                sources.add(rel, raw.decode("utf-8-sig"))
                self.built[rel] = self.packed[rel]
                continue
            data, problems = parse_file(self.base, rel, sources, raw)
            self.findings.extend(problems)
            if data is None:
                continue
            doc, more = build_document(data, rel, sources)
            # A value the parser already reported (and made text) is not reported again
            # by the schema at the same place: one mistake, one finding.
            said = {(f.line, f.col) for f in problems}
            self.findings.extend(f for f in more if (f.line, f.col) not in said)
            if doc is not None:
                self.built[rel] = doc
                if not problems and not more:
                    fresh[rel] = doc
            else:
                self.unloaded.append(_identity(data))
        if not self.packed:
            self.fresh = fresh

    def take(self, message: tuple[Any, ...], sources: SourceMap) -> None:
        """What a helper sent for this group (`_sent`): its texts, findings and documents."""
        texts, self.findings, self.unloaded, blob = message
        for rel, text in texts.items():
            sources.add(rel, text)
        self.built = pickle.loads(blob)
        self.fresh = None  # the helper has packed them


def _theirs(plan: Sequence[_Group]) -> list[int]:
    """The groups a helper should load (none when a helper would not pay)."""
    todo = [n for n, group in enumerate(plan) if not group.packed]
    sizes = [plan[n].to_parse() for n in todo]
    if not wanted(sizes):
        return []
    kept = sum(len(raw or b"") for group in plan if group.packed for raw in group.raws.values())
    return todo[their_share(sizes, kept) :]


def _sent(group: _Group) -> tuple[Any, ...]:
    """Load a group in the helper, pack it, and say what the caller needs to take it over.

    The documents go pickled once: when every file loaded cleanly (the usual case) the same
    bytes are the document cache's pack."""
    sources = SourceMap()
    group.load(sources)
    blob = pickle.dumps(group.built, protocol=pickle.HIGHEST_PROTOCOL)
    if group.cache and group.entry and group.fresh is not None:
        whole = len(group.fresh) == len(group.built)
        group.cache.write(group.entry, blob if whole else group.cache.packed(group.fresh))
    texts = {rel: text for rel in group.rels if (text := sources.text(rel)) is not None}
    return texts, group.findings, group.unloaded, blob


def _identity(data: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, organisation, id) of a document that failed to load, as far as it can be read."""
    parts = (data.get("kind"), data.get("organisation"), data.get("id"))
    return tuple(p if isinstance(p, str) else "" for p in parts)  # type: ignore[return-value]


def assemble(
    root: str,
    documents: Sequence[Document],
    default_name: str = "",
    unloaded: Sequence[tuple[str, str, str]] = (),
) -> Workspace:
    """Group documents by kind into a Workspace; default settings when qms.yaml is unusable.

    The documents are validated already: the Workspace is made without validating them again
    (`model_construct`), which would build the validator of every document class (`Node`)."""
    groups: dict[str, list[Document]] = {kind: [] for kind in DOCUMENT_KINDS}
    for doc in documents:
        groups[doc.KIND].append(doc)
    settings_docs = groups.pop("workspace")
    settings = (
        settings_docs[0]
        if settings_docs
        else WorkspaceSettings(kind="workspace", name=default_name or "workspace")
    )
    fields: dict[str, Any] = {
        "root": root,
        "settings": settings,
        "projects": tuple(groups["project"]),
        "organisations": tuple(groups["organisation"]),
        "processes": tuple(groups["process"]),
        "plans": tuple(groups["plan"]),
        "metrics": tuple(groups["metrics"]),
        "results": tuple(groups["results"]),
        "criteria": tuple(groups["criteria"]),
        "assessments": tuple(groups["assessment"]),
        "unloaded": tuple(unloaded),
    }
    return Workspace.model_construct(**fields)
