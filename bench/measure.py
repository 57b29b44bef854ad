"""Time one command as a user runs it: a child process, its wall time, CPU time and memory.

`timed(["qms", "validate", ws])` starts the command, waits for it with `os.wait4` (whose
resource usage covers the child and every descendant it waited for, Graphviz included) and
meanwhile samples the memory of the whole process tree (every 50 ms, less often when a sample
is dear: `pause`), so that worker processes count with their parent. Two memory figures come
back: `peak_kb`, the resident peak of the largest single process (exact, from the kernel), and
`tree_peak_kb`, the largest sampled sum over the tree of each process's proportional set size
(PSS: a page shared by a forked worker and its parent counts half in each, so sharing is
neither hidden nor counted twice). A sample can miss a short peak, never invent one.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def _children(pid: int) -> list[int]:
    """The child process ids of `pid` (Linux /proc; empty elsewhere)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
        except OSError:
            continue
        found += [int(c) for c in text.split()]
    return found


def _pss_kb(pid: int) -> int:
    """A process's proportional set size (Linux); its resident size where PSS is unknown."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_kb(pid: int) -> int:
    """Memory (PSS) of `pid` and all its descendants, now."""
    total, pending = 0, [pid]
    while pending:
        p = pending.pop()
        total += _pss_kb(p)
        pending += _children(p)
    return total


INTERVAL = 0.05
"""Seconds between two samples of the tree's memory, at the least."""
SHARE = 0.025
"""The most of one core the sampler may take. Reading a process's PSS walks its page tables:
34 ms of CPU for a tree of 3.3 GiB (a national `qms build`'s command and its forked DOCX
workers), 10 ms for a national render's 1 GiB. Every 50 ms, that was 40 % of a core taken from
the command it measures on a 2-core machine (a national render 2.6-2.8 s slower, 5.7 %:
docs/performance.md), and more from the commands with the biggest trees."""


def pause(cost: float) -> float:
    """The wait after a sample that took `cost` seconds: INTERVAL, or longer, so that sampling
    takes at most SHARE of one core."""
    return max(INTERVAL, cost * (1 - SHARE) / SHARE)


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            began = time.perf_counter()
            self.peak = max(self.peak, tree_rss_kb(self.pid))
            self.samples += 1
            self.done.wait(pause(time.perf_counter() - began))


def timed(
    argv: Sequence[str],
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    ok: Sequence[int] = (0,),
) -> dict[str, Any]:
    """Run `argv`; return seconds (wall), cpu (user + system of the tree), peak_kb,
    tree_peak_kb (PSS), samples (of the tree's memory) and the exit code. Raises RuntimeError
    when the exit code is not in `ok`."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sampler = _Sampler(proc.pid)
    sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()  # the command's messages; read to the end so it never blocks
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in ok:
        tail = err.decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{tail}")
    return {
        "seconds": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_kb": usage.ru_maxrss,
        "tree_peak_kb": max(sampler.peak, usage.ru_maxrss),
        "samples": sampler.samples,
        "exit": proc.returncode,
    }
