"""A cold load on two cores: a forked helper parses part of the workspace while we parse the rest.

Composing YAML (libyaml), building it and validating the documents is most of a cold `qms
validate`, all of it on one core while the machine's others wait. `Helper` forks one process
that loads some organisation folders' files as `load` would and sends back each folder's
documents pickled (the same bytes it writes to the document cache, so nothing is pickled
twice), its findings and its texts; meanwhile the caller loads the other folders. The caller
can take the helper's documents over (unpickle them) only once it has sent them, and the
helper pickles its documents first and starts with cold caches, so it takes less than half
(`their_share`).

The result is exactly that of the serial path (tests/test_load_split.py): each folder is
loaded by the same function, and the pieces are put together in file order. Should the
helper fail in any way (it raised, was killed, sent something unreadable), the caller loads
its folders too: slower, never different. Only where `fork` exists (Linux and the like),
only with more than one core to run on, only for one-shot commands (a process with threads
must not fork; `load(..., split=True)` is asked for by `qms validate` alone) and only for
enough bytes to be worth a process.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any

MIN_BYTES = 256 * 1024
"""Fewer bytes of YAML to parse than this are parsed in the calling process: forking and
sending back would cost more than the second core saves (LAMPPU is about 150 KB)."""
UNPICKLE = 0.2
"""What taking over a cached document costs, as a share of parsing and validating its file
(measured at 1,000 generated processes: 0.13 s against 0.65 s)."""
HELPER = 0.5
"""What a file costs the helper beyond what parsing and validating it costs the caller, as the
same share: it pickles the documents before sending them, and its own caches start cold
(measured at 1,000 generated processes: 4.1 billion instructions for 45 % of the bytes,
against about 3.3 for the caller's 55 %)."""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def wanted(sizes: Sequence[int]) -> bool:
    """Whether a helper pays for these bytes to parse (and one can be forked at all)."""
    return hasattr(os, "fork") and cores() >= 2 and sum(sizes) >= MIN_BYTES


def their_share(sizes: Sequence[int], kept: int = 0) -> int:
    """The index from which the helper takes the groups of `sizes` bytes to parse (the last
    ones), so that the helper has sent its documents when the caller has parsed the others
    and taken over the `kept` bytes of cached packs: the caller waits for nothing, and what it
    does after (take the helper's documents over, pack its own) is as short as it can be."""
    total = sum(sizes)
    target = (total + UNPICKLE * kept) / (2 + HELPER)
    taken = 0.0
    start = len(sizes)
    while start > 1 and taken + sizes[start - 1] / 2 < target:
        start -= 1
        taken += sizes[start]
    return start


class Helper:
    """One forked process running `work`; `result()` is its return value, or None when it
    failed (the caller then does the work itself)."""

    def __init__(self, work: Callable[[], Any]) -> None:
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the helper: never returns
            os.close(read)
            code = 1
            try:
                data = memoryview(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
                while data:
                    data = data[os.write(write, data) :]
                code = 0
            finally:
                os._exit(code)  # no exit handlers, no buffers of the parent flushed twice
        os.close(write)
        self._read = read

    def result(self) -> Any:
        """Wait for the helper; its result, or None when it failed."""
        chunks = []
        try:
            while chunk := os.read(self._read, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._read)
            _, status = os.waitpid(self.pid, 0)
        if status != 0:
            return None
        try:
            return pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - unreadable: do the work here
            return None
