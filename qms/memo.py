"""Results kept across the rebuilds of `qms serve`, each under a digest of what it is made of.

A save changes one file; a rebuild that made every page, chart and DOT text again would redo
the whole portal (36 s of CPU at 1,000 processes) to show one changed step. Each costly part
of a build (a flow's DOT text, a chart, a page) is looked up here under a digest of
everything its bytes are made from: the same inputs give the same bytes, so a rebuild that
finds the key reuses them, and a rebuild is byte for byte a full build
(tests/test_serve_incremental.py compares them). Only the part whose inputs changed is made
again: the flow and page of an edited process, the pages of its organisation, the index
pages that list it.

Keys are digests of reprs of frozen dataclasses of plain data (the views, the manuals), whose
repr lists every field. What a build did not ask for is dropped after it (`forget_unused`),
so the memo holds one build's worth however long the server runs.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def digest(*parts: object) -> str:
    """sha256 over `parts`, each with its length, so that no two lists of parts collide:
    bytes and strings as they are, anything else by its type's name and repr."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            data = b"b" + part
        elif isinstance(part, str):
            data = b"s" + part.encode("utf-8")
        else:
            data = f"{type(part).__name__}:{part!r}".encode()
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


class Memo:
    """Values by (kind, key), kept from one build to the next while some build uses them."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], Any] = {}
        self._used: set[tuple[str, str]] = set()
        self.made: Counter[str] = Counter()
        """Values made (not found) by kind since the last `forget_unused`."""
        self.last: Counter[str] = Counter()
        """`made` as it was at the last `forget_unused`: what the last build made."""

    def get(self, kind: str, key: str, make: Callable[[], T]) -> T:
        """The value kept under (kind, key), else `make()` (then kept)."""
        slot = (kind, key)
        self._used.add(slot)
        if slot not in self._kept:
            self._kept[slot] = make()
            self.made[kind] += 1
        return self._kept[slot]  # type: ignore[no-any-return]

    def find(self, kind: str, key: str) -> Any:
        """The value kept under (kind, key) (marked used), or None."""
        slot = (kind, key)
        if slot in self._kept:
            self._used.add(slot)
            return self._kept[slot]
        return None

    def put(self, kind: str, key: str, value: object) -> None:
        """Keep `value` under (kind, key)."""
        slot = (kind, key)
        self._used.add(slot)
        self._kept[slot] = value
        self.made[kind] += 1

    def forget_unused(self) -> None:
        """Drop what no lookup since the last call asked for (an old wording, a deleted page)."""
        self._kept = {k: v for k, v in self._kept.items() if k in self._used}
        self._used = set()
        self.last, self.made = self.made, Counter()

    def __len__(self) -> int:
        return len(self._kept)
