"""The cyclic garbage collector paused while a large model is built or checked."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large model is built or checked.

    Loading creates millions of small objects and almost no cycles; every full collection
    walks all of them again, which cost about a third of `qms validate` on a national network.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
