"""Parsing one model file with libyaml, and the positions findings point at.

The fast path parses with libyaml and builds no position table: positions are needed only for
findings, so the SourceMap re-composes a file lazily, the first time a finding in it needs a
line number. Nothing here raises on bad input: problems are QMS001 findings.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import yaml

from qms import i18n
from qms.files import read_regular
from qms.findings import Finding, Location, Msg, PathPart, make_text

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest model file read; a process description is a few kilobytes."""
MAX_DEPTH = 48
"""Deepest nesting accepted; the model itself never nests deeper than about eight levels."""
MAX_ALIASES = 100
"""Most aliases (*name) in one file, against alias bombs (billion laughs)."""

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    f"{_CORE}{name}": kind
    for name, kind in (
        ("str", "text"),
        ("int", "integer"),
        ("float", "number"),
        ("bool", "boolean"),
        ("null", "null"),
        ("timestamp", "date"),
        ("merge", "merge key"),
    )
}
"""The scalar tags a model file may hold (implicitly or written out), by what they mean."""
_NULLS = {"", "~", "null", "Null", "NULL"}
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Characters refused in any text: C0 controls but tab and line feed, DEL, C1 controls, lone
surrogates (CR never reaches a value: YAML folds line ends)."""
_RESOLVED: dict[str, str] = {}
"""Implicit tag by plain scalar text, shared by every file parsed (bounded)."""


_EXPECTED = {
    "integer": "a whole number is expected",
    "number": "a number is expected",
    "boolean": "true or false is expected",
    "null": "null or ~ is expected",
    "date": "a date is written 2024-05-31",
}


def _shown_tag(tag: str) -> str:
    """A tag as it is written: tag:yaml.org,2002:python/object -> !!python/object."""
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


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
        self.value_problems: list[tuple[yaml.Node, Msg, dict[str, Any], tuple[PathPart, ...]]] = []
        """(node, message, its parameters, the key path to the node) of every value outside
        what a model file may hold."""
        # Without anchors there are no aliases, so every node is built once: the fast path.
        self._plain = "&" not in stream
        # Text comes from the file's characters, except escapes in double quotes (\x07, \N):
        # with neither a control character nor a backslash in the file, no text holds one.
        self._clean = "\\" not in stream and CONTROL.search(stream) is None

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
        if self._plain and self._clean:
            try:  # the usual file: its values checked while it is built, in one walk
                return self._direct(node)
            except Exception:  # noqa: BLE001 - any doubt: checked first, then built again
                pass
            finally:
                self._forget()
        self._check_values(node)
        if self._plain:
            try:
                return self._direct(node)
            except Exception:  # noqa: BLE001 - the standard path below reports it properly
                pass
            finally:
                self._forget()
            self.duplicates = []
        return super().construct_document(node)

    def _check_values(self, root: yaml.Node) -> None:
        """Every value outside what a model file may hold becomes a located problem, and the
        node is made plain text, so that both construction paths build the same thing and
        neither can raise: a tag other than YAML's core ones (custom, !!python/..., !!binary,
        !!set), a scalar its tag cannot construct (2027-02-30, !!int abc, !!bool maybe, an
        integer beyond Python's digit limit), and control characters in any text (replaced by
        U+FFFD, so that no writer ever gets one)."""
        if self._plain and self._clean and self._all_fine(root):
            return
        seen: set[int] = set()
        stack: list[tuple[yaml.Node, tuple[PathPart, ...]]] = [(root, ())]
        while stack:
            node, path = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                self._check_scalar(node, path)
                continue
            expected = _MAP_TAG if isinstance(node, yaml.MappingNode) else _SEQ_TAG
            if node.tag != expected:
                problem = (node, i18n.BAD_TAG, {"tag": _shown_tag(node.tag)}, path)
                self.value_problems.append(problem)
                node.tag = expected
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                    stack += ((value, (*path, name)), (key, (*path, name)))
            else:
                stack += reversed([(item, (*path, i)) for i, item in enumerate(node.value)])

    def _all_fine(self, root: yaml.Node) -> bool:
        """True when `_check_values` would find nothing in this tree, for the usual file: no
        anchors (so no node is reached twice) and text that can hold no control character, so
        that plain text needs no look. Nothing is changed; on any doubt, False (then the full
        walk runs and says what it finds, with its key path)."""
        stack = [root]
        while stack:
            node = stack.pop()
            kind = type(node)
            if isinstance(node, yaml.ScalarNode):
                tag = node.tag
                if tag in (_STR_TAG, _MERGE_TAG):
                    continue
                if tag not in _SCALAR_TAGS:
                    return False
                try:
                    if tag == f"{_CORE}null" and node.value not in _NULLS:
                        return False
                    self.yaml_constructors[tag](self, node)
                except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
                    return False
                continue
            if node.tag != (_MAP_TAG if kind is yaml.MappingNode else _SEQ_TAG):
                return False
            if kind is yaml.MappingNode:
                for key, value in node.value:
                    stack += (value, key)
            else:
                stack += node.value
        return True

    def _check_scalar(self, node: yaml.ScalarNode, path: tuple[PathPart, ...]) -> None:
        value = node.value
        if CONTROL.search(value):
            found = CONTROL.search(value)
            assert found is not None
            char = found.group()
            shown = f"U+{ord(char):04X}"
            self.value_problems.append(
                (node, i18n.CONTROL_CHARACTER, {"char": shown, "index": found.start() + 1}, path)
            )
            node.value = CONTROL.sub("\ufffd", value)
        kind = _SCALAR_TAGS.get(node.tag)
        if kind is None:
            self.value_problems.append((node, i18n.BAD_TAG, {"tag": _shown_tag(node.tag)}, path))
            node.tag = _STR_TAG
            return
        if node.tag in (_STR_TAG, _MERGE_TAG):
            return
        try:
            if node.tag == f"{_CORE}null" and node.value not in _NULLS:
                raise ValueError("null")
            self.yaml_constructors[node.tag](self, node)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as error:
            detail = str(error).split(";")[0][:80]
            if "digits" in detail:
                detail = f"more than {sys.get_int_max_str_digits()} digits"
            elif "out of range" not in detail:
                detail = _EXPECTED[kind]
            shown = value if len(value) <= 40 else f"{value[:20]}…({len(value)} characters)"
            self.value_problems.append(
                (node, i18n.BAD_SCALAR, {"value": shown, "kind": kind, "detail": detail}, path)
            )
            node.tag = _STR_TAG

    def _forget(self) -> None:
        """Drop what PyYAML's constructor remembers of a tried build."""
        self.constructed_objects: dict[Any, Any] = {}
        self.recursive_objects: dict[Any, Any] = {}

    def _direct(self, node: yaml.Node) -> Any:
        """The tree built directly, raising on anything unusual: a tag other than YAML's core
        ones, a scalar its tag cannot construct, a merge key, a duplicate key, a key that is
        not a scalar. Where it returns, `_check_values` finds nothing (it checks the same
        scalars: tests/test_yaml_values.py), so a plain, clean file is checked and built in
        one walk; after `_check_values` has made every value plain, it builds the rest."""
        kind = type(node)
        tag = node.tag
        if kind is yaml.ScalarNode:
            if tag == _STR_TAG:
                return node.value
            if tag not in _SCALAR_TAGS or tag == _MERGE_TAG:
                raise ValueError(tag)
            if tag == f"{_CORE}null" and node.value not in _NULLS:
                raise ValueError(node.value)
            return self.yaml_constructors[tag](self, node)
        if kind is yaml.SequenceNode and tag == _SEQ_TAG:
            return [self._direct(item) for item in node.value]
        if kind is not yaml.MappingNode or tag != _MAP_TAG:
            raise ValueError(tag)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE_TAG:
                raise ValueError(key_node.tag)
            key = self._direct(key_node)
            if key in out:
                raise ValueError(key)
            out[key] = self._direct(value_node)
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
        raw, size = read_regular(path, MAX_FILE_BYTES) if raw is None else (raw, len(raw))
        if size > MAX_FILE_BYTES:
            return None, [
                _finding(sources, "QMS001", i18n.TOO_LARGE, loc, size=size, limit=MAX_FILE_BYTES)
            ]
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
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        # _check_values makes every value constructible; should one still fail, it is a
        # finding about the file, never a traceback.
        detail = str(error)[:120] or type(error).__name__
        return None, [_syntax(sources, loc, detail, None, None)]
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
    values = [
        _finding(
            sources,
            "QMS001",
            msg,
            loc.child(*path),
            position=(node.start_mark.line + 1, node.start_mark.column + 1),
            **params,
        )
        for node, msg, params, path in loader.value_problems
    ]
    if not isinstance(data, dict):
        return None, [*findings, *values, _finding(sources, "QMS001", i18n.NOT_MAPPING, loc)]
    # A repeated key loses a value without saying which: the document is not used. A value
    # outside the model was made text and is reported where it is; the rest of the document
    # is kept, so that one bad date does not hide the file's other mistakes.
    return (None if findings else data), [*findings, *values]


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
