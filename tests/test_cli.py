"""The command line: exit codes, init, schema, and every example workspace validating clean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from qms.cli import cli
from tests.conftest import MODELS


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "schema", "validate"):
        assert f"  {command} " in result.output


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"`qms {name} --help` shows no example"


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "qms", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("qms, version ")


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_init_creates_a_workspace_that_validates_clean(
    runner: CliRunner, tmp_path: Path, lang: str
) -> None:
    target = tmp_path / "ws"
    made = runner.invoke(cli, ["init", str(target), "--lang", lang])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(cli, ["validate", str(target), "--lang", "en"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == ""
    assert checked.stderr == "No problems found.\n"


def test_init_files_carry_the_schema_comment_and_match_the_schema(
    runner: CliRunner, tmp_path: Path
) -> None:
    runner.invoke(cli, ["init", str(tmp_path), "--lang", "fi"])
    schema = json.loads((tmp_path / "qms.schema.json").read_text(encoding="utf-8"))
    files = sorted(tmp_path.rglob("*.yaml"))
    assert len(files) >= 4
    for file in files:
        text = file.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        depth = len(file.relative_to(tmp_path).parts) - 1
        assert first == f"# yaml-language-server: $schema={'../' * depth}qms.schema.json"
        # An editor sees dates as strings, as JSON does.
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        jsonschema.validate(data, schema)


def test_schema_rejects_what_the_loader_rejects(runner: CliRunner) -> None:
    schema = json.loads(runner.invoke(cli, ["schema"]).stdout)
    bad = {"kind": "process", "id": "x", "organisation": "o", "name": "X", "ownr": "y"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    described = schema["$defs"]["Process"]["properties"]["owner"]["description"]
    assert described == "The role that owns the process."


def test_init_never_overwrites_without_force(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["init", str(tmp_path)])
    qms_yaml = tmp_path / "qms.yaml"
    qms_yaml.write_text(qms_yaml.read_text(encoding="utf-8") + "# oma muutos\n", encoding="utf-8")
    refused = runner.invoke(cli, ["init", str(tmp_path), "--lang", "en"])
    assert refused.exit_code == 2
    assert "qms.yaml" in refused.stderr and "--force" in refused.stderr
    assert qms_yaml.read_text(encoding="utf-8").endswith("# oma muutos\n")
    forced = runner.invoke(cli, ["init", str(tmp_path), "--force", "--lang", "en"])
    assert forced.exit_code == 0
    assert not qms_yaml.read_text(encoding="utf-8").endswith("# oma muutos\n")


def test_init_twice_with_the_same_content_is_fine(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    assert runner.invoke(cli, ["init", str(tmp_path)]).exit_code == 0


def test_schema_output_file_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("{}", encoding="utf-8")
    assert runner.invoke(cli, ["schema", "-o", str(target)]).exit_code == 2
    assert target.read_text(encoding="utf-8") == "{}"
    assert runner.invoke(cli, ["schema", "-o", str(target), "--force"]).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "qms model file"


def test_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["init", str(tmp_path / "ok"), "--lang", "en"])
    assert runner.invoke(cli, ["validate", str(tmp_path / "ok")]).exit_code == 0
    broken = tmp_path / "ok" / "project.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    assert runner.invoke(cli, ["validate", str(tmp_path / "ok")]).exit_code == 1
    missing = runner.invoke(cli, ["validate", str(tmp_path / "nothing-here"), "--lang", "en"])
    assert missing.exit_code == 2
    assert missing.stderr == f"qms: {tmp_path / 'nothing-here'} does not exist\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    not_ws = runner.invoke(cli, ["validate", str(empty), "--lang", "fi"])
    assert not_ws.exit_code == 2
    assert "ei ole qms-työtila" in not_ws.stderr
    assert runner.invoke(cli, ["validate", "--format", "xml"]).exit_code == 2


def test_json_output_is_machine_readable(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["init", str(tmp_path), "--lang", "en"])
    process = next(tmp_path.rglob("processes/*.yaml"))
    process.write_text(
        process.read_text(encoding="utf-8").replace("realizes: [G1]", "realizes: [G9]"),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["validate", str(tmp_path), "--format", "json", "--lang", "en"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    [finding] = [f for f in payload["findings"] if f["code"] == "QMS004"]
    assert finding["message"] == "unknown goal 'G9'; did you mean 'G1'?"
    assert finding["messages"]["fi"] == "tuntematon tavoite 'G9'; tarkoititko 'G1'?"
    assert finding["keypath"] == "realizes[0]"
    assert finding["line"] == 15


@pytest.mark.parametrize(
    "workspace", sorted(p.parent for p in MODELS.glob("*/qms.yaml")), ids=lambda p: p.name
)
def test_example_workspaces_validate_clean(runner: CliRunner, workspace: Path) -> None:
    result = runner.invoke(cli, ["validate", str(workspace), "--lang", "en"])
    assert result.stdout == ""
    assert result.exit_code == 0


def test_lamppu_schema_file_is_current(runner: CliRunner) -> None:
    """models/lamppu/qms.schema.json is what `qms schema` prints (regenerate with -o --force)."""
    current = (MODELS / "lamppu" / "qms.schema.json").read_text(encoding="utf-8")
    assert current == runner.invoke(cli, ["schema"]).stdout, (
        "run: qms schema -o models/lamppu/qms.schema.json --force"
    )
