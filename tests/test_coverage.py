"""The coordinator's coverage matrix: hand-checked matrices, filters, the CLI and every format.

The small workspace below is the reference case; its expected matrix was worked out by hand:

    as of 2012-12-30: kevat-2012 (ends 06-30) has ended, syksy-2012 (ends 12-31) has not.

    goal  A (commits G1, G2)               B (commits G1, G4)
    G1    covered: process a/p1            covered: action b/plan/x1
          kevat achieved, syksy delayed    kevat missing, syksy pending
    G2    committed-not-covered            none
          kevat missing, syksy pending
    G3    contributes: metric a/m1         none
    G4    none                             committed-not-covered
                                           kevat ongoing, syksy pending

    checks: 4 goals + 4 commitments + 4 (commitment, ended period) pairs = 12
    passed: goals G1, G3 + commitments A/G1, B/G1 + results A/G1, B/G4 = 6 -> 50.0 %
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.coverage import Coverage, coverage
from qms.export import coverage_heatmap, coverage_tables
from qms.lint import lint
from qms.load import load
from tests.conftest import LAMPPU, requires_dot

FILES = {
    "qms.yaml": "kind: workspace\nname: Testiverkosto\nlanguage: en\nas_of: 2012-12-30\n",
    "project.yaml": """\
kind: project
id: net
name: Network
periods:
  - {id: kevat-2012, name: {fi: Kevät 2012, en: Spring 2012}, start: 2012-01-01, end: 2012-06-30}
  - {id: syksy-2012, name: {fi: Syksy 2012, en: Autumn 2012}, start: 2012-07-01, end: 2012-12-31}
goals:
  - {id: G1, name: Network cooperation}
  - {id: G2, name: Dissemination & <results>}
  - {id: G3, name: Metrics}
  - {id: G4, name: Development plan}
""",
    "a/organisation.yaml": """\
kind: organisation
id: a
name: Alpha College
short: A
commits_to: [G1, G2]
""",
    "a/p1.yaml": """\
kind: process
id: p1
organisation: a
name: Networking
realizes: [G1]
""",
    "a/metrics.yaml": """\
kind: metrics
organisation: a
metrics:
  - {id: m1, name: Metrics in use, realizes: [G3]}
""",
    "a/results.yaml": """\
kind: results
organisation: a
results:
  - {period: kevat-2012, goal: G1, status: achieved, text: Network started}
  - {period: syksy-2012, goal: G1, status: delayed, text: Operating model delayed}
""",
    "b/organisation.yaml": """\
kind: organisation
id: b
name: Beta College
short: B
commits_to:
  - G1
  - G4
""",
    "b/plan.yaml": """\
kind: plan
id: plan
organisation: b
name: Quality plan
actions:
  - {id: x1, what: Join the network meetings, realizes: [net/G1]}
""",
    "b/results.yaml": """\
kind: results
organisation: b
results:
  - {period: kevat-2012, goal: G4, status: ongoing, text: Plan drafted}
