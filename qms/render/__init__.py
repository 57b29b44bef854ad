"""Diagrams of a workspace: views -> DOT text (pure) -> Graphviz (engine).

`diagram_jobs` turns a whole workspace into DOT jobs: every process flow (laid out in two
passes, see layout.py), every organisation's process map and the project's goal map. The
first pass of each flow is cached by the hash of its DOT, so a rebuild after editing one
process runs Graphviz for that process only.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qms.index import Index
from qms.model import Workspace
from qms.render.dot import goal_map, order_source, process_flow, process_map
from qms.render.engine import DotJob
from qms.render.layout import (
    Ranks,
    compute,
    ranks_from_json,
    run_dot_json,
    run_dot_json_batch,
)
from qms.views import flow_view, goal_map_view, process_map_view

PINNED = ("neato", "-n2")
"""Flows and process maps carry their own positions."""
LAYOUT_CACHE = ".qms-layout.json"


def load_ranks(out: str | os.PathLike[str]) -> dict[str, Ranks]:
    """The cached first-pass results in an output folder (empty when missing or broken)."""
    try:
        data = json.loads((Path(out) / LAYOUT_CACHE).read_text(encoding="utf-8"))
        return {k: {n: (int(c), int(o)) for n, (c, o) in v.items()} for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def dump_ranks(cache: MutableMapping[str, Ranks]) -> str:
    """The first-pass cache as stable JSON."""
    return json.dumps(dict(sorted(cache.items())), sort_keys=True, indent=0) + "\n"


def diagram_jobs(
    ws: Workspace,
    lang: str,
    ranks_cache: MutableMapping[str, Ranks] | None = None,
    run: Callable[[str], str] = run_dot_json,
) -> tuple[list[DotJob], list[tuple[str, str]]]:
    """Every diagram of the workspace as DOT, and (diagram, message) for flows dot refused."""
    cache: MutableMapping[str, Ranks] = {} if ranks_cache is None else ranks_cache
    index = Index.build(ws)
    views = [flow_view(index, p, lang) for (_, _), p in sorted(index.processes.items())]
    sources = [order_source(v) for v in views]
    keys = [hashlib.sha256(s.encode("utf-8")).hexdigest() for s in sources]
    missing = sorted({k: s for k, s in zip(keys, sources, strict=True) if k not in cache}.items())
    failures: list[tuple[str, str]] = []

    def first_pass(item: tuple[str, str]) -> tuple[str, Ranks | str]:
        key, source = item
        try:
            return key, ranks_from_json(run(source))
        except (RuntimeError, ValueError, OSError) as err:
            return key, str(err)

    errors: dict[str, str] = {}
    workers = os.cpu_count() or 1
    if run is run_dot_json and missing:
        # One Graphviz process per core for all first passes: start-up dominates small flows.
        size = -(-len(missing) // workers)
        batches = [missing[i : i + size] for i in range(0, len(missing), size)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outputs = pool.map(lambda b: run_dot_json_batch([src for _, src in b]), batches)
            for batch, docs in zip(batches, outputs, strict=True):
                for (key, _), doc in zip(batch, docs, strict=True):
                    if doc.startswith("!error "):
                        errors[key] = doc.removeprefix("!error ")
                        continue
                    try:
                        cache[key] = ranks_from_json(doc)
                    except ValueError as err:
                        errors[key] = str(err)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for key, result in pool.map(first_pass, missing):
                if isinstance(result, dict):
                    cache[key] = result
                else:
                    errors[key] = result
    jobs: list[DotJob] = []
    for view, key in zip(views, keys, strict=True):
        if key not in cache:
            failures.append((view.name, errors.get(key, "dot -Tjson failed")))
            continue
        jobs.append(DotJob(view.name, process_flow(view, compute(view, cache[key])), PINNED))
    for org in ws.organisations:
        if org.process_map or any(o == org.id for o, _ in index.processes):
            pm = process_map_view(index, org, lang)
            jobs.append(DotJob(pm.name, process_map(pm), PINNED))
    if ws.projects:
        gm = goal_map_view(ws, index, lang)
        jobs.append(DotJob(gm.name, goal_map(gm)))
    return sorted(jobs, key=lambda j: j.name), failures
