"""QMS115 misplaced-boundary-event: `attached_to` on a step that cannot carry it.

## What it does
Flags a step with `attached_to` that is not `kind: event`, or whose `attached_to` names a step
of the same process that is not a `task` or `subprocess` (only work can be interrupted; an
unknown id is unknown-reference's, QMS004). The finding stands on the `attached_to` key.

## Why is this bad?
BPMN puts boundary events on the border of activities only: an exporter cannot draw the
model, and a reader cannot tell what the event interrupts. The usual cause is a typo in the
id, or a task that was meant as a `kind: event`.

## Example
```yaml
  - {id: paatos, kind: decision, name: Hyväksytäänkö?, next: {kyllä: loppu, ei: korjaus}}
  - {id: muistutus, kind: event, trigger: timer, name: Viikko kulunut, attached_to: paatos,
     next: [korjaus]}
```

Use instead: attach it to the work that may take too long.
```yaml
  - {id: muistutus, kind: event, trigger: timer, name: Viikko kulunut, attached_to: kasittely,
     next: [korjaus]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.graph import BORDER_HOSTS
from qms.rule import Context, Problem, problem, rule
from qms.rules._flow import unique_steps

NOT_EVENT = Msg(
    en="step '{step}' of process '{process}' is a {kind}, but only an event can sit on the "
    "border of another step; make it `kind: event` or remove `attached_to`",
    fi="prosessin '{process}' vaihe '{step}' on {kind}, mutta vain tapahtuma voi olla toisen "
    "vaiheen reunalla; merkitse se `kind: event` tai poista `attached_to`",
)
NOT_WORK = Msg(
    en="event '{step}' of process '{process}' sits on '{host}', a {kind}; only a task or a "
    "subprocess can be interrupted: attach it to one",
    fi="prosessin '{process}' tapahtuma '{step}' on vaiheen '{host}' ({kind}) reunalla; vain "
    "tehtävän tai aliprosessin voi keskeyttää: liitä se sellaiseen",
)


@rule("QMS115", "misplaced-boundary-event", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One pass over the steps of each process, with a map of kinds."""
    for process in ctx.workspace.processes:
        kinds: dict[str, str] | None = None  # made for the processes with a boundary event
        for i, step in unique_steps(process):
            if not step.attached_to:
                continue
            if kinds is None:
                kinds = {s.id: s.kind for s in process.steps}
            where = ctx.loc(process, "steps", i, "attached_to")
            params = {"step": step.id, "process": process.id, "host": step.attached_to}
            if step.kind != "event":
                yield problem(where, NOT_EVENT, element=step.id, kind=step.kind, **params)
            elif kinds.get(step.attached_to, "task") not in BORDER_HOSTS:
                kind = kinds[step.attached_to]
                yield problem(where, NOT_WORK, element=step.id, kind=kind, **params)
