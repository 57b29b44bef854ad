"""What a command may leave to the end of its process.

The `qms` script's process ends with its command (`qms validate`, `qms render`...): a national
model is millions of objects, and dropping the last reference to it frees them one by one,
about a twentieth of a cold `qms validate` spent on the way out. Such a process keeps the
model and freezes it for the cyclic collector; the process's end then walks none of it, and
no later collection does either (a national model, built with the collector paused, otherwise
costs two or three full collections of millions of objects, about 2 s, once rendering
allocates again; kept while the collector is still paused after loading, it also spares the
first young collection). In any other process (a test calling the commands, `qms serve`)
nothing is kept or frozen: the objects must be freed.
"""

from __future__ import annotations

import gc

_KEPT: list[object] | None = None
"""What stays alive until the process ends; None: this process goes on after its command."""


def ends_with_command() -> None:
    """Say that this process ends when its command does (called by the `qms` script alone)."""
    global _KEPT
    if _KEPT is None:
        _KEPT = []


def keep_until_exit(*objects: object) -> bool:
    """Keep `objects` alive and frozen until the process ends, when it ends with its command;
    whether they were kept."""
    if _KEPT is None:
        return False
    _KEPT.extend(objects)
    gc.freeze()
    return True
