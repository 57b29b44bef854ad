"""Writing files without losing anything: atomic replacement, and no overwrite without --force.

The library returns text; these write it. A refusal is a `Refused` error, which the CLI turns
into exit code 2 (the library itself never imports click).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from qms.findings import Msg

EXISTS_MANY = Msg(
    en="not overwriting {count} file(s) that exist and differ; nothing written"
    " (use --force to replace them):\n{files}",
    fi="{count} olemassa olevaa, erilaista tiedostoa jätetään korvaamatta; mitään ei kirjoitettu"
    " (korvaa valitsimella --force):\n{files}",
)
EXISTS = Msg(
    en="{path} exists and differs; not overwritten (use --force to replace it)",
    fi="{path} on jo olemassa ja eroaa; ei korvattu (korvaa valitsimella --force)",
)


def default_out(workspace: str, folder: str = "diagrams") -> str:
    """diagrams/<the workspace folder's name> (or build/<name>): here, not in qms.publish,
    so that `qms render` knows its folder before it decides whether to load the model."""
    return str(Path(folder) / (Path(workspace).resolve().name or "workspace"))


def write_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> None:
    """Write via a temporary file in the same folder and rename: never half a file. `data`
    may come in pieces (written one by one: a large file need not be joined in memory)."""
    target = Path(path)
    made = _missing_folders(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = stage(target, data)
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except BaseException:
        _remove_empty(made)
        raise


def stage(target: Path, data: bytes | Iterable[bytes]) -> Path:
    """`data` in a temporary file beside `target`, with the permissions of a new file
    (0644 under umask 022: mkstemp makes 0600, and outputs are for sharing)."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:  # a read-only folder: name the file the user asked for
        raise OSError(error.errno, error.strerror, os.fspath(target)) from error
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
        os.chmod(tmp, 0o666 & ~umask())
    except OSError as error:
        tmp.unlink(missing_ok=True)
        if error.filename is None:  # a full disk says so without naming the file
            raise OSError(error.errno, error.strerror, os.fspath(target)) from error
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


SPECIAL = Msg(
    en="{path} is not a regular file (a device, a pipe or a socket); qms does not replace it, "
    "not even with --force: choose another output; nothing written",
    fi="{path} ei ole tavallinen tiedosto (laite, putki tai pistoke); qms ei korvaa sitä "
    "valitsimellakaan --force: valitse toinen tuloste; mitään ei kirjoitettu",
)


def refuse_special(targets: Iterable[Path], lang: str = "en") -> None:
    """Stop (exit 2) before writing when a target exists and is a device, FIFO or socket:
    renaming a file onto `-o /dev/null` would replace the device itself (as root, for the
    whole machine). Links and folders are left to the writers (a link is replaced, never
    written through; a folder where a file goes fails with its own message)."""

    for target in targets:
        try:
            mode = target.lstat().st_mode
        except OSError:
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
            raise refusal(SPECIAL.format(lang, path=target))


A_FOLDER = Msg(
    en="{path} is a folder where qms writes a file of that name: rename or remove the folder, "
    "or choose another output folder; nothing written",
    fi="{path} on kansio, johon qms kirjoittaisi samannimisen tiedoston: nimeä kansio "
    "uudelleen tai poista se, tai valitse toinen tulostekansio; mitään ei kirjoitettu",
)
A_FILE = Msg(
    en="{path} is a file where qms needs a folder for {inner}: rename or remove the file, or "
    "choose another output folder; nothing written",
    fi="{path} on tiedosto, mutta qms tarvitsee siihen kansion tiedostolle {inner}: nimeä "
    "tiedosto uudelleen tai poista se, tai valitse toinen tulostekansio; mitään ei kirjoitettu",
)


