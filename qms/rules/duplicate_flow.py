"""QMS108 duplicate-flow: two flows with the same source, target and label.

## What it does
Reads each step's `next` as written and flags the second and later flows that repeat an
earlier one of the same step: the same target and the same label (a missing and a blank
label are the same). The finding stands on the repeated flow. Two branches with different
labels to the same step are not duplicates; a decision whose branches all meet in one step is
superfluous-decision (QMS107). The flow graph itself keeps one flow per pair of steps, so this
rule must read the model, not the graph.

## Why is this bad?
A repeated flow draws two arrows on top of each other and suggests a distinction that does
not exist; usually a copy-and-paste slip where another target was meant.

## Example
```yaml
  - {id: raami, name: Talousarvioraamin valmistelu, next: [esitykset, esitykset]}
```

Use instead:
```yaml
  - {id: raami, name: Talousarvioraamin valmistelu, next: [esitykset]}
```
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule
from qms.rules._flow import label_key

UNLABELLED = Msg(
    en="flow from step '{step}' to '{target}' repeats next[{first}]; delete the repeat",
    fi="siirtymä vaiheesta '{step}' vaiheeseen '{target}' toistaa kohdan next[{first}]; "
    "poista toisto",
)
LABELLED = Msg(
    en="flow '{label}' from step '{step}' to '{target}' repeats next[{first}]; delete the repeat",
    fi="siirtymä '{label}' vaiheesta '{step}' vaiheeseen '{target}' toistaa kohdan "
    "next[{first}]; poista toisto",
)


def _shown(key: Hashable) -> str:
    """The label as the message shows it."""
    if isinstance(key, tuple):
        return " / ".join(str(value) for _, value in key)
    return str(key)


@rule("QMS108", "duplicate-flow", "error", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """One dictionary per step's `next` list."""
    for process in ctx.workspace.processes:
        for i, step in enumerate(process.steps):
            if len(step.next) < 2:
                continue  # nothing to repeat
            first: dict[tuple[str, Hashable], int] = {}
            for j, branch in enumerate(step.next):
                key = (branch.to, label_key(branch.label))
                if key not in first:
                    first[key] = j
                    continue
                params = {"step": step.id, "target": branch.to, "first": first[key]}
                if key[1] is None:
                    msg = UNLABELLED
                else:
                    msg = LABELLED
                    params["label"] = _shown(key[1])
                yield problem(
                    ctx.loc(process, "steps", i, "next", j), msg, element=step.id, **params
                )
