"""QMS304 missing-cycle-phase: a plan without an action in each of plan / do / check / act.

## What it does
Collects the `phase` of every action of a plan that is not `dropped`, and flags the plan
when any of the four phases of the quality cycle (plan, do, check, act) has no action; one
finding lists every missing phase. A plan without actions lacks all four. The finding stands
on the plan's `id`.

## Why is this bad?
The EQAVET quality cycle (like Deming's PDCA) has four phases, and the quality-management
recommendation for VET asks that each is planned: a plan of only "do" actions never checks
whether they worked, and one without "act" never feeds the lessons back.

## Example
```yaml
actions:
  - {id: kysely, what: Opiskelijakysely, phase: do}
  - {id: analyysi, what: Tulosten analyysi, phase: check}
```

Use instead: plan the whole cycle:
```yaml
actions:
  - {id: tavoitteet, what: Palautteen tavoitteet, phase: plan}
  - {id: kysely, what: Opiskelijakysely, phase: do}
  - {id: analyysi, what: Tulosten analyysi, phase: check}
  - {id: muutokset, what: Muutokset opetukseen, phase: act}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule
from qms.values import NamedList

PHASES = ("plan", "do", "check", "act")

MESSAGE = Msg(
    en="plan '{id}' has no action in phase {missing} of the quality cycle; give each phase "
    "(plan, do, check, act) at least one action",
    fi="suunnitelmassa '{id}' ei ole toimenpidettä laatusyklin vaiheessa {missing}; anna "
    "jokaiselle vaiheelle (suunnittelu, toteutus, arviointi, parantaminen) vähintään yksi "
    "toimenpide",
)


@rule("QMS304", "missing-cycle-phase", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One pass over each plan's actions."""
    for plan in ctx.workspace.plans:
        present = {a.phase for a in plan.actions if a.status != "dropped"}
        missing = [phase for phase in PHASES if phase not in present]
        if missing:
            yield problem(
                ctx.loc(plan, "id"),
                MESSAGE,
                element=plan.id,
                id=plan.id,
                missing=NamedList(tuple(missing)),
            )
