"""The one place qms runs Graphviz: a timeout, typed errors and batches of graphs per run.

Every caller (the render engine, the first layout pass, the manuals' pictures, the coverage
heat map, the bench) goes through `run` or `run_batch`:

- `GraphvizMissing` (also a FileNotFoundError): the program is not installed;
- `GraphvizFailed` (also a RuntimeError): Graphviz refused the graph; `.message` is what it said;
- `GraphvizTimeout` (a GraphvizFailed): it ran longer than `timeout` seconds and was stopped.

Starting Graphviz costs more than laying out a small flow (about 6 ms against well under 1 ms),
so `run_batch` hands many graphs to one process and cuts its output apart again (SVG, PNG and
JSON can be cut; other formats run one graph per process). When the batch fails or cannot be
cut, each graph runs alone, so that a failure is still reported against the graph that
caused it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from functools import lru_cache

TIMEOUT = 300.0
"""Seconds one Graphviz process may run before it is stopped (a national process map takes
well under ten; a graph that takes minutes is a graph Graphviz will not finish)."""

MAX_BATCH = 40
"""Most graphs drawn by one Graphviz process: its start-up costs more than a small flow."""


class GraphvizError(Exception):
    """Graphviz could not draw a graph."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GraphvizMissing(GraphvizError, FileNotFoundError):
    """The Graphviz program is not on PATH."""


class GraphvizFailed(GraphvizError, RuntimeError):
    """Graphviz exited with an error; `message` is what it printed."""


class GraphvizTimeout(GraphvizFailed):
    """Graphviz ran longer than the timeout and was stopped."""


runs = 0
"""Graphviz processes started by this interpreter (tests and the bench count them)."""


def available(program: str = "dot") -> bool:
    """True when the Graphviz program is installed."""
    return shutil.which(program) is not None


@lru_cache(maxsize=1)
def version() -> str:
    """`dot -V` output ("" without Graphviz): part of every cache key of a drawn file."""
    exe = shutil.which("dot")
    if exe is None:
        return ""
    proc = subprocess.run([exe, "-V"], capture_output=True, check=False, timeout=TIMEOUT)
    return proc.stderr.decode("utf-8", "replace").strip()


def run(
    program: Sequence[str],
    source: str,
    fmt: str,
    extra: Sequence[str] = (),
    timeout: float = TIMEOUT,
) -> bytes:
    """Lay out and draw one or more concatenated graphs: `program -q -Tfmt extra` on `source`.

    Returns what Graphviz wrote to standard output; raises GraphvizMissing, GraphvizFailed or
    GraphvizTimeout.
    """
    global runs
    command = [*program, "-q", f"-T{fmt}", *extra]
    runs += 1
    try:
        proc = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, check=False, timeout=timeout
        )
    except FileNotFoundError as error:
        raise GraphvizMissing(f"{program[0]}: {error.strerror or error}") from error
    except subprocess.TimeoutExpired as error:
        raise GraphvizTimeout(f"{' '.join(command)}: stopped after {timeout:g} s") from error
    except OSError as error:
        raise GraphvizFailed(f"{program[0]}: {error.strerror or error}") from error
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise GraphvizFailed(message or f"exit code {proc.returncode}")
    if not proc.stdout:
        raise GraphvizFailed(f"{' '.join(command)} wrote nothing")
    return proc.stdout


def run_batch(
    program: Sequence[str],
    sources: Sequence[str],
    fmt: str,
    extra: Sequence[str] = (),
    timeout: float = TIMEOUT,
) -> list[bytes | GraphvizError]:
    """Draw several graphs, in one Graphviz process where `fmt` can be cut apart.

    The result has one item per source, in order: the bytes drawn, or the error for that
    graph. GraphvizMissing is raised rather than returned: no graph can be drawn.
    """
    if not sources:
        return []
    split = SPLIT.get(fmt)
    if split is not None and len(sources) > 1:
        try:
            pieces = split(run(program, "\n".join(sources), fmt, extra, timeout))
        except GraphvizMissing:
            raise
        except GraphvizError:
            pieces = []
        if len(pieces) == len(sources):
            return list(pieces)
    out: list[bytes | GraphvizError] = []
    for source in sources:
        try:
            out.append(run(program, source, fmt, extra, timeout))
        except GraphvizMissing:
            raise
        except GraphvizError as error:
            out.append(error)
    return out


def _split_svg(data: bytes) -> list[bytes]:
    """Concatenated SVG documents, as Graphviz writes several graphs to one stream."""
    head = b"<?xml"
    parts = data.split(head)
    if not parts or parts[0].strip():
        return []
    # Graphviz names the group of every graph after the first in a stream `pageN,M_graph0`;
    # a graph drawn alone is `graph0`. Same bytes however the graphs were batched.
    return [_PAGE_ID.sub(b'<g id="graph0" class="graph"', head + p, count=1) for p in parts[1:]]


_PAGE_ID = re.compile(rb'<g id="page\d+,\d+_graph0" class="graph"')


def _split_png(data: bytes) -> list[bytes]:
    """Concatenated PNG files, cut at each IEND chunk (lengths read, never guessed)."""
    sig = b"\x89PNG\r\n\x1a\n"
    out: list[bytes] = []
    at = 0
    while at < len(data):
        if data[at : at + 8] != sig:
            return []
        pos = at + 8
        while True:
            if pos + 8 > len(data):
                return []
            length = int.from_bytes(data[pos : pos + 4], "big")
            kind = data[pos + 4 : pos + 8]
            pos += 12 + length
            if kind == b"IEND":
                break
        out.append(data[at:pos])
        at = pos
    return out


def _split_json(data: bytes) -> list[bytes]:
    """Concatenated JSON documents (`-Tjson` over several graphs)."""
    text = data.decode("utf-8")
    decoder = json.JSONDecoder()
    docs: list[bytes] = []
    at = 0
    try:
        while True:
            while at < len(text) and text[at].isspace():
                at += 1
            if at >= len(text):
                break
            _, end = decoder.raw_decode(text, at)
            end += text[end : end + 1] == "\n"  # each document ends its line, as run alone
            docs.append(text[at:end].encode("utf-8"))
            at = end
    except ValueError:
        return []
    return docs


SPLIT: dict[str, Callable[[bytes], list[bytes]]] = {
    "svg": _split_svg,
    "png": _split_png,
    "json": _split_json,
}
"""Formats whose outputs can be drawn in one run for many graphs and cut apart again."""
