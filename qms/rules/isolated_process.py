"""QMS208 isolated-process: a process with no hand-off to or from any other process.

## What it does
Flags processes that are linked to no other process. A link is any of:
- an input whose `from`, or an output whose `to`, names another process (in the same
  organisation as `talous`, in another one as `redu/talous`; the link counts for both ends,
  so a hand-off written on one side only is enough);
- a step whose `call` drills down into another process, or a step of another process that
  calls this one;
- `parent`: a process and its parent are linked (a level-3 flow under its level-2 operating
  model is not isolated).

Inputs and outputs that name an outside party (`Opiskelijat`) or a process that does not
exist (QMS004) are no links, nor is a process's reference to itself. An organisation with
only one process is exempt: there is nothing to hand off to yet. The finding stands on the
process's `id`.

## Why is this bad?
ISO 9001 4.4.1 b requires determining the sequence and interaction of the processes. An
isolated process floats on the process map: its inputs appear from nowhere, its outputs go
nowhere, and the interfaces where most quality problems arise stay undescribed.

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
inputs: [{name: Strategia}]
outputs: [{name: Hyväksytty talousarvio}]
```

Use instead: name the processes on the other side of the hand-offs:
```yaml
inputs: [{name: Strategia, from: johtaminen}]
outputs: [{name: Hyväksytty talousarvio, to: johtaminen}]
```
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from qms.findings import Msg
from qms.index import INDEX_READS, Key
from qms.rule import Context, Problem, problem, rule

MESSAGE = Msg(
    en="process '{id}' hands nothing to and receives nothing from any other process; name "
    "the processes it exchanges with in `inputs[].from` and `outputs[].to`",
    fi="prosessi '{id}' ei luovuta mitään muille prosesseille eikä saa mitään niiltä; nimeä "
    "prosessit, joiden kanssa se vaihtaa tietoa, kohtiin `inputs[].from` ja `outputs[].to`",
)


@rule(
    "QMS208",
    "isolated-process",
    "warning",
    reads=(*INDEX_READS, "call", "from_", "inputs", "outputs", "parent", "steps", "to"),
)
def check(ctx: Context) -> Iterator[Problem]:
    """Mark both ends of every resolved link in one pass, then report the unmarked."""
    index = ctx.index
    processes = ctx.workspace.processes
    linked: set[Key] = set()
    for process in processes:
        here: Key = (process.organisation, process.id)
        refs = [
            *(item.from_ for item in process.inputs),
            *(item.to for item in process.outputs),
            *(step.call for step in process.steps),
            process.parent,
        ]
        for ref in refs:
            if ref and (there := index.process_key(ref, process.organisation)) and there != here:
                linked.update((here, there))
    per_org = Counter(process.organisation for process in processes)
    for process in processes:
        key = (process.organisation, process.id)
        if per_org[process.organisation] > 1 and key not in linked:
            yield problem(ctx.loc(process, "id"), MESSAGE, element=process.id, id=process.id)
