"""QMS106 unlabelled-branch: a decision whose outgoing branches are not all labelled.

## What it does
Flags each branch of a `kind: decision` or `kind: inclusive` step that has no label (or an
empty one), no `condition` and no `default: true` mark, at the branch itself. Branches are
read from the model as written, so a branch to an unknown step is checked too. A decision
with fewer than two branches is left to superfluous-decision (QMS107): labelling its only
branch would not help.

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
from dataclasses import dataclass

from qms.findings import Msg
from qms.model import Text, text
from qms.rule import Context, Problem, problem, rule
from qms.rules._flow import says_when, unlabelled

MESSAGE = Msg(
    en="branch from decision '{step}' to '{target}' has no label; "
    "write the branches as a map from answer to step, e.g. {example}",
    fi="päätösvaiheen '{step}' haaralla vaiheeseen '{target}' ei ole nimeä; "
    "kirjoita haarat vastauksesta vaiheeseen, esim. {example}",
)
ANSWERS = {
    "fi": ("kyllä", "ei", "muuten", "vaihtoehto 3", "vaihtoehto 4"),
    "en": ("yes", "no", "otherwise", "option 3", "option 4"),
}
"""Labels offered for unlabelled branches, first the ones not used on the decision yet."""


@dataclass(frozen=True)
class Suggestion:
    """The decision's `next` as a map, unlabelled branches given labels not used there yet
    (in each message's language): following the hint never repeats a label."""

    branches: tuple[tuple[str, Text | None], ...]

    def text(self, lang: str) -> str:
        used = {text(label, lang) for _, label in self.branches if not unlabelled(label)}
        used |= {text(label, "fi") for _, label in self.branches if not unlabelled(label)}
        free = [a for a in ANSWERS.get(lang, ANSWERS["en"]) if a not in used]
        free += [f"{free[-1] if free else 'haara'} {n}" for n in range(2, 20)]
        pairs = []
        for target, label in self.branches:
            shown = free.pop(0) if unlabelled(label) else text(label, lang)
            pairs.append(f"{shown}: {target}")
        return "{" + ", ".join(pairs) + "}"


@rule("QMS106", "unlabelled-branch", "error", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """Reads each decision's `next` list once."""
    for process in ctx.workspace.processes:
        for i, step in enumerate(process.steps):
            if step.kind not in ("decision", "inclusive") or len(step.next) < 2:
                continue
            for j, branch in enumerate(step.next):
                if not says_when(branch):
                    yield problem(
                        ctx.loc(process, "steps", i, "next", j),
                        MESSAGE,
                        element=step.id,
                        step=step.id,
                        target=branch.to,
                        example=Suggestion(tuple((b.to, b.label) for b in step.next)),
                    )
