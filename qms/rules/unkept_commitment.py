"""QMS402 unkept-commitment: an organisation commits to a goal but nothing of its own realizes it.

## What it does
Reads the coverage matrix (the same one `qms coverage` prints, so the two never disagree) and
reports each goal in an organisation's `commits_to` that none of the organisation's own
processes, plan actions or metrics names in `realizes`. Another organisation's work does not
keep the commitment. Reported at the `commits_to` item.

## Why is this bad?
The commitment is a promise to the network. With nothing behind it, the coordinator's matrix
shows the goal as pursued while no process, action or metric of the organisation works
towards it, and the result reported at the end of the period has nothing to rest on.

## Example
```yaml
# organisations/kao/organisation.yaml
commits_to: [G4]          # no KAO process, action or metric realizes G4
```

Use instead: add `realizes: [G4]` to the KAO process, plan action or metric that develops the
metrics (e.g. `processes/mittaaminen.yaml`), or drop G4 from `commits_to`.
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, rule
from qms.rules._common import COVERAGE_READS, gap_problems

MESSAGE = Msg(
    en="'{org}' commits to goal '{goal}' but none of its processes, plan actions or metrics "
    "realizes it",
    fi="'{org}' on sitoutunut tavoitteeseen '{goal}', mutta mikään sen prosesseista, "
    "toimenpiteistä tai mittareista ei toteuta sitä",
)


@rule(
    "QMS402",
    "unkept-commitment",
    "warning",
    reads=COVERAGE_READS,
)
def check(ctx: Context) -> Iterator[Problem]:
    """One finding per commitment of the coverage matrix with nothing behind it."""
    yield from gap_problems(ctx, "unkept-commitment", MESSAGE, "org", "goal")
