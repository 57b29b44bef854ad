"""Incremental `qms validate` (qms/incremental.py): exactly a full run's findings, for less work.

Two properties of the rules make keeping findings exact; both are checked here for every rule
on every rule fixture, on LAMPPU and on a generated workspace, and each check is shown to
fail on a rule that breaks it. Then edits of every kind are made to a LAMPPU copy, and after
each the kept run must print what a run without any cache prints.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from qms import incremental
from qms.findings import Finding, Msg
from qms.lint import Context, Problem, Rule, problem, run_rules
from qms.load import Loaded, assemble, load
from qms.model import Workspace
from qms.rules import all_rules
from tests.conftest import LAMPPU
from tests.rules.test_fixtures import CASES

FILE_RULES = [r for r in all_rules() if r.scope == "file"]
WIDE_RULES = [r for r in all_rules() if r.scope == "workspace"]
SHAPE_RULES = [r for r in all_rules() if r.shape_only]
"""The `workspace` rules and the `file` rules declared `wording=False`: rewording a text must
change none of their findings (a reworded file is then checked by the other rules only)."""


def _load_case(case: Path) -> Loaded:
    """A rule fixture loaded as its test loads it."""
    if case.is_dir():
        files = (
            None
            if (case / "qms.yaml").is_file()
            else [p.relative_to(case).as_posix() for p in case.rglob("*.yaml")]
        )
        return load(case, files=files)
    return load(case.parent, files=[case.name])


def _generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate

    root = tmp_path_factory.mktemp("generated")
    generate(root, 3, 6, 12, seed=7)
    return root


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.file, f.line, f.col, f.code, tuple(sorted(f.text.items())), f.path, f.suppressed)


def _run(ws: Workspace, loaded: Loaded, rules: list[Rule], as_of: dt.date) -> list[Any]:
    return sorted(_key(f) for f in run_rules(ws, loaded.sources, rules, _all_on(rules), as_of))


def _all_on(rules: list[Rule]) -> dict[str, Any]:
    return {r.code: r.severity for r in rules}


def file_scope_differences(loaded: Loaded, rules: list[Rule]) -> list[Any]:
    """Findings of `file` rules that differ between the whole workspace and each file alone."""
    ws = loaded.workspace
    assert ws is not None
    as_of = ws.settings.as_of or dt.date(2013, 1, 1)
    whole = _run(ws, loaded, rules, as_of)
    alone: list[Any] = []
    for doc in ws.documents():
        docs = [ws.settings] if doc is ws.settings else [ws.settings, doc]
        part = _run(assemble(ws.root, docs), loaded, rules, as_of)
        alone += [k for k in part if k[0] == doc.source]
    return sorted(set(whole) ^ set(alone))


def _reword_text(value: Any) -> Any:
    """The same emptiness and languages, other words."""
    if isinstance(value, list):
        return [_reword_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _reword_text(v) for k, v in value.items()}
    if isinstance(value, str) and value.strip():
        return f"Toisin sanoen: {value[::-1]} (muokattu)"
    return value


def reworded(node: Any) -> Any:
    """A copy of a model with every `Text` reworded; the same object when nothing changed."""
    if isinstance(node, BaseModel):
        texts = incremental._text_fields(type(node))
        updates: dict[str, Any] = {}
        for name, value in node.__dict__.items():
            new = _reword_text(value) if name in texts else reworded(value)
            if new is not value and new != value:
                updates[name] = new
        return node.model_copy(update=updates) if updates else node
    if isinstance(node, list):
        items = [reworded(v) for v in node]
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    return node


def text_differences(loaded: Loaded, rules: list[Rule]) -> tuple[list[Any], int]:
    """Findings of `workspace` rules that change when every text is reworded, and how many
    documents the rewording changed."""
    ws = loaded.workspace
    assert ws is not None
    as_of = ws.settings.as_of or dt.date(2013, 1, 1)
    docs = [reworded(d) for d in ws.documents()]
    changed = sum(1 for a, b in zip(docs, ws.documents(), strict=True) if a is not b)
    other = assemble(ws.root, docs, unloaded=ws.unloaded)
    assert [d.source for d in other.documents()] == [d.source for d in ws.documents()]
    before, after = _run(ws, loaded, rules, as_of), _run(other, loaded, rules, as_of)
    return sorted(set(before) ^ set(after)), changed


CORPUS = [pytest.param(c, id=f"{c.parent.name}/{c.name}") for c in CASES]


@pytest.mark.parametrize("case", [pytest.param(LAMPPU, id="lamppu"), *CORPUS])
def test_file_rules_read_only_their_file(case: Path) -> None:
    assert file_scope_differences(_load_case(case), FILE_RULES) == []


@pytest.mark.parametrize("case", [pytest.param(LAMPPU, id="lamppu"), *CORPUS])
def test_shape_only_rules_ignore_wording(case: Path) -> None:
    differences, _ = text_differences(_load_case(case), SHAPE_RULES)
    assert differences == []


def test_both_properties_on_a_generated_workspace(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    loaded = load(_generated(tmp_path_factory))
    assert file_scope_differences(loaded, FILE_RULES) == []
    differences, changed = text_differences(loaded, SHAPE_RULES)
    assert differences == [] and changed > 20


def test_workspace_rules_are_shape_only_and_most_file_rules_too() -> None:
    assert all(r.shape_only for r in WIDE_RULES)
    assert len([r for r in FILE_RULES if r.shape_only]) > len(FILE_RULES) // 2


# --- the checks above can fail ---------------------------------------------------------------

PEEK = Msg(en="{count} processes; this one is {name}", fi="{count} prosessia; tämä on {name}")


def _peeking_rule(scope: Any, wording: bool = True) -> Rule:
    """A rule that breaks both properties: counts the other files, quotes a name."""

    def check(ctx: Context) -> Iterator[Problem]:
        for p in ctx.workspace.processes:
            name = p.name if isinstance(p.name, str) else p.name.get("fi", "")
            yield problem(ctx.loc(p, "id"), PEEK, count=len(ctx.workspace.processes), name=name)

    doc = "QMS999 peeking: test only"
    return Rule("QMS999", "peeking", "warning", check, doc, True, scope, (), wording)


def test_the_property_checks_catch_a_rule_that_breaks_them() -> None:
    loaded = load(LAMPPU)
    assert file_scope_differences(loaded, [_peeking_rule("file")])
    differences, changed = text_differences(loaded, [_peeking_rule("workspace")])
    assert differences and changed > 20
    differences, _ = text_differences(loaded, [_peeking_rule("file", wording=False)])
    assert differences


def test_shape_ignores_wording_but_not_emptiness_structure_or_written_keys() -> None:
    loaded = load(LAMPPU)
    assert loaded.workspace is not None
    process = loaded.workspace.processes[0]
    same = incremental.shape(process)
    assert incremental.shape(reworded(process)) == same
    assert incremental.shape(process.model_copy(update={"purpose": " "})) != same
    assert incremental.shape(process.model_copy(update={"owner": "muu"})) != same
    assert incremental.shape(process.model_copy(update={"steps": process.steps[1:]})) != same
    fewer = process.model_copy()
    object.__setattr__(fewer, "__pydantic_fields_set__", set(process.model_fields_set) - {"level"})
    assert incremental.shape(fewer) != same


# --- edits --------------------------------------------------------------------------------------

TALOUS = "organisations/redu/processes/talous.yaml"
HENKILOSTO = "organisations/redu/processes/henkilosto.yaml"


@pytest.fixture
def lamppu(tmp_path: Path) -> Path:
    """A LAMPPU copy with one file-scope and one workspace-scope error in talous.yaml."""
    root = tmp_path / "lamppu"
    shutil.copytree(LAMPPU, root)
    target = root / TALOUS
    text = target.read_text(encoding="utf-8")
    text = text.replace("owner: talousjohtaja\n", "").replace("realizes: [G9]", "realizes: [G99]")
    target.write_text(text, encoding="utf-8")
    return root


def full(root: Path) -> list[Any]:
    """What a run without any kept state prints."""
    outcome = incremental.validate(str(root), cache=False)
    assert outcome.mode == "uncached"
    return [_key(f) for f in outcome.result.findings]


def check(root: Path, mode: str, checked: list[str] | None = None) -> list[Any]:
    """One kept run: how it ran, and that it printed what a full run prints (the findings
    and the count of example elements in the summary)."""
    outcome = incremental.validate(str(root))
    assert outcome.mode == mode
    if checked is not None:
        assert outcome.checked == checked
    got = [_key(f) for f in outcome.result.findings]
    plain = incremental.validate(str(root), cache=False)
    assert got == [_key(f) for f in plain.result.findings]
    assert outcome.result.examples == plain.result.examples
    return got


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def lines_of(found: list[Any], rel: str) -> list[tuple[int, str]]:
    return sorted((k[1], k[3]) for k in found if k[0] == rel)


def test_a_reworded_file_is_checked_alone_and_its_findings_move(lamppu: Path) -> None:
    first = check(lamppu, "cold")
    assert {code for _, code in lines_of(first, TALOUS)} >= {"QMS201", "QMS004"}
    check(lamppu, "unchanged", [])
    edit(lamppu, TALOUS, "kind: process\n", "# Talousprosessi\n\nkind: process\n")
    edit(lamppu, TALOUS, "Talousprosessi\n", "Talouden prosessi\n")
    moved = check(lamppu, "incremental", [TALOUS])
    assert [(n - 2, c) for n, c in lines_of(moved, TALOUS)] == lines_of(first, TALOUS)
    check(lamppu, "unchanged", [])


def test_a_reworded_file_is_checked_without_the_flow_rules(lamppu: Path) -> None:
    """The flow rules read no wording: after a rewording their findings stand, and neither
    they nor networkx (a sixth of a second to import) are run, in a fresh interpreter."""
    import subprocess
    import sys

    check(lamppu, "cold")
    edit(lamppu, TALOUS, "Talousprosessi", "Talouden prosessi")
    probe = (
        "import sys; from qms import incremental; "
        f"o = incremental.validate({str(lamppu)!r}); "
        "print(o.mode, 'networkx' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=os.environ
    )
    assert done.stdout.split() == ["incremental", "False"]
    check(lamppu, "unchanged", [])


def test_a_suppression_reason_moves_with_its_finding(lamppu: Path) -> None:
    suppressed = [k for k in check(lamppu, "cold") if k[6]]
    assert suppressed, "LAMPPU suppresses findings with reasons"
    rel = suppressed[0][0]
    path = lamppu / rel
    path.write_text("# siirretty\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = check(lamppu, "incremental", [rel])
    assert next(k for k in after if k[6] and k[0] == rel)[1] == suppressed[0][1] + 1


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        (TALOUS, "realizes: [G99]", "realizes: [G9]"),  # a reference: coverage changes
        (TALOUS, "purpose: >-", "purpose: ''\nx_purpose: >-"),  # a schema error
        (HENKILOSTO, "level: 2", "level: 3"),  # a value
        (TALOUS, "- {id: taloussaanto, name: Kuntayhtymän taloussääntö}", ""),  # an element
        (TALOUS, "realizes: [G99]", "example: true\nrealizes: [G9]"),  # and an example mark
    ],
)
def test_other_edits_rerun_the_workspace_rules(lamppu: Path, rel: str, old: str, new: str) -> None:
    check(lamppu, "cold")
    edit(lamppu, rel, old, new)
    check(lamppu, "workspace", [rel])
    check(lamppu, "unchanged", [])


def test_a_settings_edit_checks_everything_again(lamppu: Path) -> None:
    check(lamppu, "cold")
    edit(lamppu, "qms.yaml", "kind: workspace", "# muutettu\nkind: workspace")
    check(lamppu, "cold")
    check(lamppu, "unchanged", [])


def test_new_deleted_and_broken_files(lamppu: Path) -> None:
    check(lamppu, "cold")
    extra = lamppu / "organisations/redu/processes/uusi.yaml"
    copy = (lamppu / TALOUS).read_text(encoding="utf-8").replace("id: talous", "id: uusi")
    extra.write_text(copy, encoding="utf-8")
    rel = extra.relative_to(lamppu).as_posix()
    found = check(lamppu, "workspace", [rel])
    assert any(k[0] == rel and k[3] == "QMS201" for k in found)
    extra.write_text("kind: process\nid: [", encoding="utf-8")
    check(lamppu, "workspace", [rel])
    extra.unlink()
    check(lamppu, "workspace", [])
    check(lamppu, "unchanged", [])
    (lamppu / HENKILOSTO).write_bytes("kind: process\nname: Ä\n".encode("latin-1"))
    check(lamppu, "workspace", [HENKILOSTO])
    (lamppu / HENKILOSTO).write_text("kind: process\nid: x\n", encoding="utf-8")
    check(lamppu, "workspace", [HENKILOSTO])


def test_a_same_size_edit_in_the_same_clock_tick_is_seen(lamppu: Path) -> None:
    check(lamppu, "cold")
    path = lamppu / TALOUS
    edit(lamppu, TALOUS, "Talousprosessi", "Talousprosessa")
    check(lamppu, "incremental", [TALOUS])
    before = path.stat()
    edit(lamppu, TALOUS, "Talousprosessa", "Talousprosessi")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    check(lamppu, "incremental", [TALOUS])


def test_a_broken_or_missing_state_is_a_cold_run(lamppu: Path) -> None:
    check(lamppu, "cold")
    folder = incremental._folder(str(lamppu))
    assert folder is not None
    (folder / "state.pickle").write_bytes(b"not a pickle")
    check(lamppu, "cold")
    (folder / "texts.bin").write_bytes(b"")
    edit(lamppu, TALOUS, "Talousprosessi", "Talousprosessi (luonnos)")
    check(lamppu, "workspace")  # the old text is lost: its shape is unknown
    check(lamppu, "cold")  # and the store out of step: it is written afresh
    check(lamppu, "unchanged")
    shutil.rmtree(folder)
    check(lamppu, "cold")


def test_another_date_or_option_is_another_state(lamppu: Path) -> None:
    check(lamppu, "cold")
    outcome = incremental.validate(str(lamppu), strict=True)
    assert outcome.mode == "cold"
    outcome = incremental.validate(str(lamppu), as_of=dt.date(2030, 1, 1))
    assert outcome.mode == "cold"
    assert outcome.result.counts() != incremental.validate(str(lamppu)).result.counts()


def test_cache_off(lamppu: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMS_CACHE", "0")
    assert incremental.validate(str(lamppu)).mode == "uncached"
    assert incremental.validate(str(lamppu)).mode == "uncached"


def test_the_cli_prints_the_same_after_an_edit(
    lamppu: Path, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qms.cli import cli

    command = ["validate", str(lamppu), "--format", "json"]
    first = runner.invoke(cli, command)
    edit(lamppu, TALOUS, "kind: process\n", "# kommentti\nkind: process\n")
    second = runner.invoke(cli, command)
    monkeypatch.setenv("QMS_CACHE", "0")
    plain = runner.invoke(cli, command)
    assert first.exit_code == second.exit_code == plain.exit_code == 1
    assert second.output == plain.output != first.output
