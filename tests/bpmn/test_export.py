"""BPMN export: structure, ids, metadata, determinism and DI from the SVG layout."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from qms.bpmn.export import FX, FY, _Geometry, bpmn_files, export_bpmn, swimlane_layout
from qms.index import Index
from qms.load import load
from qms.views import flow_view
from tests.bpmn.helpers import NS, lamppu, lamppu_bpmn, structure
from tests.conftest import requires_dot

NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _process_el(data: bytes) -> ET.Element:
    el = ET.fromstring(data).find("bpmn:process", NS)
    assert el is not None
    return el


def test_every_lamppu_process_is_exported_once() -> None:
    files = lamppu_bpmn()
    expected = {f"{p.organisation}/{p.id}.bpmn" for p in lamppu().processes}
    assert set(files) == expected
    assert len(files) >= 10


def test_export_is_deterministic() -> None:
    again = bpmn_files(lamppu(), "fi")
    assert again == lamppu_bpmn()
    assert list(again) == sorted(again)


def test_only_listed_organisations_are_exported() -> None:
    files = bpmn_files(lamppu(), "fi", organisations=["redu"])
    assert files and all(name.startswith("redu/") for name in files)


def test_ids_are_valid_xsd_ids_derived_from_model_ids() -> None:
    data = lamppu_bpmn()["redu/talous.bpmn"]
    ids = re.findall(rb' id="([^"]+)"', data)
    assert len(ids) == len(set(ids)), "ids must be unique"
    assert all(NCNAME.match(i.decode()) for i in ids)
    names = {i.decode() for i in ids}
    assert {
        "Process_redu_talous",
        "Participant_redu_talous",
        "StartEvent_alku",
        "Task_raami",
    } <= names
    assert {"Gateway_paatos", "EndEvent_loppu", "Lane_talousjohtaja", "Join_esitykset"} <= names
    assert "Flow_valmistelu_paatos_1" in names


def test_pool_lanes_nodes_and_flows_follow_the_model() -> None:
    ws = lamppu()
    index = Index.build(ws)
    process = index.processes[("redu", "talous")]
    data = lamppu_bpmn()["redu/talous.bpmn"]
    root = ET.fromstring(data)
    part = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert part is not None and part.get("processRef") == "Process_redu_talous"
    proc = _process_el(data)
    assert proc.get("isExecutable") == "false"
    lanes = proc.findall("bpmn:laneSet/bpmn:lane", NS)
    org_roles = [r.id for r in index.organisations["redu"].roles]
    lane_roles = [lane.get("id", "")[len("Lane_") :] for lane in lanes]
    assert lane_roles == [r for r in org_roles if r in {s.role for s in process.steps}]
    refs = [r.text for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS)]
    shape = structure(data)
    node_ids = {n[0] for n in shape["nodes"]}  # type: ignore[attr-defined]
    assert sorted(refs) == sorted(node_ids), "every flow node in exactly one lane"
    # Each step is a node of its kind, named as in the model.
    kinds = {
        "start": "startEvent",
        "end": "endEvent",
        "task": "task",
        "decision": "exclusiveGateway",
    }
    by_id = {n[0]: n for n in shape["nodes"]}  # type: ignore[attr-defined]
    prefixes = {"start": "StartEvent", "end": "EndEvent", "task": "Task", "decision": "Gateway"}
    for step in process.steps:
        node = by_id[f"{prefixes[step.kind]}_{step.id}"]
        assert node[1] == kinds[step.kind]
        assert node[2] == step.name if isinstance(step.name, str) else step.name["fi"]
    # The decision's branches are named flows, in the order the model gives them.
    paatos = proc.find("bpmn:exclusiveGateway[@id='Gateway_paatos']", NS)
    assert paatos is not None
    outs = [o.text for o in paatos.findall("bpmn:outgoing", NS)]
    flows = {f[0]: f for f in shape["flows"]}  # type: ignore[attr-defined]
    assert [flows[o][3] for o in outs] == ["kyllä", "ei"]
    # A loop back into esitykset goes through a joining gateway.
    join = proc.find("bpmn:exclusiveGateway[@id='Join_esitykset']", NS)
    assert join is not None
    assert len(join.findall("bpmn:incoming", NS)) == 2
    assert [o.text for o in join.findall("bpmn:outgoing", NS)] == ["Flow_Join_esitykset"]


def test_incoming_and_outgoing_match_the_sequence_flows() -> None:
    for name, data in lamppu_bpmn().items():
        proc = _process_el(data)
        flows = proc.findall("bpmn:sequenceFlow", NS)
        for el in proc:
            if el.tag.endswith(("sequenceFlow", "laneSet", "documentation", "extensionElements")):
                continue
            nid = el.get("id")
            children = [c.tag.split("}")[1] for c in el if c.tag.endswith(("incoming", "outgoing"))]
            assert children == sorted(children, key=lambda t: t != "incoming"), name
            ins = sorted(c.text or "" for c in el.findall("bpmn:incoming", NS))
            outs = sorted(c.text or "" for c in el.findall("bpmn:outgoing", NS))
            assert ins == sorted(f.get("id", "") for f in flows if f.get("targetRef") == nid)
            assert outs == sorted(f.get("id", "") for f in flows if f.get("sourceRef") == nid)


def test_every_element_has_diagram_interchange() -> None:
    sizes = {"task": (100, 80), "callActivity": (100, 80), "exclusiveGateway": (50, 50)}
    for name, data in lamppu_bpmn().items():
        root = ET.fromstring(data)
        plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
        assert plane is not None and plane.get("bpmnElement", "").startswith("Collaboration_")
        shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
        edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
        proc = _process_el(data)
        part = root.find("bpmn:collaboration/bpmn:participant", NS)
        assert part is not None and part.get("id") in shapes, name
        for lane in proc.iter(f"{{{NS['bpmn']}}}lane"):
            assert shapes[lane.get("id")].get("isHorizontal") == "true", name
        for tag, wh in sizes.items():
            for el in proc.findall(f"bpmn:{tag}", NS):
                bounds = shapes[el.get("id")].find("dc:Bounds", NS)
                assert bounds is not None
                assert (int(bounds.get("width", 0)), int(bounds.get("height", 0))) == wh
        for ev in ("startEvent", "endEvent"):
            for el in proc.findall(f"bpmn:{ev}", NS):
                assert el.get("id") in shapes
        for f in proc.findall("bpmn:sequenceFlow", NS):
            assert len(edges[f.get("id")].findall("di:waypoint", NS)) >= 2, name


@requires_dot
def test_di_uses_the_svg_layout_coordinates() -> None:
    ws = lamppu()
    index = Index.build(ws)
    process = index.processes[("redu", "talous")]
    layout = swimlane_layout(flow_view(index, process, "fi"))
    geo = _Geometry(layout)
    root = ET.fromstring(export_bpmn(ws, index, process, "fi"))
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    prefixes = {"start": "StartEvent", "end": "EndEvent", "task": "Task", "decision": "Gateway"}
    for step in process.steps:
        box = layout.nodes[step.id]
        bounds = shapes[f"{prefixes[step.kind]}_{step.id}"].find("dc:Bounds", NS)
        assert bounds is not None
        cx = float(bounds.get("x", 0)) + float(bounds.get("width", 0)) / 2
        cy = float(bounds.get("y", 0)) + float(bounds.get("height", 0)) / 2
        assert (cx, cy) == geo.pt((box.x, box.y))
        assert abs(cx - (box.x * FX + geo.dx)) <= 1 and abs(cy - (box.y * FY + geo.dy)) <= 1
    # Lanes keep the SVG's band order and proportions.
    lane_shapes = [shapes[f"Lane_{lane.id}"] for lane in layout.lanes]
    tops = [float(s.find("dc:Bounds", NS).get("y", 0)) for s in lane_shapes]  # type: ignore[union-attr]
    assert tops == sorted(tops)


def test_metadata_travels_in_documentation_and_extension_elements() -> None:
    data = lamppu_bpmn()["redu/talous.bpmn"]
    proc = _process_el(data)
    docs = [d.text or "" for d in proc.findall("bpmn:documentation", NS)]
    assert any("Omistaja: Talousjohtaja (talousjohtaja)" in d for d in docs)
    meta = proc.find("bpmn:extensionElements/qms:process", NS)
    assert meta is not None
    assert meta.get("owner") == "talousjohtaja" and meta.get("organisation") == "redu"
    process = Index.build(lamppu()).processes[("redu", "talous")]
    assert [g.get("goal") for g in meta.findall("qms:realizes", NS)] == list(process.realizes)
    assert [m.get("ref") for m in meta.findall("qms:metric", NS)] == list(process.metrics)
    step = proc.find("bpmn:task[@id='Task_raami']/bpmn:extensionElements/qms:step", NS)
    assert step is not None and step.get("role") == "talousjohtaja"


def test_subprocess_becomes_a_call_activity_of_the_called_process() -> None:
    proc = _process_el(lamppu_bpmn()["redu/ammattikoulutuspalvelut.bpmn"])
    calls = proc.findall("bpmn:callActivity", NS)
    assert [c.get("calledElement") for c in calls] == ["Process_redu_henkilosto"]
    assert "Process_redu_henkilosto" in "".join(
        p.get("id", "") for p in [_process_el(lamppu_bpmn()["redu/henkilosto.bpmn"])]
    )


def test_english_export_uses_english_names() -> None:
    data = bpmn_files(lamppu(), "en", organisations=["redu"])["redu/talous.bpmn"]
    assert b'name="Finance process"' in data


FORK = """\
kind: process
id: rinnakkain
organisation: org
name: Rinnakkaiset työt
owner: a
steps:
  - {id: alku, kind: start, name: Alkaa, role: a, next: [jako]}
  - {id: jako, name: Jaetaan työt, role: a, next: [yksi, kaksi]}
  - {id: yksi, name: Tehdään yksi, role: a, next: [irrallinen]}
  - {id: kaksi, name: Tehdään kaksi, role: b, next: [kooste]}
  - {id: kooste, name: Kootaan, role: a, next: [loppu]}
  - {id: loppu, kind: end, name: Valmis, role: b}
  - {id: irrallinen, name: Ilman roolia, next: [kooste]}
