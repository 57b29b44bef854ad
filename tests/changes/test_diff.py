"""`qms diff` on a scripted git repository: exactly the changes made, in every format."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from qms.cli import cli
from tests.changes.conftest import commit, edit

EXPECTED = [
    ("kao", "metrics", "metrics", "removed", "metrics[bm-tapaamiset]"),
    ("redu", "process", "talous", "changed", "owner"),
    ("redu", "process", "talous", "renamed", "steps[raami].name"),
    ("redu", "process", "talous", "added", "steps[korjaus].next[seuranta]"),
]


def changes(payload: dict) -> list[tuple[str, str, str, str, str]]:  # type: ignore[type-arg]
    return sorted(
        (d["organisation"], d["kind"], d["id"], c["op"], c["path"])
        for d in payload["documents"]
        for c in d["changes"]
    )


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_working_tree_against_head_lists_exactly_the_edits(
    lamppu_repo: Path, make_four_edits: Callable[[Path], None]
) -> None:
    code, out = run("diff", str(lamppu_repo), "--format", "json")
    assert code == 0, out
    assert json.loads(out)["documents"] == []
    before = {p: p.read_bytes() for p in lamppu_repo.rglob("*.yaml")}
    make_four_edits(lamppu_repo)
    after = {p: p.read_bytes() for p in lamppu_repo.rglob("*.yaml")}
    code, out = run("diff", str(lamppu_repo), "--format", "json")
    assert code == 0, out
    payload = json.loads(out)
    assert changes(payload) == sorted(EXPECTED)
    by_path = {c["path"]: c for d in payload["documents"] for c in d["changes"]}
    assert by_path["owner"]["old"] == "talousjohtaja"
    assert by_path["owner"]["new"] == "yhtymahallitus"
    assert by_path["steps[raami].name"]["old"] == "Valmistellaan talousarvioraami"
    assert by_path["steps[raami].name"]["new"] == "Valmistellaan talousarvion raami"
    assert by_path["metrics[bm-tapaamiset]"]["old"]["fi"].startswith("Benchmark-tapaamiset")
    talous = next(d for d in payload["documents"] if d["id"] == "talous")
    assert talous["version_kept"] is True  # content changed, version 0.1 did not
    # Reading the history never wrote into the workspace.
    assert {p: p.read_bytes() for p in lamppu_repo.rglob("*.yaml")} == after != before


def test_revisions_and_formats(lamppu_repo: Path, make_four_edits: Callable[[Path], None]) -> None:
    make_four_edits(lamppu_repo)
    commit(lamppu_repo.parent.parent, "Neljä muutosta", 1_357_084_800)
    code, out = run("diff", str(lamppu_repo), "--from", "HEAD~1", "--to", "HEAD", "-f", "json")
    assert code == 2  # -f is not an option: bad usage
    code, out = run(
        "diff", str(lamppu_repo), "--from", "HEAD~1", "--to", "HEAD", "--format", "json"
    )
    assert code == 0, out
    assert changes(json.loads(out)) == sorted(EXPECTED)
    # Working tree equals HEAD now: nothing, and --exit-code says so.
    code, out = run("diff", str(lamppu_repo), "--exit-code", "--lang", "en")
    assert (code, out) == (0, "No semantic changes.\n")
    code, out = run("diff", str(lamppu_repo), "--from", "HEAD~1", "--exit-code", "--lang", "en")
    assert code == 1
    assert "~ owner: talousjohtaja -> yhtymahallitus" in out
    assert "content changed but version 0.1 did not" in out
    code, md = run(
        "diff", str(lamppu_repo), "--from", "HEAD~1", "--format", "markdown", "--lang", "en"
    )
    assert "| - removed | `metrics[bm-tapaamiset]` |" in md
    assert "\n### kao\n" in md
    assert "| \\+ added | `steps[korjaus].next[seuranta]` | - | → seuranta |" in md
    code, gh = run("diff", str(lamppu_repo), "--from", "HEAD~1", "--format", "github")
    assert gh.startswith("<!-- qms diff -->")
    assert "<details><summary><b>redu</b>: 1</summary>" in gh
    assert "| \\~ | `owner` | talousjohtaja | yhtymahallitus |" in gh


def test_two_folders(tmp_path: Path, lamppu_repo: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(lamppu_repo, old, ignore=shutil.ignore_patterns(".git"))
    edit(
        lamppu_repo / "organisations/jedu/processes/toimintajarjestelman-rakentaminen.yaml",
        "owner: laatupaallikko",
        "owner: johtoryhma",
    )
    code, out = run("diff", str(old), str(lamppu_repo), "--format", "json")
    assert code == 0, out
    assert changes(json.loads(out)) == [
        ("jedu", "process", "toimintajarjestelman-rakentaminen", "changed", "owner")
    ]


def test_comments_and_formatting_are_not_changes(lamppu_repo: Path) -> None:
    talous = lamppu_repo / "organisations/redu/processes/talous.yaml"
    edit(talous, "status: draft", "# a comment\nstatus:   draft")
    _code, out = run("diff", str(lamppu_repo), "--format", "json")
    assert json.loads(out)["documents"] == []


def test_not_a_repository_and_unknown_revision(tmp_path: Path, lamppu_repo: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(lamppu_repo, plain)
    code, out = run("diff", str(plain), "--lang", "en")
    assert code == 2
    assert "is not inside a git repository" in out
    code, out = run("diff", str(lamppu_repo), "--from", "nonexistent", "--lang", "en")
    assert code == 2
    assert "unknown revision 'nonexistent'" in out
    assert "Traceback" not in out


def test_a_new_users_repository(tmp_path: Path) -> None:
    """Not LAMPPU: a workspace from `qms init`, a moved file, a deleted organisation, a
    broken file, revisions that do not exist; every refusal located, exit 2, no traceback."""
    from dulwich import porcelain

    root = tmp_path / "repo"
    root.mkdir()
    porcelain.init(str(root))
    ws = root / "laatu"
    code, out = run("diff", str(ws), "--lang", "en")  # before the folder exists
    assert (code, "laatu does not exist" in out) == (2, True), out
    ws.mkdir()
    code, out = run("diff", str(ws), "--lang", "en")
    assert (code, "the repository has no commits yet" in out) == (2, True), out
    assert run("init", str(ws), "--lang", "fi", "--force")[0] == 0
    orgs = ws / "organisations"
    shutil.copytree(orgs / "oppilaitos", orgs / "toinen")
    for path in (orgs / "toinen").rglob("*.yaml"):
        content = path.read_text(encoding="utf-8")
        content = content.replace("id: oppilaitos", "id: toinen")
        path.write_text(content.replace("organisation: oppilaitos", "organisation: toinen"))
    commit(root, "Kaksi organisaatiota", 1_356_998_400)
    processes = orgs / "oppilaitos" / "processes"
    (processes / "opiskelijapalaute.yaml").rename(processes / "palaute.yaml")  # moved: no change
    edit(processes / "palaute.yaml", "name: Tulosten käsittely,", "name: Tulosten analyysi,")
    shutil.rmtree(orgs / "toinen")
    code, out = run("diff", str(ws), "--format", "json")
    assert code == 0, out
    assert changes(json.loads(out)) == [
        ("oppilaitos", "process", "opiskelijapalaute", "renamed", "steps[kasittely].name"),
        ("toinen", "metrics", "metrics", "removed", ""),
        ("toinen", "organisation", "toinen", "removed", ""),
        ("toinen", "process", "opiskelijapalaute", "removed", ""),
        ("toinen", "results", "results", "removed", ""),
    ]
    code, out = run("diff", str(ws), "--lang", "en")
    assert "- Example college  (deleted)" in out
    # A file the working tree cannot read is said so, located, and not called deleted.
    with (orgs / "oppilaitos" / "metrics.yaml").open("a", encoding="utf-8") as broken:
        broken.write("risks: [broken\n")
    code, out = run("diff", str(ws), "--lang", "en")
    assert code == 0
    assert "metrics.yaml could not be read completely at working tree" in out
    assert "organisations/oppilaitos/metrics.yaml:" in out
    assert "oppilaitos · metrics" not in out
    for rev, said in [
        ("nope", "unknown revision 'nope'"),
        ("HEAD~1", "unknown revision 'HEAD~1'"),  # the first commit has no parent
        ("", "unknown revision ''"),
    ]:
        code, out = run("diff", str(ws), "--from", rev, "--lang", "en")
        assert (code, said in out, "Traceback" in out) == (2, True, False), out
    code, out = run("diff", str(ws), "--from", "HEAD", "--to", "HEAD", str(ws), "--lang", "en")
    assert code == 2
    code, out = run("diff", str(ws), str(tmp_path / "nowhere"), "--lang", "en")
    assert (code, "nowhere does not exist" in out) == (2, True), out
    # A revision from before the workspace folder existed.
    (root / "README.md").write_text("x", encoding="utf-8")
    commit(root, "README", 1_357_084_800)
    sub = root / "uusi"
    shutil.copytree(ws, sub)
    code, out = run("diff", str(sub), "--from", "HEAD", "--lang", "en")
    assert (code, "the folder uusi does not exist at revision 'HEAD'" in out) == (2, True), out


def test_the_summary_counts_documents_with_plurals() -> None:
    """'1 asiakirja muuttunut', '2 asiakirjaa', '1 document': CLDR plurals, not '1 asiakirjaa'."""
    from qms.changes import summary
    from qms.diff import DocumentDiff, WorkspaceDiff

    one = DocumentDiff("process", "o", "p", "P", ())
    assert summary(WorkspaceDiff("a", "b", (one,)), "fi").startswith("1 asiakirja muuttunut: ")
    two = WorkspaceDiff("a", "b", (one, DocumentDiff("plan", "o", "q", "Q", ())))
    assert summary(two, "fi").startswith("2 asiakirjaa muuttunut: ")
    assert summary(WorkspaceDiff("a", "b", (one,)), "en").startswith("1 document changed: ")


def test_a_revision_range_as_git_writes_it(
    tmp_path: Path, lamppu_repo: Path, make_four_edits: Callable[[Path], None]
) -> None:
    """`A..B` is `--from A --to B`; `A..` ends at HEAD; `A...B` starts where B left A (so
    `HEAD...HEAD~1` is nothing, while `HEAD..HEAD~1` undoes the four edits); a folder that
    happens to be called `x..y` is still a folder."""
    make_four_edits(lamppu_repo)
    commit(lamppu_repo.parent.parent, "Neljä muutosta", 1_357_084_800)
    for rev in ("HEAD~1..HEAD", "HEAD~1..", "HEAD~1...HEAD"):
        code, out = run("diff", str(lamppu_repo), rev, "--format", "json")
        assert code == 0, (rev, out)
        assert changes(json.loads(out)) == sorted(EXPECTED), rev
    code, out = run("diff", str(lamppu_repo), "HEAD..HEAD~1", "--format", "json")
    assert ("redu", "process", "talous", "changed", "owner") in changes(json.loads(out))
    code, out = run("diff", str(lamppu_repo), "HEAD...HEAD~1", "--lang", "en")
    assert (code, out) == (0, "No semantic changes.\n")
    code, out = run("diff", str(lamppu_repo), "HEAD~1..nonexistent", "--lang", "en")
    assert code == 2 and "unknown revision 'nonexistent'" in out
    dotted = tmp_path / "x..y"
    shutil.copytree(lamppu_repo, dotted, ignore=shutil.ignore_patterns(".git"))
    code, out = run("diff", str(lamppu_repo), str(dotted), "--format", "json")
    assert (code, json.loads(out)["documents"]) == (0, [])
