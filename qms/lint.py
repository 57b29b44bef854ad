"""The rule engine: runs rules over a workspace and stamps their problems into findings.

Rules yield `Problem`s at model locations and never set their own severity; the engine applies
the preset and the workspace's `rules:` settings, resolves positions through the SourceMap,
applies per-element suppressions (keeping the reason, which every report shows), and turns a
rule that raises into an internal finding while the other rules still run.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from qms.findings import Finding, Msg, PathPart, Result, Severity, make_text
from qms.load import Loaded, SourceMap, gc_paused
from qms.model import Document, RuleConfig, Workspace
from qms.rule import Check, Context, Problem, Rule, Scope, problem, rule

__all__ = [
    "Check",
    "Context",
    "Problem",
    "Result",
    "Rule",
    "Scope",
    "configure",
    "lint",
    "problem",
    "rule",
    "run_rules",
    "stamped",
]

T = TypeVar("T")

# --- configuration ---------------------------------------------------------------------------


def _matches(selector: str, rule: Rule) -> bool:
    """A selector names a rule by code, code prefix or name."""
    return rule.code == selector or rule.name == selector or rule.code.startswith(selector)


def configure(
    rules: Sequence[Rule], config: RuleConfig, strict: bool = False
) -> dict[str, Severity]:
    """Severity by rule code for the rules that run, from the preset and the settings."""
    preset = "strict" if strict and config.extends == "recommended" else config.extends
    active: dict[str, Severity] = {}
    for r in rules:
        if preset == "all" or r.recommended or any(_matches(s, r) for s in config.select):
            active[r.code] = r.severity
    if preset == "strict":
        active = {c: ("error" if s == "warning" else s) for c, s in active.items()}
    for r in rules:
        if any(_matches(s, r) for s in config.select):
            active.setdefault(r.code, r.severity)
        if any(_matches(s, r) for s in config.ignore):
            active.pop(r.code, None)
    # Longer selectors are more specific: apply prefixes first, exact codes and names last.
    for selector, severity in sorted(config.severity.items(), key=lambda kv: len(kv[0])):
        for r in rules:
            if _matches(selector, r):
                if severity == "off":
                    active.pop(r.code, None)
                else:
                    active[r.code] = severity
    return active


# --- running ---------------------------------------------------------------------------------


INTERNAL = Msg(
    en="internal error in rule {code} ({name}): {error}; the other rules still ran",
    fi="sisäinen virhe säännössä {code} ({name}): {error}; muut säännöt ajettiin",
)


def _suppression(doc: Document | None, path: Sequence[PathPart], rule: Rule) -> str | None:
    """The reason of the innermost `lint.ignore` entry covering `path` for `rule`, if any."""
    node: Any = doc
    reason: str | None = None
    for part in (None, *path):
        if part is not None:
            try:
                node = node[part] if isinstance(part, int) else getattr(node, part)
            except (AttributeError, IndexError, KeyError, TypeError):
                break
        if isinstance(node, BaseModel):
            settings = getattr(node, "lint", None)
            for entry in settings.ignore if settings else ():
                if entry.rule in (rule.code, rule.name):
                    reason = entry.reason
    return reason


UNKNOWN_OPTION = Msg(
    en="rule {rule} has no option '{option}'{hint}; its options: {options}",
    fi="säännöllä {rule} ei ole asetusta '{option}'{hint}; sen asetukset: {options}",
)
BAD_OPTION = Msg(
    en="option '{option}' of rule {rule} takes a value like its default {default!r}, not "
    "{value!r}; the default is used{hint}",
    fi="säännön {rule} asetus '{option}' ottaa oletuksensa {default!r} kaltaisen arvon, ei "
    "{value!r}; käytetään oletusta{hint}",
)
NO_SUCH_RULE = Msg(
    en="options for '{rule}', which is no rule's code or name{hint}",
    fi="asetuksia kohteelle '{rule}', joka ei ole minkään säännön koodi eikä nimi{hint}",
)


def option_findings(
    rules: Sequence[Rule], config: RuleConfig, sources: SourceMap, r: Rule, orphans: bool
) -> list[Finding]:
    """Findings (QMS002, at qms.yaml `rules.options`) for the options of rule `r` that it
    does not have or that have the wrong type; with `orphans`, also for option entries that
    name no rule at all."""
    from qms.findings import did_you_mean
    from qms.i18n import DID_YOU_MEAN
    from qms.rule import fits

    found: list[Finding] = []

    def at(path: tuple[PathPart, ...], msg: Msg, guess: str | None, **params: Any) -> None:
        line, col, keypath = sources.locate("qms.yaml", path, at_key=True)
        text = {
            lang: msg.format(
                lang, hint=DID_YOU_MEAN.format(lang, word=guess) if guess else "", **params
            )
            for lang in ("en", "fi")
        }
        found.append(
            Finding(
                code="QMS002",
                text=text,
                file="qms.yaml",
                line=line,
                col=col,
                path=path,
                rule="schema-mismatch",
                keypath=keypath,
            )
        )

    names = [n for rule in rules for n in (rule.code, rule.name)]
    for key, given in config.options.items():
        where: tuple[PathPart, ...] = ("rules", "options", key)
        if key not in names:
            if orphans:
                at(where, NO_SUCH_RULE, did_you_mean(key, names), rule=key)
            continue
        if key not in (r.code, r.name):
            continue
        defaults = dict(r.options)
        for name, value in given.items():
            if name not in defaults:
                guess = did_you_mean(name, list(defaults)) if defaults else None
                shown = ", ".join(defaults) or "-"
                at((*where, name), UNKNOWN_OPTION, guess, rule=r.code, option=name, options=shown)
            elif not fits(value, defaults[name]):
                default = defaults[name]
                at(
                    (*where, name),
                    BAD_OPTION,
                    None,
                    rule=r.code,
                    option=name,
                    default=default,
                    value=value,
                )
    return found


def all_of(rules: Sequence[Rule]) -> Sequence[Rule]:
    """Every rule qms has (options may name a rule that is not run this time)."""
    from qms.rules import all_rules

    return list({r.code: r for r in (*all_rules(), *rules)}.values())


def stamped(
    ctx: Context,
    sources: SourceMap,
    rules: Sequence[Rule],
    severities: dict[str, Severity],
    only: Container[str] | None = None,
    orphans: bool = True,
) -> Iterator[tuple[Rule, Finding, bool]]:
    """Run rules in a context; yield each finding with its rule and whether it stands on a key.

    The key flag lets qms/incremental.py move a kept finding to its new line after an edit.
    A rule's options set wrongly in qms.yaml are reported with the rule (the defaults apply).
    `only`: the files whose problems are wanted (the others are not located at all).
    `orphans`: report options set for no rule at all with the first rule that runs (False
    when `rules` are the later part of the rules of one run, `lint_aside`).
    """
    from qms.load.salvage import salvaged_of, withheld, withheld_anywhere

    docs = {doc.source: doc for doc in ctx.workspace.documents()}
    left_out = [s for d in docs.values() if (s := salvaged_of(d)) is not None]
    config = ctx.workspace.settings.rules
    for r in rules:
        severity = severities.get(r.code)
        if severity is None:
            continue
        if config.options:
            for f in option_findings(all_of(rules), config, sources, r, orphans):
                yield r, f, True
            orphans = False
        ctx.rule, ctx.only = r, only
        try:
            problems = list(r.check(ctx))
        except Exception as error:  # noqa: BLE001 - one broken rule must not stop the others
            where = traceback.extract_tb(error.__traceback__)[-1]
            internal = Finding(
                code="QMS000",
                text=make_text(
                    INTERNAL,
                    code=r.code,
                    name=r.name,
                    error=f"{type(error).__name__}: {error} ({where.name}:{where.lineno})",
                ),
                file="qms.yaml",
                rule="internal-error",
                severity="error",
            )
            yield r, internal, False
            continue
        for p in problems:
            if only is not None and p.loc.file not in only:
                continue
            doc = docs.get(p.loc.file)
            if left_out and (
                withheld(salvaged_of(doc), r.code, p.loc.path, p.params)
                or withheld_anywhere(left_out, r.code, p.params)
            ):
                continue  # caused by what loading left out; the QMS002 finding says so
            yield r, stamp(r, severity, p, sources, doc), p.at_key


def stamp(
    r: Rule, severity: Severity, p: Problem, sources: SourceMap, doc: Document | None
) -> Finding:
    """A rule's problem as a finding: its position, severity and suppression resolved."""
    from qms.load.salvage import raw_path

    line, col, keypath = sources.locate(p.loc.file, raw_path(doc, p.loc.path), p.at_key)
    return Finding(
        code=r.code,
        text=make_text(p.msg, **p.params),
        file=p.loc.file,
        line=line,
        col=col,
        path=p.loc.path,
        severity=severity,
        rule=r.name,
        keypath=keypath,
        element=p.element,
        suppressed=_suppression(doc, p.loc.path, r),
    )


