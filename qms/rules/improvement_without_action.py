"""QMS503 improvement-without-action: an area for improvement that no plan action addresses.

## What it does
Flags each area for improvement (`improvements:` of a self-assessment) that names no plan
action, and each action it names that does not exist (`PLAN/ACTION`, or `ORG/PLAN/ACTION`).
The finding stands on the improvement or on the action reference.

## Why is this bad?
ISO 9001 clause 10 and the EQAVET review phase ask that what an assessment finds leads to
action. An area for improvement that is written down but never becomes a planned action,
with someone responsible and a date, is where quality cycles stop turning.

## Example
```yaml
improvements:
  - {id: mittarit, text: Mittareiden tuloksia ei käsitellä johtoryhmässä.}
```

Use instead:
```yaml
improvements:
  - id: mittarit
    text: Mittareiden tuloksia ei käsitellä johtoryhmässä.
    actions: [laatusuunnitelma/a4]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.index import INDEX_READS
from qms.lint import Context, Problem, problem, rule
from qms.quality import action

NO_ACTION = Msg(
    en="area for improvement '{id}' has no action; link the plan action that addresses it "
    "(actions: [PLAN/ACTION])",
    fi="kehittämiskohteella '{id}' ei ole toimenpidettä; linkitä sitä korjaava "
    "suunnitelman toimenpide (actions: [SUUNNITELMA/TOIMENPIDE])",
)
UNKNOWN = Msg(
    en="area for improvement '{id}' names action '{ref}', which does not exist",
    fi="kehittämiskohde '{id}' viittaa toimenpiteeseen '{ref}', jota ei ole",
)


@rule(
    "QMS503",
    "improvement-without-action",
    "warning",
    reads=(*INDEX_READS, "actions", "improvements"),
    shared=(*INDEX_READS, "actions"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Each improvement needs at least one existing action."""
    for assessment in ctx.workspace.assessments:
        for i, improvement in enumerate(assessment.improvements):
            element = f"{assessment.id}/{improvement.id}"
            if not improvement.actions:
                yield problem(
                    ctx.loc(assessment, "improvements", i),
                    NO_ACTION,
                    element=element,
                    id=improvement.id,
                )
            for j, ref in enumerate(improvement.actions):
                if action(ref, assessment.organisation, ctx.index) is None:
                    yield problem(
                        ctx.loc(assessment, "improvements", i, "actions", j),
                        UNKNOWN,
                        element=element,
                        id=improvement.id,
                        ref=ref,
                    )
