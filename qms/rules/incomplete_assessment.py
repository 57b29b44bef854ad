"""QMS506 incomplete-assessment: statements of the criteria set that were not assessed.

## What it does
Compares each self-assessment with its criteria set and lists, in one finding on the
assessment's `ratings` (or `criteria`), the statements that have no rating with a level.
A statement rated without a level (`level:` left out) counts as not assessed.

## Why is this bad?
Results per item and area, the threshold for a functioning system and the network's
maturity matrix are computed from the ratings; a statement left out silently becomes "no
information" and the item's result is computed from the others. Saying which statements
are missing keeps a partial self-assessment from being read as a whole one.

## Example
```yaml
criteria: fi-vet-quality
ratings:
  - {statement: J1.1, level: 3, evidence: [plan:laatusuunnitelma]}
```

Use instead: rate every statement of the set, or say why one does not apply with a rating
that has a `rationale` and a suppression of this rule on the assessment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from qms.findings import Msg
from qms.lint import Context, Problem, problem, rule
from qms.quality import QUALITY_READS, QUALITY_SHARED, entries, summaries

MESSAGE = Msg(
    en="assessment '{id}' leaves {count} of {total} statements of '{criteria}' unassessed: "
    "{missing}",
    fi="arvioinnissa '{id}' on arvioimatta {count}/{total} kriteeristön '{criteria}' "
    "väittämää: {missing}",
)


@rule(
    "QMS506",
    "incomplete-assessment",
    "warning",
    reads=QUALITY_READS,
    shared=QUALITY_SHARED,
)
def check(ctx: Context) -> Iterator[Problem]:
    """One finding per assessment, listing the missing statements."""
    for summary in summaries(ctx.workspace):
        assessment = summary.assessment
        missing = summary.unassessed()
        if missing:
            total = len(entries(summary.criteria))
            where = "ratings" if "ratings" in assessment.model_fields_set else "criteria"
            found = problem(
                ctx.loc(assessment, where),
                MESSAGE,
                element=assessment.id,
                id=assessment.id,
                criteria=assessment.criteria,
                count=len(missing),
                total=total,
                missing=", ".join(e.statement.id for e in missing),
            )
            yield replace(found, at_key=True)
