"""What a rule is and what it sees: `Rule`, `@rule`, `Problem`, `Context`.

Rule modules (qms/rules/) import this module only; the engine that runs them (qms/lint.py)
imports the rules, so the two never import each other.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from qms.findings import Location, Msg, PathPart, Severity
from qms.index import Index
from qms.model import Document, Process, Workspace

if TYPE_CHECKING:
    from qms.coverage import Coverage
    from qms.graph import Flow


Option = int | float | str | bool
"""The value of a rule option (a threshold, a name)."""

Where = tuple[Any, ...]
"""A document and a key path in it, `(doc, "steps", 3)`: what a rule that visits every element
passes along, made into a `Location` (`Context.loc(*where)`) only for a problem, since building
one per element cost about half of such a rule's time."""

Scope = Literal["file", "workspace"]
"""What a rule's findings depend on. `file`: a finding in a document depends only on that
document, the workspace settings and the date, so `qms validate` re-checks an edited file
alone; `workspace`: on anything (see qms/incremental.py)."""


@dataclass(frozen=True)
class Problem:
    """What a rule yields: a location, a message template and its parameters."""

    loc: Location
    msg: Msg
    params: dict[str, Any] = field(default_factory=dict)
    element: str = ""
    at_key: bool = False


def problem(loc: Location, msg: Msg, *, element: str = "", **params: Any) -> Problem:
    """Build a Problem; keyword arguments fill the message's `{fields}`."""
    return Problem(loc, msg, params, element)


