"""Report formats: SARIF checked against the official 2.1.0 schema, GitHub annotations with
their escaping, and JSON, on a workspace broken on purpose and on models/lamppu."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.findings import Finding
from qms.lint import Result
from qms.report import escape_data, escape_property, line_hashes, to_github, to_sarif
from tests.conftest import DATA, LAMPPU, ROOT, needs

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REASON = "Rooli perustetaan 2013, ks. laatusuunnitelma: kohta 3"


def assert_valid_sarif(log: dict[str, Any]) -> None:
    """Fail with every schema violation listed, not only the first."""
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.fixture
def broken(tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> str:
    """A `qms init` workspace with unknown references, one suppressed with a reason, and a
    duplicate process in a file whose name has a space and Finnish letters.

    The current folder is the workspace's parent, so paths are relative as in a repository.
    """
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(cli, ["init", "ws", "--lang", "fi"])
    assert made.exit_code == 0, made.output
    process = tmp_path / "ws/organisations/oppilaitos/processes/opiskelijapalaute.yaml"
    text = process.read_text(encoding="utf-8")
    text = text.replace("realizes: [G1]", "realizes: [G31]")
    text = text.replace(
        "{id: muutokset, name: Muutosten toteutus, role: opettaja, next: [loppu]}",
        "{id: muutokset, name: Muutosten toteutus, role: kehittaja, next: [loppu], "
        f'lint: {{ignore: [{{rule: QMS004, reason: "{REASON}"}}]}}}}',
    )
    assert "G31" in text and "kehittaja" in text
    process.write_text(text, encoding="utf-8")
    (process.parent / "käsittely kopio.yaml").write_text(text, encoding="utf-8")
    return "ws"


def run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


# --- SARIF -------------------------------------------------------------------------------------


def test_sarif_of_a_broken_workspace_is_valid_and_complete(broken: str, runner: CliRunner) -> None:
    code, out = run(runner, broken, "--format", "sarif", "--lang", "en")
    assert code == 1
    log = json.loads(out)
    assert_valid_sarif(log)
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "qms" and driver["version"] and driver["informationUri"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for r in rules:
        assert r["name"] and r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["help"]["markdown"].startswith(f"**{r['id']} {r['name']}**")
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = run_["results"]
    codes = {r["ruleId"] for r in results}
    assert {"QMS003", "QMS004"} <= codes
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("ws/") and "\\" not in uri and " " not in uri
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "ws/organisations/oppilaitos/processes/k%C3%A4sittely%20kopio.yaml" in uris
    goal = [r for r in results if "G31" in r["message"]["text"]]
    assert goal and all(r["level"] == "error" and r["suppressions"] == [] for r in goal)
    quiet = [r for r in results if r["suppressions"]]
    assert quiet, "the suppressed finding must be kept, marked as suppressed"
    assert all(r["suppressions"] == [{"kind": "inSource", "justification": REASON}] for r in quiet)
    prints = [r["partialFingerprints"]["qmsFinding/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_sarif_positions_match_the_json_format(broken: str, runner: CliRunner) -> None:
    _, sarif = run(runner, broken, "--format", "sarif")
    _, plain = run(runner, broken, "--format", "json")
    regions = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in json.loads(sarif)["runs"][0]["results"]
    ]
    findings = [(f["code"], f["line"], f["column"]) for f in json.loads(plain)["findings"]]
    assert regions == findings


def test_sarif_is_deterministic_and_fingerprints_survive_moved_lines(
    broken: str, runner: CliRunner, tmp_path: Path
) -> None:
    _, first = run(runner, broken, "--format", "sarif")
    _, again = run(runner, broken, "--format", "sarif")
    assert first == again
    process = tmp_path / "ws/organisations/oppilaitos/processes/opiskelijapalaute.yaml"
    process.write_text("# a comment moves every line down\n" + process.read_text("utf-8"), "utf-8")
    _, moved = run(runner, broken, "--format", "sarif")

    def prints(out: str) -> set[str]:
        return {
            r["partialFingerprints"]["qmsFinding/v1"] for r in json.loads(out)["runs"][0]["results"]
        }

    assert prints(first) == prints(moved)
    assert first != moved  # the lines did change


def test_sarif_of_lamppu_is_valid(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    if not (LAMPPU / "qms.yaml").is_file():
        pytest.skip("models/lamppu has no qms.yaml yet")
    monkeypatch.chdir(ROOT)
    code, out = run(runner, "models/lamppu", "--format", "sarif")
    assert code in (0, 1)
    log = json.loads(out)
    assert_valid_sarif(log)
    for r in log["runs"][0]["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("models/lamppu/")


def test_sarif_of_a_clean_result_and_an_absolute_root() -> None:
    log = json.loads(to_sarif(Result([], root="/srv/laatu"), "fi"))
    assert_valid_sarif(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["language"] == "fi"
    one = Finding(code="QMS004", text={"en": "x", "fi": "y"}, file="a b.yaml", line=3, col=5)
    found = json.loads(to_sarif(Result([one], root="/srv/laatu"), "fi"))
    assert_valid_sarif(found)
    location = found["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "file:///srv/laatu/a%20b.yaml"
    assert found["runs"][0]["results"][0]["message"]["text"] == "y"


def test_sarif_describes_internal_errors_too() -> None:
    broken_rule = Finding(
        code="QMS000", text={"en": "internal error"}, file="qms.yaml", rule="internal-error"
    )
    log = json.loads(to_sarif(Result([broken_rule]), "en"))
    assert_valid_sarif(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    index = log["runs"][0]["results"][0]["ruleIndex"]
    assert rules[index]["id"] == "QMS000" and rules[index]["name"] == "internal-error"


# --- SARIF to the letter: suppressions, GitHub's line hash, full regions, help URIs ----------

GITHUB_VECTORS = [  # github/codeql-action, src/fingerprints.test.ts ("hash")
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    *(
        (
            text,
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                "c129715d7a2bc9a3:1",
            ],
        )
        for text in (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        )
    ),
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            *(f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)),
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), GITHUB_VECTORS)
def test_line_hash_is_githubs(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == expected


def test_sarif_results_are_suppressed_all_or_none_with_githubs_line_hash_and_full_regions(
    broken: str, runner: CliRunner, tmp_path: Path
) -> None:
    _, out = run(runner, broken, "--format", "sarif", "--lang", "en")
    results = json.loads(out)["runs"][0]["results"]
    assert all("suppressions" in r for r in results)  # SARIF 2.1.0 3.27.23
    assert sum(bool(r["suppressions"]) for r in results) == 2
    for r in results:
        location = r["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        text = (tmp_path / unquote(uri)).read_text(encoding="utf-8")
        region = location["region"]
        line = region["startLine"]
        assert r["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text)[line - 1]
        source_line = text.splitlines()[line - 1]
        assert region["endLine"] == line and region["endColumn"] > region["startColumn"]
        start, end = region["startColumn"] - 1, region["endColumn"] - 1
        assert region["snippet"]["text"] == source_line[start:end] != ""
        assert location["contextRegion"]["snippet"]["text"] == source_line
    unknown_goal = next(r for r in results if "G31" in r["message"]["text"])
    assert unknown_goal["locations"][0]["physicalLocation"]["region"]["snippet"] == {"text": "G31"}


def test_sarif_help_uris_point_at_the_rule_reference_in_this_repository() -> None:
    log = json.loads(to_sarif(Result([]), "en"))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    reference = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in rules:
        base, _, anchor = rule["helpUri"].partition("#")
        assert base == "https://github.com/qms-developers/qms/blob/main/docs/rules.md"
        assert anchor == rule["id"].lower() and f'<a id="{anchor}"></a>' in reference


MULTITOOL = ROOT / ".tools/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
requires_multitool = needs(
    MULTITOOL.is_file(),
    "the SARIF Multitool is missing: run scripts/test-tools/bpmn-tools.sh (make test does)",
)


def multitool(log: dict[str, Any], folder: Path) -> list[str]:
    """The SARIF Multitool's `validate` with its SARIF and GitHub rules: the errors and
    warnings it reports, as 'RULE: message' (notes, such as unreachable URIs on this closed
    network, are left out)."""
    import subprocess

    given, report = folder / "given.sarif", folder / "report.sarif"
    given.write_text(json.dumps(log), encoding="utf-8")
    done = subprocess.run(
        [
            str(MULTITOOL),
            "validate",
            str(given),
            "-o",
            str(report),
            "--log",
            "ForceOverwrite",
            "--rule-kind",
            "Sarif;Gh",
            "--level",
            "Error;Warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(report.read_text(encoding="utf-8"))["runs"][0].get("results", [])
    return [f"{r['ruleId']}: {r['message'].get('text', r['message'])}" for r in found]


@requires_multitool
def test_sarif_passes_the_sarif_multitool(broken: str, runner: CliRunner, tmp_path: Path) -> None:
    _, out = run(runner, broken, "--format", "sarif", "--lang", "en")
    log = json.loads(out)
    assert multitool(log, tmp_path) == []
    del log["runs"][0]["results"][0]["locations"]  # what GitHub refuses: the tool must say so
    assert any(problem.startswith("GH1017") for problem in multitool(log, tmp_path))


@requires_multitool
def test_sarif_of_lamppu_passes_the_sarif_multitool(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    log = json.loads(runner.invoke(cli, ["validate", "models/lamppu", "--format", "sarif"]).stdout)
    assert log["runs"][0]["results"], "LAMPPU has suppressed findings to check"
    assert multitool(log, tmp_path) == []


# --- GitHub ------------------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a,b:c%\nd") == "a%2Cb%3Ac%25%0Ad"


def test_github_lines_per_severity_and_escaped_fields() -> None:
    findings = [
        Finding(
            code="QMS004",
            text={"en": "unknown goal 'G31'; did you mean 'G3'?\nsecond line 50%"},
            file="processes/talous, uusi.yaml",
            line=7,
            col=12,
            rule="unknown-reference",
            keypath="realizes[0]",
        ),
        Finding(code="QMS206", text={"en": "w"}, file="p.yaml", severity="warning", rule="r-w"),
        Finding(code="QMS403", text={"en": "i"}, file="p.yaml", severity="info", rule="r-i"),
        Finding(code="QMS206", text={"en": "quiet"}, file="p.yaml", rule="r", suppressed="why"),
    ]
    out = to_github(Result(findings, root="models/x"), "en")
    assert out.splitlines() == [
        "::error file=models/x/processes/talous%2C uusi.yaml,line=7,col=12,"
        "title=QMS004 unknown-reference::realizes[0]: unknown goal 'G31'; did you mean 'G3'?"
        "%0Asecond line 50%25",
        "::warning file=models/x/p.yaml,line=1,col=1,title=QMS206 r-w::w",
        "::notice file=models/x/p.yaml,line=1,col=1,title=QMS403 r-i::i",
    ]


def test_github_format_from_the_cli(broken: str, runner: CliRunner) -> None:
    code, out = run(runner, broken, "--format", "github", "--lang", "en")
    _, plain = run(runner, broken, "--format", "json", "--lang", "en")
    assert code == 1
    active = [f for f in json.loads(plain)["findings"] if f["suppressed"] is None]
    lines = out.splitlines()
    assert len(lines) == len(active) > 0
    assert all(line.startswith(("::error file=ws/", "::warning file=ws/")) for line in lines)
    assert any(",title=QMS004 unknown-reference::" in line for line in lines)
    assert not any(REASON.split(",")[0] in line for line in lines)
    assert all("\n" not in line and "\r" not in line for line in lines)


# --- JSON and text -----------------------------------------------------------------------------


def test_json_format(broken: str, runner: CliRunner) -> None:
    code, out = run(runner, broken, "--format", "json", "--lang", "fi")
    assert code == 1
    payload = json.loads(out)
    assert payload["version"] == 1 and payload["root"] == "ws"
    findings = payload["findings"]
    assert findings == sorted(
        findings, key=lambda f: (f["workspace_file"], f["line"], f["column"], f["code"])
    )
    assert all(f["file"] == f"ws/{f['workspace_file']}" for f in findings)
    assert all(set(f["messages"]) == {"en", "fi"} for f in findings)
    assert all(f["message"] == f["messages"]["fi"] for f in findings)
    quiet = [f for f in findings if f["suppressed"] is not None]
    assert [f["suppressed"] for f in quiet] == [REASON] * len(quiet) and quiet
    counts = payload["summary"]
    assert counts["suppressed"] == len(quiet)
    assert counts["error"] + counts["warning"] + counts["info"] == len(findings) - len(quiet)


def test_text_format_counts_suppressed_findings_in_one_line(broken: str, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", broken, "--lang", "en"])
    assert REASON not in result.stdout + result.stderr
    err = result.stderr.splitlines()
    assert err[0] == "2 suppressed; show them: --show-suppressed"
    assert err[-1] == "3 errors, 2 warnings."
    fi = runner.invoke(cli, ["validate", broken, "--lang", "fi"])
    assert fi.stderr.splitlines()[0] == "2 vaiennettua; näytä ne: --show-suppressed"


def test_show_suppressed_lists_them_with_their_reason(broken: str, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", broken, "--lang", "en", "--show-suppressed"])
    assert f"(suppressed, reason: {REASON})" not in result.stdout
    assert f"(suppressed, reason: {REASON})" in result.stderr
    assert result.stderr.rstrip().endswith(" suppressed.")
    assert "--show-suppressed" not in result.stderr


def test_severity_error_lists_errors_only_and_says_what_it_left_out(
    broken: str, runner: CliRunner
) -> None:
    every = runner.invoke(cli, ["validate", broken, "--lang", "en"])
    errors = runner.invoke(cli, ["validate", broken, "--lang", "en", "--severity", "error"])
    assert every.exit_code == errors.exit_code == 1
    lines = every.stdout.splitlines()
    kept = [line for line in lines if " error: " in line]
    left_out = len(lines) - len(kept)
    assert kept and left_out, "the fixture has errors and lesser findings"
    assert errors.stdout.splitlines() == kept
    assert "not listed (--severity error): " in errors.stderr
    _, sarif = run(runner, broken, "--format", "sarif", "--severity", "error")
    levels = {r["level"] for r in json.loads(sarif)["runs"][0]["results"]}
    assert levels == {"error"}


def test_quiet_prints_the_findings_only(broken: str, runner: CliRunner) -> None:
    loud = runner.invoke(cli, ["validate", broken, "--lang", "en"])
    quiet = runner.invoke(cli, ["validate", broken, "--lang", "en", "--quiet"])
    assert quiet.exit_code == loud.exit_code == 1
    assert quiet.stdout == loud.stdout and quiet.stderr == "" and loud.stderr


def test_every_format_is_offered_by_validate(runner: CliRunner) -> None:
    from qms.report import FORMATS

    help_text = runner.invoke(cli, ["validate", "--help"]).output
    assert set(FORMATS) == {"text", "json", "sarif", "github"}
    assert all(name in help_text for name in FORMATS)
