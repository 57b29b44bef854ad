"""The quality cycle end to end: charts, LAMPPU's self-assessments, portal pages, the
management-review pack read back (DOCX with python-docx, PDF with pdftotext, HTML)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import pytest
from click.testing import CliRunner

from qms import charts
from qms.charts import Bar, Format, maturity_chart, ratings_chart, trend_chart, trend_status
from qms.cli import cli
from qms.export.assessment import AssessmentReport, MaturityView, Trend, maturity
from qms.export.html import portal
from qms.export.manual import Manual, build_manuals
from qms.export.pdf import available
from qms.lint import lint
from qms.load import load
from tests.conftest import LAMPPU, needs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PARTNERS = ("jedu", "kao", "lappia", "redu", "sakk")
SCALE = [(1, "puuttuva"), (2, "alkava"), (3, "kehittyvä"), (4, "edistynyt")]
LABELS = {"threshold": "kynnys", "unrated": "ei arvioitu", "target": "tavoite", "baseline": "lähtö"}
requires_pdf = needs(
    available() is None and shutil.which("pdftotext") is not None,
    "WeasyPrint or poppler-utils is missing (make test installs them)",
)


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_charts_are_byte_stable(fmt: Format) -> None:
    bars = [Bar("J1.1", 3), Bar("J1.2", None), Bar("Y1.1", 1)]
    first = ratings_chart(bars, SCALE, 3, LABELS, fmt)
    assert first == ratings_chart(bars, SCALE, 3, LABELS, fmt)
    grid = [[1, 2], [None, 4]]
    assert maturity_chart(["a", "b"], ["X", "Y"], grid, SCALE, fmt) == maturity_chart(
        ["a", "b"],
        ["X", "Y"],
        grid,
        SCALE,
        fmt,
    )
    trend = trend_chart(["k", "s"], [60.0, 70.0], 75.0, 50.0, LABELS, "%", fmt)
    assert trend == trend_chart(["k", "s"], [60.0, 70.0], 75.0, 50.0, LABELS, "%", fmt)
    assert trend != trend_chart(["k", "s"], [60.0, 71.0], 75.0, 50.0, LABELS, "%", fmt)
    if fmt == "svg":
        text = first.decode("utf-8")
        assert "<dc:date>" not in text and "kehittyvä" in text  # text kept as text
    else:
        assert first.startswith(b"\x89PNG")


@pytest.mark.parametrize("order", [("svg", "png"), ("png", "svg")])
def test_formats_saved_from_one_figure_are_those_of_a_figure_each(
    order: tuple[Format, Format], lamppu_manuals: list[Manual], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`also` saves a chart's other format from the same figure (qms/export/ahead.py): the
    figure is laid out once, whatever the formats asked, so both are the bytes of a figure of
    their own; the other format is kept, not drawn again."""
    monkeypatch.setattr(charts, "_KEPT", {})
    monkeypatch.setattr(charts, "_RECORDED", None)
    items = [*(r for m in lamppu_manuals for r in m.assessments)]
    items += [t for m in lamppu_manuals for t in m.trends if t.plotted][:3]
    items += maturity([(m.short, m.assessments) for m in lamppu_manuals])
    kinds = {type(item).__name__ for item in items}
    assert kinds == {"AssessmentReport", "Trend", "MaturityView"}
    first, second = order
    for item in items:
        alone = [item.chart(first), item.chart(second)]
        assert charts._KEPT == {}, "a chart asked alone is drawn, not kept"
        assert item.chart(first, also=[second]) == alone[0]
        recorded = charts.record()  # the second format is kept: asking draws nothing
        assert item.chart(second) == alone[1]
        assert recorded == {}
        monkeypatch.setattr(charts, "_RECORDED", None)
        charts._KEPT.clear()


