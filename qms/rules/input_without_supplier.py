"""QMS204 input-without-supplier: an input that names no supplier process or party.

## What it does
Flags each entry of a process's `inputs` whose `from` is missing or blank. `from` may name a
process (`johtaminen`, or `redu/johtaminen` in another organisation) or an outside party
(`Opetushallitus`); the process-level `suppliers` list does not replace it, because it does
not say which input comes from whom. An input written with only `to` is flagged too: the
supplier of an input goes in `from`.

## Why is this bad?
SIPOC pairs every input with its supplier: without one nobody can be asked for a late or
faulty input, and the hand-off between processes cannot be drawn on the process map.

## Example
```yaml
inputs:
  - {name: Strategia ja toiminnan painopisteet}
```

Use instead:
```yaml
inputs:
  - {name: Strategia ja toiminnan painopisteet, from: johtaminen}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._common import unlinked_exchanges

MESSAGE = Msg(
    en="input '{name}' of process '{id}' names no supplier; say in `from` which process or "
    "party supplies it",
    fi="prosessin '{id}' syötteellä '{name}' ei ole toimittajaa; kerro kohdassa `from`, mikä "
    "prosessi tai taho sen toimittaa",
)


@rule("QMS204", "input-without-supplier", "warning", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each input."""
    yield from unlinked_exchanges(ctx, "inputs", MESSAGE)
