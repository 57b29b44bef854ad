"""QMS110 recursive-subprocess: subprocess calls that form a cycle.

## What it does
Builds the call graph of the workspace (process -> process, one edge for each step's `call`,
across organisations: `call: redu/talous`) and flags every group of processes that call each
other round in a circle, a process that calls itself included. Each group is reported once,
at the `call` of one of its calling steps (the first in file order), with one cycle through
that step spelled out. Calls to unknown processes are left to unknown-reference (QMS004).

## Why is this bad?
A subprocess is a drill-down: the called process describes one step of the caller in more
detail. A cycle means a process is part of itself, so the levels of description (JHS 152)
no longer nest, and drill-down diagrams and the manual's chapters cannot be ordered.

## Example
```yaml
# talous.yaml
steps:
  - {id: budjetointi, kind: subprocess, name: Budjetointi, call: budjetointi}
# budjetointi.yaml
steps:
  - {id: talouden-seuranta, kind: subprocess, name: Talouden seuranta, call: talous}
```

Use instead: let only the higher-level process call the more detailed one; link back with an
output (`outputs: [{name: Toteumaraportti, to: talous}]`) instead of a call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from qms.findings import Msg
from qms.index import INDEX_READS, Key
from qms.rule import Context, Problem, problem, rule

if TYPE_CHECKING:
    import networkx as nx

    from qms.model import Process, Step

MESSAGE = Msg(
    en="subprocess calls form a cycle: {cycle}; step '{step}' of '{process}' calls '{call}', "
    "which leads back to '{process}': a process cannot contain itself, break the cycle",
    fi="aliprosessikutsut muodostavat kehän: {cycle}; prosessin '{process}' vaihe '{step}' "
    "kutsuu prosessia '{call}', josta kutsut johtavat takaisin prosessiin '{process}': "
    "prosessi ei voi sisältää itseään, katkaise kehä",
)


def _path(graph: nx.DiGraph, source: Key, target: Key, within: set[Key]) -> list[Key]:
    """A shortest path from source to target inside `within` (breadth first, linear)."""
    parent: dict[Key, Key | None] = {source: None}
    todo = [source]
    while todo and target not in parent:
        after: list[Key] = []
        for here in todo:
            for nxt in sorted(graph.successors(here)):
                if nxt in within and nxt not in parent:
                    parent[nxt] = here
                    after.append(nxt)
        todo = after
    path: list[Key] = []
    node: Key | None = target
    while node is not None:
        path.append(node)
        node = parent[node]
    return path[::-1]


def _name(key: Key) -> str:
    return f"{key[0]}/{key[1]}"


@rule(
    "QMS110",
    "recursive-subprocess",
    "error",
    reads=(*INDEX_READS, "call", "steps"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Strongly connected components of the call graph: linear in processes and calls.

    The standard library's topological sort first tells whether there is any cycle at all;
    only then is networkx imported (a tenth of a second, more than the check itself)."""
    from graphlib import CycleError, TopologicalSorter

    edges: dict[tuple[Key, Key], tuple[str, int, Process, Step]] = {}
    for process in ctx.workspace.processes:
        caller = (process.organisation, process.id)
        for i, step in enumerate(process.steps):
            callee = step.call and ctx.index.process_key(step.call, process.organisation)
            if callee:
                edges.setdefault((caller, callee), (process.source, i, process, step))
    callees: dict[Key, list[Key]] = {}
    for caller, callee in edges:
        callees.setdefault(caller, []).append(callee)
    try:
        TopologicalSorter(callees).prepare()
        return
    except CycleError:
        pass
    import networkx as nx

    calls = nx.DiGraph()
    for (caller, callee), at in edges.items():
        calls.add_edge(caller, callee, at=at)
    for component in nx.strongly_connected_components(calls):
        inside = [
            (data["at"], u, v)
            for u in component
            for v, data in calls.adj[u].items()
            if v in component
        ]
        if not inside:
            continue  # a single process that does not call itself
        (_, i, process, step), caller, callee = min(inside, key=lambda e: (e[0][:2], e[1:]))
        back = _path(calls, callee, caller, component) if callee != caller else [caller]
        yield problem(
            ctx.loc(process, "steps", i, "call"),
            MESSAGE,
            element=step.id,
            cycle=" -> ".join(_name(k) for k in [caller, *back]),
            step=step.id,
            process=_name(caller),
            call=_name(callee),
        )
