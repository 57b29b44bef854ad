"""QMS111 missing-lane: a step without a role in a process whose other steps have roles.

## What it does
Once any step of a process names a `role`, the process is drawn as a swimlane diagram, and
every step needs a lane: each step without a role is flagged, whatever its kind (start and
end steps sit in a lane too), except an event on a task's or subprocess's border
(`attached_to`), which is drawn on its host, in the host's lane. A process where no step has
a role is drawn without lanes and is not flagged; neither is a process with a single step.
Whether the role exists is unknown-reference's (QMS004) concern.

## Why is this bad?
The swimlane diagram (uimaratakaavio) answers "who does what"; a step without a lane has no
one responsible for it, and the diagram has to park it outside every lane.

## Example
```yaml
steps:
  - {id: alku, kind: start, name: Alku, role: talousjohtaja, next: [raami]}
  - {id: raami, name: Talousarvioraamin valmistelu, next: [loppu]}
  - {id: loppu, kind: end, name: Talousarvio hyväksytty, role: yhtymahallitus}
```

Use instead:
```yaml
  - {id: raami, name: Talousarvioraamin valmistelu, role: talousjohtaja, next: [loppu]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.graph import border_hosts
from qms.rule import Context, Problem, rule
from qms.rules._flow import step_problem

MESSAGE = Msg(
    en="step '{step}' of process '{process}' has no role, while {with_role} of the process's "
    "{total} steps have one; give it a `role` so that it gets a lane in the swimlane diagram",
    fi="prosessin '{process}' vaiheella '{step}' ei ole roolia, vaikka prosessin vaiheista "
    "{with_role}/{total} on roolitettu; anna sille `role`, jotta se saa uimaradan kaaviossa",
)


@rule("QMS111", "missing-lane", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """Counts the steps with roles once per process."""
    for process in ctx.workspace.processes:
        hosted = border_hosts(process) if any(s.attached_to for s in process.steps) else {}
        laned = [(i, s) for i, s in enumerate(process.steps) if s.id not in hosted]
        with_role = sum(1 for _, s in laned if s.role)
        if not with_role:
            continue
        for i, step in laned:
            if not step.role:
                yield step_problem(
                    ctx, process, i, step, MESSAGE, with_role=with_role, total=len(laned)
                )
