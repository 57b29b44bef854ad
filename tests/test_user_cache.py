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
