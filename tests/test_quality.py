"""The quality cycle's library: shipped criteria sets, summaries, the maturity matrix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qms.export.assessment import maturity, reports
from qms.index import Index
from qms.load import load
from qms.quality import (
    add_months,
    builtin_criteria,
    criteria_sets,
    entries,
    summarise,
)

FIXTURE = Path(__file__).parent / "rules" / "fixtures" / "unaddressed_gap" / "pass_ok"


def test_shipped_sets_are_valid_and_cite_their_source() -> None:
    sets = builtin_criteria()
    assert set(sets) == {"fi-vet-quality", "eqavet-provider", "iso9001-2015"}
    for criteria in sets.values():
        ids = [e.statement.id for e in entries(criteria)]
        assert len(ids) == len(set(ids)), criteria.id
        levels = [s.level for s in criteria.scale]
        assert levels == sorted(levels) and criteria.threshold in levels
        assert criteria.source_ and criteria.licence and criteria.interval_months == 12
    national = sets["fi-vet-quality"]
    assert [s.id for s in national.scale] == ["puuttuva", "alkava", "kehittyva", "edistynyt"]
    assert [a.id for a in national.areas] == ["J", "R", "Y", "T"]
    assert len(entries(sets["eqavet-provider"])) == 16 + 10  # four phases + ten indicators
    iso = sets["iso9001-2015"]
    assert [a.id for a in iso.areas] == [str(n) for n in range(4, 11)]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2012, 11, 30), 12, dt.date(2013, 11, 30)),
        (dt.date(2013, 1, 31), 1, dt.date(2013, 2, 28)),
        (dt.date(2012, 1, 31), 1, dt.date(2012, 2, 29)),
        (dt.date(2012, 12, 15), 1, dt.date(2013, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_last_day(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def _workspace_with(tmp_path: Path, extra: dict[str, str]) -> Path:
    for source in FIXTURE.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "qms.yaml").write_text("kind: workspace\nname: testi\n", encoding="utf-8")
    for name, body in extra.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    return tmp_path


def test_summary_results_per_item_and_threshold(tmp_path: Path) -> None:
    loaded = load(_workspace_with(tmp_path, {}))
    assert loaded.workspace is not None
    ws = loaded.workspace
    (assessment,) = ws.assessments
    summary = summarise(assessment, criteria_sets(ws))
    assert summary is not None
    item = summary.criteria.areas[0].items[0]
    assert summary.item_mean(item) == 2.5
    assert [e.statement.id for e in summary.gaps()] == ["Y1.2"]
    assert summary.functioning() is False


def test_maturity_matrix_gaps_first_with_change(tmp_path: Path) -> None:
    older = (FIXTURE / "assessment.yaml").read_text(encoding="utf-8")
    older = older.replace("itsearviointi-2012", "itsearviointi-2011").replace(
        "2012-11-30", "2011-11-30"
    )
    older = older.replace("level: 3", "level: 1", 1)
    other = (
        "kind: organisation\nid: redu\nname: REDU\n",
        "kind: assessment\nid: a\norganisation: redu\ncriteria: pieni\ndate: 2012-10-01\n"
        "ratings:\n  - {statement: Y1.1, level: 1}\n  - {statement: Y1.2, level: 4}\n",
    )
    root = _workspace_with(
        tmp_path, {"older.yaml": older, "redu.yaml": other[0], "redu-arvio.yaml": other[1]}
    )
    loaded = load(root)
    ws = loaded.workspace
    assert ws is not None
    index = Index.build(ws)
    orgs = [(o, reports(ws, index, o, "fi")) for o in ("kao", "redu")]
    (view,) = maturity(orgs)
    assert view.columns == ("kao", "redu")
    first, second = view.rows
    # Y1.1: kao 3 (was 1), redu 1 -> one gap; Y1.2: kao 2, redu 4 -> one gap; equal gaps keep
    # the set's order.
    assert first[0] == "Y1.1"
    assert first[2][0][:2] == (3, 2)  # kao: level 3, up by 2 from the 2011 assessment
    assert first[2][1][:2] == (1, None)  # redu: no previous assessment, no change
    assert [cell[0] for cell in second[2]] == [2, 4]
    assert not view.missing
    alone = maturity([("kao", orgs[0][1]), ("sakk", ())])
    assert alone[0].missing == ("sakk",)


def test_a_level_off_the_scale_is_never_counted(tmp_path: Path) -> None:
    """QMS508 reports it; summaries, charts and item results treat it as not rated."""
    text = (FIXTURE / "assessment.yaml").read_text(encoding="utf-8").replace("level: 3", "level: 9")
    loaded = load(_workspace_with(tmp_path, {"assessment.yaml": text}))
    assert loaded.workspace is not None
    (assessment,) = loaded.workspace.assessments
    summary = summarise(assessment, criteria_sets(loaded.workspace))
    assert summary is not None
    assert [e.statement.id for e in summary.unassessed()] == ["Y1.1"]
    assert summary.item_mean(summary.criteria.areas[0].items[0]) == 2.0
    assert summary.functioning() is None
