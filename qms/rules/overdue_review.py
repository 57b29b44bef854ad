"""QMS209 overdue-review: `review.next` is before the workspace's as-of date.

## What it does
Flags processes whose next review date (`review.next`) has passed: it is before the as-of
date (the workspace's `as_of`, `qms validate --as-of`, or today). Retired processes are not
reviewed any more and are exempt. A process without `review.next` is not flagged here.

## Why is this bad?
ISO 9001 4.4.1 g requires evaluating the processes and implementing the changes needed; a
missed review date means the description may no longer match how work is done, and an
auditor reads it as a broken promise of the quality system.

## Example
```yaml
review: {method: Sisäinen auditointi, last: 2011-05-01, next: 2012-05-01}
```

Use instead: review the process and move the dates forward:
```yaml
review: {method: Sisäinen auditointi, last: 2012-11-15, next: 2013-11-15}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule

MESSAGE = Msg(
    en="review of process '{id}' was due on {due} (as of {as_of}); review it and set "
    "`review.next` forward",
    fi="prosessin '{id}' katselmointi erääntyi {due} (tilanne {as_of}); katselmoi prosessi ja "
    "siirrä `review.next` eteenpäin",
)


@rule("QMS209", "overdue-review", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One date comparison per process."""
    for process in ctx.workspace.processes:
        review = process.review
        if process.status == "retired" or review is None or review.next is None:
            continue
        if review.next < ctx.as_of:
            yield problem(
                ctx.loc(process, "review", "next"),
                MESSAGE,
                element=process.id,
                id=process.id,
                due=review.next.isoformat(),
                as_of=ctx.as_of.isoformat(),
            )
