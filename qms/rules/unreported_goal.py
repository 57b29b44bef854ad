"""QMS403 unreported-goal: a committed goal without a result in a period that has ended.

## What it does
Reads the coverage matrix (the same one `qms coverage` prints, so the two never disagree) and
reports, for each goal in an organisation's `commits_to`, every reporting period of the
project that has ended by the as-of date (workspace `as_of`, `--as-of`, or today; a period has
ended on its last day: as of 2012-12-31 the period ending 2012-12-31 has ended) for which the
organisation's results hold no entry for the goal. Reported at the `commits_to` item, once per
period.

## Why is this bad?
The coordinator compiles the network's progress report from the organisations' results per
period. A missing result is a hole in the report to the funder, and a delay that nobody
wrote down cannot be acted on.

## Example
```yaml
# organisations/sakk/organisation.yaml
commits_to: [G11]
# organisations/sakk/results.yaml: no result for G11 in kevat-2012, which has ended
results:
  - {period: syksy-2012, goal: G11, status: ongoing, text: Laatusuunnitelma vuoteen 2015}
```

Use instead: report the period too, even when there is little to say:
```yaml
results:
  - {period: kevat-2012, goal: G11, status: not-started, text: Suunnittelu alkaa syksyllä}
  - {period: syksy-2012, goal: G11, status: ongoing, text: Laatusuunnitelma vuoteen 2015}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._common import COVERAGE_READS, gap_problems

MESSAGE = Msg(
    en="'{org}' reported no result for goal '{goal}' in period '{period}', which has ended",
    fi="'{org}' ei raportoinut tulosta tavoitteesta '{goal}' päättyneellä jaksolla '{period}'",
)


@rule(
    "QMS403",
    "unreported-goal",
    "info",
    reads=COVERAGE_READS,
)
def check(ctx: Context) -> Iterator[Problem]:
    """One finding per commitment and ended period without a result."""
    yield from gap_problems(ctx, "unreported-goal", MESSAGE, "org", "goal", "period")
