"""`qms new`: each kind lands in its folder and file with the schema line, loads with no
schema error, is marked as example content where it holds placeholders, and never
overwrites; a metric is added to metrics.yaml with the file's comments kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.load import load


@pytest.fixture
def ws(runner: CliRunner, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert runner.invoke(cli, ["init", str(root), "--lang", "fi"]).exit_code == 0
    return root


def _new(runner: CliRunner, ws: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["new", *args, str(ws), "--lang", "en"])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "rel", "depth"),
    [
        (("organisation", "lappia"), "organisations/lappia/organisation.yaml", 2),
        (
            ("process", "hr", "--organisation", "oppilaitos"),
            "organisations/oppilaitos/processes/hr.yaml",
            3,
        ),
        (("plan", "ls", "--organisation", "oppilaitos"), "organisations/oppilaitos/plan.yaml", 2),
    ],
)
def test_new_file_in_its_folder_with_the_schema_line(
    runner: CliRunner, ws: Path, args: tuple[str, ...], rel: str, depth: int
) -> None:
    code, _ = _new(runner, ws, *args, "--name", "Uusi: nimi")
    assert code == 0
    text = (ws / rel).read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={'../' * depth}qms.schema.json\n")
    loaded = load(ws)
    assert not [f for f in loaded.findings if f.code in ("QMS001", "QMS002")], loaded.findings
    assert not [f for f in loaded.findings if f.file == rel and f.severity == "error"]
    if args[0] != "organisation":
        assert "example: {reason:" in text  # placeholders are marked until replaced
    assert "name: 'Uusi: nimi'" in text  # a name that needs quotes is quoted
    before = text
    code, out = _new(runner, ws, *args)
    assert code == 2 and "nothing written" in out
    assert (ws / rel).read_text(encoding="utf-8") == before


def test_new_metric_is_added_with_comments_kept(runner: CliRunner, ws: Path) -> None:
    path = ws / "organisations/oppilaitos/metrics.yaml"
    original = path.read_text(encoding="utf-8").replace(
        "metrics:\n", "metrics:\n  # oma kommentti\n", 1
    )
    path.write_text(original, encoding="utf-8")
    assert _new(runner, ws, "metric", "keskeyttaneet", "--organisation", "oppilaitos")[0] == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)  # everything before stays as written, comments too
    assert "  - id: keskeyttaneet\n" in text[len(original) :]
    loaded = load(ws)
    assert loaded.workspace is not None
    ids = [m.id for d in loaded.workspace.metrics for m in d.metrics]
    assert ids == ["palautteen-vastausprosentti", "keskeyttaneet"]
    code, out = _new(runner, ws, "metric", "keskeyttaneet", "--organisation", "oppilaitos")
    assert code == 2 and "exists already" in out
    assert path.read_text(encoding="utf-8") == text


def test_new_refuses_bad_ids_and_unknown_organisations(runner: CliRunner, ws: Path) -> None:
    code, out = _new(runner, ws, "process", "../x", "--organisation", "oppilaitos")
    assert code == 2 and "not a valid id" in out
    code, out = _new(runner, ws, "process", "x", "--organisation", "opilaitos")
    assert code == 2 and "did you mean 'oppilaitos'?" in out
    code, out = _new(runner, ws, "plan", "x")
    assert code == 2 and "--organisation" in out
    assert not (ws.parent / "x.yaml").exists()
    assert sorted(p.name for p in (ws / "organisations/oppilaitos/processes").iterdir()) == [
        "opiskelijapalaute.yaml"
    ]
