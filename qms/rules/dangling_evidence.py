"""QMS502 dangling-evidence: evidence of a self-assessment that points nowhere.

## What it does
Checks every evidence link of every rating: `process:ID`, `plan:ID`, `action:PLAN/ID`,
`metric:ID`, `result:GOAL/PERIOD` (a result the organisation reported for that goal and
period) and `document:ID` (the organisation's register or a process's documents) must name
something that exists in the assessed organisation (or, qualified as `ORG/ID`, in another);
a link must start with `https://` or `http://`. Anything else is flagged on the evidence.

## Why is this bad?
Evidence that leads nowhere looks like proof in the published self-assessment report but
shows nothing: the evaluator who follows it finds no process, no metric, no result. A
renamed process or a mistyped id silently turns a documented rating into an unsupported one.

## Example
```yaml
evidence: [process:opetuss, result:G3/syksy-2013]
```

Use instead:
```yaml
evidence: [process:opetus, result:G3/syksy-2012]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.index import INDEX_READS
from qms.lint import Context, Problem, problem, rule
from qms.quality import evidence_target

MESSAGE = Msg(
    en="evidence '{ref}' of statement '{statement}' points to nothing in '{org}'; write "
    "{kinds} or a https:// link",
    fi="väittämän '{statement}' näyttö '{ref}' ei osoita mihinkään organisaatiossa '{org}'; "
    "kirjoita {kinds} tai https://-linkki",
)
KINDS = "process:ID, plan:ID, action:PLAN/ID, metric:ID, result:GOAL/PERIOD, document:ID"


@rule(
    "QMS502",
    "dangling-evidence",
    "error",
    reads=(
        *INDEX_READS,
        "actions",
        "evidence",
        "goal",
        "period",
        "ratings",
        "results",
        "statement",
    ),
    shared=(*INDEX_READS, "actions", "goal", "period", "results"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Resolve each evidence link through the index."""
    for assessment in ctx.workspace.assessments:
        for i, rating in enumerate(assessment.ratings):
            for j, ref in enumerate(rating.evidence):
                if evidence_target(ref, assessment.organisation, ctx.index) is None:
                    yield problem(
                        ctx.loc(assessment, "ratings", i, "evidence", j),
                        MESSAGE,
                        element=f"{assessment.id}/{rating.statement}",
                        ref=ref,
                        statement=rating.statement,
                        org=assessment.organisation,
                        kinds=KINDS,
                    )
