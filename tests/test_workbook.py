"""The workbook round trip: `qms export --format xlsx` and `qms import xlsx`.

LAMPPU -> workbooks -> YAML is the identity (nothing written over the existing files), and
from the workbooks alone (process files deleted) gives the same diagrams byte for byte; edits
keep comments and the fields the workbook does not carry; every mistake is reported at its
cell with the loader's hint, never a traceback, and nothing is written then; hostile cells and
files that are not workbooks are refused."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from qms.cli import cli
from tests.conftest import LAMPPU, needs, requires_dot

ORGS = ("jedu-a", "jedu-b", "jedu", "kao", "lappia", "redu", "sakk")
"""Sorted by file name; jedu-a and jedu-b are the invented predecessor units of JEDU's merger
case (example content), exported as any organisation for drafting."""


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("books")
    result = CliRunner().invoke(cli, ["export", str(LAMPPU), "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{o}.xlsx" for o in ORGS]
    return out


@pytest.fixture
def lamppu(tmp_path: Path) -> Path:
    shutil.copytree(LAMPPU, tmp_path / "lamppu")
    return tmp_path / "lamppu"


def _import(root: Path, book: Path, org: str, *more: str) -> Any:
    args = ["import", "xlsx", str(book), "-o", str(root / "organisations" / org), *more]
    return CliRunner().invoke(cli, args)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_reimport_of_an_unchanged_workbook_writes_nothing(books: Path, lamppu: Path) -> None:
    before = _tree(lamppu)
    for org in ORGS:
        result = _import(lamppu, books / f"{org}.xlsx", org, "--force")
        assert result.exit_code == 0, result.output
        assert "ei muuta mitään" in result.output
    assert _tree(lamppu) == before


@requires_dot
def test_lamppu_from_the_workbooks_alone_draws_the_same_diagrams(
    books: Path, lamppu: Path, tmp_path: Path
) -> None:
    for path in lamppu.glob("organisations/*/processes/*.yaml"):
        path.unlink()
    for org in ORGS:
        result = _import(lamppu, books / f"{org}.xlsx", org)
        assert result.exit_code == 0, result.output
    assert len(list(lamppu.glob("organisations/*/processes/*.yaml"))) == 22
    runner = CliRunner()
    for root, out in ((LAMPPU, tmp_path / "a"), (lamppu, tmp_path / "b")):
        result = runner.invoke(cli, ["render", str(root), "-o", str(out), "--format", "svg,dot"])
        assert result.exit_code == 0, result.output
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    drawn = sorted(k for k in a if k.endswith((".svg", ".dot")))
    assert len(drawn) > 40
    assert sorted(k for k in b if k.endswith((".svg", ".dot"))) == drawn
    assert [k for k in drawn if a[k] != b[k]] == []


def _edit(book: Path, sheet: str, changes: dict[str, Any], out: Path) -> Path:
    wb = load_workbook(book)
    for ref, value in changes.items():
        wb[sheet][ref] = value
    wb.save(out)
    return out


def _row_of(book: Path, sheet: str, *values: str) -> int:
    ws = load_workbook(book)[sheet]
    for row in ws.iter_rows(min_row=2):
        if [c.value for c in row[: len(values)]] == list(values):
            return int(row[0].row)
    raise AssertionError(values)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_a_wrong_role_is_reported_at_its_cell(
    books: Path, lamppu: Path, tmp_path: Path, lang: str
) -> None:
    r = _row_of(books / "redu.xlsx", "Vaiheet", "talous", "esitykset")
    book = _edit(books / "redu.xlsx", "Vaiheet", {f"E{r}": "talousjohtja"}, tmp_path / "x.xlsx")
    before = _tree(lamppu)
    result = _import(lamppu, book, "redu", "--force", "--lang", lang)
    assert result.exit_code == 2
    expected = {
        "fi": f"Vaiheet!E{r}: virhe: QMS004 tuntematon rooli 'talousjohtja'; "
        "tarkoititko 'talousjohtaja'?",
        "en": f"Vaiheet!E{r}: error: QMS004 unknown role 'talousjohtja'; "
        "did you mean 'talousjohtaja'?",
    }[lang]
    assert expected in result.output
    assert "Traceback" not in result.output
    assert _tree(lamppu) == before


def test_a_wrong_kind_names_the_allowed_values_at_its_cell(
    books: Path, lamppu: Path, tmp_path: Path
) -> None:
    r = _row_of(books / "redu.xlsx", "Vaiheet", "talous", "paatos")
    book = _edit(books / "redu.xlsx", "Vaiheet", {f"F{r}": "päätö"}, tmp_path / "x.xlsx")
    result = _import(lamppu, book, "redu", "--force")
    assert result.exit_code == 2
    assert f"Vaiheet!F{r}: virhe: QMS002 'päätö' ei ole mikään näistä: alku, tehtävä" in (
        result.output
    )
    assert "tarkoititko 'päätös'?" in result.output


def test_an_edit_keeps_comments_order_and_the_fields_the_workbook_lacks(
    books: Path, lamppu: Path, tmp_path: Path
) -> None:
    wb = load_workbook(books / "redu.xlsx")
    steps = wb["Vaiheet"]
    r = _row_of(books / "redu.xlsx", "Vaiheet", "talous", "raami")
    steps[f"G{r}"] = "tarkistus"
    steps.insert_rows(r + 1)
    for col, value in zip(
        "ABCDEG",
        ["talous", "tarkistus", "Tarkistetaan raami", "", "johtoryhma", "esitykset"],
        strict=True,
    ):
        steps[f"{col}{r + 1}"] = value or None
    processes = wb["Prosessit"]
    p = _row_of(books / "redu.xlsx", "Prosessit", "talous")
    processes[f"U{p}"] = "0.2"  # the version
    wb.save(tmp_path / "x.xlsx")
    path = lamppu / "organisations/redu/processes/talous.yaml"
    before = path.read_text(encoding="utf-8")
    result = _import(lamppu, tmp_path / "x.xlsx", "redu")
    assert result.exit_code == 2 and "--force" in result.output  # never overwritten without it
    assert path.read_text(encoding="utf-8") == before
    result = _import(lamppu, tmp_path / "x.xlsx", "redu", "--force")
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    assert (
        "  - {id: tarkistus, name: Tarkistetaan raami, role: johtoryhma, next: [esitykset]}\n"
        in after
    )
    assert "next: [tarkistus]}" in after
    assert 'version: "0.2"' in after  # quoting kept
    for kept in (
        "# Kuntayhtymässä yhtymähallitus valmistelee talousarvion",
        "# Esimerkkisisältö: raporteissa kerrotaan vain",
        "documents:\n  - {id: taloussaanto, name: Kuntayhtymän taloussääntö}",
        "risks:\n  - name: Rahoitus muuttuu kesken vuoden",
        "review:\n  method:",
        "example:\n  reason: >-",
    ):
        assert kept in after
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    raami = "id: raami, name: Valmistellaan talousarvioraami, role: talousjohtaja"
    assert [line for line in diff if line[:2] in ("- ", "+ ")] == [
        '- version: "0.1"',
        '+ version: "0.2"',
        f"-   - {{{raami}, next: [esitykset]}}",
        f"+   - {{{raami}, next: [tarkistus]}}",
        "+   - {id: tarkistus, name: Tarkistetaan raami, role: johtoryhma, next: [esitykset]}",
    ]
    others = {k: v for k, v in _tree(lamppu).items() if "talous.yaml" not in k}
    assert others == {k: v for k, v in _tree(LAMPPU).items() if "talous.yaml" not in k}


def test_formulas_control_characters_merged_cells_and_types_are_refused_at_their_cells(
    books: Path, lamppu: Path, tmp_path: Path
) -> None:
    wb = load_workbook(books / "redu.xlsx")
    steps = wb["Vaiheet"]
    steps["C2"] = '=HYPERLINK("http://x","y")'
    steps["D3"] = "käännetty \u202e teksti"
    steps["C4"] = True
    roles = wb["Roolit"]
    roles.merge_cells("B2:C2")
    metrics = wb["Mittarit"]
    metrics["I2"] = "ensi vuonna"  # a target date
    wb.save(tmp_path / "x.xlsx")
    before = _tree(lamppu)
    result = _import(lamppu, tmp_path / "x.xlsx", "redu", "--force", "--lang", "en")
    assert result.exit_code == 2
    out = result.output
    assert "Vaiheet!C2: error: a formula (=HYPERLINK" in out
    assert "Vaiheet!D3: error: the text holds the control character \\u202e" in out
    assert "Vaiheet!C4: error: a truth value where text is expected" in out
    assert "Roolit!B2:C2: error: merged cells B2:C2" in out
    assert "Mittarit!I2: error: 'ensi vuonna' is not a date" in out
    assert "Traceback" not in out
    assert _tree(lamppu) == before


def test_what_is_not_a_workbook_is_refused_without_a_traceback(
    lamppu: Path, tmp_path: Path
) -> None:
    text = tmp_path / "notes.xlsx"
    text.write_text("id;name\n", encoding="utf-8")
    other_zip = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "hi")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/big.xml", b"\0" * (210 * 1024 * 1024))
    empty = Workbook()
    empty.active.title = "Muistiinpanot"
    empty.save(tmp_path / "empty.xlsx")
    before = _tree(lamppu)
    for path, said in (
        (text, "not an Excel workbook"),
        (other_zip, "not an Excel workbook"),
        (bomb, "unpacked"),
        (tmp_path / "empty.xlsx", "no sheet of a qms workbook"),
        (tmp_path / "missing.xlsx", "missing.xlsx: error: no such file"),
    ):
        result = _import(lamppu, path, "redu", "--force", "--lang", "en")
        assert result.exit_code == 2, (path, result.output)
        assert said in result.output and "Traceback" not in result.output
        assert "qms: 1 error; nothing written" in result.output  # CLDR plural, no "(s)"
    finnish = _import(lamppu, tmp_path / "missing.xlsx", "redu", "--force", "--lang", "fi")
    assert "virhe: tiedostoa ei ole" in finnish.output and "Error" not in finnish.output
    assert "qms: 1 virhe; mitään ei kirjoitettu" in finnish.output
    assert _tree(lamppu) == before


def test_a_huge_sheet_is_refused(books: Path, lamppu: Path, tmp_path: Path) -> None:
    book = _edit(books / "redu.xlsx", "Roolit", {"A25000": "x"}, tmp_path / "x.xlsx")
    result = _import(lamppu, book, "redu", "--force", "--lang", "en")
    assert result.exit_code == 2 and "Roolit!A1: error: the sheet has 25000 rows" in result.output


def test_an_id_that_would_leave_the_folder_writes_nothing(
    books: Path, lamppu: Path, tmp_path: Path
) -> None:
    wb = load_workbook(books / "redu.xlsx")
    wb["Prosessit"].append(["../../../evil", "Paha"])
    wb.save(tmp_path / "x.xlsx")
    before = _tree(lamppu)
    result = _import(lamppu, tmp_path / "x.xlsx", "redu", "--force", "--lang", "en")
    assert result.exit_code == 2 and "would make a file outside" in result.output
    assert _tree(lamppu) == before
    assert not (tmp_path / "evil.yaml").exists()


def test_the_workbook_has_dropdowns_frozen_headers_and_text_cells(
    lamppu: Path, tmp_path: Path
) -> None:
    path = lamppu / "organisations/redu/processes/talous.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "name: Valmistellaan talousarvioraami", "name: '=1+1 ja @SUM(A1)'"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    for _ in range(2):
        result = CliRunner().invoke(
            cli,
            ["export", str(lamppu), "--format", "xlsx", "-o", str(out), "--lang", "en", "--force"],
        )
        assert result.exit_code == 0, result.output
    first = (out / "redu.xlsx").read_bytes()
    wb = load_workbook(out / "redu.xlsx")
    assert wb.sheetnames == [
        "About",
        "Processes",
        "Steps",
        "Roles",
        "Metrics",
        "Plans",
        "Plan actions",
        "Results",
    ]
    steps = wb["Steps"]
    assert steps.freeze_panes == "C2"
    lists = {str(dv.sqref): dv.formula1 for dv in steps.data_validations.dataValidation}
    assert lists["E2:E2000"] == "'Roles'!$A$2:$A$2000"
    assert "decision" in lists["F2:F2000"]
    assert steps["O1"].value == "Trigger" and "timer" in lists["O2:O2000"]
    assert steps.column_dimensions["C"].width > 20
    cell = next(c for row in steps.iter_rows() for c in row if c.value == "=1+1 ja @SUM(A1)")
    assert cell.data_type == "s" and cell.quotePrefix
    assert any(
        dv.formula1.startswith('"') for dv in wb["Plan actions"].data_validations.dataValidation
    )
    # the English workbook reads back as the identity, the formula-like name as text
    result = _import(lamppu, out / "redu.xlsx", "redu", "--force")
    assert result.exit_code == 0 and "changes nothing" in result.output, result.output
    CliRunner().invoke(
        cli, ["export", str(lamppu), "--format", "xlsx", "-o", str(out), "--lang", "en", "--force"]
    )
    assert (out / "redu.xlsx").read_bytes() == first  # deterministic


def test_example_rows_are_marked_and_stay_marked(books: Path) -> None:
    wb = load_workbook(books / "redu.xlsx")
    processes = wb["Prosessit"]
    heads = [c.value for c in processes[1]]
    col = heads.index("Esimerkki") + 1
    marks = [processes.cell(row=r, column=col).value for r in range(2, processes.max_row + 1)]
    assert marks and all(str(m).startswith("✓ ") for m in marks)
    steps = wb["Vaiheet"]
    inherited = steps.cell(row=2, column=[c.value for c in steps[1]].index("Esimerkki") + 1)
    assert str(inherited.value).startswith("↑ ✓")
    assert steps.cell(row=2, column=1).fill.fgColor.rgb.endswith("FFF4C2")


def _calc() -> bool:
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(soffice).resolve().parent / "libsclo.so").exists()


@needs(_calc(), "LibreOffice Calc is not installed (make test installs it: libreoffice.sh)")
def test_a_workbook_saved_by_libreoffice_calc_reads_back_unchanged(
    books: Path, lamppu: Path, tmp_path: Path
) -> None:
    """Calc opens the workbook and saves it again as .xlsx (its own writer, its own types);
    that workbook still changes nothing: the import does not depend on openpyxl's output."""
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "calc"),
            str(books / "redu.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    saved = tmp_path / "calc" / "redu.xlsx"
    assert saved.read_bytes() != (books / "redu.xlsx").read_bytes()
    before = _tree(lamppu)
    result = _import(lamppu, saved, "redu", "--force")
    assert result.exit_code == 0 and "ei muuta mitään" in result.output, result.output
    assert _tree(lamppu) == before


def test_an_organisation_folder_made_from_its_workbook_alone(books: Path, lamppu: Path) -> None:
    """KAO's folder deleted, its workbook makes it again: organisation (id, names, roles),
    processes, plan (from the Plans sheet), metrics and results, which load without an error;
    what the workbook does not carry (documents, process map, metric values) is absent."""
    from tests.conftest import error_findings

    shutil.rmtree(lamppu / "organisations/kao")
    result = _import(lamppu, books / "kao.xlsx", "kao")
    assert result.exit_code == 0, result.output
    made = sorted(
        p.relative_to(lamppu / "organisations/kao").as_posix()
        for p in (lamppu / "organisations/kao").rglob("*.yaml")
    )
    assert made == [
        "metrics.yaml",
        "organisation.yaml",
        "plan.yaml",
        "processes/laadunhallinta.yaml",
        "processes/mittaaminen.yaml",
        "processes/toimintaohjeiden-hallinta.yaml",
        "processes/verkostoyhteistyo.yaml",
        "results.yaml",
    ]
    assert error_findings(lamppu) == []
    plan = (lamppu / "organisations/kao/plan.yaml").read_text(encoding="utf-8")
    assert plan.startswith("# yaml-language-server: $schema=../../qms.schema.json\nkind: plan\n")
    assert "example: {reason:" in plan and "  - id: benchmark-tapaaminen\n" in plan
    for rel in made:
        if rel.startswith("processes/") or rel == "metrics.yaml":
            assert "example: {reason:" in (lamppu / "organisations/kao" / rel).read_text("utf-8")
