"""QMS505 stale-assessment: the latest self-assessment is older than its interval.

## What it does
For each organisation and each criteria set it has assessed itself against, takes the
newest assessment and compares its date plus the set's `interval_months` (12 for the sets
shipped with qms) with the as-of date. When the interval has passed, the finding stands on
the newest assessment's `date`. Sets without an interval are not checked.

## Why is this bad?
The VET Act (531/2017, section 126) requires providers to evaluate their own activities
regularly, and the evaluator reads the self-assessment as the provider's current picture.
An assessment from two years ago describes a quality system that no longer exists.

## Example
```yaml
kind: assessment
date: 2011-11-30      # as of 2013-01-01, with a 12-month interval
```

Use instead:
```yaml
kind: assessment
date: 2012-11-30
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.lint import Context, Problem, problem, rule
from qms.quality import add_months, criteria_sets, latest

MESSAGE = Msg(
    en="the newest self-assessment '{id}' of '{org}' against '{criteria}' is from {date}; "
    "its interval of {months} months ended on {due}: assess again",
    fi="organisaation '{org}' uusin itsearviointi '{id}' kriteeristöä '{criteria}' vasten on "
    "tehty {date}; sen {months} kuukauden väli päättyi {due}: arvioi uudelleen",
)


@rule(
    "QMS505",
    "stale-assessment",
    "warning",
    reads=("criteria", "date", "id", "interval_months", "organisation"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """One date comparison per organisation and criteria set."""
    sets = criteria_sets(ctx.workspace)
    pairs = sorted({(a.organisation, a.criteria) for a in ctx.workspace.assessments})
    for org, criteria_id in pairs:
        criteria = sets.get(criteria_id)
        if criteria is None or criteria.interval_months is None:
            continue
        newest = latest(ctx.workspace, org, criteria_id)[0]
        due = add_months(newest.date, criteria.interval_months)
        if due < ctx.as_of:
            yield problem(
                ctx.loc(newest, "date"),
                MESSAGE,
                element=newest.id,
                id=newest.id,
                org=org,
                criteria=criteria_id,
                date=newest.date.isoformat(),
                months=criteria.interval_months,
                due=due.isoformat(),
            )
