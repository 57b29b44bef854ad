"""QMS220 suspect-approval: the content under an approval changed after it was approved.

## What it does
`qms approve` records the canonical digest of the approved process or plan
(`approved.digest`): the SHA-256 of its validated content as canonical JSON. This rule
recomputes it and flags an approval whose element has changed since; the finding stands on
`approved.digest`. Comments, formatting, `status`, `version`, `approved` and `lint` are not
part of the digest. Approvals without a digest (written by hand) are not checked. A change in
a goal, parent process or metric the element points to is QMS222 suspect-link.

## Why is this bad?
ISO 9001 7.5.2-7.5.3 asks that documented information is approved and that changes are
identified: an approval that stays valid after the content under it changed approves
something nobody has looked at. Re-approve the element with `qms approve` after reviewing the
change (`qms diff` lists it), or undo the change.

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
owner: rehtori                       # changed after the approval below
status: approved
approved: {by: Yhtymähallitus, on: 2012-06-12, digest: "sha256:5d1c0b0f9e1a2b3c"}
```

Use instead (after reviewing the change):
```sh
qms approve models/lamppu redu/talous --by yhtymahallitus
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.approval import content_changed
from qms.findings import Msg
from qms.model import Plan, Process
from qms.rule import Context, Problem, problem, rule
from qms.rules.unapproved_approval import WHAT

MESSAGE = Msg(
    en="{what} '{id}' changed after it was approved on {on}; review the change (qms diff) and "
    "approve it again (qms approve)",
    fi="{what_fi} '{id}' on muuttunut hyväksynnän ({on}) jälkeen; tarkista muutos (qms diff) "
    "ja hyväksy uudelleen (qms approve)",
)


@rule("QMS220", "suspect-approval", "warning", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """Recompute each digested approval's digest."""
    docs: list[Process | Plan] = [*ctx.workspace.processes, *ctx.workspace.plans]
    for doc in docs:
        if doc.approved is None or not content_changed(doc):
            continue
        what, what_fi = WHAT[doc.KIND]
        yield problem(
            ctx.loc(doc, "approved", "digest"),
            MESSAGE,
            element=doc.id,
            id=doc.id,
            what=what,
            what_fi=what_fi,
            on=doc.approved.on,
        )