def refuse_wrong_kinds(targets: Iterable[Path], lang: str = "en") -> None:
    """Stop (exit 2) before writing when what is already there is of the other kind: a folder
    where a file goes, or a file where a folder is needed (an earlier export's `a.docx` where
    the diagrams of an organisation called `a.docx` go). The renames would otherwise fail
    half-way with the operating system's words."""
    seen: set[str] = set()
    for target in targets:
        path = os.fspath(target)
        with suppress(OSError):  # one `lstat` per file: the national build's
            if stat.S_ISDIR(os.lstat(path).st_mode):  # 27,000 files took seconds through
                raise refusal(A_FOLDER.format(lang, path=target))  # `Path` methods
        folder = os.path.dirname(path)
        while folder and folder not in seen:
            seen.add(folder)
            with suppress(OSError):  # missing: made later
                if not stat.S_ISDIR(os.stat(folder).st_mode):
                    raise refusal(A_FILE.format(lang, path=Path(folder), inner=target))
            parent = os.path.dirname(folder)
            folder = parent if parent != folder else ""


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and those of its parents that do not exist yet (nearest first)."""
    missing = []
    for f in (folder, *folder.parents):
        if f.exists():
            break
        missing.append(f)
    return missing


@contextmanager
def folders_for(paths: Iterable[Path]) -> Iterator[None]:
    """Make the folders `paths` go into before concurrent writers start: a writer that made a
    folder and removed it again on its own failure (write_atomic) would pull it from under
    another thread writing there, whose error ("No such file or directory") would then be
    reported instead of the real one (a full or read-only disk). If the block fails, the
    folders made here that stayed empty are removed."""
    made: list[Path] = []
    try:
        for folder in sorted({Path(p).parent for p in paths}):
            made += _missing_folders(folder)
            folder.mkdir(parents=True, exist_ok=True)
        yield
    except BaseException:
        _remove_empty(made)
        raise


def _remove_empty(folders: Iterable[Path]) -> None:
    """Remove the folders a failed write made, deepest first: a failed write leaves no trace.
    Only empty ones (`rmdir`): never what someone else put there meanwhile."""
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        with suppress(OSError):
            folder.rmdir()


def replace_together(files: Mapping[Path, bytes], lang: str = "en") -> list[Path]:
    """Write several files so that either every one is replaced or none is.

    Everything is staged beside its target first (a full disk fails here, before any target
    is touched); then the staged files are swapped in (`swap_in`).
    """
    refuse_special(files, lang)
    refuse_wrong_kinds(files, lang)
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []
    try:
        for target, data in sorted(files.items()):
            made += _missing_folders(target.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append((stage(target, data), target))
        swap_in(staged)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        _remove_empty(made)
        raise
    return [target for _, target in staged]


def swap_in(pairs: Sequence[tuple[Path, Path]]) -> None:
    """Rename each written file onto its target, all or nothing: each existing target is first
    renamed aside; when a rename fails, the targets already replaced are put back, the new
    ones removed, and the error raised. Renames need no space, so the undo works on a full
    disk too."""
    done: list[tuple[Path, Path | None]] = []
    folders: set[Path] = set()
    try:
        for src, target in pairs:
            if target.parent not in folders:  # once per folder, not per file
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            backup: Path | None = None
            if os.path.lexists(target):
                fd, name = tempfile.mkstemp(
                    prefix=f".{target.name}.", suffix=".old", dir=target.parent
                )
                os.close(fd)
                backup = Path(name)
                try:
                    os.replace(target, backup)
                except BaseException:
                    backup.unlink(missing_ok=True)
                    raise
            done.append((target, backup))
            os.replace(src, target)
    except BaseException:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)


MAX_CACHE_BYTES = 256 * 1024 * 1024
"""A cache file larger than this is not read (the national layout cache is about 10 MB)."""


def read_cache_bytes(path: Path) -> bytes | None:
    """The bytes of a cache file, or None when it is missing, not a regular file or too large.
    Caches in an output folder are untrusted input: a FIFO or a link to /dev/zero put there
    must neither hang nor be read forever."""
    try:
        data, size = read_regular(path, MAX_CACHE_BYTES)
    except OSError:
        return None
    return data if size <= MAX_CACHE_BYTES else None


def read_cache(path: Path) -> Any:
    """The JSON of a cache file, or None when it is missing, not a regular file, too large, not
    JSON, or nested deeper than the parser can follow (`read_cache_bytes`): the caller checks
    the shape of what it gets and recomputes on doubt."""
    import json

    data = read_cache_bytes(path)
    try:
        return None if data is None else json.loads(data)
    except (ValueError, RecursionError):
        return None


def is_plain_relative(name: object) -> bool:
    """True for a relative POSIX path inside its folder: no '..', no absolute path, no NUL.

    >>> [is_plain_relative(n) for n in ("a/b.svg", "../x", "/etc/passwd", "a/../../b", 3)]
    [True, False, False, False, False]
    """
    if not isinstance(name, str) or not name or "\0" in name or "\\" in name:
        return False
    return not name.startswith("/") and ".." not in name.split("/")


LOCK_NAME = ".qms-lock"
LOCK_WAIT = 600.0
"""Seconds a build waits for another build into the same folder before giving up."""
BUSY = Msg(
    en="{folder}: another qms run has been writing into this folder for {seconds:.0f} s "
    "(lock file {lock}); try again when it is done",
    fi="{folder}: toinen qms-ajo on kirjoittanut tähän kansioon jo {seconds:.0f} s "
    "(lukkotiedosto {lock}); yritä uudelleen, kun se on valmis",
)


@contextmanager
def output_lock(folder: Path, lang: str = "en", wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the folder's lock file while a run reads its caches and writes its files, so that
    two builds into one folder run one after the other instead of mixing their files and
    caches. The lock (filelock: flock on POSIX, msvcrt on Windows) is released by the
    operating system when a run dies, so a killed build never leaves the folder locked."""
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=wait)
    try:
        lock.acquire()
    except Timeout as error:
        lock_path = str(folder / LOCK_NAME)
        raise refusal(BUSY.format(lang, folder=folder, seconds=wait, lock=lock_path)) from error
    try:
        # Holding the lock, no other run is using a staging folder here: one left behind is
        # from a killed run, and goes even when this run has nothing to draw.
        remove_stale_staging(folder)
        yield
    finally:
        lock.release()


