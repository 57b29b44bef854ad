"""The JSON Schema and `qms validate` name the same mistakes: check-jsonschema (a generic
validator, as an editor falls back to) is run over every example and every bad-input case,
and for each file it must object exactly where qms reports a schema finding (QMS002), read the
file as qms does (a file qms cannot read, QMS001, it cannot read either, or finds no mapping
in), and accept every file qms accepts.

Left out, each for a reason a JSON Schema cannot see: where a file lies in the workspace
(`root-not-workspace`, `workspace-kind-elsewhere`), the file system (`directory-named-yaml`,
`symlink-out-of-workspace`), and hostile input that qms refuses by size before parsing while
a generic YAML reader expands or recurses through it (`alias-bomb`, `deep-nesting`), and
values that a JSON Schema has no word for: NaN and infinity where a number is meant (JSON has
neither; a YAML reader makes a float that every `number` accepts: `yaml-nan-target`), and a
control character inside a string (only a pattern on each of the schema's 500 strings could
say it: `yaml-control-character`). A file on which check-jsonschema itself crashes (see
`crashing`) counts as one it cannot read.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.schema import schema_text
from tests.conftest import DATA, LAMPPU, ROOT

NOT_FOR_A_SCHEMA = {
    "root-not-workspace",
    "workspace-kind-elsewhere",
    "directory-named-yaml",
    "symlink-out-of-workspace",
    "alias-bomb",
    "deep-nesting",
    "yaml-nan-target",
    "yaml-control-character",
}
BAD = sorted(p for p in (DATA / "bad").iterdir() if p.is_dir() and p.name not in NOT_FOR_A_SCHEMA)
FIXTURES = sorted(p for p in (ROOT / "tests/rules/fixtures").iterdir() if p.is_dir())
CHECK_JSONSCHEMA = shutil.which("check-jsonschema") or str(
    Path(sys.executable).parent / "check-jsonschema"
)


def crashing(files: list[Path]) -> set[str]:
    """The files on which check-jsonschema's own YAML parser raises something other than the
    parse error its command line reports: a tag whose value its constructor cannot build
    (`!!int kaksi`, `!!bool ehkä`) or an integer beyond Python's digit limit. On those its
    command line ends with a traceback and prints no JSON for any file of the run, so they
    are read here first, in-process, with the same parser: the generic reader cannot read
    them, as qms cannot (QMS001)."""
    from check_jsonschema.parsers import ParseError, ParserSet

    parsers = ParserSet()
    found = set()
    for file in files:
        try:
            parsers.parse_file(file, "yaml")
        except ParseError:
            pass  # reported by the command line as a parse error
        except Exception:  # noqa: BLE001 - whatever the tool would crash on
            found.add(str(file))
    return found


def check_jsonschema(schema: Path, files: list[Path]) -> tuple[dict[str, set[str]], set[str]]:
    """check-jsonschema's verdict: {file: the key paths it objects to}, and the files it could
    not parse (`crashing` ones included). A key it finds unexpected is named in its path, as
    qms names it."""
    unreadable = crashing(files)
    done = subprocess.run(
        [
            CHECK_JSONSCHEMA,
            "--schemafile",
            str(schema),
            "--output-format",
            "json",
            *(str(f) for f in files if str(f) not in unreadable),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.stdout.strip(), done.stderr  # the tool crashed on a file `crashing` missed
    report = json.loads(done.stdout)
    errors: dict[str, set[str]] = {}
    for error in report.get("errors", []):
        path = re.sub(r"^\$\.?", "", error["path"])
        extra = re.match(
            r"Additional properties are not allowed \((.*) (?:was|were) unexp", error["message"]
        )
        missing = re.match(r"'([^']+)' is a required property", error["message"])
        keys = re.findall(r"'([^']+)'", extra.group(1)) if extra else []
        if missing:
            keys = [missing.group(1)]
        for key in keys or [""]:
            errors.setdefault(error["filename"], set()).add(".".join(x for x in (path, key) if x))
    parse = {str(e["filename"]) for e in report.get("parse_errors", [])}
    return errors, parse | unreadable


def same_place(a: str, b: str) -> bool:
    """One key path is the other, or inside it (`steps[1].next[0]` written as a plain id is
    `steps[1].next[0].to` to qms)."""
    parts = lambda p: re.findall(r"[^.\[\]]+|\[\d+\]", p)  # noqa: E731
    x, y = parts(a), parts(b)
    return x[: len(y)] == y or y[: len(x)] == x


def qms_findings(folder: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["validate", str(folder), "--format", "json", "--lang", "en"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if not result.stdout.strip():
        return []
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "qms.schema.json"
    path.write_text(schema_text(), encoding="utf-8")
    return path


def test_the_schema_dispatches_by_kind_without_one_of() -> None:
    text = schema_text()
    assert '"oneOf"' not in text and '"anyOf"' not in text
    top = json.loads(text)
    assert [c["if"]["properties"]["kind"]["const"] for c in top["allOf"]] == top["properties"][
        "kind"
    ]["enum"]


def test_check_jsonschema_names_the_mistakes_qms_names(schema: Path) -> None:
    files = [f for case in BAD for f in sorted(case.rglob("*.yaml")) if f.is_file()]
    errors, unparsed = check_jsonschema(schema, files)
    compared = 0
    for case in BAD:
        findings = qms_findings(case)
        for file in sorted(f for f in case.rglob("*.yaml") if f.is_file()):
            rel = file.relative_to(case).as_posix()
            mine = [f for f in findings if f["workspace_file"] == rel]
            theirs = errors.get(str(file), set())
            where = f"{case.name}/{rel}"
            unreadable = [f for f in mine if f["code"] == "QMS001" and f["severity"] == "error"]
            if str(file) in unparsed:  # a file, or a value (a tag), the tool cannot read
                assert unreadable, f"{where}: qms reads it, cj cannot"
                continue
            if any(not f["keypath"] for f in unreadable):  # the whole file: unreadable to both
                assert theirs == {""}, where
                continue
            # A value qms read as text after reporting it (QMS001 at its key path, e.g. an
            # impossible date) is a value the schema objects to at the same place.
            keys = {str(f["keypath"]) for f in mine if f["code"] == "QMS002" or f in unreadable}
            for key in keys:
                assert any(same_place(key, t) for t in theirs), f"{where}: qms {key}, cj {theirs}"
            for t in theirs:
                assert any(same_place(key, t) for key in keys), f"{where}: cj {t}, qms {keys}"
            assert str(file) not in unparsed, where
            compared += bool(keys)
    assert compared >= 15, "most cases are schema mistakes that both must find"


def test_check_jsonschema_accepts_every_example(schema: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for lang in ("fi", "en"):
        assert runner.invoke(cli, ["init", str(tmp_path / lang), "--lang", lang]).exit_code == 0
    files = [
        *sorted(LAMPPU.rglob("*.yaml")),
        *sorted((tmp_path / "fi").rglob("*.yaml")),
        *sorted((tmp_path / "en").rglob("*.yaml")),
        *(f for case in FIXTURES for f in sorted(case.glob("*.yaml"))),
    ]
    errors, unparsed = check_jsonschema(schema, files)
    assert not unparsed and not errors, (errors, unparsed)


def test_booleans_aliases_dates_and_language_keys_agree(schema: Path, tmp_path: Path) -> None:
    """YAML 1.2 booleans (`yes` is text), `from` but not the attribute name `from_`, dates
    as YYYY-MM-DD and never a number, and an unknown language key named on the key itself:
    qms and check-jsonschema object to the same four keys."""
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "ws"), "--lang", "en"]).exit_code == 0
    process = next((tmp_path / "ws").rglob("processes/*.yaml"))
    text = process.read_text(encoding="utf-8")
    text = text.replace("status: draft", "status: draft\nexample: yes")
    text = text.replace("from: Students}", "from_: Students}")
    text = text.replace(
        "name: {en: Handling student feedback,", "name: {eng: Handling student feedback,"
    )
    process.write_text(text, encoding="utf-8")
    project = tmp_path / "ws" / "project.yaml"
    project.write_text(
        re.sub(r"start: \d{4}-01-01", "start: 1335830400", project.read_text("utf-8"), count=1),
        encoding="utf-8",
    )
    findings = qms_findings(tmp_path / "ws")
    mine = {(f["workspace_file"], f["keypath"]) for f in findings if f["code"] == "QMS002"}
    errors, unparsed = check_jsonschema(schema, [process, project])
    rel = process.relative_to(tmp_path / "ws").as_posix()
    assert mine == {
        (rel, "example"),
        (rel, "inputs[0].from_"),
        (rel, "name.eng"),
        ("project.yaml", "periods[0].start"),
    }
    assert errors == {
        str(process): {"example", "inputs[0].from_", "name.eng"},
        str(project): {"periods[0].start"},
    }
    assert not unparsed
