"""Diagrams of a workspace: views -> DOT text (pure) -> Graphviz (engine).

`diagram_jobs` turns a whole workspace into DOT jobs: every process flow (laid out in two
passes, see layout.py), every organisation's process map and the project's goal map. The
first pass of each flow is cached by the hash of its DOT, so a rebuild after editing one
process runs Graphviz for that process only.

`render_diagrams` is what `qms render` runs: it also keeps `.qms-diagrams.json`, a per-diagram
key (a digest of the diagram's view and of the render code), so that a diagram whose view is
unchanged and whose files the engine's manifest vouches for costs no layout and no DOT text.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import (
    Callable,
    Container,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from qms.files import (
    output_lock,
    read_cache,
    refuse_clashes,
    refuse_links,
    staged_folder,
    write_atomic,
)
from qms.index import Index
from qms.load import gc_paused
from qms.memo import Memo
from qms.model import Workspace
from qms.render import graphviz, pool
from qms.render.cache import (
    DIAGRAM_CACHE,
    Entry,
    Given,
    Rendered,
    code_digest,
    dump_diagram_cache,
    files_current,
    flow_inputs,
    load_diagram_cache,
    view_key,
    with_inputs,
)
from qms.render.dot import goal_map, order_source, process_flow, process_map
from qms.render.engine import (
    MANIFEST,
    DotJob,
    RenderReport,
    is_current,
    load_manifest,
    render_all,
    save_manifest,
)
from qms.render.layout import (
    Ranks,
    SwimlaneLayout,
    TooManySteps,
    check_size,
    compute,
    ranks_from_json,
    run_dot_json,
)
from qms.render.pool import sound_ranks
from qms.views import (
    GOAL_MAP,
    PROCESS_MAP,
    FlowView,
    GoalMapView,
    ProcessMapView,
    flow_view,
    goal_map_view,
    process_map_view,
)

PINNED = ("neato", "-n2")
"""Flows and process maps carry their own positions."""
LAYOUT_CACHE = ".qms-layout.json"

View = FlowView | ProcessMapView | GoalMapView


def load_ranks(out: str | os.PathLike[str]) -> dict[str, Ranks]:
    """The cached first-pass results in an output folder: empty when missing, broken or of
    the wrong shape. The file is untrusted input (anyone may have written the folder): only
    whole integers pass here, and `sound_ranks` checks each entry against its flow before use.
    """
    data = read_cache(Path(out) / LAYOUT_CACHE)
    if not isinstance(data, dict):
        return {}
    found: dict[str, Ranks] = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            continue
        ranks = {
            name: (pair[0], pair[1])
            for name, pair in value.items()
            if type(pair) is list
            and len(pair) == 2
            and type(pair[0]) is int  # not bool, not float
            and type(pair[1]) is int
        }
        if len(ranks) == len(value):
            found[key] = ranks
    return found


def dump_ranks(cache: MutableMapping[str, Ranks]) -> str:
    """The first-pass cache as stable JSON, one line per flow (json's C encoder per line: its
    indenting encoder is pure Python, 0.05 s for 1,000 flows on every render after an edit)."""
    lines = [
        f"{json.dumps(key)}: {json.dumps(dict(sorted(ranks.items())))}"
        for key, ranks in sorted(cache.items())
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"


def views(ws: Workspace, index: Index, lang: str, skip: Container[str] = frozenset()) -> list[View]:
    """What every diagram shows: flows by (organisation, process), process maps, goal map.

    The flows named in `skip` (<org>/<process>) are not built: `render_diagrams` knows from
    their inputs (`flow_inputs`) that they are as drawn last time.
    """
    return [make() for _, _, make in view_makers(ws, index, lang, skip)]


Maker = tuple[str, bool, Callable[[], View]]
"""A diagram's name, whether it is a flow, and what builds its view."""


