"""Writing files without losing anything: atomic replacement, and no overwrite without --force.

The library returns text; these write it. A refusal is a `Refused` error, which the CLI turns
into exit code 2 (the library itself never imports click).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

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


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: never half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = stage(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def stage(target: Path, data: bytes) -> Path:
    """`data` in a temporary file beside `target`, with the permissions of a new file
    (0644 under umask 022: mkstemp makes 0600, and outputs are for sharing)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~umask())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def replace_together(files: Mapping[Path, bytes]) -> list[Path]:
    """Write several files so that either every one is replaced or none is.

    Everything is staged beside its target first (a full disk fails here, before any target
    is touched); then each existing target is renamed aside and the staged file renamed in.
    When a rename fails, the targets already replaced are put back and new ones removed, and
    the error is raised. Renames need no space, so the undo works on a full disk too.
    """
    staged: list[tuple[Path, Path]] = []
    done: list[tuple[Path, Path | None]] = []
    try:
        for target, data in sorted(files.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append((stage(target, data), target))
        for tmp, target in staged:
            backup: Path | None = None
            if target.exists() or target.is_symlink():
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
            os.replace(tmp, target)
    except BaseException:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)
    return [target for _, target in staged]


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


def write_tree(files: Mapping[str, str | bytes], base: Path, force: bool, lang: str = "en") -> int:
    """Write a map of relative path -> contents under `base`, atomically file by file.

    Refuses (exit 2, nothing written) when any file exists with other contents, unless
    `force`; files that are already identical are left alone, their times too. Returns the
    number of files written.
    """
    clashes = conflicts(files, base)
    if clashes and not force:
        shown = "\n".join(f"  {c}" for c in clashes[:10])
        more = f"\n  ... (+{len(clashes) - 10})" if len(clashes) > 10 else ""
        raise refusal(EXISTS_MANY.format(lang, count=len(clashes), files=shown + more))
    written = 0
    for rel, content in sorted(files.items()):
        target = base / rel if rel else base
        data = _bytes(content)
        if target.is_file() and target.read_bytes() == data:
            continue
        write_atomic(target, data)
        written += 1
    return written


def write_safely(path: str, content: str | bytes, force: bool, lang: str = "en") -> None:
    """Write one file, refusing to replace a different existing file without force."""
    target = Path(path)
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
