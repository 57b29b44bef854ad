"""`qms approve` binds an approval to the content; an edit afterwards gives a finding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from click.testing import CliRunner

from qms.approval import digest
from qms.cli import cli
from qms.load import load
from tests.changes.conftest import edit

TALOUS = "organisations/redu/processes/talous.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def codes(workspace: Path) -> list[tuple[str, int, str]]:
    _code, out = run("validate", str(workspace), "--lang", "en")
    found = []
    for line in out.splitlines():
        parts = line.split(": ", 2)
        if len(parts) == 3 and parts[1].split()[0] in ("QMS220", "QMS221", "QMS222"):
            file, line_no, _ = parts[0].split(":")
            shown = Path(file).resolve().relative_to(workspace.resolve()).as_posix()
            found.append((shown, int(line_no), parts[1].split()[0]))
    return found


def test_approve_keeps_the_file_and_an_edit_afterwards_is_a_finding(lamppu_repo: Path) -> None:
    path = lamppu_repo / TALOUS
    before = path.read_text(encoding="utf-8")
    code, out = run(
        "approve",
        str(lamppu_repo),
        "redu/talous",
        "--by",
        "yhtymahallitus",
        "--on",
        "2013-01-15",
        "--lang",
        "en",
    )
    assert code == 0, out
    after = path.read_text(encoding="utf-8")
    # Only status changed and the approval was added: every other line, comment included.
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert removed == ["status: draft"]
    assert "# Esimerkkisisältö: raporteissa" in after
    assert after.index("approved:") < after.index("# Esimerkkisisältö")
    loaded = load(lamppu_repo, packs=False)
    assert loaded.workspace is not None
    process = next(p for p in loaded.workspace.processes if p.id == "talous")
    assert process.status == "approved"
    approved = process.approved
    assert approved is not None
    assert (approved.by, approved.on, approved.version) == (
        "yhtymahallitus",
        dt.date(2013, 1, 15),
        "0.1",
    )
    assert approved.digest == digest(process)
    assert set(approved.links) == {"goal:G9", "metric:talousarvion-toteuma"}
    assert codes(lamppu_repo) == []

    # Rewording a comment or re-indenting changes nothing.
    edit(path, "# Esimerkkisisältö: raporteissa", "#   Esimerkkisisältö:  raporteissa")
    assert codes(lamppu_repo) == []
    # Nor does writing a default explicitly (a task step is a task).
    edit(path, "{id: raami, name:", "{id: raami, kind: task, name:")
    assert codes(lamppu_repo) == []

    # A changed owner after the approval: suspect, and the version was not changed.
    edit(path, "owner: talousjohtaja", "owner: yhtymahallitus")
    lines = path.read_text(encoding="utf-8").splitlines()
    digest_line = next(i for i, line in enumerate(lines, 1) if "digest: sha256:" in line)
    version_line = next(i for i, line in enumerate(lines, 1) if line.startswith("version:"))
    assert codes(lamppu_repo) == [
        (TALOUS, version_line, "QMS221"),
        (TALOUS, digest_line, "QMS220"),
    ]
    # A new version answers QMS221; only re-approval answers QMS220.
    edit(path, '\nversion: "0.1"', '\nversion: "0.2"')
    assert codes(lamppu_repo) == [(TALOUS, digest_line, "QMS220")]
    code, out = run("approve", str(lamppu_repo), "redu/talous", "--by", "yhtymahallitus")
    assert code == 0, out
    assert codes(lamppu_repo) == []


def test_a_changed_goal_makes_the_approval_suspect(lamppu_repo: Path) -> None:
    """Doorstop's suspect link: the goal the process realizes is re-parented afterwards."""
    code, out = run("approve", str(lamppu_repo), "redu/talous", "--by", "yhtymahallitus")
    assert code == 0, out
    project = lamppu_repo / "project.yaml"
    goal_line = next(
        line for line in project.read_text(encoding="utf-8").splitlines() if "id: G9" in line
    )
    edit(project, goal_line, goal_line.replace("id: G9", "id: G9, parent: G1"))
    lines = (lamppu_repo / TALOUS).read_text(encoding="utf-8").splitlines()
    link_line = next(i for i, line in enumerate(lines, 1) if "goal:G9:" in line)
    assert codes(lamppu_repo) == [(TALOUS, link_line, "QMS222")]
    code, out = run("validate", str(lamppu_repo), "--lang", "en")
    assert "its goal G9 has changed since" in out


def test_refusals(lamppu_repo: Path) -> None:
    code, out = run("approve", str(lamppu_repo), "talous", "--by", "x", "--lang", "en")
    assert code == 2 and "ORGANISATION/ID" in out
    code, out = run("approve", str(lamppu_repo), "redu/talos", "--by", "x", "--lang", "en")
    assert code == 2 and "did you mean 'redu/talous'?" in out
    edit(lamppu_repo / TALOUS, "owner: talousjohtaja", "owner: [talousjohtaja]")
    before = (lamppu_repo / TALOUS).read_bytes()
    code, out = run("approve", str(lamppu_repo), "redu/talous", "--by", "x", "--lang", "en")
    assert code == 2 and "has errors" in out and "Traceback" not in out
    assert (lamppu_repo / TALOUS).read_bytes() == before


def test_approve_keeps_a_files_own_indentation(tmp_path: Path) -> None:
    """A file written with four-space maps and dashes at the key's column keeps them."""
    ws = tmp_path / "ws"
    assert run("init", str(ws), "--lang", "fi")[0] == 0
    path = ws / "organisations/oppilaitos/processes/opiskelijapalaute.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mine = "# oma tyyli\n" + yaml.safe_dump(data, allow_unicode=True, indent=4, sort_keys=False)
    path.write_text(mine, encoding="utf-8")
    code, out = run("approve", str(ws), "oppilaitos/opiskelijapalaute", "--by", "rehtori")
    assert code == 0, out
    after = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in mine.splitlines() if line not in after] == ["status: draft"]
    assert "approved:" in after and "status: approved" in after
    assert codes(ws) == []
