"""QMS301 incomplete-action: a plan action missing what, who, when, resources or evaluation.

## What it does
Flags each action of a plan that leaves out any of `what` (blank), `who`, `when`,
`resources` or `evaluated_by`; one finding per action lists every missing field. Dropped
actions (`status: dropped`) are history, not plans, and are exempt. The finding stands on the
action.

## Why is this bad?
ISO 9001 6.2.2 requires planning, for each quality objective, what will be done, what
resources will be required, who will be responsible, when it will be completed and how the
results will be evaluated. An action without them cannot be followed up, and the plan reads
as a wish list.

## Example
```yaml
actions:
  - {id: palautejarjestelma, what: Sähköinen palautejärjestelmä, who: laatupaallikko}
```

Use instead:
```yaml
actions:
  - id: palautejarjestelma
    what: Sähköinen palautejärjestelmä
    who: laatupaallikko
    when: 2013-06-30
    resources: 0,5 htv ja järjestelmän lisenssi
    evaluated_by: [palautteen-vastausprosentti]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.model import Action
from qms.rule import Context, Problem, problem, rule
from qms.rules._common import blank

MESSAGE = Msg(
    en="action '{id}' of plan '{plan}' does not say {missing}; an action needs what, who, "
    "when, resources and evaluated_by",
    fi="suunnitelman '{plan}' toimenpiteeltä '{id}' puuttuu {missing}; toimenpiteellä pitää "
    "olla what, who, when, resources ja evaluated_by",
)


def missing_fields(action: Action) -> list[str]:
    """The fields an action leaves out, in the order ISO 9001 6.2.2 lists them."""
    missing = [
        ("what", blank(action.what)),
        ("resources", blank(action.resources)),
        ("who", action.who is None),
        ("when", action.when is None),
        ("evaluated_by", not action.evaluated_by),
    ]
    return [name for name, absent in missing if absent]


@rule("QMS301", "incomplete-action", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each action."""
    for plan, i, action in ctx.index.actions():
        if action.status == "dropped":
            continue
        if missing := missing_fields(action):
            yield problem(
                ctx.loc(plan, "actions", i),
                MESSAGE,
                element=action.id,
                id=action.id,
                plan=plan.id,
                missing=", ".join(missing),
            )