def view_makers(
    ws: Workspace, index: Index, lang: str, skip: Container[str] = frozenset()
) -> list[Maker]:
    """`views` not yet built: each diagram's name (what its view's `name` will be) and a
    function that builds the view. A cold `qms render` checks the names before any work and
    then builds each flow's view as the layout workers ask for it (`prepare`'s `flows`), so
    that they lay out while the rest are built."""
    found: list[Maker] = [
        (f"{org}/{pid}", True, partial(flow_view, index, p, lang))
        for (org, pid), p in sorted(index.processes.items())
        if f"{org}/{pid}" not in skip
    ]
    owners = {o for o, _ in index.processes}
    for org_id, org in index.organisations.items():
        # One map per organisation: a second file declaring the same id (QMS003) would
        # draw a second picture into the same file, the last one written winning.
        if org.process_map or org_id in owners:
            name = f"{org_id}/{PROCESS_MAP}"
            found.append((name, False, partial(process_map_view, index, org, lang)))
    if ws.projects:
        found.append((GOAL_MAP, False, partial(goal_map_view, ws, index, lang)))
    return found


@dataclass
class Prepared:
    """DOT jobs for some views: what `build_jobs` made."""

    views: list[View]
    jobs: list[DotJob]
    failures: list[tuple[str, str]]
    """(diagram, message) for flows whose first pass Graphviz refused."""
    layouts: dict[str, str]
    """Flow -> the key of its first pass in the layout cache (`.qms-layout.json`)."""
    ranks: Mapping[str, Ranks]
    """The layout cache the flows were laid out from (with the first passes added)."""


layout_passes = 0
"""Flows placed (`layout.compute`) by this interpreter: tests count one per flow per build."""


def build_jobs(
    selected: Sequence[View],
    ranks_cache: MutableMapping[str, Ranks],
    run: Callable[[str], str] = run_dot_json,
) -> tuple[list[DotJob], list[tuple[str, str]]]:
    """DOT jobs for the given views (first passes of flows from `ranks_cache` or Graphviz),
    and (diagram, message) for flows dot refused."""
    done = prepare(selected, ranks_cache, run)
    return done.jobs, done.failures


def prepare(
    selected: Iterable[View],
    ranks_cache: MutableMapping[str, Ranks],
    run: Callable[[str], str] = run_dot_json,
    processes: int = 1,
    kept: Memo | None = None,
    meanwhile: Callable[[], object] | None = None,
    flows: int | None = None,
) -> Prepared:
    """Lay out every flow of `selected` once (first passes from `ranks_cache`, else Graphviz,
    added to the cache) and build the DOT job of every view.

    With `processes` > 1 and many flows, the flows are laid out in forked worker processes
    (qms/render/pool.py), with the same result. `kept` (`qms serve`'s memo) holds the DOT
    texts of an earlier build by `view_key`: a view whose key is there is not laid out again.
    `meanwhile` is run in this process while the workers lay out (its CPU is otherwise idle).

    `flows` (without `kept`) says how many flows `selected` holds at most: `selected` may then
    be an iterator that builds each view when it is asked for, and the flows go to the workers
    chunk by chunk as they come, so that the workers lay out while this process builds the
    rest (a cold national render spent 3.5 s building and sending 9,151 views before any
    worker began). Without it, every view is taken first and the workers get the flows left.
    """
    global layout_passes
    cache = ranks_cache
    failures: list[tuple[str, str]] = []
    laid: list[FlowView] = []
    """The flows to lay out, in order."""
    seen: list[View] = []
    known: dict[str, tuple[str, DotJob]] = {}
    """View name -> (first-pass key, DOT job) found in `kept`."""
    keys: dict[str, str] = {}
    if flows is None or kept is not None:
        selected = list(selected)  # `twice` below, and the flows counted before any is sent
    code = code_digest() if kept is not None else ""
    twice = {n for n, c in Counter(v.name for v in selected).items() if c > 1} if code else set()

    def to_lay_out() -> Iterator[FlowView]:
        for v in selected:
            seen.append(v)
            if code and kept is not None and v.name not in twice:  # as in `_render`
                keys[v.name] = view_key(v, code)
                found = kept.find("dot", keys[v.name])
                if found is not None:
                    known[v.name] = found
                    continue
            if isinstance(v, FlowView):
                try:
                    check_size(v)  # refused up front: not even the first pass runs
                except TooManySteps as err:
                    failures.append((v.name, err.message(v.lang)))
                    continue
                laid.append(v)
                yield v

    coming: Iterator[FlowView] = to_lay_out()
    if flows is None or kept is not None:
        flows = sum(1 for _ in coming)  # all taken now: the workers get the flows left
        coming = iter(laid)
    count = pool.workers(processes, flows) if run is run_dot_json else 0
    futures = pool.lay_out(coming, cache, count, flows) if count else []
    try:  # the layout workers are wound down whatever happens meanwhile
        for _ in coming:  # no workers: every view is still taken
            pass
        jobs: list[DotJob] = []
        for other in seen:  # meanwhile, if the workers have the flows
            if other.name in known:
                continue
            if isinstance(other, ProcessMapView):
                jobs.append(DotJob(other.name, process_map(other), PINNED))
            elif isinstance(other, GoalMapView):
                jobs.append(DotJob(other.name, goal_map(other)))
        if futures and meanwhile is not None:
            meanwhile()
        if futures:
            outcomes: list[pool.Outcome] = []
            for future in futures:
                new, part = future.result()
                cache.update(new)
                outcomes += part
        else:
            outcomes = _lay_out_here(laid, cache, run)
    finally:
        if futures:
            pool.wind_down()
    for view, (key, dot, error) in zip(laid, outcomes, strict=True):
        if dot is None:
            cache.pop(key, None)  # an entry found unsound and not made again
            failures.append((view.name, error or "dot -Tjson failed"))
            continue
        layout_passes += 1
        jobs.append(DotJob(view.name, dot, PINNED))
    layouts = {view.name: key for view, (key, _, _) in zip(laid, outcomes, strict=True)}
    if kept is not None:
        for job in jobs:
            if job.name in keys:
                kept.put("dot", keys[job.name], (layouts.get(job.name, ""), job))
        for layout, job in known.values():
            jobs.append(job)
            if layout:
                layouts[job.name] = layout
    jobs.sort(key=lambda j: j.name)
    return Prepared(seen, jobs, failures, layouts, cache)


