"""One process -> one BPMN 2.0 file that bpmnlint, the OMG schema and bpmn-js accept.

The shape follows docs/bpmn.md: a pool whose lanes are the roles, flow nodes with their
`incoming`/`outgoing` in schema order, a joining exclusive gateway in front of every step that
several flows enter (a loop; bpmnlint reports a fake join otherwise), a parallel gateway after
a non-decision step with several next steps (an implicit split otherwise), and diagram
interchange for the pool, every lane, node and flow, taken from the swimlane layout of the SVG
diagram (qms/render/layout.py) and scaled to BPMN's symbol sizes. Ids derive from model ids, so
re-exports diff cleanly; the QMS metadata travels in `documentation` and in extension elements
under the project's namespace.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field

from qms import __version__
from qms.bpmn import BPMNDI_NS, DC_NS, DI_NS, MODEL_NS, QMS_NS
from qms.example import Example, example_of, organisation_of
from qms.index import Index
from qms.model import ExampleNote, Process, Step, Workspace, text
from qms.partial import NOTHING_LEFT_OUT, LeftOut
from qms.render.layout import NodeBox, Point, Ranks, SwimlaneLayout, compute
from qms.views import NO_ROLE, FlowView, flow_view

for _prefix, _uri in (
    ("bpmn", MODEL_NS),
    ("bpmndi", BPMNDI_NS),
    ("dc", DC_NS),
    ("di", DI_NS),
    ("qms", QMS_NS),
):
    ET.register_namespace(_prefix, _uri)

FX = 1.5
"""Horizontal scale from the SVG layout: room for a joining gateway left of a column."""
FY = 1.6
"""Vertical scale: BPMN tasks are 80 high where the SVG's are 44."""
POOL_X = 100
POOL_Y = 40
POOL_HEADER = 30
"""Width of the pool's name strip, left of the lanes."""

SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
TAGS = {
    "start": ("startEvent", "StartEvent", "event"),
    "end": ("endEvent", "EndEvent", "event"),
    "event": ("intermediateThrowEvent", "Event", "event"),
    "task": ("task", "Task", "task"),
    "decision": ("exclusiveGateway", "Gateway", "gateway"),
    "subprocess": ("callActivity", "CallActivity", "task"),
}
"""Step kind -> (BPMN element, id prefix, symbol size)."""

LABELS = {
    "purpose": {"fi": "Tarkoitus", "en": "Purpose"},
    "owner": {"fi": "Omistaja", "en": "Owner"},
    "realizes": {"fi": "Toteuttaa tavoitteet", "en": "Goals realized"},
    "influences": {"fi": "Vaikuttaa tavoitteisiin", "en": "Goals influenced"},
    "metrics": {"fi": "Mittarit", "en": "Metrics"},
    "documents": {"fi": "Ohjeet", "en": "Instructions"},
    "outputs": {"fi": "Tuotokset", "en": "Outputs"},
    "unassigned": {"fi": "Ei roolia", "en": "No role"},
    "example": {"fi": "Esimerkkisisältöä", "en": "Example content"},
    "not_sourced": {"fi": "ei lähteistä", "en": "not from the sources"},
}


def example_note(mark: Example | None, lang: str) -> str:
    """'Esimerkkisisältöä: <reason>' for example content (docs/bpmn.md), else ''."""
    if mark is None:
        return ""
    reason = text(mark.reason, lang) if mark.reason else _label("not_sourced", lang)
    return f"{_label('example', lang)}: {reason}"


def _label(key: str, lang: str) -> str:
    return LABELS[key]["fi" if lang == "fi" else "en"]


def xml_id(*parts: str) -> str:
    """A valid xsd:ID from model ids: letters, digits, '-', '_' and '.', never a leading digit.

    >>> xml_id("Task", "raami")
    'Task_raami'
    >>> xml_id("Lane", "—")
    'Lane__'
    """
    raw = "_".join(parts)
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", raw)
    return clean if re.match(r"[A-Za-z_]", clean) else f"_{clean}"


def process_xml_id(org: str, pid: str) -> str:
    """The id of a process element, also used as a call activity's `calledElement`."""
    return xml_id("Process", org, pid)


@dataclass
class _Node:
    id: str
    tag: str
    name: str
    lane: str
    size: str
    centre: Point
    step: str | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str
    points: list[Point]
    label_at: Point | None = None