def run_rules(
    workspace: Workspace,
    sources: SourceMap,
    rules: Sequence[Rule] | None = None,
    severities: dict[str, Severity] | None = None,
    as_of: dt.date | None = None,
) -> list[Finding]:
    """Run rules over a workspace; return findings with positions and suppressions."""
    if rules is None:
        from qms.rules import all_rules

        rules = all_rules()
    if severities is None:
        severities = configure(rules, workspace.settings.rules)
    ctx = Context(workspace, as_of)
    return [f for _, f, _ in stamped(ctx, sources, rules, severities)]


def result_of(loaded: Loaded, found: Iterable[Finding], examples: int | None = None) -> Result:
    """Load and rule findings as one sorted result, each finding once; `examples`: the
    workspace's example content, when already counted."""
    from qms.example import count_examples

    unique = {(*f.sort_key(), f.path.__repr__()): f for f in [*loaded.findings, *found]}
    if examples is None:
        examples = count_examples(loaded.workspace) if loaded.workspace is not None else 0
    return Result(
        sorted(unique.values(), key=Finding.sort_key), loaded.root, loaded.fatal, examples
    )


def lint(
    loaded: Loaded,
    rules: Sequence[Rule] | None = None,
    strict: bool = False,
    as_of: dt.date | None = None,
) -> Result:
    """Load findings plus rule findings for a loaded workspace, sorted and de-duplicated."""
    return lint_stamped(loaded, rules, strict, as_of)[0]


