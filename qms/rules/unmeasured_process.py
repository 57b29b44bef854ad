"""QMS206 unmeasured-process: a process with no metric.

## What it does
Flags processes whose `metrics` list is missing or empty. Whether the listed metric ids exist
is QMS004's business: a process that names a metric counts as measured here. The finding
stands on `metrics` when it is written as an empty list, otherwise on the process's `id`.

## Why is this bad?
ISO 9001 4.4.1 c requires the criteria, methods and performance indicators needed to ensure
that each process operates effectively. An unmeasured process cannot show that it works or
that an improvement helped, and it drops out of the organisation's metric set (mittaristo).

## Example
```yaml
kind: process
id: talous
organisation: redu
name: Talousprosessi
metrics: []
```

Use instead: define the metric in the organisation's `metrics.yaml` and refer to it:
```yaml
metrics: [talousarvion-toteuma]
```
Where no metric exists yet, say so with a reason that every report shows:
```yaml
lint:
  ignore:
    - {rule: QMS206, reason: "Mittari otetaan käyttöön 2013 (ks. laatusuunnitelma)"}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.findings import Msg
from qms.rule import Context, Problem, problem, rule

MESSAGE = Msg(
    en="process '{id}' has no metric; name in `metrics` how its performance is measured",
    fi="prosessilla '{id}' ei ole mittaria; nimeä kohdassa `metrics`, miten sen toimivuutta "
    "mitataan",
)


@rule("QMS206", "unmeasured-process", "warning", scope="file", wording=False)
def check(ctx: Context) -> Iterator[Problem]:
    """One look at each process."""
    for process in ctx.workspace.processes:
        if not process.metrics:
            key = "metrics" if "metrics" in process.model_fields_set else "id"
            yield problem(ctx.loc(process, key), MESSAGE, element=process.id, id=process.id)
