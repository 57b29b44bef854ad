"""The bad-input corpus: each case in tests/data/bad/ gives exactly its expected output.

A case is a folder; `expected.txt` holds the exit code on its first line (`# exit N`) and then
exactly what `qms validate . --lang en` prints on standard output inside the folder. Cases
whose files cannot live in git (a 10 MB name, an unreadable file) are made in the tests below.
Never a traceback: every case must end in a finding or a clear fatal message.

Set QMS_REGENERATE=1 to rewrite the expectations after a deliberate change of wording, then
read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from tests.conftest import DATA

BAD = DATA / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.is_dir())


def run_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(case)
    result = CliRunner().invoke(cli, ["validate", ".", "--lang", "en"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{case.name}: {result.exception!r}"
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_input_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_case(case, monkeypatch)
    expected_file = case / "expected.txt"
    actual = f"# exit {code}\n{out if out else err}"
    if os.environ.get("QMS_REGENERATE") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    assert "Traceback" not in out + err
    assert actual == expected_file.read_text(encoding="utf-8")


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


def make_ws(root: Path, extra: dict[str, bytes]) -> Path:
    (root / "qms.yaml").write_text("kind: workspace\nname: W\n", encoding="utf-8")
    for rel, data in extra.items():
        (root / rel).write_bytes(data)
    return root


def test_ten_megabyte_name_is_refused_by_size(tmp_path: Path) -> None:
    name = b"x" * (10 * 1024 * 1024)
    make_ws(tmp_path, {"iso.yaml": b"kind: organisation\nid: iso\nname: " + name + b"\n"})
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{tmp_path}/iso.yaml:1:1: QMS001 error: the file is 10485794 bytes, more than the "
        "limit of 4194304; split it\n"
    )


def test_long_name_under_the_size_limit_loads(tmp_path: Path) -> None:
    name = "Ä" * 100_000
    make_ws(tmp_path, {"org.yaml": f"kind: organisation\nid: pitka\nname: {name}\n".encode()})
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--lang", "en"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "QMS001" not in result.stdout and "QMS002" not in result.stdout


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    # Root reads anything, so make a name that cannot be read as a file: a dangling link.
    make_ws(tmp_path, {})
    (tmp_path / "kadonnut.yaml").symlink_to(tmp_path / "ei-ole.yaml")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{tmp_path}/kadonnut.yaml:1:1: QMS001 error: cannot read the file: "
        "No such file or directory\n"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_file_without_read_permission(tmp_path: Path) -> None:
    make_ws(tmp_path, {"salainen.yaml": b"kind: organisation\nid: s\nname: S\n"})
    (tmp_path / "salainen.yaml").chmod(0)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert "cannot read the file: Permission denied" in result.stdout
