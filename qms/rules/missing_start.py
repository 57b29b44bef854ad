"""QMS101 missing-start: a process with steps but no start step.

## What it does
Flags a process that has steps but none of `kind: start`. The finding stands on the process's
`steps:` key. A process without steps (a level-1 or level-2 description that has no flow yet)
is not flagged by any flow rule.

## Why is this bad?
Without a start the reader cannot tell what sets the process going (a request, a date, an
input from another process), and reachability (QMS104) has nothing to start from: it stays
silent until a start step exists.

## Example
```yaml
steps:
  - {id: raami, name: Talousarvioraamin valmistelu, next: [loppu]}
  - {id: loppu, kind: end, name: Talousarvio hyväksytty}
```

Use instead:
```yaml
steps:
  - {id: alku, kind: start, name: Talousarviokierros alkaa, next: [raami]}
  - {id: raami, name: Talousarvioraamin valmistelu, next: [loppu]}
  - {id: loppu, kind: end, name: Talousarvio hyväksytty}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._flow import missing_kind

MESSAGE = Msg(
    en="process '{process}' has {count} steps but no start step; "
    "mark the step that sets it going with `kind: start`",
    fi="prosessissa '{process}' on {count} vaihetta mutta ei aloitusvaihetta; "
    "merkitse prosessin käynnistävä vaihe `kind: start`",
)


@rule("QMS101", "missing-start", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process's step kinds."""
    yield from missing_kind(ctx, "start", MESSAGE)