def _drawn_charts(
    manuals: list[Manual], monkeypatch: pytest.MonkeyPatch
) -> list[tuple[Callable[[Figure], None], tuple[float, float], bytes]]:
    """Each kind of LAMPPU's charts as its PNG, with what drew it (`draw`, figure size)."""
    monkeypatch.setattr(charts, "_KEPT", {})
    monkeypatch.setattr(charts, "_RECORDED", None)
    items: list[AssessmentReport | Trend | MaturityView] = [manuals[0].assessments[0]]
    items += [t for m in manuals for t in m.trends if t.plotted and t.baseline is not None][:1]
    items += [t for m in manuals for t in m.trends if t.plotted and t.target is not None][:1]
    items += maturity([(m.short, m.assessments) for m in manuals])
    assert {type(item).__name__ for item in items} == {"AssessmentReport", "Trend", "MaturityView"}
    render = charts._render
    seen: list[tuple[Any, tuple[float, float]]] = []

    def spy(draw: Any, size: tuple[float, float], *args: Any, **kwargs: Any) -> bytes:
        seen.append((draw, size))
        return render(draw, size, *args, **kwargs)

    monkeypatch.setattr(charts, "_render", spy)
    pngs = [item.chart("png") for item in items]
    return [(draw, size, png) for (draw, size), png in zip(seen, pngs, strict=True)]


