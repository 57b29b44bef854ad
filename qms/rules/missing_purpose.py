"""QMS202 missing-purpose: a process without a purpose.

## What it does
Flags processes whose `purpose` is missing or blank (in every language it is written in).
The finding stands on the `purpose` key when it is written empty, otherwise on the process's
`id`.

## Why is this bad?
ISO 10013 (guidance for quality-management documentation) puts the purpose first in every
procedure: without it a reader cannot tell what the process is for, where it starts and ends,
or whether its steps achieve anything. The three-page technique's summary page opens with it.

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
owner: talousjohtaja
purpose: ""
```

Use instead:
```yaml
purpose: Talousarvio laaditaan ja sen toteutumista seurataan niin, että koulutus voidaan
  järjestää suunnitellusti.
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule
from qms.rules._common import blank, field_loc

MESSAGE = Msg(
    en="process '{id}' has no purpose; say in `purpose` why the process exists",
    fi="prosessilta '{id}' puuttuu tarkoitus; kerro kohdassa `purpose`, miksi prosessi on olemassa",
)


@rule("QMS202", "missing-purpose", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process."""
    for process in ctx.workspace.processes:
        if blank(process.purpose):
            loc = field_loc(ctx, process, "purpose")
            yield problem(loc, MESSAGE, element=process.id, id=process.id)
