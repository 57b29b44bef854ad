"""Shared set-up for the render tests: the small fixed workspace and its goldens."""

from __future__ import annotations

import json
import os
from pathlib import Path

from qms.index import Index
from qms.load import load
from qms.model import Workspace
from qms.render.layout import Ranks
from tests.conftest import DATA

SMALL = DATA / "render" / "small"
GOLDEN = DATA / "render" / "golden"
UPDATE = os.environ.get("QMS_UPDATE_GOLDEN") == "1"


def small() -> tuple[Workspace, Index]:
    """The small workspace, loaded and indexed."""
    loaded = load(SMALL)
    assert loaded.workspace is not None
    return loaded.workspace, Index.build(loaded.workspace)


def fixed_ranks(name: str) -> Ranks:
    """A first-pass result recorded once from `dot -Tjson`, so goldens need no Graphviz."""
    data = json.loads((GOLDEN / f"{name}.ranks.json").read_text(encoding="utf-8"))
    return {k: (int(v[0]), int(v[1])) for k, v in data.items()}


def in_ci() -> bool:
    """True on a CI runner (`CI=true`, as GitHub Actions, GitLab and most others set it)."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def check_golden(name: str, text: str) -> None:
    """Compare with tests/data/render/golden/<name>; QMS_UPDATE_GOLDEN=1 rewrites it.

    A missing golden is written on a developer's machine (then reviewed and committed), but
    fails in CI: there a deleted golden would otherwise pass unnoticed.
    """
    path = GOLDEN / name
    if not path.exists() and not UPDATE and in_ci():
        raise AssertionError(f"golden {path} is missing (CI=true: not writing one)")
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden"


def golden_path(name: str) -> Path:
    """Where a golden lives."""
    return GOLDEN / name