""",
}


@pytest.fixture
def workspace(make_workspace: Callable[[dict[str, str]], Path]) -> Path:
    return make_workspace(FILES)


def compute(root: Path, **kwargs: object) -> Coverage:
    loaded = load(root)
    assert loaded.workspace is not None
    assert not loaded.findings, loaded.findings
    return coverage(loaded.workspace, **kwargs)  # type: ignore[arg-type]


def states(cov: Coverage) -> list[list[str]]:
    return [[c.state for c in row] for row in cov.cells]


def period_statuses(cov: Coverage) -> list[list[tuple[str, ...]]]:
    return [[tuple(pc.status for pc in c.periods) for c in row] for row in cov.cells]


# --- the computation -------------------------------------------------------------------------


def test_matrix_matches_the_hand_checked_one(workspace: Path) -> None:
    cov = compute(workspace)
    assert cov.as_of == dt.date(2012, 12, 30)
    assert [g.id for g in cov.goals] == ["G1", "G2", "G3", "G4"]
    assert [o.id for o in cov.organisations] == ["a", "b"]
    assert [(p.id, p.ended) for p in cov.periods] == [("kevat-2012", True), ("syksy-2012", False)]
    assert states(cov) == [
        ["covered", "covered"],
        ["committed-not-covered", "none"],
        ["not-committed-but-contributes", "none"],
        ["none", "committed-not-covered"],
    ]
    assert period_statuses(cov) == [
        [("achieved", "delayed"), ("missing", "pending")],
        [("missing", "pending"), ("", "")],
        [("", ""), ("", "")],
        [("", ""), ("ongoing", "pending")],
    ]
    assert [e.id for e in cov.cell("G1", "a").processes] == ["a/p1"]
    assert [e.id for e in cov.cell("G1", "b").actions] == ["b/plan/x1"]
    assert [e.id for e in cov.cell("G3", "a").metrics] == ["a/m1"]
    assert cov.cell("G1", "a").periods[1].results[0].text == "Operating model delayed"
    assert [(g.kind, g.goal, g.organisation, g.period) for g in cov.gaps] == [
        ("uncovered-goal", "G2", "", ""),
        ("uncovered-goal", "G4", "", ""),
        ("unkept-commitment", "G2", "a", ""),
        ("unkept-commitment", "G4", "b", ""),
        ("unreported-goal", "G1", "b", "kevat-2012"),
        ("unreported-goal", "G2", "a", "kevat-2012"),
    ]
    assert (cov.checks, cov.passed, cov.percent) == (12, 6, 50.0)
    assert (cov.goals_percent, cov.commitments_percent, cov.reporting_percent) == (50.0, 50.0, 50.0)
    goal_totals = [(g.committed, g.realized, g.kept, g.missing) for g in cov.goals]
    assert goal_totals == [(2, 2, 2, 1), (1, 0, 0, 1), (0, 1, 0, 0), (1, 0, 0, 0)]
    assert cov.goals[0].reported == {"kevat-2012": 1, "syksy-2012": 1}
    org_totals = [
        (o.committed, o.kept, o.contributes, o.due, o.reported) for o in cov.organisations
    ]
    assert org_totals == [(2, 1, 1, 2, 1), (2, 1, 0, 2, 1)]


@pytest.mark.parametrize("day", [dt.date(2012, 12, 31), dt.date(2013, 1, 1)])
def test_as_of_decides_which_periods_have_ended(workspace: Path, day: dt.date) -> None:
    """A period has ended on its last day: as of 2012-12-31 the period ending then is over."""
    cov = compute(workspace, as_of=day)
    assert [p.ended for p in cov.periods] == [True, True]
    assert period_statuses(cov)[0] == [("achieved", "delayed"), ("missing", "missing")]
    # 4 goals + 4 commitments + 8 due results; passed 2 + 2 + 3
    assert (cov.checks, cov.passed) == (16, 7)


def test_filters_narrow_the_matrix(workspace: Path) -> None:
    cov = compute(workspace, organisations=["B"], goals=["G1", "g3"], periods=["syksy-2012"])
    assert [g.id for g in cov.goals] == ["G1", "G3"]
    assert [o.id for o in cov.organisations] == ["b"]
    assert [p.id for p in cov.periods] == ["syksy-2012"]
    assert states(cov) == [["covered"], ["none"]]
    # G3 is realized by A: not a gap of the network even though A is not shown.
    assert cov.gaps == ()
    assert (cov.checks, cov.passed, cov.percent) == (3, 3, 100.0)


def test_an_explained_gap_is_listed_and_counts_as_passed(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    files = dict(FILES)
    files["b/organisation.yaml"] += (
        "lint:\n  ignore:\n    - {rule: unreported-goal, reason: Reported in the network report}\n"
    )
    cov = compute(make_workspace(files))
    explained = [g for g in cov.gaps if g.suppressed]
    assert [(g.goal, g.organisation, g.suppressed) for g in explained] == [
        ("G1", "b", "Reported in the network report")
    ]
    assert cov.gaps[-1] == explained[0]  # explained gaps come after the unexplained ones
    assert (cov.passed, cov.explained) == (7, 1)


def test_the_rules_report_exactly_the_gaps(workspace: Path) -> None:
    loaded = load(workspace)
    assert loaded.workspace is not None
    cov = coverage(loaded.workspace)
    result = lint(loaded)
    found = sorted(
        (f.code, f.file, f.path)
        for f in result.findings
        if f.code in ("QMS401", "QMS402", "QMS403")
    )
    codes = {"uncovered-goal": "QMS401", "unkept-commitment": "QMS402", "unreported-goal": "QMS403"}
    expected = sorted((codes[g.kind], g.where.file, g.where.path) for g in cov.gaps)
    assert found == expected
    lines = {(f.code, f.file, f.line) for f in result.findings if f.code.startswith("QMS40")}
    assert ("QMS401", "project.yaml", 9) in lines  # the G2 list item
    assert ("QMS402", "b/organisation.yaml", 7) in lines  # the `- G4` commitment


# --- the command -----------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["coverage", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_table_reads_without_colour_and_gaps_come_first(workspace: Path) -> None:
    code, out, _ = run(str(workspace))
    assert code == 0
    assert "\x1b[" not in out  # piped: no colour codes
    assert out.index("Gaps (6)") < out.index("G1 Network cooperation")
    assert "G2 Dissemination & <results>: no organisation realizes it" in out
    assert "✓ P1 A0 M0 ●▲" in out  # A on G1: covered, achieved then delayed
    assert "✗ ✗…" in out  # A on G2: unkept, result missing, next one pending
    assert "50.0 %" in out
    code, out, _ = run(str(workspace), "--ascii", "--lang", "fi")
    assert code == 0
    assert "+ P1 T0 M0 AD" in out and "Puutteet (6)" in out
    assert all(ord(ch) < 128 for ch in out.replace("ä", "").replace("ö", "").replace("Ä", ""))


@pytest.mark.parametrize(("limit", "expected"), [("50", 0), ("50.1", 1), ("0", 0), ("100", 1)])
def test_fail_under(workspace: Path, limit: str, expected: int) -> None:
    code, _, err = run(str(workspace), "--format", "json", "--fail-under", limit)
    assert code == expected
    assert ("50.0 % is under" in err) == (expected == 1)


def test_bad_usage_exits_2(workspace: Path, tmp_path: Path) -> None:
    code, _, err = run(str(workspace), "--goal", "G5")
    assert code == 2 and "unknown goal 'G5'" in err
    code, _, err = run(str(workspace), "--organisation", "alpah")
    assert code == 2 and "unknown organisation" in err
    code, _, err = run(str(workspace), "--period", "kevat-2013")
    assert code == 2 and "did you mean 'kevat-2012'" in err
    code, _, err = run(str(workspace), "--format", "xlsx")
    assert code == 2 and "-o/--output" in err
    code, _, err = run(str(tmp_path / "missing"))
    assert code == 2 and "does not exist" in err


def test_never_overwrites_a_different_file_without_force(workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "coverage.csv"
    target.parent.mkdir()
    target.write_text("someone's notes\n", encoding="utf-8")
    code, _, err = run(str(workspace), "--format", "csv", "-o", str(target))
    assert code == 2 and "--force" in err
    assert target.read_text(encoding="utf-8") == "someone's notes\n"
    assert run(str(workspace), "--format", "csv", "-o", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8").startswith("goal,goal_name,")
    assert run(str(workspace), "--format", "csv", "-o", str(target))[0] == 0  # same bytes


# --- every format, read back -----------------------------------------------------------------


def test_csv_reads_back(workspace: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(coverage_tables.to_csv(compute(workspace), "en"))))
    assert len(rows) == 8
    by_cell = {(r["goal"], r["organisation"]): r for r in rows}
    assert by_cell["G1", "a"]["state"] == "covered"
    assert by_cell["G1", "a"]["processes"] == "a/p1"
    assert by_cell["G1", "a"]["syksy-2012_status"] == "delayed"
    assert by_cell["G1", "a"]["syksy-2012_text"] == "Operating model delayed"
    assert by_cell["G2", "a"]["gaps"] == "unkept-commitment unreported-goal:kevat-2012"
    assert by_cell["G2", "a"]["goal_name"] == "Dissemination & <results>"
    assert by_cell["G3", "a"]["symbol"] == "○"


def test_json_reads_back(workspace: Path) -> None:
    data = json.loads(coverage_tables.to_json(compute(workspace), "en"))
    assert data["percent"] == 50.0 and data["checks"] == 12
    assert [g["kind"] for g in data["gaps"]][:2] == ["uncovered-goal", "uncovered-goal"]
    cell = next(c for c in data["cells"] if (c["goal"], c["organisation"]) == ("G4", "b"))
    assert cell["state"] == "committed-not-covered"
    assert [p["status"] for p in cell["periods"]] == ["ongoing", "pending"]
    assert data["periods"][0]["name"] == "Spring 2012"


def test_xlsx_reads_back(workspace: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(coverage_tables.to_xlsx(compute(workspace), "en")))
    assert book.sheetnames == ["Matrix", "Gaps", "Details"]
    sheet = book["Matrix"]
    header = [c.value for c in sheet[3]]
    assert header == ["Goal", "A", "B", "Totals"]
    assert sheet["A4"].value == "G1 Network cooperation"
    assert sheet["B4"].value.splitlines()[0] == "✓ committed and realized"
    assert "▲ Autumn 2012" in sheet["B4"].value
    assert sheet["B5"].value.startswith("✗")
    assert sheet["B5"].fill.fgColor.rgb.endswith("F6D0B8")
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.freeze_panes == "B4"
    gaps = [[c.value for c in row] for row in book["Gaps"].iter_rows(min_row=2)]
    assert len(gaps) == 6 and gaps[0][:2] == ["uncovered-goal", "G2"]
    assert book["Details"].max_row == 9


def test_xlsx_bytes_do_not_depend_on_the_clock(workspace: Path) -> None:
    import zipfile

    data = coverage_tables.to_xlsx(compute(workspace), "en")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        times = {info.date_time for info in archive.infolist()}
    assert core.count("2012-12-30T00:00:00Z") == 2
    assert times == {(1980, 1, 1, 0, 0, 0)}


class _Cells(HTMLParser):
    """Collects the text of table rows and the @page rule."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.style = ""
        self._in: str | None = None
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.rows[-1].append("")
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._done = True

    def handle_data(self, data: str) -> None:
        if self._done:
            return
        if self._in == "style":
            self.style += data
        elif self.rows and self.rows[-1]:
            self.rows[-1][-1] += data.strip("\n")