def test_charts_are_laid_out_once_as_matplotlib_lays_them_out(
    lamppu_manuals: list[Manual], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figure is laid out once (constrained layout) and then saved in each format; the
    PNG has the very pixels of matplotlib's own PNG of a constrained-layout figure, saved as
    an opaque RGB image at the figure's dpi."""
    from matplotlib.figure import Figure
    from PIL import Image, ImageChops

    for draw, size, png in _drawn_charts(lamppu_manuals, monkeypatch):
        with matplotlib.rc_context(charts._RC):  # type: ignore[arg-type]
            fig = Figure(figsize=size, dpi=150, layout="constrained")
            draw(fig)
            out = io.BytesIO()
            fig.savefig(out, format="png")
        theirs = Image.open(out)
        assert theirs.getchannel("A").getextrema() == (255, 255), "an opaque figure"
        ours = Image.open(io.BytesIO(png))
        assert ours.mode == "RGB" and ours.size == theirs.size
        assert round(ours.info["dpi"][0]) == 150
        assert ImageChops.difference(ours, theirs.convert("RGB")).getbbox() is None


def test_trend_line_labels_stand_clear_of_the_axes_edges(
    lamppu_manuals: list[Manual], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The target's and the baseline's labels stand inside the axes, off its edges: the
    baseline's label began on the y axis, which hid its first letter."""
    from matplotlib.figure import Figure

    labelled = 0
    for draw, size, _ in _drawn_charts(lamppu_manuals, monkeypatch)[1:3]:
        with matplotlib.rc_context(charts._RC):  # type: ignore[arg-type]
            fig = Figure(figsize=size, dpi=150, layout="constrained")
            draw(fig)
            fig.draw_without_rendering()
            (ax,) = fig.axes
            frame = ax.get_window_extent()
            for text in ax.texts:
                box = text.get_window_extent()
                assert frame.x0 + 4 < box.x0 and box.x1 < frame.x1 - 4, text.get_text()
                labelled += 1
    assert labelled >= 2, "a target and a baseline were labelled"


@pytest.mark.parametrize(
    ("values", "target", "baseline", "expected"),
    [
        ([60.0, 80.0], 75.0, 50.0, "met"),
        ([60.0, 70.0], 75.0, 50.0, "improving"),
        ([60.0, 45.0], 75.0, 50.0, "off-track"),
        ([20.0, 9.0], 10.0, 30.0, "met"),  # lower is better: read from baseline -> target
        ([20.0, 25.0], 10.0, 20.0, "off-track"),
        ([60.0, None], 75.0, None, "unknown"),  # no direction without a baseline
        ([None], 75.0, 50.0, "unknown"),
    ],
)
def test_trend_status_reads_the_direction(
    values: list[float | None], target: float, baseline: float | None, expected: str
) -> None:
    assert trend_status(values, target, baseline) == expected


@pytest.fixture(scope="module")
def lamppu_manuals() -> list[Manual]:
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    return build_manuals(loaded.workspace, None, "fi", lint(loaded))


def test_every_partner_has_an_example_marked_self_assessment(lamppu_manuals: list[Manual]) -> None:
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    by_org = {a.organisation: a for a in loaded.workspace.assessments}
    assert sorted(by_org) == list(PARTNERS)
    assert not [f for f in lint(loaded).findings if f.code.startswith("QMS5")]
    for m in lamppu_manuals:
        (report,) = m.assessments
        assert report.example is not None  # the assessment as a whole is example content
        sourced = [x for a in report.areas for i in a.items for x in i.ratings if x.example is None]
        # Only ratings that the reports support are unmarked, and each says where from.
        assert 1 <= len(sourced) <= 2, m.organisation
        assert all("Lähde:" in x.rationale for x in sourced)
        assert report.examples == 12 - len(sourced)


def test_portal_pages_mark_examples_and_chart_with_names(lamppu_manuals: list[Manual]) -> None:
    files = portal(lamppu_manuals, None, "LAMPPU")
    page = files["kao/_assessment.html"]
    assert 'class="example-note"' in page and "example-badge" in page
    assert re.search(r'<svg class="chart" role="img" aria-label="Arviot väittämittäin', page)
    assert "Mittariston kehittäminen on edelleen työn alla" in page  # the sourced rating
    matrix = files["maturity.html"]
    for short in ("JEDU", "KAO", "Lappia", "REDU", "SAKK"):
        assert f"<th>{short}</th>" in matrix
    assert "2*" in matrix and "Esimerkkisisältöä olevia arvioita" in matrix
    assert files["maturity-fi-vet-quality.svg"].startswith("<?xml")  # the picture on its own
    assert 'href="maturity-fi-vet-quality.svg"' in matrix
    assert 'aria-label="Kehitys: ' in files["redu/_metrics.html"]
    assert 'class="example-badge"' in files["redu/_metrics.html"]  # example metrics' trends
    assert "Itsearvioinnit" in files["redu/index.html"]  # in the navigation


def test_maturity_puts_gaps_first(lamppu_manuals: list[Manual]) -> None:
    (view,) = maturity([(m.short, m.assessments) for m in lamppu_manuals])
    gaps = [
        sum(1 for lv, _, _ in cells if lv is not None and lv < view.threshold)
        for _, _, cells in view.rows
    ]
    assert gaps == sorted(gaps, reverse=True)
    assert view.columns == tuple(m.short for m in lamppu_manuals)
    assert view.examples > 0


def _review(tmp_path: Path, *args: str, workspace: Path = LAMPPU) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [
            "review",
            str(workspace),
            "--organisation",
            "REDU",
            "--period",
            "syksy-2012",
            "-o",
            str(tmp_path / "out"),
            *args,
        ],
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_review_pack_docx_and_html(tmp_path: Path) -> None:
    import docx

    code, output = _review(tmp_path, "--format", "docx", "--format", "html")
    assert code == 0, output
    stem = tmp_path / "out" / "johdon-katselmus-redu-syksy-2012"
    document = docx.Document(io.BytesIO(stem.with_suffix(".docx").read_bytes()))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    for wanted in (
        "Tulokset tavoitteittain",
        "Mittarit",
        "Suunnitelman tila",
        "Avoimet havainnot",
        "Itsearviointi",
        "Katselmuksen päätökset",
    ):
        assert wanted in headings, headings
    decisions = document.tables[-1]
    assert [c.text for c in decisions.rows[0].cells] == ["Päätös", "Vastuu", "Määräaika"]
    assert len(decisions.rows) == 6
    body = "\n".join(p.text for p in document.paragraphs)
    assert "esimerkkisisältöä" in body  # the example notice travels into Word
    assert document.core_properties.language == "fi-FI"
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert "Johdon katselmus: Rovaniemen koulutuskuntayhtymä" in html
    assert "Kokkola" in html  # REDU's reported G12 result for autumn 2012
    # REDU's plan is example content: the pack says so up front and on each such row.
    assert "Aineistossa on esimerkkisisältöä" in html
    assert html.count('class="example-badge"') >= 2
    assert "Aineistossa on esimerkkisisältöä" in body
    first = stem.with_suffix(".docx").read_bytes()
    again = _review(tmp_path, "--format", "docx", "--format", "html")
    assert again[0] == 0  # the same bytes again, so nothing to refuse without --force
    assert stem.with_suffix(".docx").read_bytes() == first


@requires_pdf
def test_review_pack_pdf_text(tmp_path: Path) -> None:
    code, output = _review(tmp_path, "--format", "pdf")
    assert code == 0, output
    pdf = tmp_path / "out" / "johdon-katselmus-redu-syksy-2012.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for wanted in (
        "Johdon katselmus",
        "Tulokset tavoitteittain",
        "Katselmuksen päätökset",
        "Kynnystaso",
    ):
        assert wanted in text


def test_review_refuses_bad_usage(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "review",
            str(LAMPPU),
            "--organisation",
            "REDU",
            "--period",
            "syksy-2013",
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "kevat-2012, syksy-2012" in result.output
    result = CliRunner().invoke(
        cli,
        [
            "review",
            str(LAMPPU),
            "--organisation",
            "nobody",
            "--period",
            "syksy-2012",
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2 and "redu" in result.output
    target = tmp_path / "out" / "johdon-katselmus-redu-syksy-2012.html"
    target.parent.mkdir()
    target.write_text("oma tiedosto", encoding="utf-8")
    code, _output = _review(tmp_path, "--format", "html")
    assert code == 2 and target.read_text(encoding="utf-8") == "oma tiedosto"
    assert _review(tmp_path, "--format", "html", "--force")[0] == 0


def test_review_on_a_partial_model_says_so_and_exits_1(tmp_path: Path) -> None:
    copy = tmp_path / "lamppu"
    shutil.copytree(LAMPPU, copy)
    plan = copy / "organisations" / "redu" / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("kind: plan", "kind: plan\nbogus: 1"),
        encoding="utf-8",
    )
    code, _ = _review(tmp_path, "--format", "html", workspace=copy)
    assert code == 1
    html = (tmp_path / "out" / "johdon-katselmus-redu-syksy-2012.html").read_text(encoding="utf-8")
    # the same notice as the manual's: count and file
    assert "Malli on puutteellinen: 1 virhe (organisations/redu/plan.yaml)" in html


def test_review_names_its_files_in_the_documents_language(tmp_path: Path) -> None:
    code, _ = _review(tmp_path, "--format", "html", "--lang", "en")
    assert code == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == [
        "management-review-redu-syksy-2012.html"
    ]


def test_schema_has_the_quality_cycle_kinds() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    text = json.dumps(json.loads(result.output))
    assert '"criteria"' in text and '"assessment"' in text and "threshold" in text


def test_manual_docx_has_the_self_assessment_chapter_and_trends(
    lamppu_manuals: list[Manual],
) -> None:
    import docx

    from qms.export.docx import to_docx

    kao = next(m for m in lamppu_manuals if m.organisation == "kao")
    document = docx.Document(io.BytesIO(to_docx(kao, None)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Itsearvioinnit" in headings and "Kehitys" in headings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Tämä itsearviointi on esimerkkisisältöä" in body
    pictures = document.inline_shapes
    assert len(pictures) >= 2  # the ratings chart and at least one trend chart
    sources = [p for p in document.paragraphs if p.text.startswith("Lähde: ")]
    assert sources and all(run.italic for p in sources for run in p.runs)
