"""QMS003 duplicate-id: two elements with the same id in one scope, in any letter case.

## What it does
Reports the second and later definitions of an id within its scope: organisations and
projects in the workspace; goals in their project; periods in the workspace; processes, plans,
roles, metrics and registered documents in their organisation; steps and documents in their
process; actions in their plan. Ids are compared without regard to case: `G1` and `g1` in one
scope are reported too.

## Why is this bad?
A reference to the id becomes ambiguous: a flow, a goal link or a metric may silently point at
the wrong element, and diagrams and exports would get colliding file names and anchors. Ids
that differ only in case look the same to a reader and collide as file names on Windows and
macOS.

## Example
```yaml
steps:
  - {id: hyvaksynta, name: Hyväksytään talousarvio, next: [loppu]}
  - {id: hyvaksynta, name: Hyväksytään tilinpäätös, next: [loppu]}
```

Use instead: give each step its own id (`hyvaksynta-talousarvio`, `hyvaksynta-tilinpaatos`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from qms.findings import Msg
from qms.index import INDEX_FIELDS, INDEX_READS
from qms.rule import Context, Problem, Where, problem, rule

MESSAGE = Msg(
    en="duplicate {what} id '{id}' in {scope}; the first one is in {first}",
    fi="{what_fi}-tunniste '{id}' on kahdesti ({scope}); ensimmäinen on tiedostossa {first}",
)
CASE_MESSAGE = Msg(
    en="{what} id '{id}' differs only in case from '{other}' in {scope} (in {first}); "
    "give them different ids",
    fi="{what_fi}-tunniste '{id}' eroaa tunnisteesta '{other}' ({scope}, tiedostossa {first}) "
    "vain kirjainkooltaan; anna niille eri tunnisteet",
)

WHAT = {
    "organisation": "organisaatio",
    "project": "projekti",
    "goal": "tavoite",
    "period": "jakso",
    "process": "prosessi",
    "plan": "suunnitelma",
    "role": "rooli",
    "metric": "mittari",
    "document": "asiakirja",
    "step": "vaihe",
    "action": "toimenpide",
}


def _duplicates(what: str, scope: str, items: Iterable[tuple[str, Where]]) -> Iterator[Problem]:
    first: dict[str, tuple[str, Where]] = {}
    for ident, where in items:
        key = ident.casefold()
        if key in first:
            other, at = first[key]
            yield problem(
                Context.loc(*where, "id"),
                MESSAGE if other == ident else CASE_MESSAGE,
                element=ident,
                what=what,
                what_fi=WHAT[what],
                id=ident,
                other=other,
                scope=scope,
                first=at[0].source,
            )
        else:
            first[key] = (ident, where)


@rule(
    "QMS003",
    "duplicate-id",
    "error",
    reads=(*INDEX_READS, "actions", "steps"),
    shared=INDEX_FIELDS,
)
def check(ctx: Context) -> Iterator[Problem]:
    """Group ids by scope in one pass; report every repeat after the first."""
    ws = ctx.workspace
    yield from _duplicates("organisation", "workspace", ((o.id, (o,)) for o in ws.organisations))
    yield from _duplicates("project", "workspace", ((p.id, (p,)) for p in ws.projects))
    yield from _duplicates(
        "period",
        "workspace",
        ((x.id, (p, "periods", i)) for p in ws.projects for i, x in enumerate(p.periods)),
    )
    for project in ws.projects:
        yield from _duplicates(
            "goal",
            project.id,
            ((g.id, (project, "goals", i)) for i, g in enumerate(project.goals)),
        )
    by_org: dict[tuple[str, str], list[tuple[str, Where]]] = {}

    def add(org: str, what: str, ident: str, where: Where) -> None:
        by_org.setdefault((org, what), []).append((ident, where))

    for org in ws.organisations:
        for i, role in enumerate(org.roles):
            add(org.id, "role", role.id, (org, "roles", i))
        for i, doc in enumerate(org.documents):
            add(org.id, "document", doc.id, (org, "documents", i))
    for process in ws.processes:
        add(process.organisation, "process", process.id, (process,))
        yield from _duplicates(
            "step",
            f"{process.organisation}/{process.id}",
            ((s.id, (process, "steps", i)) for i, s in enumerate(process.steps)),
        )
        yield from _duplicates(
            "document",
            f"{process.organisation}/{process.id}",
            ((d.id, (process, "documents", i)) for i, d in enumerate(process.documents)),
        )
    for plan in ws.plans:
        add(plan.organisation, "plan", plan.id, (plan,))
        yield from _duplicates(
            "action",
            f"{plan.organisation}/{plan.id}",
            ((a.id, (plan, "actions", i)) for i, a in enumerate(plan.actions)),
        )
    for mdoc in ws.metrics:
        for i, metric in enumerate(mdoc.metrics):
            add(mdoc.organisation, "metric", metric.id, (mdoc, "metrics", i))
    for (oid, what), items in sorted(by_org.items(), key=lambda kv: kv[0]):
        yield from _duplicates(what, oid, items)
