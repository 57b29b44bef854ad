"""QMS004 unknown-reference: a reference to a goal, process, role, step, metric, document,
period or organisation that does not exist.

## What it does
Resolves every reference of the model (a step's `next`, `role` and `call`, a process's
`owner`, `parent`, `realizes`, `metrics`, inputs' `from` and outputs' `to` where they name a
process, a plan action's `who`, `evaluated_by`, `realizes` and `processes`, an organisation's
`commits_to` and process map, a result's `goal` and `period`, ...) and reports each one that
names nothing, with the nearest existing id as a suggestion. Process references work inside
an organisation by plain id (`talous`) and across organisations qualified (`redu/talous`).
An input's `from` or output's `to` written as a name (with capitals or spaces, e.g.
`Opiskelijat`) is an outside party and is not resolved.

## Why is this bad?
A dangling reference breaks the flow, the diagrams and the coverage matrix without a sound:
a goal typed `G31` instead of `G3` simply stops being covered.

## Example
```yaml
realizes: [G31]          # the project has G1 ... G11
steps:
  - {id: alku, kind: start, name: Alku, role: talousjohtja, next: [loppu]}
```

Use instead:
```yaml
realizes: [G3]
steps:
  - {id: alku, kind: start, name: Alku, role: talousjohtaja, next: [loppu]}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TypeVar

from qms.findings import Msg, did_you_mean
from qms.index import INDEX_FIELDS, INDEX_READS, Index, split_ref
from qms.model import Document
from qms.rule import Context, Problem, Where, problem, rule

GUESS = Msg(
    en="unknown {what} '{ref}'; did you mean '{guess}'?",
    fi="tuntematon {what_fi} '{ref}'; tarkoititko '{guess}'?",
)
KNOWN = Msg(
    en="unknown {what} '{ref}'; known: {known}",
    fi="tuntematon {what_fi} '{ref}'; tunnetut: {known}",
)
NONE = Msg(
    en="unknown {what} '{ref}'; none are defined{where}",
    fi="tuntematon {what_fi} '{ref}'; yhtään ei ole määritelty{where}",
)

WHAT_FI = {
    "goal": "tavoite",
    "process": "prosessi",
    "role": "rooli",
    "step": "vaihe",
    "metric": "mittari",
    "document": "asiakirja",
    "period": "jakso",
    "organisation": "organisaatio",
}
_ID_SHAPED = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)?$")


def _unknown(where: Where, what: str, ref: str, candidates: list[str]) -> Problem:
    loc = Context.loc(*where)
    guess = did_you_mean(ref, candidates)
    params = {"what": what, "what_fi": WHAT_FI[what], "ref": ref}
    if guess:
        return problem(loc, GUESS, element=ref, guess=guess, **params)
    if candidates:
        shown = ", ".join(candidates[:8]) + (", ..." if len(candidates) > 8 else "")
        return problem(loc, KNOWN, element=ref, known=shown, **params)
    return problem(loc, NONE, element=ref, where="", **params)


class _Checker:
    """Reference checks for one workspace; each method yields the problems of one kind."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.index: Index = ctx.index
        self.goal_ids = sorted(g for g in self.index.goals if "/" not in g)
        self.period_ids = sorted(self.index.periods)
        self.org_ids = sorted(self.index.organisations)
        broken = ctx.workspace.unloaded
        # References into a file that failed to load are not reported again (no cascades).
        self.broken_orgs = {i for k, _, i in broken if k == "organisation"}
        self.broken_processes = {(o, i) for k, o, i in broken if k == "process"}
        self.broken_metrics = {o for k, o, _ in broken if k == "metrics"}
        self.broken_project = any(k == "project" for k, _, _ in broken)
        # Per-organisation look-ups computed once: per process they made the rule quadratic.
        self.register_ids: dict[str, set[str]] = {}
        for o, d in self.index.register:
            self.register_ids.setdefault(o, set()).add(d)
        self._process_ids: dict[str, list[str]] = {}
        self._party_guess: dict[tuple[str, str], str | None] = {}

    def process_ids(self, org: str) -> list[str]:
        """Index.process_ids, once per organisation."""
        if org not in self._process_ids:
            self._process_ids[org] = self.index.process_ids(org)
        return self._process_ids[org]

    def goals(self, loc: Where, refs: Sequence[str]) -> Iterator[Problem]:
        if self.broken_project:
            return
        for i, ref in enumerate(refs):
            if ref not in self.index.goals:
                yield _unknown((*loc, i), "goal", ref, self.goal_ids)

    def goal(self, loc: Where, ref: str | None) -> Iterator[Problem]:
        if ref is not None and not self.broken_project and ref not in self.index.goals:
            yield _unknown(loc, "goal", ref, self.goal_ids)

    def org(self, loc: Where, ref: str | None) -> Iterator[Problem]:
        known = ref in self.index.organisations or ref in self.broken_orgs
        if ref is not None and not known:
            yield _unknown(loc, "organisation", ref, self.org_ids)

    def period(self, loc: Where, ref: str) -> Iterator[Problem]:
        if not self.broken_project and ref not in self.index.periods:
            yield _unknown(loc, "period", ref, self.period_ids)

    def role(self, loc: Where, org: str, ref: str | None) -> Iterator[Problem]:
        known = org in self.index.organisations
        if ref is not None and known and (org, ref) not in self.index.roles:
            yield _unknown(loc, "role", ref, self.index.role_ids(org))

    def process(self, loc: Where, org: str, ref: str | None) -> Iterator[Problem]:
        if ref is None or split_ref(ref, org) in self.broken_processes:
            return
        if self.index.process_key(ref, org) is None:
            yield _unknown(loc, "process", ref, self.process_ids(org))

    def processes(self, loc: Where, org: str, refs: Sequence[str]) -> Iterator[Problem]:
        for i, ref in enumerate(refs):
            yield from self.process((*loc, i), org, ref)

    def party(self, loc: Where, org: str, ref: str | None) -> Iterator[Problem]:
        """`from`/`to`: a process when it resolves; a near-miss id-shaped word is a typo."""
        if ref is None or not _ID_SHAPED.match(ref) or self.index.process_key(ref, org):
            return
        key = (org, ref)
        if key not in self._party_guess:  # the same outside party recurs in many processes
            self._party_guess[key] = did_you_mean(ref, self.process_ids(org))
        if self._party_guess[key]:
            yield _unknown(loc, "process", ref, self.process_ids(org))

    def metrics(self, loc: Where, org: str, refs: Sequence[str]) -> Iterator[Problem]:
        for i, ref in enumerate(refs):
            if split_ref(ref, org)[0] in self.broken_metrics:
                continue
            if self.index.metric(ref, org) is None:
                yield _unknown((*loc, i), "metric", ref, self.index.metric_ids(org))


