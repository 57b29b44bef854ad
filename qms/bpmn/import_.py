"""BPMN 2.0 files (bpmn.io, Camunda Modeler, Signavio, qms itself) -> process YAML.

Parsing goes through defusedxml with DTDs forbidden: a BPMN file never needs one, and refusing
them stops entity-expansion bombs and external entities (XXE) before any expansion happens.

Mapping (docs/bpmn.md):
- start / end / intermediate events -> start / end / event; every task type -> task;
  call activity -> subprocess with `call`; an embedded sub-process -> subprocess whose inner
  flow becomes a process of its own (`call` points to it).
- exclusive, inclusive, complex and event-based gateways with several outgoing flows ->
  decision (branch labels from the flows' names; for an event-based gateway, from the events').
  A parallel gateway that forks right after a task or event is folded into that step (a step
  with several next steps is simultaneous work in the model); elsewhere it becomes a task
  with several next steps. Gateways with one outgoing flow (joins) disappear: their incoming
  flows go straight to the next step.
- lanes -> roles (the step's `role`); pools -> one process each; a pool without a process
  (a black box), message flows, boundary events, data objects, data stores, text annotations,
  associations and groups have no equivalent: each is reported with its id and skipped.

Each generated YAML text is parsed again and validated by the loader's own `build_document`
before `import_files` returns, so a caller that writes only on success never writes a file
that does not load.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qms.bpmn import MODEL_NS, QMS_NS
from qms.findings import Msg, make_text
from qms.model import ID_PATTERN

MAX_BYTES = 20 * 1024 * 1024

M = f"{{{MODEL_NS}}}"
Q = f"{{{QMS_NS}}}"

EVENTS = {
    "startEvent": "start",
    "endEvent": "end",
    "intermediateThrowEvent": "event",
    "intermediateCatchEvent": "event",
}
TASKS = {
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
}
SUBPROCESSES = {"subProcess", "adHocSubProcess", "transaction"}
CHOICE_GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "complexGateway", "eventBasedGateway"}
GATEWAYS = CHOICE_GATEWAYS | {"parallelGateway"}
QUIET = {"documentation", "extensionElements", "laneSet", "sequenceFlow", "ioSpecification"}
"""Children of a process that are either read elsewhere or carry nothing to keep."""
QMS_PREFIXES = ("StartEvent_", "EndEvent_", "Event_", "Task_", "Gateway_", "CallActivity_")

# --- messages --------------------------------------------------------------------------------

TOO_LARGE = Msg(
    en="{file}: the file is {size} bytes, more than the {limit} a BPMN import accepts",
    fi="{file}: tiedostossa on {size} tavua, enemmän kuin BPMN-tuonnin raja {limit}",
)
UNREADABLE = Msg(
    en="{file}: cannot read the file: {reason}", fi="{file}: tiedostoa ei voi lukea: {reason}"
)
NOT_REGULAR = Msg(
    en="{file}: not a regular file (a folder, pipe or device); give the path of a .bpmn file",
    fi="{file}: ei ole tavallinen tiedosto (kansio, putki tai laite); anna .bpmn-tiedoston polku",
)
UNKNOWN_ENCODING = Msg(
    en="{file}: the XML declaration names the encoding '{encoding}', which is not a known "
    "character encoding; save the file as UTF-8",
    fi="{file}: XML-esittely nimeää merkistökoodauksen '{encoding}', jota ei tunneta; tallenna "
    "tiedosto UTF-8-muodossa",
)
BAD_BYTES = Msg(
    en="{file}:{line}:{col}: the byte 0x{byte:02x} is not valid {encoding}, the encoding the "
    "file declares; save the file as UTF-8",
    fi="{file}:{line}:{col}: tavu 0x{byte:02x} ei kelpaa merkistössä {encoding}, jonka "
    "tiedosto ilmoittaa; tallenna tiedosto UTF-8-muodossa",
)
MALFORMED = Msg(
    en="{file}:{line}:{col}: not well-formed XML ({detail}); is this a BPMN file?",
    fi="{file}:{line}:{col}: XML ei ole hyvin muodostettua ({detail}); onko tämä BPMN-tiedosto?",
)
DTD_REFUSED = Msg(
    en="{file}: refused: the file declares a DTD or entities (<!DOCTYPE ...>). BPMN files have "
    "none, and entity declarations can expand into gigabytes (billion laughs) or read local "
    "files (external entities, XXE); remove the <!DOCTYPE> part",
    fi="{file}: hylätty: tiedostossa on DTD- tai entiteettimäärittely (<!DOCTYPE ...>). "
    "BPMN-tiedostoissa niitä ei ole, ja entiteetit voivat paisua gigatavuiksi (billion laughs) "
    "tai lukea paikallisia tiedostoja (ulkoiset entiteetit, XXE); poista <!DOCTYPE>-osa",
)
NOT_BPMN = Msg(
    en="{file}: not a BPMN 2.0 file: the root element is <{tag}>, expected <definitions> in "
    "the namespace " + MODEL_NS,
    fi="{file}: ei ole BPMN 2.0 -tiedosto: juurielementti on <{tag}>, odotettiin <definitions> "
    "nimiavaruudessa " + MODEL_NS,
)
NO_PROCESS = Msg(
    en="{file}: the file holds no process with flow elements; nothing to import",
    fi="{file}: tiedostossa ei ole prosessia, jossa olisi kulkuelementtejä; ei tuotavaa",
)
NO_ORGANISATION = Msg(
    en="{file}: which organisation owns the process? Give --organisation ORG (the id in its "
    "organisation.yaml)",
    fi="{file}: mikä organisaatio omistaa prosessin? Anna --organisation ORG (tunniste sen "
    "organisation.yaml-tiedostosta)",
)
BAD_ORGANISATION = Msg(
    en="--organisation {org}: not an id (letters a-z and A-Z, digits, '-', '_' and '.')",
    fi="--organisation {org}: ei kelpaa tunnisteeksi (kirjaimet a-z, A-Z, numerot, '-', '_', '.')",
)
INVALID = Msg(
    en="{file}: the process {pid} made from it does not validate: {detail}",
    fi="{file}: siitä tehty prosessi {pid} ei ole mallin mukainen: {detail}",
)
DUPLICATE = Msg(
    en="{file}: process {pid} is also made from {other}; import them separately or rename one",
    fi="{file}: prosessi {pid} tehdään myös tiedostosta {other}; tuo ne erikseen tai nimeä "
    "toinen uudelleen",
)
TOO_DEEP = Msg(
    en="{file}: sub-processes are nested too deeply to import",
    fi="{file}: aliprosessit ovat liian monitasoisesti sisäkkäin tuotaviksi",
)
DUPLICATE_ID = Msg(
    en="{file}: the id {id} is given to more than one element ({elements}); BPMN ids must be "
    "unique, and the flows that name it cannot be told apart; rename all but one",
    fi="{file}: tunniste {id} on useammalla elementillä ({elements}); BPMN-tunnisteiden on "
    "oltava yksilöllisiä, eikä niihin viittaavia vuita voi erottaa; nimeä muut uudelleen",
)
SELF_LOOP = Msg(
    en="sequence flow {id} leads from {step} straight back to it; it is kept, and "
    "`qms validate` reports it (QMS113)",
    fi="sekvenssivuo {id} johtaa kohteesta {step} suoraan takaisin siihen; se säilytetään, ja "
    "`qms validate` ilmoittaa siitä (QMS113)",
)
SKIPPED = Msg(
    en="{what} {id} has no equivalent in a qms process and is skipped",
    fi="{what} {id} ei vastaa mitään qms-prosessin osaa, joten se ohitetaan",
)
SKIPPED_POOL = Msg(
    en="pool {id} ({name}) has no process of its own (a black box) and is skipped",
    fi="allas {id} ({name}) ei sisällä omaa prosessia (musta laatikko), joten se ohitetaan",
)
TRIGGER_DROPPED = Msg(
    en="the trigger {what} of {id} is not kept: qms events have no triggers",
    fi="kohteen {id} laukaisin {what} ei säily: qms-tapahtumilla ei ole laukaisimia",
)
FLOW_DROPPED = Msg(
    en="sequence flow {id} leaves or enters a skipped element and is dropped",
    fi="sekvenssivuo {id} alkaa tai päättyy ohitettuun elementtiin, joten se jätetään pois",
)
INNER_PROCESS = Msg(
    en="the inner flow of sub-process {id} becomes process {pid}",
    fi="aliprosessin {id} sisäinen kulku tuodaan prosessiksi {pid}",
)
PARALLEL_TASK = Msg(
    en="parallel gateway {id} follows a gateway and becomes a task with several next steps",
    fi="rinnakkaisuusliitos {id} seuraa toista liitosta, joten siitä tulee tehtävä, jolla on "
    "useita seuraavia vaiheita",
)
ROLES = Msg(
    en="declare the roles {roles} in the organisation's organisation.yaml",
    fi="määrittele roolit {roles} organisaation organisation.yaml-tiedostossa",
)


class BpmnImportError(Exception):
    """A file that cannot be imported; `text` holds the message by language."""

    def __init__(self, text: dict[str, str]) -> None:
        super().__init__(text.get("en", ""))
        self.text = text


@dataclass(frozen=True)
class Note:
    """Something the import reports without failing: a skipped element, a dropped trigger."""

    file: str
    element: str
    text: dict[str, str]
    severity: str = "warning"


@dataclass
class Imported:
    """The result of an import: file name -> YAML text, and what was reported."""

    files: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


# --- parsing ---------------------------------------------------------------------------------


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_UNMARKED = (  # XML 1.0 appendix F: the first four bytes of '<?xm' in each family
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)
_DECLARED = re.compile(r"""^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1""")
_NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"}


def to_utf8(data: bytes, file: str) -> bytes:
    """The document in UTF-8, decoded from whatever encoding it declares (or its byte-order
    mark shows), with the declaration rewritten to match; expat alone reads only UTF-8,
    UTF-16, ISO-8859-1 and US-ASCII, and gives up on multi-byte encodings such as Shift_JIS.
    An unknown encoding or a byte that is not valid in it is refused with a message."""
    import codecs

    family = next((enc for bom, enc in _BOMS if data.startswith(bom)), "")
    family = family or next((enc for head, enc in _UNMARKED if data.startswith(head)), "")
    head = data[:1024].decode(family or "utf-8", errors="replace").lstrip("\ufeff")
    declared = _DECLARED.match(head)
    name = declared.group(2) if declared else ""
    encoding = family if family.startswith("utf-") else (name or family or "utf-8")
    try:
        info = codecs.lookup(encoding)
        if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
            raise LookupError(encoding)
    except LookupError as error:
        raise BpmnImportError(make_text(UNKNOWN_ENCODING, file=file, encoding=encoding)) from error
    if info.name == "utf-8":
        return data  # expat reads it and reports a bad byte where it is
    try:
        text = data.decode(info.name)
    except UnicodeDecodeError as error:
        before = data[: error.start].decode(info.name, errors="replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        raise BpmnImportError(
            make_text(
                BAD_BYTES,
                file=file,
                line=line,
                col=col,
                byte=data[error.start],
                encoding=name or encoding,
            )
        ) from error
    text = text.lstrip("\ufeff")
    found = _DECLARED.match(text)
    if found:
        text = text[: found.start(2)] + "UTF-8" + text[found.end(2) :]
    return text.encode("utf-8")


def parse_xml(data: bytes, file: str) -> ET.Element:
    """Parse with DTDs, entities and external references forbidden."""
    import defusedxml  # type: ignore[import-untyped]
    import defusedxml.ElementTree as safe_et  # type: ignore[import-untyped]

    try:
        root: ET.Element = safe_et.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as error:
        raise BpmnImportError(make_text(DTD_REFUSED, file=file)) from error
    except ET.ParseError as error:
        line, col = error.position
        detail = str(error).split(":")[0]
        raise BpmnImportError(
            make_text(MALFORMED, file=file, line=line, col=col + 1, detail=detail)
        ) from error
    return root


def local(tag: str) -> str:
    """The local name of a namespaced tag: {ns}task -> task."""
    return tag.rsplit("}", 1)[-1]


def slug(value: str, fallback: str = "step") -> str:
    """A model id from a name: ASCII lower case, digits and '-'.

    >>> slug("Hyväksytäänkö talousarvio?")
    'hyvaksytaanko-talousarvio'
    >>> slug("Activity_0x1ybz3")
    'activity_0x1ybz3'
    """
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9_]+", "-", ascii_.lower()).strip("-_")
    out = re.sub(r"-{2,}", "-", out)[:48].strip("-_")
    return out or fallback


class _Taken(set[str]):
    """Ids already given, and the next suffix to try for each base, so that 20,000 steps with
    the same name take linear time, not quadratic."""

    def __init__(self, given: set[str] | None = None) -> None:
        super().__init__(given or ())
        self.suffix: dict[str, int] = {}


def _unique(base: str, taken: set[str]) -> str:
    counters = taken.suffix if isinstance(taken, _Taken) else {}
    candidate, n = base, counters.get(base, 2)
    if candidate in taken:
        candidate = f"{base}-{n}"
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        counters[base] = n + 1
    taken.add(candidate)
    return candidate


def _doc(el: ET.Element) -> str:
    return "\n".join((d.text or "").strip() for d in el.findall(f"{M}documentation")).strip()


def _example(el: ET.Element) -> bool | dict[str, str] | None:
    """A qms export's own `example` mark (attributes example, exampleReason), or None."""
    flag = el.get("example")
    if flag not in ("true", "false"):
        return None
    reason = (el.get("exampleReason") or "").strip()
    return {"reason": reason} if flag == "true" and reason else flag == "true"


