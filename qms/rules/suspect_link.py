"""QMS222 suspect-link: a goal, parent or metric changed after an approval that relied on it.

## What it does
As Doorstop's suspect links: `qms approve` records, next to the approved content's digest,
the digests of what the process or plan points to (`approved.links`): its goals (`realizes`,
`influences`; for a plan, the goals its actions realize), its `parent` process and its metrics
(for a plan, those its actions are evaluated by). This rule flags each link whose target has
changed or disappeared since; the finding stands on that entry of `approved.links`. A link's
digest covers the structure of its target (a goal's parent, a metric's target, unit and
values, a parent's steps, lanes and flows), not its wording.

## Why is this bad?
An approval is given in a context: a process approved to realize a goal, measured against a
target. When the goal is re-parented or the target raised, the approved description may no
longer fit, and nobody has looked at it again (ISO 9001 7.5.3, control of changes).

## Example
```yaml
approved:
  by: yhtymahallitus
  on: 2013-01-15
  digest: sha256:5d88e9a4765db6cc
  links:
    metric:talousarvion-toteuma: sha256:553497beaf6208f3   # its target has changed since
```

Use instead (after reviewing the process against the changed metric):
```sh
qms approve models/lamppu redu/talous --by yhtymahallitus
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.approval import suspect_links
from qms.findings import Msg
from qms.model import Plan, Process
from qms.rule import Context, Problem, problem, rule
from qms.rules.unapproved_approval import WHAT

MESSAGE = Msg(
    en="{what} '{id}' was approved on {on}, but its {link} has changed since; review the "
    "approval (qms approve)",
    fi="{what_fi} '{id}' hyväksyttiin {on}, mutta sen {link_fi} on muuttunut sen jälkeen; "
    "tarkista hyväksyntä (qms approve)",
)
LINK_WORDS = {
    "goal": ("goal", "tavoite"),
    "parent": ("parent", "yläprosessi"),
    "metric": ("metric", "mittari"),
}


def _anchored(doc: object) -> bool:
    """Only an approval that recorded its links can find a link suspect: while no document
    has one, an edit anywhere cannot change this rule's findings."""
    approved = getattr(doc, "approved", None)
    return approved is not None and bool(approved.links)


@rule("QMS222", "suspect-link", "warning", reads=None, anchored=_anchored)
def check(ctx: Context) -> Iterator[Problem]:
    """Recompute the digests of each approval's links."""
    docs: list[Process | Plan] = [*ctx.workspace.processes, *ctx.workspace.plans]
    for doc in docs:
        if doc.approved is None:
            continue
        for key in suspect_links(doc, ctx.index):
            kind, _, ref = key.partition(":")
            word, word_fi = LINK_WORDS.get(kind, (kind, kind))
            what, what_fi = WHAT[doc.KIND]
            yield problem(
                ctx.loc(doc, "approved", "links", key),
                MESSAGE,
                element=doc.id,
                id=doc.id,
                what=what,
                what_fi=what_fi,
                on=doc.approved.on,
                link=f"{word} {ref}",
                link_fi=f"{word_fi} {ref}",
            )
