"""QMS303 action-beyond-horizon: an action due after its plan's horizon.

## What it does
Flags plan actions whose due date (`when`) is later than the plan's `horizon`. Plans without
a horizon and actions without a date are not checked here (QMS301 asks for the date). The
finding stands on `when`.

## Why is this bad?
The horizon is the date the plan reaches to and is evaluated at: an action due after it
falls outside the plan's own follow-up, and usually means a date typo or a horizon that
should have been moved.

## Example
```yaml
kind: plan
id: laatusuunnitelma
organisation: sakk
name: Laadunhallintasuunnitelma
horizon: 2015-12-31
actions:
  - {id: itsearviointi, what: Itsearviointi, when: 2016-03-31}
```

Use instead: move the action inside the horizon, or the horizon past the action:
```yaml
horizon: 2016-06-30
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._common import dated_actions, due_problem

MESSAGE = Msg(
    en="action '{id}' is due on {due}, after the horizon of plan '{plan}' ({horizon}); move "
    "the action or the plan's `horizon`",
    fi="toimenpide '{id}' erääntyy {due}, suunnitelman '{plan}' aikajänteen ({horizon}) "
    "jälkeen; siirrä toimenpidettä tai suunnitelman `horizon`-päivää",
)


@rule("QMS303", "action-beyond-horizon", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One date comparison per action."""
    for plan, i, action, due in dated_actions(ctx):
        if plan.horizon is not None and due > plan.horizon:
            yield due_problem(ctx, plan, i, action, due, MESSAGE, horizon=plan.horizon.isoformat())
