"""A scripted git repository of a copy of models/lamppu, made with dulwich in a tmp folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LAMPPU

AUTHOR = b"Laatupaallikko <laatu@example.org>"


def commit(repo_dir: Path, message: str, when: int) -> bytes:
    """Stage everything under repo_dir and commit it at the given time (deterministic)."""
    from dulwich import porcelain

    porcelain.add(
        str(repo_dir),
        paths=[str(p) for p in repo_dir.rglob("*") if p.is_file() and ".git" not in p.parts],
    )
    with porcelain.open_repo_closing(str(repo_dir)) as repo:
        # Removed files: drop them from the index too.
        index = repo.open_index()
        for name in list(index):
            if not (repo_dir / name.decode()).exists():
                del index[name]
        index.write()
    return porcelain.commit(  # type: ignore[no-any-return]
        str(repo_dir),
        message=message.encode(),
        author=AUTHOR,
        committer=AUTHOR,
        commit_timestamp=when,
        commit_timezone=0,
        author_timestamp=when,
        author_timezone=0,
    )


def edit(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of `old` in the file."""
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, (path, old)
    path.write_text(content.replace(old, new), encoding="utf-8")


@pytest.fixture
def lamppu_repo(tmp_path: Path) -> Path:
    """A git repository whose folder models/lamppu is a copy of the example, committed once."""
    from dulwich import porcelain

    root = tmp_path / "repo"
    workspace = root / "models" / "lamppu"
    shutil.copytree(LAMPPU, workspace)
    porcelain.init(str(root))
    commit(root, "Tuodaan LAMPPU-malli", 1_356_998_400)  # 2013-01-01
    return workspace


FOUR_EDITS = "four"


@pytest.fixture
def make_four_edits() -> Callable[[Path], None]:
    """A reworded step, a changed owner, an added flow and a removed metric."""

    def apply(workspace: Path) -> None:
        talous = workspace / "organisations/redu/processes/talous.yaml"
        edit(talous, "Valmistellaan talousarvioraami", "Valmistellaan talousarvion raami")
        edit(talous, "owner: talousjohtaja", "owner: yhtymahallitus")
        edit(
            talous,
            "role: johtoryhma, next: [tilinpaatos]}",
            "role: johtoryhma, next: [tilinpaatos, seuranta]}",
        )
        metrics = workspace / "organisations/kao/metrics.yaml"
        lines = metrics.read_text(encoding="utf-8").splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if "- id: bm-tapaamiset" in line)
        metrics.write_text("".join(lines[:start]), encoding="utf-8")

    return apply
