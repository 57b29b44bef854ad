"""QMS212 unapproved-approval: status approved without `approved.by` and `approved.on`.

## What it does
Flags process descriptions and plans whose `status` is `approved` but that do not record who
approved them and when (`approved: {by: ..., on: ...}`). The finding stands on `status`.

## Why is this bad?
ISO 9001 7.5.2 requires documented information to be reviewed and approved for suitability
and adequacy; an approval that names no approver and no date cannot be shown to an auditor,
and the published manual's version and approval table stays empty.

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
status: approved
```

Use instead:
```yaml
status: approved
version: "1.0"
approved: {by: Yhtymähallitus, on: 2012-06-12}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.model import Plan, Process
from qms.rule import Context, Problem, problem, rule

MESSAGE = Msg(
    en="{what} '{id}' has status approved but no approval; record who approved it and when "
    "in `approved: {{by: ..., on: ...}}`",
    fi="{what_fi} '{id}' on tilassa hyväksytty (approved), mutta hyväksyntä puuttuu; kirjaa "
    "hyväksyjä ja "
    "päivämäärä kohtaan `approved: {{by: ..., on: ...}}`",
)
WHAT = {"process": ("process", "prosessi"), "plan": ("plan", "suunnitelma")}


@rule("QMS212", "unapproved-approval", "error", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process and plan."""
    docs: list[Process | Plan] = [*ctx.workspace.processes, *ctx.workspace.plans]
    for doc in docs:
        if doc.status == "approved" and doc.approved is None:
            what, what_fi = WHAT[doc.KIND]
            yield problem(
                ctx.loc(doc, "status"),
                MESSAGE,
                element=doc.id,
                id=doc.id,
                what=what,
                what_fi=what_fi,
            )