def _qms(el: ET.Element, tag: str) -> ET.Element | None:
    ext = el.find(f"{M}extensionElements")
    return ext.find(f"{Q}{tag}") if ext is not None else None


# --- conversion ------------------------------------------------------------------------------


@dataclass
class _Context:
    file: str
    organisation: str
    from_qms: bool
    lanes: dict[str, tuple[str, str]]
    """Flow node id -> (role id, lane name)."""
    notes: list[Note]
    processes: list[dict[str, Any]]
    taken_pids: set[str]
    called: dict[str, str]
    """BPMN process id -> imported process id (for call activities)."""
    roles: dict[str, str] = field(default_factory=dict)

    def note(self, element: str, msg: Msg, severity: str = "warning", **params: Any) -> None:
        self.notes.append(Note(self.file, element, make_text(msg, **params), severity))


def _lane_map(process: ET.Element, ctx: _Context) -> dict[str, tuple[str, str]]:
    """Every flow node's leaf lane as (role id, lane name)."""
    found: dict[str, tuple[str, str]] = {}
    taken: set[str] = _Taken()

    def walk(lane_set: ET.Element) -> None:
        for lane in lane_set.findall(f"{M}lane"):
            children = lane.findall(f"{M}childLaneSet")
            lid = lane.get("id", "")
            name = (lane.get("name") or "").strip()
            if ctx.from_qms and lid.startswith("Lane_"):
                role = "" if lid == "Lane__none" else lid[len("Lane_") :]
            else:
                role = _unique(slug(name or lid, "role"), taken)
            for ref in lane.findall(f"{M}flowNodeRef"):
                node = (ref.text or "").strip()
                if node and not any(c.find(f"{M}lane") is not None for c in children):
                    found.setdefault(node, (role, name))
            for child in children:
                walk(child)

    for lane_set in process.findall(f"{M}laneSet"):
        walk(lane_set)
    return found


