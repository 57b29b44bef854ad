"""QMS106 unlabelled-branch: a decision whose outgoing branches are not all labelled.

## What it does
Flags each branch of a `kind: decision` step that has no label (or an empty one), at the
branch itself. Branches are read from the model as written, so a branch to an unknown step
is checked too. A decision with fewer than two branches is left to superfluous-decision
(QMS107): labelling its only branch would not help.

## Why is this bad?
A decision asks a question; the reader of the diagram must see which answer leads where. An
unlabelled branch leaves the condition to guesswork, and audits read it as an undefined
practice.

## Example
```yaml
  - id: paatos
    kind: decision
    name: Hyväksytäänkö talousarvio?
    next: [loppu, esitykset]
```

Use instead: write the branches as a map from label to step.
```yaml
  - id: paatos
    kind: decision
    name: Hyväksytäänkö talousarvio?
    next: {kyllä: loppu, ei: esitykset}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.lint import Context, Problem, problem, rule
from qms.rules._flow import unlabelled

MESSAGE = Msg(
    en="branch from decision '{step}' to '{target}' has no label; "
    "write the branches as a map from answer to step, e.g. {{kyllä: {target}, ei: ...}}",
    fi="päätösvaiheen '{step}' haaralla vaiheeseen '{target}' ei ole nimeä; "
    "kirjoita haarat vastauksesta vaiheeseen, esim. {{kyllä: {target}, ei: ...}}",
)


@rule("QMS106", "unlabelled-branch", "error", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """Reads each decision's `next` list once."""
    for process in ctx.workspace.processes:
        for i, step in enumerate(process.steps):
            if step.kind != "decision" or len(step.next) < 2:
                continue
            for j, branch in enumerate(step.next):
                if unlabelled(branch.label):
                    yield problem(
                        ctx.loc(process, "steps", i, "next", j),
                        MESSAGE,
                        element=step.id,
                        step=step.id,
                        target=branch.to,
                    )
