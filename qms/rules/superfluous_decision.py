"""QMS107 superfluous-decision: a decision with fewer than two ways out.

## What it does
Flags a `kind: decision` step whose `next` names fewer than two different steps: no branch,
one branch, or several branches that all lead to the same step. Branches to unknown step ids
count as ways out here (QMS004 reports the id). A decision with no flow at all is left to
disconnected-step (QMS103), and one that several flows enter is a join (an explicit merge
of exclusive branches), which needs only one way out.

## Why is this bad?
A decision that does not choose between ways only adds a symbol to the diagram and a
question nobody needs to answer; usually a branch was forgotten (what happens when the
answer is "no"?) or the step is really a task.

## Example
```yaml
  - id: paatos
    kind: decision
    name: Hyväksytäänkö talousarvio?
    next: {kyllä: loppu}
```

Use instead: add the missing branch (`next: {kyllä: loppu, ei: esitykset}`), or make the step
a task (`kind: task`, `next: [loppu]`).
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._flow import isolated, step_problem

MESSAGE = Msg(
    en="decision '{step}' of process '{process}' has {count} different next step(s); "
    "a decision needs at least two ways out: add the missing branch or make it a task",
    fi="prosessin '{process}' päätösvaiheen '{step}' eri jatkovaiheiden määrä on {count}; "
    "päätöksellä pitää olla vähintään kaksi haaraa: lisää puuttuva haara tai tee siitä tehtävä",
)


@rule("QMS107", "superfluous-decision", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """Counts the distinct targets of each decision's `next` list."""
    for process in ctx.workspace.processes:
        graph = ctx.flow(process)
        for i, step in enumerate(process.steps):
            if step.kind != "decision":
                continue
            targets = {branch.to for branch in step.next}
            if len(targets) >= 2 or (len(graph) > 1 and isolated(graph, step.id)):
                continue
            if graph.has_node(step.id) and graph.in_degree(step.id) >= 2:
                continue  # a join
            yield step_problem(ctx, process, i, step, MESSAGE, count=len(targets))
