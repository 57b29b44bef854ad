"""Smoke tests of the benchmark (bench/): the generator makes clean, deterministic workspaces,
and `python -m bench --quick` runs end to end. The real benchmark runs with `make bench`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qms.lint import lint
from qms.load import load
from tests.conftest import ROOT, requires_dot


@pytest.fixture
def generate(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """bench.generate.generate, importable from the repository root."""
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.generate import generate as gen

    return gen


def _all_text(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.yaml"))
    }


def test_generated_workspace_validates_clean_and_is_realistic(tmp_path: Path, generate) -> None:  # type: ignore[no-untyped-def]
    files = generate(tmp_path / "ws", 3, 12, 15, seed=7)
    loaded = load(tmp_path / "ws")
    result = lint(loaded)
    assert [f.code for f in result.findings] == []
    ws = loaded.workspace
    assert ws is not None
    assert len(files) == 2 + 3 * 4 + 3 * 12
    assert len(ws.processes) == 36
    steps = [s for p in ws.processes for s in p.steps]
    assert len(steps) == 36 * 15
    kinds = {s.kind for s in steps}
    assert {"start", "task", "decision", "subprocess", "end"} <= kinds
    labels = {b.label for s in steps if s.kind == "decision" for b in s.next}
    assert {"kyllä", "ei"} <= labels
    order = {p.id: [s.id for s in p.steps] for p in ws.processes}
    loops = [
        (p.id, s.id)
        for p in ws.processes
        for s in p.steps
        for b in s.next
        if order[p.id].index(b.to) < order[p.id].index(s.id)
    ]
    assert loops, "decisions loop back to earlier steps"
    assert any(i.from_ and "/" in i.from_ for p in ws.processes for i in p.inputs)
    assert {p.level for p in ws.processes} == {2, 3}
    assert all(len({s.role for s in p.steps}) >= 3 for p in ws.processes)
    phases = {a.phase for plan in ws.plans for a in plan.actions}
    assert phases == {"plan", "do", "check", "act"}
    assert any("ä" in text for text in _all_text(tmp_path / "ws").values())


def test_generator_is_deterministic(tmp_path: Path, generate) -> None:  # type: ignore[no-untyped-def]
    generate(tmp_path / "a", 2, 6, 8, seed=3)
    generate(tmp_path / "b", 2, 6, 8, seed=3)
    generate(tmp_path / "c", 2, 6, 8, seed=4)
    assert _all_text(tmp_path / "a") == _all_text(tmp_path / "b")
    assert _all_text(tmp_path / "a") != _all_text(tmp_path / "c")


@requires_dot
def test_quick_bench_writes_a_report_elsewhere(tmp_path: Path) -> None:
    committed = ROOT / "bench" / "results.md"
    before = committed.read_bytes() if committed.exists() else None
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "## Machine" in text and "Graphviz" in text
    assert "cold `qms validate` / bare libyaml parse" in text
    assert "cold `qms render` / serial Graphviz" in text
    for command in ("validate", "render", "build", "export --format html", "serve"):
        assert f"`qms {command}`" in text
    assert "## Scaling" in text and "## Commands" in text
    assert (committed.read_bytes() if committed.exists() else None) == before


def _findings(root: Path) -> list[tuple[str, str, int, int]]:
    return [(f.code, f.file, f.line, f.col) for f in lint(load(root)).findings]


def test_document_cache_reports_what_a_cold_run_reports(
    tmp_path: Path,
    generate,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The speed-up for re-validation (qms/load/cache.py DocumentCache) never changes findings."""
    root = tmp_path / "ws"
    generate(root, 2, 6, 8, seed=5)
    broken = sorted((root / "organisations" / "j002" / "processes").glob("*.yaml"))[0]
    broken.write_text(broken.read_text(encoding="utf-8").replace("owner:", "ownr:"), "utf-8")
    monkeypatch.setenv("QMS_CACHE", "0")
    expected = _findings(root)
    assert ("QMS002", broken.relative_to(root).as_posix()) in {f[:2] for f in expected}
    cache = tmp_path / "cache"
    monkeypatch.setenv("QMS_CACHE", "1")
    monkeypatch.setenv("QMS_CACHE_DIR", str(cache))
    assert _findings(root) == expected  # cold: fills the cache
    packs = sorted(cache.rglob("*.pickle"))
    assert packs
    assert _findings(root) == expected  # warm: from the cache
    for pack in packs:
        pack.write_bytes(b"not a pickle")
    assert _findings(root) == expected  # a broken cache is a miss, not a crash
    edited = sorted((root / "organisations" / "j001" / "processes").glob("*.yaml"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("role: ", "role: x", 1), "utf-8")
    monkeypatch.setenv("QMS_CACHE", "0")
    after_edit = _findings(root)
    assert len(after_edit) > len(expected)
    monkeypatch.setenv("QMS_CACHE", "1")
    assert _findings(root) == after_edit


def test_document_cache_stays_bounded(
    tmp_path: Path,
    generate,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qms.load import DocumentCache

    root = tmp_path / "ws"
    generate(root, 4, 3, 6, seed=1)  # qms.yaml, project.yaml and 4 organisation folders
    cache = tmp_path / "cache"
    monkeypatch.setenv("QMS_CACHE", "1")
    monkeypatch.setenv("QMS_CACHE_DIR", str(cache))
    monkeypatch.setattr(DocumentCache, "MAX_PACKS", 4)
    load(root)
    assert 0 < len(list(cache.rglob("*.pickle"))) <= 4


def test_measured_command_reports_its_memory_and_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """bench/measure.py: the peak memory of a child is its own (a 64 MiB buffer shows), and a
    command that fails stops the bench instead of being timed."""
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.measure import timed

    got = timed([sys.executable, "-c", "b = bytearray(64 << 20); b[::4096] = b'x' * (16 << 10)"])
    assert got["exit"] == 0
    assert got["peak_kb"] >= 64 << 10 and got["tree_peak_kb"] >= got["peak_kb"]
    with pytest.raises(RuntimeError, match="exited 3"):
        timed([sys.executable, "-c", "raise SystemExit(3)"])


def test_memory_sampler_takes_a_bounded_share_of_a_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/measure.py samples every 50 ms while a sample is cheap, and waits longer after a
    dear one (a big process tree's PSS), so that it never takes more than SHARE of a core from
    the command it measures."""
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.measure import INTERVAL, SHARE, pause

    assert pause(0.0002) == INTERVAL
    for cost in (0.01, 0.034, 0.5):
        assert cost / (cost + pause(cost)) == pytest.approx(SHARE)
        assert pause(cost) > INTERVAL


def test_yaml_floor_reads_the_files_qms_reads(tmp_path: Path, generate) -> None:  # type: ignore[no-untyped-def]
    """bench/floors.py parses exactly the model files `qms validate` loads, without qms."""
    root = tmp_path / "ws"
    generate(root, 2, 3, 5, seed=1)
    (root / ".git").mkdir()
    (root / ".git" / "hidden.yaml").write_text("a: 1\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.floors", "yaml", str(root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(proc.stdout)
    assert got["files"] == len(load(root).files)


def test_dot_floor_parts_run_every_recorded_graph_once(tmp_path: Path) -> None:
    """`bench.floors dot REC K/N`: the parts of the serial Graphviz floor, which the bench runs
    between its renders, run every recorded graph exactly once between them."""
    rec, log = tmp_path / "rec", tmp_path / "ran.txt"
    rec.mkdir()
    command = ["sh", "-c", f"cat >> '{log}'"]  # stands in for Graphviz: notes which graph ran
    (rec / "commands.json").write_text(json.dumps([command] * 7), encoding="utf-8")
    for n in range(7):
        (rec / f"{n:05d}.dot").write_text(f"{n}\n", encoding="utf-8")

    def floor(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bench.floors", "dot", str(rec), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    runs = [json.loads(floor(f"{k}/3").stdout)["graphviz_runs"] for k in (1, 2, 3)]
    assert runs == [3, 2, 2]
    assert sorted(log.read_text(encoding="utf-8").split()) == [str(n) for n in range(7)]
    log.unlink()
    assert json.loads(floor().stdout)["graphviz_runs"] == 7
    assert log.read_text(encoding="utf-8").split() == [str(n) for n in range(7)]
    for bad in ("0/3", "4/3", "1/0", "x"):
        assert floor(bad).returncode == 2
