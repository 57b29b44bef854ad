"""The YAML files of one organisation, read with ruamel.yaml's round trip: what the workbook
is exported from and what its import writes back into.

Rows are taken from the files as written (not from the validated model), so that a cell shows
exactly what the YAML says and an unchanged cell can be recognised on import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qms import yamledit
from qms.workbook.columns import (
    ACTIONS,
    METRICS,
    PLANS,
    PROCESSES,
    RESULTS,
    ROLES,
    STEPS,
    Sheet,
)

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A larger YAML file in an organisation folder is not read (the loader's limit too)."""


@dataclass
class Doc:
    """One model file: its path relative to the organisation folder, its text and data."""

    rel: str
    text: str
    data: Any

    @property
    def kind(self) -> str:
        """The file's `kind:`."""
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""


@dataclass
class OrgFiles:
    """An organisation's files by kind; `organisation` is None when the folder has none."""

    folder: Path
    organisation: Doc | None = None
    processes: list[Doc] = field(default_factory=list)
    plans: list[Doc] = field(default_factory=list)
    metrics: list[Doc] = field(default_factory=list)
    results: list[Doc] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def org_id(self) -> str:
        """The organisation's id as its file says, '' when unknown."""
        data = self.organisation.data if self.organisation else None
        return str(data.get("id", "")) if isinstance(data, dict) else ""


def _files(folder: Path) -> Iterator[Path]:
    """Every *.yaml below `folder`, sorted, without hidden folders or links leading out."""
    real = folder.resolve()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            inside = path.resolve().is_relative_to(real)
            if name.endswith(".yaml") and not name.startswith(".") and inside and path.is_file():
                yield path


def read_org(folder: Path) -> OrgFiles:
    """The model files of the organisation folder `folder` (nothing when it does not exist)."""
    out = OrgFiles(folder)
    if not folder.is_dir():
        return out
    for path in _files(folder):
        rel = path.relative_to(folder).as_posix()
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError(rel)
            text = path.read_text(encoding="utf-8-sig")
            data = yamledit.load(text)
        except Exception:  # noqa: BLE001 - any unreadable file is reported, never a traceback
            out.unreadable.append(rel)
            continue
        doc = Doc(rel, text, data)
        kind = doc.kind
        if kind == "organisation" and out.organisation is None:
            out.organisation = doc
        elif kind == "process":
            out.processes.append(doc)
        elif kind == "plan":
            out.plans.append(doc)
        elif kind == "metrics":
            out.metrics.append(doc)
        elif kind == "results":
            out.results.append(doc)
    return out


def items(data: Any, key: str) -> list[Any]:
    """The list under `key` of a document, [] when absent or not a list."""
    value = data.get(key) if isinstance(data, dict) else None
    return list(value) if isinstance(value, list) else []


Row = tuple[str, Any, tuple[Any, ...]]
"""(owner id or '', the row's YAML mapping, the example chain outermost first)."""


def rows(files: OrgFiles, sheet: Sheet, outer: tuple[Any, ...] = ()) -> list[Row]:
    """The rows of a sheet: each element with its owner's id and the chain of elements that
    hold it (for the inherited example mark)."""
    org = files.organisation.data if files.organisation else {}
    chain = (*outer, org)
    out: list[Row] = []
    if sheet is PROCESSES:
        out = [("", d.data, (*chain, d.data)) for d in files.processes]
    elif sheet is STEPS:
        for d in files.processes:
            pid = str(d.data.get("id", ""))
            out += [(pid, s, (*chain, d.data, s)) for s in items(d.data, "steps")]
    elif sheet is ROLES:
        out = [("", r, (*chain, r)) for r in items(org, "roles")]
    elif sheet is METRICS:
        for d in files.metrics:
            out += [("", m, (*chain, m)) for m in items(d.data, "metrics")]
    elif sheet is PLANS:
        out = [("", d.data, (*chain, d.data)) for d in files.plans]
    elif sheet is ACTIONS:
        for d in files.plans:
            plan = str(d.data.get("id", ""))
            out += [(plan, a, (*chain, d.data, a)) for a in items(d.data, "actions")]
    elif sheet is RESULTS:
        for d in files.results:
            out += [("", r, (*chain, r)) for r in items(d.data, "results")]
    return [(owner, row, ch) for owner, row, ch in out if isinstance(row, dict)]


def example_mark(chain: tuple[Any, ...]) -> Any:
    """The example mark that holds for the innermost element (qms.example's inheritance,
    read from the YAML): None, True or the mark with the nearest reason."""
    found: Any = None
    for element in chain:
        mark = element.get("example") if isinstance(element, dict) else None
        if mark is None:
            continue
        if mark is False:
            found = None
        elif isinstance(mark, dict):
            found = mark
        else:
            found = found if isinstance(found, dict) else True
    return found