def _lay_out_here(
    flows: Sequence[FlowView], cache: MutableMapping[str, Ranks], run: Callable[[str], str]
) -> list[pool.Outcome]:
    """Lay out flows in this process: first passes (batched, one Graphviz process per core),
    then each flow's layout and DOT text."""
    sources = [order_source(v) for v in flows]
    keys = [pool.first_pass_key(s) for s in sources]
    for view, key in zip(flows, keys, strict=True):
        if key in cache and not sound_ranks(cache[key], {s.id for s in view.steps}):
            del cache[key]  # on doubt, lay it out again
    missing = sorted({k: s for k, s in zip(keys, sources, strict=True) if k not in cache}.items())

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

        def first_passes(batch: list[tuple[str, str]]) -> list[bytes | graphviz.GraphvizError]:
            return graphviz.run_batch(("dot",), [src for _, src in batch], "json")

        with ThreadPoolExecutor(max_workers=workers) as threads:
            for batch, docs in zip(batches, threads.map(first_passes, batches), strict=True):
                pool.read_first_passes(batch, docs, cache, errors)
    else:
        with ThreadPoolExecutor(max_workers=workers) as threads:
            for key, result in threads.map(first_pass, missing):
                if isinstance(result, dict):
                    cache[key] = result
                else:
                    errors[key] = result
    return [
        (key, process_flow(view, compute(view, cache[key])), None)
        if key in cache
        else (key, None, errors.get(key, "dot -Tjson failed"))
        for view, key in zip(flows, keys, strict=True)
    ]


def diagram_jobs(
    ws: Workspace,
    lang: str,
    ranks_cache: MutableMapping[str, Ranks] | None = None,
    run: Callable[[str], str] = run_dot_json,
) -> tuple[list[DotJob], list[tuple[str, str]]]:
    """Every diagram of the workspace as DOT, and (diagram, message) for flows dot refused."""
    cache: MutableMapping[str, Ranks] = {} if ranks_cache is None else ranks_cache
    with gc_paused():  # millions of model objects, few cycles: see qms.load.gc_paused
        return build_jobs(views(ws, Index.build(ws), lang), cache, run)


def layout_flow(
    view: FlowView, run: Callable[[str], str] = run_dot_json, fold: bool = True
) -> SwimlaneLayout:
    """Order the steps with `dot` (via `run`), then lay out the lanes (folded unless told);
    TooManySteps beyond `layout.MAX_STEPS`, before any work."""
    check_size(view)
    return compute(view, ranks_from_json(run(order_source(view))), fold=fold)


