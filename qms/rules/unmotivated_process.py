"""QMS207 unmotivated-process: a process that realizes or influences no goal.

## What it does
Flags processes whose `realizes` and `influences` are both missing or empty. Either one is
enough: a support process that only `influences` a goal is motivated. Whether the goal ids
exist is QMS004's business. The finding stands on the process's `id`.

## Why is this bad?
In ArchiMate terms a process realizes goals (motivation elements): a process linked to no
goal cannot be traced to the strategy or to the network project, the coverage matrix does not
see it, and nobody can say what would be lost without it.

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
```

Use instead:
```yaml
realizes: [G8]
influences: [G3]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule

MESSAGE = Msg(
    en="process '{id}' realizes or influences no goal; link it to a goal in `realizes` or "
    "`influences`",
    fi="prosessi '{id}' ei toteuta eikä edistä mitään tavoitetta; liitä se tavoitteeseen "
    "kohdassa `realizes` tai `influences`",
)


@rule("QMS207", "unmotivated-process", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process."""
    for process in ctx.workspace.processes:
        if not process.realizes and not process.influences:
            yield problem(ctx.loc(process, "id"), MESSAGE, element=process.id, id=process.id)
