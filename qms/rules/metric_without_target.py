"""QMS306 metric-without-target: a metric without target, frequency or source.

## What it does
Flags each metric that leaves out any of `target`, `frequency` or `source` (missing or
blank; a target of 0 is a target); one finding per metric lists every missing field. The
finding stands on the metric.

## Why is this bad?
ISO 9001 6.2.1 asks for measurable quality objectives, and the EQAVET indicators are read
against targets: a metric without a target cannot say whether the result is good, one
without a frequency is measured when someone remembers, and one without a source cannot be
reproduced or audited.

## Example
```yaml
metrics:
  - {id: lapaisy, name: Läpäisyaste, unit: "%", baseline: 68}
```

Use instead:
```yaml
metrics:
  - id: lapaisy
    name: Läpäisyaste
    unit: "%"
    baseline: 68
    target: 75
    frequency: vuosittain
    source: Opiskelijahallintojärjestelmä
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule
from qms.rules._common import blank

MESSAGE = Msg(
    en="metric '{id}' has no {missing}; say what is aimed at, how often it is measured and "
    "where the data comes from",
    fi="mittarilta '{id}' puuttuu {missing}; kerro tavoitetaso, mittaustiheys ja tietolähde",
)


@rule("QMS306", "metric-without-target", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each metric."""
    for doc, i, metric in ctx.index.metrics_docs():
        fields = (
            ("target", metric.target),
            ("frequency", metric.frequency),
            ("source", metric.source),
        )
        missing = [name for name, value in fields if blank(value)]
        if missing:
            yield problem(
                ctx.loc(doc, "metrics", i),
                MESSAGE,
                element=metric.id,
                id=metric.id,
                missing=", ".join(missing),
            )