"""
ORG = """\
kind: organisation
id: org
name: Org
roles: [{id: a, name: A}, {id: b, name: B}]
"""


def fork_workspace(make: Callable[[dict[str, str]], Path]) -> Path:
    """A process with a split into simultaneous work, and a step without a role."""
    return make(
        {
            "qms.yaml": "kind: workspace\nname: t\n",
            "org/organisation.yaml": ORG,
            "org/processes/rinnakkain.yaml": FORK,
        }
    )


def test_a_split_into_simultaneous_work_gets_a_parallel_gateway(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    loaded = load(fork_workspace(make_workspace))
    assert loaded.workspace is not None
    data = bpmn_files(loaded.workspace, "fi")["org/rinnakkain.bpmn"]
    proc = _process_el(data)
    fork = proc.find("bpmn:parallelGateway[@id='Fork_jako']", NS)
    assert fork is not None and len(fork.findall("bpmn:outgoing", NS)) == 2
    task = proc.find("bpmn:task[@id='Task_jako']", NS)
    assert task is not None and [o.text for o in task.findall("bpmn:outgoing", NS)] == [
        "Flow_Fork_jako"
    ]
    lanes = {lane.get("id"): lane.get("name") for lane in proc.iter(f"{{{NS['bpmn']}}}lane")}
    assert lanes["Lane__none"] == "Ei roolia"


def test_cli_export_writes_one_file_per_process(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qms.cli import cli
    from tests.conftest import LAMPPU

    runner = CliRunner()
    args = ["export", str(LAMPPU), "--format", "bpmn", "-o", str(tmp_path), "--lang", "fi"]
    done = runner.invoke(cli, args)
    assert done.exit_code == 0, done.output
    written = {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*.bpmn")}
    assert written == lamppu_bpmn()
    again = runner.invoke(cli, args)
    assert again.exit_code == 0
    assert (
        f"0 tiedostoa kirjoitettu kohteeseen {tmp_path} ({len(written)} ennallaan)" in again.stderr
    )
    redu = tmp_path / "redu-only"
    only = runner.invoke(
        cli, ["export", str(LAMPPU), "--format", "bpmn", "-o", str(redu), "--organisation", "REDU"]
    )
    assert only.exit_code == 0
    assert {p.parent.name for p in redu.rglob("*.bpmn")} == {"redu"}


BOUNDARY = """\
kind: process
id: pyynto
organisation: org
name: Asiakirjapyyntö
owner: a
steps:
  - {id: alku, kind: start, name: Pyyntö tullut, role: a, next: [pyyda]}
  - {id: pyyda, name: Pyydetään asiakirja, role: a, next: [odota]}
  - {id: odota, name: Odotetaan vastausta, role: a, next: [saatu]}
  - {id: saatu, kind: end, name: Asiakirja saatu, role: a}
  - {id: paivittain, kind: event, name: Päivittäin, trigger: timer, attached_to: odota,
     interrupting: false, next: [muistuta]}
  - {id: viikko, kind: event, name: Viikko, trigger: timer, attached_to: odota, next: [soita]}
  - {id: muistuta, name: Lähetetään muistutus, role: a, next: [muistutettu]}
  - {id: soita, name: Soitetaan asiakkaalle, role: a, next: [vastattu]}
  - {id: muistutettu, kind: end, name: Muistutettu, role: a}
  - {id: vastattu, kind: end, name: Vastaus saatu, role: a}
