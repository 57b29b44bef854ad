"""BPMN 2.0 interchange: export processes for BPMN modellers, import what they write.

`export.export_bpmn` turns one process into a `.bpmn` file (pool, lanes, DI from the same
layout as the SVG diagram); `import_.import_files` turns BPMN files into process YAML.
"""

from __future__ import annotations

QMS_NS = "https://qms.example/bpmn/1.0"
"""The namespace of the QMS metadata in `extensionElements`."""
MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
