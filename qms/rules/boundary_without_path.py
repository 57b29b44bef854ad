"""QMS114 boundary-without-path: an event on a step's border that leads nowhere.

## What it does
Flags a step with `attached_to` (a BPMN boundary event: a deadline, an error, a message that
arrives while the step is under way) whose `next` is empty. The finding stands on the event.
dead-end-step (QMS105) leaves such an event to this rule.

## Why is this bad?
A boundary event says that something may interrupt the work; without a path the model does
not say what is done then. An interrupting event stops the step and, with it, the process:
the escalation that the deadline was drawn for never happens.

## Example
```yaml
  - {id: kasittely, name: Käsitellään palaute, next: [loppu]}
  - {id: maaraaika, kind: event, trigger: timer, timer: {duration: 14 päivää},
     name: 14 päivää kulunut, attached_to: kasittely}
```

Use instead: lead the event to the step that handles it.
```yaml
  - {id: maaraaika, kind: event, trigger: timer, timer: {duration: 14 päivää},
     name: 14 päivää kulunut, attached_to: kasittely, next: [eskalointi]}
  - {id: eskalointi, name: Viedään asia johtoryhmälle, next: [loppu]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._flow import step_problem, unique_steps

MESSAGE = Msg(
    en="event '{step}' on the border of step '{host}' of process '{process}' has no next "
    "step; add `next` with the step that handles it (escalation, correction, notice)",
    fi="prosessin '{process}' vaiheen '{host}' reunatapahtumalla '{step}' ei ole seuraavaa "
    "vaihetta; lisää `next` ja vaihe, jossa tilanne hoidetaan (eskalointi, korjaus, ilmoitus)",
)


@rule("QMS114", "boundary-without-path", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One pass over the steps of each process."""
    for process in ctx.workspace.processes:
        for i, step in unique_steps(process):
            if step.attached_to and not step.next and step.trigger != "compensation":
                yield step_problem(ctx, process, i, step, MESSAGE, host=step.attached_to)
