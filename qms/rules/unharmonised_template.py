"""QMS404 unharmonised-template: an organisation leaves empty a process field that most others fill.

## What it does
Compares the optional summary fields of the organisations' process descriptions: `purpose`,
`owner`, `scope`, `customers`, `inputs`, `outputs`, `resources`, `metrics`, `documents`,
`risks` and `review`. An organisation *fills* a field when at least one of its processes gives
it a non-empty value. An organisation that has processes but fills a field in none of them is
reported when **most** other organisations fill it: strictly more than half of the other
organisations that have processes, and at least two of them (two organisations alone are no
network standard). Reported once per field, at the `id` of the organisation's
organisation.yaml.

## Why is this bad?
FINEEC's 2015 evaluation of VET quality management found the providers' descriptions hard to
compare because each used its own template. When most of the network writes, say, the risks
of each process and one organisation never does, the coordinator cannot compare like with
like, and the organisation may be missing a part of its quality system.

## Example
```yaml
# organisations/kao/processes/*.yaml: no process has `risks`,
# while the processes of REDU, SAKK and Lappia list theirs
kind: process
id: mittaaminen
organisation: kao
owner: controller
```

Use instead: fill the field where it applies, like the rest of the network:
```yaml
risks:
  - {name: Mittaritieto ei ole ajantasaista, mitigation: Tiedot päivitetään kuukausittain}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule

FIELDS: tuple[str, ...] = (
    "purpose",
    "owner",
    "scope",
    "customers",
    "inputs",
    "outputs",
    "resources",
    "metrics",
    "documents",
    "risks",
    "review",
)
"""The optional process fields compared across organisations."""

MESSAGE = Msg(
    en="none of the processes of '{org}' fills `{field}`, which {filled} of the other "
    "{others} organisations fill; harmonise the process template",
    fi="yksikään organisaation '{org}' prosessi ei täytä kenttää `{field}`, jonka {filled} "
    "muuta organisaatiota {others}:stä täyttää; yhtenäistä prosessipohja",
)


@rule("QMS404", "unharmonised-template", "info", reads=("id", "organisation"), truthy=FIELDS)
def check(ctx: Context) -> Iterator[Problem]:
    """Count per field the organisations that fill it; report the odd ones out."""
    filled: dict[str, set[str]] = {}
    with_processes: set[str] = set()
    for process in ctx.workspace.processes:
        with_processes.add(process.organisation)
        for name in FIELDS:
            if getattr(process, name):
                filled.setdefault(name, set()).add(process.organisation)
    seen: set[str] = set()
    for org in ctx.workspace.organisations:
        if org.id not in with_processes or org.id in seen:
            continue
        seen.add(org.id)
        others = len(with_processes) - 1
        if others < 2:
            continue
        for name in FIELDS:
            fillers = filled.get(name, set())
            if org.id in fillers:
                continue
            if len(fillers) * 2 > others:
                yield problem(
                    ctx.loc(org, "id"),
                    MESSAGE,
                    element=org.id,
                    org=org.id,
                    field=name,
                    filled=len(fillers),
                    others=others,
                )
