"""Shared fixtures: paths, the CLI runner, and workspaces made on the fly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
LAMPPU = MODELS / "lamppu"
DATA = Path(__file__).resolve().parent / "data"

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def needs(available: bool, reason: str) -> pytest.MarkDecorator:
    """Skip with `reason` when a real tool is missing, except in CI (CI=true), where the test
    runs and fails: `make test` installs every tool, so a missing one there is a broken set-up,
    not a reason to pass quietly."""
    return pytest.mark.skipif(not available and not IN_CI, reason=reason)


requires_dot = needs(
    shutil.which("dot") is not None,
    "Graphviz's dot is not on PATH (make test installs it: scripts/ensure-dot.sh)",
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""Headless, and no background traffic: this machine's network is closed."""
requires_chromium = needs(
    CHROMIUM is not None,
    "Chromium is not installed (make test installs it: scripts/test-tools/chromium.sh)",
)


def error_findings(root: Path) -> list[tuple[str, str, int]]:
    """(code, file, line) of the unsuppressed error findings of a workspace, as `validate`
    would report them."""
    from qms.lint import lint
    from qms.load import load

    return [
        (f.code, f.file, f.line)
        for f in lint(load(str(root))).findings
        if f.severity == "error" and f.suppressed is None
    ]


def docx_parts(files: dict[str, str | bytes]) -> dict[str, dict[str, bytes]]:
    """Each Word file's parts by name, to compare documents made in different ways."""
    import io
    import zipfile

    out = {}
    for name, data in files.items():
        assert isinstance(data, bytes)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out[name] = {i.filename: z.read(i) for i in z.infolist()}
    return out


def run_qms(*args: str, timeout: float = 300, lang: bool = True) -> tuple[int, str, str]:
    """`qms ARGS --lang en` (without `--lang en` for commands that have none) in a child
    process: (exit code, stdout, stderr). A hang fails the test at `timeout` instead of
    stopping the whole run."""
    proc = subprocess.run(
        [sys.executable, "-m", "qms", *args, *(["--lang", "en"] if lang else [])],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; stderr is kept apart from stdout."""
    return CliRunner()


WORKSPACE = {
    "qms.yaml": "kind: workspace\nname: testi\nlanguage: fi\n",
    "organisations/demo/organisation.yaml": (
        "kind: organisation\nid: demo\nname: Demo\ntype: provider\n"
    ),
}
"""The smallest workspace with one organisation, `demo`, for `make_workspace`."""


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


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests keep qms's caches (documents, validate state) in their own folder, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QMS_CACHE_DIR", str(tmp_path_factory.mktemp("qms-cache")))
        yield
