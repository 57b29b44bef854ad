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
from typing import Any

from qms import __version__
from qms.bpmn import BPMNDI_NS, DC_NS, DI_NS, MODEL_NS, QMS_NS, XSI_NS
from qms.example import Example, example_of, organisation_of
from qms.index import Index
from qms.model import GATEWAY_KINDS, ExampleNote, Process, Step, Workspace, text
from qms.partial import NOTHING_LEFT_OUT, LeftOut
from qms.render.layout import EdgeRoute, NodeBox, Point, Ranks, SwimlaneLayout, compute
from qms.views import NO_ROLE, FlowEdge, FlowView, flow_view

for _prefix, _uri in (
    ("bpmn", MODEL_NS),
    ("bpmndi", BPMNDI_NS),
    ("dc", DC_NS),
    ("di", DI_NS),
    ("qms", QMS_NS),
    ("xsi", XSI_NS),
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
GATEWAY_TAGS = {
    "decision": "exclusiveGateway",
    "parallel": "parallelGateway",
    "inclusive": "inclusiveGateway",
    "event-based": "eventBasedGateway",
    "complex": "complexGateway",
}
TASK_TAGS = {
    None: "task",
    "user": "userTask",
    "manual": "manualTask",
    "service": "serviceTask",
    "script": "scriptTask",
    "business-rule": "businessRuleTask",
    "send": "sendTask",
    "receive": "receiveTask",
}
DEFINITIONS = {
    "message": "messageEventDefinition",
    "timer": "timerEventDefinition",
    "signal": "signalEventDefinition",
    "conditional": "conditionalEventDefinition",
    "escalation": "escalationEventDefinition",
    "error": "errorEventDefinition",
    "compensation": "compensateEventDefinition",
    "terminate": "terminateEventDefinition",
    "link": "linkEventDefinition",
    "cancel": "cancelEventDefinition",
}
"""Trigger -> event definition; `multiple` triggers have no single one and write none."""
CATCHING = ("timer", "conditional", "link")
CATCH_EVENTS = ("startEvent", "intermediateCatchEvent", "boundaryEvent")


def step_tag(step: Step) -> tuple[str, str, str]:
    """A step's (BPMN element, id prefix, symbol size).

    >>> step_tag(Step(id="a", name="A", kind="event", trigger="timer"))
    ('intermediateCatchEvent', 'Event', 'event')
    >>> step_tag(Step(id="a", name="A", kind="parallel"))
    ('parallelGateway', 'Gateway', 'gateway')
    """
    if step.kind in GATEWAY_TAGS:
        return GATEWAY_TAGS[step.kind], "Gateway", "gateway"
    if step.kind == "task":
        return TASK_TAGS.get(step.task_type, "task"), "Task", "task"
    if step.kind == "subprocess" and step.triggered:
        return "subProcess", "SubProcess", "task"
    if step.kind == "event":
        if step.attached_to:
            return "boundaryEvent", "Event", "event"
        catch = step.catch if step.catch is not None else step.trigger in CATCHING
        return ("intermediateCatchEvent" if catch else "intermediateThrowEvent"), "Event", "event"
    return TAGS.get(step.kind, TAGS["task"])


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
    condition: str | None = None
    """The condition expression's text ("" for a conditional flow without one)."""
    default: bool = False


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


def _border_centre(
    host: _Node, k: int, box: NodeBox | None = None, hbox: NodeBox | None = None
) -> Point:
    """Where the k-th boundary event of a step sits in DI: where the layout put it on the
    host's border (`box` on `hbox`; its flows leave from there), moved onto the BPMN symbol's
    edge, which is narrower than the SVG one; else on the lower border, from the left."""
    w, h = SIZES[host.size]
    if box is not None and hbox is not None and box.name_box is not None:
        dx = (box.x - hbox.x) / (hbox.w / 2) * (w / 2)
        dy = h / 2 if box.y > hbox.y else -h / 2
        return (round(host.centre[0] + dx), host.centre[1] + dy)
    return (host.centre[0] - w / 2 + 20 + 30 * k, host.centre[1] + h / 2)


def _di_route(
    geo: _Geometry, route: EdgeRoute, sbox: NodeBox, tbox: NodeBox, src: _Node, dst: _Node
) -> list[Point]:
    """A routed flow's waypoints in DI: the router's polyline, scaled, with its ends moved
    onto the BPMN symbols' outlines (their sizes differ from the SVG's)."""
    pts = [geo.pt(p) for p in route.points]
    s_side = _side(pts[0], *geo.box(sbox))
    t_side = _side(pts[-1], *geo.box(tbox))
    if src.size == "gateway" and src.step is None:
        s_side = "right" if s_side in ("left", "right") else s_side
    start = _anchor(s_side, src.centre, SIZES[src.size], pts[0], src.size)
    pts = _reattach(pts, 0, s_side, start)
    end = _anchor(t_side, dst.centre, SIZES[dst.size], pts[-1], dst.size)
    return _reattach(pts, -1, t_side, end)


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
    flow_edges = [e for e in view.edges if not e.attached]  # not the dotted boundary links
    layout = swimlane_layout(view)
    geo = _Geometry(layout)
    org, pid = process.organisation, process.id
    steps: dict[str, Step] = {}
    for first in process.steps:
        steps.setdefault(first.id, first)  # on duplicates the first wins, as in the diagram

    nodes: dict[str, _Node] = {}
    order: list[str] = []
    for sv in view.steps:
        tag, prefix, size = step_tag(steps[sv.id]) if sv.id in steps else TAGS["task"]
        box = layout.nodes.get(sv.id)
        centre = geo.pt((box.x, box.y)) if box else (0.0, 0.0)
        nid = xml_id(prefix, sv.id)
        nodes[nid] = _Node(nid, tag, sv.name, sv.lane, size, centre, step=sv.id)
        order.append(nid)
    elem = {n.step: n.id for n in nodes.values() if n.step}
    on_border: dict[str, int] = {}
    for sv in view.steps:
        host_id = steps[sv.id].attached_to if sv.id in steps else None
        node = nodes[elem[sv.id]]
        if node.tag == "boundaryEvent" and host_id in elem:
            host = nodes[elem[host_id]]
            k = on_border.get(host.id, 0)
            on_border[host.id] = k + 1
            box, hbox = layout.nodes.get(sv.id), layout.nodes.get(host_id)
            node.centre = _border_centre(host, k, box, hbox)
            node.lane = host.lane

    routes: dict[tuple[str, str], list[EdgeRoute]] = {}
    for r in layout.edges:  # two branches of a decision to one step: two routes, in order
        routes.setdefault((r.source, r.target), []).append(r)
    flows: list[_Flow] = []
    used: set[str] = set()

    def flow_id(a: str, b: str) -> str:
        n = 1
        while xml_id("Flow", a, b, str(n)) in used:
            n += 1
        fid = xml_id("Flow", a, b, str(n))
        used.add(fid)
        return fid

    # One flow per branch, so two answers that lead to the same step (a condition and the
    # default) both stay; the diagram draws each branch with a label of its own, but one arrow
    # for branches alike (same label), so the k-th branch takes the k-th route or the last.
    firsts: dict[tuple[str, str], FlowEdge] = {}
    for e in flow_edges:
        firsts.setdefault((e.source, e.target), e)
    flow_edges = list(firsts.values())
    branches: dict[tuple[str, str], list[Any]] = {}
    for e in flow_edges:
        found = branches.setdefault((e.source, e.target), [])
        for b in steps[e.source].next:
            if b.to == e.target and b not in found:
                found.append(b)
    incoming: dict[str, int] = {}
    outgoing: dict[str, int] = {}
    for e in flow_edges:
        n = max(len(branches[(e.source, e.target)]), 1)
        incoming[e.target] = incoming.get(e.target, 0) + n
        outgoing[e.source] = outgoing.get(e.source, 0) + n
    kinds = {s.id: s.kind for s in view.steps}
    compensations = {
        (e.source, e.target)
        for e in flow_edges
        if steps[e.source].attached_to
        and steps[e.source].trigger == "compensation"
        and steps[e.target].compensation
    }
    for pair in compensations:  # an association, not a sequence flow
        n = max(len(branches[pair]), 1)
        incoming[pair[1]] -= n
        outgoing[pair[0]] -= n
    joins: dict[str, str] = {}
    forks: dict[str, str] = {}
    for sid in [s.id for s in view.steps]:
        target = nodes[elem[sid]]
        gateway = kinds[sid] in GATEWAY_KINDS
        if incoming.get(sid, 0) > 1 and (not gateway or outgoing.get(sid, 0) > 1):
            dims = SIZES[target.size]
            cx, cy = target.centre
            centre = (cx - dims[0] / 2 - 10 - 25, cy)
            jid = xml_id("Join", sid)
            join_tag = target.tag if gateway else "exclusiveGateway"
            nodes[jid] = _Node(jid, join_tag, "", target.lane, "gateway", centre)
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
        says_when = any(b.condition or b.default for b in steps[sid].next)
        if outgoing.get(sid, 0) > 1 and not gateway and not says_when:
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

    for e in flow_edges:
        if (e.source, e.target) in compensations:
            continue
        src = nodes[forks.get(e.source, elem[e.source])]
        dst = nodes[joins.get(e.target, elem[e.target])]
        drawn = routes.get((e.source, e.target), [])
        sbox, tbox = layout.nodes.get(e.source), layout.nodes.get(e.target)
        source_step = steps[e.source]
        same = branches[(e.source, e.target)]
        for k, branch in enumerate(same or [None]):
            route = drawn[min(k, len(drawn) - 1)] if drawn else None
            if src.tag == "boundaryEvent" and (
                sbox is None or sbox.name_box is None or route is None
            ):
                pts = _from_border(src.centre, dst.centre, SIZES[dst.size])
                label_at = None
            elif route is not None and sbox is not None and tbox is not None:
                pts = _di_route(geo, route, sbox, tbox, src, dst)
                label_at = geo.pt(route.label_at) if route.label_at else None
            else:
                pts = [
                    _anchor("right", src.centre, SIZES[src.size]),
                    _anchor("left", dst.centre, SIZES[dst.size]),
                ]
                label_at = None
            apart = 16 * (k - len(drawn) + 1) if k >= len(drawn) else 0  # one arrow: labels apart
            at = (label_at[0], label_at[1] + apart) if label_at else None
            condition = (
                text(branch.condition, lang) if branch and branch.condition is not None else None
            )
            default = bool(branch and branch.default)
            if (
                condition is None
                and not default
                and source_step.kind != "event-based"
                and (
                    len(same) > 1  # else bpmnlint sees duplicate flows: the label tells them apart
                    or any(b.condition is not None or b.default for b in source_step.next)
                )
            ):
                condition = ""  # BPMN: beside a condition or a default, every flow has one
            said = text(branch.label, lang) if branch and branch.label else e.label
            name = said or condition or ""
            if condition is not None and not name:
                name = text(steps[e.target].name, lang)  # a conditional flow needs a label
            fid = flow_id(e.source, e.target)
            flows.append(_Flow(fid, src.id, dst.id, name, pts, at, condition, default))

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

    defaults = {f.source: f.id for f in flows if f.default}
    data = _data_items(index, process, steps, nodes, order, lang)
    for nid in order:
        node = nodes[nid]
        step = steps.get(node.step) if node.step else None
        host_ref = elem.get(step.attached_to) if step is not None and step.attached_to else None
        el = _flow_node(proc, node, step, index, org, defaults.get(nid), host_ref)
        if step is not None:
            marked = example_note(example_of(*chain, step), lang)
            _texts(el, MODEL_NS, "documentation", marked)
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
        if step is not None:
            _step_body(el, node, step, data.get(nid, []), index, org, lang)
    for item in _unique_items(data):
        if item.store:
            continue
        _sub(proc, MODEL_NS, "dataObject", {"id": item.object_id})
    for items in data.values():
        for item in items:
            attrs = {"id": item.ref_id, "name": item.name}
            if item.store:
                attrs["dataStoreRef"] = item.object_id
                _sub(proc, MODEL_NS, "dataStoreReference", attrs)
            else:
                attrs["dataObjectRef"] = item.object_id
                _sub(proc, MODEL_NS, "dataObjectReference", attrs)
    for f in flows:
        attrs = {"id": f.id}
        if f.name:
            attrs["name"] = f.name
        attrs.update(sourceRef=f.source, targetRef=f.target)
        fel = _sub(proc, MODEL_NS, "sequenceFlow", attrs)
        if f.condition is not None:
            cond = _sub(fel, MODEL_NS, "conditionExpression")
            cond.set(f"{{{XSI_NS}}}type", "bpmn:tFormalExpression")
            cond.text = f.condition or f.name or None
    notes = _notes(process, steps, elem, compensations, lang)
    for note in notes:
        ann = _sub(proc, MODEL_NS, "textAnnotation", {"id": note.id})
        _sub(ann, MODEL_NS, "text").text = note.text
    for note in notes:
        if note.anchor:
            _sub(
                proc,
                MODEL_NS,
                "association",
                {"id": note.assoc_id, "sourceRef": note.anchor, "targetRef": note.id},
            )
    for comp_src, comp_dst in sorted(compensations):
        _sub(
            proc,
            MODEL_NS,
            "association",
            {
                "id": xml_id("Association", comp_src, comp_dst),
                "associationDirection": "One",
                "sourceRef": elem[comp_src],
                "targetRef": elem[comp_dst],
            },
        )
    phases = [ph for ph in process.phases]
    if phases:
        category = _sub(defs, MODEL_NS, "category", {"id": xml_id("Category", key)})
        for ph in phases:
            _sub(
                category,
                MODEL_NS,
                "categoryValue",
                {"id": xml_id("CategoryValue", key, ph.id), "value": text(ph.name, lang)},
            )
            _sub(
                proc,
                MODEL_NS,
                "group",
                {
                    "id": xml_id("Group", ph.id),
                    "categoryValueRef": xml_id("CategoryValue", key, ph.id),
                },
            )
    stores = {i.object_id: i.name for i in _unique_items(data) if i.store}
    for store_id, store_name in sorted(stores.items()):
        _sub(defs, MODEL_NS, "dataStore", {"id": store_id, "name": store_name})
    partners = _partners(index, process, elem, participant_id, lang)
    for partner in partners:
        _sub(collab, MODEL_NS, "participant", {"id": partner.id, "name": partner.name})
    for partner in partners:
        for mf in partner.flows:
            attrs = {"id": mf.id, "name": mf.name, "sourceRef": mf.source, "targetRef": mf.target}
            _sub(collab, MODEL_NS, "messageFlow", attrs)

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
        if node.tag == "subProcess":
            plane[-1].set("isExpanded", "false")
    for f in flows:
        edge = _sub(plane, BPMNDI_NS, "BPMNEdge", {"id": f"{f.id}_di", "bpmnElement": f.id})
        for wx, wy in f.points:
            _sub(edge, DI_NS, "waypoint", {"x": _num(wx), "y": _num(wy)})
        if f.name and f.label_at is not None:
            _edge_label(edge, f.name, f.label_at)
    _extra_di(plane, nodes, elem, data, notes, compensations, phases, partners, key, pool_h, defs)
    for nid in order:
        sub_step = steps.get(nodes[nid].step or "")
        if nodes[nid].tag == "subProcess" and sub_step is not None:
            called = index.process(sub_step.call, org) if sub_step.call else None
            _inner_plane(defs, proc, nid, index, called, lang)

    ET.indent(defs, "  ")
    body: bytes = ET.tostring(defs, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


@dataclass
class _Item:
    """A data object or data store reference beside a step."""

    ref_id: str
    object_id: str
    name: str
    node: str
    output: bool
    store: bool


@dataclass
class _Note:
    id: str
    assoc_id: str
    text: str
    anchor: str | None


@dataclass
class _MessageFlow:
    id: str
    name: str
    source: str
    target: str
    node: str
    incoming: bool


@dataclass
class _Partner:
    id: str
    name: str
    flows: list[_MessageFlow] = field(default_factory=list)


ACTIVITY_TAGS = set(TASK_TAGS.values()) | {"callActivity", "subProcess"}


def _flow_node(
    proc: ET.Element,
    node: _Node,
    step: Step | None,
    index: Index,
    org: str,
    default: str | None,
    host: str | None,
) -> ET.Element:
    """The element of one flow node with its attributes (children come later)."""
    attrs = {"id": node.id}
    if node.name:
        attrs["name"] = node.name
    if step is not None:
        if node.tag == "callActivity" and step.call:
            key_ = index.process_key(step.call, org)
            attrs["calledElement"] = (
                process_xml_id(*key_) if key_ else xml_id("Process", step.call.replace("/", "_"))
            )
        if node.tag == "boundaryEvent" and host:
            attrs["attachedToRef"] = host
        if node.tag == "boundaryEvent" and not step.interrupting:
            attrs["cancelActivity"] = "false"
        if node.tag == "startEvent" and not step.interrupting:
            attrs["isInterrupting"] = "false"
        if node.tag in ACTIVITY_TAGS and step.compensation:
            attrs["isForCompensation"] = "true"
        if node.tag == "subProcess" and step.triggered:
            attrs["triggeredByEvent"] = "true"
    if default:
        attrs["default"] = default
    return _sub(proc, MODEL_NS, node.tag, attrs)


def _event_definition(el: ET.Element, step: Step, lang: str) -> None:
    definition = DEFINITIONS.get(step.trigger or "")
    if definition is None:
        return
    ed = _sub(el, MODEL_NS, definition, {"id": f"{el.get('id')}_ed"})
    if step.trigger == "timer" and step.timer is not None:
        for attr, tag in (
            ("date", "timeDate"),
            ("duration", "timeDuration"),
            ("cycle", "timeCycle"),
        ):
            value = getattr(step.timer, attr)
            if value:
                expr = _sub(ed, MODEL_NS, tag)
                expr.set(f"{{{XSI_NS}}}type", "bpmn:tFormalExpression")
                expr.text = value
                break
    if step.trigger == "conditional":  # the schema requires the condition
        cond = _sub(ed, MODEL_NS, "condition")
        cond.set(f"{{{XSI_NS}}}type", "bpmn:tFormalExpression")
        cond.text = text(step.name, "en")
    if step.trigger == "link":
        ed.set("name", step.link or text(step.name, lang))


def _step_body(
    el: ET.Element,
    node: _Node,
    step: Step,
    items: list[_Item],
    index: Index,
    org: str,
    lang: str,
) -> None:
    """What follows `incoming`/`outgoing` in the schema: data, loop, events, inner flow."""
    reads = [i for i in items if not i.output]
    writes = [i for i in items if i.output]
    if node.tag in ACTIVITY_TAGS:
        if reads:
            _sub(
                el,
                MODEL_NS,
                "property",
                {"id": f"{node.id}_data", "name": "__targetRef_placeholder"},
            )
        for item in reads:
            assoc = _sub(el, MODEL_NS, "dataInputAssociation", {"id": f"{item.ref_id}_in"})
            _sub(assoc, MODEL_NS, "sourceRef").text = item.ref_id
            _sub(assoc, MODEL_NS, "targetRef").text = f"{node.id}_data"
        for item in writes:
            assoc = _sub(el, MODEL_NS, "dataOutputAssociation", {"id": f"{item.ref_id}_out"})
            _sub(assoc, MODEL_NS, "targetRef").text = item.ref_id
        if step.loop == "standard":
            _sub(el, MODEL_NS, "standardLoopCharacteristics")
        elif step.loop:
            attrs = {"isSequential": "true"} if step.loop == "sequential" else {}
            _sub(el, MODEL_NS, "multiInstanceLoopCharacteristics", attrs)
        if node.tag == "subProcess":
            called = index.process(step.call, org) if step.call else None
            _embed(el, node.id, called, lang)
    elif node.tag in ("startEvent", "intermediateCatchEvent", "boundaryEvent"):
        for item in writes:
            assoc = _sub(el, MODEL_NS, "dataOutputAssociation", {"id": f"{item.ref_id}_out"})
            _sub(assoc, MODEL_NS, "targetRef").text = item.ref_id
        _event_definition(el, step, lang)
    elif node.tag in ("endEvent", "intermediateThrowEvent"):
        for item in reads:
            assoc = _sub(el, MODEL_NS, "dataInputAssociation", {"id": f"{item.ref_id}_in"})
            _sub(assoc, MODEL_NS, "sourceRef").text = item.ref_id
            _sub(assoc, MODEL_NS, "targetRef").text = item.ref_id
        _event_definition(el, step, lang)


def _embed(el: ET.Element, prefix: str, called: Process | None, lang: str) -> None:
    """An event sub-process's inner flow, from the process it calls (semantics only: the
    sub-process is drawn collapsed)."""
    if called is None:
        start = _sub(el, MODEL_NS, "startEvent", {"id": xml_id(prefix, "start")})
        start.set("name", "Start")
        return
    ids = {s.id: xml_id(prefix, s.id) for s in called.steps}
    flows: list[tuple[str, str, str, str]] = []
    for s in called.steps:
        for n, b in enumerate(s.next):
            if b.to in ids and b.to != s.id:
                fid = xml_id(prefix, s.id, b.to, str(n))
                flows.append((fid, ids[s.id], ids[b.to], text(b.label, lang)))
    seen: set[str] = set()
    for s in called.steps:
        if s.id in seen:
            continue
        seen.add(s.id)
        tag = step_tag(s)[0]
        if tag == "subProcess":
            tag = "callActivity"
        attrs = {"id": ids[s.id], "name": text(s.name, lang)}
        if tag == "boundaryEvent" and s.attached_to in ids:
            attrs["attachedToRef"] = ids[s.attached_to]
            if not s.interrupting:
                attrs["cancelActivity"] = "false"
        elif tag == "boundaryEvent":
            tag = "intermediateCatchEvent"
        if tag == "startEvent" and not s.interrupting:
            attrs["isInterrupting"] = "false"
        inner = _sub(el, MODEL_NS, tag, attrs)
        for fid, _src, dst, _ in flows:
            if dst == ids[s.id]:
                _sub(inner, MODEL_NS, "incoming").text = fid
        for fid, src, _dst, _ in flows:
            if src == ids[s.id]:
                _sub(inner, MODEL_NS, "outgoing").text = fid
        if tag.endswith("Event"):
            _event_definition(inner, s, lang)
    for fid, src, dst, name in flows:
        attrs = {"id": fid}
        if name:
            attrs["name"] = name
        attrs.update(sourceRef=src, targetRef=dst)
        _sub(el, MODEL_NS, "sequenceFlow", attrs)


def _inner_plane(
    defs: ET.Element,
    proc: ET.Element,
    nid: str,
    index: Index,
    called: Process | None,
    lang: str,
) -> None:
    """A collapsed event sub-process's own diagram (the drill-down plane): its inner flow laid
    out by the same swimlane router as the called process's own diagram (unfolded, without
    its lane bands), so that its flows keep apart as they do there."""
    sub = next(el for el in proc if el.get("id") == nid)
    diagram = _sub(defs, BPMNDI_NS, "BPMNDiagram", {"id": xml_id("Diagram", nid)})
    plane = _sub(diagram, BPMNDI_NS, "BPMNPlane", {"id": xml_id("Plane", nid), "bpmnElement": nid})
    step_of = {xml_id(nid, s.id): s.id for s in called.steps} if called else {}
    view = flow_view(index, called, lang) if called else None
    layout = swimlane_layout(view) if view else None
    geo = _Geometry(layout) if layout else None
    nodes: dict[str, _Node] = {}
    boxes: dict[str, NodeBox] = {}
    on_border: dict[str, int] = {}
    x = 120.0  # anything the layout does not place: in a row below it
    below = POOL_Y + (layout.height * FY + 80 if layout else 120)
    for el in sub:
        tag = el.tag.rsplit("}", 1)[-1]
        eid = el.get("id", "")
        if tag == "sequenceFlow" or not eid:
            continue
        kind = (
            "event" if tag.endswith("Event") else "gateway" if tag.endswith("Gateway") else "task"
        )
        box = layout.nodes.get(step_of.get(eid, "")) if layout else None
        host = nodes.get(el.get("attachedToRef", ""))
        if tag == "boundaryEvent" and host is not None:
            k = on_border.get(host.id, 0)
            on_border[host.id] = k + 1
            centre = _border_centre(host, k, box, boxes.get(host.id))
            if box is not None:
                boxes[eid] = box
        elif box is not None and geo is not None:
            centre = geo.pt((box.x, box.y))
            boxes[eid] = box
        else:
            centre = (x + SIZES[kind][0] / 2, below)
            x += SIZES[kind][0] + 50
        nodes[eid] = _Node(eid, tag, "", "", kind, centre, step=step_of.get(eid))
        w, h = SIZES[kind]
        _shape(plane, eid, (centre[0] - w / 2, centre[1] - h / 2, w, h))
    routes: dict[tuple[str, str], list[EdgeRoute]] = {}
    for r in layout.edges if layout else []:  # one route per branch, in `next` order
        routes.setdefault((r.source, r.target), []).append(r)
    taken: dict[tuple[str, str], int] = {}
    for el in sub.findall(f"{{{MODEL_NS}}}sequenceFlow"):
        src, dst = nodes.get(el.get("sourceRef", "")), nodes.get(el.get("targetRef", ""))
        if src is None or dst is None:
            continue
        pair = (src.step or "", dst.step or "")
        k = taken.get(pair, 0)  # the k-th branch to one step: the k-th route, or the last
        taken[pair] = k + 1
        drawn = routes.get(pair, [])
        route = drawn[min(k, len(drawn) - 1)] if drawn else None
        label_at = None
        sbox = boxes.get(src.id)
        if src.tag == "boundaryEvent" and (sbox is None or sbox.name_box is None or not route):
            pts = _from_border(src.centre, dst.centre, SIZES[dst.size])
        elif route is not None and geo is not None and src.id in boxes and dst.id in boxes:
            pts = _di_route(geo, route, boxes[src.id], boxes[dst.id], src, dst)
            if route.label_at:
                lx, ly = geo.pt(route.label_at)
                label_at = (lx, ly + 16 * max(0, k - len(drawn) + 1))  # one arrow: labels apart
        else:
            pts = [
                _anchor("right", src.centre, SIZES[src.size]),
                _anchor("left", dst.centre, SIZES[dst.size]),
            ]
        fid = el.get("id", "")
        edge = _sub(plane, BPMNDI_NS, "BPMNEdge", {"id": f"{fid}_di", "bpmnElement": fid})
        for wx, wy in pts:
            _sub(edge, DI_NS, "waypoint", {"x": _num(wx), "y": _num(wy)})
        name = el.get("name", "")
        if name and label_at is not None:
            _edge_label(edge, name, label_at)


def _edge_label(edge: ET.Element, name: str, at: Point) -> None:
    """A flow's name as a BPMNLabel centred on `at`, about as wide as the text."""
    lw = max(20, 7 * len(name))
    _bounds(_sub(edge, BPMNDI_NS, "BPMNLabel"), (at[0] - lw // 2, at[1] - 7, lw, 14))


def _data_items(
    index: Index,
    process: Process,
    steps: dict[str, Step],
    nodes: dict[str, _Node],
    order: list[str],
    lang: str,
) -> dict[str, list[_Item]]:
    """Data objects (documents read and produced) and stores (systems) of each step."""
    register = {d.id: d for d in process.documents}
    found: dict[str, list[_Item]] = {}
    for nid in order:
        node = nodes[nid]
        step = steps.get(node.step) if node.step else None
        if step is None or step.kind in GATEWAY_KINDS:
            continue
        items: list[_Item] = []
        for output, refs in ((False, step.documents), (True, step.produces)):
            for doc in refs:
                entry = register.get(doc)
                located = index.register.get((process.organisation, doc))
                name = (
                    text(entry.name, lang)
                    if entry
                    else (text(located.item.name, lang) if located else doc)
                )
                ref_id = xml_id("DataObjectReference", step.id, doc, "out" if output else "in")
                items.append(_Item(ref_id, xml_id("DataObject", doc), name, nid, output, False))
        for system in step.systems:
            name = text(system, lang)
            sid = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "system"
            ref_id = xml_id("DataStoreReference", step.id, sid)
            catches = node.tag in CATCH_EVENTS
            items.append(_Item(ref_id, xml_id("DataStore", sid), name, nid, catches, True))
        if items:
            found[nid] = items
    used = {i.name for items in found.values() for i in items if i.store}
    for system in process.systems:
        name = text(system, lang)
        if name in used:
            continue
        sid = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "system"
        ref_id = xml_id("DataStoreReference", process.id, sid)
        found.setdefault("", []).append(
            _Item(ref_id, xml_id("DataStore", sid), name, "", False, True)
        )
    return found


def _unique_items(data: dict[str, list[_Item]]) -> list[_Item]:
    seen: dict[str, _Item] = {}
    for items in data.values():
        for item in items:
            seen.setdefault(item.object_id, item)
    return list(seen.values())


def _notes(
    process: Process,
    steps: dict[str, Step],
    elem: dict[str, str],
    compensations: set[tuple[str, str]],
    lang: str,
) -> list[_Note]:
    notes: list[_Note] = []
    for sid, step in steps.items():
        for n, note in enumerate(step.notes, 1):
            nid = xml_id("TextAnnotation", sid, str(n))
            notes.append(
                _Note(nid, xml_id("Association", sid, str(n)), text(note, lang), elem.get(sid))
            )
    for n, note in enumerate(process.notes, 1):
        nid = xml_id("TextAnnotation", process.id, str(n))
        notes.append(_Note(nid, "", text(note, lang), None))
    return notes


def _partners(
    index: Index, process: Process, elem: dict[str, str], own: str, lang: str
) -> list[_Partner]:
    """The other side of every hand-off that names its step: one black-box pool each."""
    partners: dict[str, _Partner] = {}
    org = process.organisation
    for incoming, exchanges in ((True, process.inputs), (False, process.outputs)):
        for n, ex in enumerate(exchanges, 1):
            party = ex.from_ if incoming else ex.to
            if not ex.step or ex.step not in elem or not party:
                continue
            other = index.process(party, org)
            name = text(other.name, lang) if other else party
            pid_ = xml_id(
                "Participant", org, process.id, "partner", re.sub(r"[^A-Za-z0-9]+", "_", party)
            )
            partner = partners.setdefault(pid_, _Partner(pid_, name))
            node = elem[ex.step]
            mid = xml_id("MessageFlow", process.id, "in" if incoming else "out", str(n))
            src, dst = (pid_, node) if incoming else (node, pid_)
            partner.flows.append(_MessageFlow(mid, text(ex.name, lang), src, dst, node, incoming))
    return list(partners.values())


def _extra_di(
    plane: ET.Element,
    nodes: dict[str, _Node],
    elem: dict[str, str],
    data: dict[str, list[_Item]],
    notes: list[_Note],
    compensations: set[tuple[str, str]],
    phases: list[Any],
    partners: list[_Partner],
    key: str,
    pool_h: float,
    semantic: ET.Element,
) -> None:
    """Shapes and edges of data, notes, phases, partner pools and message flows."""
    written = {
        el.get("id", "")
        for el in semantic.iter()
        if el.tag.endswith("DataInputAssociation") or el.tag.endswith("DataOutputAssociation")
    }
    free = 0
    for item in data.get("", []):  # systems of the process as a whole: below the pool
        _shape(plane, item.ref_id, (POOL_X + 140 * free, POOL_Y + pool_h + 20, 50, 50))
        free += 1
    for nid, items in data.items():
        if nid not in nodes:
            continue
        node = nodes[nid]
        w, h = SIZES[node.size]
        above = [i for i in items if not i.store]
        below = [i for i in items if i.store]
        for group, dy in ((above, -h / 2 - 60), (below, h / 2 + 10)):
            for k, item in enumerate(group):
                x = node.centre[0] + (k - (len(group) - 1) / 2) * 56 - 25
                y = node.centre[1] + dy
                size = (50, 50) if item.store else (36, 50)
                _shape(plane, item.ref_id, (x, y, size[0], size[1]))
                cx, top, bottom = x + size[0] / 2, y, y + size[1]
                if item.store:
                    pts = [(cx, top), (cx, node.centre[1] + h / 2)]
                else:
                    pts = [(cx, bottom), (cx, node.centre[1] - h / 2)]
                if item.output:
                    pts.reverse()
                suffix = "_out" if item.output else "_in"
                if f"{item.ref_id}{suffix}" not in written:
                    continue
                edge = _sub(
                    plane,
                    BPMNDI_NS,
                    "BPMNEdge",
                    {"id": f"{item.ref_id}{suffix}_di", "bpmnElement": f"{item.ref_id}{suffix}"},
                )
                for wx, wy in pts:
                    _sub(edge, DI_NS, "waypoint", {"x": _num(wx), "y": _num(wy)})
    for note in notes:
        if note.anchor and note.anchor in nodes:
            node = nodes[note.anchor]
            w, h = SIZES[node.size]
            x, y = node.centre[0] + w / 2 + 15, node.centre[1] - h / 2 - 45
            _shape(plane, note.id, (x, y, 120, 40))
            edge = _sub(
                plane,
                BPMNDI_NS,
                "BPMNEdge",
                {"id": f"{note.assoc_id}_di", "bpmnElement": note.assoc_id},
            )
            for wx, wy in ((node.centre[0] + w / 2, node.centre[1] - h / 2), (x, y + 20)):
                _sub(edge, DI_NS, "waypoint", {"x": _num(wx), "y": _num(wy)})
        else:
            _shape(plane, note.id, (POOL_X + 140 * free, POOL_Y + pool_h + 20, 120, 40))
            free += 1
    for source, target in sorted(compensations):
        s, t = nodes[elem[source]], nodes[elem[target]]
        aid = xml_id("Association", source, target)
        edge = _sub(plane, BPMNDI_NS, "BPMNEdge", {"id": f"{aid}_di", "bpmnElement": aid})
        for wx, wy in (
            (s.centre[0], s.centre[1] + 18),
            (s.centre[0], t.centre[1]),
            (t.centre[0] - SIZES[t.size][0] / 2, t.centre[1]),
        ):
            _sub(edge, DI_NS, "waypoint", {"x": _num(wx), "y": _num(wy)})
    for ph in phases:
        members = [nodes[elem[s]] for s in ph.steps if s in elem]
        if members:
            left = min(n.centre[0] - SIZES[n.size][0] / 2 for n in members) - 15
            right = max(n.centre[0] + SIZES[n.size][0] / 2 for n in members) + 15
        else:
            left, right = POOL_X + POOL_HEADER + 5, POOL_X + POOL_HEADER + 105
        _shape(plane, xml_id("Group", ph.id), (left, POOL_Y + 5, right - left, pool_h - 10))
    top = POOL_Y + pool_h + (80 if free else 20)
    for k, partner in enumerate(partners):
        y = top + 90 * k
        xs = [nodes[mf.node].centre[0] for mf in partner.flows]
        left = min([POOL_X, *[x - 100 for x in xs]])
        right = max([POOL_X + 600, *[x + 100 for x in xs]])
        _shape(plane, partner.id, (left, y, right - left, 60), horizontal=True)
        for mf in partner.flows:
            node = nodes[mf.node]
            h = SIZES[node.size][1]
            x = node.centre[0] + (8 if mf.incoming else -8)
            pts = [(x, node.centre[1] + h / 2), (x, y)]
            if mf.incoming:
                pts.reverse()
            edge = _sub(plane, BPMNDI_NS, "BPMNEdge", {"id": f"{mf.id}_di", "bpmnElement": mf.id})
            for wx, wy in pts:
                _sub(edge, DI_NS, "waypoint", {"x": _num(wx), "y": _num(wy)})


def _from_border(start: Point, end: Point, size: tuple[int, int]) -> list[Point]:
    """A boundary event's flow: down from the event, then across to the target's side."""
    x0, y0 = start[0], start[1] + 18
    tx, ty = end
    w, h = size[0] / 2, size[1] / 2
    if ty - h > y0 + 10:  # the target is lower down: go down, then across into its top
        return [(x0, y0), (x0, ty - h - 20), (tx, ty - h - 20), (tx, ty - h)]
    below = max(y0, ty + h) + 25
    side = tx - w if tx > x0 else tx + w
    return [
        (x0, y0),
        (x0, below),
        (side - 15 if tx > x0 else side + 15, below),
        (side - 15 if tx > x0 else side + 15, ty),
        (side, ty),
    ]


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
    # Sorted by the path itself: 'jedu/x' sorts after 'jedu-a/y' ('-' < '/'), not before.
    for (org, pid), process in sorted(index.processes.items(), key=lambda kv: "/".join(kv[0])):
        if organisations and org not in organisations:
            continue
        files[f"{org}/{pid}.bpmn"] = export_bpmn(ws, index, process, lang, incomplete)
    return files
