"""Render's own Python work on every core: flows laid out and written as DOT in worker processes.

Laying out a flow (dot's first pass, then qms's folding and routing in `layout.compute`) and
writing its DOT text (`dot.process_flow`) is most of a cold `qms render`'s CPU time. Threads
cannot share it out (the interpreter runs one thread of Python at a time), so `lay_out` starts
worker processes: each gets the first-pass cache once, then chunks of flows (their views, a
few KB each), lays each chunk out (running dot's first pass for the chunk in one Graphviz
process) and sends back only text. The results are exactly those of the serial path, which
the tests compare.

The workers come from a fork server (`multiprocessing`'s "forkserver": a fresh interpreter
that has imported the layout code), not from a fork of the command itself: a worker forked
from a process holding a national model (0.8 GB) copies the pages it touches, and laying out
thousands of flows touches most of them (every allocation lands in a free slot of the parent's
heap), so two workers doubled the memory of `qms render`. Only on Linux, only for one-shot
commands and only when there are enough flows for the workers' start to pay.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from qms.render import graphviz
from qms.render.dot import order_source, process_flow
from qms.render.layout import Ranks, compute, ranks_from_json
from qms.views import FlowView

if TYPE_CHECKING:
    import concurrent.futures
    import multiprocessing.context

T = TypeVar("T")
R = TypeVar("R")

MIN_FLOWS = 64
"""Fewer flows than this are laid out in the calling process: starting workers would cost
more than it saves."""
CHUNK = 48
"""Flows per task: small enough to keep every worker busy to the end, large enough that one
dot process per chunk for the first passes is cheap."""

Outcome = tuple[str, str | None, str | None]
"""Per flow: (first-pass key, DOT text or None, dot's message when the first pass failed)."""

_CACHE: Mapping[str, Ranks] = {}
"""The first-pass cache, in a worker: sent once, when the worker starts."""


def workers(processes: int, flows: int) -> int:
    """How many worker processes to use: 0 means lay out in this process."""
    if processes < 2 or flows < MIN_FLOWS or not sys.platform.startswith("linux"):
        return 0
    import multiprocessing  # here: a render after an edit lays out in this process

    if not {"fork", "forkserver"} <= set(multiprocessing.get_all_start_methods()):
        return 0  # pragma: no cover - Linux has both
    return processes


def sound_ranks(ranks: Ranks, steps: set[str]) -> bool:
    """True when `ranks` could be what `ranks_from_json` made for a flow of `steps`: the same
    step ids, columns 0..n-1 all used, and in each column the orders 0..m-1. Anything else (a
    crafted or stale cache) would index past the layout's lists or make it enormous."""
    if set(ranks) != steps:
        return False
    columns: dict[int, list[int]] = {}
    for pair in ranks.values():
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(type(v) is int for v in pair)):
            return False
        columns.setdefault(pair[0], []).append(pair[1])
    return sorted(columns) == list(range(len(columns))) and all(
        sorted(orders) == list(range(len(orders))) for orders in columns.values()
    )


def first_pass_key(source: str) -> str:
    """The key of a flow's first pass in the layout cache: the sha256 of its DOT."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def read_first_passes(
    missing: Sequence[tuple[str, str]],
    docs: Sequence[bytes | graphviz.GraphvizError],
    into: MutableMapping[str, Ranks],
    errors: dict[str, str],
) -> None:
    """Read dot's `-Tjson` outputs for the (key, source) pairs `missing` into the first-pass
    cache `into`; where dot failed, or wrote what cannot be read, its message into `errors`."""
    for (key, _), doc in zip(missing, docs, strict=True):
        if isinstance(doc, graphviz.GraphvizError):
            errors[key] = doc.message
            continue
        try:
            into[key] = ranks_from_json(doc.decode("utf-8"))
        except ValueError as err:
            errors[key] = str(err)


def _start(cache: Mapping[str, Ranks]) -> None:
    """A worker's start: keep the first-pass cache."""
    global _CACHE
    _CACHE = cache


def _chunk(chunk: Sequence[FlowView]) -> tuple[dict[str, Ranks], list[Outcome]]:
    """Lay out flows in a worker: the new first passes and one outcome per flow."""
    cache = _CACHE
    sources = [order_source(v) for v in chunk]
    keys = [first_pass_key(s) for s in sources]
    known = {  # an unsound cached entry (crafted or stale) is laid out again
        key: cache[key]
        for view, key in zip(chunk, keys, strict=True)
        if key in cache and sound_ranks(cache[key], {s.id for s in view.steps})
    }
    missing = sorted({k: s for k, s in zip(keys, sources, strict=True) if k not in known}.items())
    new: dict[str, Ranks] = {}
    errors: dict[str, str] = {}
    if missing:
        docs = graphviz.run_batch(("dot",), [src for _, src in missing], "json")
        read_first_passes(missing, docs, new, errors)
    out: list[Outcome] = []
    for view, key in zip(chunk, keys, strict=True):
        ranks = known.get(key) or new.get(key)
        if ranks is None:
            out.append((key, None, errors.get(key, "dot -Tjson failed")))
        else:
            out.append((key, process_flow(view, compute(view, ranks)), None))
    return new, out


