"""Two answers of a decision that lead to the same step: two arrows, each with its own label
on its own first segment (one arrow lost a branch's label), and two flows apart in BPMN DI."""

from __future__ import annotations

import itertools
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from qms.bpmn.export import bpmn_files
from qms.index import Index
from qms.load import load
from qms.render import layout_flow
from qms.render.dot import process_flow
from qms.render.layout import _label_box
from qms.views import flow_view
from tests.bpmn.helpers import NS
from tests.conftest import ROOT, WORKSPACE, requires_dot

PROCESS = """kind: process
id: hakemus
organisation: demo
name: Hakemus
steps:
  - {id: alku, kind: start, name: Hakemus saapuu, next: [tarkistus]}
  - {id: tarkistus, name: Tarkistetaan hakemus, next: [paatos]}
  - id: paatos
    kind: decision
    name: Täydellinen?
    next:
      - {to: kasittely, label: kyllä}
      - {to: kasittely, label: "puuttuu liite"}
      - {to: palautus, label: ei}
  - {id: kasittely, name: Käsitellään hakemus, next: [loppu]}
  - {id: palautus, name: Palautetaan hakijalle, next: [loppu]}
  - {id: loppu, kind: end, name: Valmis}
"""


@requires_dot
def test_each_branch_to_one_step_is_drawn_with_its_label(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    sys.path.insert(0, str(ROOT))
    from bench import quality as q

    root = make_workspace({**WORKSPACE, "organisations/demo/processes/hakemus.yaml": PROCESS})
    ws = load(root).workspace
    assert ws is not None
    index = Index.build(ws)
    view = flow_view(index, index.processes[("demo", "hakemus")], "fi")
    for fold in (False, True):  # folded: each branch ends at its own lettered connector
        layout = layout_flow(view, fold=fold)
        branches = [r for r in layout.edges if r.source == "paatos"]
        assert sorted(r.label for r in branches) == ["ei", "kyllä", "puuttuu liite"], fold
        for r in branches:  # each label by its own first segment, clear of every other flow
            assert r.label_at is not None
            box = _label_box(r.label, r.label_at)
            assert q._near(box, (r.points[0], r.points[1]), 12), r.label
            for other in layout.edges:
                if other is not r:
                    assert not any(q._near(box, s, 0) for s in itertools.pairwise(other.points)), (
                        fold,
                        r.label,
                        r.label_at,
                        other,
                    )
        flows = [
            q.Flow(f"{r.source}>{r.target}>{r.label}", r.source, r.target, q.simplify(r.points))
            for r in layout.edges
        ]
        m = q.measure_flows("hakemus", {}, flows)
        assert m.crossings == 0, fold
        assert m.shared == 0, fold  # folded too: three branches to three connectors
        source = process_flow(view, layout)
        assert 'label="puuttuu liite"' in source and 'label="kyllä"' in source
    both = [r for r in layout_flow(view, fold=False).edges if r.target == "kasittely"]
    assert len({r.points for r in both}) == 2
    # BPMN: two flows from the decision (into the join in front of the step), drawn apart.
    data = bpmn_files(ws, "fi")["demo/hakemus.bpmn"]
    root_el = ET.fromstring(data)
    named = {f.get("name"): f.get("id") for f in root_el.iter(f"{{{NS['bpmn']}}}sequenceFlow")}
    edges = {e.get("bpmnElement"): e for e in root_el.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    points = [
        [(w.get("x"), w.get("y")) for w in edges[named[n]].findall("di:waypoint", NS)]
        for n in ("kyllä", "puuttuu liite")
    ]
    assert points[0] != points[1]
    assert all(edges[named[n]].find("bpmndi:BPMNLabel", NS) is not None for n in ("kyllä", "ei"))
    assert sum(p.shared + p.crossings for p in q.measure_bpmn(data, "hakemus")) == 0
