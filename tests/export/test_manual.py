"""The manual's content model: one organisation's processes, plan, metrics, goals, findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.export.labels import LABELS
from qms.export.manual import Manual, build_manual, build_manuals
from qms.lint import lint
from qms.load import load
from tests.export.conftest import EVIL, EVIL_PROCESS


def manual(root: Path, lang: str = "fi") -> Manual:
    loaded = load(str(root))
    assert loaded.workspace is not None
    return build_manual(loaded.workspace, "opisto", lang, result=lint(loaded))


def test_labels_have_both_languages() -> None:
    assert set(LABELS["fi"]) == set(LABELS["en"])
    assert all(LABELS["fi"].values()) and all(LABELS["en"].values())


def test_front_matter_and_process_order(small: Path) -> None:
    m = manual(small)
    assert m.name == EVIL  # kept as written: escaping is the renderers' job
    assert m.short == "OPI"
    assert m.as_of == "2026-06-01"
    assert [(b.band, [pid for pid, _ in b.processes]) for b in m.bands] == [
        ("management", []),
        ("core", ["palaute"]),
        ("support", ["talous"]),
    ]
    assert [p.id for p in m.processes] == ["palaute", "talous"]
    assert m.quality_group == (("Laatupäällikkö", "Maija Meikäläinen", "Puheenjohtaja"),)


def test_process_page(small: Path) -> None:
    p = manual(small).process("palaute")
    assert p.name == EVIL_PROCESS
    assert p.owner == "Laatupäällikkö"
    assert (p.status, p.version, p.approved_by, p.approved_on) == (
        "approved",
        "1.2",
        "Johtoryhmä",
        "1.2.2026",
    )
    assert [(i.name, i.party, i.href) for i in p.inputs] == [
        ("Palaute", "Opiskelijat", ""),
        ("Budjetti", "Talous", "talous.html"),
    ]
    assert p.outputs[1].href == "../muu/kirjasto.html"
    assert [(s.name, s.role) for s in p.steps][:2] == [
        ("Kausi alkaa", "Laatupäällikkö"),
        ("Kysely", "Opettaja"),
    ]
    assert p.steps[1].documents == ("Palauteohje",)
    assert p.steps[2].next == ("Rahoitus (kyllä)", "Valmis (ei)")
    assert [(x.name, x.target, x.latest) for x in p.metrics] == [
        ("Vastausprosentti", "70", "55 (kevat)")
    ]
    assert [(g.id, g.how) for g in p.goals] == [("G1", "realizes"), ("G2", "influences")]
    assert p.review_overdue and p.review_next == "1.1.2026"
    assert p.risks[0].likelihood == "high"
    assert any(f.code == "QMS209" for f in p.findings)
    assert p.diagram == "opisto/palaute"


def test_plan_grouped_by_phase_with_overdue_actions(small: Path) -> None:
    (plan,) = manual(small).plans
    assert [phase for phase, _ in plan.phases] == ["plan", "do", "check", ""]
    actions = {a.id: a for _, rows in plan.phases for a in rows}
    assert actions["a1"].overdue  # due 2026-03-01, still planned
    assert not actions["a2"].overdue  # done
    assert not actions["a3"].overdue  # due later
    assert actions["a1"].evaluated_by == ("Vastausprosentti",)
    assert (plan.status, plan.version, plan.approved_by) == ("approved", "3", "Hallitus")


def test_goal_coverage_findings_and_approvals(small: Path) -> None:
    m = manual(small)
    goals = {g.id: g for g in m.goals}
    assert goals["G1"].committed and goals["G1"].state == "covered"
    assert "Laatusuunnitelma" not in goals["G1"].realized_by
    assert "Vastausprosentti" in goals["G1"].realized_by
    codes = {f.code for f in m.findings}
    assert {"QMS301", "QMS302", "QMS209"} <= codes
    assert all(f.where.startswith("organisations/opisto/") for f in m.findings)
    (suppressed,) = m.suppressed
    assert suppressed.code == "QMS206"
    assert suppressed.reason == "Mitataan tilinpäätöksessä <i>vuosittain</i>"
    assert [a.document for a in m.approvals] == [EVIL_PROCESS, "Talous", "Laatusuunnitelma"]


def test_english_with_fallback_to_the_workspace_language(small: Path) -> None:
    m = manual(small, "en")
    p = m.process("palaute")
    assert p.name == "Feedback"
    assert p.purpose == "Palaute kerätään ja käsitellään."  # only in Finnish: falls back
    assert p.owner == "Quality manager"
    assert m.description == "A vocational college"


def test_build_manuals_selects_by_id_or_short_name(small: Path) -> None:
    loaded = load(str(small))
    assert loaded.workspace is not None
    ws = loaded.workspace
    assert [m.organisation for m in build_manuals(ws)] == ["muu", "opisto"]
    assert [m.organisation for m in build_manuals(ws, ["opi", "OPISTO"])] == ["opisto"]
    with pytest.raises(KeyError):
        build_manuals(ws, ["nobody"])
