"""Library-level steps of the benchmark, each in a fresh interpreter, printed as a JSON line.

The timed figures of `make bench` come from the commands users run (bench/measure.py); what
runs here is either untimed preparation (`record`: the Graphviz inputs of a render, for the
floor in bench/floors.py) or something no command does alone (`serve`: a `qms serve` rebuild
after one edit; `import-bpmn`: one import of a generated file).
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


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def record(root: str, folder: str) -> dict[str, Any]:
    """Write the DOT texts `qms render` hands to Graphviz on a cold run, and their commands.

    The views, first passes and jobs are made by the same functions `qms render` calls
    (qms.render.views and prepare), with the same de-duplication of first passes; only the
    order of Graphviz runs differs, which a serial floor does not care about.
    """
    from qms.index import Index
    from qms.publish import Publication
    from qms.render import prepare, views
    from qms.render.layout import run_dot_json

    pub = Publication.one_shot(root)
    ws = pub.workspace
    assert ws is not None
    first: list[str] = []

    def run(source: str) -> str:
        first.append(source)
        return run_dot_json(source)

    done = prepare(views(ws, Index.build(ws), pub.language), {}, run)
    calls = [(["dot", "-Tjson"], s) for s in first]
    calls += [([*j.program, "-Tsvg"], j.source) for j in done.jobs]
    rec = Path(folder)
    rec.mkdir(parents=True, exist_ok=True)
    for n, (_, source) in enumerate(calls):
        (rec / f"{n:05d}.dot").write_text(source, encoding="utf-8")
    (rec / "commands.json").write_text(json.dumps([c for c, _ in calls]), encoding="utf-8")
    return {"graphviz_runs": len(calls), "diagrams": len(done.jobs), "first_passes": len(first)}


def serve(root: str) -> dict[str, Any]:
    """What `qms serve` does: build the portal in memory, then rebuild it after each kind of
    edit (bench/run.py EDITS); the rebuilds' times and CPU, one per edit, and what each
    rebuild made again (qms/memo.py: flows laid out, pages rendered)."""
    from bench.run import EDITS
    from qms.render.pool import cores
    from qms.serve import Site

    start = time.perf_counter()
    site = Site(root)
    state = site.rebuild(processes=cores())  # as `qms serve` starts
    first = time.perf_counter() - start
    if state.errors:
        raise RuntimeError(f"the first build failed: {state.errors[:3]}")
    runs = []
    for edit in EDITS.values():
        edit(Path(root), 0)
        cpu = _cpu()
        start = time.perf_counter()
        state = site.rebuild()
        runs.append(
            {
                "seconds": time.perf_counter() - start,
                "cpu": _cpu() - cpu,
                "errors": len(state.errors),
                "peak_kb": _peak_kb(),
                "made": dict(site.kept.last),
            }
        )
    return {"first": first, "runs": runs}


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
        "record": record,
        "serve": serve,
        "import-bpmn": import_bpmn,
    }
    print(json.dumps(functions[mode](*args)))


if __name__ == "__main__":
    main(sys.argv[1:])