def render_diagrams(
    ws: Workspace,
    lang: str,
    out: str | os.PathLike[str],
    formats: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    run: Callable[[str], str] = run_dot_json,
    workers: int | None = None,
    prepared: Prepared | None = None,
    processes: int = 1,
    meanwhile: Callable[[], object] | None = None,
    text: Callable[[str], str | None] | None = None,
    given: Given | None = None,
) -> Rendered:
    """Draw every diagram of `ws` into `out`, skipping the Python work of unchanged ones.

    A diagram is skipped outright when its key (`view_key`) equals the one recorded in
    `.qms-diagrams.json` and the engine's manifest says each requested file was drawn from
    the DOT text that key produced and is still there unchanged. Everything else goes through
    `prepare` and `render_all`; `prepared` gives jobs already made for every view (by
    `qms build`, whose manuals need them all), so that no flow is laid out twice; `processes`
    lets `prepare` lay the flows out in worker processes (one-shot commands only), while this
    process runs `meanwhile` (the rules whose findings the terminal reports).

    `given` replaces the views of the whole workspace by those of a render after an edit
    (`ws` is then only the part loaded).

    Keys that no diagram uses any more are dropped from both caches, and the files of a
    diagram that no longer exists (a deleted process) are deleted when the manifest vouches
    that qms wrote them and nobody changed them since. Raises GraphvizMissing (a
    FileNotFoundError) when Graphviz is needed and not installed.
    """
    # Millions of model objects are alive and few cycles are made: without the cyclic
    # collector paused, collections walking the model cost more than the work itself.
    with gc_paused(), output_lock(Path(out), lang):
        return _render(
            ws,
            lang,
            Path(out),
            formats,
            progress,
            run,
            workers,
            prepared,
            processes,
            meanwhile,
            text,
            given,
        )