def _convert_container(
    container: ET.Element, pid: str, name: str, meta: dict[str, Any], ctx: _Context
) -> None:
    """One process (or an embedded sub-process) -> one process dict in ctx.processes."""
    elements: dict[str, ET.Element] = {}
    flows: list[ET.Element] = []
    for child in container:
        tag = local(child.tag)
        eid = child.get("id", "")
        if child.tag.startswith(M) and tag == "sequenceFlow":
            flows.append(child)
        elif child.tag.startswith(M) and (
            tag in EVENTS
            or tag in TASKS
            or tag in SUBPROCESSES
            or tag in GATEWAYS
            or tag == "callActivity"
        ):
            elements[eid] = child
        elif child.tag.startswith(M) and tag not in QUIET:
            ctx.note(eid, SKIPPED, what=f"bpmn:{tag}", id=eid or "?")
    out_flows: dict[str, list[ET.Element]] = {}
    in_flows: dict[str, list[ET.Element]] = {}
    for f in flows:
        src, dst = f.get("sourceRef", ""), f.get("targetRef", "")
        if src not in elements or dst not in elements:
            ctx.note(f.get("id", ""), FLOW_DROPPED, id=f.get("id", "?"))
            continue
        out_flows.setdefault(src, []).append(f)
        in_flows.setdefault(dst, []).append(f)

    def is_gateway(eid: str) -> bool:
        return local(elements[eid].tag) in GATEWAYS

    # Which gateways stay as steps, which are folded away.
    kept: dict[str, str] = {}
    for eid, el in elements.items():
        tag = local(el.tag)
        outs = out_flows.get(eid, [])
        if tag in CHOICE_GATEWAYS:
            if len(outs) > 1:
                kept[eid] = "decision"
        elif tag == "parallelGateway":
            preds = [f.get("sourceRef", "") for f in in_flows.get(eid, [])]
            if len(outs) > 1 and (not preds or any(is_gateway(p) for p in preds)):
                kept[eid] = "task"
                ctx.note(eid, PARALLEL_TASK, "info", id=eid)
        elif tag in EVENTS:
            kept[eid] = EVENTS[tag]
            for d in el:
                if local(d.tag).endswith("EventDefinition"):
                    what = f"bpmn:{local(d.tag)}"
                    ctx.note(eid, TRIGGER_DROPPED, "info", what=what, id=eid)
        elif tag in TASKS:
            kept[eid] = "task"
        else:
            kept[eid] = "subprocess"
        for child in el:
            ctag = local(child.tag)
            if ctag in ("dataInputAssociation", "dataOutputAssociation"):
                ctx.note(
                    child.get("id", eid), SKIPPED, what=f"bpmn:{ctag}", id=child.get("id", eid)
                )

    # Step ids.
    ids: dict[str, str] = {}
    taken: set[str] = _Taken()
    for eid in kept:
        el = elements[eid]
        step_meta = _qms(el, "step")
        sid = step_meta.get("id", "") if step_meta is not None else ""
        if not re.match(ID_PATTERN, sid):
            stripped = next((eid[len(p) :] for p in QMS_PREFIXES if eid.startswith(p)), "")
            if ctx.from_qms and re.match(ID_PATTERN, stripped):
                sid = stripped
            else:
                sid = slug(el.get("name") or eid)
        ids[eid] = _unique(sid[:60], taken)

    through = _through_folded(elements, kept, ids, out_flows)

    def targets(flow: ET.Element) -> list[tuple[str, str]]:
        dst = flow.get("targetRef", "")
        label = (flow.get("name") or "").strip()
        if dst in kept:
            return [(ids[dst], label)]
        return [(to, label or own) for to, own in through.get(dst, {}).items()]

    steps: dict[str, dict[str, Any]] = {}
    for eid, kind in kept.items():
        el = elements[eid]
        tag = local(el.tag)
        step_meta = _qms(el, "step")
        step: dict[str, Any] = {"id": ids[eid], "kind": kind}
        step["name"] = (el.get("name") or "").strip() or ids[eid]
        role, lane_name = ctx.lanes.get(eid, ("", ""))
        if role:
            step["role"] = role
            ctx.roles.setdefault(role, lane_name)
        nexts: dict[str, str] = {}
        for f in out_flows.get(eid, []):
            for to, label in targets(f):
                if tag == "eventBasedGateway" and not label:
                    dst = f.get("targetRef", "")
                    label = (elements[dst].get("name") or "").strip() if dst in elements else ""
                if to == ids[eid] and to not in nexts:
                    ctx.note(f.get("id", ""), SELF_LOOP, id=f.get("id", "?"), step=eid)
                nexts.setdefault(to, label)
        if nexts:
            step["next"] = _next_value(list(nexts.items()), kind)
        if tag == "callActivity":
            call = step_meta.get("call", "") if step_meta is not None else ""
            called = el.get("calledElement", "")
            call = call or ctx.called.get(called, "") or (slug(called, "") if called else "")
            if call:
                step["call"] = call
        elif tag in SUBPROCESSES and any(
            local(c.tag) in GATEWAYS | TASKS | set(EVENTS) for c in el
        ):
            inner = _unique(slug(f"{pid}-{step['name']}", "subprocess"), ctx.taken_pids)
            ctx.note(eid, INNER_PROCESS, "info", id=eid, pid=inner)
            _convert_container(el, inner, step["name"], {}, ctx)
            step["call"] = inner
        description = ""
        if step_meta is not None:
            desc = step_meta.find(f"{Q}description")
            description = (desc.text or "").strip() if desc is not None else ""
            refs = [r.get("ref", "") for r in step_meta.findall(f"{Q}document")]
            if docs := [r for r in refs if re.match(ID_PATTERN, r)]:
                step["documents"] = docs
            texts = [(o.text or "").strip() for o in step_meta.findall(f"{Q}output")]
            if produced := [t for t in texts if t]:
                step["outputs"] = produced
            if (mark := _example(step_meta)) is not None:
                step["example"] = mark
        elif _doc(el):
            description = _doc(el)
        if description:
            step["description"] = description
        steps[eid] = step

    # A qms export lists steps in the model's order; other files in whatever order they were
    # drawn: breadth-first from the starts, then the rest in document order.
    order: dict[str, None] = dict.fromkeys(steps) if ctx.from_qms else {}
    by_sid = {s["id"]: eid for eid, s in steps.items()}
    queue = deque(eid for eid, s in steps.items() if s["kind"] == "start")
    unvisited = iter(steps)
    while queue or len(order) < len(steps):
        if not queue:
            queue.append(next(e for e in unvisited if e not in order))
        cur = queue.popleft()
        if cur in order:
            continue
        order[cur] = None
        for to in _next_ids(steps[cur].get("next")):
            if by_sid.get(to) and by_sid[to] not in order:
                queue.append(by_sid[to])

    doc: dict[str, Any] = {"kind": "process", "id": pid, "organisation": ctx.organisation}
    doc["name"] = name or pid
    for key in ("type", "level", "owner", "purpose", "description", "realizes", "influences"):
        if meta.get(key):
            doc[key] = meta[key]
    for key in ("metrics", "documents"):
        if meta.get(key):
            doc[key] = meta[key]
    for key in ("status", "version"):
        if meta.get(key):
            doc[key] = meta[key]
    if "example" in meta:
        doc["example"] = meta["example"]
    doc["steps"] = [steps[eid] for eid in order]
    ctx.processes.append(doc)


