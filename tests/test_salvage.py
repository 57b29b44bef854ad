"""Element-level salvage: one bad element never drops its neighbours, nor invents findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from qms.cli import cli
from qms.lint import lint
from qms.load import load
from tests.conftest import error_findings

Make = Callable[[dict[str, str]], Path]

BASE = {
    "qms.yaml": "kind: workspace\nname: Verkosto\nas_of: 2014-12-31\n",
    "project.yaml": (
        "kind: project\nid: hanke\nname: Hanke\n"
        "periods:\n  - {id: k2014, name: Kevät, start: 2014-01-01, end: 2014-06-30}\n"
        "goals:\n  - {id: G1, name: Yksi}\n  - {id: G2, name: Kaksi}\n"
    ),
    "organisations/o/organisation.yaml": (
        "kind: organisation\nid: o\nname: O\ncommits_to: [G1, G2]\n"
        "roles:\n  - {id: lp, name: Laatupäällikkö}\n"
    ),
    "organisations/o/results.yaml": (
        "kind: results\norganisation: o\nresults:\n"
        "  - {period: k2014, goal: G1, text: T, status: achieved}\n"
        "  - {period: k2014, goal: G2, text: T, status: achieved}\n"
    ),
}

PROCESS = """\
kind: process
id: p
organisation: o
name: P
owner: lp
realizes: [G1]
steps:
"""

PLAN = """\
kind: plan
id: s
organisation: o
name: S
actions:
  - {id: A 1, what: Ensimmäinen, who: lp, when: 2014-05-01, resources: r, realizes: [G2]}
  - {id: a2, what: Toinen, when: 2014-05-01, resources: r, realizes: [G1], phase: do}
  - {id: a3, what: Kolmas, who: lp, when: 1.5.2014, resources: r, realizes: [G1]}
"""


def test_one_bad_id_leaves_the_rest_of_the_file(make_workspace: Make) -> None:
    root = make_workspace(BASE | {"organisations/o/plan.yaml": PLAN})
    found = error_findings(root)
    plan = "organisations/o/plan.yaml"
    # the bad id (line 6) and the bad date (line 8) are reported where they are written;
    # a2's own finding (no `who`, line 7) is still reported, at a2's line
    assert ("QMS002", plan, 6) in found
    assert ("QMS002", plan, 8) in found
    assert ("QMS301", plan, 7) in found
    # nothing invented: G2 was realized by the left-out action, a3's `when` was left out
    assert not [f for f in found if f[0] == "QMS401"]
    assert ("QMS301", plan, 8) not in found
    loaded = load(str(root))
    messages = [f.message("en") for f in loaded.findings]
    assert any("left out: the item actions[0] (id 'A 1')" in m for m in messages)
    assert any("left out: this value" in m for m in messages)
    assert loaded.workspace is not None
    assert [a.id for a in loaded.workspace.plans[0].actions] == ["a2", "a3"]


def test_coverage_says_it_is_incomplete(make_workspace: Make) -> None:
    root = make_workspace(BASE | {"organisations/o/plan.yaml": PLAN})
    result = CliRunner().invoke(cli, ["coverage", str(root), "--lang", "fi"])
    assert result.exit_code == 1
    assert "Malli on puutteellinen: 2 virhettä (organisations/o/plan.yaml)" in result.stderr


def test_a_bad_step_kind_does_not_become_a_task(make_workspace: Make) -> None:
    process = (
        PROCESS
        + """\
  - {id: alku, kind: start, name: Alku, role: lp, next: [d]}
  - {id: d, kind: desicion, name: Onko?, role: lp, next: [a, b]}
  - {id: a, name: A, role: lp, next: [loppu]}
  - {id: b, name: B, role: lp, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu, role: lp}
"""
    )
    root = make_workspace(BASE | {"organisations/o/processes/p.yaml": process})
    loaded = load(str(root))
    codes = {f.code for f in lint(loaded).findings if f.file.endswith("p.yaml")}
    assert "QMS002" in codes
    assert not {"QMS106", "QMS107", "QMS109"} & codes  # no verdict on the default `task`


def test_a_bad_flow_target_does_not_cascade(make_workspace: Make) -> None:
    process = (
        PROCESS
        + """\
  - {id: alku, kind: start, name: Alku, role: lp, next: [väli]}
  - {id: väli, name: Väli, role: lp, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu, role: lp}
"""
    )
    root = make_workspace(BASE | {"organisations/o/processes/p.yaml": process})
    found = [f for f in error_findings(root) if f[1].endswith("p.yaml")]
    assert [f[0] for f in found] == ["QMS002", "QMS002"]  # the two bad ids, nothing else


def test_unknown_key_position_after_a_left_out_item(make_workspace: Make) -> None:
    metrics = """\
kind: metrics
organisation: o
metrics:
  - {id: M 1, name: Yksi, target: 1, frequency: f, source: s, realizes: [G1]}
  - {id: m2, name: Kaksi, target: 1, frequency: f, source: s, realizes: [G9]}
"""
    root = make_workspace(BASE | {"organisations/o/metrics.yaml": metrics})
    found = error_findings(root)
    # m2 is now metrics[0] of the model, but its unknown goal is reported on its own line
    assert ("QMS004", "organisations/o/metrics.yaml", 5) in found
