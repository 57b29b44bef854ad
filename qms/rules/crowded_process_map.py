"""QMS211 crowded-process-map: more than 15 top-level processes in one organisation.

## What it does
Counts, per organisation, the processes without a `parent` (the ones the process map shows)
and flags the organisation when there are more than 15. The finding stands on the
organisation's `id` (or, when the organisation has no document of its own, on the 16th
top-level process's `id`).

## Options
`limit` (default 15): the most top-level processes one organisation's map may show, e.g.
`rules: {options: {crowded-process-map: {limit: 20}}}` in qms.yaml.

## Why is this bad?
Auditing practice: a process map is read at a glance, and a map of more than about 15 main
processes usually mixes levels: sub-processes and work flows have been drawn next to the main
processes they belong to, and the map stops showing the big picture.

## Example
Seventeen processes of one organisation, none with a `parent`:
```yaml
kind: process
id: hankinnat
organisation: redu
name: Hankinnat
level: 2
```

Use instead: group them under a few main processes, one level up:
```yaml
kind: process
id: hankinnat
organisation: redu
name: Hankinnat
level: 3
parent: talous
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.model import Process
from qms.rule import Context, Problem, problem, rule

LIMIT = 15

MESSAGE = Msg(
    en="organisation '{id}' has {count} top-level processes (more than {limit}); group them "
    "under main processes with `parent`",
    fi="organisaatiolla '{id}' on {count} ylimmän tason prosessia (yli {limit}); ryhmittele ne "
    "pääprosessien alle kohdassa `parent`",
)


@rule(
    "QMS211",
    "crowded-process-map",
    "warning",
    options={"limit": LIMIT},
    reads=("documents", "id", "organisation", "parent", "roles"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Count parentless processes per organisation in one pass."""
    top: dict[str, list[Process]] = {}
    for process in ctx.workspace.processes:
        if not process.parent:
            top.setdefault(process.organisation, []).append(process)
    limit = int(ctx.option("limit"))
    for org_id, processes in sorted(top.items()):
        if len(processes) <= limit:
            continue
        org = ctx.index.organisations.get(org_id)
        loc = ctx.loc(org, "id") if org else ctx.loc(processes[limit], "id")
        yield problem(loc, MESSAGE, element=org_id, id=org_id, count=len(processes), limit=limit)
