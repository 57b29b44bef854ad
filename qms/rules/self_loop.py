"""QMS113 self-loop: a step whose `next` leads straight back to itself.

## What it does
Flags each flow from a step to the same step (`next: [tarkistus]` on the step `tarkistus`,
or a decision's `{ei: tarkistus}` on itself). Diagrams and the BPMN export leave such a flow
out, so the model says more than its pictures show.

## Why is this bad?
Repeating a step without anything happening in between documents no work: a reader cannot
tell what changes before the step is done again. In BPMN a gateway looping into itself is a
fake loop that modellers flag. The missing part is nearly always a corrective step.

## Example
```yaml
  - id: tarkistus
    kind: decision
    name: Onko raportti valmis?
    next: {kyllä: loppu, ei: tarkistus}
```

Use instead: name the work that happens before the check is repeated:
```yaml
  - id: tarkistus
    kind: decision
    name: Onko raportti valmis?
    next: {kyllä: loppu, ei: korjaus}
  - {id: korjaus, name: Täydennetään raporttia, next: [tarkistus]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule

MESSAGE = Msg(
    en="step '{step}' of process '{process}' leads straight back to itself; add the step "
    "that happens before it is repeated (diagrams and BPMN leave this flow out)",
    fi="prosessin '{process}' vaihe '{step}' johtaa suoraan takaisin itseensä; lisää vaihe, "
    "joka tehdään ennen toistoa (kaaviot ja BPMN jättävät tämän kulun pois)",
)


@rule("QMS113", "self-loop", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One pass over every step's `next`."""
    for process in ctx.workspace.processes:
        for i, step in enumerate(process.steps):
            for j, branch in enumerate(step.next):
                if branch.to == step.id:
                    yield problem(
                        ctx.loc(process, "steps", i, "next", j),
                        MESSAGE,
                        element=step.id,
                        step=step.id,
                        process=process.id,
                    )
