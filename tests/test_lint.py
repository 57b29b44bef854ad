"""The rule engine: presets and `rules:` settings, per-element suppression with reasons, and a
rule that raises reported as an internal finding while the other rules still run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from qms import rules
from qms.findings import Msg
from qms.lint import Context, Problem, Rule, configure, lint, problem, run_rules
from qms.load import load
from qms.model import RuleConfig

Make = Callable[[dict[str, str]], Path]

PROCESS = """kind: process
id: talous
organisation: demo
name: Talous
owner: johtaja
purpose: Raha riittää.
steps:
  - {id: alku, kind: start, name: Alku, role: johtaja, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu, role: johtaja}
"""
ORG = "kind: organisation\nid: demo\nname: Demo\nroles: [{id: johtaja, name: Johtaja}]\n"


def workspace(make: Make, settings: str = "", process: str = PROCESS) -> Path:
    return make(
        {
            "qms.yaml": f"kind: workspace\nname: W\nas_of: 2013-01-01\n{settings}",
            "org.yaml": ORG,
            "talous.yaml": process,
        }
    )


def codes(root: Path) -> dict[str, str]:
    return {f.code: f.severity for f in lint(load(root)).findings if not f.suppressed}


def test_recommended_preset_and_severity_overrides(make_workspace: Make) -> None:
    found = codes(workspace(make_workspace))
    assert found["QMS206"] == "warning"  # unmeasured-process, default severity
    raised = codes(workspace(make_workspace, "rules:\n  severity: {QMS206: error}\n"))
    assert raised["QMS206"] == "error"
    by_name = codes(workspace(make_workspace, "rules:\n  ignore: [unmeasured-process]\n"))
    assert "QMS206" not in by_name
    by_prefix = codes(workspace(make_workspace, "rules:\n  ignore: [QMS2]\n"))
    assert not [c for c in by_prefix if c.startswith("QMS2")]


def test_strict_preset_turns_warnings_into_errors() -> None:
    every = rules.all_rules()
    recommended = configure(every, RuleConfig())
    strict = configure(every, RuleConfig(extends="strict"))
    assert recommended["QMS206"] == "warning" and strict["QMS206"] == "error"
    assert all(s != "warning" for s in strict.values())
    assert set(configure(every, RuleConfig(extends="all"))) == {r.code for r in every}


def test_suppression_keeps_the_finding_with_its_reason(make_workspace: Make) -> None:
    process = PROCESS + "lint:\n  ignore:\n    - {rule: QMS206, reason: Mittari tulee 2013}\n"
    root = workspace(make_workspace, process=process)
    [finding] = [f for f in lint(load(root)).findings if f.code == "QMS206"]
    assert finding.suppressed == "Mittari tulee 2013"
    assert lint(load(root)).counts()["suppressed"] >= 1


def test_a_rule_that_raises_is_reported_and_the_others_still_run(make_workspace: Make) -> None:
    def explode(ctx: Context) -> Iterator[Problem]:
        yield problem(ctx.loc(ctx.workspace.processes[0]), Msg(en="x", fi="x"))
        raise ZeroDivisionError("boom")

    broken = Rule("QMS999", "exploding-rule", "error", explode, "QMS999 exploding-rule: test")
    root = workspace(make_workspace)
    loaded = load(root)
    assert loaded.workspace is not None
    good = rules.get("QMS206")
    found = run_rules(
        loaded.workspace, loaded.sources, [broken, good], {"QMS999": "error", "QMS206": "warning"}
    )
    internal = [f for f in found if f.code == "QMS000"]
    assert len(internal) == 1
    assert "QMS999" in internal[0].message("en") and "boom" in internal[0].message("en")
    assert "sisäinen virhe" in internal[0].message("fi")
    assert [f.code for f in found if f.code == "QMS206"] == ["QMS206"]


# --- rule options ----------------------------------------------------------------------------


def test_a_rule_option_set_in_qms_yaml_changes_the_threshold(make_workspace: Make) -> None:
    """oversized-diagram's `limit` (default 20): the 2-step flow is over a limit of 1."""
    assert "QMS112" not in codes(workspace(make_workspace))
    tight = "rules:\n  options:\n    oversized-diagram: {limit: 1}\n"
    assert codes(workspace(make_workspace, tight))["QMS112"] == "warning"
    by_code = "rules:\n  options:\n    QMS112: {limit: 1}\n"
    assert "QMS112" in codes(workspace(make_workspace, by_code))


def test_wrong_rule_options_are_located_findings_and_the_default_holds(
    make_workspace: Make,
) -> None:
    settings = (
        "rules:\n  options:\n"
        "    oversized-diagram: {limt: 1, limit: many}\n"
        "    crowded-proces-map: {limit: 3}\n"
    )
    found = [f for f in lint(load(workspace(make_workspace, settings))).findings]
    options = [f for f in found if f.file == "qms.yaml" and f.code == "QMS002"]
    texts = sorted(f.message("en") for f in options)
    assert texts == [
        "option 'limit' of rule QMS112 takes a value like its default 20, not 'many'; "
        "the default is used",
        "options for 'crowded-proces-map', which is no rule's code or name; "
        "did you mean 'crowded-process-map'?",
        "rule QMS112 has no option 'limt'; did you mean 'limit'?; its options: limit",
    ]
    assert {(f.line, f.keypath) for f in options} == {
        (6, "rules.options.oversized-diagram.limt"),
        (6, "rules.options.oversized-diagram.limit"),
        (7, "rules.options.crowded-proces-map"),
    }
    assert "QMS112" not in {f.code for f in found}, "the default limit (20) still holds"


def test_every_rule_option_is_documented_by_its_rule() -> None:
    with_options = [r for r in rules.all_rules() if r.options]
    assert {r.name for r in with_options} >= {"oversized-diagram", "crowded-process-map"}
    for r in with_options:
        section = r.doc.split("## Options", 1)
        assert len(section) == 2, f"{r.code} has options but no '## Options' section"
        for name, default in r.options:
            assert f"`{name}` (default {default})" in section[1], f"{r.code}: {name}"
