"""Charts drawn ahead on workers while `qms build` draws its diagrams
(qms/export/ahead.py): the portal and the Word files come out the same, and none of their
charts is drawn again in the command."""

from __future__ import annotations

import os

import pytest

from qms import charts
from qms.export import ahead
from qms.load import load
from qms.publish import Publication
from tests.conftest import LAMPPU, docx_parts, requires_dot

TWO = ("kao", "redu")


@pytest.fixture
def fresh_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """No chart kept from another test, and none left for the next."""
    monkeypatch.setattr(charts, "_KEPT", {})
    monkeypatch.setattr(charts, "_PENDING", [])
    monkeypatch.setattr(charts, "_RECORDED", None)


@requires_dot
@pytest.mark.usefixtures("fresh_charts")
def test_charts_drawn_ahead_give_the_same_portal_and_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serial = Publication(load(LAMPPU))
    portal, documents = serial.files("html", "out"), serial.files("docx", "out", TWO)
    assert not charts.drawn_ahead()

    monkeypatch.setattr(ahead, "MIN_CHARTS", 1)  # LAMPPU's 12 charts are too few to fork for
    pub = Publication(load(LAMPPU), processes=2)
    pub.draw_charts_ahead()
    assert charts._PENDING, "the charts are being drawn on workers"
    here = charts.record()  # from now on, every chart this process draws is kept here
    assert pub.files("html", "out") == portal
    assert docx_parts(pub.files("docx", "out", TWO)) == docx_parts(documents)
    todo = ahead.work(pub.manuals(pub.doc_lang))
    assert len(todo) >= 12  # 11 metric trends and a self-assessment, as SVG and PNG; a matrix
    drawn = sum(len(formats) for _, formats in todo)
    assert len(charts._KEPT) == drawn, "every chart of the portal and the documents came back"
    assert here == {}, "no chart was drawn again in the command"


@pytest.mark.usefixtures("fresh_charts")
def test_a_failed_helper_leaves_the_charts_to_be_drawn_here() -> None:
    pub = Publication(load(LAMPPU))
    trend = next(t for m in pub.manuals("fi") for t in m.trends if t.plotted)
    expected = trend.chart("png")

    def broken() -> dict[str, bytes]:
        raise RuntimeError("the worker died")

    charts.keep_later(broken)
    assert trend.chart("png") == expected
    assert not charts.drawn_ahead(), "nothing was kept from the failed helper"


def test_one_process_or_a_server_draws_nothing_ahead() -> None:
    assert not ahead.draw_ahead([], 2), "no charts: no workers"
    assert Publication(load(LAMPPU)).processes == 1  # `qms serve` and `qms export`
    Publication(load(LAMPPU)).draw_charts_ahead()
    assert not charts.drawn_ahead()


@pytest.mark.usefixtures("fresh_charts")
def test_a_forked_child_does_not_wait_for_its_parents_helpers() -> None:
    """A document made on a forked worker inherits the parent's pending charts; only the
    parent may wait for them (the child has no handle on the parent's workers)."""
    pub = Publication(load(LAMPPU))
    trend = next(t for m in pub.manuals("fi") for t in m.trends if t.plotted)
    asked: list[str] = []

    def parents() -> dict[str, bytes]:
        asked.append("waited")
        return {}

    charts._PENDING.append((os.getpid() + 1, parents))  # as a forked child sees it
    assert trend.chart("svg").startswith(b"<?xml")
    assert asked == [] and charts._PENDING == []


@pytest.mark.usefixtures("fresh_charts")
def test_the_charts_start_before_the_manuals_which_are_built_while_flows_are_laid_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`qms build` takes the charts from the model (`charted`), the very items its manuals
    show, and builds the manuals while the workers lay the flows out (`prepared`)."""
    from qms.export.manual import charted

    pub = Publication(load(LAMPPU), processes=2)
    ws = pub.workspace
    assert ws is not None
    manuals = pub.manuals(pub.doc_lang)
    assert [(c.short, c.assessments, c.trends) for c in charted(ws, pub.doc_lang)] == [
        (m.short, m.assessments, m.trends) for m in manuals
    ]

    monkeypatch.setattr(ahead, "MIN_CHARTS", 1)
    pub = Publication(load(LAMPPU), processes=2)
    pub.refuse_shared_folder_clashes()
    pub.draw_charts_ahead()
    assert charts._PENDING and not pub._manuals, "charts started, manuals not built yet"
    seen: list[bool] = []
    from qms import render
    from qms.render import pool

    prepare = render.prepare

    def watched(*args: object, meanwhile: object = None, **kw: object) -> object:
        def then() -> None:
            assert callable(meanwhile)
            meanwhile()
            seen.append(bool(pub._manuals))

        return prepare(*args, meanwhile=then, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "prepare", watched)
    monkeypatch.setattr(pool, "MIN_FLOWS", 1)  # LAMPPU's flows are too few to fork for
    pub.prepared(pub.language)
    assert seen == [True], "the manuals were built while the flows were laid out"