def _through_folded(
    elements: dict[str, ET.Element],
    kept: dict[str, str],
    ids: dict[str, str],
    out_flows: dict[str, list[ET.Element]],
) -> dict[str, dict[str, str]]:
    """For every folded gateway: the steps its flows reach through folded gateways, each with
    the name of the first named flow on the way (step id -> label, in flow order).

    Computed once per gateway over the condensation of the folded gateways' graph (a cycle of
    joins is one node), so a chain or a web of n joins costs O(n + flows), where following
    every path from every step took exponential time on a web of parallel joins."""
    import networkx as nx

    folded = nx.DiGraph()
    folded.add_nodes_from(e for e in elements if e not in kept)
    for src in folded.nodes:
        for f in out_flows.get(src, []):
            dst = f.get("targetRef", "")
            if dst in folded:
                folded.add_edge(src, dst)
    dag = nx.condensation(folded)
    member = dag.graph["mapping"]
    position = {eid: i for i, eid in enumerate(elements)}
    reach: dict[int, dict[str, str]] = {}
    for node in reversed(list(nx.topological_sort(dag))):
        found: dict[str, str] = {}
        for src in sorted(dag.nodes[node]["members"], key=position.__getitem__):
            for f in out_flows.get(src, []):
                dst = f.get("targetRef", "")
                label = (f.get("name") or "").strip()
                if dst in kept:
                    found.setdefault(ids[dst], label)
                elif member[dst] != node:
                    for to, own in reach[member[dst]].items():
                        found.setdefault(to, label or own)
        reach[node] = found
    return {gateway: reach[member[gateway]] for gateway in folded.nodes}


def _next_value(nexts: list[tuple[str, str]], kind: str) -> Any:
    labels = [label for _, label in nexts]
    if kind == "decision" and all(labels) and len(set(labels)) == len(labels):
        return {label: to for to, label in nexts}
    if not any(labels):
        return [to for to, _ in nexts]
    return [{"to": to, "label": label} if label else to for to, label in nexts]


def _next_ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    if isinstance(value, list):
        return [v if isinstance(v, str) else str(v["to"]) for v in value]
    return []


def _meta(process: ET.Element) -> dict[str, Any]:
    """The QMS metadata a qms export carries in its extension element, or documentation."""
    meta: dict[str, Any] = {}
    el = _qms(process, "process")
    if el is None:
        if _doc(process):
            meta["description"] = _doc(process)
        return meta
    for key in ("id", "organisation", "type", "owner", "status", "version"):
        if el.get(key):
            meta[key] = el.get(key)
    if (mark := _example(el)) is not None:
        meta["example"] = mark
    level = el.get("level", "")
    if level.isdigit():
        meta["level"] = int(level)
    purpose = el.find(f"{Q}purpose")
    if purpose is not None and (purpose.text or "").strip():
        meta["purpose"] = (purpose.text or "").strip()
    meta["realizes"] = [g.get("goal", "") for g in el.findall(f"{Q}realizes") if g.get("goal")]
    meta["influences"] = [g.get("goal", "") for g in el.findall(f"{Q}influences") if g.get("goal")]
    meta["metrics"] = [m.get("ref", "") for m in el.findall(f"{Q}metric") if m.get("ref")]
    meta["documents"] = [
        {k: d.get(k) for k in ("id", "name", "version", "link", "owner") if d.get(k)}
        for d in el.findall(f"{Q}document")
        if re.match(ID_PATTERN, d.get("id", "")) and d.get("name")
    ]
    return meta


def convert(
    root: ET.Element, file: str, organisation: str | None, taken_pids: set[str] | None = None
) -> tuple[list[dict[str, Any]], list[Note]]:
    """A parsed BPMN document -> process dicts (not yet validated) and notes."""
    if root.tag != f"{M}definitions":
        raise BpmnImportError(make_text(NOT_BPMN, file=file, tag=local(root.tag)))
    notes: list[Note] = []
    from_qms = root.get("exporter") == "qms"
    pool_names: dict[str, str] = {}
    for collab in root.findall(f"{M}collaboration"):
        for part in collab.findall(f"{M}participant"):
            ref = part.get("processRef")
            if ref:
                pool_names[ref] = (part.get("name") or "").strip()
            else:
                notes.append(
                    Note(
                        file,
                        part.get("id", ""),
                        make_text(
                            SKIPPED_POOL, id=part.get("id", "?"), name=part.get("name") or "—"
                        ),
                    )
                )
        for child in collab:
            if local(child.tag) not in ("participant", "documentation", "extensionElements"):
                cid = child.get("id", "?")
                notes.append(
                    Note(file, cid, make_text(SKIPPED, what=f"bpmn:{local(child.tag)}", id=cid))
                )
    processes = [
        p
        for p in root.findall(f"{M}process")
        if any(local(c.tag) not in QUIET and c.tag.startswith(M) for c in p)
    ]
    if not processes:
        raise BpmnImportError(make_text(NO_PROCESS, file=file))
    taken = _Taken(taken_pids)
    planned: list[tuple[ET.Element, str, str, dict[str, Any]]] = []
    called: dict[str, str] = {}
    for process in processes:
        meta = _meta(process)
        org = organisation or meta.get("organisation")
        if not org:
            raise BpmnImportError(make_text(NO_ORGANISATION, file=file))
        name = pool_names.get(process.get("id", "")) or (process.get("name") or "").strip()
        base = meta.get("id") if re.match(ID_PATTERN, meta.get("id", "")) else None
        pid = _unique(base or slug(name or process.get("id", ""), "process"), taken)
        called[process.get("id", "")] = pid
        planned.append((process, pid, name, meta))
    results: list[dict[str, Any]] = []
    for process, pid, name, meta in planned:
        org = organisation or meta["organisation"]
        ctx = _Context(file, org, from_qms, {}, notes, results, taken, called)
        ctx.lanes = _lane_map(process, ctx)
        _convert_container(process, pid, name, meta, ctx)
        undeclared = sorted(r for r in ctx.roles if r)
        if undeclared and not from_qms:
            roles = ", ".join(f"{r} ({ctx.roles[r]})" for r in undeclared)
            notes.append(Note(file, pid, make_text(ROLES, roles=roles), "info"))
    return results, notes


ORDER = (
    "kind",
    "id",
    "organisation",
    "name",
    "type",
    "level",
    "owner",
    "purpose",
    "description",
    "realizes",
    "influences",
    "metrics",
    "documents",
    "status",
    "version",
    "example",
    "steps",
)
STEP_ORDER = (
    "id",
    "kind",
    "name",
    "role",
    "next",
    "call",
    "documents",
    "outputs",
    "description",
    "example",
)


def to_yaml(doc: dict[str, Any], source: str) -> str:
    """The process as YAML: `kind` first, keys in a fixed order, steps in flow order."""
    ordered = {k: doc[k] for k in ORDER if k in doc}
    ordered["steps"] = [{k: s[k] for k in STEP_ORDER if k in s} for s in doc.get("steps", [])]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump(ordered, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"# Imported from {Path(source).name} by `qms import bpmn`.\n{body}"


def validate_yaml(content: str, rel: str) -> list[str]:
    """Messages of the loader's own reading and schema validation, on the very bytes that
    would be written (size, depth, syntax, schema): empty when the file loads."""
    from qms.load import SourceMap, build_document, parse_file

    sources = SourceMap()
    data, findings = parse_file(Path("."), rel, sources, raw=content.encode("utf-8"))
    if data is not None and not findings:
        doc, findings = build_document(data, rel, sources)
    else:
        doc = None
    problems = [f"{f.keypath}: {f.text['en']}" if f.keypath else f.text["en"] for f in findings]
    if doc is None and not problems:
        problems.append("not loadable")
    return problems


def read_bpmn(path: str) -> bytes:
    """The bytes of one BPMN file: a regular file of at most MAX_BYTES (a FIFO or a device such
    as /dev/zero is refused before reading, and reading stops one byte past the limit)."""
    import stat

    try:
        info = Path(path).stat()
        if not stat.S_ISREG(info.st_mode):
            raise BpmnImportError(make_text(NOT_REGULAR, file=path))
        if info.st_size > MAX_BYTES:
            raise BpmnImportError(
                make_text(TOO_LARGE, file=path, size=info.st_size, limit=MAX_BYTES)
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise BpmnImportError(make_text(UNREADABLE, file=path, reason=reason)) from error
    if len(data) > MAX_BYTES:
        raise BpmnImportError(make_text(TOO_LARGE, file=path, size=len(data), limit=MAX_BYTES))
    return data


def check_ids(root: ET.Element, file: str) -> None:
    """Refuse a file in which two BPMN elements share an id: a flow naming it could mean
    either, and guessing would import a different process than the one drawn."""
    seen: dict[str, list[ET.Element]] = {}
    for el in root.iter():
        eid = el.get("id")
        if eid and isinstance(el.tag, str) and el.tag.startswith(M):
            seen.setdefault(eid, []).append(el)
    for eid, els in seen.items():
        if len(els) > 1:
            shown = ", ".join(
                f"bpmn:{local(e.tag)}" + (f" '{e.get('name')}'" if e.get("name") else "")
                for e in els[:5]
            )
            raise BpmnImportError(make_text(DUPLICATE_ID, file=file, id=eid, elements=shown))


def import_files(paths: list[str], organisation: str | None = None) -> Imported:
    """Convert every file; raise BpmnImportError on the first one that cannot be imported."""
    if organisation is not None and not re.match(ID_PATTERN, organisation):
        raise BpmnImportError(make_text(BAD_ORGANISATION, org=organisation))
    result = Imported()
    origin: dict[str, str] = {}
    for path in paths:
        shown = str(path)
        root = parse_xml(to_utf8(read_bpmn(shown), shown), shown)
        check_ids(root, shown)
        try:
            docs, notes = convert(root, shown, organisation)
        except RecursionError as error:
            raise BpmnImportError(make_text(TOO_DEEP, file=shown)) from error
        result.notes.extend(notes)
        for doc in docs:
            name = f"{doc['id']}.yaml"
            if name in origin:
                raise BpmnImportError(
                    make_text(DUPLICATE, file=shown, pid=doc["id"], other=origin[name])
                )
            origin[name] = shown
            content = to_yaml(doc, shown)
            problems = validate_yaml(content, name)
            if problems:
                detail = "; ".join(problems[:5])
                raise BpmnImportError(make_text(INVALID, file=shown, pid=doc["id"], detail=detail))
            result.files[name] = content
    return result


EXISTS = Msg(
    en="{path} exists; add --force to overwrite it",
    fi="{path} on jo olemassa; korvaa se lisäämällä --force",
)
NOTHING_WRITTEN = Msg(en="nothing was written", fi="mitään ei kirjoitettu")
WRITE_FAILED = Msg(en="{path}: cannot write: {reason}", fi="{path}: ei voi kirjoittaa: {reason}")


def write_files(result: Imported, out: str, force: bool = False) -> list[str]:
    """Write every imported file into `out`, all or nothing: existing files are refused
    without `force`; every file is staged first, then all are swapped in, and a failure part
    way puts back the files already replaced (qms.files.replace_together)."""
    from qms.files import replace_together

    target = Path(out)
    existing = [name for name in sorted(result.files) if (target / name).exists()]
    if existing and not force:
        raise BpmnImportError(make_text(EXISTS, path=str(target / existing[0])))
    try:
        if target.exists() and not target.is_dir():
            raise NotADirectoryError(20, "not a folder")
        written = replace_together(
            {target / name: content.encode("utf-8") for name, content in result.files.items()}
        )
    except OSError as error:
        reason = error.strerror or str(error)
        raise BpmnImportError(make_text(WRITE_FAILED, path=out, reason=reason)) from error
    return [str(path) for path in written]
