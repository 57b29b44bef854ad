"""Synthetic BPMN files for the import scaling table (issue 15: import time must grow
near-linearly with the number of elements).

Two shapes: `loose` (n tasks and no flows: the order of steps falls back to document order
for every one of them) and `chain` (a start event, n tasks one after the other, an end event).
"""

from __future__ import annotations

import itertools
from pathlib import Path

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SHAPES = ("loose", "chain")


def bpmn_file(path: Path, tasks: int, shape: str) -> Path:
    """Write a BPMN file of `tasks` tasks in the given shape; return its path."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{MODEL}">']
    parts.append('<process id="p" name="Scaling">')
    parts += [f'<task id="t{i}" name="Tehtävä {i}"/>' for i in range(tasks)]
    if shape == "chain":
        parts.append('<startEvent id="s" name="Alku"/><endEvent id="e" name="Loppu"/>')
        ids = ["s", *(f"t{i}" for i in range(tasks)), "e"]
        parts += [
            f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
            for i, (a, b) in enumerate(itertools.pairwise(ids))
        ]
    parts.append("</process></definitions>\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.imports [--sizes 2000,5000,20000]`: one Markdown table, each import in a
    fresh interpreter (bench/_child.py import-bpmn), seconds wall-clock on this machine."""
    import argparse
    import shutil
    import tempfile

    from bench.run import child

    p = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    p.add_argument("--sizes", default="2000,5000,20000")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="qms-bench-imports-"))
    print("| shape | tasks | import (s) | ms per task | peak MiB |")
    print("|---|---:|---:|---:|---:|")
    try:
        for shape in SHAPES:
            for n in (int(v) for v in args.sizes.split(",")):
                source = bpmn_file(work / f"{shape}-{n}.bpmn", n, shape)
                got = child("import-bpmn", str(source), str(work / f"{shape}-{n}"))
                print(
                    f"| {shape} | {n:,} | {got['seconds']:.2f} | "
                    f"{got['seconds'] / n * 1000:.3f} | {got['peak_kb'] / 1024:.0f} |",
                    flush=True,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
