"""The caches in an output folder are untrusted input (issue 15, item 9): a crafted, broken or
hostile `.qms-layout.json`, `.qms-diagrams.json` or `.qms-cache.json` never crashes or stalls
a render, and what is drawn is what a render into an empty folder draws. Two runs into one
folder take turns (the lock file)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import qms.render as render_mod
from qms.cli import cli
from qms.files import LOCK_NAME
from qms.load import load
from qms.render import DIAGRAM_CACHE, LAYOUT_CACHE, load_ranks, sound_ranks
from qms.render.dot import order_source
from qms.render.engine import MANIFEST, load_manifest
from qms.views import FlowView
from tests.conftest import requires_dot
from tests.render.helpers import SMALL
from tests.render.test_incremental import assert_same_as_fresh, draw


def _flows(ws: Path) -> list[tuple[str, set[str]]]:
    """(first-pass cache key, step ids) of every flow of the workspace."""
    loaded = load(ws)
    assert loaded.workspace is not None
    index = render_mod.Index.build(loaded.workspace)
    found = []
    for view in render_mod.views(loaded.workspace, index, "fi"):
        if isinstance(view, FlowView):
            key = hashlib.sha256(order_source(view).encode("utf-8")).hexdigest()
            found.append((key, {s.id for s in view.steps}))
    return found


def _crafted_ranks(kind: str, steps: set[str]) -> object:
    names = sorted(steps)
    if kind == "past-the-end":
        return {n: [i + 5, 0] for i, n in enumerate(names)}
    if kind == "enormous":
        return {n: [10**9 + i, 10**9] for i, n in enumerate(names)}
    if kind == "negative":
        return {n: [-1 - i, -3] for i, n in enumerate(names)}
    if kind == "missing-step":
        return {n: [i, 0] for i, n in enumerate(names[1:])}
    if kind == "extra-step":
        return {**{n: [i, 0] for i, n in enumerate(names)}, "intruder": [0, 1]}
    if kind == "same-place":
        return {n: [0, 0] for n in names}
    if kind == "floats-and-bools":
        return {n: [float(i), True] for i, n in enumerate(names)}
    if kind == "not-pairs":
        return {n: "0,0" for n in names}
    raise AssertionError(kind)


RANKS = [
    "past-the-end",
    "enormous",
    "negative",
    "missing-step",
    "extra-step",
    "same-place",
    "floats-and-bools",
    "not-pairs",
]


@pytest.mark.parametrize("kind", RANKS)
def test_crafted_entries_are_never_used(kind: str) -> None:
    steps = {"alku", "kysely", "loppu"}
    crafted = _crafted_ranks(kind, steps)
    ranks = {k: tuple(v) for k, v in crafted.items()} if isinstance(crafted, dict) else {}
    assert not sound_ranks(ranks, steps)  # type: ignore[arg-type]
    assert sound_ranks({"alku": (0, 0), "kysely": (1, 0), "loppu": (1, 1)}, steps)


WHOLE_FILES = {
    "not-json": "{nope",
    "a-list": "[1, 2, 3]",
    "deeply-nested": "[" * 100_000 + "]" * 100_000,
    "huge-integer": '{"k": {"a": [' + "9" * 5000 + ", 0]}}",
    "binary": "\x00\x01\x02",
}


@pytest.mark.dot
@requires_dot
@pytest.mark.parametrize("kind", RANKS + sorted(WHOLE_FILES))
def test_a_crafted_layout_cache_is_laid_out_again(tmp_path: Path, kind: str) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    out.mkdir()
    if kind in WHOLE_FILES:
        (out / LAYOUT_CACHE).write_text(WHOLE_FILES[kind], encoding="utf-8")
    else:
        data = {key: _crafted_ranks(kind, steps) for key, steps in _flows(ws)}
        (out / LAYOUT_CACHE).write_text(json.dumps(data), encoding="utf-8")
    done = CliRunner().invoke(cli, ["render", str(ws), "-o", str(out), "--format", "svg,dot"])
    assert done.exit_code == 0, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert_same_as_fresh(ws, out, tmp_path)
    for key, steps in _flows(ws):  # the cache now holds the real first passes
        assert sound_ranks(load_ranks(out)[key], steps)


MANIFESTS = {
    "escaping-paths": {"entries": {"../../etc/passwd": "x", "/abs": "y", "a/../../b": "z"}},
    "wrong-types": {"entries": {"demo/palaute.svg": 5, "x.svg": None}},
    "entries-a-list": {"entries": ["demo/palaute.svg"]},
    "nested": {"entries": {"demo/palaute.svg": {"a": {"b": [1]}}}},
}
DIAGRAM_CACHES = {
    "key-a-number": {"version": 1, "diagrams": {"demo/palaute": {"key": 5, "files": {}}}},
    "files-a-list": {"version": 1, "diagrams": {"demo/palaute": {"key": "k", "files": [1]}}},
    "version-a-string": {"version": "1", "diagrams": {}},
}


@pytest.mark.dot
@requires_dot
@pytest.mark.parametrize("kind", sorted(MANIFESTS) + sorted(DIAGRAM_CACHES) + ["nested-deep"])
def test_crafted_manifests_and_diagram_caches_are_misses(tmp_path: Path, kind: str) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    draw(ws, out)
    if kind in MANIFESTS:
        (out / MANIFEST).write_text(json.dumps(MANIFESTS[kind]), encoding="utf-8")
    elif kind in DIAGRAM_CACHES:
        (out / DIAGRAM_CACHE).write_text(json.dumps(DIAGRAM_CACHES[kind]), encoding="utf-8")
    else:
        (out / MANIFEST).write_text("[" * 100_000, encoding="utf-8")
        (out / DIAGRAM_CACHE).write_text("{" * 100_000, encoding="utf-8")
    done = CliRunner().invoke(cli, ["render", str(ws), "-o", str(out), "--format", "svg,dot"])
    assert done.exit_code == 0, done.output
    assert_same_as_fresh(ws, out, tmp_path)
    assert all(".." not in k and not k.startswith("/") for k in load_manifest(out))


@pytest.mark.dot
@requires_dot
def test_two_runs_into_one_folder_take_turns(tmp_path: Path) -> None:
    """While one run holds the folder's lock, another writes nothing; it goes on after."""
    from filelock import FileLock

    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    out.mkdir()
    lock = FileLock(str(out / LOCK_NAME))
    lock.acquire()
    try:
        other = subprocess.Popen(
            [sys.executable, "-m", "qms", "render", str(ws), "-o", str(out), "--format", "svg"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and other.poll() is None:
            # The other run has started and is waiting: nothing of it is in the folder.
            assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
            time.sleep(0.5)
            if time.monotonic() > deadline - 55:  # waited five seconds
                break
        assert other.poll() is None, other.communicate()
    finally:
        lock.release()
    _, err = other.communicate(timeout=300)
    assert other.returncode == 0, err
    assert (out / "demo" / "palaute.svg").is_file()
