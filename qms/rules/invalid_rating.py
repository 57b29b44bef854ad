"""QMS508 invalid-rating: an assessment against an unknown set, statement or level.

## What it does
Checks that a self-assessment names a criteria set that exists (one of the workspace's
`kind: criteria` files or a set shipped with qms: `fi-vet-quality`, `eqavet-provider`,
`iso9001-2015`), that each rating names a statement of that set, once, and that each level
is one of the set's scale. Each problem is flagged where it is written.

## Why is this bad?
Results per item and area, the threshold and the maturity matrix are read from the ratings:
a statement id with a typo, a rating given twice, or a level of 5 on a four-level scale
would give a wrong picture with confidence. Better an error at the place of the mistake.

## Example
```yaml
criteria: fi-vet-quality
ratings:
  - {statement: J11, level: 5}
```

Use instead:
```yaml
criteria: fi-vet-quality
ratings:
  - {statement: J1.1, level: 4, evidence: [plan:laatusuunnitelma]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg, did_you_mean
from qms.lint import Context, Problem, problem, rule
from qms.quality import QUALITY_READS, QUALITY_SHARED, criteria_sets, entries, level

UNKNOWN_SET = Msg(
    en="assessment '{id}' names criteria set '{criteria}', which does not exist{hint}",
    fi="arviointi '{id}' viittaa kriteeristöön '{criteria}', jota ei ole{hint}",
)
UNKNOWN_STATEMENT = Msg(
    en="statement '{statement}' is not in criteria set '{criteria}'{hint}",
    fi="väittämää '{statement}' ei ole kriteeristössä '{criteria}'{hint}",
)
TWICE = Msg(
    en="statement '{statement}' is rated twice; the first rating counts",
    fi="väittämä '{statement}' on arvioitu kahdesti; ensimmäinen arvio lasketaan",
)
OFF_SCALE = Msg(
    en="level {level} is not on the scale of '{criteria}' ({levels})",
    fi="tasoa {level} ei ole kriteeristön '{criteria}' asteikolla ({levels})",
)


def _hint(guess: str | None) -> str:
    return f"; did you mean '{guess}'?" if guess else ""


@rule(
    "QMS508",
    "invalid-rating",
    "error",
    reads=QUALITY_READS,
    shared=QUALITY_SHARED,
)
def check(ctx: Context) -> Iterator[Problem]:
    """Resolve the set, each statement and each level."""
    sets = criteria_sets(ctx.workspace)
    for assessment in ctx.workspace.assessments:
        criteria = sets.get(assessment.criteria)
        if criteria is None:
            yield problem(
                ctx.loc(assessment, "criteria"),
                UNKNOWN_SET,
                element=assessment.id,
                id=assessment.id,
                criteria=assessment.criteria,
                hint=_hint(did_you_mean(assessment.criteria, sorted(sets))),
            )
            continue
        known = [e.statement.id for e in entries(criteria)]
        levels = ", ".join(str(s.level) for s in criteria.scale)
        seen: set[str] = set()
        for i, rating in enumerate(assessment.ratings):
            element = f"{assessment.id}/{rating.statement}"
            if rating.statement not in known:
                yield problem(
                    ctx.loc(assessment, "ratings", i, "statement"),
                    UNKNOWN_STATEMENT,
                    element=element,
                    statement=rating.statement,
                    criteria=criteria.id,
                    hint=_hint(did_you_mean(rating.statement, known)),
                )
            elif rating.statement in seen:
                yield problem(
                    ctx.loc(assessment, "ratings", i, "statement"),
                    TWICE,
                    element=element,
                    statement=rating.statement,
                )
            seen.add(rating.statement)
            if rating.level is not None and level(criteria, rating.level) is None:
                yield problem(
                    ctx.loc(assessment, "ratings", i, "level"),
                    OFF_SCALE,
                    element=element,
                    level=rating.level,
                    criteria=criteria.id,
                    levels=levels,
                )