Check = Callable[["Context"], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """A rule's metadata and its check. The module docstring is its documentation."""

    code: str
    name: str
    severity: Severity
    check: Check
    doc: str
    recommended: bool = True
    scope: Scope = "workspace"
    options: tuple[tuple[str, Option], ...] = ()
    """The rule's settable thresholds and their defaults, e.g. (("limit", 20),); a workspace
    sets them in qms.yaml under `rules: {options: {NAME-OR-CODE: {limit: 25}}}`."""
    wording: bool = True
    """Whether the rule's findings may depend on the wording of texts (names, descriptions),
    not only on whether a text is empty and in which languages. `workspace` rules never do;
    a `file` rule declared `wording=False` keeps its findings in a reworded file, which
    `qms validate` then does not check again (tests/test_incremental.py holds it to that)."""

    reads: frozenset[str] | None = None
    """For a `workspace` rule: the fields its findings may depend on, each by name (`id`, in
    any element) or by class and name (`Process.id`, in that class alone); None: any field.
    After an edit that changes none of them in any edited file (texts only as empty or not),
    `qms validate` keeps the rule's findings instead of running it over the whole workspace
    again (tests/test_incremental.py records what each rule reads)."""
    truthy: frozenset[str] = frozenset()
    """Fields of which the rule reads only whether they are empty (None, '' or [])."""
    anchored: Callable[[Any], bool] | None = None
    """A rule that finds nothing unless some document is *anchored* (e.g. carries an
    approval): an edit while no document is anchored, before or after, cannot change its
    findings."""
    shared: frozenset[str] | None = None
    """For a `workspace` rule: the fields (named as in `reads`) through which its findings in
    one document may depend on the other documents; None: any it reads. Its findings in a
    document then depend only on that document and the others' `shared` fields, so after an
    edit that leaves those as they were in every edited file, `qms validate` runs it again for
    the edited files alone, with light stand-ins of the other documents
    (`qms.incremental.ghost`; tests/test_incremental_wide.py holds each rule to it)."""

    @property
    def shape_only(self) -> bool:
        """True when rewording a text cannot change the rule's findings."""
        return self.scope == "workspace" or not self.wording

    @property
    def summary(self) -> str:
        """The first line of the documentation, without the code and name."""
        first = self.doc.strip().splitlines()[0] if self.doc.strip() else ""
        return first.split(":", 1)[1].strip() if ":" in first else first


def rule(
    code: str,
    name: str,
    severity: Severity = "error",
    recommended: bool = True,
    scope: Scope = "workspace",
    options: dict[str, Option] | None = None,
    wording: bool = True,
    reads: Iterable[str] | None = None,
    truthy: Iterable[str] = (),
    anchored: Callable[[Any], bool] | None = None,
    shared: Iterable[str] | None = None,
) -> Callable[[Check], Rule]:
    """Decorate a rule's check function; the module's docstring becomes the rule's docs.

    Declare `scope="file"` only for a rule whose findings in a document read nothing but that
    document (tests/test_incremental.py holds every such rule to it). `options` are the
    thresholds a workspace may set (their defaults); the check reads them with
    `ctx.option(name)`, and the rule's documentation lists them. Declare `wording=False` for
    a `file` rule that reads of a text only whether it is empty and in which languages, and
    `reads` (the field names it reads), `truthy` and `anchored` for a `workspace` rule, so
    that an edit that does not touch them does not run it again, and `shared` for one whose
    findings in a document read of the others only those fields (see `Rule`).
    """

    def wrap(check: Check) -> Rule:
        doc = sys.modules[check.__module__].__doc__ or ""
        settable = tuple(sorted((options or {}).items()))
        fields = frozenset(reads) if reads is not None else None
        return Rule(
            code,
            name,
            severity,
            check,
            doc,
            recommended,
            scope,
            settable,
            wording,
            fields,
            frozenset(truthy),
            anchored,
            frozenset(shared) if shared is not None else None,
        )

    return wrap


# --- context ---------------------------------------------------------------------------------


class Context:
    """What a rule sees: the workspace, its index, its coverage and each process's step graph
    (built on first use), the date."""

    def __init__(self, workspace: Workspace, as_of: dt.date | None = None) -> None:
        self.workspace = workspace
        self.as_of = as_of or workspace.settings.as_of or dt.date.today()
        self._flows: dict[int, Flow] = {}
        self.rule: Rule | None = None
        """The rule being run (the engine sets it), whose options `option` reads."""
        self.only: Container[str] | None = None
        """The files whose problems are wanted (the engine sets it; None: every file). A rule
        may skip the documents of the other files when each of its problems lies in the
        document it walks: the engine drops the others' problems anyway."""

    def option(self, name: str) -> Option:
        """The value of the running rule's option `name`: the workspace's setting (qms.yaml
        `rules.options`) when it is valid, else the rule's default."""
        assert self.rule is not None, "options are read inside a rule's check"
        default = dict(self.rule.options)[name]
        given = configured(self.workspace.settings.rules.options, self.rule).get(name)
        return given if given is not None and fits(given, default) else default

    def wanted(self, doc: Document) -> bool:
        """Whether problems in `doc`'s file are wanted (`only`)."""
        return self.only is None or doc.source in self.only

    @cached_property
    def index(self) -> Index:
        """Look-up tables of every id."""
        return Index.build(self.workspace)

    @cached_property
    def coverage(self) -> Coverage:
        """The goal x organisation matrix, computed once for QMS401-QMS403 (and `coverage`)."""
        from qms.coverage import coverage

        return coverage(self.workspace, self.index, self.as_of)

    def flow(self, process: Process) -> Flow:
        """The step graph of one process (cached)."""
        key = id(process)
        if key not in self._flows:
            from qms.graph import flow

            self._flows[key] = flow(process)
        return self._flows[key]

    @staticmethod
    def loc(doc: Document, *path: PathPart) -> Location:
        """The location of a key path inside a document."""
        return Location(doc.source, tuple(path))


def configured(options: Mapping[str, Mapping[str, Option]], r: Rule) -> dict[str, Option]:
    """The options a workspace sets for `r` (by its code or its name; the name wins)."""
    return {**options.get(r.code, {}), **options.get(r.name, {})}


def fits(value: Option, default: Option) -> bool:
    """True when `value` has the type of the option's default (a whole number is a number)."""
    if isinstance(default, bool) or isinstance(value, bool):
        return type(value) is type(default)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return type(value) is type(default)