def server() -> multiprocessing.context.BaseContext:
    """The fork server's context, its interpreter preloaded with the layout code; the command
    waits for the server when it exits."""
    import multiprocessing

    global _WAITED
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    if not _WAITED:
        atexit.register(_stop_server)
        _WAITED = True
    return context


_WAITED = False


def start_server() -> None:
    """Start the fork server now, without waiting for it: its interpreter imports the layout
    code on the other core while this process builds the first views, instead of the first
    worker's start waiting for that (a cold render's first chunk did)."""
    from multiprocessing import forkserver

    server()
    forkserver.ensure_running()


def _stop_server() -> None:
    """Stop the fork server and wait for it: the CPU time of the workers it forked (and
    waited for) then counts as this command's, as it does for any child process, so that
    `bench.measure` and `time` see all of it."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # no public way (Python 3.11-3.13)
    if stop is not None:
        stop()


def lay_out(
    flows: Iterable[FlowView], cache: Mapping[str, Ranks], count: int, expected: int | None = None
) -> list[Future[tuple[dict[str, Ranks], list[Outcome]]]]:
    """Start laying out `flows` on `count` workers; one future per chunk, in order.

    `flows` may be an iterator that builds each flow's view when asked (`expected` says how
    many at most, for the chunks' size): each chunk is sent as soon as it is full, so the
    workers start on the first while the rest are built. The caller may do other work
    meanwhile and then read the futures, and then calls `wind_down`.
    """
    from concurrent.futures import ProcessPoolExecutor

    if expected is None:
        flows = list(flows)
        expected = len(flows)
    size = max(1, min(CHUNK, -(-expected // (count * 4))))
    pool = ProcessPoolExecutor(count, mp_context=server(), initializer=_start, initargs=(cache,))
    futures = []
    chunk: list[FlowView] = []
    try:
        for flow in flows:
            chunk.append(flow)
            if len(chunk) == size:
                futures.append(pool.submit(_chunk, chunk))
                chunk = []
        if chunk:
            futures.append(pool.submit(_chunk, chunk))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    _LAYING.append(pool)
    return futures


_LAYING: list[concurrent.futures.ProcessPoolExecutor] = []
"""The pools of `lay_out` not wound down yet."""


def wind_down() -> None:
    """Wait until the workers of `lay_out` have exited (their results read): Graphviz's
    workers start next, and a national render's memory was the sum of both sets for a
    moment (1.22 GiB instead of 0.99 GiB, once in two runs of `make bench`)."""
    while _LAYING:
        _LAYING.pop().shutdown(wait=True)


_MAP: tuple[Callable[[Any], Any], Sequence[Any]] = (lambda item: item, ())
"""The function and items of `map_forked`, set before the workers fork (they inherit it)."""

MIN_ITEMS = 8
"""Fewer items than this are mapped in the calling process."""


def _map_chunk(bounds: tuple[int, int]) -> list[Any]:
    function, items = _MAP
    return [function(item) for item in items[bounds[0] : bounds[1]]]


def map_forked(function: Callable[[T], R], items: Sequence[T], processes: int) -> list[R]:
    """`[function(item) for item in items]`, on `processes` forked workers that inherit the
    items (only the results are sent back): for CPU-bound pure work of a one-shot command,
    such as the portal's charts (matplotlib). In this process when `workers` would not fork
    or there are fewer than MIN_ITEMS."""
    return start_forked(function, items, processes)()


def start_forked(
    function: Callable[[T], R], items: Sequence[T], processes: int, each: bool = False
) -> Callable[[], list[R]]:
    """`map_forked` started now, its results when the returned function is called: the
    workers fork at once (so they hold only what exists now) and the caller works beside
    them. With `each`, one item per task (a few long ones, such as documents: no chunk of
    several is left to run alone at the end)."""
    global _MAP
    count = workers(processes, MIN_FLOWS) if len(items) >= MIN_ITEMS else 0
    if not count:
        return lambda: [function(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _MAP = (function, items)
    size = 1 if each else max(1, -(-len(items) // (count * 4)))
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    try:  # every worker forks at the first submit (the "fork" context)
        futures = [pool.submit(_map_chunk, (i, i + size)) for i in range(0, len(items), size)]
    finally:
        pool.shutdown(wait=False)  # runs what was submitted, then the workers exit

    def results() -> list[R]:
        return [result for future in futures for result in future.result()]

    return results


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
