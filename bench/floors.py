"""The floors the benchmark divides by, written apart from qms so that anyone can rerun them.

    python -m bench.floors yaml WORKSPACE    # read every model file, parse it with CSafeLoader
    python -m bench.floors dot RECORD        # the recorded Graphviz runs, one after the other
    python -m bench.floors dot RECORD 2/3    # every 3rd of them from the 2nd: one part of that

Each prints one JSON line: wall seconds, CPU seconds of this process and its children, peak
RSS. Nothing here imports qms: a floor that shared qms's code could hide qms's own overhead.

`yaml`: every `*.yaml` file below WORKSPACE outside hidden folders (what `qms validate`
reads), read as text and parsed with libyaml's `yaml.CSafeLoader`, nothing else.

`dot`: RECORD is a folder written by `python -m bench._child record` (untimed): the DOT
texts `qms render` hands to Graphviz (`dot -Tjson` first passes, then one `neato -n2 -Tsvg`
or `dot -Tsvg` per diagram) and `commands.json`, the command of each. Each graph runs alone,
in its own Graphviz process, serially: what drawing the same diagrams costs with no batching,
no cache and one core. `K/N` runs only the part K of N (the runs K, K+N, K+2N... counted from
1): the parts add up to the whole floor, so a long floor can be interleaved with the command it
is compared with (floor part, command, floor part, command) instead of run apart from it.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _usage() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
        "peak_kb": float(max(own.ru_maxrss, kids.ru_maxrss)),
    }


def model_files(root: str) -> list[str]:
    """Every `*.yaml` below `root` outside hidden folders, sorted."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(folder, f) for f in files if f.endswith(".yaml")]
    return sorted(found)


def yaml_floor(root: str) -> dict[str, Any]:
    """Read and parse every model file with libyaml; nothing else."""
    import yaml

    start = time.perf_counter()
    files = model_files(root)
    for path in files:
        with open(path, encoding="utf-8") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    wall = time.perf_counter() - start
    return {"seconds": wall, "files": len(files), **_usage()}


def dot_floor(record: str, part: str = "1/1") -> dict[str, Any]:
    """Run the recorded Graphviz commands on their DOT texts (all of them, or the part K of N),
    one graph per process, serially."""
    rec = Path(record)
    commands = json.loads((rec / "commands.json").read_text(encoding="utf-8"))
    k, n_parts = (int(x) for x in part.split("/"))
    chosen = [(n, c) for n, c in enumerate(commands) if n % n_parts == k - 1]
    start = time.perf_counter()
    for n, command in chosen:
        source = (rec / f"{n:05d}.dot").read_bytes()
        subprocess.run([*command, "-q"], input=source, capture_output=True, check=True)
    wall = time.perf_counter() - start
    return {"seconds": wall, "graphviz_runs": len(chosen), "part": part, **_usage()}


def main(argv: list[str]) -> int:
    """`python -m bench.floors yaml PATH` or `python -m bench.floors dot PATH [K/N]`."""
    found = re.fullmatch(r"(\d+)/(\d+)", argv[2]) if len(argv) == 3 else None
    parted = argv[0] == "dot" and found and 1 <= int(found[1]) <= int(found[2])
    if not ((len(argv) == 2 and argv[0] in ("yaml", "dot")) or parted):
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(yaml_floor(argv[1]) if argv[0] == "yaml" else dot_floor(*argv[1:])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
