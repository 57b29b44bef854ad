"""The user cache is trusted only when it is private (issue 15, item 9): it holds pickles, and
unpickling runs code."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.load import load
from qms.load.cache import DocumentCache, cache_home
from tests.conftest import DATA


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o722])
def test_a_cache_folder_others_may_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    monkeypatch.setenv("QMS_CACHE_DIR", str(shared))
    assert cache_home() is None and DocumentCache.open() is None
    loaded = load(DATA / "render" / "small")
    assert loaded.workspace is not None and not loaded.fatal
    assert list(shared.iterdir()) == []
    mine = tmp_path / "mine"
    monkeypatch.setenv("QMS_CACHE_DIR", str(mine))
    assert cache_home() == mine and (mine.stat().st_mode & 0o777) == 0o700


def test_code_digest_is_kept_while_the_files_stat_as_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code's digest is taken from the memo only while every file has the size, time and
    inode it had when hashed; a file edited within the racy window is never memoized."""
    import os

    from qms.load.cache import RACY_NS, code_digest, source_digest

    monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "cache"))
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("y = 2\n")
    old = os.stat(a).st_mtime_ns - 10 * RACY_NS
    for path in (a, b):
        os.utime(path, ns=(old, old))
    first = code_digest([a, b], "salt")
    assert first == source_digest([a, b], "salt") != ""
    memo = next((tmp_path / "cache" / "code").iterdir())
    key = memo.read_text().split(" ")[0]
    memo.write_text(f"{key} planted")  # the memo is what a same-stat run returns
    assert code_digest([a, b], "salt") == "planted"
    a.write_text("x = 3\n")  # same size, another time: hashed again
    os.utime(a, ns=(old + 1, old + 1))
    second = code_digest([a, b], "salt")
    assert second == source_digest([a, b], "salt") not in (first, "planted")
    b.write_text("y = 4\n")  # just now: racy, hashed but not kept
    racy = code_digest([a, b], "salt")
    assert racy == source_digest([a, b], "salt")
    assert memo.read_text().split(" ")[1] == second
    assert code_digest([a, tmp_path / "missing.py"], "salt") == ""
