"""One id grammar for every kind of element; ids that differ only in case are a finding."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qms.lint import lint
from qms.load import load
from tests.conftest import error_findings

Make = Callable[[dict[str, str]], Path]

NETWORK = {
    "qms.yaml": "kind: workspace\nname: Verkosto\nas_of: 2014-12-31\n",
    "project.yaml": (
        "kind: project\nid: HANKE\nname: Hanke\ncoordinator: JSAO\n"
        "periods:\n  - {id: K2014, name: Kevät, start: 2014-01-01, end: 2014-06-30}\n"
        "goals:\n  - {id: G1, name: Yksi}\n  - {id: G1.1, name: Alatavoite, parent: G1}\n"
    ),
    "organisations/JSAO/organisation.yaml": (
        "kind: organisation\nid: JSAO\nname: Järjestäjä\ncommits_to: [G1]\n"
        "roles:\n  - {id: LP, name: Laatupäällikkö}\n  - {id: Opettaja, name: Opettaja}\n"
    ),
    "organisations/JSAO/processes/P1.yaml": (
        "kind: process\nid: P1\norganisation: JSAO\nname: Palaute\nowner: LP\n"
        "realizes: [G1, G1.1]\nmetrics: [M1]\n"
        "steps:\n"
        "  - {id: S1, kind: start, name: Alku, role: LP, next: [S2]}\n"
        "  - {id: S2, name: Kysely, role: Opettaja, next: [S3]}\n"
        "  - {id: S3, kind: end, name: Loppu, role: LP}\n"
    ),
    "organisations/JSAO/plan.yaml": (
        "kind: plan\nid: LS\norganisation: JSAO\nname: Laatusuunnitelma\nactions:\n"
        "  - {id: A1, what: Kysely, who: LP, when: 2014-05-01, resources: 2 htp,"
        " evaluated_by: [M1], realizes: [G1], processes: [P1], status: done}\n"
    ),
    "organisations/JSAO/metrics.yaml": (
        "kind: metrics\norganisation: JSAO\nmetrics:\n"
        "  - {id: M1, name: Vastausprosentti, target: 70, frequency: vuosittain,"
        " source: kysely, realizes: [G1]}\n"
    ),
    "organisations/JSAO/results.yaml": (
        "kind: results\norganisation: JSAO\nresults:\n"
        "  - {period: K2014, goal: G1, text: Tehty, status: achieved}\n"
    ),
}


def test_upper_case_ids_are_accepted_for_every_kind(make_workspace: Make) -> None:
    assert error_findings(make_workspace(NETWORK)) == []


def test_ids_differing_only_in_case_are_reported(make_workspace: Make) -> None:
    files = dict(NETWORK)
    files["project.yaml"] = files["project.yaml"].replace(
        "  - {id: G1.1, name: Alatavoite, parent: G1}\n",
        "  - {id: G1.1, name: Alatavoite, parent: G1}\n  - {id: g1, name: Toinen}\n",
    )
    loaded = load(str(make_workspace(files)))
    found = [f for f in lint(loaded).findings if f.code == "QMS003"]
    assert len(found) == 1
    assert found[0].file == "project.yaml" and found[0].line == 10
    assert "'g1'" in found[0].message("en") and "'G1'" in found[0].message("en")
    assert "kirjainkooltaan" in found[0].message("fi")


def test_a_reference_in_the_wrong_case_names_the_id(make_workspace: Make) -> None:
    files = dict(NETWORK)
    files["organisations/JSAO/plan.yaml"] = files["organisations/JSAO/plan.yaml"].replace(
        "realizes: [G1]", "realizes: [g1]"
    )
    loaded = load(str(make_workspace(files)))
    found = [f for f in lint(loaded).findings if f.code == "QMS004"]
    assert len(found) == 1 and "'G1'" in found[0].message("en")
