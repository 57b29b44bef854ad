"""QMS305 unmotivated-action: an action that realizes no goal.

## What it does
Flags plan actions whose `realizes` is missing or empty. Dropped actions are exempt. Whether
the goal ids exist is QMS004's business. The finding stands on the action.

## Why is this bad?
The EQAVET indicative descriptors for planning ask that goals and objectives are linked to
actions: an action that realizes no goal cannot be traced to the strategy or the network
project, and the coordinator's coverage matrix does not see it.

## Example
```yaml
actions:
  - {id: kysely, what: Opiskelijakysely, who: laatupaallikko, when: 2013-03-31}
```

Use instead:
```yaml
actions:
  - {id: kysely, what: Opiskelijakysely, who: laatupaallikko, when: 2013-03-31, realizes: [G1]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule

MESSAGE = Msg(
    en="action '{id}' of plan '{plan}' realizes no goal; link it to a goal in `realizes`",
    fi="suunnitelman '{plan}' toimenpide '{id}' ei toteuta mitään tavoitetta; liitä se "
    "tavoitteeseen kohdassa `realizes`",
)


@rule("QMS305", "unmotivated-action", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each action."""
    for plan, i, action in ctx.index.actions():
        if action.status != "dropped" and not action.realizes:
            yield problem(
                ctx.loc(plan, "actions", i), MESSAGE, element=action.id, id=action.id, plan=plan.id
            )
