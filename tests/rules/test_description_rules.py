"""Tricky cases of the process-description (QMS2xx) and plan/metric (QMS3xx) rules that the
one-line fixtures do not show: cycles, cross-organisation hand-offs, dates against as-of,
deep hierarchies, message contents, and the `qms init` workspaces staying clean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from qms import rules
from qms.findings import Finding
from qms.lint import run_rules
from qms.load import load
from qms.scaffold import workspace_files

MakeWorkspace = Callable[[dict[str, str]], Path]
MINE = [f"QMS{n}" for n in (*range(201, 213), *range(301, 307))]
QMS_YAML = "kind: workspace\nname: Demo\n"


def findings(root: Path, code: str, as_of: dt.date | None = None) -> list[Finding]:
    """The findings of one rule on a workspace folder, sorted."""
    loaded = load(root)
    assert loaded.workspace is not None, loaded.fatal
    assert not [f for f in loaded.findings if f.code in ("QMS001", "QMS002")], loaded.findings
    rule = rules.get(code)
    found = run_rules(loaded.workspace, loaded.sources, [rule], {code: rule.severity}, as_of)
    return sorted(found, key=Finding.sort_key)


def process(pid: str, org: str = "demo", **fields: str) -> str:
    """A minimal process document with extra top-level `fields` (YAML flow values)."""
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"kind: process\nid: {pid}\norganisation: {org}\nname: {pid.upper()}\n{extra}"


# --- QMS210 level-mismatch -------------------------------------------------------------------


def test_cycle_is_reported_once_in_id_order(make_workspace: MakeWorkspace) -> None:
    root = make_workspace(
        {
            "qms.yaml": QMS_YAML,
            "c.yaml": process("c", level="1", parent="a"),
            "a.yaml": process("a", level="3", parent="b"),
            "b.yaml": process("b", level="2", parent="c"),
            "d.yaml": process("d", level="2", parent="a"),  # not on the cycle: still compared
        }
    )
    found = findings(root, "QMS210")
    assert [(f.file, f.line, f.element) for f in found] == [
        ("a.yaml", 6, "a"),
        ("d.yaml", 6, "d"),
    ]
    assert found[0].text["en"].startswith("processes form a cycle of parents: a -> b -> c -> a")
    assert "a -> b -> c -> a" in found[0].text["fi"]
    assert "level 2 but its parent 'a' is at level 3" in found[1].text["en"]


def test_cycle_across_organisations_names_processes_qualified(
    make_workspace: MakeWorkspace,
) -> None:
    root = make_workspace(
        {
            "qms.yaml": QMS_YAML,
            "x.yaml": process("x", org="kao", parent="redu/y"),
            "y.yaml": process("y", org="redu", parent="kao/x"),
        }
    )
    found = findings(root, "QMS210")
    assert len(found) == 1
    assert found[0].file == "x.yaml"
    assert "x -> redu/y -> x" in found[0].text["en"]


def test_deep_hierarchy_is_walked_without_recursion(make_workspace: MakeWorkspace) -> None:
    """A 3000-long chain of parents with one wrong level: linear walk, one finding."""
    files = {"qms.yaml": QMS_YAML}
    for n in range(3000):
        fields = {"level": "2"} if n == 0 else {"level": "2", "parent": f"p{n - 1}"}
        files[f"p{n}.yaml"] = process(f"p{n}", **fields)
    root = make_workspace(files)
    found = findings(root, "QMS210")
    assert len(found) == 2999  # every child repeats level 2 under a level-2 parent
    assert all("exactly one level up" in f.text["en"] for f in found)


# --- QMS208 isolated-process -----------------------------------------------------------------


def test_hand_off_across_organisations_links_both_ends(make_workspace: MakeWorkspace) -> None:
    root = make_workspace(
        {
            "qms.yaml": QMS_YAML,
            "redu-a.yaml": process("talous", org="redu"),
            "redu-b.yaml": process("johtaminen", org="redu"),
            "kao-a.yaml": process(
                "raportointi", org="kao", outputs="[{name: Raportti, to: redu/talous}]"
            ),
            "kao-b.yaml": process("opetus", org="kao", outputs="[{name: Raportti, to: talous}]"),
        }
    )
    found = findings(root, "QMS208")
    # redu/talous is fed from kao; kao/opetus's `talous` means kao/talous, which does not exist
    assert sorted((f.file, f.element) for f in found) == [
        ("kao-b.yaml", "opetus"),
        ("redu-b.yaml", "johtaminen"),
    ]
    assert all(f.line == 2 for f in found)  # the process's `id` line


def test_single_process_organisation_is_exempt(make_workspace: MakeWorkspace) -> None:
    root = make_workspace({"qms.yaml": QMS_YAML, "a.yaml": process("yksin")})
    assert findings(root, "QMS208") == []


# --- QMS209 / QMS302: dates against the as-of date ------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2012, 10, 31), []),  # due today: not late yet
        (dt.date(2012, 11, 1), ["auditointi"]),
        (None, ["auditointi"]),  # the workspace's as_of, 2013-01-01
    ],
)
def test_overdue_action_against_as_of(
    make_workspace: MakeWorkspace, as_of: dt.date | None, expected: list[str]
) -> None:
    root = make_workspace(
        {
            "qms.yaml": QMS_YAML + "as_of: 2013-01-01\n",
            "plan.yaml": "kind: plan\nid: p\norganisation: demo\nname: P\nactions:\n"
            "  - {id: auditointi, what: Auditointi, when: 2012-10-31, status: started}\n"
            "  - {id: kysely, what: Kysely, when: 2012-09-30, status: done}\n",
        }
    )
    found = findings(root, "QMS302", as_of)
    assert [f.element for f in found] == expected
    if expected:
        assert found[0].keypath == "actions[0].when"
        assert "is still started" in found[0].text["en"]


def test_overdue_review_uses_explicit_as_of(make_workspace: MakeWorkspace) -> None:
    root = make_workspace(
        {"qms.yaml": QMS_YAML, "a.yaml": process("talous", review="{next: 2012-05-01}")}
    )
    assert findings(root, "QMS209", dt.date(2012, 5, 1)) == []
    [late] = findings(root, "QMS209", dt.date(2012, 5, 2))
    assert late.keypath == "review.next"
    assert "2012-05-01" in late.text["fi"]


# --- listing messages --------------------------------------------------------------------------


def test_incomplete_action_lists_every_missing_field(make_workspace: MakeWorkspace) -> None:
    root = make_workspace(
        {
            "qms.yaml": QMS_YAML,
            "plan.yaml": "kind: plan\nid: p\norganisation: demo\nname: P\nactions:\n"
            "  - {id: kysely, what: Kysely, who: rehtori}\n",
        }
    )
    [found] = findings(root, "QMS301")
    assert "does not say resources, when, evaluated_by" in found.text["en"]
    assert found.line == 6 and found.element == "kysely"


def test_missing_cycle_phase_lists_phases_in_cycle_order(make_workspace: MakeWorkspace) -> None:
    root = make_workspace(
        {
            "qms.yaml": QMS_YAML,
            "plan.yaml": "kind: plan\nid: p\norganisation: demo\nname: P\nactions:\n"
            "  - {id: a, what: A, phase: check}\n  - {id: b, what: B}\n",
        }
    )
    [found] = findings(root, "QMS304")
    assert "phase plan, do, act of the quality cycle" in found.text["en"]
    assert "vaiheessa suunnittelu, toteutus, parantaminen" in found.text["fi"]


def test_approval_rule_covers_plans_and_processes(make_workspace: MakeWorkspace) -> None:
    root = make_workspace(
        {
            "qms.yaml": QMS_YAML,
            "a.yaml": process("talous", status="approved"),
            "plan.yaml": "kind: plan\nid: p\norganisation: demo\nname: P\nstatus: approved\n",
        }
    )
    found = findings(root, "QMS212")
    assert [(f.file, f.keypath) for f in found] == [("a.yaml", "status"), ("plan.yaml", "status")]
    assert found[1].text["en"].startswith("plan 'p' has status approved")
    assert found[0].text["fi"].startswith("prosessi 'talous' on tilassa hyväksytty (approved)")


# --- the scaffold ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_init_workspace_is_clean(make_workspace: MakeWorkspace, lang: str) -> None:
    """`qms init` must not greet a new quality group with findings of these rules."""
    root = make_workspace(workspace_files(lang))
    loaded = load(root)
    assert loaded.workspace is not None
    chosen = [rules.get(code) for code in MINE]
    found = run_rules(
        loaded.workspace,
        loaded.sources,
        chosen,
        {r.code: r.severity for r in chosen},
        dt.date(2026, 11, 21),
    )
    assert [(f.code, f.file, f.line) for f in found] == []
