"""Layout quality read from BPMN DI: the same measure for qms's export and for any other drawing.

Every number comes from the diagram interchange of a BPMN file (shape bounds, edge waypoints,
label bounds), so qms's own export, the hand-made drawings of the BPMN MIWG reference files and
bpmn-auto-layout's output are measured by the same code. Per process (a pool), over its
sequence flows:

- crossings: pairs of segments of two different flows that cross properly (a flow ending on
  another's line, as a join does, is a touch, not a crossing);
- shared: pairs of segments of two flows that run on one line for more than `SHARED_MIN`
  units, except where two flows into one target run together on their common last stretch
  up to it (a join);
- bends per flow: corners of the polyline (repeated and collinear points dropped);
- through symbols: flows that pass through a flow node other than their own ends (one that
  holds both ends, an expanded subprocess, excepted), as a last-resort route does;
- labels near: flow labels (with DI bounds) that another flow passes within `NEAR` units of;
- area and aspect of the drawn flow nodes, waypoints and labels (width / height);
- print pt: the size that 12-unit text (bpmn-js's label size) gets when the drawing is scaled
  to a landscape A4 page (25.7 x 15.8 cm printable, never enlarged).

Beside the DI, the print size of qms's own diagrams (`qms render`, folded into rows) is read
from their layouts as the manuals print them (`rendered_print_pt`).

Each diagram plane counts as a drawing of its own: a collapsed sub-process's drill-down plane
is seen alone, in coordinates of its own, so its flows are never compared with the parent's.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

FLOW_NODES = ("ask", "Event", "Gateway", "ubProcess", "callActivity", "transaction")
"""Endings of the BPMN tags of flow nodes (task, userTask, startEvent, subProcess, ...)."""
NEAR = 6.0
"""A label with another flow closer than this (DI units) counts as `labels near`."""
SHARED_MIN = 2.0
"""Two collinear segments overlapping by more than this (DI units) share a segment."""
EPS = 0.5
TEXT = 12.0
"""bpmn-js's label font size, in DI units."""
CM = 72 / 2.54
PRINT_W = 25.7 * CM
PRINT_H = 15.8 * CM

Point = tuple[float, float]
Segment = tuple[Point, Point]
Box = tuple[float, float, float, float]


@dataclass
class Flow:
    id: str
    source: str
    target: str
    points: list[Point]
    label: Box | None = None
    named: bool = False


@dataclass
class Quality:
    """The measure of one process drawing (or a sum of several)."""

    name: str
    diagrams: int = 1
    nodes: int = 0
    flows: int = 0
    drawn: int = 0
    """Flows with waypoints (the others are not measured)."""
    crossings: int = 0
    shared: int = 0
    bends: int = 0
    labels: int = 0
    labels_near: int = 0
    through: int = 0
    """Flows drawn through a flow node other than their ends."""
    width: float = 0.0
    height: float = 0.0
    print_pt: float = 0.0
    parts: list[Quality] = field(default_factory=list)

    @property
    def bends_per_flow(self) -> float:
        return self.bends / self.drawn if self.drawn else 0.0

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height else 0.0


