"""The GitHub Actions example in docs/change-control.md is a valid workflow that runs the
command the page describes (checked with check-jsonschema's vendored workflow schema)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "change-control.md"


def test_the_pull_request_workflow_is_valid_and_posts_the_github_format(tmp_path: Path) -> None:
    blocks = re.findall(
        r"```yaml\n(# \.github/workflows/[^\n]*\n.*?)```", DOC.read_text("utf-8"), re.S
    )
    assert len(blocks) == 1, "one workflow example"
    workflow = tmp_path / "qms-diff.yml"
    workflow.write_text(blocks[0], encoding="utf-8")
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = yaml.safe_load(blocks[0])
    assert "pull_request" in data[True]  # YAML 1.1 reads the key `on` as True
    commands = " ".join(s.get("run", "") for s in data["jobs"]["diff"]["steps"])
    assert "qms diff" in commands and "--format github" in commands
    assert data["permissions"]["pull-requests"] == "write"