NOT_REGULAR = "not a regular file (a pipe, a device or a socket)"


def read_regular(path: str | os.PathLike[str], limit: int) -> tuple[bytes, int]:
    """(the first `limit` + 1 bytes, the size) of a regular file; (b"", the size) when it says
    it is larger than `limit`. A FIFO, a device such as /dev/zero or a socket raises OSError
    before anything is read (opened without blocking, so a FIFO without a writer does not
    hang), and no more than `limit` + 1 bytes are read, whatever the file claims its size is
    (a file of /proc says 0)."""
    import errno

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, NOT_REGULAR, os.fspath(path))
        if info.st_size > limit:  # too large, as it says: nothing read (a sparse 300 MB file)
            return b"", info.st_size
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data, max(info.st_size, len(data))


def _read_umask() -> int:
    """The process's umask, read once at import by setting and restoring it (no getter
    exists, and doing it later from worker threads would race with their file creation)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()


def umask() -> int:
    """The process's umask as it was at start-up."""
    return UMASK


def _bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def conflicts(files: Mapping[str, str | bytes], base: Path) -> list[str]:
    """Files of `files` that exist under `base` with other contents (or as folders)."""
    found = []
    for rel, content in sorted(files.items()):
        target = base / rel if rel else base
        if target.exists() and (not target.is_file() or target.read_bytes() != _bytes(content)):
            found.append(str(target))
    return found


CLASH = Msg(
    en="{file} would have to be both a file and the folder of {inner}: an id is the name of a "
    "file qms writes; rename the organisation or process; nothing written",
    fi="{file} pitäisi olla sekä tiedosto että tiedoston {inner} kansio: tunniste on qms:n "
    "kirjoittaman tiedoston nimi; nimeä organisaatio tai prosessi uudelleen; mitään ei kirjoitettu",
)


