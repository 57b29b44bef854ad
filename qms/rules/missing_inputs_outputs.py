"""QMS203 missing-inputs-outputs: a process without inputs or outputs.

## What it does
Flags processes that list no `inputs`, no `outputs`, or neither; one finding per process
names what is missing. The finding stands on the empty key when exactly one side is missing
and written as an empty list (`outputs: []`), otherwise on the process's `id`.

## Why is this bad?
ISO 9001 4.4.1 a requires determining the inputs a process needs and the outputs it is
expected to deliver. Without them the process cannot be placed in the SIPOC chain, its
customers cannot be told what they receive, and the process map's hand-offs stay unknown.

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
inputs: [{name: Strategia ja toiminnan painopisteet, from: johtaminen}]
```

Use instead:
```yaml
inputs: [{name: Strategia ja toiminnan painopisteet, from: johtaminen}]
outputs: [{name: Hyväksytty talousarvio, to: johtaminen}]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule
from qms.rules._common import field_loc

MESSAGES = {
    ("inputs",): Msg(
        en="process '{id}' has no inputs; list what it needs in `inputs`",
        fi="prosessilla '{id}' ei ole syötteitä; luettele tarvittavat syötteet kohtaan `inputs`",
    ),
    ("outputs",): Msg(
        en="process '{id}' has no outputs; list what it delivers in `outputs`",
        fi="prosessilla '{id}' ei ole tuotoksia; luettele tuotokset kohtaan `outputs`",
    ),
    ("inputs", "outputs"): Msg(
        en="process '{id}' has no inputs and no outputs; list them in `inputs` and `outputs`",
        fi="prosessilla '{id}' ei ole syötteitä eikä tuotoksia; luettele ne kohtiin `inputs` "
        "ja `outputs`",
    ),
}


@rule("QMS203", "missing-inputs-outputs", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process."""
    for process in ctx.workspace.processes:
        missing = tuple(key for key in ("inputs", "outputs") if not getattr(process, key))
        if not missing:
            continue
        loc = field_loc(ctx, process, missing[0]) if len(missing) == 1 else ctx.loc(process, "id")
        yield problem(loc, MESSAGES[missing], element=process.id, id=process.id)
