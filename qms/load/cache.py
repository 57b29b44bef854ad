"""The document cache: built documents kept in the user's cache folder between runs."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from qms.files import read_regular, write_atomic

if TYPE_CHECKING:
    from qms.model import Document


def _pydantic_version() -> bytes:
    """pydantic's version file, read without importing pydantic (a tenth of a second that a
    run which finds nothing edited does not otherwise pay); empty when it cannot be read."""
    spec = find_spec("pydantic")
    if spec is None or spec.origin is None:
        return b""
    try:
        return Path(spec.origin).with_name("version.py").read_bytes()
    except OSError:
        return b""


def source_digest(paths: Iterable[Path], salt: str = "") -> str:
    """sha256 over `salt`, Python's version, pydantic's version file and the names and bytes of
    `paths`: what a cache built by this code is valid for. Empty when a file cannot be read
    (then the caller must not cache: a code change could not be told)."""
    h = hashlib.sha256(f"{salt}\0{sys.version}\0".encode() + _pydantic_version() + b"\0")
    try:
        for path in paths:
            h.update(f"{path.name}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    except OSError:
        return ""
    return h.hexdigest()


RACY_NS = 2_000_000_000
"""A file modified this recently may change again within its time stamp's resolution: its
time stamp does not tell that it is as it was (git's "racy" files)."""


def code_digest(paths: list[Path], salt: str = "") -> str:
    """`source_digest(paths, salt)`, kept in the user's cache folder with the size, time and
    inode of each file: read and hashed again only when one of them differs (qms's 150 source
    files cost a run that finds nothing edited an eighth of its instructions). Not kept while
    a file is racy (`RACY_NS`), so an edit that leaves its size and time as they were is
    still seen; without a cache folder, hashed every time."""
    home = cache_home()
    try:
        now = time.time_ns()
        stats = [os.stat(p) for p in paths]
    except OSError:
        return ""
    if home is None:
        return source_digest(paths, salt)
    h = hashlib.sha256(f"{salt}\0{sys.version}\0".encode() + _pydantic_version())
    for path, st in zip(paths, stats, strict=True):
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0".encode())
    key = h.hexdigest()
    memo = home / "code" / hashlib.sha256(salt.encode()).hexdigest()[:32]
    try:
        kept_key, _, kept = memo.read_text(encoding="ascii").partition(" ")
        if kept_key == key and kept:
            return kept
    except (OSError, UnicodeDecodeError):
        pass
    digest = source_digest(paths, salt)
    if digest and all(st.st_mtime_ns < now - RACY_NS for st in stats):
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(memo, f"{key} {digest}".encode("ascii"))
        except OSError:
            pass  # hashed again next time
    return digest


def cache_home() -> Path | None:
    """The user's qms cache folder (`$QMS_CACHE_DIR`, else `$XDG_CACHE_HOME/qms` or
    `~/.cache/qms`), or None when `QMS_CACHE=0` switches caching off."""
    if os.environ.get("QMS_CACHE", "1").lower() in ("0", "off", "no", "false"):
        return None
    home = Path(
        os.environ.get("QMS_CACHE_DIR")
        or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
            "qms",
        )
    )
    return home if private(home) else None


def private(folder: Path) -> bool:
    """True when `folder` is yours alone (or does not exist yet; it is then made 0700).

    The cache holds pickles, and unpickling runs code: a cache folder that someone else owns
    or may write into (a shared $QMS_CACHE_DIR, a world-writable /tmp folder) is not used at
    all, and qms runs without a cache."""
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):  # Windows: no POSIX owner and modes to check
        return True
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


class DocumentCache:
    """Built documents, one pack per organisation folder, keyed by a hash of its files' bytes.

    Re-validating after one edit then parses and validates only the edited organisation's
    files. Only files that loaded without any finding are packed, so a cached run reports
    exactly what a cold run would. The folder is the user's own (`$QMS_CACHE_DIR`, else
    `$XDG_CACHE_HOME/qms` or `~/.cache/qms`), never the workspace: a pickle planted in a cloned
    repository must not run. `QMS_CACHE=0` switches it off; an unreadable pack is a miss.
    """

    MAX_PACKS = 4000
    """About 25 national workspaces (or branches) of 150 organisations."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pending: list[tuple[Path, dict[str, Document]]] = []
        here = Path(__file__).parent
        code = code_digest([here.parent / "model.py", *sorted(here.glob("*.py"))], "documents")
        if not code:
            raise OSError("qms's model and loader cannot be read")  # open() turns it into None
        self.salt = bytes.fromhex(code)

    @classmethod
    def open(cls) -> DocumentCache | None:
        """The user's cache, or None when it is switched off or cannot be used."""
        base = cache_home()
        if base is None:
            return None
        try:
            return cls(base / "documents")
        except OSError:
            return None

    def entry(self, raws: dict[str, bytes]) -> Path:
        """Where the pack of these files, with these bytes, is kept."""
        h = hashlib.sha256(self.salt)
        for rel, raw in raws.items():
            h.update(rel.encode() + b"\0" + hashlib.sha256(raw).digest())
        return self.folder / f"{h.hexdigest()}.pickle"

    def get(self, entry: Path) -> dict[str, Document] | None:
        """The cached pack, or None on a miss or an unusable entry."""
        try:
            pack = pickle.loads(entry.read_bytes())
            os.utime(entry)  # recently used: kept when the folder is pruned
        except Exception:  # noqa: BLE001 - a missing or broken entry is a miss, never a crash
            return None
        return pack if isinstance(pack, dict) else None

    def prune(self) -> None:
        """Keep the folder bounded: drop the least recently used packs beyond MAX_PACKS."""
        try:
            packs = [e for e in os.scandir(self.folder) if e.name.endswith(".pickle")]
            if len(packs) <= self.MAX_PACKS:
                return
            packs.sort(key=lambda e: e.stat().st_mtime_ns)
            for old in packs[: len(packs) - self.MAX_PACKS * 3 // 4]:
                os.unlink(old.path)
        except OSError:
            pass

    @staticmethod
    def packed(pack: dict[str, Document]) -> bytes:
        """A pack as it is written."""
        return pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL)

    def write(self, entry: Path, data: bytes) -> None:
        """Write one pack's bytes (atomically; errors ignored)."""
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_name(f".{entry.name}.{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, entry)
        except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
            pass

    def flush(self) -> None:
        """Write the packs built in this run."""
        for entry, pack in self.pending:
            self.write(entry, self.packed(pack))
        if self.pending:
            self.prune()
        self.pending.clear()


def _read(path: Path) -> bytes | None:
    """A file's bytes for the cache look-up; None leaves the error to parse_file."""
    from qms.load.yaml_source import MAX_FILE_BYTES

    try:
        data, size = read_regular(path, MAX_FILE_BYTES)
    except OSError:
        return None
    return None if size > MAX_FILE_BYTES else data


def _pack_of(rel: str) -> str:
    """Files are cached per organisation folder (organisations/redu/...) or alone."""
    parts = rel.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else rel
