"""QMS104 unreachable-step: a step that no path from a start step reaches.

## What it does
Follows the flow forward from every `kind: start` step at once and flags each step it never
reaches. A process without a start step is left to missing-start (QMS101), and a step with no
flow at all to disconnected-step (QMS103). Flows to unknown step ids do not count (QMS004).

## Why is this bad?
A step that cannot be reached never happens as described: either a flow is missing (a
decision's `ei` branch, a return from a correction loop) or the step is left over from an
earlier version of the process.

## Example
```yaml
steps:
  - {id: alku, kind: start, name: Alku, next: [raami]}
  - {id: raami, name: Talousarvioraamin valmistelu, next: [loppu]}
  - {id: korjaus, name: Korjataan esitykset, next: [raami]}   # nothing leads here
  - {id: loppu, kind: end, name: Loppu}
```

Use instead: lead a flow to the step, e.g. from a decision, or delete it.
```yaml
  - {id: raami, name: Talousarvioraamin valmistelu, next: [tarkistus]}
  - {id: tarkistus, kind: decision, name: Onko raami kunnossa?,
     next: {kyllä: loppu, ei: korjaus}}
  - {id: korjaus, name: Korjataan esitykset, next: [raami]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._flow import isolated, reach, step_problem, unique_steps

MESSAGE = Msg(
    en="step '{step}' of process '{process}' cannot be reached from any start step; "
    "lead a flow to it or delete it",
    fi="prosessin '{process}' vaiheeseen '{step}' ei pääse mistään aloitusvaiheesta; "
    "ohjaa siihen kulku jostakin vaiheesta tai poista se",
)


@rule("QMS104", "unreachable-step", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One forward search per process from all its start steps together."""
    for process in ctx.workspace.processes:
        graph = ctx.flow(process)
        starts = [s.id for s in process.steps if s.kind == "start"]
        if not starts:
            continue  # QMS101 missing-start
        reached = reach(graph.successors, starts)
        for i, step in unique_steps(process):
            if step.id not in reached and not isolated(graph, step.id):
                yield step_problem(ctx, process, i, step, MESSAGE)
