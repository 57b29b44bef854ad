"""Synthetic BPMN files for the import scaling table (issue 15: import time must grow
near-linearly with the number of elements).

Two shapes: `loose` (n tasks and no flows: the order of steps falls back to document order
for every one of them) and `chain` (a start event, n tasks one after the other, an end event).
"""

from __future__ import annotations

import itertools
from pathlib import Path

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SHAPES = ("loose", "chain")


def bpmn_file(path: Path, tasks: int, shape: str) -> Path:
    """Write a BPMN file of `tasks` tasks in the given shape; return its path."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{MODEL}">']
    parts.append('<process id="p" name="Scaling">')
    parts += [f'<task id="t{i}" name="Tehtävä {i}"/>' for i in range(tasks)]
    if shape == "chain":
        parts.append('<startEvent id="s" name="Alku"/><endEvent id="e" name="Loppu"/>')
        ids = ["s", *(f"t{i}" for i in range(tasks)), "e"]
        parts += [
            f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
            for i, (a, b) in enumerate(itertools.pairwise(ids))
        ]
    parts.append("</process></definitions>\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
