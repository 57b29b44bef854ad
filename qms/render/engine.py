"""Running Graphviz: all cores, a content-hash cache, atomic writes, clear failures.

Every diagram is a `DotJob` (its file stem, its DOT text and the program that lays it out).
`render_all` skips a job whose DOT, format and Graphviz version match the manifest
`.qms-cache.json` in the output folder and whose file still exists; the rest run in parallel,
each writing a temporary file in the target folder and renaming it, so an interrupted build
leaves the previous diagrams intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from qms.files import umask, write_atomic
from qms.findings import Msg

MANIFEST = ".qms-cache.json"
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


@dataclass
class RenderReport:
    """What a run did: files written, files left as they were, and failures."""

    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    """(diagram, format, Graphviz's message)."""

    @property
    def ok(self) -> bool:
        """True when every diagram was drawn."""
        return not self.failed

    def messages(self, lang: str) -> list[str]:
        """The failures as user messages."""
        return [FAILED.format(lang, name=n, fmt=f, message=m) for n, f, m in self.failed]


@lru_cache(maxsize=1)
def graphviz_version() -> str:
    """`dot -V` output, part of every cache key (a new Graphviz redraws everything)."""
    exe = shutil.which("dot")
    if exe is None:
        return ""
    proc = subprocess.run([exe, "-V"], capture_output=True, check=False)
    return proc.stderr.decode("utf-8", "replace").strip()


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


def _load_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = data.get("entries", {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


def _run(job: DotJob, fmt: str, target: Path) -> str | None:
    """Draw one file; None on success, else Graphviz's message."""
    if fmt == "dot":
        write_atomic(target, job.source.encode("utf-8"))
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        proc = subprocess.run(
            [*job.program, "-q", f"-T{fmt}", "-o", tmp],
            input=job.source.encode("utf-8"),
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip()
            return message or f"exit code {proc.returncode}"
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; diagrams are for sharing
        os.replace(tmp, target)
        return None
    finally:
        Path(tmp).unlink(missing_ok=True)


def render_all(
    jobs: Sequence[DotJob],
    out: str | os.PathLike[str],
    formats: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> RenderReport:
    """Run Graphviz for every job not already in the cache, in parallel, writing atomically.

    Raises FileNotFoundError when Graphviz is needed and not installed.
    """
    root = Path(out)
    manifest = _load_manifest(root)
    report = RenderReport()
    todo: list[tuple[DotJob, str, Path, str]] = []
    for job in sorted(jobs, key=lambda j: j.name):
        for fmt in formats:
            rel = f"{job.name}.{fmt}"
            key = cache_key(job, fmt)
            target = root / rel
            stamp = _stamp(key, target)
            if stamp is not None and manifest.get(rel) == stamp:
                report.skipped.append(rel)
            else:
                todo.append((job, fmt, target, key))
    if any(fmt != "dot" for _, fmt, _, _ in todo) and shutil.which("dot") is None:
        raise FileNotFoundError("dot")
    done = 0
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        # Largest graphs first, so that no long run starts last and idles the other cores.
        order = sorted(todo, key=lambda item: -len(item[0].source))
        submitted = {id(item): pool.submit(_run, *item[:3]) for item in order}
        futures = [(item, submitted[id(item)]) for item in todo]
        for (job, fmt, _, key), future in futures:
            error = future.result()
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
        data = {"graphviz": graphviz_version(), "entries": dict(sorted(manifest.items()))}
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        write_atomic(root / MANIFEST, text.encode("utf-8"))
    return report


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
