"""Running Graphviz: all cores, a content-hash cache, atomic writes, clear failures.

Every diagram is a `DotJob` (its file stem, its DOT text and the program that lays it out).
`render_all` skips a job whose DOT, format and Graphviz version match the manifest
`.qms-cache.json` in the output folder and whose file still exists; the rest run in parallel,
each writing a temporary file in the target folder and renaming it, so an interrupted build
leaves the previous diagrams intact. `is_current` lets the per-diagram cache
(qms/render/cache.py) ask the same question before it builds a DOT text at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from qms.files import folders_for, is_plain_relative, read_cache, write_atomic
from qms.findings import Msg
from qms.render import graphviz

MANIFEST = ".qms-cache.json"
PNG_DPI = 96
"""Graphviz's resolution for PNG (its default): the PNG files and the manuals' pictures."""
FORMATS = ("svg", "png", "pdf", "dot")

NO_DOT = Msg(
    en="Graphviz's `dot` program is not on PATH; install Graphviz (Debian/Ubuntu: "
    "sudo apt-get install graphviz; macOS: brew install graphviz) and run again",
    fi="Graphvizin `dot`-ohjelmaa ei löydy polulta; asenna Graphviz (Debian/Ubuntu: "
    "sudo apt-get install graphviz; macOS: brew install graphviz) ja aja uudelleen",
)
FAILED = Msg(
    en="diagram {name} ({fmt}) could not be drawn: Graphviz said: {message}",
    fi="kaaviota {name} ({fmt}) ei voitu piirtää: Graphviz ilmoitti: {message}",
)


@dataclass(frozen=True)
class DotJob:
    """One diagram: `name` is its path under the output folder without extension."""

    name: str
    source: str
    program: tuple[str, ...] = ("dot",)
    """The Graphviz command that lays it out, e.g. ("neato", "-n2") for pinned positions."""

    def __reduce__(self) -> tuple[Callable[..., DotJob], tuple[str, bytes, tuple[str, ...]]]:
        """Pickled with its DOT text as UTF-8 bytes. Pickling a str that is not ASCII leaves a
        UTF-8 copy of it inside the str for as long as it lives (CPython's cache): sending
        the jobs to Graphviz's workers doubled every Finnish DOT text in the sending process
        (a national render's main process grew by 185 MB while Graphviz ran)."""
        return _dot_job, (self.name, self.source.encode("utf-8"), self.program)


def _dot_job(name: str, source: bytes, program: tuple[str, ...]) -> DotJob:
    """A DotJob read back (`DotJob.__reduce__`)."""
    return DotJob(name, source.decode("utf-8"), program)


@dataclass
class RenderReport:
    """What a run did: files written, files left as they were, and failures."""

    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    """(diagram, format, Graphviz's message)."""
    keys: dict[str, str] = field(default_factory=dict)
    """File -> its `cache_key`, for every file asked of `render_all`: the per-diagram cache
    records them without hashing every DOT text a second time (a national render's last
    seconds, when Graphviz is done and only this process works)."""

    @property
    def ok(self) -> bool:
        """True when every diagram was drawn."""
        return not self.failed

    def messages(self, lang: str) -> list[str]:
        """The failures as user messages."""
        return [FAILED.format(lang, name=n, fmt=f, message=m) for n, f, m in self.failed]


class Written(MutableMapping[tuple[str, str], "bytes | None"]):
    """The pictures `render_all` wrote into `root`, by (sha256 of the DOT text, format), the
    key of the manuals' `Diagrams`: `qms build` draws every diagram into its diagrams folder
    and then publishes the portal (SVG) and the DOCX (PNG) of the same DOT texts, which drew
    them all a second time. A file is read back only while the folder's manifest vouches that
    it was drawn from that DOT and is unchanged; pictures read or stored are kept in memory."""

    def __init__(
        self,
        root: Path,
        jobs: Sequence[DotJob],
        formats: Sequence[str],
        keys: Mapping[str, str] | None = None,
    ) -> None:
        """`keys`: the cache keys `render_all` just worked out (`RenderReport.keys`), by
        file: each is a hash of the whole DOT text, and a national build spent a second of
        one core hashing 9,151 DOT texts four times over to make them again."""
        self.root = root
        self.manifest = load_manifest(root)
        names = Counter(job.name for job in jobs)
        keys = {rel: key for rel, key in (keys or {}).items() if names[rel.rsplit(".", 1)[0]] == 1}
        wanted = [fmt for fmt in formats if fmt in graphviz.SPLIT]
        self.files = {}
        for job in jobs if wanted else ():
            digest = hashlib.sha256(job.source.encode("utf-8")).hexdigest()
            for fmt in wanted:
                rel = f"{job.name}.{fmt}"
                self.files[digest, fmt] = (rel, keys.get(rel) or cache_key(job, fmt))
        self.kept: dict[tuple[str, str], bytes | None] = {}

    def on_disk(self, key: tuple[str, str]) -> bool:
        """Whether the picture `key` is kept or vouched for on disk, without reading it: the
        DOCX workers of `qms build` then each read only their own organisations' pictures
        (a national build's PNGs are over 1 GB, which the command read alone before forking)."""
        if key in self.kept:
            return True
        found = self.files.get(key)
        return found is not None and is_current(self.root, self.manifest, *found)

    def __contains__(self, key: object) -> bool:
        if key in self.kept:
            return True
        if not isinstance(key, tuple) or not self.on_disk(key):
            return False
        found = self.files[key]
        try:
            self.kept[key] = (self.root / found[0]).read_bytes()
        except OSError:  # removed meanwhile: the caller draws it
            return False
        return True

    def __getitem__(self, key: tuple[str, str]) -> bytes | None:
        if key not in self:
            raise KeyError(key)
        return self.kept[key]

    def __setitem__(self, key: tuple[str, str], value: bytes | None) -> None:
        self.kept[key] = value

    def __delitem__(self, key: tuple[str, str]) -> None:
        del self.kept[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.kept)

    def __len__(self) -> int:
        return len(self.kept)


def graphviz_version() -> str:
    """`dot -V` output, part of every cache key (a new Graphviz redraws everything)."""
    return graphviz.version()


def cache_key(job: DotJob, fmt: str) -> str:
    """sha256 over the DOT text, format, program and Graphviz version."""
    h = hashlib.sha256()
    for part in (job.source, fmt, " ".join(job.program), graphviz_version()):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _stamp(key: str, target: Path) -> str | None:
    """The cache key plus the file's size and modification time, or None when it is missing.

    A file replaced since (by a killed or a concurrent run) no longer matches its entry, so
    the cache never vouches for a file it did not write.
    """
    try:
        st = target.stat()
    except OSError:
        return None
    return f"{key} {st.st_mtime_ns} {st.st_size}"


def load_manifest(out: str | os.PathLike[str]) -> dict[str, str]:
    """The manifest of an output folder: file -> stamp (empty when missing or broken)."""
    data = read_cache(Path(out) / MANIFEST)
    entries = data.get("entries", {}) if isinstance(data, dict) else {}
    if not isinstance(entries, dict):
        return {}
    return {
        k: v
        for k, v in entries.items()
        if isinstance(v, str) and len(v) < 200 and is_plain_relative(k)
    }


def is_current(root: Path, manifest: Mapping[str, str], rel: str, key: str) -> bool:
    """True when `rel` was drawn from a job with cache key `key` and is unchanged since."""
    try:  # os.path, not pathlib: a render after an edit asks this of every file drawn
        st = os.stat(os.path.join(root, rel))
    except OSError:
        return False
    return manifest.get(rel) == f"{key} {st.st_mtime_ns} {st.st_size}"


BATCH = graphviz.MAX_BATCH


def _batches(
    items: Sequence[tuple[DotJob, str, Path, str]], workers: int
) -> list[list[tuple[DotJob, str, Path, str]]]:
    """Items grouped by (program, format) into runs of at most BATCH, spread over workers."""
    groups: dict[tuple[tuple[str, ...], str], list[tuple[DotJob, str, Path, str]]] = {}
    for item in items:
        fmt = item[1]
        key = (item[0].program, fmt) if fmt in graphviz.SPLIT else ((), f"{fmt}:{len(groups)}")
        groups.setdefault(key, []).append(item)
    out: list[list[tuple[DotJob, str, Path, str]]] = []
    for group in groups.values():
        size = max(1, min(BATCH, -(-len(group) // (workers * 2))))
        out.extend(group[i : i + size] for i in range(0, len(group), size))
    return out


def _program_batches(jobs: Sequence[DotJob], workers: int) -> list[list[DotJob]]:
    """Jobs in their order, cut into runs of one program of at most BATCH, spread over workers."""
    size = max(1, min(BATCH, -(-len(jobs) // (workers * 2)))) if jobs else 1
    out: list[list[DotJob]] = []
    for i in range(0, len(jobs), size):
        chunk = list(jobs[i : i + size])
        if len({job.program for job in chunk}) == 1:
            out.append(chunk)
        else:
            out.extend([job] for job in chunk)
    return out


def draw_many(
    jobs: Sequence[DotJob], fmt: str, extra: Sequence[str] = (), workers: int | None = None
) -> list[bytes | None]:
    """Draw jobs to memory in `fmt`, in batches on all cores; None where Graphviz failed.

    For exporters that embed diagrams (the manual's HTML and DOCX) rather than write files.
    """
    if fmt not in graphviz.SPLIT:
        raise ValueError(fmt)
    count = workers or os.cpu_count() or 1

    def batch(chunk: list[DotJob]) -> list[bytes | None]:
        try:
            drawn = graphviz.run_batch(chunk[0].program, [j.source for j in chunk], fmt, extra)
        except graphviz.GraphvizMissing:
            return [None] * len(chunk)
        return [None if isinstance(d, graphviz.GraphvizError) else d for d in drawn]

    with ThreadPoolExecutor(max_workers=count) as pool:
        chunks = _program_batches(jobs, count)
        return [piece for part in pool.map(batch, chunks) for piece in part]


def _run_batch(items: Sequence[tuple[DotJob, str, Path]]) -> list[str | None]:
    """Draw several graphs of one program and format (in one Graphviz run where the format
    can be cut apart) and write them atomically; None per file written, else the message."""
    fmt = items[0][1]
    if fmt == "dot":
        for job, _, target in items:
            write_atomic(target, job.source.encode("utf-8"))
        return [None] * len(items)
    drawn = graphviz.run_batch(items[0][0].program, [job.source for job, _, _ in items], fmt)
    out: list[str | None] = []
    for (_, _, target), data in zip(items, drawn, strict=True):
        if isinstance(data, graphviz.GraphvizError):
            out.append(data.message)
        else:
            write_atomic(target, data)
            out.append(None)
    return out


def render_all(
    jobs: Sequence[DotJob],
    out: str | os.PathLike[str],
    formats: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    current: str | os.PathLike[str] | None = None,
    spawn: bool = False,
) -> RenderReport:
    """Run Graphviz for every job not already in the cache, in parallel, writing atomically.

    `current` is the folder whose files count as already drawn when the files are written
    elsewhere (a staging folder that is swapped in afterwards); by default `out` itself.
    With `spawn` (one-shot commands only), the batches are run and written by worker
    processes of the fork server (qms/render/pool.py), not by threads of this process: each
    Graphviz process started from a process holding a national model was, for a moment, a
    copy of it (vfork), and every drawn picture passed through it. Raises GraphvizMissing (a
    FileNotFoundError) when Graphviz is needed and not installed.
    """
    root = Path(out)
    drawn = Path(current) if current is not None else root
    manifest = load_manifest(root)
    report = RenderReport()
    todo: list[tuple[DotJob, str, Path, str]] = []
    for job in sorted(jobs, key=lambda j: j.name):
        for fmt in formats:
            rel = f"{job.name}.{fmt}"
            key = report.keys[rel] = cache_key(job, fmt)
            target = root / rel
            if is_current(drawn, manifest, rel, key):
                report.skipped.append(rel)
            else:
                todo.append((job, fmt, target, key))
    if any(fmt != "dot" for _, fmt, _, _ in todo) and not graphviz.available():
        raise graphviz.GraphvizMissing("dot")
    done = 0
    count = workers or os.cpu_count() or 1
    batches = _batches(sorted(todo, key=lambda item: -len(item[0].source)), count)
    with folders_for(t for _, _, t, _ in todo), _executor(count, spawn, len(batches)) as pool:
        # Largest graphs first, so that no long run starts last and idles the other cores.
        futures = [
            (batch, pool.submit(_run_batch, [item[:3] for item in batch])) for batch in batches
        ]
        for batch, future in futures:
            for (job, fmt, _, key), error in zip(batch, future.result(), strict=True):
                rel = f"{job.name}.{fmt}"
                if error is None:
                    manifest[rel] = _stamp(key, root / rel) or key
                    report.rendered.append(rel)
                else:
                    manifest.pop(rel, None)
                    report.failed.append((job.name, fmt, error))
                done += 1
                if progress:
                    progress(done, len(todo))
    if todo or not (root / MANIFEST).exists():
        save_manifest(root, manifest)
    return report


def _executor(count: int, spawn: bool, batches: int) -> Executor:
    """Threads, or with `spawn` and more than one batch, worker processes of the fork server."""
    if not spawn or batches < 2:
        return ThreadPoolExecutor(max_workers=count)
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: imported on use

    from qms.render.pool import server

    return ProcessPoolExecutor(count, mp_context=server())


def save_manifest(out: str | os.PathLike[str], manifest: Mapping[str, str]) -> None:
    """Write an output folder's manifest: file -> stamp, sorted."""
    data = {"graphviz": graphviz_version(), "entries": dict(sorted(manifest.items()))}
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    write_atomic(Path(out) / MANIFEST, text.encode("utf-8"))


def progress_bar(
    total_hint: str = "",
) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A rich progress bar on a terminal (else nothing): (update, close)."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task(total_hint or "Graphviz", total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop
