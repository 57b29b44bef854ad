"""What one diagram shows: plain, sorted data picked from a Workspace and its Index.

Views know nothing of Graphviz: the renderers (qms/render/) turn them into DOT, and the later
exports (BPMN, HTML) can draw the same selection. Texts are already in the chosen language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from qms.example import Example, example_of
from qms.graph import border_hosts
from qms.index import Index, split_ref
from qms.load.salvage import salvaged_of
from qms.model import Organisation, Process, Step, Workspace, text

NO_ROLE = "—"
PROCESS_MAP = "_process-map"
"""The file stem of an organisation's process map beside its processes' diagrams. Generated
names start with '_', which model ids cannot: a process called `process-map` keeps its own
diagram (docs/diagrams.md)."""
"""The lane of steps that name no role."""
GOAL_MAP = "goal-map"
"""The goal map's file stem, at the top of the output folder."""

Coverage = Literal["covered", "committed", "uncovered"]
"""covered: something realizes it; committed: promised, nothing realizes it; uncovered: neither."""

LABELS = {
    "fi": {
        "owner": "Omistaja",
        "version": "Versio",
        "status": "Tila",
        "draft": "luonnos",
        "approved": "hyväksytty",
        "retired": "poistettu käytöstä",
        "management": "Johtamisprosessit",
        "core": "Ydinprosessit",
        "support": "Tukiprosessit",
        "customers": "Asiakkaat",
        "goals": "Tavoitteet",
        "covered": "toteutuu",
        "committed": "sitoutunut, ei toteuttajaa",
        "uncovered": "ei kattavuutta",
        "legend": "Selite",
        "example": "esimerkki",
        "example_badge": "ESIMERKKI",
        "example_steps": "katkoviivalla esimerkkivaiheet",
        "incomplete_badge": "PUUTTEELLINEN",
        "missing_unknown": "puuttuu (tuntematon vaihe)",
        "left_out_of_file": "osia jätetty pois tiedoston virheen vuoksi",
    },
    "en": {
        "owner": "Owner",
        "version": "Version",
        "status": "Status",
        "draft": "draft",
        "approved": "approved",
        "retired": "retired",
        "management": "Management processes",
        "core": "Core processes",
        "support": "Support processes",
        "customers": "Customers",
        "goals": "Goals",
        "covered": "covered",
        "committed": "committed, not covered",
        "uncovered": "not covered",
        "legend": "Legend",
        "example": "example",
        "example_badge": "EXAMPLE",
        "example_steps": "dashed: example steps",
        "incomplete_badge": "INCOMPLETE",
        "missing_unknown": "missing (unknown step)",
        "left_out_of_file": "parts left out for an error in the file",
    },
}


def label(key: str, lang: str) -> str:
    """A fixed diagram text in Finnish or English."""
    return LABELS["fi" if lang == "fi" else "en"][key]


NOUNS = {
    "actions": {
        "fi": {"one": "toimenpide", "other": "toimenpidettä"},
        "sv": {"one": "åtgärd", "other": "åtgärder"},
        "en": {"one": "action", "other": "actions"},
    },
    "metrics": {
        "fi": {"one": "mittari", "other": "mittaria"},
        "sv": {"one": "mätare", "other": "mätare"},
        "en": {"one": "metric", "other": "metrics"},
    },
    "flows": {
        "fi": {"one": "kulku", "other": "kulkua"},
        "sv": {"one": "flöde", "other": "flöden"},
        "en": {"one": "flow", "other": "flows"},
    },
    "subprocesses": {
        "fi": {"one": "osaprosessi", "other": "osaprosessia"},
        "sv": {"one": "delprocess", "other": "delprocesser"},
        "en": {"one": "sub-process", "other": "sub-processes"},
    },
}
"""Counted words of the diagrams, by CLDR plural category (qms.l10n picks the form)."""


def counted(key: str, count: int, lang: str) -> str:
    """`count` with the word in the right plural form: '1 toimenpide', '2 toimenpidettä'."""
    from qms.l10n import plural

    forms = NOUNS[key].get(lang) or NOUNS[key]["en"]
    return plural(count, lang, **forms)


def counted_marked(key: str, count: int, examples: int, lang: str) -> str:
    """`counted`, and how many of them are example content: a count on a diagram stands for
    things the reader does not see, so it carries their example mark for them.

    >>> counted_marked("actions", 3, 1, "fi")
    '3 toimenpidettä (1 esimerkki)'
    >>> counted_marked("metrics", 2, 2, "en")
    '2 metrics (example)'
    """
    shown = counted(key, count, lang)
    if examples and examples == count:
        return f"{shown} ({label('example', lang)})"
    return f"{shown} ({examples} {label('example', lang)})" if examples else shown


# --- process flow ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    """One symbol of a flow diagram."""

    id: str
    kind: str
    name: str
    lane: str
    href: str | None = None
    """For a subprocess: the called process's diagram, relative to this diagram's folder."""
    example: bool = False
    """The step is example content (its process is not): drawn with a dashed outline."""
    marker: str = ""
    """A symbol inside the shape: a gateway's type, an event's trigger, a loop (step_marker)."""
    dashed: bool = False
    """Drawn dashed: a boundary event that does not interrupt, an event sub-process."""


@dataclass(frozen=True)
class FlowEdge:
    """A flow between two steps, with the branch label of a decision."""

    source: str
    target: str
    label: str = ""
    attached: bool = False
    """From a step to the event on its border (`attached_to`): drawn dotted, not a flow."""


@dataclass(frozen=True)
class Lane:
    """A role's band: id and shown name."""

    id: str
    name: str


@dataclass(frozen=True)
class FlowView:
    """Everything a swimlane diagram of one process shows."""

    organisation: str
    process: str
    title: str
    owner: str
    version: str
    status: str
    lanes: tuple[Lane, ...]
    steps: tuple[StepView, ...]
    edges: tuple[FlowEdge, ...]
    lang: str = "fi"
    example: str = ""
    """The badge of a diagram that shows example content, e.g. 'ESIMERKKI: keksitty kulku'."""
    incomplete: str = ""
    """The badge of a diagram that cannot show all of its process, e.g. 'PUUTTEELLINEN: 1 kulku
    puuttuu (tuntematon vaihe)': a flow or a boundary event names a step the
    process does not have (QMS004), so the picture, copied alone, says it is short."""

    @property
    def name(self) -> str:
        """The diagram's file stem: <org>/<process>."""
        return f"{self.organisation}/{self.process}"


def diagram_href(from_org: str, org: str, pid: str, ext: str = "svg") -> str:
    """A relative link from a diagram in `from_org`'s folder to a process diagram.

    >>> diagram_href("redu", "redu", "talous")
    'talous.svg'
    >>> diagram_href("kao", "redu", "talous")
    '../redu/talous.svg'
    """
    return f"{pid}.{ext}" if org == from_org else f"../{org}/{pid}.{ext}"


GATEWAY_MARKS = {"parallel": "+", "inclusive": "○", "event-based": "◎", "complex": "✳"}
TRIGGER_MARKS = {
    "message": "✉",
    "timer": "◷",
    "signal": "△",
    "conditional": "≡",
    "escalation": "⇑",
    "error": "ϟ",
    "compensation": "«",
    "terminate": "●",
    "link": "→",
    "cancel": "✕",
    "multiple": "✱",
    "parallel-multiple": "✚",
}
LOOP_MARKS = {"standard": "↻", "parallel": "|||", "sequential": "≡"}


def step_marker(step: Step) -> str:
    """The symbol drawn inside a step's shape, as BPMN draws it (DejaVu Sans has them all).

    >>> step_marker(Step(id="a", name="A", kind="parallel"))
    '+'
    >>> step_marker(Step(id="a", name="A", kind="event", trigger="timer"))
    '◷'
    """
    if step.kind in GATEWAY_MARKS:
        return GATEWAY_MARKS[step.kind]
    if step.trigger:
        return TRIGGER_MARKS.get(step.trigger, "")
    return LOOP_MARKS.get(step.loop or "", "")


def flow_view(index: Index, process: Process, lang: str) -> FlowView:
    """The swimlane view of a process: lanes in the organisation's role order.

    Roles the organisation does not declare follow in order of first appearance, and steps
    without a role share the lane "—", so that no step is ever dropped. An event on a task's
    or subprocess's border is in its host's lane (it is drawn on the host, and a lane of its
    own would stand empty).
    """
    org_id = process.organisation
    org = index.organisations.get(org_id)
    declared = [r.id for r in org.roles] if org else []
    hosts = border_hosts(process)

    def lane_of(step: Step) -> str:
        return (hosts[step.id].role if step.id in hosts else step.role) or NO_ROLE

    used: list[str] = []
    for step in process.steps:
        lane = lane_of(step)
        if lane not in used:
            used.append(lane)
    order = [r for r in declared if r in used] + [r for r in used if r not in declared]

    def role_name(rid: str | None) -> str:
        if rid is None or rid == NO_ROLE:
            return NO_ROLE
        located = index.roles.get((org_id, rid))
        return text(located.item.name, lang) if located else rid

    lanes = tuple(Lane(rid, role_name(rid)) for rid in order)
    chain = (index.workspace.settings, org, process)
    whole = example_of(*chain)
    ids = {s.id for s in process.steps}
    steps: list[StepView] = []
    edges: list[FlowEdge] = []
    seen_steps: set[str] = set()
    missing = 0  # flows and borders that name a step the process does not have
    for step in process.steps:
        if step.id in seen_steps:
            continue  # QMS003 reports duplicates; the first definition wins
        seen_steps.add(step.id)
        missing += sum(1 for b in step.next if b.to not in ids)
        missing += bool(step.attached_to) and step.attached_to not in ids
        href = None
        if step.kind == "subprocess" and step.call:
            key = index.process_key(step.call, org_id)
            if key:
                href = diagram_href(org_id, *key)
        marked = not whole and example_of(*chain, step) is not None
        dashed = (bool(step.attached_to) and not step.interrupting) or step.triggered
        steps.append(
            StepView(
                step.id,
                step.kind,
                text(step.name, lang),
                lane_of(step),
                href,
                marked,
                step_marker(step),
                dashed,
            )
        )
        # One arrow per branch: two answers of a decision that lead to the same step are two
        # arrows, each with its own label; branches alike (same step, same label) are one.
        drawn: set[tuple[str, str]] = set()
        if step.attached_to in ids and step.attached_to != step.id:
            edges.append(FlowEdge(step.attached_to, step.id, "", attached=True))
        for branch in step.next:
            said = text(branch.label, lang)
            if branch.to in ids and (branch.to, said) not in drawn and branch.to != step.id:
                drawn.add((branch.to, said))
                edges.append(FlowEdge(step.id, branch.to, said))
    status = label(process.status, lang)
    return FlowView(
        organisation=org_id,
        process=process.id,
        title=text(process.name, lang),
        owner=role_name(process.owner) if process.owner else "",
        version=process.version or "",
        status=status,
        lanes=lanes,
        steps=tuple(steps),
        edges=tuple(sorted(edges, key=lambda e: (e.source, e.target))),
        lang=lang,
        example=example_badge(whole, any(s.example for s in steps), lang),
        incomplete=incomplete_badge(missing, lang, salvaged_of(process) is not None),
    )


def incomplete_badge(missing: int, lang: str, left_out: bool = False) -> str:
    """'PUUTTEELLINEN: 2 kulkua puuttuu (...)' when `missing` flows cannot be drawn, and/or
    when the loader left part of the process out (`left_out`: its salvage record, the same one
    that makes the model partial everywhere else), else ''.

    >>> incomplete_badge(1, "en")
    'INCOMPLETE: 1 flow missing (unknown step)'
    >>> incomplete_badge(0, "en", left_out=True)
    'INCOMPLETE: parts left out for an error in the file'
    >>> incomplete_badge(0, "fi")
    ''
    """
    said = [label("left_out_of_file", lang)] if left_out else []
    if missing:
        said.append(f"{counted('flows', missing, lang)} {label('missing_unknown', lang)}")
    return f"{label('incomplete_badge', lang)}: {'; '.join(said)}" if said else ""


def example_badge(whole: Example | None, some_steps: bool, lang: str) -> str:
    """'ESIMERKKI: reason' for an example process, or a note on its example steps.

    The reason is kept whole (the picture wraps it): a PNG copied alone into another document
    must still say why its content is an example."""
    if whole:
        reason = text(whole.reason, lang) if whole.reason else ""
        return label("example_badge", lang) + (f": {reason}" if reason else "")
    if some_steps:
        return f"{label('example_badge', lang)}: {label('example_steps', lang)}"
    return ""


# --- process map -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MapBox:
    """A process on the process map."""

    id: str
    name: str
    band: str
    href: str
    below: int = 0
    """Sub-processes of this one (by `parent`, at any depth) that have no box of their own."""
    below_examples: int = 0
    """How many of those are example content."""


@dataclass(frozen=True)
class ProcessMapView:
    """An organisation's process map: three bands, customers at both ends, hand-offs."""

    organisation: str
    title: str
    bands: tuple[tuple[str, tuple[MapBox, ...]], ...]
    """(band, boxes left to right) for management, core, support."""
    customers: tuple[str, ...]
    handoffs: tuple[tuple[str, str], ...]
    """(from process id, to process id), both inside the organisation."""
    lang: str = "fi"

    @property
    def name(self) -> str:
        """The diagram's file stem."""
        return f"{self.organisation}/{PROCESS_MAP}"


def _map_parents(index: Index, org: str, own: list[str], listed: set[str]) -> dict[str, str]:
    """Each undeclared sub-process's box on the map: its first ancestor (by `parent`) that is
    listed in `process_map` or has no parent in the organisation. A process whose parents go
    round in a circle keeps its own box, so that no process drops off the map."""
    mine = set(own)

    def parent_of(pid: str) -> str | None:
        parent = index.processes[(org, pid)].parent
        key = index.process_key(parent, org) if parent else None
        return key[1] if key and key[0] == org and key[1] in mine and key[1] != pid else None

    home: dict[str, str] = {}
    for pid in own:
        if pid in listed:
            continue
        seen, at = {pid}, parent_of(pid)
        while at is not None and at not in listed and (up := parent_of(at)) is not None:
            seen.add(at)
            at = None if up in seen else up
        if at is not None:
            home[pid] = at
    return home


def process_map_view(index: Index, org: Organisation, lang: str) -> ProcessMapView:
    """The process map of `org`: the declared order first, then undeclared processes by id.

    A process map shows main processes (JHS 152 level 1): an undeclared sub-process (its
    `parent` a process of the organisation) has no box of its own; its top ancestor's box
    counts it ("+3 osaprosessia", with how many are examples) and carries its hand-offs."""
    own = index.own_processes.get(org.id, [])
    pm = org.process_map
    declared = {
        "management": list(pm.management) if pm else [],
        "core": list(pm.core) if pm else [],
        "support": list(pm.support) if pm else [],
    }
    named = {
        band: [p for o, p in (split_ref(r, org.id) for r in refs) if o == org.id and p in own]
        for band, refs in declared.items()
    }
    listed = {p for pids in named.values() for p in pids}
    home = _map_parents(index, org.id, own, listed)
    below = Counter(home.values())
    settings = index.workspace.settings
    marked = Counter(
        top
        for pid, top in home.items()
        if example_of(settings, org, index.processes[(org.id, pid)]) is not None
    )
    placed: set[str] = set()
    bands: list[tuple[str, tuple[MapBox, ...]]] = []
    for band in ("management", "core", "support"):
        pids = list(named[band])
        pids += [
            p
            for p in own
            if index.processes[(org.id, p)].type == band and p not in listed and p not in home
        ]
        boxes = []
        for pid in pids:
            if pid in placed:
                continue
            placed.add(pid)
            proc = index.processes[(org.id, pid)]
            name = text(proc.name, lang)
            if example_of(settings, org, proc):
                name = f"{name} ({label('example', lang)})"
            href = diagram_href(org.id, org.id, pid)
            boxes.append(MapBox(pid, name, band, href, below[pid], marked[pid]))
        bands.append((band, tuple(boxes)))
    handoffs: set[tuple[str, str]] = set()
    for pid in own:
        proc = index.processes[(org.id, pid)]
        for out in proc.outputs:
            key = index.process_key(out.to, org.id) if out.to else None
            if key and key[0] == org.id:
                handoffs.add((home.get(pid, pid), home.get(key[1], key[1])))
        for inp in proc.inputs:
            key = index.process_key(inp.from_, org.id) if inp.from_ else None
            if key and key[0] == org.id:
                handoffs.add((home.get(key[1], key[1]), home.get(pid, pid)))
    customers = tuple(text(c, lang) for c in pm.customers) if pm else ()
    return ProcessMapView(
        organisation=org.id,
        title=text(org.name, lang),
        bands=tuple(bands),
        customers=customers,
        handoffs=tuple(sorted((a, b) for a, b in handoffs if a != b)),
        lang=lang,
    )


# --- goal map --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Realizer:
    """A process, plan action or metric of an organisation that realizes goals."""

    organisation: str
    kind: Literal["process", "action", "metric"]
    id: str
    name: str
    goals: tuple[str, ...]
    href: str | None = None
    example: bool = False
    """Example content (`example:`): the goal map says so next to its count."""


@dataclass(frozen=True)
class GoalView:
    """A goal with its overall coverage."""

    id: str
    name: str
    coverage: Coverage


@dataclass(frozen=True)
class GoalMapView:
    """The project's goals, who realizes them, and where commitments lack realization."""

    title: str
    goals: tuple[GoalView, ...]
    organisations: tuple[tuple[str, str], ...]
    """(id, short name) in file order."""
    realizers: tuple[Realizer, ...]
    gaps: tuple[tuple[str, str], ...]
    """(organisation, goal): committed but nothing of the organisation realizes it."""
    states: dict[tuple[str, str], Coverage] = field(default_factory=dict)
    """Coverage of every (organisation, goal)."""
    lang: str = "fi"
    name: str = GOAL_MAP


def realizers(index: Index, lang: str) -> list[Realizer]:
    """Every process, action and metric that realizes at least one known goal."""
    found: list[Realizer] = []

    def goals_of(refs: list[str]) -> tuple[str, ...]:
        ids = {index.goal_id(r) for r in refs}
        return tuple(sorted(g for g in ids if g))

    settings, orgs = index.workspace.settings, index.organisations
    for (org, pid), proc in sorted(index.processes.items()):
        goals = goals_of(list(proc.realizes))
        if goals:
            href = f"{org}/{pid}.svg"
            name = text(proc.name, lang)
            organisation = index.organisations.get(org)
            if example_of(index.workspace.settings, organisation, proc):
                name = f"{name} ({label('example', lang)})"
            found.append(Realizer(org, "process", pid, name, goals, href))
    for plan, _, action in index.actions():
        goals = goals_of(list(action.realizes))
        if goals:
            aid = f"{plan.id}#{action.id}"
            marked = example_of(settings, orgs.get(plan.organisation), plan, action) is not None
            found.append(
                Realizer(
                    plan.organisation, "action", aid, text(action.what, lang), goals, None, marked
                )
            )
    for doc, _, metric in index.metrics_docs():
        goals = goals_of(list(metric.realizes))
        if goals:
            name = text(metric.name, lang)
            marked = example_of(settings, orgs.get(doc.organisation), metric) is not None
            found.append(Realizer(doc.organisation, "metric", metric.id, name, goals, None, marked))
    return sorted(found, key=lambda r: (r.organisation, r.kind, r.id))


_DIAGRAM_STATE: dict[str, Coverage] = {
    "covered": "covered",
    "not-committed-but-contributes": "covered",
    "committed-not-covered": "committed",
    "none": "uncovered",
}
"""The goal map's three colours for the coverage matrix's four cell states."""


def coverage_states(ws: Workspace, index: Index) -> dict[tuple[str, str], Coverage]:
    """Coverage of each (organisation, goal): covered / committed / uncovered.

    Read from qms/coverage.py, the one computation behind `qms coverage` and QMS401-QMS404,
    so that the goal map can never disagree with the matrix.
    """
    from qms.coverage import coverage  # the goal map's alone: not imported to draw a flow

    matrix = coverage(ws, index)
    return {
        (cell.organisation, cell.goal): _DIAGRAM_STATE[cell.state]
        for row in matrix.cells
        for cell in row
    }


def goal_map_view(ws: Workspace, index: Index, lang: str) -> GoalMapView:
    """The goal map: a goal is covered when every committed organisation realizes it."""
    found = realizers(index, lang)
    states = coverage_states(ws, index)
    goals: list[GoalView] = []
    gaps: list[tuple[str, str]] = []
    orgs = tuple((o.id, o.short or o.id.upper()) for o in ws.members)
    title = text(ws.projects[0].name, lang) if ws.projects else text(ws.settings.name, lang)
    for project in ws.projects:
        for goal in project.goals:
            if any(g.id == goal.id for g in goals):
                continue
            per_org = [states.get((o, goal.id), "uncovered") for o, _ in orgs]
            org_gaps = [(o, goal.id) for o, _ in orgs if states.get((o, goal.id)) == "committed"]
            gaps.extend(org_gaps)
            state: Coverage
            if org_gaps:
                state = "committed"
            elif "covered" in per_org:
                state = "covered"
            else:
                state = "uncovered"
            goals.append(GoalView(goal.id, text(goal.name, lang), state))
    return GoalMapView(
        title=title,
        goals=tuple(goals),
        organisations=orgs,
        realizers=tuple(found),
        gaps=tuple(sorted(gaps)),
        states=states,
        lang=lang,
    )
