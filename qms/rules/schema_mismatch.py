"""QMS002 schema-mismatch: a key, value or id that the model does not allow.

## What it does
Reports unknown keys (with the nearest allowed key: "did you mean 'next'?"), missing required
keys, values of the wrong type, values outside an enumeration, ids with characters other than
a-z, 0-9, `-` and `_`, dates not written as YYYY-MM-DD and unknown `kind:`s. Every mistake in
a file is reported, not only the first. The loader reports it.

## Why is this bad?
A misspelt key is silently ignored by most YAML tools: the step would lose its next steps
without anyone noticing. Here the element is not loaded until the key is fixed.

## Example
```yaml
steps:
  - {id: alku, kind: start, name: Alku, nxet: [loppu]}
```

Use instead:
```yaml
steps:
  - {id: alku, kind: start, name: Alku, next: [loppu]}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.rule import Context, Problem, rule


@rule("QMS002", "schema-mismatch", "error", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """Reported by the loader while validating; nothing is left to check here."""
    yield from ()
