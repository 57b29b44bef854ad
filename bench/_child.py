"""One measurement in a fresh interpreter, printed as a JSON line on stdout.

Each measurement runs in its own process so that imports, caches and peak memory
(`ru_maxrss`) belong to that measurement alone, as they would for a user running `qms`.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _peak_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def validate(root: str) -> dict[str, Any]:
    """What `qms validate` does: load, build the graph, run every rule, or re-use a kept run."""
    start = time.perf_counter()
    from qms.incremental import validate as run

    outcome = run(root)
    end = time.perf_counter()
    counts = outcome.result.counts()
    return {
        "seconds": end - start,
        "mode": outcome.mode,
        "checked": len(outcome.checked),
        "files": len(outcome.checked),
        "load": outcome.seconds.get("load", 0.0),
        "lint": outcome.seconds.get("rules", 0.0),
        "keep": outcome.seconds.get("keep", 0.0),
        "errors": counts["error"],
        "findings": len(outcome.result.findings),
        "peak_kb": _peak_kb(),
    }


def bare_yaml(root: str) -> dict[str, Any]:
    """The floor: read the same files and parse them with libyaml (CSafeLoader), nothing else."""
    import yaml

    start = time.perf_counter()
    base = Path(root)
    files = sorted(
        p for p in base.rglob("*.yaml") if not any(part.startswith(".") for part in p.parts)
    )
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return {"seconds": time.perf_counter() - start, "files": len(files), "peak_kb": _peak_kb()}


def render(root: str, out: str, record: str) -> dict[str, Any]:
    """What `qms render --format svg` does, through the library; records every Graphviz input."""
    start = time.perf_counter()
    from qms.publish import Publication
    from qms.render.layout import run_dot_json

    first_pass: list[str] = []

    def run(source: str) -> str:
        first_pass.append(source)
        return run_dot_json(source)

    done = Publication.one_shot(root).render(out, ["svg"], run=run)  # as `qms render` does
    jobs, report = done.jobs, done.report
    seconds = time.perf_counter() - start
    if record:
        # Kept for the bare-Graphviz baseline: the very inputs this run handed to Graphviz.
        rec = Path(record)
        rec.mkdir(parents=True, exist_ok=True)
        calls = [(["dot", "-Tjson"], s) for s in first_pass]
        calls += [([*j.program, "-Tsvg"], j.source) for j in jobs]
        for n, (_, source) in enumerate(calls):
            (rec / f"{n:05d}.dot").write_text(source, encoding="utf-8")
        (rec / "commands.json").write_text(json.dumps([c for c, _ in calls]), encoding="utf-8")
    return {
        "seconds": seconds,
        "diagrams": done.diagrams,
        "rendered": len(report.rendered),
        "skipped": len(report.skipped),
        "graphviz_runs": len(first_pass) + len(report.rendered),
        "failed": len(report.failed) + len(done.failures),
        "peak_kb": _peak_kb(),
    }


def bare_dot(record: str) -> dict[str, Any]:
    """The floor: the same Graphviz commands on the same DOT texts, one after the other."""
    from qms.render import graphviz

    rec = Path(record)
    commands = json.loads((rec / "commands.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    for n, command in enumerate(commands):
        source = (rec / f"{n:05d}.dot").read_text(encoding="utf-8")
        fmt = next(c[2:] for c in command if c.startswith("-T"))
        graphviz.run([c for c in command if not c.startswith("-T")], source, fmt)
    return {"seconds": time.perf_counter() - start, "graphviz_runs": len(commands)}


def import_bpmn(path: str, out: str) -> dict[str, Any]:
    """What `qms import bpmn` does, through the library: read, convert, validate, write."""
    start = time.perf_counter()
    from qms.bpmn.import_ import import_files, write_files

    result = import_files([path], "bench")
    written = write_files(result, out, force=True)
    return {"seconds": time.perf_counter() - start, "files": len(written), "peak_kb": _peak_kb()}


def main(argv: list[str]) -> None:
    """`python -m bench._child MODE ARGS...`."""
    mode, *args = argv
    functions: dict[str, Callable[..., dict[str, Any]]] = {
        "validate": validate,
        "bare-yaml": bare_yaml,
        "render": render,
        "bare-dot": bare_dot,
        "import-bpmn": import_bpmn,
    }
    print(json.dumps(functions[mode](*args)))


if __name__ == "__main__":
    main(sys.argv[1:])