def lint_stamped(
    loaded: Loaded,
    rules: Sequence[Rule] | None = None,
    strict: bool = False,
    as_of: dt.date | None = None,
) -> tuple[Result, list[tuple[Rule, Finding, bool]]]:
    """`lint`, and each rule finding with its rule and key flag (what qms/incremental.py keeps
    to re-check one file later)."""
    if loaded.workspace is None:
        return Result(list(loaded.findings), loaded.root, loaded.fatal), []
    if rules is None:
        from qms.rules import all_rules

        rules = all_rules()
    severities = configure(rules, loaded.workspace.settings.rules, strict)
    with gc_paused():
        ctx = Context(loaded.workspace, as_of)
        triples = list(stamped(ctx, loaded.sources, rules, severities))
        return result_of(loaded, [f for _, f, _ in triples]), triples


def lint_aside(
    loaded: Loaded,
    aside: Callable[[], T],
    strict: bool = False,
    as_of: dt.date | None = None,
) -> Callable[[], tuple[Result, list[tuple[Rule, Finding, bool]], T]]:
    """`lint_stamped` on two cores, and `aside()` (work that needs no findings, such as
    writing caches) done too. Returns once this process's part is done; what it returns
    waits for the rest and gives `lint_stamped`'s result and `aside`'s.

    The rules are about as much work as loading, and the command's second core is idle once
    the helper that loaded part of the workspace is done: a forked helper
    (qms/load/split.py) runs `aside` and the `workspace`-scope rules while this process runs
    the `file`-scope ones and counts the example content (the caller may then do more of its
    own before waiting). Each rule runs whole in one process, so its findings are those of a
    serial run; they are put back in the rules' order. Should the helper fail, its rules and
    `aside` run here. Only for a process that has no threads and ends soon after.
    """
    from qms.example import count_examples
    from qms.load.split import Helper
    from qms.rules import all_rules

    ws = loaded.workspace
    if ws is None:
        result, none = lint_stamped(loaded, None, strict, as_of)
        done = aside()
        return lambda: (result, none, done)
    rules = all_rules()
    severities = configure(rules, ws.settings.rules, strict)
    active = [r for r in rules if r.code in severities]
    theirs = [r for r in rules if r.scope == "workspace"]
    mine = [r for r in rules if r.scope != "workspace"]
    first = bool(active) and active[0].scope == "workspace"
    order = {r.code: n for n, r in enumerate(rules)}
    with gc_paused():
        ctx = Context(ws, as_of)

        def helped() -> tuple[T, list[tuple[int, Finding, bool]]]:
            found = stamped(ctx, loaded.sources, theirs, severities, orphans=first)
            return aside(), [(order[r.code], f, k) for r, f, k in found]

        helper = Helper(helped)
        triples = list(stamped(ctx, loaded.sources, mine, severities, orphans=not first))
        examples = count_examples(ws)

    def finish() -> tuple[Result, list[tuple[Rule, Finding, bool]], T]:
        with gc_paused():
            sent = helper.result()
            if sent is None:  # the helper failed: its part here
                triples.extend(stamped(ctx, loaded.sources, theirs, severities, orphans=first))
                done = aside()
            else:
                done, found = sent
                triples.extend((rules[n], f, k) for n, f, k in found)
            triples.sort(key=lambda t: order[t[0].code])  # stable: each rule's order kept
            found_all = [f for _, f, _ in triples]
            return result_of(loaded, found_all, examples), triples, done

    return finish
