"""Writing files without losing anything: atomic replacement, and no overwrite without --force.

Only the CLI calls these; the library returns text.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import click

from qms.findings import Msg

EXISTS = Msg(
    en="{path} exists and differs; not overwritten (use --force to replace it)",
    fi="{path} on jo olemassa ja eroaa; ei korvattu (korvaa valitsimella --force)",
)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: never half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def conflicts(files: Mapping[str, str], base: Path) -> list[str]:
    """Files of `files` that exist under `base` with other contents."""
    found = []
    for rel, content in files.items():
        target = base / rel
        if target.exists() and (
            not target.is_file() or target.read_bytes() != content.encode("utf-8")
        ):
            found.append(str(target))
    return found


def write_text_safely(path: str, text: str, force: bool, lang: str = "en") -> None:
    """Write one text file, refusing to replace a different existing file without force."""
    target = Path(path)
    if not force and conflicts({target.name: text}, target.parent):
        raise refusal(EXISTS.format(lang, path=path))
    write_atomic(target, text.encode("utf-8"))


def refusal(message: str) -> click.ClickException:
    """An error that stops the command with exit code 2 (the user must change the call)."""
    return Refused(message)


class Refused(click.ClickException):
    """Refused to act (e.g. to overwrite); exit code 2, like bad usage."""

    exit_code = 2
