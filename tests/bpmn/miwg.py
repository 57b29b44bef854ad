"""The BPMN MIWG test files (CC BY 3.0, the BPMN Model Interchange Working Group and the
contributing vendors; attribution in shared/interop/miwg/README.md) and what survives
`qms import bpmn` followed by `qms export --format bpmn`.

The files live beside the repository (CI keeps a copy of shared/ next to the clone), so they
are found in the nearest ancestor folder that has shared/interop/miwg, or in $QMS_MIWG.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qms.bpmn import MODEL_NS
from qms.bpmn.convert import EVENTS, GATEWAYS, SUBPROCESSES, TASK_TYPES, trigger_of
from qms.bpmn.export import bpmn_files
from qms.bpmn.import_ import Imported, import_files
from qms.load import load
from tests.conftest import ROOT


def _find_miwg() -> Path | None:
    if os.environ.get("QMS_MIWG"):
        return Path(os.environ["QMS_MIWG"])
    for folder in ROOT.parents:
        candidate = folder / "shared" / "interop" / "miwg"
        if candidate.is_dir():
            return candidate
    return None


MIWG = _find_miwg()
SETS = ("reference", "bpmn-io", "signavio")


def miwg_files(which: tuple[str, ...] = SETS) -> list[Path]:
    """Every .bpmn file of the chosen sets, sorted."""
    if MIWG is None:
        return []
    return sorted(p for s in which for p in (MIWG / s).glob("*.bpmn"))


M = f"{{{MODEL_NS}}}"
KINDS = (
    "task",
    "sub-process",
    "event sub-process",
    "start event",
    "intermediate catch event",
    "intermediate throw event",
    "boundary event",
    "end event",
    "exclusive gateway",
    "parallel gateway",
    "inclusive gateway",
    "event-based gateway",
    "complex gateway",
    "sequence flow",
    "condition",
    "default flow",
    "message flow",
    "pool",
    "lane",
    "data object",
    "data store",
    "text annotation",
    "group",
    "loop marker",
)
"""The element kinds compared, in the order reports list them."""


def _name(el: ET.Element) -> str:
    return " ".join((el.get("name") or "").split())


def elements(root: ET.Element) -> list[tuple[str, str, str]]:
    """(kind, detail, name) of every element of a document that a round trip must keep.

    `detail` is what must also match: the task type, an event's trigger (and, on a boundary
    event, whether it interrupts), a gateway's type, a loop's kind. A sequence flow between
    two named elements is named by them, so it must come back between the same two."""
    found: list[tuple[str, str, str]] = []
    names = {el.get("id", ""): _name(el) for el in root.iter() if el.get("id")}
    # A qms export's own joins and forks stand for the step behind them (docs/bpmn.md).
    for f in root.iter(f"{M}sequenceFlow"):
        src, dst = f.get("sourceRef", ""), f.get("targetRef", "")
        if src.startswith("Join_"):
            names[src] = names.get(dst, "")
        if dst.startswith("Fork_"):
            names[dst] = names.get(src, "")
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(M):
            continue
        tag = el.tag[len(M) :]
        name = _name(el)
        if tag in TASK_TYPES:
            found.append(("task", tag, name))
        elif tag in SUBPROCESSES or tag == "callActivity":
            if el.get("triggeredByEvent") == "true":
                found.append(("event sub-process", "", name))
            else:
                found.append(("sub-process", "", name))
        elif tag in EVENTS:
            trigger = trigger_of(el) or "none"
            kind = {
                "startEvent": "start event",
                "endEvent": "end event",
                "intermediateCatchEvent": "intermediate catch event",
                "intermediateThrowEvent": "intermediate throw event",
                "boundaryEvent": "boundary event",
            }[tag]
            if tag == "boundaryEvent":
                trigger += "" if el.get("cancelActivity") != "false" else ", non-interrupting"
            found.append((kind, trigger, name))
        elif tag in GATEWAYS:
            kind = tag.replace("Gateway", " gateway").replace("exclusive", "exclusive")
            kind = {
                "exclusiveGateway": "exclusive gateway",
                "parallelGateway": "parallel gateway",
                "inclusiveGateway": "inclusive gateway",
                "eventBasedGateway": "event-based gateway",
                "complexGateway": "complex gateway",
            }[tag]
            found.append((kind, "", name))
        elif tag == "sequenceFlow":
            src, dst = el.get("sourceRef", ""), el.get("targetRef", "")
            if src.startswith("Join_") or dst.startswith("Fork_"):
                continue  # the inner flow of a qms join or fork
            ends = (names.get(src, ""), names.get(dst, ""))
            found.append(("sequence flow", "", " -> ".join(ends) if all(ends) else ""))
            if el.find(f"{M}conditionExpression") is not None:
                found.append(("condition", "", ""))
        elif tag == "messageFlow":
            found.append(("message flow", "", ""))
        elif tag == "participant":
            found.append(("pool", "" if el.get("processRef") else "black box", name))
        elif tag == "lane":
            if not any(c.find(f"{M}lane") is not None for c in el.findall(f"{M}childLaneSet")):
                found.append(("lane", "", name))
        elif tag == "dataObjectReference":
            found.append(("data object", "", ""))
        elif tag == "dataStoreReference":
            found.append(("data store", "", ""))
        elif tag == "textAnnotation":
            found.append(("text annotation", "", ""))
        elif tag == "group":
            found.append(("group", "", ""))
        elif tag == "standardLoopCharacteristics":
            found.append(("loop marker", "standard", ""))
        elif tag == "multiInstanceLoopCharacteristics":
            detail = "sequential" if el.get("isSequential") == "true" else "parallel"
            found.append(("loop marker", detail, ""))
        if el.get("default"):
            found.append(("default flow", "", ""))
    return found


def matched(
    source: list[tuple[str, str, str]], again: list[tuple[str, str, str]]
) -> dict[str, tuple[int, int]]:
    """Per kind: (source elements, those that come back with the same kind and detail).

    Named elements first match an element of the same kind, detail and name; the rest (and
    unnamed ones) then match any left-over element of the same kind and detail, so an added
    join cannot stand in for a lost decision that had a name."""
    left = Counter(again)
    result: dict[str, list[int]] = {}
    rest: list[tuple[str, str, str]] = []
    for item in source:
        counts = result.setdefault(item[0], [0, 0])
        counts[0] += 1
        if item[2] and left[item] > 0:
            left[item] -= 1
            counts[1] += 1
        else:
            rest.append(item)
    by_kind: Counter[tuple[str, str]] = Counter()
    for (kind, detail, _), n in left.items():
        by_kind[(kind, detail)] += max(n, 0)
    for kind, detail, name in rest:
        if not name and by_kind[(kind, detail)] > 0:
            by_kind[(kind, detail)] -= 1
            result[kind][1] += 1
    return {k: (v[0], v[1]) for k, v in result.items()}


@dataclass
class RoundTrip:
    """One MIWG file imported and exported again."""

    source: Path
    imported: Imported
    exports: dict[str, bytes] = field(default_factory=dict)
    kinds: dict[str, tuple[int, int]] = field(default_factory=dict)
    workspace: Path = Path()


def workspace_for(folder: Path, imported: Imported, organisation: str = "miwg") -> Path:
    """A workspace holding the imported processes, with what the import said to add pasted
    in: the roles (organisation.yaml) and an owner for each process."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "qms.yaml").write_text("kind: workspace\nname: MIWG\nlanguage: en\n", "utf-8")
    org = folder / "organisations" / organisation
    (org / "processes").mkdir(parents=True, exist_ok=True)
    roles = imported.roles.get(organisation, {})
    lines = [f"kind: organisation\nid: {organisation}\nname: MIWG\nroles:"]
    lines += [f"  - {{id: {r}, name: {json.dumps(n or r)}}}" for r, n in sorted(roles.items())] or [
        "  - {id: owner, name: Owner}"
    ]
    (org / "organisation.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    owner = sorted(roles)[0] if roles else "owner"
    for name, content in imported.files.items():
        content = content.replace(
            f"\norganisation: {organisation}\n",
            f"\norganisation: {organisation}\nowner: {owner}\n",
            1,
        )
        (org / "processes" / name).write_text(content, "utf-8")
    return folder


def round_trip(source: Path, tmp: Path) -> RoundTrip:
    """Import one file, export every process it gave, and compare the elements by kind."""
    imported = import_files([str(source)], "miwg")
    ws = workspace_for(tmp / source.stem, imported)
    loaded = load(ws)
    assert loaded.workspace is not None, loaded.fatal
    exports = bpmn_files(loaded.workspace, "en")
    again: list[tuple[str, str, str]] = []
    for data in exports.values():
        again += elements(ET.fromstring(data))
    # Each export draws the other side of its hand-offs as a black-box pool: one that stands
    # for a process exported in its own file is that pool, and a party is one pool however
    # many files draw it.
    own = {name for kind, detail, name in again if kind == "pool" and not detail}
    boxes = {item for item in again if item[:2] == ("pool", "black box") and item[2] not in own}
    again = [item for item in again if item[:2] != ("pool", "black box")] + sorted(boxes)
    src = elements(ET.parse(source).getroot())
    return RoundTrip(source, imported, exports, matched(src, again), ws)


def totals(trips: Iterable[RoundTrip]) -> dict[str, tuple[int, int]]:
    """Per kind over many files: (source elements, those that came back)."""
    table: dict[str, list[int]] = {}
    for trip in trips:
        for kind, (n, back) in trip.kinds.items():
            row = table.setdefault(kind, [0, 0])
            row[0] += n
            row[1] += back
    return {k: (v[0], v[1]) for k, v in table.items()}


def markdown(table: dict[str, tuple[int, int]]) -> str:
    """The per-kind table as docs/bpmn.md shows it."""
    lines = [
        "| kind | source elements | back with kind and trigger | % |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind in KINDS:
        if kind in table:
            n, back = table[kind]
            lines.append(f"| {kind} | {n} | {back} | {100 * back / n:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m tests.bpmn.miwg [set ...]
    import sys
    import tempfile

    chosen = tuple(sys.argv[1:]) or SETS
    with tempfile.TemporaryDirectory() as tmp:
        trips = [round_trip(f, Path(tmp) / f.parent.name) for f in miwg_files(chosen)]
    print(f"{len(trips)} files of {', '.join(chosen)}")
    print(markdown(totals(trips)))
