"""`qms init`: the default example starts with this year's periods; `--example lamppu` copies
the example network out of the package (or, in a source checkout, out of models/lamppu)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from click.testing import CliRunner

from qms.cli import cli
from qms.scaffold import example_files, example_root, workspace_files
from qms.schema import SCHEMA_FILE, schema_text
from tests.conftest import LAMPPU


def test_default_example_starts_with_the_periods_of_the_year_it_is_made() -> None:
    for lang, first in (("fi", "kevat"), ("en", "spring")):
        files = workspace_files(lang, today=dt.date(2031, 3, 4))
        project = yaml.safe_load(files["project.yaml"])
        periods = [(p["id"], str(p["start"]), str(p["end"])) for p in project["periods"]]
        assert periods[0] == (first, "2031-01-01", "2031-06-30")
        assert periods[1][1:] == ("2031-07-01", "2031-12-31")
        process = next(text for rel, text in files.items() if "/processes/" in rel)
        assert "next: 2032-03-04" in process  # the next review a year after the day it is made
    assert workspace_files("fi", dt.date(2031, 3, 4)) == workspace_files("fi", dt.date(2031, 3, 4))


def test_init_uses_today(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["init", str(tmp_path / "ws")]).exit_code == 0
    project = yaml.safe_load((tmp_path / "ws" / "project.yaml").read_text(encoding="utf-8"))
    assert project["periods"][0]["start"] == dt.date(dt.date.today().year, 1, 1)


def test_init_example_lamppu_copies_the_network_that_validates_like_the_original(
    runner: CliRunner, tmp_path: Path
) -> None:
    assert example_root("lamppu") is not None
    made = runner.invoke(cli, ["init", "--example", "lamppu", str(tmp_path / "lamppu")])
    assert made.exit_code == 0, made.output
    copy = tmp_path / "lamppu"
    originals = sorted(p.relative_to(LAMPPU) for p in LAMPPU.rglob("*.yaml"))
    assert sorted(p.relative_to(copy) for p in copy.rglob("*.yaml")) == originals
    for rel in originals:
        assert (copy / rel).read_bytes() == (LAMPPU / rel).read_bytes()
    assert (copy / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()
    here = runner.invoke(cli, ["validate", str(copy), "--format", "json", "--lang", "en"])
    there = runner.invoke(cli, ["validate", str(LAMPPU), "--format", "json", "--lang", "en"])
    assert here.exit_code == there.exit_code
    assert here.stdout.count('"code"') == there.stdout.count('"code"')
    again = runner.invoke(cli, ["init", "--example", "lamppu", str(copy)])
    assert again.exit_code == 0  # the same files again: nothing to refuse


def test_init_example_refuses_to_overwrite_and_names_only_known_examples(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "ws"
    assert runner.invoke(cli, ["init", str(target), "--lang", "en"]).exit_code == 0
    (target / "qms.yaml").write_text("kind: workspace\nname: Mine\n", encoding="utf-8")
    refused = runner.invoke(cli, ["init", "--example", "lamppu", str(target)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (target / "qms.yaml").read_text(encoding="utf-8") == "kind: workspace\nname: Mine\n"
    unknown = runner.invoke(cli, ["init", "--example", "jedu", str(tmp_path / "x")])
    assert unknown.exit_code == 2 and "lamppu" in unknown.output
    assert example_files("jedu") == {}
