"""Model files -> Workspace, with every problem reported at file:line:col.

The fast path parses with libyaml and builds no position table: positions are needed only for
findings, so the SourceMap re-composes a file lazily, the first time a finding in it needs a
line number. Schema errors (pydantic) and syntax errors become findings QMS001/QMS002; nothing
here raises on bad input.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, get_args, get_origin

import yaml
from pydantic import VERSION as pydantic_version
from pydantic import BaseModel, ValidationError

from qms import i18n
from qms.findings import Finding, Location, Msg, PathPart, did_you_mean, make_text
from qms.model import DOCUMENT_KINDS, Document, Workspace, WorkspaceSettings

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest model file read; a process description is a few kilobytes."""
MAX_DEPTH = 48
"""Deepest nesting accepted; the model itself never nests deeper than about eight levels."""
MAX_ALIASES = 100
"""Most aliases (*name) in one file, against alias bombs (billion laughs)."""
WORKSPACE_FILE = "qms.yaml"

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_RESOLVED: dict[str, str] = {}
"""Implicit tag by plain scalar text, shared by every file parsed (bounded)."""


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """libyaml's safe loader with YAML 1.2 booleans and duplicate keys recorded.

    YAML 1.1 reads `on`, `yes`, `no` as booleans: `approved: {on: 2012-05-01}` would lose its
    key and a branch labelled `no` its label. A key repeated in one mapping is an error here,
    where PyYAML silently keeps the last one.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [
            (tag, _BOOL if tag == "tag:yaml.org,2002:bool" else regexp)
            for tag, regexp in resolvers
            if not (tag == "tag:yaml.org,2002:bool" and first not in "tTfF")
        ]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[yaml.Node, yaml.Node]] = []
        # Without anchors there are no aliases, so every node is built once: the fast path.
        self._plain = "&" not in stream

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """Memoised for plain scalars: keys and ids recur in every file (half of parse time).

        There are no path resolvers, so a node's tag depends on its kind and text alone.
        """
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR_TAG
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 64 and len(_RESOLVED) < 200_000:
                    _RESOLVED[value] = tag
            return tag
        return _MAP_TAG if kind is yaml.MappingNode else _SEQ_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track (called for every node)."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track (called for every node)."""

    def construct_document(self, node: yaml.Node) -> Any:
        """A direct recursive build for the usual file (strings, lists, maps, no anchors).

        Anything unusual (tags, merge keys, duplicate keys, errors) falls back to PyYAML's own
        constructor, which then behaves, and reports, exactly as before.
        """
        if self._plain:
            try:
                return self._fast(node)
            except Exception:  # noqa: BLE001 - the standard path below reports it properly
                pass
            finally:
                self.constructed_objects: dict[Any, Any] = {}
            self.duplicates = []
        return super().construct_document(node)

    def _fast(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value
        if type(node) is yaml.ScalarNode:
            return self.construct_object(node)
        if tag == _SEQ_TAG and type(node) is yaml.SequenceNode:
            return [self._fast(item) for item in node.value]
        if tag != _MAP_TAG or type(node) is not yaml.MappingNode:
            raise ValueError(tag)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE_TAG:
                raise ValueError(key_node.tag)
            key = self._fast(key_node)
            if key in out:
                raise ValueError(key)
            out[key] = self._fast(value_node)
        return out

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, yaml.Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                first = seen.setdefault(key_node.value, key_node)
                if first is not key_node:
                    self.duplicates.append((key_node, first))
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


class _Composer(_BaseLoader):  # type: ignore[valid-type,misc]
    """The same resolver rules, for composing node trees with positions."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class SourceMap:
    """Model locations -> (line, column), composed lazily per file from the kept text."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._trees: dict[str, yaml.Node | None] = {}

    def add(self, file: str, content: str) -> None:
        """Keep a file's text for later position look-ups."""
        self._texts[file] = content
        self._trees.pop(file, None)

    def text(self, file: str) -> str | None:
        """The text of a file that was read, if any."""
        return self._texts.get(file)

    def _tree(self, file: str) -> yaml.Node | None:
        if file not in self._trees:
            content = self._texts.get(file)
            try:
                self._trees[file] = (
                    yaml.compose(content, Loader=_Composer) if content is not None else None
                )
            except (yaml.YAMLError, RecursionError):
                self._trees[file] = None
        return self._trees[file]

    def locate(
        self, file: str, path: Sequence[PathPart], at_key: bool = False
    ) -> tuple[int, int, str]:
        """Return (line, column, key path as written) of the deepest node along `path`.

        Integer parts index sequences, and the n-th pair of a mapping written in place of a
        list (a decision's `{kyllä: a, ei: b}`). With `at_key`, the position is that of the last
        key itself rather than its value (for unknown keys).
        """
        node = self._tree(file)
        mark: Any = getattr(node, "start_mark", None)
        shown: list[str] = []
        rest = list(path)
        while rest and node is not None:
            part = rest[0]
            nxt: yaml.Node | None = None
            key: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                if isinstance(part, int) and 0 <= part < len(node.value):
                    key, nxt = node.value[part]
                else:
                    for k, v in node.value:
                        if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                            key, nxt = k, v
                            break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                nxt = node.value[part]
            if nxt is None:
                break
            rest.pop(0)
            if key is not None:
                shown.append(str(key.value))
            else:
                shown.append(f"[{part}]")
            node = nxt
            mark = key.start_mark if (at_key and not rest and key is not None) else nxt.start_mark
        shown.extend(f"[{p}]" if isinstance(p, int) else str(p) for p in rest)
        keypath = ".".join(shown).replace(".[", "[")
        if mark is None:
            return 1, 1, keypath
        return mark.line + 1, mark.column + 1, keypath


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

    @property
    def language(self) -> str:
        """The workspace's language, or English when it could not be read."""
        return self.workspace.language if self.workspace else "en"


def _finding(
    sources: SourceMap,
    code: str,
    msg: Msg,
    loc: Location,
    at_key: bool = False,
    severity: str = "error",
    position: tuple[int, int] | None = None,
    **params: Any,
) -> Finding:
    line, col, keypath = sources.locate(loc.file, loc.path, at_key)
    if position is not None:
        line, col = position
    rule = "unreadable-file" if code == "QMS001" else "schema-mismatch"
    return Finding(
        code=code,
        text=make_text(msg, **params),
        file=loc.file,
        line=line,
        col=col,
        path=loc.path,
        severity=severity,  # type: ignore[arg-type]
        rule=rule,
        keypath=keypath,
    )


# --- reading files ---------------------------------------------------------------------------


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def discover(root: Path) -> tuple[list[str], list[tuple[str, Msg, dict[str, Any], str]]]:
    """Every `*.yaml` below root (sorted, relative, posix) and the entries refused on the way.

    Symbolic links are followed only where they stay inside the workspace; hidden folders
    (.git, .venv) are skipped.
    """
    real_root = root.resolve()
    base = os.fspath(root)
    found: list[str] = []
    refused: list[tuple[str, Msg, dict[str, Any], str]] = []

    def outside(full: str) -> str | None:
        """The link's text when a symbolic link leads out of the workspace, else None."""
        return None if _is_within(Path(full).resolve(), real_root) else os.readlink(full)

    # os.scandir rather than os.walk and Path objects: the entry types come with the listing,
    # which matters at 10,000 files on every `qms validate`.
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(os.path.join(base, folder) if folder else base) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            rel = f"{folder}/{name}" if folder else name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name.startswith("."):
                    continue
                if entry.is_symlink():
                    if (shown := outside(entry.path)) is not None:
                        refused.append((rel, i18n.SYMLINK_OUT, {"target": shown}, "error"))
                    continue
                if name.endswith(".yaml"):
                    refused.append((rel, i18n.DIRECTORY_NAMED_YAML, {"name": rel}, "warning"))
                pending.append(rel)
                continue
            if not name.endswith(".yaml") or name.startswith("."):
                continue
            if entry.is_symlink() and (shown := outside(entry.path)) is not None:
                refused.append((rel, i18n.SYMLINK_OUT, {"target": shown}, "error"))
                continue
            found.append(rel)
    found.sort()
    return found, refused


def _depth_ok(content: str) -> bool:
    """Cheap guard against nesting deep enough to exhaust the parser's stack."""
    if re.search(rf"^ {{{MAX_DEPTH * 2},}}\S", content, re.MULTILINE):
        return _block_depth(content) <= MAX_DEPTH
    if content.count("[") + content.count("{") <= MAX_DEPTH:
        return True
    depth = 0
    for match in re.finditer(r"[\[\]{}]", content):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return False
    return True


def _block_depth(content: str) -> int:
    """Number of distinct indentation levels on the deepest path (approximate, generous)."""
    stack: list[int] = []
    deepest = 0
    for line in content.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        while stack and stack[-1] >= indent:
            stack.pop()
        stack.append(indent)
        deepest = max(deepest, len(stack))
    return deepest


def _alias_count(content: str) -> int:
    """Exact number of alias events, counted only when the text could hold aliases."""
    if "&" not in content or "*" not in content:
        return 0
    try:
        return sum(
            1 for e in yaml.parse(content, Loader=_Composer) if isinstance(e, yaml.AliasEvent)
        )
    except yaml.YAMLError:
        return 0


def _yaml_problem(
    error: yaml.YAMLError, content: str
) -> tuple[str, tuple[int, int] | None, Msg | None]:
    """The libyaml message, its position, and a hint for the usual causes."""
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    text = f"{context}, {problem}" if context and problem else str(problem)
    hint: Msg | None = None
    lines = content.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in line[: len(line) - len(line.lstrip())] or "\\t" in text:
        hint = i18n.HINT_TABS
    elif "mapping values are not allowed" in text:
        hint = i18n.HINT_COLON
    position = (mark.line + 1, mark.column + 1) if mark is not None else None
    return text, position, hint


def parse_file(
    root: Path, rel: str, sources: SourceMap, raw: bytes | None = None
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """Read (unless `raw` is given) and parse one file; return its mapping or the findings."""
    loc = Location(rel)
    path = root / rel
    try:
        size = path.stat().st_size if raw is None else len(raw)
        if size > MAX_FILE_BYTES:
            return None, [
                _finding(sources, "QMS001", i18n.TOO_LARGE, loc, size=size, limit=MAX_FILE_BYTES)
            ]
        raw = path.read_bytes() if raw is None else raw
    except OSError as error:
        return None, [
            _finding(sources, "QMS001", i18n.UNREADABLE, loc, reason=error.strerror or str(error))
        ]
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [
            _finding(
                sources, "QMS001", i18n.NOT_UTF8, loc, position=(line, col), byte=raw[error.start]
            )
        ]
    sources.add(rel, content)
    if not content.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in content.splitlines()
    ):
        return None, [_finding(sources, "QMS001", i18n.EMPTY_FILE, loc)]
    if not _depth_ok(content):
        return None, [_finding(sources, "QMS001", i18n.TOO_DEEP, loc, limit=MAX_DEPTH)]
    aliases = _alias_count(content)
    if aliases > MAX_ALIASES:
        return None, [
            _finding(
                sources, "QMS001", i18n.TOO_MANY_ALIASES, loc, count=aliases, limit=MAX_ALIASES
            )
        ]
    loader = _Loader(content)
    try:
        data = loader.get_single_data()
    except yaml.composer.ComposerError as error:
        if "single document" in str(error):
            mark = error.problem_mark
            pos = (mark.line + 1, mark.column + 1) if mark else None
            return None, [_finding(sources, "QMS001", i18n.MANY_DOCUMENTS, loc, position=pos)]
        problem, pos, hint = _yaml_problem(error, content)
        return None, [_syntax(sources, loc, problem, pos, hint)]
    except yaml.YAMLError as error:
        problem, pos, hint = _yaml_problem(error, content)
        return None, [_syntax(sources, loc, problem, pos, hint)]
    except RecursionError:
        return None, [_finding(sources, "QMS001", i18n.TOO_DEEP, loc, limit=MAX_DEPTH)]
    finally:
        loader.dispose()
    findings = [
        _finding(
            sources,
            "QMS001",
            i18n.DUPLICATE_KEY,
            loc,
            position=(dup.start_mark.line + 1, dup.start_mark.column + 1),
            key=dup.value,
            first=first.start_mark.line + 1,
        )
        for dup, first in loader.duplicates
    ]
    if not isinstance(data, dict):
        return None, [*findings, _finding(sources, "QMS001", i18n.NOT_MAPPING, loc)]
    return (None if findings else data), findings


def _syntax(
    sources: SourceMap, loc: Location, problem: str, pos: tuple[int, int] | None, hint: Msg | None
) -> Finding:
    return Finding(
        code="QMS001",
        text={
            lang: i18n.YAML_SYNTAX.format(
                lang, problem=problem, hint=hint.format(lang) if hint else ""
            )
            for lang in ("en", "fi")
        },
        file=loc.file,
        line=pos[0] if pos else 1,
        col=pos[1] if pos else 1,
        rule="unreadable-file",
    )


# --- schema errors ---------------------------------------------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes and list item types an annotation may hold."""
    origin = get_origin(annotation)
    if origin is None:
        return [annotation]
    args = get_args(annotation)
    if origin is list or origin is tuple:
        return [("list", args[0] if args else Any)]
    if origin is dict:
        return [("dict", args[1] if len(args) > 1 else Any)]
    out: list[Any] = []
    for arg in args:  # Annotated[...] (metadata is not a type) and unions
        if isinstance(arg, type) or get_origin(arg) is not None:
            out.extend(_unwrap(arg))
    return out


def _model_at(cls: type[BaseModel], loc: Sequence[PathPart]) -> type[BaseModel] | None:
    """The model class found by following a pydantic error location from `cls`."""
    current: list[Any] = [cls]
    for part in loc:
        following: list[Any] = []
        for item in current:
            if isinstance(item, tuple):
                kind, inner = item
                if (kind == "list" and isinstance(part, int)) or kind == "dict":
                    following.extend(_unwrap(inner))
            elif isinstance(item, type) and issubclass(item, BaseModel) and isinstance(part, str):
                for name, info in item.model_fields.items():
                    if part in (name, info.alias):
                        following.extend(_unwrap(info.annotation))
        current = following
    models = [c for c in current if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if models else None


def _keys_of(cls: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in cls.model_fields.items()]


def _type_name(value: Any, lang: str) -> str:
    return i18n.TYPE_NAMES[lang].get(type(value).__name__, type(value).__name__)


def _slug(value: str) -> str:
    table = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.translate(table).lower()).strip("-")
    return slug or "id"


def _schema_finding(sources: SourceMap, cls: type[BaseModel], error: Any, file: str) -> Finding:
    """Translate one pydantic error into a QMS002 finding in both languages."""
    kind: str = error["type"]
    loc: tuple[PathPart, ...] = tuple(error["loc"])
    value = error.get("input")
    ctx = error.get("ctx") or {}
    where = Location(file, loc)

    def out(msg: Msg, at_key: bool = False, **params: Any) -> Finding:
        return _finding(sources, "QMS002", msg, where, at_key=at_key, **params)

    def per_lang(build: Any, at_key: bool = False) -> Finding:
        line, col, keypath = sources.locate(file, loc, at_key)
        return Finding(
            code="QMS002",
            text={lang: build(lang) for lang in ("en", "fi")},
            file=file,
            line=line,
            col=col,
            path=loc,
            rule="schema-mismatch",
            keypath=keypath,
        )

    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _model_at(cls, loc[:-1])
        allowed = _keys_of(parent) if parent else []
        guess = did_you_mean(key, allowed) if allowed else None

        def extra(lang: str) -> str:
            if guess:
                hint = i18n.DID_YOU_MEAN.format(lang, word=guess)
            elif allowed:
                hint = i18n.ALLOWED_KEYS.format(lang, keys=", ".join(allowed))
            else:
                hint = ""
            return i18n.UNKNOWN_KEY.format(lang, key=key, hint=hint)

        return per_lang(extra, at_key=True)
    if kind == "missing":
        return out(i18n.MISSING_KEY, key=str(loc[-1]))
    if kind in ("string_type", "text_type"):
        scalar = isinstance(value, int | float | bool) or value is None

        def expected(lang: str) -> str:
            got = _type_name(value, lang)
            if kind == "text_type" and not scalar:
                return i18n.EXPECTED_TEXT_OR_LANGS.format(lang, got=got)
            hint = i18n.HINT_QUOTE.format(lang, value=value) if scalar and value is not None else ""
            return i18n.EXPECTED_TEXT.format(lang, got=got, hint=hint)

        return per_lang(expected)
    if kind == "text_language":
        lang_code = str(ctx.get("lang", ""))
        guess = did_you_mean(lang_code, ["fi", "en", "sv", "se"])

        def language_hint(lang: str) -> str:
            if guess:
                return i18n.DID_YOU_MEAN.format(lang, word=guess)
            return i18n.HINT_FLOW_COMMA.format(lang) if len(lang_code) != 2 else ""

        return per_lang(
            lambda lang: i18n.UNKNOWN_LANGUAGE.format(
                lang, code=lang_code, hint=language_hint(lang)
            )
        )
    if kind == "string_pattern_mismatch":
        guess = _slug(str(value))
        return per_lang(
            lambda lang: i18n.BAD_ID.format(
                lang, value=value, hint=i18n.DID_YOU_MEAN.format(lang, word=guess)
            )
        )
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        guess = did_you_mean(str(value), options) if options else None
        return per_lang(
            lambda lang: i18n.NOT_ONE_OF.format(
                lang,
                value=value,
                expected=", ".join(options),
                hint=i18n.DID_YOU_MEAN.format(lang, word=guess) if guess else "",
            )
        )
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return per_lang(lambda lang: i18n.EXPECTED_INT.format(lang, got=repr(value)))
    if kind in ("value_type", "float_type", "float_parsing"):
        return per_lang(lambda lang: i18n.EXPECTED_NUMBER.format(lang, got=_type_name(value, lang)))
    if kind in ("bool_type", "bool_parsing"):
        return per_lang(lambda lang: i18n.EXPECTED_BOOL.format(lang, got=repr(value)))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ops = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">"}
        op = ops.get(kind, "<")
        bound = next(iter(ctx.values()), "")
        return out(i18n.OUT_OF_RANGE, value=value, bound=f"{op} {bound}")
    if kind.startswith("date") or kind.startswith("datetime"):
        return out(i18n.BAD_DATE, value=value)
    if kind in ("list_type", "tuple_type"):
        return per_lang(lambda lang: i18n.EXPECTED_LIST.format(lang, got=_type_name(value, lang)))
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return per_lang(
            lambda lang: i18n.EXPECTED_MAPPING.format(lang, got=_type_name(value, lang))
        )
    if kind in ("string_too_short", "too_short"):
        return out(i18n.EMPTY_VALUE)
    if kind == "string_too_long":
        return out(i18n.TOO_LONG, limit=ctx.get("max_length", ""))
    return out(i18n.OTHER_SCHEMA, detail=str(error.get("msg", kind)))


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
        where = loc.child("kind")
        line, col, keypath = sources.locate(rel, where.path)
        return None, [
            Finding(
                code="QMS002",
                text={
                    lang: i18n.UNKNOWN_KIND.format(
                        lang,
                        kind=kind,
                        kinds=kinds,
                        hint=i18n.DID_YOU_MEAN.format(lang, word=guess) if guess else "",
                    )
                    for lang in ("en", "fi")
                },
                file=rel,
                line=line,
                col=col,
                path=where.path,
                rule="schema-mismatch",
                keypath=keypath,
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
        salvaged = _salvage(cls, data, errors)
        if salvaged is not None:
            salvaged._source = rel
        return salvaged, findings
    except RecursionError:
        return None, [_finding(sources, "QMS001", i18n.TOO_DEEP, loc, limit=MAX_DEPTH)]
    doc._source = rel
    return doc, []


def _salvage(cls: type[Document], data: dict[str, Any], errors: list[Any]) -> Document | None:
    """The document without its offending optional keys, so its references still get checked.

    A misspelt key must not hide a mistyped goal id in the same file, nor turn every reference
    to the document into a cascade of unknown-reference findings. Only mapping keys are removed
    (never list items, which would shift the positions of later findings); when that is not
    enough, the document is left out.
    """
    import copy

    work = copy.deepcopy(data)
    for _ in range(4):
        for err in errors:
            loc = tuple(err["loc"])
            if not loc or not isinstance(loc[-1], str):
                return None
            parent: Any = work
            for part in loc[:-1]:
                try:
                    parent = parent[part]
                except (KeyError, IndexError, TypeError):
                    return None
            if not isinstance(parent, dict) or loc[-1] not in parent:
                return None
            if err["type"] != "extra_forbidden":
                model = _model_at(cls, loc[:-1])
                field = model.model_fields.get(loc[-1]) if model else None
                if field is None or field.is_required():
                    return None
            del parent[loc[-1]]
        try:
            return cls.model_validate(work)
        except ValidationError as error:
            errors = error.errors()
    return None


# --- the workspace ---------------------------------------------------------------------------


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large model is built or checked.

    Loading creates millions of small objects and almost no cycles; every full collection
    walks all of them again, which cost about a third of `qms validate` on a national network.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def source_digest(paths: Iterable[Path], salt: str = "") -> str:
    """sha256 over `salt`, Python's and pydantic's versions and the names and bytes of
    `paths`: what a cache built by this code is valid for. Empty when a file cannot be read
    (then the caller must not cache: a code change could not be told)."""
    h = hashlib.sha256(f"{salt}\0{sys.version}\0{pydantic_version}\0".encode())
    try:
        for path in paths:
            h.update(f"{path.name}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    except OSError:
        return ""
    return h.hexdigest()


def cache_home() -> Path | None:
    """The user's qms cache folder (`$QMS_CACHE_DIR`, else `$XDG_CACHE_HOME/qms` or
    `~/.cache/qms`), or None when `QMS_CACHE=0` switches caching off."""
    if os.environ.get("QMS_CACHE", "1").lower() in ("0", "off", "no", "false"):
        return None
    return Path(
        os.environ.get("QMS_CACHE_DIR")
        or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
            "qms",
        )
    )


class DocumentCache:
    """Built documents, one pack per organisation folder, keyed by a hash of its files' bytes.

    Re-validating after one edit then parses and validates only the edited organisation's
    files. Only files that loaded without any finding are packed, so a cached run reports
    exactly what a cold run would. The folder is the user's own (`$QMS_CACHE_DIR`, else
    `$XDG_CACHE_HOME/qms` or `~/.cache/qms`), never the workspace: a pickle planted in a cloned
    repository must not run. `QMS_CACHE=0` switches it off; an unreadable pack is a miss.
    """

    MAX_PACKS = 4000
    """About 25 national workspaces (or branches) of 150 organisations."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pending: list[tuple[Path, dict[str, Document]]] = []
        here = Path(__file__).parent
        code = source_digest([here / "model.py", here / "load.py"], "documents")
        if not code:
            raise OSError("qms's model and loader cannot be read")  # open() turns it into None
        self.salt = bytes.fromhex(code)

    @classmethod
    def open(cls) -> DocumentCache | None:
        """The user's cache, or None when it is switched off or cannot be used."""
        base = cache_home()
        if base is None:
            return None
        try:
            return cls(base / "documents")
        except OSError:
            return None

    def entry(self, raws: dict[str, bytes]) -> Path:
        """Where the pack of these files, with these bytes, is kept."""
        h = hashlib.sha256(self.salt)
        for rel, raw in raws.items():
            h.update(rel.encode() + b"\0" + hashlib.sha256(raw).digest())
        return self.folder / f"{h.hexdigest()}.pickle"

    def get(self, entry: Path) -> dict[str, Document] | None:
        """The cached pack, or None on a miss or an unusable entry."""
        try:
            pack = pickle.loads(entry.read_bytes())
            os.utime(entry)  # recently used: kept when the folder is pruned
        except Exception:  # noqa: BLE001 - a missing or broken entry is a miss, never a crash
            return None
        return pack if isinstance(pack, dict) else None

    def prune(self) -> None:
        """Keep the folder bounded: drop the least recently used packs beyond MAX_PACKS."""
        try:
            packs = [e for e in os.scandir(self.folder) if e.name.endswith(".pickle")]
            if len(packs) <= self.MAX_PACKS:
                return
            packs.sort(key=lambda e: e.stat().st_mtime_ns)
            for old in packs[: len(packs) - self.MAX_PACKS * 3 // 4]:
                os.unlink(old.path)
        except OSError:
            pass

    def flush(self) -> None:
        """Write the packs built in this run (atomically; errors ignored)."""
        for entry, pack in self.pending:
            try:
                entry.parent.mkdir(parents=True, exist_ok=True)
                tmp = entry.with_name(f".{entry.name}.{os.getpid()}")
                tmp.write_bytes(pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, entry)
            except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
                pass
        if self.pending:
            self.prune()
        self.pending.clear()


def _read(path: Path) -> bytes | None:
    """A file's bytes for the cache look-up; None leaves the error to parse_file."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _pack_of(rel: str) -> str:
    """Files are cached per organisation folder (organisations/redu/...) or alone."""
    parts = rel.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else rel


def load(
    root: str | os.PathLike[str], files: Iterable[str] | None = None, packs: bool = True
) -> Loaded:
    """Load every model file of the workspace at `root` (or only `files`, relative to it).

    `packs=False` skips the document cache, for loading a few files alone.

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
        groups.setdefault(_pack_of(rel) if cache else "", []).append(rel)
    built: dict[str, Document] = {}
    with gc_paused():
        for rels in groups.values():
            raws = {rel: _read(base / rel) for rel in rels} if cache else {}
            known = {k: v for k, v in raws.items() if v is not None}
            entry = cache.entry(known) if cache and len(known) == len(rels) else None
            packed = (cache.get(entry) if cache and entry else None) or {}
            fresh: dict[str, Document] = {}
            for rel in rels:
                raw = raws.get(rel)
                if rel in packed and raw is not None:
                    sources.add(rel, raw.decode("utf-8-sig"))
                    built[rel] = packed[rel]
                    continue
                data, problems = parse_file(base, rel, sources, raw)
                findings.extend(problems)
                if data is None:
                    continue
                doc, more = build_document(data, rel, sources)
                findings.extend(more)
                if doc is not None:
                    built[rel] = doc
                    if not problems and not more:
                        fresh[rel] = doc
                else:
                    unloaded.append(_identity(data))
            if cache and entry and not packed:
                cache.pending.append((entry, fresh))
        if cache:
            cache.flush()
    documents = [built[rel] for rel in names if rel in built]
    workspace = assemble(shown, documents, default_name=base.resolve().name, unloaded=unloaded)
    findings.sort(key=Finding.sort_key)
    return Loaded(shown, workspace, findings, sources, files=list(names))


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
    """Group documents by kind into a Workspace; default settings when qms.yaml is unusable."""
    groups: dict[str, list[Document]] = {kind: [] for kind in DOCUMENT_KINDS}
    for doc in documents:
        groups[doc.KIND].append(doc)
    settings_docs = groups.pop("workspace")
    settings = (
        settings_docs[0]
        if settings_docs
        else WorkspaceSettings(kind="workspace", name=default_name or "workspace")
    )
    return Workspace(
        root=root,
        settings=settings,
        projects=tuple(groups["project"]),
        organisations=tuple(groups["organisation"]),
        processes=tuple(groups["process"]),
        plans=tuple(groups["plan"]),
        metrics=tuple(groups["metrics"]),
        results=tuple(groups["results"]),
        unloaded=tuple(unloaded),
    )
