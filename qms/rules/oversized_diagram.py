"""QMS112 oversized-diagram: more than 20 steps in one process flow.

## What it does
Flags a process with more than 20 steps, counting every step whatever its kind (each is one
symbol in the diagram). The finding stands on the process's `steps:` key.

## Options
`limit` (default 20): the most steps one diagram may hold, e.g. for A3 prints
`rules: {options: {oversized-diagram: {limit: 30}}}` in qms.yaml.

## Why is this bad?
Finnish process-description practice keeps one swimlane diagram on one A4 page, about 20
symbols; a larger flow becomes unreadable in print and in the quality manual, and usually
mixes two levels of description (JHS 152).

## Example
```yaml
steps:   # 34 steps from the application to the certificate
  - {id: alku, kind: start, name: Hakeutuminen, next: [haku]}
  - ...
```

Use instead: keep the main flow at this level and move a coherent part into a process of its
own, called from a subprocess step:
```yaml
  - {id: opiskelu, kind: subprocess, name: Opiskelu ja näytöt, call: opiskelu, next: [loppu]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule

LIMIT = 20
"""The most steps one diagram holds by default: about 20 symbols fit an A4 page."""

MESSAGE = Msg(
    en="process '{process}' has {count} steps, more than the {limit} that fit one diagram "
    "page; move part of the flow into a subprocess (`kind: subprocess`, `call:`)",
    fi="prosessissa '{process}' on {count} vaihetta, enemmän kuin yhdelle kaaviosivulle "
    "mahtuvat {limit}; siirrä osa kulusta aliprosessiin (`kind: subprocess`, `call:`)",
)


@rule(
    "QMS112", "oversized-diagram", "warning", scope="file", wording=False, options={"limit": LIMIT}
)
def check(ctx: Context) -> Iterator[Problem]:
    """Counts each process's steps."""
    limit = int(ctx.option("limit"))
    for process in ctx.workspace.processes:
        if len(process.steps) > limit:
            yield Problem(
                ctx.loc(process, "steps"),
                MESSAGE,
                {"process": process.id, "count": len(process.steps), "limit": limit},
                element=process.id,
                at_key=True,
            )
