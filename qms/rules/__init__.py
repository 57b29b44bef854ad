"""The rule registry: one module per rule in this package, found by listing the package.

Every module here must define exactly one `Rule` (made by the `@rule` decorator); a meta-test
holds each to its documentation and fixtures. Listing the package keeps adding a rule to one
new file, and importing stays cheap until a command needs the rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from qms.load import gc_paused
from qms.rule import Rule


def rule_modules() -> list[str]:
    """Names of the rule modules of this package, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code."""
    found: list[Rule] = []
    # Paused: imported after a workspace was loaded, networkx's many small allocations would
    # otherwise set off collections that walk every model object (1.8 s nationally).
    with gc_paused():
        for name in rule_modules():
            module = importlib.import_module(f"qms.rules.{name}")
            found.extend(v for v in vars(module).values() if isinstance(v, Rule))
    return tuple(sorted(found, key=lambda r: r.code))


def get(selector: str) -> Rule:
    """The rule with this code or name; KeyError when there is none."""
    for r in all_rules():
        if selector in (r.code, r.name, r.name.replace("-", "_")):
            return r
    raise KeyError(selector)