def output_clashes(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(file, path inside it) for every output that another output needs as its folder, e.g.
    the portal's `qms.css` and the pages of an organisation whose id is `qms.css`.

    >>> output_clashes(["qms.css", "qms.css/index.html", "a/b.svg", "a/c.svg"])
    [('qms.css', 'qms.css/index.html')]
    """
    names = set(paths)
    found = []
    for path in sorted(names):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in names:
                found.append((folder, path))
    return found


def refuse_clashes(paths: Iterable[str], lang: str = "en") -> None:
    """Stop (exit 2) before writing when one output would be another's folder."""
    clashes = output_clashes(paths)
    if clashes:
        file, inner = clashes[0]
        raise refusal(CLASH.format(lang, file=file, inner=inner))


NOT_A_FOLDER = Msg(
    en="{path} is a file; this output is a set of files and needs a folder: give -o a folder "
    "name; nothing written",
    fi="{path} on tiedosto; tämä tuloste on joukko tiedostoja ja tarvitsee kansion: anna -o:lle "
    "kansion nimi; mitään ei kirjoitettu",
)
LINK_INSIDE = Msg(
    en="{path} is a symbolic link to {target}; qms writes only inside the output folder: "
    "remove the link or choose another folder; nothing written",
    fi="{path} on symbolinen linkki kohteeseen {target}; qms kirjoittaa vain tulostekansion "
    "sisään: poista linkki tai valitse toinen kansio; mitään ei kirjoitettu",
)


def refuse_links(base: Path, rels: Iterable[str], lang: str = "en") -> None:
    """Stop (exit 2) when a folder that an output goes into is a symbolic link: writing through
    it would write outside the output folder. (A link where a file goes is replaced by the
    rename, never written through.)"""
    seen: set[str] = set()
    for rel in rels:
        parts = rel.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder in seen:
                continue
            seen.add(folder)
            path = base / folder
            if path.is_symlink():
                target = os.readlink(path)
                raise refusal(LINK_INSIDE.format(lang, path=path, target=target))


STAGING = ".qms-staging-"
"""The prefix of a staging folder inside an output folder."""


def remove_stale_staging(base: Path) -> None:
    """Remove the staging folders a killed run left in `base` (call it holding the lock)."""
    import shutil

    for stale in base.glob(f"{STAGING}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def staged_folder(base: Path, lang: str = "en", keep: Iterable[str] = ()) -> Iterator[Path]:
    """An empty hidden folder inside `base` to write a whole set of outputs into (with copies
    of the files named in `keep`, e.g. caches that the writer updates); when the block ends
    without error,
    every file written there is swapped into `base` (`swap_in`: all or nothing). When the block
    fails (a full disk, a killed Graphviz), nothing in `base` has changed: a set of outputs is
    replaced as a whole or not at all."""
    import shutil

    if base.is_symlink():
        base = base.resolve()
    if base.exists() and not base.is_dir():
        raise refusal(NOT_A_FOLDER.format(lang, path=base))
    base.mkdir(parents=True, exist_ok=True)
    # Inside the output folder (hidden), so that nothing is ever written outside it; a run
    # killed part-way leaves its staging folder behind, and the next run (holding the
    # folder's lock, so no other run is using one) removes it.
    remove_stale_staging(base)
    stage = Path(tempfile.mkdtemp(prefix=STAGING, dir=base))
    try:
        for name in keep:
            if (base / name).is_file():
                shutil.copy2(base / name, stage / name)
        yield stage
        pairs = [(stage / rel, base / rel) for rel in _files_below(stage)]
        refuse_wrong_kinds((target for _, target in pairs), lang)
        swap_in(pairs)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _files_below(folder: Path) -> list[str]:
    """The files (and symbolic links) below `folder`, as sorted relative paths: listed with
    `os.scandir`, whose entries know their kind without a `stat` each."""
    found: list[str] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        with os.scandir(folder / rel if rel else folder) as listing:
            for entry in listing:
                name = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(name)
                elif entry.is_file() or entry.is_symlink():
                    found.append(name)
    return sorted(found, key=lambda rel: rel.split("/"))  # as `Path` objects sort


def write_tree(
    files: Mapping[str, str | bytes],
    base: Path,
    force: bool,
    lang: str = "en",
    within: Path | None = None,
) -> int:
    """Write a map of relative path -> contents under `base`, as a whole.

    Refuses (exit 2, nothing written) when any file exists with other contents, unless
    `force`, when one output would be another's folder, or when a folder written into is a
    symbolic link (from `within`, the folder the user named, when `base` is a folder inside
    it, as `qms build` puts the portal in OUT/site); files that are already identical are
    left alone, their times too. A set of files is staged beside its targets and swapped in
    all or nothing (`replace_together`); a single file (`rel` "") atomically. Returns the
    number of files written.
    """
    refuse_clashes(files, lang)
    if within is not None and within != base and within in base.parents:
        below = base.relative_to(within).as_posix()
        refuse_links(within, (f"{below}/{rel}" if rel else below for rel in files), lang)
    else:
        refuse_links(base, files, lang)
    clashes = conflicts(files, base)
    if clashes and not force:
        shown = "\n".join(f"  {c}" for c in clashes[:10])
        more = f"\n  ... (+{len(clashes) - 10})" if len(clashes) > 10 else ""
        raise refusal(EXISTS_MANY.format(lang, count=len(clashes), files=shown + more))
    changed = {}
    for rel, content in sorted(files.items()):
        target = base / rel if rel else base
        data = _bytes(content)
        if not (target.is_file() and target.read_bytes() == data):
            changed[rel] = data
    if "" in changed:
        refuse_special([base], lang)
        write_atomic(base, changed[""])
    elif changed:
        if base.exists() and not base.is_dir():
            raise refusal(NOT_A_FOLDER.format(lang, path=base))
        replace_together({base / rel: data for rel, data in changed.items()}, lang)
    return len(changed)


def write_safely(path: str, content: str | bytes, force: bool, lang: str = "en") -> None:
    """Write one file, refusing to replace a different existing file without force."""
    target = Path(path)
    refuse_special([target], lang)
    if not force and conflicts({target.name: content}, target.parent):
        raise refusal(EXISTS.format(lang, path=path))
    write_atomic(target, _bytes(content))


def refusal(message: str) -> Refused:
    """An error that stops the command with exit code 2 (the user must change the call)."""
    return Refused(message)


class Refused(Exception):
    """Refused to act (e.g. to overwrite); the CLI stops with exit code 2, like bad usage."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