def test_html_reads_back_and_is_escaped(workspace: Path) -> None:
    page = coverage_tables.to_html(compute(workspace), "en")
    assert "<results>" not in page and "&lt;results&gt;" in page
    parser = _Cells()
    parser.feed(page)
    assert "size: A4 landscape" in parser.style
    assert parser.rows[0] == ["Goal", "A", "B", "Totals"]
    g1 = parser.rows[1]
    assert g1[0] == "G1 Network cooperation"
    assert g1[1].startswith("✓") and "▲ Autumn 2012" in g1[1]
    assert parser.rows[2][1].startswith("✗")
    assert parser.rows[-1][-1] == "50.0 %"


def test_markdown_has_gaps_then_matrix(workspace: Path) -> None:
    md = coverage_tables.to_markdown(compute(workspace), "fi")
    assert md.index("## Puutteet") < md.index("## Matriisi")
    table = [line for line in md.splitlines() if line.startswith("| G")]
    assert len(table) == 4
    assert table[0] == "| G1 Network cooperation | ✓ P1 T0 M0 ●▲ | ✓ P0 T1 M0 ✗… | 2/2 · 2 |"


# --- the heatmap -----------------------------------------------------------------------------


def test_heatmap_dot_is_deterministic_and_escaped(workspace: Path) -> None:
    cov = compute(workspace)
    source = coverage_heatmap.to_dot(cov, "en")
    assert source == coverage_heatmap.to_dot(compute(workspace), "en")
    assert "&lt;results&gt;" in source
    for colour in ("#009E73", "#D55E00", "#56B4E9"):  # Okabe-Ito
        assert colour in source


