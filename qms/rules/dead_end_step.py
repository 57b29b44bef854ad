"""QMS105 dead-end-step: a non-end step with no way out, or from which no end can be reached.

## What it does
Flags, once per step, either of two cases:

- a step that is not `kind: end` and has no flow to another step (an empty `next`, or only
  flows to itself);
- a step that has ways out, but from which no path leads to any `kind: end` step: the flow
  circles in a loop with no exit.

The second case is found by one backward search from all end steps together, so it needs an
end step: a process without one is left to missing-end (QMS102), and only the first case is
reported in it. A step with no flow at all is left to disconnected-step (QMS103), and one
whose `next` names an unknown step to unknown-reference (QMS004): that is its one mistake,
and the step is not called a dead end as well. A task with
`compensation: true` ends when its work is undone, and a throwing link event goes on at the
catching link event of the same name.

## Why is this bad?
A process that can get stuck never finishes as described: the reader does not know what
happens after the step, and the diagram shows a flow that just stops or a loop nobody can
leave (a decision whose every branch leads back, for example).

## Example
```yaml
steps:
  - {id: alku, kind: start, name: Alku, next: [raami]}
  - {id: raami, name: Talousarvioraamin valmistelu}      # no way out
  - {id: loppu, kind: end, name: Talousarvio hyväksytty}
```

Use instead:
```yaml
steps:
  - {id: alku, kind: start, name: Alku, next: [raami]}
  - {id: raami, name: Talousarvioraamin valmistelu, next: [loppu]}
  - {id: loppu, kind: end, name: Talousarvio hyväksytty}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._flow import isolated, reach, step_problem, unique_steps

NO_WAY_OUT = Msg(
    en="step '{step}' of process '{process}' has no next step and is not an end step; "
    "add `next` or mark it `kind: end`",
    fi="prosessin '{process}' vaiheella '{step}' ei ole seuraavaa vaihetta eikä se ole "
    "lopetusvaihe; lisää `next` tai merkitse se `kind: end`",
)
NO_END = Msg(
    en="no end step can be reached from step '{step}' of process '{process}'; "
    "the flow from it loops without an exit: lead one branch towards an end step",
    fi="prosessin '{process}' vaiheesta '{step}' ei pääse mihinkään lopetusvaiheeseen; "
    "kulku kiertää kehää ilman ulospääsyä: ohjaa jokin haara kohti lopetusvaihetta",
)


@rule("QMS105", "dead-end-step", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One backward search per process from all its end steps together."""
    for process in ctx.workspace.processes:
        graph = ctx.flow(process)
        # A compensation activity ends when it has undone its work.
        ends = [s.id for s in process.steps if s.kind == "end" or (s.compensation and not s.next)]
        # A flow into an unknown step is QMS004's one finding; where it would lead is not
        # known, so neither the step nor what leads to it is called a dead end as well.
        known = {s.id for s in process.steps}
        dangling: list[str] = []
        if not known.issuperset(b.to for s in process.steps for b in s.next):
            dangling = [s.id for s in process.steps if any(b.to not in known for b in s.next)]
        finishing = reach(graph.predecessors, ends + dangling)
        for i, step in unique_steps(process):
            if step.id in finishing or isolated(graph, step.id):
                continue
            stuck = all(n == step.id for n in graph.successors(step.id))
            if stuck and (step.compensation or (step.trigger == "link" and step.catch is False)):
                continue  # ends once its work is undone / goes on at its catching link
            if stuck and step.attached_to:
                continue  # an event on a step's border with no path: QMS114
            if stuck and step.kind != "end":
                msg = NO_WAY_OUT
            elif ends:
                msg = NO_END
            else:
                continue  # no end step at all: QMS102 missing-end
            yield step_problem(ctx, process, i, step, msg)
