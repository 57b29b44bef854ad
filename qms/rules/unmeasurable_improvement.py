"""QMS504 unmeasurable-improvement: an improvement action whose effect nothing would show.

## What it does
Flags each plan action that an area for improvement (of a self-assessment) links to, when
the action names neither a metric that evaluates it (`evaluated_by`) nor a goal whose
reported results would show its effect (`realizes`). The finding stands on the action.

## Why is this bad?
The quality cycle closes only when the next check can tell whether the improvement worked:
EQAVET's review phase and ISO 9001 10.2 ask that the effect of corrective actions is
evaluated. An action with no metric and no goal can be marked done without anyone knowing
whether anything got better.

## Example
```yaml
actions:
  - {id: a4, what: Mittarit johtoryhmän vuosikelloon, who: rehtori, when: 2013-03-31}
```

Use instead:
```yaml
actions:
  - id: a4
    what: Mittarit johtoryhmän vuosikelloon
    who: rehtori
    when: 2013-03-31
    evaluated_by: [mittarit-kasitelty]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.index import INDEX_READS
from qms.lint import Context, Problem, problem, rule
from qms.quality import action, improvement_actions

MESSAGE = Msg(
    en="action '{id}' addresses area for improvement '{improvement}' but nothing would show "
    "its effect; add `evaluated_by` (a metric) or `realizes` (a goal with reported results)",
    fi="toimenpide '{id}' korjaa kehittämiskohdetta '{improvement}', mutta mikään ei osoita "
    "sen vaikutusta; lisää `evaluated_by` (mittari) tai `realizes` (tavoite, jolle "
    "raportoidaan tuloksia)",
)


@rule(
    "QMS504",
    "unmeasurable-improvement",
    "warning",
    reads=(*INDEX_READS, "actions", "evaluated_by", "improvements", "realizes"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Each linked action once, on the action itself."""
    seen: set[tuple[str, str, str]] = set()
    for assessment, i, ref in improvement_actions(ctx.workspace, ctx.index):
        key = action(ref, assessment.organisation, ctx.index)
        if key is None or key in seen:
            continue
        seen.add(key)
        plan = ctx.index.plans[(key[0], key[1])]
        position, act = next((n, a) for n, a in enumerate(plan.actions) if a.id == key[2])
        if not act.evaluated_by and not act.realizes:
            yield problem(
                ctx.loc(plan, "actions", position),
                MESSAGE,
                element=f"{plan.id}/{act.id}",
                id=act.id,
                improvement=f"{assessment.id}/{assessment.improvements[i].id}",
            )
