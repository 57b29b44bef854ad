"""Flows laid out in worker processes (qms/render/pool.py) give exactly the files of the
serial path, and only one-shot commands fork."""

from __future__ import annotations

from pathlib import Path

import pytest

import qms.render as render_mod
from qms.load import load
from qms.publish import Publication
from qms.render import pool, render_diagrams
from qms.render.engine import MANIFEST
from tests.conftest import LAMPPU, docx_parts, requires_dot


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST  # the manifest holds file times
    }


@requires_dot
def test_workers_draw_the_same_bytes_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load(LAMPPU)
    assert loaded.workspace is not None
    serial = render_diagrams(loaded.workspace, "fi", tmp_path / "one", ("svg", "dot"))
    placed = render_mod.layout_passes
    monkeypatch.setattr(pool, "MIN_FLOWS", 1)  # LAMPPU's 16 flows are too few to fork for
    chunks: list[int] = []
    real = pool.lay_out

    def spy(flows, cache, count):  # type: ignore[no-untyped-def]
        chunks.append(count)
        return real(flows, cache, count)

    monkeypatch.setattr(pool, "lay_out", spy)
    meanwhile: list[str] = []
    forked = render_diagrams(
        loaded.workspace,
        "fi",
        tmp_path / "two",
        ("svg", "dot"),
        processes=2,
        meanwhile=lambda: meanwhile.append("ran"),
    )
    assert chunks == [2], "the flows went to two worker processes"
    assert meanwhile == ["ran"], "the parent's own work ran once while the workers laid out"
    flows = len(list(LAMPPU.glob("organisations/*/processes/*.yaml")))
    assert render_mod.layout_passes - placed == flows == 22  # 16 sourced, 6 JEDU merger examples
    assert [j.name for j in forked.jobs] == [j.name for j in serial.jobs]
    assert [j.source for j in forked.jobs] == [j.source for j in serial.jobs]
    assert forked.failures == serial.failures == []
    assert _files(tmp_path / "two") == _files(tmp_path / "one")


def test_only_one_shot_commands_fork() -> None:
    """`qms serve` rebuilds through Publication(...) in a threaded server: it must not fork
    (only its first build, before the server's threads start, may: Site.rebuild(processes))."""
    assert Publication.open(LAMPPU).processes == 1
    assert Publication.one_shot(str(LAMPPU)).processes == pool.cores()
    assert pool.workers(1, 10_000) == 0
    assert pool.workers(2, pool.MIN_FLOWS - 1) == 0
    assert pool.workers(2, 10_000) == 2


@requires_dot
def test_charts_drawn_on_workers_are_the_portals_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal's charts (matplotlib) drawn on forked workers by a one-shot command: the
    same pages as drawing each when its page asks."""
    from qms.export import html

    serial = Publication(load(LAMPPU)).files("html", "out")
    forked: list[int] = []
    real = pool.map_forked

    def spy(function, items, processes):  # type: ignore[no-untyped-def]
        forked.append(len(items))
        return real(function, items, processes)

    monkeypatch.setattr(html, "map_forked", spy)
    two = Publication(load(LAMPPU), processes=2).files("html", "out")
    assert forked and forked[0] >= pool.MIN_ITEMS, "the charts went to the workers"
    assert two == serial


@requires_dot
def test_documents_made_on_workers_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """One DOCX per organisation, made on forked workers: the same documents."""
    two = ("kao", "redu")
    serial = Publication(load(LAMPPU)).files("docx", "out", two)
    monkeypatch.setattr(pool, "MIN_ITEMS", 1)  # two manuals are too few to fork for
    forked = Publication(load(LAMPPU), processes=2).files("docx", "out", two)
    assert sorted(serial) == ["kao.docx", "redu.docx"]
    assert docx_parts(forked) == docx_parts(serial)
