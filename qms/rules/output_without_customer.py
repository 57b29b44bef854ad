"""QMS205 output-without-customer: an output that names no receiving process or party.

## What it does
Flags each entry of a process's `outputs` whose `to` is missing or blank. `to` may name a
process (`johtaminen`, or `redu/johtaminen` in another organisation) or an outside party
(`Opiskelijat`); the process-level `customers` list does not replace it, because it does not
say who receives which output. An output written with only `from` is flagged too: the
receiver of an output goes in `to`.

## Why is this bad?
In SIPOC and in JHS 152 the customer is whoever receives the process's output: an output
without a receiver has no customer to satisfy and no hand-off on the process map, and may be
work that nobody needs.

## Example
```yaml
outputs:
  - {name: Hyväksytty talousarvio}
```

Use instead:
```yaml
outputs:
  - {name: Hyväksytty talousarvio, to: johtaminen}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._common import unlinked_exchanges

MESSAGE = Msg(
    en="output '{name}' of process '{id}' names no customer; say in `to` which process or "
    "party receives it",
    fi="prosessin '{id}' tuotoksella '{name}' ei ole asiakasta; kerro kohdassa `to`, mikä "
    "prosessi tai taho sen vastaanottaa",
)


@rule("QMS205", "output-without-customer", "warning", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each output."""
    yield from unlinked_exchanges(ctx, "outputs", MESSAGE)