def _render(
    ws: Workspace,
    lang: str,
    root: Path,
    formats: Sequence[str],
    progress: Callable[[int, int], None] | None,
    run: Callable[[str], str],
    workers: int | None,
    prepared: Prepared | None,
    processes: int,
    meanwhile: Callable[[], object] | None = None,
    text: Callable[[str], str | None] | None = None,
    given: Given | None = None,
) -> Rendered:
    entries = load_diagram_cache(root)
    fresh = not entries and given is None and prepared is None and run is run_dot_json
    if fresh and pool.workers(processes, len(ws.processes)):  # every flow goes to workers
        pool.start_server()
    manifest = load_manifest(root)
    code = code_digest()
    inputs: dict[str, str] = {}
    reused: list[str] = []
    streamed: int | None = None
    """With no diagram cache every diagram is stale before its view exists: the views are then
    built as `prepare` takes them, and this many are flows."""
    made: Iterable[View]
    if given is not None:
        made, reused, inputs = given.views, list(given.reused), dict(given.inputs)
        names = [v.name for v in given.views]
    elif prepared:
        made = prepared.views
        names = [v.name for v in prepared.views]
    else:
        index = Index.build(ws)
        inputs = flow_inputs(ws, index, lang, text) if text and code else {}
        # Flows whose inputs are as recorded need no view at all (most of a render after
        # one edit): their entry, and the manifest, vouch for their files.
        reused = [
            name
            for name, digest in inputs.items()
            if (entry := entries.get(name))
            and entry.inputs == digest
            and files_current(root, manifest, name, entry, formats)
        ]
        makers = view_makers(ws, index, lang, skip=set(reused))
        names = [name for name, _, _ in makers]
        made = (make() for _, _, make in makers)
        if not entries:
            streamed = sum(flow for _, flow, _ in makers)
    names += reused
    refuse_clashes((f"{n}.{fmt}" for n in names for fmt in formats), lang)
    # A name drawn twice is never cached: which of the two ends up in the file is not the
    # cache's to decide (generated names start with '_', which ids cannot, so this is a
    # safeguard).
    counts = Counter(names)
    keys: dict[str, str] = {}
    stale: list[View] = []
    current: list[str] = list(reused)

    def sort_out() -> Iterator[View]:
        """The views keyed, and the stale ones passed on (and kept in `stale`)."""
        for view in made:
            if code and counts[view.name] == 1:
                keys[view.name] = view_key(view, code)
            entry = entries.get(view.name)
            key = keys.get(view.name)
            if (
                entry
                and entry.key == key
                and files_current(root, manifest, view.name, entry, formats)
            ):
                current.append(view.name)
            else:
                stale.append(view)
                yield view

    if streamed is None:
        picked: Iterable[View] = list(sort_out())
        flows = any(isinstance(v, FlowView) for v in stale)
    else:
        picked = sort_out()
        flows = streamed > 0
    # The first-pass cache is big (every flow's ranks): read only when a flow needs it.
    ranks = load_ranks(root) if flows and prepared is None else {}
    on_disk = dict(ranks)
    if prepared is None:
        done = prepare(picked, ranks, run, processes, meanwhile=meanwhile, flows=streamed)
    else:
        wanted = {v.name for v in stale}
        done = Prepared(
            stale,
            [j for j in prepared.jobs if j.name in wanted],
            [f for f in prepared.failures if f[0] in wanted],
            prepared.layouts,
            prepared.ranks,
        )
    jobs, failures = done.jobs, done.failures

    def write(target: Path) -> RenderReport:
        """Draw the stale diagrams and keep the caches, in `target` (the folder's files count
        as drawn from `root`)."""
        nonlocal on_disk
        if jobs or not manifest:
            report = render_all(
                jobs,
                target,
                formats,
                progress=progress,
                workers=workers,
                current=root,
                spawn=pool.workers(processes, len(jobs)) > 0,
            )
        else:
            report = RenderReport()
        failed = {n for n, _ in failures} | {n for n, _, _ in report.failed}
        # A current flow's entry takes today's inputs: its view (built, or vouched for by
        # its inputs) is the one drawn.
        kept = {n: with_inputs(entries[n], inputs.get(n, "")) for n in current}
        for job in jobs:
            key = keys.get(job.name)
            if key is None or job.name in failed:
                continue
            old = entries.get(job.name)
            files = dict(old.files) if old and old.key == key else {}
            files.update((fmt, report.keys[f"{job.name}.{fmt}"]) for fmt in formats)
            kept[job.name] = Entry(
                key, files, done.layouts.get(job.name, ""), inputs.get(job.name, "")
            )
        if flows or set(entries) - set(kept):
            # Keep the first passes of today's flows only (those of current diagrams, which
            # their entries name, and those just made): yesterday's flows would only grow it.
            if prepared is not None or not flows:
                on_disk = load_ranks(root)
            source = {**on_disk, **done.ranks}
            used = {e.layout for e in kept.values()} | set(done.layouts.values())
            live = {k: source[k] for k in sorted(used) if k in source}
            if live != on_disk:
                write_atomic(target / LAYOUT_CACHE, dump_ranks(live).encode("utf-8"))
        if kept != entries or not (root / DIAGRAM_CACHE).exists():
            write_atomic(target / DIAGRAM_CACHE, dump_diagram_cache(kept).encode("utf-8"))
        return report

    if jobs or not manifest:
        # A set of diagrams is replaced as a whole: drawn into a staging folder inside the
        # output folder and swapped in only when everything is written (a full disk or a
        # killed Graphviz changes nothing).
        refuse_links(root, (f"{n}.{fmt}" for n in names for fmt in formats), lang)
        with staged_folder(root, lang, keep=(MANIFEST, LAYOUT_CACHE, DIAGRAM_CACHE)) as stage:
            report = write(stage)
    else:
        report = write(root)
    report.skipped = sorted(report.skipped + [f"{n}.{f}" for n in current for f in formats])
    _remove_orphans(root, load_manifest(root) if jobs else manifest, set(names))
    return Rendered(report, failures, jobs, len(names))


def _remove_orphans(root: Path, manifest: dict[str, str], names: set[str]) -> None:
    """Delete the files of diagrams that no longer exist (a deleted or renamed process).

    Only files the manifest says the engine wrote, unchanged since (same size and time), are
    deleted; the manifest forgets them either way. Files qms did not write are never touched.
    """
    orphans = [rel for rel in manifest if rel.rsplit(".", 1)[0] not in names]
    if not orphans:
        return
    for rel in orphans:
        stamp = manifest.pop(rel)
        if is_current(root, {rel: stamp}, rel, stamp.split(" ", 1)[0]):
            (root / rel).unlink(missing_ok=True)
            _prune_folders(root, (root / rel).parent)
    save_manifest(root, manifest)


def _prune_folders(root: Path, folder: Path) -> None:
    """Remove folders left empty below `root` (an organisation whose processes all went)."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
