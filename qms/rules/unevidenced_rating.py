"""QMS501 unevidenced-rating: a self-assessment rating without evidence.

## What it does
Flags each rating of a self-assessment (`kind: assessment`) that gives a level but names no
evidence: no process, plan, action, metric, result, document or link that shows it. The
finding stands on the rating.

## Why is this bad?
A self-assessment is read by the evaluator and by the management review as a claim about
the quality system. The national evaluations of VET providers and EQAVET ask that ratings
rest on what the provider can show; a level without evidence cannot be checked, and the
next assessment cannot tell whether anything changed.

## Example
```yaml
ratings:
  - {statement: Y1.1, level: 3}
```

Use instead:
```yaml
ratings:
  - statement: Y1.1
    level: 3
    rationale: Ydinprosessit on kuvattu ja niillä on omistajat.
    evidence: [process:opetus, document:prosessikuvaukset]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.lint import Context, Problem, problem, rule

MESSAGE = Msg(
    en="rating of statement '{statement}' in assessment '{id}' has no evidence; name the "
    "process, plan, metric, result or document that shows it",
    fi="arvioinnin '{id}' väittämän '{statement}' arviolle ei ole näyttöä; nimeä prosessi, "
    "suunnitelma, mittari, tulos tai dokumentti, joka sen osoittaa",
)


@rule("QMS501", "unevidenced-rating", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each rating."""
    for assessment in ctx.workspace.assessments:
        for i, rating in enumerate(assessment.ratings):
            if rating.level is not None and not rating.evidence:
                yield problem(
                    ctx.loc(assessment, "ratings", i),
                    MESSAGE,
                    element=f"{assessment.id}/{rating.statement}",
                    id=assessment.id,
                    statement=rating.statement,
                )
