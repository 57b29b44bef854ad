"""The drill-down diagram of an event sub-process: laid out by the swimlane router, like the
called process's own diagram, not strung along one row where branches and loops overlap."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from qms.bpmn.export import bpmn_files
from qms.load import load
from tests.bpmn.helpers import NS
from tests.bpmn.miwg import MIWG
from tests.conftest import ROOT, WORKSPACE, needs, requires_dot

PROCESSES = {
    "palvelu": """kind: process
id: palvelu
organisation: demo
name: Palvelu
steps:
  - {id: alku, kind: start, name: Alku, next: [tyo]}
  - {id: tyo, name: Palvellaan asiakasta, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu}
  - {id: peruutus, kind: subprocess, triggered: true, name: Asiakas peruu, call: peruutus}
""",
    "peruutus": """kind: process
id: peruutus
organisation: demo
name: Peruutus
steps:
  - {id: pyynto, kind: start, name: Peruutuspyyntö, next: [tarkistus]}
  - {id: tarkistus, name: Tarkistetaan tilaus, next: [voiko]}
  - id: voiko
    kind: decision
    name: Voiko perua?
    next: [{to: peru, label: kyllä}, {to: selitys, label: ei}, {to: tarkistus, label: epäselvä}]
  - {id: peru, name: Perutaan tilaus, next: [valmis]}
  - {id: selitys, name: Kerrotaan syy, next: [valmis]}
  - {id: valmis, kind: end, name: Käsitelty}
""",
}


def _quality():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT))
    from bench import quality

    return quality


def _shapes(plane: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for shape in plane.findall("bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        assert b is not None
        out[shape.get("bpmnElement", "")] = tuple(
            float(b.get(k, "")) for k in ("x", "y", "width", "height")
        )
    return out


@requires_dot
def test_the_inner_flow_is_drawn_as_the_called_process_is(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    """Every inner element stands where the same step stands in the called process's own
    export (the same router, the same scale), and every inner flow has its DI."""
    procs = {f"organisations/demo/processes/{k}.yaml": v for k, v in PROCESSES.items()}
    ws = load(make_workspace({**WORKSPACE, **procs})).workspace
    assert ws is not None
    files = bpmn_files(ws, "fi")
    outer = ET.fromstring(files["demo/palvelu.bpmn"])
    own = ET.fromstring(files["demo/peruutus.bpmn"])
    sub = outer.find(".//bpmn:subProcess[@triggeredByEvent='true']", NS)
    assert sub is not None
    sid = sub.get("id", "")
    planes = {p.get("bpmnElement"): p for p in outer.iter(f"{{{NS['bpmndi']}}}BPMNPlane")}
    inner = _shapes(planes[sid])
    drawn = _shapes(next(own.iter(f"{{{NS['bpmndi']}}}BPMNPlane")))
    by_step = {
        el.get("id", ""): el.find("bpmn:extensionElements/qms:step", NS) for el in own.iter()
    }
    step_elem = {s.get("id"): eid for eid, s in by_step.items() if s is not None}
    assert len(inner) == 6
    for step, eid in step_elem.items():
        assert inner[f"{sid}_{step}"] == drawn[eid], step
    flows = sub.findall("bpmn:sequenceFlow", NS)
    edges = {e.get("bpmnElement") for e in planes[sid].findall("bpmndi:BPMNEdge", NS)}
    assert {f.get("id") for f in flows} == edges and len(flows) == 7
    # The measure reads each plane on its own; this one has no shared line and no crossing.
    q = _quality()
    parts = q.measure_bpmn(files["demo/palvelu.bpmn"], "palvelu")
    assert len(parts) == 2 and parts[1].drawn == 7
    assert all(p.shared == 0 and p.crossings == 0 for p in parts)
    labelled = [
        e
        for e in planes[sid].findall("bpmndi:BPMNEdge", NS)
        if e.find("bpmndi:BPMNLabel", NS) is not None
    ]
    assert len(labelled) == 3  # kyllä, ei, epäselvä


requires_miwg = needs(MIWG is not None, "../shared/interop/miwg is not beside the repository")


@requires_dot
@requires_miwg
def test_miwg_event_sub_processes_share_no_segment(tmp_path: Path) -> None:
    """C.9.0 and C.9.2 hold event sub-processes: re-exported, no two flows share a line."""
    q = _quality()
    assert MIWG is not None
    refs = [MIWG / "reference" / f"C.9.{n}.bpmn" for n in (0, 2)]
    root, refused = q.imported_workspace(refs, tmp_path)
    assert not refused
    files = q.qms_bpmn(root, "en")
    parts = q.measure_files(files)
    planes = [p for p in parts if "#plane" in p.name]
    assert len(planes) >= 4
    assert sum(p.shared for p in parts) == 0, [(p.name, p.shared) for p in parts]
