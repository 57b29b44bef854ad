"""Shared fixtures: paths, the CLI runner, and workspaces made on the fly."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
LAMPPU = MODELS / "lamppu"
DATA = Path(__file__).resolve().parent / "data"

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot is not on PATH (make test installs it: scripts/ensure-dot.sh)",
)


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; stderr is kept apart from stdout."""
    return CliRunner()


@pytest.fixture
def make_workspace(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write {relative path: text} into a fresh folder and return it."""

    def make(files: dict[str, str]) -> Path:
        for rel, text in files.items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return tmp_path

    return make
