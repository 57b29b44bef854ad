"""Flows laid out in worker processes (qms/render/pool.py) give exactly the files of the
serial path, and only one-shot commands fork."""

from __future__ import annotations

from collections.abc import Iterator
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
    chunks: list[tuple[int, int | None]] = []
    real = pool.lay_out

    def spy(flows, cache, count, expected=None):  # type: ignore[no-untyped-def]
        chunks.append((count, expected))
        return real(flows, cache, count, expected)

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
    assert chunks == [(2, 22)], "the flows went to two workers as their views were built"
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


@requires_dot
def test_flows_go_to_the_workers_while_the_rest_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold render hands `prepare` its views as an iterator (`flows`): the first chunk is
    sent before the last view is built, and the jobs are those of taking every view first."""
    from concurrent.futures import ProcessPoolExecutor

    from qms.index import Index
    from qms.render import diagrams

    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None
    index = Index.build(ws)
    monkeypatch.setattr(pool, "MIN_FLOWS", 1)
    monkeypatch.setattr(pool, "CHUNK", 2)
    whole = diagrams.prepare(diagrams.views(ws, index, "fi"), {}, processes=2)
    events: list[str] = []
    real_submit = ProcessPoolExecutor.submit

    def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("sent")
        return real_submit(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    makers = diagrams.view_makers(ws, index, "fi")

    def built() -> Iterator[diagrams.View]:
        for _, _, make in makers:
            events.append("view")
            yield make()

    flows = sum(flow for _, flow, _ in makers)
    streamed = diagrams.prepare(built(), {}, processes=2, flows=flows)
    assert [name for name, _, _ in makers] == [v.name for v in streamed.views]
    assert events.index("sent") < len(events) - 1 - events[::-1].index("view")
    assert events.count("sent") == -(-flows // 2) > 2
    assert [(j.name, j.source, j.program) for j in streamed.jobs] == [
        (j.name, j.source, j.program) for j in whole.jobs
    ]
    assert streamed.failures == whole.failures
    assert streamed.layouts == whole.layouts


def test_the_layout_workers_have_exited_when_the_jobs_are_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`prepare` returns only once its layout workers have exited: Graphviz's workers start
    next, and the two sets alive at once made a national render's memory their sum."""
    import multiprocessing

    from qms.index import Index
    from qms.render import diagrams

    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None
    monkeypatch.setattr(pool, "MIN_FLOWS", 1)
    seen: list[int] = []
    real = pool.lay_out

    def spy(flows, cache, count, expected=None):  # type: ignore[no-untyped-def]
        futures = real(flows, cache, count, expected)
        seen.append(len(pool._LAYING))
        return futures

    monkeypatch.setattr(pool, "lay_out", spy)
    before = {p.pid for p in multiprocessing.active_children()}
    done = diagrams.prepare(diagrams.views(ws, Index.build(ws), "fi"), {}, processes=2)
    assert seen == [1] and pool._LAYING == [], "the pool was open, then wound down"
    assert len(done.jobs) > 22
    left = [p for p in multiprocessing.active_children() if p.pid not in before]
    assert left == [], f"layout workers still alive: {left}"


def test_a_job_sent_to_a_worker_leaves_its_dot_text_as_it_was() -> None:
    """A DotJob pickles its DOT text as UTF-8 bytes: pickling the str itself would keep a
    UTF-8 copy inside it for good (CPython), doubling every Finnish DOT text in the process
    that sends the jobs to Graphviz's workers. Read back, the job is equal."""
    import pickle
    import sys

    from qms.render.engine import DotJob

    source = 'digraph { a [label="Työjärjestyksen hyväksyntä"]; }' * 200
    job = DotJob("j001/työ", source, ("neato", "-n2"))
    size = sys.getsizeof(job.source)
    back = pickle.loads(pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
    assert back == job and type(back) is DotJob
    assert sys.getsizeof(job.source) == size
    pickle.dumps(source, pickle.HIGHEST_PROTOCOL)  # the str pickled itself grows
    assert sys.getsizeof(source) > size
