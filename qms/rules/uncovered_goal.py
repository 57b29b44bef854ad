"""QMS401 uncovered-goal: a project goal that no organisation's process, action or metric realizes.

## What it does
Reads the coverage matrix (the same one `qms coverage` prints, so the two never disagree) and
reports each project goal that no organisation realizes: no process, plan action or metric of
any organisation names it in `realizes`. `influences` does not count, and neither does a bare
commitment (`commits_to`) or a reported result. Reported at the goal in the project file.
A goal whose id repeats an earlier one's in another case (`G2`, `g2`) is duplicate-id's one
finding (QMS003) until it is renamed, and not reported here as well.

## Why is this bad?
The network promised the goal to its funder; if nothing in any organisation's model works
towards it, the coordinator has nothing to report and the project cannot show it was reached.

## Example
```yaml
# project.yaml
goals:
  - {id: G1, name: Verkostoyhteistyö}
  - {id: G2, name: Tiedottaminen}     # no process, action or metric realizes G2
```

Use instead: name the goal in `realizes` of the process, plan action or metric that works
towards it (`realizes: [G2]`), or remove the goal from the project.
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._common import COVERAGE_READS, gap_problems

MESSAGE = Msg(
    en="goal '{goal}' is realized by no organisation's process, plan action or metric; "
    "name it in `realizes` of what works towards it",
    fi="tavoitetta '{goal}' ei toteuta minkään organisaation prosessi, toimenpide tai mittari; "
    "lisää se sen `realizes`-kohtaan, joka tavoitetta edistää",
)


@rule(
    "QMS401",
    "uncovered-goal",
    "error",
    reads=COVERAGE_READS,
)
def check(ctx: Context) -> Iterator[Problem]:
    """One finding per uncovered goal of the coverage matrix, but a case duplicate's."""
    first: dict[str, str] = {}
    repeated: set[str] = set()
    for project in ctx.workspace.projects:
        for goal in project.goals:
            if first.setdefault(goal.id.casefold(), goal.id) != goal.id:
                repeated.add(goal.id)
    for found in gap_problems(ctx, "uncovered-goal", MESSAGE, "goal"):
        if found.element not in repeated:
            yield found
