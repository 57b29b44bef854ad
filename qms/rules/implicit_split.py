"""QMS109 implicit-split: a step other than a decision with several unlabelled ways out.

## What it does
Flags a step that is not a gateway (a task, start, event, subprocess, ...) whose `next`
leads without labels to two or more different steps. The finding stands on the step's
`next:` key. Labelled ways out are not counted: a label, a `condition` or the `default` mark
says when each way is taken. A gateway (`decision`, `parallel`, `inclusive`, `event-based`,
`complex`) says how its ways are taken by its kind. A flow repeated to the same step is
duplicate-flow (QMS108), not a split.

## Why is this bad?
Two bare arrows out of a task leave the reader to guess: do both follow at the same time, or
only one of them, and then which? Auditors read such a flow as an undefined practice.

## Example
```yaml
  - {id: esitykset, name: Tulosalueiden talousarvioesitykset, next: [paatos, korjaus]}
```

Use instead: make the choice a decision with labelled branches.
```yaml
  - {id: esitykset, name: Tulosalueiden talousarvioesitykset, next: [tarkistus]}
  - {id: tarkistus, kind: decision, name: Ovatko esitykset valmiit?,
     next: {kyllä: paatos, ei: korjaus}}
```
If both ways are taken together, make the split a `kind: parallel` step.
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.model import GATEWAY_KINDS
from qms.rule import Context, Problem, rule
from qms.rules._flow import says_when

MESSAGE = Msg(
    en="step '{step}' of process '{process}' leads without labels to {count} steps ({targets}); "
    "make the choice a decision with labelled branches, or label the ways out",
    fi="prosessin '{process}' vaihe '{step}' johtaa ilman haarojen nimiä {count} vaiheeseen "
    "({targets}); tee valinnasta päätösvaihe nimettyine haaroineen tai nimeä haarat",
)


@rule("QMS109", "implicit-split", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """Counts each step's distinct unlabelled targets."""
    for process in ctx.workspace.processes:
        for i, step in enumerate(process.steps):
            if step.kind in GATEWAY_KINDS or len(step.next) < 2:
                continue
            targets = list(dict.fromkeys(b.to for b in step.next if not says_when(b)))
            if len(targets) >= 2:
                params = {
                    "step": step.id,
                    "process": process.id,
                    "count": len(targets),
                    "targets": ", ".join(targets),
                }
                # At the `next:` key: the finding is about the list as a whole.
                yield Problem(
                    ctx.loc(process, "steps", i, "next"), MESSAGE, params, step.id, at_key=True
                )
