"""QMS201 missing-owner: a process without an owner.

## What it does
Flags processes that do not name the role that owns them in `owner`. The finding stands on
the `owner` key when it is written empty, otherwise on the process's `id`.

## Why is this bad?
ISO 9001 4.4.1 e requires assigning the responsibilities and authorities for each process.
A process nobody owns is nobody's to review, measure or improve, and an auditor asks first
"whose process is this?".

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
```

Use instead: name the owning role (one of the organisation's `roles`):
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
owner: talousjohtaja
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule
from qms.rules._common import field_loc

MESSAGE = Msg(
    en="process '{id}' has no owner; name the owning role in `owner`",
    fi="prosessilla '{id}' ei ole omistajaa; nimeä omistava rooli kohtaan `owner`",
)


@rule("QMS201", "missing-owner", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process."""
    for process in ctx.workspace.processes:
        if process.owner is None:
            yield problem(
                field_loc(ctx, process, "owner"), MESSAGE, element=process.id, id=process.id
            )
