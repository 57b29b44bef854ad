"""QMS302 overdue-action: an action past `when` (as of the as-of date) and not done.

## What it does
Flags plan actions whose due date (`when`) is before the as-of date (the workspace's
`as_of`, `qms validate --as-of`, or today) while their `status` is still `planned` or
`started`. Actions that are `done` or `dropped` are never overdue; an action due on the as-of
date itself is not late yet. The finding stands on `when`.

## Why is this bad?
A plan is followed up by its dates: an overdue action that still reads as planned hides a
delay from the quality group and the management review, and the next period's report
promises what has already slipped.

## Example
```yaml
workspace as_of: 2013-01-01
actions:
  - {id: auditointi, what: Sisäinen auditointi, when: 2012-10-31, status: planned}
```

Use instead: update the status, or the date with a note why:
```yaml
actions:
  - {id: auditointi, what: Sisäinen auditointi, when: 2012-10-31, status: done}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._common import dated_actions, due_problem
from qms.values import named

MESSAGE = Msg(
    en="action '{id}' of plan '{plan}' was due on {due} (as of {as_of}) and is still {status}; "
    "mark it done or dropped, or set a new `when`",
    fi="suunnitelman '{plan}' toimenpide '{id}' erääntyi {due} (tilanne {as_of}), ja sen tila "
    "on yhä {status}; merkitse se tehdyksi (tehty) tai luovutuksi (luovuttu) tai aseta uusi "
    "`when`",
)


@rule("QMS302", "overdue-action", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One date comparison per action."""
    for plan, i, action, due in dated_actions(ctx):
        if action.status not in ("done", "dropped") and due < ctx.as_of:
            params = {"as_of": ctx.as_of.isoformat(), "status": named(action.status)}
            yield due_problem(ctx, plan, i, action, due, MESSAGE, **params)
