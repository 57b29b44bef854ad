"""The flow rules (QMS101-QMS112) on large generated workspaces.

They must stay linear: one search forward from all starts, one backward from all ends, one
pass over the call graph. These tests are not timed (timings flake on shared machines); an
all-pairs implementation would still show here as a test run that takes minutes, and the
counts check that the single-pass shortcuts report exactly what the per-step definitions say.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from qms import rules
from qms.findings import Finding
from qms.lint import run_rules
from qms.load import load

FLOW_RULES = [r for r in rules.all_rules() if "QMS101" <= r.code <= "QMS112"]
N = 2000
HEADER = "kind: process\nid: {id}\norganisation: demo\nname: Prosessi {id}\nsteps:\n"


def _step(i: int, kind: str, nxt: list[str]) -> str:
    return f"  - {{id: s{i}, kind: {kind}, name: Vaihe {i}, role: r, next: [{', '.join(nxt)}]}}\n"


def _run(folder: Path) -> list[Finding]:
    files = sorted(p.name for p in folder.glob("*.yaml"))
    loaded = load(folder, files=files)
    assert loaded.workspace is not None, loaded.fatal
    assert not loaded.findings, loaded.findings
    severities = {r.code: r.severity for r in FLOW_RULES}
    found = run_rules(loaded.workspace, loaded.sources, FLOW_RULES, severities, dt.date(2013, 1, 1))
    assert not [f for f in found if f.code == "QMS000"], found
    return found


def _chain(tmp_path: Path, broken_after: int | None = None) -> Path:
    """A process of N steps s0 (start) -> s1 -> ... -> s{N-1} (end), optionally cut once."""
    lines = [HEADER.format(id="ketju")]
    for i in range(N):
        kind = "start" if i == 0 else "end" if i == N - 1 else "task"
        nxt = [] if i in (N - 1, broken_after) else [f"s{i + 1}"]
        lines.append(_step(i, kind, nxt))
    (tmp_path / "ketju.yaml").write_text("".join(lines), encoding="utf-8")
    return tmp_path


def test_long_chain_is_only_oversized(tmp_path: Path) -> None:
    found = _run(_chain(tmp_path))
    assert [(f.code, f.element, f.line) for f in found] == [("QMS112", "ketju", 5)]


def test_cut_chain_reports_every_step_once(tmp_path: Path) -> None:
    half = N // 2
    found = _run(_chain(tmp_path, broken_after=half - 1))
    counts = Counter(f.code for f in found)
    assert counts == {"QMS104": half, "QMS105": half, "QMS112": 1}
    unreachable = sorted(int(f.element[1:]) for f in found if f.code == "QMS104")
    dead = sorted(int(f.element[1:]) for f in found if f.code == "QMS105")
    assert unreachable == list(range(half, N))
    assert dead == list(range(half))
    # The step where the chain is cut has no way out; the ones before it reach no end.
    stuck = [f.element for f in found if f.code == "QMS105" and "no next step" in f.text["en"]]
    assert stuck == [f"s{half - 1}"]
    # Each finding stands on its step's line (steps start on line 6).
    assert all(f.line == int(f.element[1:]) + 6 for f in found if f.code != "QMS112")


def test_decision_ladder_with_loops_is_clean_but_oversized(tmp_path: Path) -> None:
    """Every decision loops back one step: many cycles, all of which can still finish."""
    lines = [HEADER.format(id="tikapuut"), _step(0, "start", ["s1"])]
    for i in range(1, N - 1):
        lines.append(
            f"  - {{id: s{i}, kind: decision, name: Vaihe {i}, role: r,"
            f" next: {{kyllä: s{i + 1}, ei: s{i - 1}}}}}\n"
        )
    lines.append(_step(N - 1, "end", []))
    (tmp_path / "tikapuut.yaml").write_text("".join(lines), encoding="utf-8")
    assert [f.code for f in _run(tmp_path)] == ["QMS112"]


def test_long_call_cycle_is_reported_once(tmp_path: Path) -> None:
    """p0 calls p1 ... calls p{M-1} calls p0, plus chords: one group, one finding."""
    m = 300
    for k in range(m):
        calls = [(k + 1) % m] + ([(k + 7) % m] if k % 10 == 0 else [])
        steps = [_step(0, "start", ["s1"])]
        for j, callee in enumerate(calls, 1):
            steps.append(
                f"  - {{id: s{j}, kind: subprocess, name: Kutsu, role: r, call: p{callee},"
                f" next: [s{j + 1}]}}\n"
            )
        steps.append(_step(len(calls) + 1, "end", []))
        text = HEADER.format(id=f"p{k}") + "".join(steps)
        (tmp_path / f"p{k:03d}.yaml").write_text(text, encoding="utf-8")
    found = _run(tmp_path)
    assert [(f.code, f.file, f.element) for f in found] == [("QMS110", "p000.yaml", "s1")]
    cycle = found[0].text["en"].split("cycle: ")[1].split(";")[0].split(" -> ")
    assert cycle[0] == cycle[-1] == "demo/p0"
    assert len(cycle) == len(set(cycle)) + 1  # a simple cycle: no process twice
