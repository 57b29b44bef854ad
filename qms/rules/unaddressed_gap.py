"""QMS507 unaddressed-gap: a rating below the threshold with no improvement action.

## What it does
For each rating below its criteria set's threshold (below "kehittyvä" on the national
four-level scale), looks for an area for improvement of the same assessment that names the
statement, its item or its area in `statements` and links at least one plan action. When
there is none, the finding stands on the rating.

## Why is this bad?
A rating below the threshold says the quality system does not yet work there. The national
evaluations and ISO 9001 clause 10 expect such a gap to lead to a planned improvement; a
self-assessment that records the gap and plans nothing is the cycle stopping at "check".

## Example
```yaml
ratings:
  - {statement: Y1.2, level: 2, evidence: [metric:lapaisy]}
improvements: []
```

Use instead:
```yaml
ratings:
  - {statement: Y1.2, level: 2, evidence: [metric:lapaisy]}
improvements:
  - id: mittarit
    text: Prosessimittarit puuttuvat tukiprosesseilta.
    statements: [Y1.2]
    actions: [laatusuunnitelma/a4]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.lint import Context, Problem, problem, rule
from qms.quality import QUALITY_READS, QUALITY_SHARED, covers, summaries

MESSAGE = Msg(
    en="statement '{statement}' is rated {level}, below the threshold {threshold} of "
    "'{criteria}', and no area for improvement with an action addresses it",
    fi="väittämä '{statement}' on arvioitu tasolle {level}, alle kriteeristön '{criteria}' "
    "kynnystason {threshold}, eikä sille ole kehittämiskohdetta toimenpiteineen",
)


@rule(
    "QMS507",
    "unaddressed-gap",
    "warning",
    reads=(*QUALITY_READS, "actions", "improvements", "threshold"),
    shared=(*QUALITY_SHARED, "threshold"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Each gap needs an improvement with an action that covers it."""
    for summary in summaries(ctx.workspace):
        assessment = summary.assessment
        addressed = [
            target
            for improvement in assessment.improvements
            if improvement.actions
            for target in improvement.statements
        ]
        positions = {r.statement: i for i, r in reversed(list(enumerate(assessment.ratings)))}
        for entry in summary.gaps():
            if any(covers(target, entry) for target in addressed):
                continue
            yield problem(
                ctx.loc(assessment, "ratings", positions[entry.statement.id]),
                MESSAGE,
                element=f"{assessment.id}/{entry.statement.id}",
                statement=entry.statement.id,
                level=summary.rated(entry),
                threshold=summary.threshold,
                criteria=assessment.criteria,
            )