def _fallback_ranks(view: FlowView) -> Ranks:
    """Columns by breadth-first distance from the starts: used when `dot` cannot run."""
    succ: dict[str, list[str]] = {}
    for e in view.edges:
        succ.setdefault(e.source, []).append(e.target)
    targets = {e.target for e in view.edges}
    roots = [s.id for s in view.steps if s.id not in targets] or [s.id for s in view.steps[:1]]
    col: dict[str, int] = {r: 0 for r in roots}
    queue = deque(roots)
    while queue:
        cur = queue.popleft()
        for nxt in succ.get(cur, []):
            if nxt not in col:
                col[nxt] = col[cur] + 1
                queue.append(nxt)
    last = max(col.values(), default=-1) + 1
    ranks: Ranks = {}
    counts: dict[int, int] = {}
    for s in view.steps:
        c = col.get(s.id, last)
        ranks[s.id] = (c, counts.get(c, 0))
        counts[c] = counts.get(c, 0) + 1
    return ranks


def swimlane_layout(view: FlowView) -> SwimlaneLayout:
    """The SVG diagram's layout, unfolded (BPMN lanes are contiguous); a breadth-first one
    when Graphviz is missing or fails."""
    from qms.render import layout_flow
    from qms.render.layout import TooManySteps

    try:
        return layout_flow(view, fold=False)
    except TooManySteps:
        raise  # beyond the documented limit: refused, not laid out another way
    except (OSError, RuntimeError, ValueError):
        return compute(view, _fallback_ranks(view), fold=False)


class _Geometry:
    """SVG layout coordinates -> BPMN DI coordinates (integers, so output is stable)."""

    def __init__(self, layout: SwimlaneLayout) -> None:
        self.layout = layout
        self.dx = POOL_X + POOL_HEADER + 30 - layout.header * FX
        self.dy = POOL_Y - layout.top * FY

    def pt(self, p: Point) -> Point:
        return (round(p[0] * FX + self.dx), round(p[1] * FY + self.dy))

    def box(self, n: NodeBox) -> tuple[Point, Point]:
        """(centre, half size) of an SVG symbol, scaled."""
        return self.pt((n.x, n.y)), (n.w * FX / 2, n.h * FY / 2)


def _side(p: Point, centre: Point, half: Point) -> str:
    """Which side of a box a route's end point lies on."""
    dists = {
        "left": abs(p[0] - (centre[0] - half[0])),
        "right": abs(p[0] - (centre[0] + half[0])),
        "top": abs(p[1] - (centre[1] - half[1])),
        "bottom": abs(p[1] - (centre[1] + half[1])),
    }
    return min(dists, key=lambda k: (dists[k], k))


def _anchor(
    side: str, centre: Point, size: tuple[int, int], port: Point | None = None, kind: str = ""
) -> Point:
    """Where a flow meets a symbol's side: its middle, or, when the layout has the flow leave
    beside the middle (a port, qms.render.layout.PORT), as far beside it (up to 60 % of the
    half side) on the symbol's outline, so that the flows of one step stay apart in DI too."""
    x, y = centre
    w, h = size[0] / 2, size[1] / 2
    if port is not None and side in ("left", "right") and abs(port[1] - y) >= 1:
        dy = max(-0.6 * h, min(0.6 * h, port[1] - y))
        reach = w
        if kind == "gateway":
            reach = w * (1 - abs(dy) / h)
        elif kind == "event":
            reach = math.sqrt(max(0.0, w * w - dy * dy))
        sign = 1 if side == "right" else -1
        return (round(x + sign * reach), round(y + dy))
    return {
        "left": (x - w, y),
        "right": (x + w, y),
        "top": (x, y - h),
        "bottom": (x, y + h),
    }[side]


def _reattach(points: list[Point], end: int, side: str, anchor: Point) -> list[Point]:
    """Move the first (end=0) or last (end=-1) point onto `anchor`, keeping right angles."""
    pts = list(points)
    pts[end] = anchor
    nb = 1 if end == 0 else -2
    if len(pts) > 2:
        x, y = pts[nb]
        pts[nb] = (x, anchor[1]) if side in ("left", "right") else (anchor[0], y)
    elif len(pts) == 2:
        other = pts[nb]
        if side in ("left", "right") and other[1] != anchor[1]:
            corner = (other[0], anchor[1])
            pts = [pts[0], corner, pts[1]]
        elif side in ("top", "bottom") and other[0] != anchor[0]:
            corner = (anchor[0], other[1])
            pts = [pts[0], corner, pts[1]]
    return pts


