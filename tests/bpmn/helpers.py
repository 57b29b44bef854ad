"""Reading BPMN files back in tests: the structure that must survive export and import."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

from qms.bpmn import BPMNDI_NS, DC_NS, DI_NS, MODEL_NS, QMS_NS
from qms.bpmn.export import bpmn_files
from qms.load import load
from qms.model import Workspace
from tests.conftest import LAMPPU

NS = {"bpmn": MODEL_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "qms": QMS_NS}
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "intermediateThrowEvent",
    "task",
    "callActivity",
    "exclusiveGateway",
    "parallelGateway",
)


@cache
def lamppu() -> Workspace:
    loaded = load(LAMPPU)
    assert loaded.workspace is not None
    return loaded.workspace


@cache
def lamppu_bpmn(lang: str = "fi") -> dict[str, bytes]:
    """Every LAMPPU process exported once per test session."""
    return bpmn_files(lamppu(), lang)


def structure(data: bytes) -> dict[str, object]:
    """Flow nodes, lanes and flows of a BPMN document, as comparable sets."""
    root = ET.fromstring(data)
    process = root.find("bpmn:process", NS)
    assert process is not None
    nodes = {
        (el.get("id"), el.tag.split("}")[1], el.get("name", ""))
        for tag in FLOW_NODES
        for el in process.findall(f"bpmn:{tag}", NS)
    }
    lanes = {
        (
            lane.get("id"),
            lane.get("name"),
            tuple(r.text or "" for r in lane.findall("bpmn:flowNodeRef", NS)),
        )
        for lane in process.iter(f"{{{MODEL_NS}}}lane")
    }
    flows = {
        (f.get("id"), f.get("sourceRef"), f.get("targetRef"), f.get("name", ""))
        for f in process.findall("bpmn:sequenceFlow", NS)
    }
    return {"nodes": nodes, "lanes": lanes, "flows": flows}


def workspace_copy(tmp: Path) -> Path:
    """A private copy of the LAMPPU workspace to change."""
    target = tmp / "lamppu"
    shutil.copytree(LAMPPU, target)
    return target
