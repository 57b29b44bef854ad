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

Freezing spares the collector's walk, not the interpreter's own end: it clears every module
and so drops the kept model object by object (0.2-0.3 s of a national `qms validate`, with
the second core idle). The `qms` script's process therefore ends as mypy's does: once its
command has finished, every exit handler has run and the standard streams are flushed, it
leaves with the command's exit status without that teardown (`os._exit`). A command that
ends in a traceback ends as Python ends it.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

_KEPT: list[object] | None = None
"""What stays alive until the process ends; None: this process goes on after its command."""


_STATUS: int | None = None
"""The finished command's exit status; None while it runs (or when it raised)."""


def ends_with_command() -> None:
    """Say that this process ends when its command does (called by the `qms` script alone)."""
    global _KEPT
    if _KEPT is None:
        _KEPT = []
        atexit.register(_leave)  # the first registered runs last: after every other handler


def finished(code: object) -> None:
    """Record the exit status of the command that has just finished (its `SystemExit`'s code,
    turned into a status as Python turns it: None is 0, a message 1)."""
    global _STATUS
    if code is None:
        _STATUS = 0
    elif isinstance(code, int):
        _STATUS = code
    else:
        _STATUS = 1


def _leave() -> None:
    """The process's last exit handler: leave without the interpreter's teardown once the
    command has finished (`finished`); the streams are flushed first, and a stream that
    cannot be written ends the process with status 120, as Python's own end does."""
    if _KEPT is None or _STATUS is None:
        return
    status = _STATUS
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            status = status or 120
    os._exit(status)


def one_shot() -> bool:
    """Whether this process ends with its command (what it computes may be kept to the end)."""
    return _KEPT is not None


def keep_until_exit(*objects: object) -> bool:
    """Keep `objects` alive and frozen until the process ends, when it ends with its command;
    whether they were kept."""
    if _KEPT is None:
        return False
    _KEPT.extend(objects)
    gc.freeze()
    return True
