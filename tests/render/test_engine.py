"""Running Graphviz for real: files, links, the cache, failures, and the committed diagrams."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.render.engine import DotJob, render_all
from tests.conftest import LAMPPU, ROOT, requires_dot
from tests.render.helpers import SMALL

pytestmark = [pytest.mark.dot, requires_dot]


def test_render_writes_svg_with_links(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli, ["render", str(SMALL), "-o", str(out), "--format", "svg,dot"])
    assert result.exit_code == 0, result.output
    svg = (out / "demo" / "palaute.svg").read_text(encoding="utf-8")
    assert 'xlink:href="johtaminen.svg"' in svg
    assert "Palautteen käsittely" in svg
    assert 'xlink:href="palaute.svg"' in (out / "demo" / "_process-map.svg").read_text("utf-8")
    assert (out / "goal-map.svg").exists()


def test_cache_skips_unchanged_and_redraws_one(tmp_path: Path, runner: CliRunner) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(SMALL, ws)
    out = tmp_path / "out"
    args = ["render", str(ws), "-o", str(out), "--format", "svg"]
    assert runner.invoke(cli, args).exit_code == 0
    second = runner.invoke(cli, args)
    assert second.exit_code == 0
    assert "0 tiedostoa piirretty, 4 ennallaan" in second.output
    proc = ws / "organisations" / "demo" / "processes" / "palaute.yaml"
    proc.write_text(proc.read_text("utf-8").replace("Palaute saapuu", "Palaute tulee"), "utf-8")
    third = runner.invoke(cli, args)
    assert "1 tiedostoa piirretty, 3 ennallaan" in third.output
    assert "Palaute tulee" in (out / "demo" / "palaute.svg").read_text("utf-8")


def test_dot_failure_names_the_diagram(tmp_path: Path) -> None:
    jobs = [DotJob("demo/rikki", "digraph { a -> ; }"), DotJob("ok", "digraph { a -> b }")]
    report = render_all(jobs, tmp_path, ["svg"])
    assert not report.ok
    assert report.rendered == ["ok.svg"]
    (message,) = report.messages("en")
    assert message.startswith("diagram demo/rikki (svg) could not be drawn: Graphviz said:")
    assert "syntax error" in message
    assert not (tmp_path / "demo" / "rikki.svg").exists()


def test_build_stops_on_errors_without_traceback(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["build", str(SMALL), "-o", str(tmp_path / "o"), "--lang", "en"])
    assert result.exit_code == 1
    assert "stopped: the model has errors" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    kept = runner.invoke(
        cli, ["build", str(SMALL), "-o", str(tmp_path / "o"), "--keep-going", "--format", "dot"]
    )
    assert kept.exit_code == 1  # --keep-going writes what it can and still fails
    assert (tmp_path / "o" / "demo" / "palaute.dot").exists()


def test_committed_lamppu_diagrams_are_current(tmp_path: Path, runner: CliRunner) -> None:
    """diagrams/lamppu/**/*.dot must be what `qms build models/lamppu` writes today."""
    committed = ROOT / "diagrams" / "lamppu"
    out = tmp_path / "lamppu"
    result = runner.invoke(cli, ["render", str(LAMPPU), "-o", str(out), "--format", "dot"])
    assert result.exit_code == 0, result.output
    fresh = {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in out.rglob("*.dot")}
    kept = {
        p.relative_to(committed).as_posix(): p.read_text("utf-8") for p in committed.rglob("*.dot")
    }
    assert sorted(fresh) == sorted(kept), "run `make run` to redraw diagrams/lamppu"
    stale = [name for name in fresh if fresh[name] != kept[name]]
    assert not stale, f"stale diagrams (run `make run`): {stale}"


@requires_dot
def test_batched_runs_give_the_same_bytes_as_single_runs(tmp_path: Path) -> None:
    """Many graphs drawn in one Graphviz run are cut apart into exactly the files that one
    run per graph gives (SVG ids normalised, PNG cut at IEND)."""
    from qms.load import load
    from qms.render import diagram_jobs, engine, graphviz

    loaded = load(LAMPPU)
    assert loaded.workspace is not None
    jobs, failures = diagram_jobs(loaded.workspace, "fi")
    assert failures == []
    engine.render_all(jobs, tmp_path / "batched", ["svg", "png"], workers=1)
    for job in jobs[:6]:
        for fmt in ("svg", "png"):
            single = graphviz.run(job.program, job.source, fmt)
            batched = tmp_path / "batched" / f"{job.name}.{fmt}"
            assert batched.read_bytes() == single, f"{job.name}.{fmt}"