def _sub(parent: ET.Element, ns: str, tag: str, attrs: dict[str, str] | None = None) -> ET.Element:
    return ET.SubElement(parent, f"{{{ns}}}{tag}", attrs or {})


def _texts(parent: ET.Element, ns: str, tag: str, value: str) -> None:
    if value:
        _sub(parent, ns, tag).text = value


def export_bpmn(
    workspace: Workspace,
    index: Index,
    process: Process,
    lang: str,
    incomplete: LeftOut = NOTHING_LEFT_OUT,
) -> bytes:
    """The process as a BPMN 2.0 document (UTF-8 bytes, deterministic); example content and a
    partial model (`incomplete`) are said in `documentation` elements."""
    view = flow_view(index, process, lang)
    layout = swimlane_layout(view)
    geo = _Geometry(layout)
    org, pid = process.organisation, process.id
    steps: dict[str, Step] = {}
    for first in process.steps:
        steps.setdefault(first.id, first)  # on duplicates the first wins, as in the diagram

    nodes: dict[str, _Node] = {}
    order: list[str] = []
    for sv in view.steps:
        tag, prefix, size = TAGS.get(sv.kind, TAGS["task"])
        box = layout.nodes.get(sv.id)
        centre = geo.pt((box.x, box.y)) if box else (0.0, 0.0)
        nid = xml_id(prefix, sv.id)
        nodes[nid] = _Node(nid, tag, sv.name, sv.lane, size, centre, step=sv.id)
        order.append(nid)
    elem = {n.step: n.id for n in nodes.values() if n.step}

    routes = {(r.source, r.target): r for r in layout.edges}
    flows: list[_Flow] = []
    used: set[str] = set()

    def flow_id(a: str, b: str) -> str:
        n = 1
        while xml_id("Flow", a, b, str(n)) in used:
            n += 1
        fid = xml_id("Flow", a, b, str(n))
        used.add(fid)
        return fid

    incoming: dict[str, int] = {}
    outgoing: dict[str, int] = {}
    for e in view.edges:
        incoming[e.target] = incoming.get(e.target, 0) + 1
        outgoing[e.source] = outgoing.get(e.source, 0) + 1
    kinds = {s.id: s.kind for s in view.steps}
    joins: dict[str, str] = {}
    forks: dict[str, str] = {}
    for sid in [s.id for s in view.steps]:
        target = nodes[elem[sid]]
        if incoming.get(sid, 0) > 1:
            dims = SIZES[target.size]
            cx, cy = target.centre
            centre = (cx - dims[0] / 2 - 10 - 25, cy)
            jid = xml_id("Join", sid)
            nodes[jid] = _Node(jid, "exclusiveGateway", "", target.lane, "gateway", centre)
            order.insert(order.index(target.id), jid)
            joins[sid] = jid
            flows.append(
                _Flow(
                    xml_id("Flow", "Join", sid),
                    jid,
                    target.id,
                    "",
                    [(cx - dims[0] / 2 - 10, cy), (cx - dims[0] / 2, cy)],
                )
            )
        if outgoing.get(sid, 0) > 1 and kinds[sid] != "decision":
            dims = SIZES[target.size]
            cx, cy = target.centre
            centre = (cx + dims[0] / 2 + 10 + 25, cy)
            fid = xml_id("Fork", sid)
            nodes[fid] = _Node(fid, "parallelGateway", "", target.lane, "gateway", centre)
            order.insert(order.index(target.id) + 1, fid)
            forks[sid] = fid
            flows.append(
                _Flow(
                    xml_id("Flow", "Fork", sid),
                    target.id,
                    fid,
                    "",
                    [(cx + dims[0] / 2, cy), (cx + dims[0] / 2 + 10, cy)],
                )
            )

    for e in view.edges:
        src = nodes[forks.get(e.source, elem[e.source])]
        dst = nodes[joins.get(e.target, elem[e.target])]
        route = routes.get((e.source, e.target))
        sbox, tbox = layout.nodes.get(e.source), layout.nodes.get(e.target)
        if route is not None and sbox is not None and tbox is not None:
            pts = [geo.pt(p) for p in route.points]
            s_side = _side(pts[0], *geo.box(sbox))
            t_side = _side(pts[-1], *geo.box(tbox))
            if src.size == "gateway" and src.step is None:
                s_side = "right" if s_side in ("left", "right") else s_side
            start = _anchor(s_side, src.centre, SIZES[src.size], pts[0], src.size)
            pts = _reattach(pts, 0, s_side, start)
            pts = _reattach(pts, -1, t_side, _anchor(t_side, dst.centre, SIZES[dst.size]))
            label_at = geo.pt(route.label_at) if route.label_at else None
        else:
            pts = [
                _anchor("right", src.centre, SIZES[src.size]),
                _anchor("left", dst.centre, SIZES[dst.size]),
            ]
            label_at = None
        flows.append(_Flow(flow_id(e.source, e.target), src.id, dst.id, e.label, pts, label_at))

    # Flows in flow order: by their source's position, then in the order of the step's `next`
    # (a decision's branches keep the order the quality group wrote them in).
    branch_of: dict[str, int] = {}
    for f in flows:
        src_step = nodes[f.source].step or next(
            (s for s, fid in forks.items() if fid == f.source), None
        )
        dst_step = nodes[f.target].step or next(
            (s for s, jid in joins.items() if jid == f.target), None
        )
        step_ = steps.get(src_step) if src_step else None
        targets = [b.to for b in step_.next] if step_ else []
        branch_of[f.id] = targets.index(dst_step) if dst_step in targets else 0
    flows.sort(key=lambda f: (order.index(f.source), branch_of[f.id], f.id))
    for f in flows:
        nodes[f.source].outgoing.append(f.id)
        nodes[f.target].incoming.append(f.id)

    # --- semantic model --------------------------------------------------------------------
    key = f"{org}_{pid}"
    defs = ET.Element(
        f"{{{MODEL_NS}}}definitions",
        {
            "id": xml_id("Definitions", key),
            "targetNamespace": f"{QMS_NS}/{org}",
            "exporter": "qms",
            "exporterVersion": __version__,
        },
    )
    collab = _sub(defs, MODEL_NS, "collaboration", {"id": xml_id("Collaboration", key)})
    participant_id = xml_id("Participant", key)
    proc_id = process_xml_id(org, pid)
    title = text(process.name, lang)
    _sub(
        collab,
        MODEL_NS,
        "participant",
        {"id": participant_id, "name": title, "processRef": proc_id},
    )
    proc = _sub(defs, MODEL_NS, "process", {"id": proc_id, "name": title, "isExecutable": "false"})
    _texts(proc, MODEL_NS, "documentation", incomplete.text(lang))
    chain = (workspace.settings, organisation_of(workspace, org), process)
    _texts(proc, MODEL_NS, "documentation", example_note(example_of(*chain), lang))
    _texts(proc, MODEL_NS, "documentation", _process_documentation(index, process, lang))
    _process_extension(proc, process, lang)

    lane_set = _sub(proc, MODEL_NS, "laneSet", {"id": xml_id("LaneSet", key)})
    lane_ids: dict[str, str] = {}
    for lane in view.lanes:
        lid = xml_id("Lane", "_none" if lane.id == NO_ROLE else lane.id)
        lane_ids[lane.id] = lid
        name = _label("unassigned", lang) if lane.id == NO_ROLE else lane.name
        lel = _sub(lane_set, MODEL_NS, "lane", {"id": lid, "name": name})
        for nid in order:
            if nodes[nid].lane == lane.id:
                _sub(lel, MODEL_NS, "flowNodeRef").text = nid

    for nid in order:
        node = nodes[nid]
        attrs = {"id": nid}
        if node.name:
            attrs["name"] = node.name
        step = steps.get(node.step) if node.step else None
        if step is not None and step.kind == "subprocess" and step.call:
            key_ = index.process_key(step.call, org)
            attrs["calledElement"] = (
                process_xml_id(*key_) if key_ else xml_id("Process", step.call.replace("/", "_"))
            )
        el = _sub(proc, MODEL_NS, node.tag, attrs)
        if step is not None:
            note = example_note(example_of(*chain, step), lang)
            _texts(el, MODEL_NS, "documentation", note)
            _texts(el, MODEL_NS, "documentation", _step_documentation(index, process, step, lang))
            ext = _sub(el, MODEL_NS, "extensionElements")
            sattrs = {"id": step.id, "kind": step.kind}
            if step.role:
                sattrs["role"] = step.role
            if step.call:
                sattrs["call"] = step.call
            _example_attrs(sattrs, step.example, lang)
            sel = _sub(ext, QMS_NS, "step", sattrs)
            for doc in step.documents:
                _sub(sel, QMS_NS, "document", {"ref": doc})
            for out in step.outputs:
                _sub(sel, QMS_NS, "output").text = text(out, lang)
            if step.description:
                _sub(sel, QMS_NS, "description").text = text(step.description, lang)
        for fid in node.incoming:
            _sub(el, MODEL_NS, "incoming").text = fid
        for fid in node.outgoing:
            _sub(el, MODEL_NS, "outgoing").text = fid
    for f in flows:
        attrs = {"id": f.id}
        if f.name:
            attrs["name"] = f.name
        attrs.update(sourceRef=f.source, targetRef=f.target)
        _sub(proc, MODEL_NS, "sequenceFlow", attrs)

    # --- diagram interchange ---------------------------------------------------------------
    diagram = _sub(defs, BPMNDI_NS, "BPMNDiagram", {"id": xml_id("Diagram", key)})
    plane = _sub(
        diagram,
        BPMNDI_NS,
        "BPMNPlane",
        {"id": xml_id("Plane", key), "bpmnElement": collab.get("id", "")},
    )
    right = max(
        [layout.width * FX + geo.dx]
        + [n.centre[0] + SIZES[n.size][0] / 2 + 40 for n in nodes.values()]
    )
    pool_w = round(right) - POOL_X
    lane_rows = [
        (lane.id, round(band.y * FY + geo.dy), round((band.y + band.h) * FY + geo.dy))
        for lane, band in zip(view.lanes, layout.lanes, strict=True)
    ]
    pool_h = (lane_rows[-1][2] if lane_rows else POOL_Y + 100) - POOL_Y
    _shape(plane, participant_id, (POOL_X, POOL_Y, pool_w, pool_h), horizontal=True)
    for lane_id, top, bottom in lane_rows:
        x = POOL_X + POOL_HEADER
        _shape(plane, lane_ids[lane_id], (x, top, pool_w - POOL_HEADER, bottom - top), True)
    for nid in order:
        node = nodes[nid]
        w, h = SIZES[node.size]
        bounds = (node.centre[0] - w / 2, node.centre[1] - h / 2, w, h)
        _shape(plane, nid, bounds, marker=node.tag == "exclusiveGateway")
    for f in flows:
        edge = _sub(plane, BPMNDI_NS, "BPMNEdge", {"id": f"{f.id}_di", "bpmnElement": f.id})
        for wx, wy in f.points:
            _sub(edge, DI_NS, "waypoint", {"x": _num(wx), "y": _num(wy)})
        if f.name and f.label_at is not None:
            lw = max(20, 7 * len(f.name))
            label = _sub(edge, BPMNDI_NS, "BPMNLabel")
            lx, ly = f.label_at
            _bounds(label, (lx - lw // 2, ly - 7, lw, 14))

    ET.indent(defs, "  ")
    body: bytes = ET.tostring(defs, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _num(value: float) -> str:
    """A coordinate as the shortest exact text: 120, 42.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _bounds(parent: ET.Element, b: tuple[float, float, float, float]) -> None:
    x, y, w, h = b
    _sub(parent, DC_NS, "Bounds", {"x": _num(x), "y": _num(y), "width": _num(w), "height": _num(h)})


def _shape(
    plane: ET.Element,
    element: str,
    b: tuple[float, float, float, float],
    horizontal: bool = False,
    marker: bool = False,
) -> None:
    attrs = {"id": f"{element}_di", "bpmnElement": element}
    if horizontal:
        attrs["isHorizontal"] = "true"
    if marker:
        attrs["isMarkerVisible"] = "true"
    _bounds(_sub(plane, BPMNDI_NS, "BPMNShape", attrs), b)


def _goal_names(index: Index, refs: list[str], lang: str) -> str:
    names = []
    for ref in refs:
        goal = index.goal(ref)
        names.append(f"{ref} {text(goal.name, lang)}" if goal else ref)
    return "; ".join(names)


def _process_documentation(index: Index, process: Process, lang: str) -> str:
    """The summary page in one text: purpose, owner, goals, metrics."""
    org = process.organisation
    lines = []
    if process.purpose:
        lines.append(f"{_label('purpose', lang)}: {text(process.purpose, lang)}")
    if process.owner:
        role = index.roles.get((org, process.owner))
        name = text(role.item.name, lang) if role else process.owner
        lines.append(f"{_label('owner', lang)}: {name} ({process.owner})")
    if process.realizes:
        lines.append(f"{_label('realizes', lang)}: {_goal_names(index, process.realizes, lang)}")
    if process.influences:
        goals = _goal_names(index, process.influences, lang)
        lines.append(f"{_label('influences', lang)}: {goals}")
    if process.metrics:
        names = []
        for ref in process.metrics:
            metric = index.metric(ref, org)
            names.append(f"{ref} {text(metric.name, lang)}" if metric else ref)
        lines.append(f"{_label('metrics', lang)}: {'; '.join(names)}")
    return "\n".join(lines)


def _example_attrs(attrs: dict[str, str], mark: object, lang: str) -> None:
    """The element's own `example:` mark as attributes that `qms import bpmn` reads back."""
    if mark is None:
        return
    attrs["example"] = "false" if mark is False else "true"
    if isinstance(mark, ExampleNote):
        attrs["exampleReason"] = text(mark.reason, lang)


def _process_extension(parent: ET.Element, process: Process, lang: str) -> None:
    """Machine-readable QMS metadata: what `qms import bpmn` reads back."""
    ext = _sub(parent, MODEL_NS, "extensionElements")
    attrs = {
        "id": process.id,
        "organisation": process.organisation,
        "type": process.type,
        "level": str(process.level),
        "status": process.status,
    }
    if process.owner:
        attrs["owner"] = process.owner
    if process.version:
        attrs["version"] = process.version
    _example_attrs(attrs, process.example, lang)
    meta = _sub(ext, QMS_NS, "process", attrs)
    if process.purpose:
        _sub(meta, QMS_NS, "purpose").text = text(process.purpose, lang)
    for goal in process.realizes:
        _sub(meta, QMS_NS, "realizes", {"goal": goal})
    for goal in process.influences:
        _sub(meta, QMS_NS, "influences", {"goal": goal})
    for metric in process.metrics:
        _sub(meta, QMS_NS, "metric", {"ref": metric})
    for doc in process.documents:
        attrs = {"id": doc.id, "name": text(doc.name, lang)}
        for key in ("version", "link", "owner"):
            value = getattr(doc, key)
            if value:
                attrs[key] = value
        _sub(meta, QMS_NS, "document", attrs)


def _step_documentation(index: Index, process: Process, step: Step, lang: str) -> str:
    """The step's description, instructions and outputs as one text."""
    lines = [text(step.description, lang)] if step.description else []
    if step.documents:
        names = []
        register = {d.id: d for d in process.documents}
        for doc in step.documents:
            found = register.get(doc)
            if found is None:
                located = index.register.get((process.organisation, doc))
                names.append(text(located.item.name, lang) if located else doc)
            else:
                names.append(text(found.name, lang))
        lines.append(f"{_label('documents', lang)}: {'; '.join(names)}")
    if step.outputs:
        outs = "; ".join(text(o, lang) for o in step.outputs)
        lines.append(f"{_label('outputs', lang)}: {outs}")
    return "\n".join(lines)


def bpmn_files(
    ws: Workspace,
    lang: str,
    organisations: list[str] | None = None,
    incomplete: LeftOut = NOTHING_LEFT_OUT,
) -> dict[str, bytes]:
    """Every process as `<org>/<process>.bpmn` -> bytes, sorted by path; `incomplete` (what
    the loader left out) is said in every file."""
    index = Index.build(ws)
    files: dict[str, bytes] = {}
    for (org, pid), process in sorted(index.processes.items()):
        if organisations and org not in organisations:
            continue
        files[f"{org}/{pid}.bpmn"] = export_bpmn(ws, index, process, lang, incomplete)
    return files
