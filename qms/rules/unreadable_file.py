"""QMS001 unreadable-file: a file that cannot be read as a YAML model document.

## What it does
Reports files that are not UTF-8 text, hold a YAML syntax error (tabs in indentation, a
missing quote, a text with `: ` left unquoted), hold a key twice in one mapping, are empty,
hold several documents, are too large or nest too deeply, and symbolic links that lead out of
the workspace. The loader reports it; nothing in such a file reaches the other rules.

## Why is this bad?
Nothing in the file can be checked, drawn or published, and a key written twice silently
loses one of its values in most YAML tools.

## Example
```yaml
kind: process
id: talous
name: Talous: budjetointi     # ': ' inside an unquoted text
```

Use instead:
```yaml
kind: process
id: talous
name: "Talous: budjetointi"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.rule import Context, Problem, rule


@rule("QMS001", "unreadable-file", "error", scope="file")
def check(ctx: Context) -> Iterator[Problem]:
    """Reported by the loader while reading; nothing is left to check here."""
    yield from ()
