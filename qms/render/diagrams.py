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

import dataclasses
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
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
from qms.load import code_digest as code_digest_of
from qms.load import gc_paused, source_digest
from qms.memo import Memo
from qms.model import Workspace
from qms.render import graphviz, pool
from qms.render.dot import goal_map, order_source, process_flow, process_map
from qms.render.engine import (
    MANIFEST,
    DotJob,
    RenderReport,
    cache_key,
    graphviz_version,
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
DIAGRAM_CACHE = ".qms-diagrams.json"
"""Per diagram: the key of what it shows, and the engine's cache key of each file drawn."""
DIAGRAM_CACHE_VERSION = 2

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
    found: list[View] = [
        flow_view(index, p, lang)
        for (org, pid), p in sorted(index.processes.items())
        if f"{org}/{pid}" not in skip
    ]
    owners = {o for o, _ in index.processes}
    for org_id, org in index.organisations.items():
        # One map per organisation: a second file declaring the same id (QMS003) would
        # draw a second picture into the same file, the last one written winning.
        if org.process_map or org_id in owners:
            found.append(process_map_view(index, org, lang))
    if ws.projects:
        found.append(goal_map_view(ws, index, lang))
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
    selected: Sequence[View],
    ranks_cache: MutableMapping[str, Ranks],
    run: Callable[[str], str] = run_dot_json,
    processes: int = 1,
    kept: Memo | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Prepared:
    """Lay out every flow of `selected` once (first passes from `ranks_cache`, else Graphviz,
    added to the cache) and build the DOT job of every view.

    With `processes` > 1 and many flows, the flows are laid out in forked worker processes
    (qms/render/pool.py), with the same result. `kept` (`qms serve`'s memo) holds the DOT
    texts of an earlier build by `view_key`: a view whose key is there is not laid out again.
    `meanwhile` is run in this process while the workers lay out (its CPU is otherwise idle).
    """
    global layout_passes
    cache = ranks_cache
    failures: list[tuple[str, str]] = []
    flows: list[FlowView] = []
    known: dict[str, tuple[str, DotJob]] = {}
    """View name -> (first-pass key, DOT job) found in `kept`."""
    keys: dict[str, str] = {}
    code = code_digest() if kept is not None else ""
    twice = {n for n, c in Counter(v.name for v in selected).items() if c > 1} if code else set()
    for v in selected:
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
            flows.append(v)
    count = pool.workers(processes, len(flows)) if run is run_dot_json else 0
    futures = pool.lay_out(flows, cache, count) if count else []
    jobs: list[DotJob] = []
    for other in selected:  # meanwhile, if the workers have the flows
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
        outcomes = _lay_out_here(flows, cache, run)
    for view, (key, dot, error) in zip(flows, outcomes, strict=True):
        if dot is None:
            cache.pop(key, None)  # an entry found unsound and not made again
            failures.append((view.name, error or "dot -Tjson failed"))
            continue
        layout_passes += 1
        jobs.append(DotJob(view.name, dot, PINNED))
    layouts = {view.name: key for view, (key, _, _) in zip(flows, outcomes, strict=True)}
    if kept is not None:
        for job in jobs:
            if job.name in keys:
                kept.put("dot", keys[job.name], (layouts.get(job.name, ""), job))
        for layout, job in known.values():
            jobs.append(job)
            if layout:
                layouts[job.name] = layout
    jobs.sort(key=lambda j: j.name)
    return Prepared(list(selected), jobs, failures, layouts, cache)


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


# --- the per-diagram cache -------------------------------------------------------------------


_HERE = Path(__file__).resolve().parent
RENDER_SOURCES = (*sorted(_HERE.glob("*.py")), _HERE.parent / "views.py")
"""The code that turns a view into a DOT text: qms/render/*.py and qms/views.py."""
_SOURCES = source_digest(RENDER_SOURCES, f"qms-diagrams {DIAGRAM_CACHE_VERSION}")
"""Read at import, so that the digest describes the code that runs, even if the files are
edited while a long render is under way."""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The render code's digest plus the graphviz library's and Graphviz's versions.

    Empty when a source file could not be read (e.g. a zipped install): then nothing is
    cached, since a code change could not be detected.
    """
    import graphviz

    if not _SOURCES:
        return ""
    versions = f"{_SOURCES}\0{getattr(graphviz, '__version__', '?')}\0{graphviz_version()}"
    return hashlib.sha256(versions.encode("utf-8")).hexdigest()


def view_key(view: View, code: str) -> str:
    """sha256 over the render code and the view's repr.

    A view is a frozen dataclass of strings, tuples and dicts whose repr lists every field
    (tests/render/test_incremental.py checks that no field hides from repr), and the DOT text
    is a pure function of the view, the first pass (itself a function of the view) and the
    code: so an equal key means an equal DOT text.
    """
    return hashlib.sha256(f"{code}\0{type(view).__name__}\0{view!r}".encode()).hexdigest()


@lru_cache(maxsize=1)
def package_digest() -> str:
    """sha256 over every file of the qms package (code, translations, data), or '' when one
    cannot be read: a flow's input digest holds only for the code that built its view from
    the files (the loader, the model, the views and their labels)."""
    here = Path(__file__).resolve().parent.parent
    files = []
    for folder, subfolders, names in os.walk(here):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        files += [Path(folder, n) for n in names]
    # The digest kept in the cache folder with each file's size, time and inode: the
    # package is read and hashed again only when one of them changed (qms.load.cache).
    return code_digest_of(sorted(files), "qms-package")


def flow_inputs(
    ws: Workspace, index: Index, lang: str, text: Callable[[str], str | None]
) -> dict[str, str]:
    """<org>/<process> -> a digest of everything its flow view reads, from the texts the
    loader read (`text(rel)`): the process's file, the files of its organisation (its
    roles, names and example marks; every file that declares the organisation, since roles
    are merged from all of them), qms.yaml, which file each process and organisation id was
    taken from (a call's link and which definition wins), the language and the code.

    A flow whose digest equals the one recorded when it was drawn has the same view, so
    `render_diagrams` neither builds nor compares it. A flow whose file text is unknown gets
    no digest (it is always built). tests/render/test_incremental.py edits every kind of
    input at random and compares with a render into an empty folder.
    """
    settings = text(ws.settings.source)
    common = inputs_common(lang, ids_digest(ws, index), settings)
    if common is None:
        return {}
    orgs = organisation_files(ws)
    found: dict[str, str] = {}
    for (org, pid), process in index.processes.items():
        digest = flow_digest(common, [process.source, *orgs.get(org, [])], text)
        if digest is not None:
            found[f"{org}/{pid}"] = digest
    return found


def organisation_files(ws: Workspace) -> dict[str, list[str]]:
    """Organisation id -> every file declaring it, in the loader's order."""
    orgs: dict[str, list[str]] = {}
    for declared in ws.organisations:
        orgs.setdefault(declared.id, []).append(declared.source)
    return orgs


def ids_digest(ws: Workspace, index: Index) -> str:
    """A digest of which file each organisation and process id was taken from."""
    orgs = organisation_files(ws)
    listed = [sorted(orgs.items()), [[*k, p.source] for k, p in sorted(index.processes.items())]]
    return hashlib.sha256(json.dumps(listed).encode()).hexdigest()


def inputs_common(lang: str, ids: str, settings: str | None) -> hashlib._Hash | None:
    """The part of every flow's `flow_inputs` digest that all flows share (code, language,
    ids, qms.yaml); None when the code or the settings' text is unknown (no digest)."""
    code = package_digest()
    if not code or settings is None:
        return None
    common = hashlib.sha256(f"{code}\0{code_digest()}\0{lang}\0".encode())
    common.update(bytes.fromhex(ids))
    common.update(hashlib.sha256(settings.encode()).digest())
    return common


def flow_digest(
    common: hashlib._Hash, rels: Iterable[str], text: Callable[[str], str | None]
) -> str | None:
    """One flow's `flow_inputs` digest from the texts of its files (its process's, then its
    organisation's); None when one of them is unknown."""
    h = common.copy()
    for rel in rels:
        content = text(rel)
        if content is None:
            return None
        h.update(f"{rel}\0".encode() + hashlib.sha256(content.encode()).digest())
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    """A diagram's key and, per format, the engine cache key of the file drawn from it."""

    key: str
    files: Mapping[str, str]
    layout: str = ""
    """A flow's key in the layout cache, so that keys no diagram uses can be dropped."""
    inputs: str = ""
    """A flow's `flow_inputs` digest when it was drawn ('' for other diagrams)."""


def load_diagram_cache(out: str | os.PathLike[str]) -> dict[str, Entry]:
    """The per-diagram cache of an output folder; empty when missing, broken or of another
    version (a miss only costs time)."""
    try:
        data = read_cache(Path(out) / DIAGRAM_CACHE)
        if data.get("version") != DIAGRAM_CACHE_VERSION:
            return {}
        entries: dict[str, Entry] = {}
        for name, value in data["diagrams"].items():
            key, files, layout = value["key"], value["files"], value.get("layout", "")
            inputs = value.get("inputs", "")
            if (
                isinstance(key, str)
                and isinstance(layout, str)
                and isinstance(inputs, str)
                and all(isinstance(f, str) and isinstance(k, str) for f, k in files.items())
            ):
                entries[str(name)] = Entry(key, dict(files), layout, inputs)
        return entries
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def dump_diagram_cache(entries: Mapping[str, Entry]) -> str:
    """Stable JSON: hashes only, one line per diagram of the last run (json's C encoder per
    line: its indenting encoder is pure Python, ten times slower on 9,000 entries)."""
    lines = [
        f"{json.dumps(name)}: "
        + json.dumps(
            {"files": dict(e.files), "key": e.key, "layout": e.layout}
            | ({"inputs": e.inputs} if e.inputs else {}),
            sort_keys=True,
        )
        for name, e in sorted(entries.items())
    ]
    body = "\n" + ",\n".join(lines) + "\n" if lines else ""
    return f'{{"version": {DIAGRAM_CACHE_VERSION}, "diagrams": {{{body}}}}}\n'


@dataclass
class Given:
    """What a render after an edit knows without the whole workspace (qms/render/warm.py)."""

    views: list[View]
    """The views to draw or compare by key: the edited flows'."""
    reused: list[str]
    """Every other diagram, vouched for by its entry, the manifest and unchanged inputs."""
    inputs: dict[str, str]
    """Every flow's `flow_inputs` digest, as a full render would record it."""


@dataclass
class Rendered:
    """What `render_diagrams` did."""

    report: RenderReport
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(diagram, message) for flows whose first pass Graphviz refused."""
    jobs: list[DotJob] = field(default_factory=list)
    """The diagrams whose DOT was built this run (the others were current)."""
    diagrams: int = 0
    """Every diagram of the workspace."""


def _with_inputs(entry: Entry, inputs: str) -> Entry:
    """`entry` with today's inputs digest (itself when unchanged: a render after an edit
    keeps a thousand entries as they were)."""
    return entry if entry.inputs == inputs else dataclasses.replace(entry, inputs=inputs)


def _current(
    root: Path, manifest: Mapping[str, str], name: str, entry: Entry, formats: Iterable[str]
) -> bool:
    """True when the manifest vouches for every requested file drawn from `entry`."""
    for fmt in formats:
        key = entry.files.get(fmt)
        if key is None or not is_current(root, manifest, f"{name}.{fmt}", key):
            return False
    return True


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
    manifest = load_manifest(root)
    code = code_digest()
    inputs: dict[str, str] = {}
    reused: list[str] = []
    if given is not None:
        all_views, reused, inputs = given.views, list(given.reused), dict(given.inputs)
    elif prepared:
        all_views = prepared.views
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
            and _current(root, manifest, name, entry, formats)
        ]
        all_views = views(ws, index, lang, skip=set(reused))
    names = [*(v.name for v in all_views), *reused]
    refuse_clashes((f"{n}.{fmt}" for n in names for fmt in formats), lang)
    # A name drawn twice is never cached: which of the two ends up in the file is not the
    # cache's to decide (generated names start with '_', which ids cannot, so this is a
    # safeguard).
    counts = Counter(names)
    keys = {v.name: view_key(v, code) for v in all_views if code and counts[v.name] == 1}
    stale: list[View] = []
    current: list[str] = list(reused)
    for view in all_views:
        entry = entries.get(view.name)
        key = keys.get(view.name)
        if entry and entry.key == key and _current(root, manifest, view.name, entry, formats):
            current.append(view.name)
        else:
            stale.append(view)
    # The first-pass cache is big (every flow's ranks): read only when a flow needs it.
    flows = any(isinstance(v, FlowView) for v in stale)
    ranks = load_ranks(root) if flows and prepared is None else {}
    on_disk = dict(ranks)
    if prepared is None:
        done = prepare(stale, ranks, run, processes, meanwhile=meanwhile)
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
        kept = {n: _with_inputs(entries[n], inputs.get(n, "")) for n in current}
        for job in jobs:
            key = keys.get(job.name)
            if key is None or job.name in failed:
                continue
            old = entries.get(job.name)
            files = dict(old.files) if old and old.key == key else {}
            files.update((fmt, cache_key(job, fmt)) for fmt in formats)
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
