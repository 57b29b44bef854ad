"""`python -m bench.validate`: only the `qms validate` figures of `make bench`, in minutes.

    python -m bench.validate --processes 1000 --repeat 3 [--workdir DIR]

The same child processes, floor and edits as bench/run.py (cold validate against the bare
libyaml parse in interleaved pairs; then nothing changed, a wording edit and a structural
edit), printed as one table with the machine's load average before and after: for working
on validate's speed without the half hour of the full bench.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import run
from bench.generate import generate, sizes_for


def _row(what: str, runs: list[dict[str, Any]]) -> str:
    walls = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    cpus = ", ".join(f"{r['cpu']:.2f}" for r in runs)
    return f"| {what} | {walls} | {cpus} |"


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    p = argparse.ArgumentParser(prog="python -m bench.validate", description=__doc__)
    p.add_argument("--processes", type=int, default=run.WARM)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--workdir", default=None, help="keep the workspace and cache here")
    args = p.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="qms-bench-validate-"))
    work.mkdir(parents=True, exist_ok=True)
    run.CACHE, run.LOG = work / "cache", work / "runs.jsonl"
    root = work / f"ws-{args.processes}"
    providers, per = sizes_for(args.processes)
    if not (root / "qms.yaml").is_file():
        generate(root, providers, per, run.STEPS, seed=args.seed)
    before = run._load()
    floors, vals = run.validate_pairs(root, args.repeat)
    command = ("validate", str(root), "--quiet")
    edits = run.after_edits(root, args.repeat, *command)
    after = run._load()
    pairs = [v["seconds"] / f["seconds"] for f, v in zip(floors, vals, strict=True)]
    cpu = [v["cpu"] / f["cpu"] for f, v in zip(floors, vals, strict=True)]
    lines = [
        f"{providers} x {per} x {run.STEPS} processes; load average before {before}, after {after}",
        "",
        "| Measure | Wall (s) | CPU (s) |",
        "|---|---|---|",
        _row("bare libyaml parse", floors),
        _row("cold `qms validate`", vals),
        f"| cold / bare (pairs) | {', '.join(f'{x:.2f}' for x in pairs)} "
        f"(median {statistics.median(pairs):.2f}) | {', '.join(f'{x:.2f}' for x in cpu)} |",
        _row("nothing changed", edits["nothing"]),
        _row("after a wording edit", edits["wording"]),
        _row("after a structural edit", edits["structure"]),
        _row("after a role edit (a workspace rule reads it)", edits["role"]),
    ]
    cold = statistics.median(v["seconds"] for v in vals)
    cpu_cold = statistics.median(v["cpu"] for v in vals)
    for kind in ("structure", "role"):
        share = [r["seconds"] / cold for r in edits[kind]]
        cpu_share = [r["cpu"] / cpu_cold for r in edits[kind]]
        lines.append(
            f"| {kind} edit / cold (median) | {', '.join(f'{x:.3f}' for x in share)} "
            f"| {', '.join(f'{x:.3f}' for x in cpu_share)} |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
