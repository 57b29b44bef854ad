"""Interop with real BPMN tools: bpmnlint, the OMG BPMN 2.0 schema, the bpmn-js viewer.

The tools come from the npm registry and PyPI (scripts/test-tools/bpmn-tools.sh); each check is
first shown to bite on a broken file, so a passing run means something.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qms.bpmn.export import bpmn_files
from qms.bpmn.import_ import import_files
from qms.load import load
from tests.bpmn.helpers import lamppu_bpmn
from tests.bpmn.test_export import fork_workspace
from tests.bpmn.tools import (
    bpmnlint,
    bpmnlint_cli,
    open_in_bpmn_js,
    requires_bpmnlint,
    requires_viewer,
    requires_xsd,
    xsd_errors,
)
from tests.conftest import DATA, LAMPPU

FIXTURES = DATA / "bpmn"
GOOD_FIXTURES = sorted(
    p.name
    for p in FIXTURES.glob("*.bpmn")
    if p.name not in ("malformed.bpmn", "billion-laughs.bpmn", "xxe.bpmn")
)

WITHOUT_FULL_DI = {
    "no-di-subprocess.bpmn",
    "jbpm-latin1.bpmn",
    "two-processes-no-pools.bpmn",
    "three-pools.bpmn",
}
"""Import fixtures with no diagram, or one that draws only some elements (and in UTF-16)."""
OWN_FIXTURES = ("jbpm-latin1.bpmn", "three-pools.bpmn", "two-processes-no-pools.bpmn")
"""Files shaped unlike the MIWG suite's: QNames, other prefixes, encodings, no pools."""


def _write(folder: Path, files: dict[str, bytes]) -> list[str]:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return sorted(files)


def _broken() -> bytes:
    """An export with a flow's `incoming` removed and a task's name dropped."""
    data = lamppu_bpmn()["redu/talous.bpmn"]
    data = data.replace(b"<bpmn:incoming>Flow_Join_tilinpaatos</bpmn:incoming>", b"")
    return data.replace(b' name="Kootaan talousarvioehdotus"', b"")


def _roundtripped(tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "first"
    names = _write(folder, lamppu_bpmn())
    imported = import_files([str(folder / n) for n in names])
    ws = tmp_path / "ws"
    ws.mkdir()
    for rel in ("qms.yaml", "project.yaml"):
        (ws / rel).write_bytes((LAMPPU / rel).read_bytes())
    for org in sorted((LAMPPU / "organisations").iterdir()):
        (ws / org.name).mkdir()
        (ws / org.name / "organisation.yaml").write_bytes((org / "organisation.yaml").read_bytes())
    procs = ws / "imported"
    procs.mkdir()
    for name, content in imported.files.items():
        (procs / name).write_text(content, encoding="utf-8")
    loaded = load(ws)
    assert loaded.workspace is not None
    return bpmn_files(loaded.workspace, "fi")


# --- bpmnlint --------------------------------------------------------------------------------


@requires_bpmnlint
def test_bpmnlint_bites_on_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "broken.bpmn").write_bytes(_broken())
    reports = bpmnlint(tmp_path, ["broken.bpmn"])["broken.bpmn"]
    rules = {r["rule"] for r in reports if r["category"] == "error"}
    assert {"label-required", "no-implicit-start"} <= rules
    assert bpmnlint_cli(tmp_path, ["broken.bpmn"]).returncode != 0


@requires_bpmnlint
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_lamppu_export_passes_bpmnlint_recommended(tmp_path: Path, lang: str) -> None:
    files = lamppu_bpmn() if lang == "fi" else bpmn_files(load(LAMPPU).workspace, lang)  # type: ignore[arg-type]
    names = _write(tmp_path, files)
    reports = bpmnlint(tmp_path, names)
    errors = {n: [r for r in found if r["category"] == "error"] for n, found in reports.items()}
    assert {n: e for n, e in errors.items() if e} == {}
    assert len(reports) == len(names) >= 10
    cli = bpmnlint_cli(tmp_path, names)
    assert cli.returncode == 0, cli.stdout + cli.stderr


@requires_bpmnlint
def test_split_and_roundtrip_exports_pass_bpmnlint(
    tmp_path: Path, make_workspace: Callable[[dict[str, str]], Path]
) -> None:
    loaded = load(fork_workspace(make_workspace))
    assert loaded.workspace is not None
    files = {f"split/{k}": v for k, v in bpmn_files(loaded.workspace, "fi").items()}
    files.update({f"again/{k}": v for k, v in _roundtripped(tmp_path).items()})
    out = tmp_path / "lint"
    names = _write(out, files)
    reports = bpmnlint(out, names)
    assert {
        n: [r for r in found if r["category"] == "error"]
        for n, found in reports.items()
        if any(r["category"] == "error" for r in found)
    } == {}


# --- OMG schema ------------------------------------------------------------------------------


@requires_xsd
def test_schema_bites_on_an_invalid_file() -> None:
    data = lamppu_bpmn()["redu/talous.bpmn"]
    swapped = data.replace(b'isExecutable="false"', b'isExecutable="maybe"')
    assert xsd_errors(swapped)


@requires_xsd
def test_every_lamppu_export_validates_against_the_omg_schema() -> None:
    for name, data in lamppu_bpmn().items():
        assert xsd_errors(data) == [], name


@requires_xsd
def test_roundtrip_exports_validate_against_the_omg_schema(tmp_path: Path) -> None:
    for name, data in _roundtripped(tmp_path).items():
        assert xsd_errors(data) == [], name


# --- bpmn-js ---------------------------------------------------------------------------------


@requires_viewer
def test_bpmn_js_imports_every_export_without_warnings(tmp_path: Path) -> None:
    docs = dict(lamppu_bpmn())
    docs["broken-control"] = b"<definitions/>"
    for name in GOOD_FIXTURES:
        if name not in WITHOUT_FULL_DI:  # nothing to show: bpmn-js says "no diagram"
            docs[f"fixture/{name}"] = (FIXTURES / name).read_bytes()
    results = open_in_bpmn_js(tmp_path, docs)
    control = results.pop("broken-control")
    assert control["error"] is not None, "the viewer check bites"
    for name, result in results.items():
        assert result["error"] is None, (name, result)
        assert result["warnings"] == [], name
        assert isinstance(result["shapes"], int) and result["shapes"] > 5, name


# --- files shaped unlike the MIWG suite --------------------------------------------------------


@requires_bpmnlint
@requires_xsd
def test_own_fixtures_come_back_whole_and_their_re_exports_pass_the_tools(tmp_path: Path) -> None:
    """Import, validate (with the roles and owners the import asks for), export again: every
    element of every kind comes back, and the re-exports pass bpmnlint and the OMG schema."""
    from qms.lint import lint
    from tests.bpmn.miwg import round_trip

    names = []
    for fixture in OWN_FIXTURES:
        trip = round_trip(FIXTURES / fixture, tmp_path / "ws")
        assert {k: v for k, v in trip.kinds.items() if v[0] != v[1]} == {}, fixture
        assert len(trip.kinds) >= 5, fixture
        findings = lint(load(trip.workspace)).findings
        assert [f.code for f in findings if f.severity == "error"] == [], fixture
        for rel, data in trip.exports.items():
            assert xsd_errors(data) == [], (fixture, rel)
            names += _write(tmp_path / "lint", {f"{fixture}__{rel.replace('/', '__')}": data})
    reports = bpmnlint(tmp_path / "lint", names)
    errors = {n: [r for r in found if r["category"] == "error"] for n, found in reports.items()}
    assert {n: e for n, e in errors.items() if e} == {}
    assert len(reports) == len(names) >= 7