@pytest.mark.dot
@requires_dot
def test_heatmap_svg_and_png(workspace: Path, tmp_path: Path) -> None:
    svg = tmp_path / "coverage.svg"
    code, _, err = run(str(workspace), "--format", "svg", "-o", str(svg))
    assert code == 0, err
    root = ET.fromstring(svg.read_bytes())
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "G1" in texts and "✓" in texts and "✗" in texts
    fills = {e.get("fill", "").upper() for e in root.iter("{http://www.w3.org/2000/svg}polygon")}
    assert {"#009E73", "#D55E00", "#56B4E9"} <= fills
    png = tmp_path / "coverage.png"
    assert run(str(workspace), "--format", "png", "-o", str(png))[0] == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# --- the embedded model ----------------------------------------------------------------------


@pytest.mark.skipif(not (LAMPPU / "qms.yaml").is_file(), reason="models/lamppu not present")
def test_lamppu_loads_into_a_matrix() -> None:
    loaded = load(LAMPPU)
    assert loaded.workspace is not None
    cov = coverage(loaded.workspace)
    assert {o.short for o in cov.organisations} >= {"REDU", "KAO", "SAKK"}
    assert cov.goals and cov.periods


def test_a_one_shot_command_computes_the_whole_coverage_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In the `qms` script's process the goal map, the coverage rules and the manuals share
    one computation of the whole coverage per workspace and date; a selection, another date,
    another workspace or a process that goes on (a test, `qms serve`) computes it afresh."""
    from qms import coverage as module
    from qms import lifetime
    from qms.index import Index

    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None
    monkeypatch.setattr(module, "_LAST", None)
    assert module.coverage(ws) is not module.coverage(ws), "a process that goes on"
    monkeypatch.setattr(lifetime, "_KEPT", [])
    first = module.coverage(ws)
    assert module.coverage(ws, Index.build(ws)) is first
    assert module.coverage(ws, as_of=dt.date(2013, 1, 1)) is not first
    assert module.coverage(ws, organisations=["redu"]) is not first
    other = load(LAMPPU).workspace
    assert other is not None
    again = module.coverage(other)
    assert again is not first and again == first
