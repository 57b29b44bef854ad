"""QMS221 unversioned-change: the content changed after its approval, but the version did not.

## What it does
`qms approve` records the approved `version` next to the content's digest. When the digest
no longer matches (the content changed) while `version` is still the approved one, this rule
flags the `version` key. (`qms diff` and the manual's change history mark the same situation
between any two revisions in git.)

## Why is this bad?
ISO 9001 7.5.3 asks for version control of documented information: readers of the manual
cannot tell the approved description from its changed successor when both carry the same
version number.

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
owner: rehtori                       # changed after the approval
version: "1.0"
approved: {by: Yhtymähallitus, on: 2012-06-12, version: "1.0", digest: "sha256:5d1c0b0f9e1a2b3c"}
```

Use instead:
```yaml
version: "1.1"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.approval import digest
from qms.findings import Msg
from qms.model import Plan, Process
from qms.rule import Context, Problem, problem, rule
from qms.rules.unapproved_approval import WHAT

MESSAGE = Msg(
    en="{what} '{id}' changed after version {version} was approved; give it a new version",
    fi="{what_fi} '{id}' on muuttunut version {version} hyväksynnän jälkeen; anna sille uusi "
    "versionumero",
)


@rule("QMS221", "unversioned-change", "warning", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """One digest per approved, versioned process and plan."""
    docs: list[Process | Plan] = [*ctx.workspace.processes, *ctx.workspace.plans]
    for doc in docs:
        approval = doc.approved
        if approval is None or not approval.digest or approval.version is None:
            continue
        if doc.version == approval.version and digest(doc) != approval.digest:
            what, what_fi = WHAT[doc.KIND]
            yield problem(
                ctx.loc(doc, "version"),
                MESSAGE,
                element=doc.id,
                id=doc.id,
                what=what,
                what_fi=what_fi,
                version=doc.version,
            )
