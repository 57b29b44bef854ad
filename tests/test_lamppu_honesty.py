"""models/lamppu says only what the two progress reports say, and marks the rest.

Each assertion is one statement of the reports (/work/shared/seeds: the coordinator's report
and KAO's sub-project report) that the model must agree with.
"""

from __future__ import annotations

from click.testing import CliRunner

from qms.cli import cli
from qms.coverage import Coverage, coverage
from qms.example import example_of
from qms.index import Index
from qms.load import load
from qms.model import Workspace
from tests.conftest import LAMPPU


def lamppu() -> tuple[Workspace, Coverage]:
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    return loaded.workspace, coverage(loaded.workspace, Index.build(loaded.workspace))


def cell(cov: Coverage, goal: str, org: str):  # type: ignore[no-untyped-def]
    row = next(i for i, g in enumerate(cov.goals) if g.id == goal)
    col = next(i for i, o in enumerate(cov.organisations) if o.id == org)
    return cov.cells[row][col]


def period(cov: Coverage, goal: str, org: str, pid: str) -> str:
    return next(p.status for p in cell(cov, goal, org).periods if p.period == pid)


def test_cells_agree_with_the_reports() -> None:
    _, cov = lamppu()
    # the coordinator organised the final seminar in Kokkola in December 2012
    assert period(cov, "G12", "redu", "syksy-2012") == "achieved"
    # SAKK's quality-management plan to 2015 is done
    assert period(cov, "G11", "sakk", "syksy-2012") == "achieved"
    # all partners had drafted or started their development plan by the autumn
    for org in ("jedu", "lappia"):
        assert period(cov, "G11", org, "syksy-2012") in ("ongoing", "achieved")
    # KAO's first row joins G1 and G3: its spring result stands for both
    assert period(cov, "G3", "kao", "kevat-2012") == "achieved"
    # all partners took part in the network meetings (G1)
    for org in ("jedu", "lappia", "sakk"):
        assert cell(cov, "G1", org).state == "not-committed-but-contributes"
        assert period(cov, "G1", org, "kevat-2012") == "achieved"


def test_names_and_bodies_as_the_sources_have_them() -> None:
    ws, _ = lamppu()
    orgs = {o.id: o for o in ws.organisations}
    name = orgs["lappia"].name
    assert isinstance(name, dict) and name["fi"] == "Kemi-Tornionlaakson koulutuskuntayhtymä Lappia"
    description = orgs["lappia"].description
    assert isinstance(description, dict) and "kyselyn juurruttamisessa" in description["fi"]
    talous = next(p for p in ws.processes if p.id == "talous")
    approve = next(s for s in talous.steps if s.id == "paatos")
    assert approve.role == "yhtymavaltuusto"  # the council approves; the board prepares
    assert any(s.role == "yhtymahallitus" and "valtuustolle" in str(s.name) for s in talous.steps)
    texts = [str(r.text) for doc in ws.results for r in doc.results]
    assert all(t.startswith("”") and t.endswith("”") for t in texts)  # quotes, shown as such


def test_unsupported_content_is_marked() -> None:
    ws, _ = lamppu()
    orgs = {o.id: o for o in ws.organisations}
    for plan in ws.plans:
        assert example_of(ws.settings, orgs[plan.organisation], plan), plan.id
    for doc in ws.metrics:
        for metric in doc.metrics:
            assert example_of(ws.settings, orgs[doc.organisation], metric), metric.id
    for process in ws.processes:
        mark = example_of(ws.settings, orgs[process.organisation], process)
        assert mark is not None and mark.reason, process.id
    assert not any(o.quality_group for o in ws.organisations)  # members are not reported


def test_coverage_says_five_of_seven_are_modelled() -> None:
    result = CliRunner().invoke(cli, ["coverage", str(LAMPPU), "--lang", "fi"])
    assert result.exit_code == 0
    assert "5/7 kumppania mallinnettu" in result.output


def test_jedus_predecessor_units_are_example_content_outside_the_seven() -> None:
    """The reports say only that JEDU supported a merger of education providers: the two
    predecessor units of the merger case are invented, marked, and counted with no member."""
    from qms.export.manual import build_manuals

    ws, cov = lamppu()
    predecessors = [o for o in ws.organisations if o.merges_into]
    assert sorted(o.id for o in predecessors) == ["jedu-a", "jedu-b"]
    assert {o.merges_into for o in predecessors} == {"jedu"}
    for org in predecessors:
        mark = example_of(ws.settings, org)
        assert mark is not None and "keksitty" in str(mark.reason), org.id
        assert "esimerkki" in str(org.name)
    for process in ws.processes:
        if process.organisation in ("jedu-a", "jedu-b"):
            owner = next(o for o in predecessors if o.id == process.organisation)
            assert example_of(ws.settings, owner, process) is not None
    members = ["jedu", "kao", "lappia", "redu", "sakk"]
    assert [o.id for o in cov.organisations] == members and cov.modelled == 5
    assert sorted(o.id for o in ws.members) == members
    assert [m.organisation for m in build_manuals(ws, history=False)] == members
    realized = {e.id.split("/")[0] for row in cov.cells for c in row for e in c.elements}
    assert not realized & {"jedu-a", "jedu-b"}
