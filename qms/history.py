"""The workspace's git history, read with dulwich (no `git` program, no porcelain parsing).

`load_at` loads the workspace as it was at a revision: the model files of that revision's tree
are copied into a temporary folder (never into the user's workspace) and read by the normal
loader. `document_history` lists the commits that changed one model file, each with the
semantic changes it made, for the manuals' change history (muutoshistoria).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from qms.diff import Change, diff_documents
from qms.load import Loaded, SourceMap, build_document, load, parse_file
from qms.model import Document


class HistoryError(Exception):
    """An unknown revision, a repository without commits, or a workspace folder that the
    revision does not have; the message in English and Finnish."""

    def __init__(self, en: str, fi: str) -> None:
        super().__init__(en)
        self.en, self.fi = en, fi


def _unknown(rev: str) -> HistoryError:
    return HistoryError(
        f"unknown revision '{rev}' (a branch, tag or commit id, with ~N or ^N)",
        f"tuntematon versio '{rev}' (haara, tagi tai commitin tunniste, ~N tai ^N perässä)",
    )


@dataclass(frozen=True)
class Repository:
    """A git repository and where the workspace lies inside it."""

    repo: Any
    """The dulwich Repo."""
    subpath: str
    """The workspace folder relative to the repository's root ('' or 'models/lamppu')."""

    @property
    def root(self) -> Path:
        return Path(self.repo.path)

    def close(self) -> None:
        self.repo.close()


def open_repository(workspace: str | os.PathLike[str]) -> Repository | None:
    """The repository holding the workspace folder, or None when it is not in one."""
    from dulwich.errors import NotGitRepository
    from dulwich.repo import Repo

    folder = Path(workspace).resolve()
    try:
        repo = Repo.discover(str(folder))
    except NotGitRepository:
        return None
    root = Path(repo.path).resolve()
    try:
        sub = folder.relative_to(root).as_posix()
    except ValueError:
        repo.close()
        return None
    return Repository(repo, "" if sub == "." else sub)


_SUFFIX = re.compile(r"(~|\^)(\d*)")


def resolve(repository: Repository, rev: str) -> bytes:
    """The commit id a revision names: HEAD, a branch, a tag, a sha, with `~N` and `^N`.

    dulwich resolves names and ids; the ancestry suffixes git allows (HEAD~2, main^2) are
    followed here along the commits' parents.
    """
    from dulwich.objectspec import parse_commit

    match = re.match(r"^([^~^]+)((?:[~^]\d*)*)$", rev.strip())
    if match is None:
        raise _unknown(rev)
    try:
        repository.repo.head()
    except KeyError:
        raise HistoryError(
            "the repository has no commits yet", "säilössä ei ole vielä yhtään committia"
        ) from None
    try:
        commit = parse_commit(repository.repo, match.group(1))
        for op, count in _SUFFIX.findall(match.group(2)):
            number = int(count) if count else 1
            if op == "~":
                for _ in range(number):
                    commit = repository.repo[commit.parents[0]]
            elif number:
                commit = repository.repo[commit.parents[number - 1]]
    except (KeyError, ValueError, IndexError, NotImplementedError, TypeError) as error:
        raise _unknown(rev) from error
    return bytes(commit.id)


def merge_base(repository: Repository, one: str, other: str) -> str:
    """The commit id (hex) where two revisions' histories meet: the old side of git's
    `A...B` (what B changed since it branched from A)."""
    from dulwich.graph import find_merge_base
    from dulwich.objects import ObjectID

    ends = [ObjectID(resolve(repository, rev)) for rev in (one, other)]
    bases = find_merge_base(repository.repo, ends)
    if not bases:
        raise HistoryError(
            f"'{one}' and '{other}' have no common history",
            f"versioilla '{one}' ja '{other}' ei ole yhteistä historiaa",
        )
    return bytes(bases[0]).decode("ascii")


def _files_at(repository: Repository, commit_id: bytes, rev: str) -> Iterator[tuple[str, bytes]]:
    """(path relative to the workspace, blob bytes) of every `.yaml` file at a commit."""
    from dulwich.object_store import iter_tree_contents, tree_lookup_path

    store = repository.repo.object_store
    tree = store[commit_id].tree
    if repository.subpath:
        try:
            _mode, tree = tree_lookup_path(store.__getitem__, tree, repository.subpath.encode())
        except KeyError:
            raise HistoryError(
                f"the folder {repository.subpath} does not exist at revision '{rev}'",
                f"kansiota {repository.subpath} ei ole versiossa '{rev}'",
            ) from None
    for entry in iter_tree_contents(store, tree):
        path = entry.path.decode("utf-8", "replace")
        parts = PurePosixPath(path).parts
        if not path.endswith(".yaml") or any(p.startswith(".") for p in parts):
            continue
        if entry.mode is not None and (entry.mode & 0o170000) != 0o100000:
            continue  # symbolic links and submodules are not model files
        yield path, store[entry.sha].as_raw_string()


