"""QMS103 disconnected-step: a step with no flow in or out.

## What it does
Flags a step that no other step leads to and that leads to no other step (a flow from a step
to itself does not connect it). A process with a single step is degenerate but legal and is
not flagged. Flows to unknown step ids do not count (QMS004 reports them). A subprocess
with `triggered: true` (an event sub-process) and a task with `compensation: true` are
started by an event, not a flow, and are not flagged.

A disconnected step is reported by this rule only: unreachable-step (QMS104), dead-end-step
(QMS105) and superfluous-decision (QMS107) leave it out, so that one forgotten step gives one
finding, not three.

## Why is this bad?
An unconnected step is dead documentation or a forgotten link; an auditor reads it as an
activity that nobody starts and that leads nowhere, and the diagram shows it floating apart.

## Example
```yaml
steps:
  - {id: alku, kind: start, name: Alku, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu}
  - {id: arkistointi, name: Arkistoidaan asiakirjat}   # reached by nothing, leads nowhere
```

Use instead: link it (`alku.next: [arkistointi]`, `arkistointi.next: [loppu]`) or delete it.
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._flow import isolated, step_problem, unique_steps

MESSAGE = Msg(
    en="step '{step}' of process '{process}' is not connected to any other step; "
    "link it into the flow with `next` or delete it",
    fi="prosessin '{process}' vaihe '{step}' ei ole yhteydessä yhteenkään toiseen vaiheeseen; "
    "liitä se kulkuun `next`-kentällä tai poista se",
)


@rule("QMS103", "disconnected-step", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """Degree look-ups on each flow graph: linear in the number of steps and flows."""
    for process in ctx.workspace.processes:
        graph = ctx.flow(process)
        if len(graph) < 2:
            continue  # a one-step process is degenerate but legal
        for i, step in unique_steps(process):
            if isolated(graph, step.id) and not (step.triggered or step.compensation):
                yield step_problem(ctx, process, i, step, MESSAGE)