"""


@requires_dot
def test_boundary_events_sit_on_their_host_and_their_flows_are_the_routers(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    """A boundary event is where the layout put it, on its host's edge, and its flow leaves
    from there along the router's route (not redrawn by the export), crossing nothing."""
    from bench.quality import measure_bpmn

    root = make_workspace(
        {
            "qms.yaml": "kind: workspace\nname: t\n",
            "org/organisation.yaml": ORG,
            "org/processes/pyynto.yaml": BOUNDARY,
        }
    )
    ws = load(root).workspace
    assert ws is not None
    index = Index.build(ws)
    process = index.processes[("org", "pyynto")]
    layout = swimlane_layout(flow_view(index, process, "fi"))
    data = export_bpmn(ws, index, process, "fi")
    tree = ET.fromstring(data)
    shapes = {
        s.get("bpmnElement"): s.find("dc:Bounds", NS)
        for s in tree.iter(f"{{{NS['bpmndi']}}}BPMNShape")
    }
    edges = {e.get("bpmnElement"): e for e in tree.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}

    def box(eid: str) -> tuple[float, float, float, float]:
        b = shapes[eid]
        assert b is not None
        x, y = float(b.get("x", 0)), float(b.get("y", 0))
        return x, y, x + float(b.get("width", 0)), y + float(b.get("height", 0))

    host = box("Task_odota")
    sides = set()
    for event, target in (("paivittain", "muistuta"), ("viikko", "soita")):
        left, top, right, bottom = box(f"Event_{event}")
        cx, cy = (left + right) / 2, (top + bottom) / 2
        assert host[0] < cx < host[2]
        assert cy in (host[1], host[3]), "on the host's top or bottom edge"
        outer = bottom if cy == host[3] else top
        sides.add(cy)
        (flow,) = [e for e in edges if e and e.startswith(f"Flow_{event}_{target}")]
        pts = [
            (float(w.get("x", 0)), float(w.get("y", 0)))
            for w in edges[flow].findall("di:waypoint", NS)
        ]
        assert pts[0] == (cx, outer) and pts[1][0] == cx, "out of the event's outer side"
        route = next(r for r in layout.edges if (r.source, r.target) == (event, target))
        scaled = [_Geometry(layout).pt(p) for p in route.points]
        # The router's route; only its ends move onto the BPMN symbols (narrower than the SVG's).
        assert len(pts) == len(scaled) and pts[2:-1] == scaled[2:-1], "the router's route"
        assert pts[-1][1] == scaled[-1][1]
    assert len(sides) == 2, "one on the bottom edge, one on the top"
    (q,) = measure_bpmn(data, "pyynto")
    assert (q.crossings, q.shared) == (0, 0)