@contextmanager
def checkout(repository: Repository, rev: str) -> Iterator[Path]:
    """A temporary folder holding the workspace's model files at `rev` (removed afterwards)."""
    commit_id = resolve(repository, rev)
    with tempfile.TemporaryDirectory(prefix="qms-rev-") as tmp:
        base = Path(tmp)
        for rel, raw in _files_at(repository, commit_id, rev):
            target = base / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(raw)
        yield base


def load_at(repository: Repository, rev: str) -> Loaded:
    """The workspace as it was at `rev`, loaded by the normal loader from a temporary copy."""
    with checkout(repository, rev) as folder:
        return load(folder, packs=False)


def _document(raw: bytes | None, rel: str) -> Document | None:
    """One model file's document, parsed and validated alone (None when it does not load)."""
    if raw is None:
        return None
    sources = SourceMap()
    data, _ = parse_file(Path("."), rel, sources, raw)
    if data is None:
        return None
    doc, _ = build_document(data, rel, sources)
    return doc


@dataclass(frozen=True)
class Revision:
    """One commit that changed a model file, with what it changed."""

    commit: str
    """The commit's short id."""
    date: dt.date
    author: str
    message: str
    version: str | None
    """The document's `version` after the commit."""
    changes: tuple[Change, ...]
    version_kept: bool = False
    """The content changed but the version did not."""


def workspace_history(
    repository: Repository, per_file: int = 20, max_commits: int = 2000
) -> dict[str, list[Revision]]:
    """The commits that changed each model file (relative to the workspace), newest first.

    One walk over the history from HEAD (at most `max_commits` commits that touch the
    workspace); each row carries the semantic changes to the file's previous version. Commits
    that touched a file without changing its content (comments, formatting) are left out.
    """
    from dulwich.diff_tree import CHANGE_DELETE

    repo = repository.repo
    try:
        head = repo.head()
    except KeyError:
        return {}
    prefix = f"{repository.subpath}/" if repository.subpath else ""
    store = repo.object_store
    parsed: dict[tuple[bytes | None, str], Document | None] = {}

    def document(sha: bytes | None, rel: str) -> Document | None:
        if (sha, rel) not in parsed:
            raw = bytes(store[sha].as_raw_string()) if sha else None
            parsed[(sha, rel)] = _document(raw, rel)
        return parsed[(sha, rel)]

    paths = [repository.subpath.encode()] if repository.subpath else None
    rows: dict[str, list[Revision]] = {}
    walker = repo.get_walker(include=[head], paths=paths, max_entries=max_commits)
    for entry in walker:
        commit = entry.commit
        changes = entry.changes()
        if changes and isinstance(changes[0], list):  # a merge: the changes to each parent
            changes = [c for per_parent in changes[:1] for c in per_parent]
        for change in changes:
            new_path = change.new.path if change.type != CHANGE_DELETE else change.old.path
            if new_path is None:
                continue
            path = new_path.decode("utf-8", "replace")
            if not path.startswith(prefix) or not path.endswith(".yaml"):
                continue
            rel = path[len(prefix) :]
            if len(rows.get(rel, ())) >= per_file:
                continue
            old = document(change.old.sha if change.old else None, rel)
            new = document(change.new.sha if change.type != CHANGE_DELETE else None, rel)
            found = diff_documents(old, new)
            if not found:
                continue
            old_version = getattr(old, "version", None)
            new_version = getattr(new, "version", None)
            kept = old is not None and new is not None and new_version is not None
            message = commit.message.decode("utf-8", "replace").strip()
            rows.setdefault(rel, []).append(
                Revision(
                    commit=commit.id.decode()[:8],
                    date=dt.datetime.fromtimestamp(commit.commit_time, dt.UTC).date(),
                    author=_name(commit.author),
                    message=message.splitlines()[0] if message else "",
                    version=new_version,
                    changes=found,
                    version_kept=kept and old_version == new_version,
                )
            )
    return rows


_HISTORIES: dict[tuple[str, bytes], dict[str, list[Revision]]] = {}


def histories_of(workspace: str | os.PathLike[str]) -> dict[str, list[Revision]] | None:
    """The history of every model file of a workspace folder; None when it is not in git.

    Kept per repository and HEAD for the life of the process (`qms serve` asks on every
    rebuild).
    """
    repository = open_repository(workspace)
    if repository is None:
        return None
    try:
        try:
            key = (f"{repository.root}:{repository.subpath}", bytes(repository.repo.head()))
        except KeyError:
            return {}
        if key not in _HISTORIES:
            _HISTORIES.clear()
            _HISTORIES[key] = workspace_history(repository)
        return _HISTORIES[key]
    finally:
        repository.close()


def _name(author: bytes) -> str:
    """`Name <mail>` -> Name (addresses are not published in a manual)."""
    shown = author.decode("utf-8", "replace")
    return shown.split("<", 1)[0].strip() or shown