_D = TypeVar("_D", bound=Document)


def _wanted(ctx: Context, docs: tuple[_D, ...]) -> Iterator[_D]:
    return (d for d in docs if ctx.wanted(d))


@rule(
    "QMS004",
    "unknown-reference",
    "error",
    reads=(
        *INDEX_READS,
        "actions",
        "call",
        "commits_to",
        "coordinator",
        "core",
        "evaluated_by",
        "from_",
        "goal",
        "influences",
        "inputs",
        "management",
        "merges_into",
        "next",
        "outputs",
        "owner",
        "parent",
        "period",
        "process_map",
        "processes",
        "quality_group",
        "realizes",
        "results",
        "role",
        "steps",
        "support",
        "to",
        "values",
        "who",
    ),
    shared=INDEX_FIELDS,
)
def check(ctx: Context) -> Iterator[Problem]:
    """Walk every reference field once, resolving through the index; each problem lies in
    the document walked, so only the wanted ones are walked (`Context.only`: after an edit,
    the edited documents among stand-ins of all the others)."""
    c = _Checker(ctx)
    ws = ctx.workspace
    for project in _wanted(ctx, ws.projects):
        yield from c.org((project, "coordinator"), project.coordinator)
        for i, goal in enumerate(project.goals):
            yield from c.goal((project, "goals", i, "parent"), goal.parent)
    for org in _wanted(ctx, ws.organisations):
        yield from c.org((org, "merges_into"), org.merges_into)
        yield from c.goals((org, "commits_to"), org.commits_to)
        if org.process_map:
            for band in ("management", "core", "support"):
                refs = getattr(org.process_map, band)
                yield from c.processes((org, "process_map", band), org.id, refs)
        for i, member in enumerate(org.quality_group):
            yield from c.role((org, "quality_group", i, "role"), org.id, member.role)
        for i, doc in enumerate(org.documents):
            yield from c.role((org, "documents", i, "owner"), org.id, doc.owner)
    for p in _wanted(ctx, ws.processes):
        oid = p.organisation
        yield from c.org((p, "organisation"), oid)
        yield from c.process((p, "parent"), oid, p.parent)
        yield from c.role((p, "owner"), oid, p.owner)
        yield from c.goals((p, "realizes"), p.realizes)
        yield from c.goals((p, "influences"), p.influences)
        yield from c.metrics((p, "metrics"), oid, p.metrics)
        for i, inp in enumerate(p.inputs):
            yield from c.party((p, "inputs", i, "from"), oid, inp.from_)
        for i, out in enumerate(p.outputs):
            yield from c.party((p, "outputs", i, "to"), oid, out.to)
        for i, pdoc in enumerate(p.documents):
            yield from c.role((p, "documents", i, "owner"), oid, pdoc.owner)
        step_ids = list(dict.fromkeys(s.id for s in p.steps))
        known_steps = set(step_ids)
        doc_ids = sorted({d.id for d in p.documents} | c.register_ids.get(oid, set()))
        for i, step in enumerate(p.steps):
            yield from c.role((p, "steps", i, "role"), oid, step.role)
            yield from c.process((p, "steps", i, "call"), oid, step.call)
            for j, branch in enumerate(step.next):
                if branch.to not in known_steps:
                    yield _unknown((p, "steps", i, "next", j), "step", branch.to, step_ids)
            for j, ref in enumerate(step.documents):
                if ref not in doc_ids:
                    yield _unknown((p, "steps", i, "documents", j), "document", ref, doc_ids)
    for plan in _wanted(ctx, ws.plans):
        oid = plan.organisation
        yield from c.org((plan, "organisation"), oid)
        for i, action in enumerate(plan.actions):
            at: Where = (plan, "actions", i)
            yield from c.role((*at, "who"), oid, action.who)
            yield from c.metrics((*at, "evaluated_by"), oid, action.evaluated_by)
            yield from c.goals((*at, "realizes"), action.realizes)
            yield from c.processes((*at, "processes"), oid, action.processes)
    for mdoc in _wanted(ctx, ws.metrics):
        oid = mdoc.organisation
        yield from c.org((mdoc, "organisation"), oid)
        for i, metric in enumerate(mdoc.metrics):
            at = (mdoc, "metrics", i)
            yield from c.role((*at, "owner"), oid, metric.owner)
            yield from c.goals((*at, "realizes"), metric.realizes)
            for j, value in enumerate(metric.values):
                yield from c.period((*at, "values", j, "period"), value.period)
    for res in _wanted(ctx, ws.results):
        yield from c.org((res, "organisation"), res.organisation)
        for i, result in enumerate(res.results):
            at = (res, "results", i)
            yield from c.period((*at, "period"), result.period)
            yield from c.goal((*at, "goal"), result.goal)