def total(name: str, parts: Sequence[Quality]) -> Quality:
    """The sum of several drawings (area and aspect: the medians; print pt: the smallest)."""
    out = Quality(name, diagrams=sum(p.diagrams for p in parts), parts=list(parts))
    for attr in ("nodes", "flows", "drawn", "crossings", "shared", "bends", "labels"):
        setattr(out, attr, sum(getattr(p, attr) for p in parts))
    out.labels_near = sum(p.labels_near for p in parts)
    out.through = sum(p.through for p in parts)
    drawn = [p for p in parts if p.width and p.height]
    if drawn:
        mid = sorted(drawn, key=lambda p: p.area)[len(drawn) // 2]
        out.width, out.height = mid.width, mid.height
        out.print_pt = min(p.print_pt for p in drawn)
    return out


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _bounds(el: ET.Element | None) -> Box | None:
    b = el.find(_q(DC, "Bounds")) if el is not None else None
    if b is None:
        return None
    try:
        x, y = float(b.get("x", "")), float(b.get("y", ""))
        w, h = float(b.get("width", "")), float(b.get("height", ""))
    except ValueError:
        return None
    return (x, y, x + w, y + h)


def simplify(points: Iterable[Point]) -> list[Point]:
    """Repeated points and the middle of three collinear points dropped."""
    out: list[Point] = []
    for p in points:
        if out and abs(p[0] - out[-1][0]) <= EPS and abs(p[1] - out[-1][1]) <= EPS:
            continue
        if len(out) >= 2 and abs(_cross(out[-2], out[-1], p)) <= EPS * _len(out[-2], p):
            out[-1] = p
            continue
        out.append(p)
    return out


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _len(a: Point, b: Point) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


def crosses(s: Segment, t: Segment) -> bool:
    """Whether two segments cross at a point inside both (touching ends do not count)."""
    (a, b), (c, d) = s, t
    d1, d2 = _cross(c, d, a), _cross(c, d, b)
    d3, d4 = _cross(a, b, c), _cross(a, b, d)
    tol_t = EPS * _len(c, d)
    tol_s = EPS * _len(a, b)
    return ((d1 > tol_t and d2 < -tol_t) or (d1 < -tol_t and d2 > tol_t)) and (
        (d3 > tol_s and d4 < -tol_s) or (d3 < -tol_s and d4 > tol_s)
    )


def overlap(s: Segment, t: Segment) -> float:
    """How long two collinear segments run on one line (0 when they are not collinear)."""
    (a, b), (c, d) = s, t
    length = _len(a, b)
    if length <= EPS or _len(c, d) <= EPS:
        return 0.0
    if abs(_cross(a, b, c)) > EPS * length or abs(_cross(a, b, d)) > EPS * length:
        return 0.0
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length

    def along(p: Point) -> float:
        return (p[0] - a[0]) * ux + (p[1] - a[1]) * uy

    lo = max(0.0, min(along(c), along(d)))
    hi = min(length, max(along(c), along(d)))
    return max(0.0, hi - lo)


def _near(box: Box, seg: Segment, gap: float) -> bool:
    """Whether a segment comes within `gap` of a box (sampled along its length)."""
    left, top, right, bottom = box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap
    (ax, ay), (bx, by) = seg
    if max(ax, bx) < left or min(ax, bx) > right or max(ay, by) < top or min(ay, by) > bottom:
        return False
    steps = max(1, int(_len(seg[0], seg[1]) / 2))
    for i in range(steps + 1):
        x, y = ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps
        if left <= x <= right and top <= y <= bottom:
            return True
    return False


def _joined(a: list[Point], i: int, b: list[Point], j: int) -> bool:
    """Whether segments a[i] and b[j] of two flows into one target lie on their common last
    stretch: once on one line they run together to the target (a join)."""
    rest_a, rest_b = a[i + 1 :], b[j + 1 :]
    return len(rest_a) == len(rest_b) and all(
        abs(p[0] - q[0]) <= EPS and abs(p[1] - q[1]) <= EPS
        for p, q in zip(rest_a, rest_b, strict=True)
    )


def passes(box: Box, seg: Segment) -> bool:
    """Whether a segment runs through the inside of a box (more than `EPS` in from its edges):
    a flow drawn across a symbol."""
    left, top, right, bottom = box[0] + EPS, box[1] + EPS, box[2] - EPS, box[3] - EPS
    (ax, ay), (bx, by) = seg
    lo, hi = 0.0, 1.0  # Liang-Barsky: the part of the segment inside the box
    for p, q in (
        (-(bx - ax), ax - left),
        (bx - ax, right - ax),
        (-(by - ay), ay - top),
        (by - ay, bottom - ay),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            lo = max(lo, r)
        else:
            hi = min(hi, r)
        if lo > hi:
            return False
    return hi - lo > 1e-9


def _holds(box: Box, other: Box | None) -> bool:
    return (
        other is not None
        and box[0] <= other[0]
        and box[1] <= other[1]
        and (other[2] <= box[2] and other[3] <= box[3])
    )


def measure_flows(
    name: str, nodes: dict[str, Box], flows: list[Flow], symbols: dict[str, Box] | None = None
) -> Quality:
    """The measure of one drawing from its node boxes and flows (`symbols`: the flow nodes
    a flow must not pass through; the nodes when not given)."""
    q = Quality(name, nodes=len(nodes), flows=len(flows))
    symbols = nodes if symbols is None else symbols
    drawn = [f for f in flows if len(f.points) >= 2]
    q.drawn = len(drawn)
    segs = [list(itertools.pairwise(f.points)) for f in drawn]
    for f in drawn:
        q.bends += max(0, len(f.points) - 2)
        ends = (symbols.get(f.source), symbols.get(f.target))
        if any(
            passes(box, seg)
            for sid, box in symbols.items()
            if sid not in (f.source, f.target)
            and not (_holds(box, ends[0]) and _holds(box, ends[1]))
            for seg in itertools.pairwise(f.points)
        ):
            q.through += 1
    for i, j in itertools.combinations(range(len(drawn)), 2):
        same_target = drawn[i].target == drawn[j].target
        for si, s in enumerate(segs[i]):
            sx0, sx1 = sorted((s[0][0], s[1][0]))
            sy0, sy1 = sorted((s[0][1], s[1][1]))
            for ti, t in enumerate(segs[j]):
                if (
                    max(t[0][0], t[1][0]) < sx0 - EPS
                    or min(t[0][0], t[1][0]) > sx1 + EPS
                    or max(t[0][1], t[1][1]) < sy0 - EPS
                    or min(t[0][1], t[1][1]) > sy1 + EPS
                ):
                    continue
                if crosses(s, t):
                    q.crossings += 1
                elif overlap(s, t) > SHARED_MIN and not (
                    same_target and _joined(drawn[i].points, si, drawn[j].points, ti)
                ):
                    q.shared += 1
    for i, f in enumerate(drawn):
        if not f.named or f.label is None:
            continue
        q.labels += 1
        if any(_near(f.label, s, NEAR) for j, fs in enumerate(segs) if j != i for s in fs):
            q.labels_near += 1
    xs: list[float] = []
    ys: list[float] = []
    for box in [*nodes.values(), *(f.label for f in drawn if f.label and f.named)]:
        xs += [box[0], box[2]]
        ys += [box[1], box[3]]
    for f in drawn:
        xs += [p[0] for p in f.points]
        ys += [p[1] for p in f.points]
    if xs:
        q.width, q.height = max(xs) - min(xs), max(ys) - min(ys)
        scale = min(1.0, PRINT_W / max(q.width, 1.0), PRINT_H / max(q.height, 1.0))
        q.print_pt = TEXT * scale
    return q


def measure_bpmn(data: bytes, name: str) -> list[Quality]:
    """One measure per process of a BPMN file that has DI, and per plane it is drawn on: flows
    inside an embedded subprocess count with their process when they are drawn on its plane,
    and on their own when drawn on a plane of their own (a collapsed subprocess's drill-down
    diagram, which a reader sees alone, in coordinates of its own)."""
    root = ET.fromstring(data)
    planes: list[tuple[dict[str, tuple[list[Point], Box | None]], dict[str, Box]]] = []
    for plane in root.iter(_q(BPMNDI, "BPMNPlane")):
        edges: dict[str, tuple[list[Point], Box | None]] = {}
        shapes: dict[str, Box] = {}
        for el in plane.iter(_q(BPMNDI, "BPMNEdge")):
            ref = el.get("bpmnElement", "")
            pts = [
                (float(w.get("x", "0")), float(w.get("y", "0")))
                for w in el.findall(_q(DI, "waypoint"))
            ]
            edges.setdefault(ref, (simplify(pts), _bounds(el.find(_q(BPMNDI, "BPMNLabel")))))
        for el in plane.iter(_q(BPMNDI, "BPMNShape")):
            box = _bounds(el)
            if box is not None:
                shapes.setdefault(el.get("bpmnElement", ""), box)
        planes.append((edges, shapes))
    plane_of: dict[str, int] = {}
    for n, (edges, shapes) in reversed(list(enumerate(planes))):
        plane_of.update(dict.fromkeys([*edges, *shapes], n))  # the first plane wins
    out: list[Quality] = []
    processes = list(root.iter(_q(MODEL, "process")))
    for n, process in enumerate(processes):
        flows: dict[int, list[Flow]] = {}
        nodes: dict[int, dict[str, Box]] = {}
        symbols: dict[int, dict[str, Box]] = {}
        for el in process.iter():
            tag = el.tag.rsplit("}", 1)[-1]
            eid = el.get("id", "")
            at = plane_of.get(eid, -1)
            if tag == "sequenceFlow":
                pts, label = planes[at][0].get(eid, ([], None)) if at >= 0 else ([], None)
                flows.setdefault(at, []).append(
                    Flow(
                        eid,
                        el.get("sourceRef", ""),
                        el.get("targetRef", ""),
                        pts,
                        label,
                        bool((el.get("name") or "").strip()),
                    )
                )
            elif at >= 0 and eid in planes[at][1] and tag not in ("lane", "laneSet", "process"):
                nodes.setdefault(at, {})[eid] = planes[at][1][eid]
                if tag.endswith(FLOW_NODES):
                    symbols.setdefault(at, {})[eid] = planes[at][1][eid]
        drawn = sorted(set(flows) | set(nodes))
        if -1 in flows and len(drawn) > 1:  # flows without DI count with the process's plane
            main = drawn[1]
            flows.setdefault(main, []).extend(flows.pop(-1))
            drawn.remove(-1)
        label = name if len(processes) == 1 else f"{name}#{n + 1}"
        for k, at in enumerate(drawn):
            own = label if k == 0 else f"{label}#plane{k + 1}"
            out.append(
                measure_flows(own, nodes.get(at, {}), flows.get(at, []), symbols.get(at, {}))
            )
    return out


# --- the drawings measured ----------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
MIWG = Path("shared", "interop", "miwg", "reference")
"""The MIWG reference files (hand-made DI), in the shared folder beside the project (any parent
folder of the checkout), or where $QMS_MIWG points."""
TOOLS = REPO / ".tools" / "npm"


def _miwg_dir() -> Path | None:
    env = os.environ.get("QMS_MIWG")
    candidates = [Path(env)] if env else []
    candidates += [parent / MIWG for parent in REPO.parents]
    return next((c for c in candidates if c.is_dir()), None)


def qms_bpmn(root: Path, lang: str = "fi") -> dict[str, bytes]:
    """Every process of a workspace exported by qms (its DI is the swimlane router's output)."""
    from qms.bpmn.export import bpmn_files
    from qms.load import load

    loaded = load(root)
    if loaded.workspace is None:
        raise RuntimeError(f"{root}: not loadable")
    return dict(bpmn_files(loaded.workspace, lang))


def rendered_print_pt(root: Path, lang: str = "fi") -> float:
    """The smallest size the names of a workspace's own flow diagrams (`qms render`, folded)
    print at in the manuals on a landscape A4 page: qms.export.flowcut.printed_size over every
    flow (every name on a flow is one size, lane names included)."""
    from qms.export.flowcut import printed_size
    from qms.index import Index
    from qms.load import load
    from qms.render import layout_flow
    from qms.views import flow_view

    loaded = load(root)
    if loaded.workspace is None:
        raise RuntimeError(f"{root}: not loadable")
    index = Index.build(loaded.workspace)
    return min(
        (printed_size(layout_flow(flow_view(index, p, lang))) for p in index.processes.values()),
        default=0.0,
    )


def key_of(name: str) -> str:
    """The organisation id a file is imported into, and the key its drawings are compared by:
    `A.1.0.bpmn` -> `a-1-0`; an exported `a-1-0/process.bpmn` -> `a-1-0`."""
    head = name.split("/")[0] if "/" in name else name.removesuffix(".bpmn")
    return re.sub(r"[^a-z0-9]+", "-", head.lower()).strip("-")


def imported_workspace(files: Sequence[Path], folder: Path) -> tuple[Path, dict[str, str]]:
    """A workspace of the given BPMN files imported as `qms import bpmn` does (its
    `import_files`), each file into an organisation of its own; refused files with the reason."""
    from qms.bpmn.import_ import BpmnImportError, import_files

    root = folder / "ws"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "qms.yaml").write_text("kind: workspace\nname: miwg\nlanguage: en\n", "utf-8")
    refused: dict[str, str] = {}
    for path in files:
        org = key_of(path.name)
        try:
            result = import_files([str(path)], org)
        except BpmnImportError as error:
            refused[path.name] = str(error)
            continue
        procs = root / "organisations" / org / "processes"
        procs.mkdir(parents=True)
        (procs.parent / "organisation.yaml").write_text(
            f"kind: organisation\nid: {org}\nname: {path.stem}\ntype: provider\n", "utf-8"
        )
        for name, content in result.files.items():
            (procs / name).write_text(content, "utf-8")
    return root, refused


def auto_layout(files: dict[str, bytes], folder: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """The same files laid out by bpmn-auto-layout (tools/auto-layout.mjs); {} without node."""
    script = TOOLS / "auto-layout.mjs"
    if not (TOOLS / "node_modules" / "bpmn-auto-layout").is_dir() or shutil.which("node") is None:
        return {}, {name: "bpmn-auto-layout not installed (make test-tools)" for name in files}
    shutil.copyfile(REPO / "tools" / "auto-layout.mjs", script)
    folder.mkdir(parents=True, exist_ok=True)
    args: list[str] = []
    for n, (_name, data) in enumerate(sorted(files.items())):
        src, dst = folder / f"{n}.in.bpmn", folder / f"{n}.out.bpmn"
        src.write_bytes(data)
        args += [str(src), str(dst)]
    proc = subprocess.run(
        ["node", str(script), *args], cwd=TOOLS, capture_output=True, text=True, check=False
    )
    out: dict[str, bytes] = {}
    failed: dict[str, str] = {}
    for n, name in enumerate(sorted(files)):
        dst = folder / f"{n}.out.bpmn"
        if dst.is_file():
            out[name] = dst.read_bytes()
        else:
            reason = next(
                (
                    line.split(": ", 1)[-1]
                    for line in proc.stderr.splitlines()
                    if f"/{n}.in." in line
                ),
                "failed",
            )
            failed[name] = reason
    return out, failed


def measure_files(files: dict[str, bytes]) -> list[Quality]:
    out: list[Quality] = []
    for name, data in sorted(files.items()):
        out += measure_bpmn(data, name)
    return out


@dataclass
class Comparison:
    """One set of processes drawn by several layouts."""

    title: str
    drawings: dict[str, Quality]
    notes: list[str] = field(default_factory=list)
    rendered_pt: float = 0.0
    """The smallest print size of qms's own (folded) diagrams of the set (`rendered_print_pt`)."""


def collect(quick: bool, work: Path, seed: int = 2012) -> list[Comparison]:
    """LAMPPU, the MIWG references and a generated workspace, each by qms and bpmn-auto-layout
    (and the MIWG ones as drawn by hand)."""
    from bench.generate import generate

    out: list[Comparison] = []
    sets: list[tuple[str, dict[str, bytes], dict[str, bytes] | None, list[str]]] = []
    roots: list[tuple[Path, str]] = [(REPO / "models" / "lamppu", "fi")]
    lamppu = qms_bpmn(roots[0][0])
    sets.append((f"LAMPPU ({len(lamppu)} processes)", lamppu, None, []))
    miwg = _miwg_dir()
    if miwg is not None:
        refs = sorted(miwg.glob("*.bpmn"))
        if quick:
            refs = refs[:6]
        ws, refused = imported_workspace(refs, work / "miwg")
        exported = qms_bpmn(ws, "en")
        roots.append((ws, "en"))
        notes = [f"`qms import bpmn` refused {k}: {v}" for k, v in sorted(refused.items())]
        hand = {p.name: p.read_bytes() for p in refs if p.name not in refused}
        sets.append((f"MIWG reference ({len(hand)} files)", exported, hand, notes))
    gen = work / "generated"
    providers, procs, steps = (1, 4, 12) if quick else (2, 8, 15)
    generate(gen, providers, procs, steps, seed)
    roots.append((gen, "fi"))
    sets.append(
        (f"generated ({providers} x {procs} processes x {steps} steps)", qms_bpmn(gen), None, [])
    )
    for n, (title, exported, hand, notes) in enumerate(sets):
        drawings: dict[str, Quality] = {"qms": total("qms", measure_files(exported))}
        if hand is not None:
            drawings["hand-made"] = total("hand-made", measure_files(hand))
        source = hand if hand is not None else exported
        laid, failed = auto_layout(source, work / f"auto{n}")
        if laid:
            drawings["bpmn-auto-layout"] = total("bpmn-auto-layout", measure_files(laid))
        notes = notes + [f"bpmn-auto-layout failed on {k}: {v}" for k, v in sorted(failed.items())]
        out.append(Comparison(title, drawings, notes, rendered_print_pt(*roots[n])))
    return out


def table(comparisons: Sequence[Comparison]) -> list[str]:
    """The Markdown table of the measure, one line per set and layout."""
    lines = [
        "| Processes | Layout | diagrams | flows | crossings | shared segments | through symbols "
        "| bends / flow "
        f"| labels within {NEAR:g} of a flow | median area (k units²) | median aspect "
        "| smallest print pt (12-unit text, A4) | qms's own diagrams: smallest print pt |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in comparisons:
        for name, q in c.drawings.items():
            own = f"{c.rendered_pt:.1f}" if name == "qms" else "-"
            lines.append(
                f"| {c.title} | {name} | {q.diagrams} | {q.drawn} | {q.crossings} | {q.shared} "
                f"| {q.through} "
                f"| {q.bends_per_flow:.2f} | {q.labels_near} / {q.labels} "
                f"| {q.area / 1000:.0f} | {q.aspect:.2f} | {q.print_pt:.1f} | {own} |"
            )
    notes = [n for c in comparisons for n in c.notes]
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    return lines


def per_file(comparison: Comparison) -> list[str]:
    """Crossings / shared segments / flows through symbols / bends per flow for each file of a
    set, layouts side by side."""
    names = list(comparison.drawings)
    head = " | ".join(f"{n}: x / s / t / b" for n in names)
    lines = [f"| file | {head} |", "|---|" + "---:|" * len(names)]
    keys = sorted(
        {key_of(p.name.split("#")[0]) for q in comparison.drawings.values() for p in q.parts}
    )
    for key in keys:
        cells = []
        for name in names:
            parts = [
                p for p in comparison.drawings[name].parts if key_of(p.name.split("#")[0]) == key
            ]
            t = total(name, parts)
            cells.append(
                f"{t.crossings} / {t.shared} / {t.through} / {t.bends_per_flow:.2f}"
                if parts
                else "-"
            )
        lines.append(f"| {key} | {' | '.join(cells)} |")
    return lines


def report(comparisons: Sequence[Comparison], extra: Sequence[str] = ()) -> str:
    """The whole Markdown report."""
    out = [
        "# Layout quality",
        "",
        "Written by `python -m bench.quality` (part of `make bench`; `--quick` for a small set).",
        "Read from the BPMN DI of each drawing (bench/quality.py says how each figure is counted);",
        "qms's DI is its swimlane router's output, unfolded. Shared segments exclude flows into",
        f"one target (a join); 'labels within {NEAR:g}' counts flow labels with DI bounds that",
        "another flow passes that close to. DI units are about pixels at 100 %. The DI's print",
        "pt scales the unfolded DI to one landscape A4 page; the last column is what the manuals",
        "print: qms's own folded diagrams (`qms render`), cut between rows for the page",
        "(qms.export.flowcut.printed_size), smallest over the set.",
        "",
        *table(comparisons),
    ]
    for c in comparisons:
        if "hand-made" in c.drawings:
            out += [
                "",
                f"## Per file: {c.title}",
                "",
                "x crossings, s shared segments, t flows through symbols, b bends per flow.",
                "",
            ]
            out += per_file(c)
    out += list(extra)
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import tempfile

    p = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__)
    p.add_argument(
        "--quick", action="store_true", help="LAMPPU, 6 MIWG files, 4 generated processes"
    )
    p.add_argument("--output", default=None, help="write the report here (default: print it)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qms-quality-") as tmp:
        text = report(collect(args.quick, Path(tmp)))
    if args.output:
        Path(args.output).write_text(text, "utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
