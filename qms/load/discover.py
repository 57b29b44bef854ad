"""Which files make up a workspace: every `*.yaml` below its root, found without leaving it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qms import i18n
from qms.findings import Msg

WORKSPACE_FILE = "qms.yaml"


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def discover(root: Path) -> tuple[list[str], list[tuple[str, Msg, dict[str, Any], str]]]:
    """Every `*.yaml` below root (sorted, relative, posix) and the entries refused on the way.

    Symbolic links are followed only where they stay inside the workspace; hidden folders
    (.git, .venv) are skipped.
    """
    real_root = root.resolve()
    base = os.fspath(root)
    found: list[str] = []
    refused: list[tuple[str, Msg, dict[str, Any], str]] = []

    def outside(full: str) -> str | None:
        """The link's text when a symbolic link leads out of the workspace (or nowhere: a loop
        of links), else None."""
        try:
            inside = _is_within(Path(full).resolve(strict=True), real_root)
        except (OSError, RuntimeError):  # a loop of links, or a link to nothing
            return None
        return None if inside else os.readlink(full)

    # os.scandir rather than os.walk and Path objects: the entry types come with the listing,
    # which matters at 10,000 files on every `qms validate`.
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(os.path.join(base, folder) if folder else base) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            rel = f"{folder}/{name}" if folder else name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name.startswith("."):
                    continue
                if entry.is_symlink():
                    if (shown := outside(entry.path)) is not None:
                        refused.append((rel, i18n.SYMLINK_OUT, {"target": shown}, "error"))
                    continue
                if name.endswith(".yaml"):
                    refused.append((rel, i18n.DIRECTORY_NAMED_YAML, {"name": rel}, "warning"))
                pending.append(rel)
                continue
            if not name.endswith(".yaml") or name.startswith("."):
                continue
            if entry.is_symlink() and (shown := outside(entry.path)) is not None:
                refused.append((rel, i18n.SYMLINK_OUT, {"target": shown}, "error"))
                continue
            found.append(rel)
    found.sort()
    return found, refused
