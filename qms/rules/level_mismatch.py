"""QMS210 level-mismatch: a parent that is not exactly one level up, or a cycle of parents.

## What it does
For each process with a `parent`, compares the description levels: the parent must be
exactly one level up (a level-3 process flow under a level-2 operating model). A level-1
process (the process map) can have no parent. `level` defaults to 2 where it is not written,
so a child that leaves it out under a level-2 parent is flagged. Processes whose parents lead
round in a circle (`a` under `b` under `a`, or a process under itself) are reported once per
cycle, on the `parent` of the cycle's first process in id order, and their levels are not
compared again. The other findings stand on the process's `parent`. A parent that does not
exist is QMS004's business.

## Why is this bad?
JHS 152 describes processes on four levels, detail growing level by level: process map,
operating model, process flow, work flow. A skipped or inverted level breaks the drill-down
that readers (and the published manual's navigation) follow, and a cycle of parents has no
top at all.

## Example
```yaml
kind: process
id: opiskelijavalinta
organisation: redu
name: Opiskelijavalinta
level: 4
parent: opiskelijapalvelut     # a level-2 process
```

Use instead: put the process one level below its parent (or pick the right parent):
```yaml
level: 3
parent: opiskelijapalvelut
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.index import INDEX_READS, Key
from qms.model import Process
from qms.rule import Context, Problem, problem, rule

MISMATCH = Msg(
    en="process '{id}' is at level {level} but its parent '{parent}' is at level {parent_level}; "
    "a parent must be exactly one level up (level {want})",
    fi="prosessi '{id}' on tasolla {level}, mutta sen yläprosessi '{parent}' on tasolla "
    "{parent_level}; yläprosessin pitää olla tasan yhtä tasoa ylempänä (taso {want})",
)
TOP = Msg(
    en="process '{id}' is at level 1 (process map) but has parent '{parent}'; a level-1 "
    "process cannot have a parent",
    fi="prosessi '{id}' on tasolla 1 (prosessikartta), mutta sillä on yläprosessi '{parent}'; "
    "tason 1 prosessilla ei voi olla yläprosessia",
)
CYCLE = Msg(
    en="processes form a cycle of parents: {cycle}; one of them must be the top",
    fi="prosessien yläprosessit kiertävät kehää: {cycle}; yhden niistä pitää olla ylimpänä",
)
SELF = Msg(
    en="process '{id}' is its own parent",
    fi="prosessi '{id}' on itsensä yläprosessi",
)


def _name(key: Key, org: str) -> str:
    """A process as it would be referred to from inside `org`."""
    return key[1] if key[0] == org else f"{key[0]}/{key[1]}"


@rule(
    "QMS210",
    "level-mismatch",
    "error",
    reads=(*INDEX_READS, "level", "parent"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Follow parent links once: each process is walked at most once (linear), cycles
    are found on the walk, then each child is compared with its parent."""
    index = ctx.index
    parent_of: dict[Key, Key] = {}
    for child, process in index.processes.items():
        if process.parent and (up := index.process_key(process.parent, child[0])):
            parent_of[child] = up
    state: dict[Key, int] = {}  # 1 on the current walk, 2 finished
    cycles: list[list[Key]] = []
    for start in sorted(parent_of):
        walk: list[Key] = []
        key: Key | None = start
        while key is not None and key not in state:
            state[key] = 1
            walk.append(key)
            key = parent_of.get(key)
        if key is not None and state[key] == 1:
            cycles.append(walk[walk.index(key) :])
        for done in walk:
            state[done] = 2
    on_cycle: set[Key] = set()
    for cycle in cycles:
        on_cycle.update(cycle)
        first = min(cycle)
        at = cycle.index(first)
        ordered = [*cycle[at:], *cycle[:at], first]
        proc = index.processes[first]
        if len(cycle) == 1:
            yield problem(ctx.loc(proc, "parent"), SELF, element=proc.id, id=proc.id)
        else:
            shown = " -> ".join(_name(k, first[0]) for k in ordered)
            yield problem(ctx.loc(proc, "parent"), CYCLE, element=proc.id, cycle=shown)
    for process in ctx.workspace.processes:
        yield from _compare(ctx, process, on_cycle)


def _compare(ctx: Context, process: Process, on_cycle: set[Key]) -> Iterator[Problem]:
    """The level check of one child against its parent."""
    if not process.parent or (process.organisation, process.id) in on_cycle:
        return
    up = ctx.index.process(process.parent, process.organisation)
    if up is None or up.level == process.level - 1:
        return
    msg = TOP if process.level == 1 else MISMATCH
    yield problem(
        ctx.loc(process, "parent"),
        msg,
        element=process.id,
        id=process.id,
        level=process.level,
        parent=process.parent,
        parent_level=up.level,
        want=process.level - 1,
    )
