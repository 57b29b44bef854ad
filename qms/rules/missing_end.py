"""QMS102 missing-end: a process with steps but no end step.

## What it does
Flags a process that has steps but none of `kind: end`. The finding stands on the process's
`steps:` key. A process without steps is not flagged by any flow rule.

## Why is this bad?
Without an end the reader cannot tell when the process is done and what it has produced by
then; the step that was meant to be the end is usually a plain task at the bottom of the
list (QMS105 points at it).

## Example
```yaml
steps:
  - {id: alku, kind: start, name: Talousarviokierros alkaa, next: [paatos]}
  - {id: paatos, name: Yhtymähallitus hyväksyy talousarvion}
```

Use instead:
```yaml
steps:
  - {id: alku, kind: start, name: Talousarviokierros alkaa, next: [paatos]}
  - {id: paatos, name: Yhtymähallitus hyväksyy talousarvion, next: [loppu]}
  - {id: loppu, kind: end, name: Talousarvio hyväksytty}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._flow import missing_kind

MESSAGE = Msg(
    en="process '{process}' has {count} steps but no end step; "
    "mark the step where it is done with `kind: end`",
    fi="prosessissa '{process}' on {count} vaihetta mutta ei lopetusvaihetta; "
    "merkitse vaihe, johon prosessi päättyy, `kind: end`",
)


@rule("QMS102", "missing-end", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process's step kinds."""
    yield from missing_kind(ctx, "end", MESSAGE)
