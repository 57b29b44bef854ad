"""A parsed BPMN document -> process dicts, keeping every construct's meaning or saying why not.

Each semantic element of the file is accounted for once in `Conversion.records` as kept (the
model has the same thing), converted (the model holds it in another form, said how) or dropped
(the model has no place for it, said why); `qms import bpmn` prints one table by kind from
them. The mapping is the table in docs/bpmn.md:

- every flow node is a step: events keep their trigger (and a timer's text), catch or throw,
  and whether they interrupt; boundary events sit on their step (`attached_to`) with their
  own path; gateways keep their type (`decision`, `parallel`, `inclusive`, `event-based`,
  `complex`), so joins stay explicit; tasks keep their type, loop and compensation markers;
- sequence flows are `next` branches with their name, condition and default mark;
- lanes are roles, pools are processes, black-box pools outside parties; message flows are
  hand-offs: an output of the sending process and an input of the receiving one, each with
  its step;
- data objects are documents of the process's register that the steps read (`documents`) or
  write (`produces`); data stores are the steps' information systems (`systems`);
- text annotations are notes of their step (or of the process); groups are phases with the
  steps drawn inside them;
- an embedded sub-process (also an event sub-process, `triggered: true`) becomes a process of
  its own that its step calls.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qms.bpmn import MODEL_NS, QMS_NS
from qms.findings import Msg, make_text
from qms.model import ID_PATTERN

M = f"{{{MODEL_NS}}}"
Q = f"{{{QMS_NS}}}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"

EVENTS = {
    "startEvent": "start",
    "endEvent": "end",
    "intermediateThrowEvent": "event",
    "intermediateCatchEvent": "event",
    "boundaryEvent": "event",
}
TASK_TYPES: dict[str, str | None] = {
    "task": None,
    "userTask": "user",
    "manualTask": "manual",
    "serviceTask": "service",
    "scriptTask": "script",
    "businessRuleTask": "business-rule",
    "sendTask": "send",
    "receiveTask": "receive",
}
GATEWAYS = {
    "exclusiveGateway": "decision",
    "parallelGateway": "parallel",
    "inclusiveGateway": "inclusive",
    "eventBasedGateway": "event-based",
    "complexGateway": "complex",
}
SUBPROCESSES = {"subProcess", "adHocSubProcess", "transaction"}
ACTIVITIES = set(TASK_TYPES) | SUBPROCESSES | {"callActivity"}
FLOW_NODES = set(EVENTS) | ACTIVITIES | set(GATEWAYS)
TRIGGERS = {
    "messageEventDefinition": "message",
    "timerEventDefinition": "timer",
    "signalEventDefinition": "signal",
    "conditionalEventDefinition": "conditional",
    "escalationEventDefinition": "escalation",
    "errorEventDefinition": "error",
    "compensateEventDefinition": "compensation",
    "terminateEventDefinition": "terminate",
    "linkEventDefinition": "link",
    "cancelEventDefinition": "cancel",
}
CATCHING = ("timer", "conditional", "link")
"""Triggers whose intermediate events catch unless the model says `catch: false`."""
TIMERS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}
LOOPS = ("standardLoopCharacteristics", "multiInstanceLoopCharacteristics")
ARTIFACTS = {
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "textAnnotation",
    "association",
    "group",
}
QUIET = {
    "documentation",
    "extensionElements",
    "laneSet",
    "ioSpecification",
    "property",
    "incoming",
    "outgoing",
    "dataInput",
    "dataOutput",
    "inputSet",
    "outputSet",
    "auditing",
    "monitoring",
    "supportedInterfaceRef",
    "conditionExpression",
    "completionCondition",
    "loopCondition",
    "text",
    "flowNodeRef",
    "childLaneSet",
}
"""Structural children that carry nothing of their own (or are read with their parent)."""
QMS_PREFIXES = ("StartEvent_", "EndEvent_", "Event_", "Task_", "Gateway_", "CallActivity_")

KEPT, CONVERTED, DROPPED = "kept", "converted", "dropped"

# --- how each kind is converted or why it is dropped (shown once per kind) ----------------

HOW: dict[str, Msg] = {
    "participant": Msg(
        en="a pool with a process becomes a process file",
        fi="allas, jossa on prosessi, tuodaan prosessitiedostoksi",
    ),
    "participant-blackbox": Msg(
        en="a pool without a process becomes the outside party of its hand-offs",
        fi="allas ilman prosessia tuodaan viestiensä ulkopuoliseksi osapuoleksi",
    ),
    "participant-unused": Msg(
        en="a pool without a process and without message flows says nothing to keep",
        fi="allas ilman prosessia ja viestivoita ei sisällä säilytettävää",
    ),
    "lane": Msg(
        en="a lane becomes the role of its steps", fi="kaista tuodaan vaiheidensa rooliksi"
    ),
    "lane-parent": Msg(
        en="a lane with sub-lanes is flattened into its sub-lanes' roles",
        fi="kaista, jossa on alikaistoja, litistetään alikaistojen rooleiksi",
    ),
    "lane-drawn": Msg(
        en="lanes that list no steps (no flowNodeRef): each step takes the lane its shape is "
        "drawn in",
        fi="kaistat eivät luettele vaiheita (ei flowNodeRef-viittauksia): kukin vaihe saa "
        "kaistan, johon sen kuvio on piirretty",
    ),
    "messageFlow": Msg(
        en="a message flow becomes an output of the sending process and an input of the "
        "receiving one, each with its step",
        fi="viestivuo tuodaan lähettävän prosessin tuotokseksi ja vastaanottavan syötteeksi, "
        "kumpikin vaiheineen",
    ),
    "messageFlow-lost": Msg(
        en="a message flow whose ends are not in any pool of the file",
        fi="viestivuo, jonka päät eivät ole missään tiedoston altaassa",
    ),
    "subProcess": Msg(
        en="the inner flow becomes a process of its own, which the step calls",
        fi="sisäinen kulku tuodaan omaksi prosessikseen, jota vaihe kutsuu",
    ),
    "transaction": Msg(
        en="a transaction becomes a subprocess; its transaction semantics (cancel, compensate "
        "as a whole) are not kept",
        fi="transaktio tuodaan aliprosessiksi; sen transaktiomerkitys ei säily",
    ),
    "adHocSubProcess": Msg(
        en="an ad-hoc sub-process becomes a subprocess whose steps run in flow order",
        fi="ad hoc -aliprosessi tuodaan aliprosessiksi, jonka vaiheet ovat kulun järjestyksessä",
    ),
    "callActivity-missing": Msg(
        en="the called process is not in the file: `call` is left out and a note names it "
        "(import that process and add `call`)",
        fi="kutsuttu prosessi ei ole tiedostossa: `call` jätetään pois ja huomautus nimeää sen "
        "(tuo se prosessi ja lisää `call`)",
    ),
    "callActivity-global": Msg(
        en="a call of a global task (a task defined once, not a process) becomes a subprocess "
        "without `call`, with a note naming the task",
        fi="globaalin tehtävän (kerran määritelty tehtävä, ei prosessi) kutsu tuodaan "
        "aliprosessiksi ilman `call`-kenttää, ja huomautus nimeää tehtävän",
    ),
    "dataObject": Msg(
        en="a data object becomes a document of the process's register",
        fi="tieto-objekti tuodaan prosessin asiakirjarekisterin asiakirjaksi",
    ),
    "dataObjectReference": Msg(
        en="the steps that read it list the document in `documents`, those that write it in "
        "`produces`",
        fi="sitä lukevat vaiheet luettelevat asiakirjan `documents`-kentässä, kirjoittavat "
        "`produces`-kentässä",
    ),
    "dataObjectReference-free": Msg(
        en="a data object no step reads or writes stays in the register only",
        fi="tieto-objekti, jota mikään vaihe ei lue eikä kirjoita, jää vain rekisteriin",
    ),
    "dataStoreReference": Msg(
        en="a data store becomes an information system (`systems`) of the steps that use it",
        fi="tietovarasto tuodaan sitä käyttävien vaiheiden tietojärjestelmäksi (`systems`)",
    ),
    "dataStoreReference-free": Msg(
        en="a data store no step uses becomes an information system of the process (`systems`)",
        fi="tietovarasto, jota mikään vaihe ei käytä, tuodaan prosessin tietojärjestelmäksi",
    ),
    "dataAssociation": Msg(
        en="a data association says which step reads or writes which document or system",
        fi="tietoyhteys kertoo, mikä vaihe lukee tai kirjoittaa minkä asiakirjan tai järjestelmän",
    ),
    "dataAssociation-other": Msg(
        en="a data association between inner data items (no data object or store) carries no "
        "document",
        fi="sisäisten tietokohteiden välinen tietoyhteys ei koske asiakirjaa",
    ),
    "textAnnotation": Msg(
        en="a text annotation becomes a note of the step it is attached to (else of the process)",
        fi="tekstihuomautus tuodaan liitetyn vaiheen (muuten prosessin) huomautukseksi",
    ),
    "association": Msg(
        en="an association attaches a note to its step, or a compensation to its activity",
        fi="assosiaatio liittää huomautuksen vaiheeseen tai hyvityksen tehtävään",
    ),
    "association-other": Msg(
        en="an association between other elements has no equivalent",
        fi="muiden elementtien välisellä assosiaatiolla ei ole vastinetta",
    ),
    "group": Msg(
        en="a group becomes a phase, with the steps drawn inside it",
        fi="ryhmä tuodaan vaiheistukseksi, johon kuuluvat sen sisään piirretyt vaiheet",
    ),
    "multiple": Msg(
        en="an event with several triggers keeps the trigger `multiple`; which ones is not kept",
        fi="tapahtuma, jolla on useita laukaisimia, saa laukaisimen `multiple`; mitkä, ei säily",
    ),
    "labelled": Msg(
        en="an unlabelled branch of a decision is labelled with the name of the step it leads "
        "to (the model needs every answer named)",
        fi="päätöksen nimetön haara nimetään vaiheen mukaan, johon se johtaa (mallissa "
        "jokaisella vastauksella on nimi)",
    ),
    "link-paired": Msg(
        en="the only unpaired throwing and catching link events of a flow are paired (their "
        "link names did not match)",
        fi="kulun ainoat parittomat heittävä ja vastaanottava linkkitapahtuma paritetaan "
        "(niiden linkkinimet eivät täsmänneet)",
    ),
    "qms-gateway": Msg(
        en="a join or fork that a qms export adds for bpmnlint folds back into the flow",
        fi="qms-viennin bpmnlintiä varten lisäämä yhdistys tai haarautuminen palautuu kulkuun",
    ),
    "catch-start": Msg(
        en="an intermediate catch event that no flow enters starts the flow: it becomes a "
        "start event with the same trigger",
        fi="välitapahtuma, johon mikään vuo ei tule, aloittaa kulun: siitä tulee "
        "aloitustapahtuma samalla laukaisimella",
    ),
    "implicit": Msg(
        en="a step that no flow enters starts with the process, a step that no flow leaves ends "
        "its path (BPMN's implicit start and end): the import draws the flow from the blank "
        "start event (added if there is none) and to an added end event",
        fi="vaihe, johon mikään vuo ei tule, alkaa prosessin alkaessa, ja vaihe, josta mikään "
        "vuo ei lähde, päättää polkunsa (BPMN:n implisiittinen alku ja loppu): tuonti piirtää "
        "vuon tyhjästä aloitustapahtumasta (lisätään, jos sitä ei ole) ja lisättyyn "
        "lopetustapahtumaan",
    ),
    "unknown": Msg(en="no equivalent in a qms process", fi="ei vastinetta qms-prosessissa"),
    "flow-dangling": Msg(
        en="a sequence flow whose source or target is not a flow node of the same process",
        fi="sekvenssivuo, jonka lähde tai kohde ei ole saman prosessin kulkuelementti",
    ),
    "named": Msg(
        en="an unnamed task or event is named by its id or trigger (bpmnlint and the diagrams "
        "need a label)",
        fi="nimetön tehtävä tai tapahtuma nimetään tunnisteensa tai laukaisimensa mukaan",
    ),
    "definition-unknown": Msg(
        en="an event definition reference (eventDefinitionRef) to nothing in the file",
        fi="tapahtumamäärittelyn viittaus (eventDefinitionRef), jota ei löydy tiedostosta",
    ),
}


@dataclass(frozen=True)
class Record:
    """How one element of the file came through the import."""

    file: str
    kind: str
    """The BPMN element, with an event's trigger: `intermediateCatchEvent (timer)`."""
    outcome: str
    """kept, converted or dropped."""
    id: str
    how: str = ""
    """The key of the HOW text that says how it was converted or why it was dropped."""


@dataclass
class Conversion:
    """Everything one file gave: process dicts (not yet validated) and the accounting."""

    processes: list[dict[str, Any]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    """Role id -> lane name, for every role the steps name."""
    missing_calls: dict[str, list[str]] = field(default_factory=dict)
    """calledElement -> the call activities that call it (not in the file)."""
    inner: dict[str, str] = field(default_factory=dict)
    """Sub-process element id -> the process id its inner flow became."""
    self_loops: list[tuple[str, str]] = field(default_factory=list)
    """(sequence flow id, step element id) of flows from a step straight back to it."""


def local(tag: str) -> str:
    """The local name of a namespaced tag: {ns}task -> task."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(el: ET.Element | None) -> str:
    return " ".join((el.text or "").split()) if el is not None else ""


def _doc(el: ET.Element) -> str:
    return "\n".join((d.text or "").strip() for d in el.findall(f"{M}documentation")).strip()


def example_mark(el: ET.Element) -> bool | dict[str, str] | None:
    """A qms export's own `example` mark (attributes example, exampleReason), or None."""
    flag = el.get("example")
    if flag not in ("true", "false"):
        return None
    reason = (el.get("exampleReason") or "").strip()
    return {"reason": reason} if flag == "true" and reason else flag == "true"


def _qms(el: ET.Element, tag: str) -> ET.Element | None:
    ext = el.find(f"{M}extensionElements")
    return ext.find(f"{Q}{tag}") if ext is not None else None


def _refs(el: ET.Element, tag: str) -> list[str]:
    return [(r.text or "").strip() for r in el.findall(f"{M}{tag}") if (r.text or "").strip()]


@dataclass
class _File:
    """What the whole definitions element offers every process."""

    file: str
    organisation: str
    from_qms: bool
    slugger: Callable[..., str]
    unique: Callable[[str, set[str]], str]
    conv: Conversion
    names: dict[str, str] = field(default_factory=dict)
    """Root-level element id -> name (messages, signals, data stores, ...)."""
    definitions: dict[str, str] = field(default_factory=dict)
    """Root-level event definition id -> its tag (for eventDefinitionRef)."""
    categories: dict[str, str] = field(default_factory=dict)
    bounds: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    located: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Flow node id -> (index of its process dict in conv.processes, step id)."""
    pools: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Participant id -> ("process", process id) or ("party", name)."""
    process_of: dict[str, int] = field(default_factory=dict)
    """BPMN process id -> index of its process dict."""
    process_of_id: dict[str, str] = field(default_factory=dict)
    """BPMN process id -> the imported process id (for call activities)."""
    process_of_pid: dict[str, int] = field(default_factory=dict)
    """Imported process id -> index of its process dict."""
    taken_pids: set[str] = field(default_factory=set)
    fresh: Callable[[], set[str]] = set
    """A new set of ids given (import_._Taken: linear-time unique names)."""
    pending_groups: list[ET.Element] = field(default_factory=list)
    collab_artifacts: list[ET.Element] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    """Participants that a message flow starts or ends at."""
    node_names: dict[str, str] = field(default_factory=dict)
    global_tasks: set[str] = field(default_factory=set)
    """Ids of global tasks: a call activity that names one calls no process of the file."""
    current: str = ""
    """The id of the container whose steps are being made."""
    adopted: dict[str, list[ET.Element]] = field(default_factory=dict)
    """Container id -> boundary events filed in another container than their step's."""
    moved: set[str] = field(default_factory=set)
    members: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """Category value id -> (process index, step id) of the steps that name it."""
    lang: str = "en"
    """The language of the names and notes the import writes (WRITTEN)."""
    file_lanes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Flow node id -> (role, lane name) of every lane of the file's processes."""
    host: tuple[str, str] = ("", "")
    """The lane of the embedded sub-process being converted: its steps' lane by default."""

    def record(self, kind: str, outcome: str, eid: str, how: str = "") -> None:
        self.conv.records.append(Record(self.file, kind, outcome, eid, how))


def trigger_of(el: ET.Element, ctx: _File | None = None) -> str | None:
    """An event's trigger from its event definitions (also referenced ones)."""
    found = [TRIGGERS[local(c.tag)] for c in el if local(c.tag) in TRIGGERS]
    for ref in _refs(el, "eventDefinitionRef"):
        tag = ctx.definitions.get(ref) if ctx else None
        if tag in TRIGGERS:
            found.append(TRIGGERS[tag])
        elif ctx is not None:
            ctx.record("eventDefinitionRef", DROPPED, ref, "definition-unknown")
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    return "parallel-multiple" if el.get("parallelMultiple") == "true" else "multiple"


def kind_key(el: ET.Element, ctx: _File | None = None) -> str:
    """The summary's kind of a flow node: the tag, and an event's trigger."""
    tag = local(el.tag)
    if tag in EVENTS:
        return f"{tag} ({trigger_of(el) or 'none'})"
    return tag


def _timer(el: ET.Element) -> dict[str, str] | None:
    definition = el.find(f"{M}timerEventDefinition")
    if definition is None:
        return None
    timer = {}
    for tag, key in TIMERS.items():
        value = _text(definition.find(f"{M}{tag}"))
        if value:
            timer[key] = value
    return timer or None


def _loop(el: ET.Element) -> str | None:
    if el.find(f"{M}standardLoopCharacteristics") is not None:
        return "standard"
    multi = el.find(f"{M}multiInstanceLoopCharacteristics")
    if multi is not None:
        return "sequential" if multi.get("isSequential") == "true" else "parallel"
    return None


WRITTEN: dict[str, dict[str, str]] = {
    "fi": {
        "startEvent": "Alku",
        "endEvent": "Loppu",
        "event": "Tapahtuma",
        "named": "{trigger} ({what})",
        "missing": "kutsuu prosessia {name} ({id}), joka ei ollut tuodussa tiedostossa",
        "global": "kutsuu globaalia tehtävää {name} ({id})",
        "message": "Viesti",
        "timer": "Ajastin",
        "signal": "Signaali",
        "conditional": "Ehto",
        "escalation": "Eskalointi",
        "error": "Virhe",
        "compensation": "Hyvitys",
        "terminate": "Lopetus",
        "link": "Linkki",
        "cancel": "Peruutus",
        "multiple": "Useita",
        "parallel-multiple": "Useita yhtä aikaa",
        "decision": "Päätös",
        "parallel": "Rinnakkaisuus",
        "inclusive": "Valinta",
        "event-based": "Tapahtumaan perustuva valinta",
        "complex": "Monimutkainen liitos",
    },
    "en": {
        "startEvent": "Start",
        "endEvent": "End",
        "event": "Event",
        "named": "{trigger} {what}",
        "missing": "calls {name} ({id}), which was not in the imported file",
        "global": "calls the global task {name} ({id})",
    },
}
"""Texts the import writes into the model (names it has to give, notes), in `--lang`."""


def written(key: str, lang: str, **params: str) -> str:
    """One text of WRITTEN in `lang` (English when it has none).

    >>> written("missing", "fi", name="Auditointi", id="audit")
    'kutsuu prosessia Auditointi (audit), joka ei ollut tuodussa tiedostossa'
    """
    words = WRITTEN["fi" if lang == "fi" else "en"]
    value = words.get(key) or WRITTEN["en"].get(key) or key.replace("-", " ").capitalize()
    return value.format(**params) if params else value


def _fallback_name(tag: str, trigger: str | None, sid: str, lang: str) -> str:
    """A name for an unnamed event (its trigger and type) or task (its id)."""
    if tag not in EVENTS:
        return sid
    what = written(tag if tag in ("startEvent", "endEvent") else "event", lang)
    if not trigger:
        return what
    named = written("named", lang, trigger=written(trigger, lang), what=what.lower())
    return named[0].upper() + named[1:]


def lane_map(process: ET.Element, ctx: _File) -> dict[str, tuple[str, str]]:
    """Every flow node's leaf lane as (role id, lane name); every lane recorded."""
    found: dict[str, tuple[str, str]] = {}
    taken: set[str] = ctx.fresh()

    def walk(lane_set: ET.Element) -> None:
        for lane in lane_set.findall(f"{M}lane"):
            children = [
                c for c in lane.findall(f"{M}childLaneSet") if c.find(f"{M}lane") is not None
            ]
            lid = lane.get("id", "")
            name = " ".join((lane.get("name") or "").split())
            if children:
                ctx.record("lane", CONVERTED, lid, "lane-parent")
                for child in children:
                    walk(child)
                continue
            if ctx.from_qms and lid.startswith("Lane_"):
                role = "" if lid == "Lane__none" else lid[len("Lane_") :]
            else:
                role = ctx.unique(ctx.slugger(name, "") or ctx.slugger(lid, "role"), taken)
            ctx.record("lane", CONVERTED, lid, "lane")
            leaves.append((lid, role, name))
            for node in _refs(lane, "flowNodeRef"):
                found.setdefault(node, (role, name))

    leaves: list[tuple[str, str, str]] = []
    for lane_set in process.findall(f"{M}laneSet"):
        walk(lane_set)
    if not found and leaves:  # lanes that list nothing: the steps drawn inside them
        for node in process:
            box = ctx.bounds.get(node.get("id", "")) if local(node.tag) in FLOW_NODES else None
            if box is None:
                continue
            x, y = box[0] + box[2] / 2, box[1] + box[3] / 2
            for lid, role, name in leaves:
                lane_box = ctx.bounds.get(lid)
                if lane_box and _inside(x, y, lane_box):
                    found[node.get("id", "")] = (role, name)
                    ctx.record("lane membership", CONVERTED, node.get("id", ""), "lane-drawn")
                    break
    return found


def _inside(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= x <= box[0] + box[2] and box[1] <= y <= box[1] + box[3]


def convert_container(
    container: ET.Element, pid: str, name: str, meta: dict[str, Any], ctx: _File
) -> dict[str, Any]:
    """One process (or an embedded sub-process) -> one process dict in ctx.conv.processes."""
    doc: dict[str, Any] = {"kind": "process", "id": pid, "organisation": ctx.organisation}
    doc["name"] = name or pid
    index = len(ctx.conv.processes)
    ctx.conv.processes.append(doc)
    ctx.process_of[container.get("id", "")] = index
    ctx.process_of_pid[pid] = index
    if local(container.tag) == "process":
        lanes = lane_map(container, ctx)
        ctx.file_lanes.update(lanes)
    else:  # an embedded sub-process: the lanes that list its nodes, else its own lane
        lanes = {
            c.get("id", ""): ctx.file_lanes.get(c.get("id", ""), ctx.host)
            for c in container
            if local(c.tag) in FLOW_NODES and (c.get("id", "") in ctx.file_lanes or ctx.host[0])
        }

    nodes: dict[str, ET.Element] = {}
    flows: list[ET.Element] = []
    artifacts: list[ET.Element] = []
    for child in [*container, *ctx.adopted.get(container.get("id", ""), [])]:
        if not isinstance(child.tag, str) or not child.tag.startswith(M):
            continue
        tag = local(child.tag)
        if tag in FLOW_NODES:
            if child.get("id", "") in ctx.moved and child not in ctx.adopted.get(
                container.get("id", ""), []
            ):
                continue  # converted with the step it sits on
            nodes[child.get("id", "")] = child
        elif tag == "sequenceFlow":
            if child.get("id", "") in ctx.moved and child not in ctx.adopted.get(
                container.get("id", ""), []
            ):
                continue
            flows.append(child)
        elif tag in ARTIFACTS:
            artifacts.append(child)
        elif tag not in QUIET:
            ctx.record(tag, DROPPED, child.get("id", ""), "unknown")

    synthetic = {
        eid
        for eid, el in nodes.items()
        if ctx.from_qms and local(el.tag) in GATEWAYS and _qms(el, "step") is None
    }
    for eid in synthetic:
        ctx.record(local(nodes[eid].tag), CONVERTED, eid, "qms-gateway")
        del nodes[eid]
    # Step ids: a qms export's, else from the name; an unnamed gateway is a join or a split.
    ids: dict[str, str] = {}
    taken: set[str] = ctx.fresh()
    outs = Counter(f.get("sourceRef", "") for f in flows)
    for eid, el in nodes.items():
        step_meta = _qms(el, "step")
        sid = step_meta.get("id", "") if step_meta is not None else ""
        if not re.match(ID_PATTERN, sid):
            stripped = next((eid[len(p) :] for p in QMS_PREFIXES if eid.startswith(p)), "")
            if ctx.from_qms and re.match(ID_PATTERN, stripped):
                sid = stripped
            elif not (el.get("name") or "").strip() and local(el.tag) in GATEWAYS:
                sid = "join" if outs[eid] <= 1 else "split"
            else:
                sid = ctx.slugger(el.get("name") or "", "") or ctx.slugger(eid)
        ids[eid] = ctx.unique(sid[:60], taken)
        ctx.located[eid] = (index, ids[eid])

    steps: dict[str, dict[str, Any]] = {}
    for eid, el in nodes.items():
        ctx.current = container.get("id", "")
        steps[eid] = _step(el, ids, lanes, pid, ctx)

    # Sequence flows -> branches. A qms export's own joins and forks (gateways it adds in
    # front of a step that several flows enter, after one with several next steps) fold
    # away: the flows through them go straight to the step.
    outgoing: dict[str, list[ET.Element]] = {}
    for f in flows:
        outgoing.setdefault(f.get("sourceRef", ""), []).append(f)

    memo: dict[str, list[tuple[str, ET.Element | None]]] = {}

    def ends(dst: str, seen: frozenset[str]) -> list[tuple[str, ET.Element | None]]:
        """The steps a flow into `dst` reaches through folded gateways (each once)."""
        if dst not in synthetic:
            return [(dst, None)]
        if dst not in memo:
            memo[dst] = []  # a cycle of folded gateways reaches nothing more
            found: list[tuple[str, ET.Element | None]] = []
            for g in outgoing.get(dst, []):
                target = g.get("targetRef", "")
                found += [(t, g) for t, _ in ends(target, seen | {target})]
            memo[dst] = found
        return memo[dst]

    for f in flows:
        fid = f.get("id", "")
        src, dst = f.get("sourceRef", ""), f.get("targetRef", "")
        if src in synthetic:
            ctx.record("sequenceFlow", CONVERTED, fid, "qms-gateway")
            continue
        if src not in steps or (dst not in steps and dst not in synthetic):
            ctx.record("sequenceFlow", DROPPED, fid, "flow-dangling")
            continue
        if src == dst:
            ctx.conv.self_loops.append((fid, src))
        for real, via in ends(dst, frozenset({dst})):
            if real in steps:
                _branch(f, via, src, real, nodes, ids, steps)
        ctx.record("sequenceFlow", KEPT, fid)

    _artifacts(artifacts, nodes, steps, ids, doc, ctx)
    _complete(container, steps, ids, taken, ctx)

    # A qms export lists steps in the model's order; other files are put in flow order:
    # breadth-first from the starts (a boundary event after its step), then the rest.
    order: list[str] = list(steps) if ctx.from_qms else []
    if not ctx.from_qms:
        by_sid = {s["id"]: eid for eid, s in steps.items()}
        boundary: dict[str, list[str]] = {}
        for eid, s in steps.items():
            if s.get("attached_to"):
                boundary.setdefault(s["attached_to"], []).append(eid)
        done: set[str] = set()
        pending = iter(list(steps))
        queue = deque(eid for eid, s in steps.items() if s["kind"] == "start")
        while len(order) < len(steps):
            if not queue:
                queue.append(next(e for e in pending if e not in done))
            cur = queue.popleft()
            if cur in done:
                continue
            done.add(cur)
            order.append(cur)
            followers = [by_sid.get(b["to"], "") for b in steps[cur].get("next", [])]
            followers += boundary.get(steps[cur]["id"], [])
            queue.extend(e for e in followers if e and e not in done)

    for key in ("type", "level", "owner", "purpose", "description", "realizes", "influences"):
        if meta.get(key):
            doc[key] = meta[key]
    for key in ("metrics", "status", "version"):
        if meta.get(key):
            doc[key] = meta[key]
    if "example" in meta:
        doc["example"] = meta["example"]
    if meta.get("documents"):
        known = {d["id"] for d in doc.get("documents", [])}
        doc["documents"] = [d for d in meta["documents"] if d["id"] not in known] + doc.get(
            "documents", []
        )
    doc["steps"] = [_tidy(steps[eid]) for eid in order]
    return doc


def _branch(
    f: ET.Element,
    via: ET.Element | None,
    src: str,
    dst: str,
    nodes: dict[str, ET.Element],
    ids: dict[str, str],
    steps: dict[str, dict[str, Any]],
) -> None:
    """One `next` branch from a flow (and the flow out of a folded qms gateway, if any)."""
    branch: dict[str, Any] = {"to": ids[dst]}
    label = " ".join((f.get("name") or (via.get("name") if via is not None else "") or "").split())
    if label:
        branch["label"] = label
    condition = f.find(f"{M}conditionExpression")
    if condition is not None:
        branch["condition"] = _text(condition)  # an empty one too: the flow is conditional
    if nodes[src].get("default") == f.get("id", ""):
        branch["default"] = True
    if branch not in steps[src].get("next", []) or not via:
        steps[src].setdefault("next", []).append(branch)


def _says_when(branch: dict[str, Any]) -> bool:
    return bool(branch.get("label") or branch.get("condition") or branch.get("default"))


def _complete(
    container: ET.Element,
    steps: dict[str, dict[str, Any]],
    ids: dict[str, str],
    taken: set[str],
    ctx: _File,
) -> None:
    """What a valid model needs and BPMN leaves implicit, made explicit and recorded:
    a label on each branch of a choice (the name of the step it leads to), a name on a
    choosing gateway (its answers), and a start and an end where the flow has none (BPMN
    starts every activity without incoming flows, and ends where the flow stops)."""
    names = {s["id"]: s["name"] for s in steps.values()}
    for eid, step in steps.items():
        branches = step.get("next", [])
        if step["kind"] in ("decision", "inclusive", "complex") and len(branches) > 1:
            for b in branches:
                if not _says_when(b) and names.get(b["to"]):
                    b["label"] = names[b["to"]]
                    ctx.record("branch label", CONVERTED, eid, "labelled")
            if not step["name"]:
                labels = [b.get("label", "") for b in branches if b.get("label")]
                step["name"] = (
                    " / ".join(labels) + "?" if labels else written(step["kind"], ctx.lang)
                )
                ctx.record("name", CONVERTED, eid, "named")
    if not steps:
        return
    _pair_links(steps, ctx)
    targets = {b["to"] for s in steps.values() for b in s.get("next", [])}
    for eid, step in steps.items():
        if (
            step["kind"] == "event"
            and step["id"] not in targets
            and not step.get("attached_to")
            and step.get("trigger") not in (None, "link")
            and step.get("catch", step.get("trigger") in CATCHING)
        ):
            step["kind"] = "start"  # waits for its trigger with nothing before it: a start
            step.pop("catch", None)
            ctx.record("catch event", CONVERTED, eid, "catch-start")
    free = ("start", "end")

    def standalone(s: dict[str, Any]) -> bool:
        return bool(
            s.get("attached_to")
            or s.get("triggered")
            or s.get("compensation")
            or s.get("trigger") == "link"
        )

    cid = container.get("id", "")
    firsts = [
        s
        for s in steps.values()
        if s["id"] not in targets and s["kind"] not in free and not standalone(s)
    ]
    if firsts:
        blank = next(
            (s for s in steps.values() if s["kind"] == "start" and not s.get("trigger")), None
        )
        if blank is None:
            start = written("startEvent", ctx.lang)
            blank = {"id": ctx.unique("start", taken), "kind": "start", "name": start}
            if firsts[0].get("role"):  # drawn in the lane of the step it starts
                blank["role"] = firsts[0]["role"]
            steps[f"{cid}#start"] = blank
        for s in firsts:
            blank.setdefault("next", []).append({"to": s["id"]})
            ctx.record("implicit start", CONVERTED, s["id"], "implicit")
    lasts = [
        s
        for s in steps.values()
        if not s.get("next")
        and s["kind"] not in free
        and not s.get("triggered")
        and not s.get("compensation")
        and s.get("trigger") not in ("link", "compensation")
    ]
    if lasts:
        end = {"id": ctx.unique("end", taken), "kind": "end", "name": written("endEvent", ctx.lang)}
        if lasts[0].get("role"):  # drawn in the lane of the step it ends
            end["role"] = lasts[0]["role"]
        steps[f"{cid}#end"] = end
        for s in lasts:
            s["next"] = [{"to": end["id"]}]
            ctx.record("implicit end", CONVERTED, s["id"], "implicit")


def _pair_links(steps: dict[str, dict[str, Any]], ctx: _File) -> None:
    """Link events pair by the link's name (else the event's). When a flow has exactly one
    throwing and one catching link event that pair with nothing, they are the pair: both get
    the catching event's name as their `link`."""
    links = [(eid, s) for eid, s in steps.items() if s.get("trigger") == "link"]
    throws = [(e, s) for e, s in links if s.get("catch") is False]
    catches = [(e, s) for e, s in links if s.get("catch") is not False]

    def key(s: dict[str, Any]) -> str:
        return str(s.get("link") or s["name"])

    lone_throws = [(e, s) for e, s in throws if key(s) not in {key(c) for _, c in catches}]
    lone_catches = [(e, s) for e, s in catches if key(s) not in {key(t) for _, t in throws}]
    if len(lone_throws) == 1 and len(lone_catches) == 1:
        name = key(lone_catches[0][1])
        for eid, s in (lone_throws[0], lone_catches[0]):
            s["link"] = name
            ctx.record("link event", CONVERTED, eid, "link-paired")


def _tidy(step: dict[str, Any]) -> dict[str, Any]:
    """`next` in its shortest form: a list of ids, a map of labels, or full branches."""
    branches = step.get("next")
    if not branches:
        step.pop("next", None)
        return step
    plain = all(set(b) <= {"to", "label"} for b in branches)
    labels = [b.get("label", "") for b in branches]
    targets = [b["to"] for b in branches]
    if plain and not any(labels):
        step["next"] = targets
    elif plain and step["kind"] == "decision" and all(labels) and len(set(labels)) == len(labels):
        step["next"] = {b["label"]: b["to"] for b in branches}
    else:
        step["next"] = [b if len(b) > 1 else b["to"] for b in branches]
    return step


def _step(
    el: ET.Element,
    ids: dict[str, str],
    lanes: dict[str, tuple[str, str]],
    pid: str,
    ctx: _File,
) -> dict[str, Any]:
    eid = el.get("id", "")
    tag = local(el.tag)
    sid = ids[eid]
    step: dict[str, Any] = {"id": sid}
    outcome, how = KEPT, ""
    if tag in EVENTS:
        step["kind"] = EVENTS[tag]
        trigger = trigger_of(el, ctx)
        if trigger:
            step["trigger"] = trigger
            if trigger in ("multiple", "parallel-multiple"):
                outcome, how = CONVERTED, "multiple"
        if trigger == "timer" and (timer := _timer(el)):
            step["timer"] = timer
        link = el.find(f"{M}linkEventDefinition")
        if link is not None and " ".join((link.get("name") or "").split()):
            step["link"] = " ".join((link.get("name") or "").split())
        if tag in ("intermediateThrowEvent", "intermediateCatchEvent"):
            catch = tag == "intermediateCatchEvent"
            if catch != (trigger in CATCHING):
                step["catch"] = catch
        if tag == "boundaryEvent":
            host = el.get("attachedToRef", "")
            if host in ids:
                step["attached_to"] = ids[host]
            if el.get("cancelActivity") == "false":
                step["interrupting"] = False
        if tag == "startEvent" and el.get("isInterrupting") == "false":
            step["interrupting"] = False
    elif tag in GATEWAYS:
        step["kind"] = GATEWAYS[tag]
    elif tag in TASK_TYPES:
        step["kind"] = "task"
        if TASK_TYPES[tag]:
            step["task_type"] = TASK_TYPES[tag]
    else:
        step["kind"] = "subprocess"
    name = " ".join((el.get("name") or "").split())
    ctx.node_names[eid] = name
    if not name and step["kind"] not in (
        "decision",
        "parallel",
        "inclusive",
        "event-based",
        "complex",
    ):
        name = _fallback_name(tag, step.get("trigger"), sid, ctx.lang)
        ctx.record("name", CONVERTED, eid, "named")
    step["name"] = name
    role, lane_name = lanes.get(eid, ("", ""))
    if not role and tag == "boundaryEvent":  # drawn on its step's border, in its lane
        role, lane_name = lanes.get(el.get("attachedToRef", ""), ("", ""))
    if role:
        step["role"] = role
        ctx.conv.roles.setdefault(role, lane_name)
    if tag in ACTIVITIES:
        if loop := _loop(el):
            step["loop"] = loop
        if el.get("isForCompensation") == "true":
            step["compensation"] = True
    step_meta = _qms(el, "step")
    if tag == "callActivity":
        call = step_meta.get("call", "") if step_meta is not None else ""
        called = el.get("calledElement", "")
        target = "" if called in ctx.global_tasks else ctx.process_of_id.get(called, "")
        call = call or target
        if call:
            step["call"] = call
        elif called in ctx.global_tasks:
            target_name = ctx.names.get(called, "") or called
            step["notes"] = [written("global", ctx.lang, name=target_name, id=called)]
            outcome, how = CONVERTED, "callActivity-global"
        elif called:
            ctx.conv.missing_calls.setdefault(called, []).append(eid)
            target_name = ctx.names.get(called, "") or called
            step["notes"] = [written("missing", ctx.lang, name=target_name, id=called)]
            outcome, how = CONVERTED, "callActivity-missing"
    elif tag in SUBPROCESSES and not any(local(c.tag) in FLOW_NODES for c in el):
        if el.get("triggeredByEvent") == "true":
            step["triggered"] = True  # its content is not in the file
        if tag != "subProcess":
            outcome, how = CONVERTED, tag
    elif tag in SUBPROCESSES:
        if el.get("triggeredByEvent") == "true":
            step["triggered"] = True
        starts = [c for c in el if local(c.tag) == "startEvent" and (c.get("name") or "").strip()]
        inner_name = name
        if not (el.get("name") or "").strip() and starts:  # unnamed: named by its start
            inner_name = " ".join((starts[0].get("name") or "").split())
            step["name"] = inner_name
        inner = ctx.unique(ctx.slugger(f"{pid}-{inner_name}", "subprocess"), ctx.taken_pids)
        ctx.conv.inner[eid] = inner
        outer, ctx.host = ctx.host, ("", "") if ctx.from_qms else (role, lane_name)
        convert_container(el, inner, inner_name, {}, ctx)
        ctx.host = outer
        step["call"] = inner
        outcome, how = CONVERTED, tag if tag != "subProcess" else "subProcess"
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
        if (mark := example_mark(step_meta)) is not None:
            step["example"] = mark
    elif _doc(el):
        description = _doc(el)
    if description:
        step["description"] = description
    for child in el:
        ctag = local(child.tag)
        if not isinstance(child.tag, str) or not child.tag.startswith(M):
            continue
        if ctag in QUIET or ctag in TRIGGERS or ctag in LOOPS or ctag in FLOW_NODES:
            continue
        if ctag in ("dataInputAssociation", "dataOutputAssociation", "eventDefinitionRef"):
            continue  # read with the artifacts / the trigger
        if ctag == "categoryValueRef" and (child.text or "").strip():
            where = ctx.process_of.get(pid_container(el, ctx), -1)
            ctx.members.setdefault((child.text or "").strip(), []).append((where, sid))
            continue
        if ctag in ARTIFACTS or ctag in ("sequenceFlow", "laneSet"):
            continue  # an embedded sub-process's own content
        ctx.record(ctag, DROPPED, child.get("id", "") or eid, "unknown")
    ctx.record(kind_key(el), outcome, eid, how)
    return step


def pid_container(el: ET.Element, ctx: _File) -> str:
    """The id of the container being converted (the last one registered)."""
    return ctx.current


def _artifacts(
    artifacts: list[ET.Element],
    nodes: dict[str, ET.Element],
    steps: dict[str, dict[str, Any]],
    ids: dict[str, str],
    doc: dict[str, Any],
    ctx: _File,
) -> None:
    """Data objects, data stores, annotations and associations of one container."""
    objects = {a.get("id", ""): a for a in artifacts if local(a.tag) == "dataObject"}
    documents: dict[str, str] = {}
    """Data object (reference) id -> document id in the register."""
    systems: dict[str, str] = {}
    """Data store reference id -> system name."""
    register: dict[str, dict[str, Any]] = {}
    taken: set[str] = ctx.fresh()

    def document_for(eid: str, name: str) -> str:
        key = name.casefold()
        for doc_id, entry in register.items():
            if str(entry["name"]).casefold() == key:
                return doc_id
        doc_id = ctx.unique(ctx.slugger(name, "document"), taken)
        register[doc_id] = {"id": doc_id, "name": name}
        return doc_id

    for a in artifacts:
        tag, aid = local(a.tag), a.get("id", "")
        if tag == "dataObjectReference" and ctx.from_qms:
            # a qms export's data object is a document of the register: DataObject_<id>
            ref = a.get("dataObjectRef", "")
            if ref.startswith("DataObject_") and re.match(ID_PATTERN, ref[len("DataObject_") :]):
                documents[aid] = ref[len("DataObject_") :]
                continue
        if tag == "dataObjectReference":
            obj = objects.get(a.get("dataObjectRef", ""))
            name = " ".join(
                (a.get("name") or (obj.get("name") if obj is not None else "") or "").split()
            )
            state = a.find(f"{M}dataState")
            if state is not None and state.get("name") and f"[{state.get('name')}]" not in name:
                name = f"{name} [{state.get('name')}]".strip()
            documents[aid] = document_for(aid, name or aid)
        elif tag == "dataObject":
            ctx.record("dataObject", CONVERTED, aid, "dataObject")
        elif tag == "dataStoreReference":
            store = ctx.names.get(a.get("dataStoreRef", ""), "")
            systems[aid] = " ".join((a.get("name") or store or aid).split())

    referenced = {
        a.get("dataObjectRef", "") for a in artifacts if local(a.tag) == "dataObjectReference"
    }
    for oid, obj in objects.items():  # a data object drawn without a reference
        if oid not in referenced:
            documents[oid] = document_for(oid, " ".join((obj.get("name") or "").split()) or oid)
    used: set[str] = set()
    for eid, el in nodes.items():
        step = steps[eid]
        for assoc in list(el.findall(f"{M}dataInputAssociation")) + list(
            el.findall(f"{M}dataOutputAssociation")
        ):
            output = local(assoc.tag) == "dataOutputAssociation"
            ends = _refs(assoc, "targetRef" if output else "sourceRef")
            hit = False
            for ref in ends:
                if ref in documents:
                    key = "produces" if output else "documents"
                    if documents[ref] not in step.setdefault(key, []):
                        step[key].append(documents[ref])
                    used.add(ref)
                    hit = True
                elif ref in systems:
                    if systems[ref] not in step.setdefault("systems", []):
                        step["systems"].append(systems[ref])
                    used.add(ref)
                    hit = True
            aid = assoc.get("id", "") or eid
            if hit:
                ctx.record(local(assoc.tag), CONVERTED, aid, "dataAssociation")
            else:
                ctx.record(local(assoc.tag), DROPPED, aid, "dataAssociation-other")
        for key in ("documents", "produces", "systems"):
            if key in step and not step[key]:
                del step[key]

    for a in artifacts:
        tag, aid = local(a.tag), a.get("id", "")
        if tag == "dataObjectReference":
            how = "dataObjectReference" if aid in used else "dataObjectReference-free"
            ctx.record(tag, CONVERTED, aid, how)
        elif tag == "dataStoreReference":
            if aid in used:
                ctx.record(tag, CONVERTED, aid, "dataStoreReference")
            else:
                doc.setdefault("systems", []).append(systems[aid])
                ctx.record(tag, CONVERTED, aid, "dataStoreReference-free")
    if register:
        doc["documents"] = list(register.values())

    annotations = {
        a.get("id", ""): _text(a.find(f"{M}text"))
        for a in artifacts
        if local(a.tag) == "textAnnotation"
    }
    noted: set[str] = set()
    for a in artifacts:
        if local(a.tag) != "association":
            continue
        aid = a.get("id", "")
        src, dst = a.get("sourceRef", ""), a.get("targetRef", "")
        note, other = (src, dst) if src in annotations else (dst, src)
        if annotations.get(note):
            if other in steps:
                notes = steps[other].setdefault("notes", [])
            else:
                notes = doc.setdefault("notes", [])
            if annotations[note] not in notes:
                notes.append(annotations[note])
            noted.add(note)
            ctx.record("association", CONVERTED, aid, "association")
        elif (
            src in steps
            and dst in steps
            and steps[src].get("trigger") == "compensation"
            and steps[dst].get("compensation")
        ):
            steps[src].setdefault("next", []).append({"to": ids[dst]})
            ctx.record("association", CONVERTED, aid, "association")
        else:
            ctx.record("association", DROPPED, aid, "association-other")
    for aid, value in annotations.items():
        if aid not in noted and value:
            doc.setdefault("notes", []).append(value)
        ctx.record("textAnnotation", CONVERTED, aid, "textAnnotation")
    for a in artifacts:
        if local(a.tag) == "group":
            ctx.pending_groups.append(a)


def _adopt(root: ET.Element, ctx: _File) -> None:
    """Boundary events that a tool filed in another process than their step's (Signavio
    does) are converted with their step, where their flows are."""
    home: dict[str, str] = {}
    events: list[tuple[ET.Element, str]] = []
    flows: list[tuple[ET.Element, str]] = []
    for container in root.iter():
        if local(container.tag) not in ("process", *SUBPROCESSES):
            continue
        for child in container:
            if local(child.tag) in FLOW_NODES:
                home[child.get("id", "")] = container.get("id", "")
                if local(child.tag) == "boundaryEvent":
                    events.append((child, container.get("id", "")))
            elif local(child.tag) == "sequenceFlow":
                flows.append((child, container.get("id", "")))
    for event, where in events:
        host_home = home.get(event.get("attachedToRef", ""))
        if host_home and host_home != where:
            ctx.adopted.setdefault(host_home, []).append(event)
            ctx.moved.add(event.get("id", ""))
            home[event.get("id", "")] = host_home
    for flow, where in flows:  # a flow filed apart from both its ends goes with them
        src, dst = home.get(flow.get("sourceRef", "")), home.get(flow.get("targetRef", ""))
        if src and src == dst and src != where:
            ctx.adopted.setdefault(src, []).append(flow)
            ctx.moved.add(flow.get("id", ""))


def _collaboration_notes(ctx: _File) -> None:
    """Text annotations drawn on the collaboration: notes of the steps they point to."""
    texts = {
        a.get("id", ""): _text(a.find(f"{M}text"))
        for a in ctx.collab_artifacts
        if local(a.tag) == "textAnnotation"
    }
    noted: set[str] = set()
    for a in ctx.collab_artifacts:
        if local(a.tag) != "association":
            continue
        src, dst = a.get("sourceRef", ""), a.get("targetRef", "")
        note, other = (src, dst) if src in texts else (dst, src)
        if note in texts and other in ctx.located and texts[note]:
            index, sid = ctx.located[other]
            step = next(s for s in ctx.conv.processes[index]["steps"] if s["id"] == sid)
            if texts[note] not in step.setdefault("notes", []):
                step["notes"].append(texts[note])
            noted.add(note)
            ctx.record("association", CONVERTED, a.get("id", ""), "association")
        else:
            ctx.record("association", DROPPED, a.get("id", ""), "association-other")
    for aid, value in texts.items():
        if aid not in noted and value and ctx.conv.processes:
            ctx.conv.processes[0].setdefault("notes", []).append(value)
        ctx.record("textAnnotation", CONVERTED, aid, "textAnnotation")


def _bounds(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    found: dict[str, tuple[float, float, float, float]] = {}
    for shape in root.iter(f"{DI}BPMNShape"):
        b = shape.find(f"{DC}Bounds")
        if b is None:
            continue
        try:
            box = tuple(float(b.get(k, "")) for k in ("x", "y", "width", "height"))
        except ValueError:
            continue
        found.setdefault(shape.get("bpmnElement", ""), box)  # type: ignore[arg-type]
    return found


def _groups(ctx: _File) -> None:
    """Groups -> phases: the steps whose shapes' centres lie inside the group's shape."""
    for group in ctx.pending_groups:
        gid = group.get("id", "")
        name = ctx.categories.get(group.get("categoryValueRef", ""), "") or " ".join(
            (group.get("name") or "").split()
        )
        box = ctx.bounds.get(gid)
        members: dict[int, list[str]] = {}
        if box is not None:
            for eid, (index, sid) in ctx.located.items():
                shape = ctx.bounds.get(eid)
                if shape is None:
                    continue
                cx, cy = shape[0] + shape[2] / 2, shape[1] + shape[3] / 2
                if _inside(cx, cy, box):
                    members.setdefault(index, []).append(sid)
        for where, sid in ctx.members.get(group.get("categoryValueRef", ""), []):
            if where >= 0 and sid not in members.get(where, []):
                members.setdefault(where, []).append(sid)
        target = max(members, key=lambda i: (len(members[i]), -i)) if members else 0
        if not ctx.conv.processes:
            ctx.record("group", DROPPED, gid, "unknown")
            continue
        doc = ctx.conv.processes[target]
        phases = doc.setdefault("phases", [])
        taken = ctx.fresh()
        taken.update(p["id"] for p in phases)
        pid_ = ctx.unique(ctx.slugger(name or gid, "phase"), taken)
        phase: dict[str, Any] = {"id": pid_, "name": name or pid_}
        if members.get(target):
            phase["steps"] = members[target]
        phases.append(phase)
        ctx.record("group", CONVERTED, gid, "group")


def _message_flows(root: ET.Element, ctx: _File) -> None:
    for collab in root.findall(f"{M}collaboration"):
        for mf in collab.findall(f"{M}messageFlow"):
            mid = mf.get("id", "")
            ends: list[tuple[int, str, str | None] | None] = []
            for ref in (mf.get("sourceRef", ""), mf.get("targetRef", "")):
                if ref in ctx.located:
                    index, sid = ctx.located[ref]
                    ends.append((index, ctx.conv.processes[index]["id"], sid))
                elif ref in ctx.pools:
                    what, value = ctx.pools[ref]
                    index = ctx.process_of_pid.get(value, -1) if what == "process" else -1
                    ends.append((index, value, None))
                else:
                    ends.append(None)
            if ends[0] is None or ends[1] is None:
                ctx.record("messageFlow", DROPPED, mid, "messageFlow-lost")
                continue
            (s_index, s_party, s_step), (t_index, t_party, t_step) = ends[0], ends[1]
            name = " ".join((mf.get("name") or ctx.names.get(mf.get("messageRef", ""), "")).split())
            if not name:
                name = ctx.node_names.get(mf.get("sourceRef", ""), "") or "message"
            if s_index >= 0:
                out: dict[str, Any] = {"name": name, "to": t_party}
                if s_step:
                    out["step"] = s_step
                ctx.conv.processes[s_index].setdefault("outputs", []).append(out)
            if t_index >= 0:
                inp: dict[str, Any] = {"name": name, "from": s_party}
                if t_step:
                    inp["step"] = t_step
                ctx.conv.processes[t_index].setdefault("inputs", []).append(inp)
            ctx.record("messageFlow", CONVERTED, mid, "messageFlow")
            for ref in (mf.get("sourceRef", ""), mf.get("targetRef", "")):
                ctx.touched.add(ref)


class NeedOrganisation(Exception):
    """Neither `--organisation` nor a qms export's metadata names the owner."""


def read_meta(process: ET.Element) -> dict[str, Any]:
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
    if (mark := example_mark(el)) is not None:
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


GLOBAL_TASKS = {
    "globalTask",
    "globalUserTask",
    "globalManualTask",
    "globalScriptTask",
    "globalBusinessRuleTask",
}
"""Tasks defined once for call activities to call (they are not processes of the file)."""
ROOT_NAMED = {"message", "signal", "error", "escalation", "dataStore"}
ROOT_SUPPORT = {
    "process",
    "collaboration",
    "category",
    "itemDefinition",
    "resource",
    "import",
    "interface",
    "relationship",
    "partnerEntity",
    "partnerRole",
    "correlationProperty",
    "endPoint",
    "extension",
    "documentation",
    "extensionElements",
}
"""Root elements that hold no flow of their own: read where something refers to them."""


def give_ids(root: ET.Element) -> None:
    """An id for every flow node, flow, artifact, lane and pool that has none (the schema
    makes `id` optional): without one, two of them would be one entry and one of them lost.
    Nothing can refer to such an element, so the id only names it in the report."""
    taken = {el.get("id") for el in root.iter() if el.get("id")}
    kinds = FLOW_NODES | ARTIFACTS | {"sequenceFlow", "messageFlow", "lane", "participant"}
    counter: Counter[str] = Counter()
    for el in root.iter():
        tag = local(el.tag)
        if el.get("id") or tag not in kinds or not str(el.tag).startswith(M):
            continue
        while True:
            counter[tag] += 1
            candidate = f"{tag}_{counter[tag]}"
            if candidate not in taken:
                break
        taken.add(candidate)
        el.set("id", candidate)


def unqualify(root: ET.Element) -> None:
    """References written as QNames (`tns:Task_1`, as the schema types `processRef`,
    `attachedToRef`, `calledElement`, `messageRef` ... and some tools write every reference)
    become the bare ids they name: an id is an NCName and never holds a colon, so the part
    before the last colon can only be a namespace prefix."""
    for el in root.iter():
        for key, value in el.attrib.items():
            if (key.endswith("Ref") or key == "calledElement") and ":" in value:
                el.set(key, value.rsplit(":", 1)[-1])
        if isinstance(el.tag, str) and el.tag.endswith("Ref") and ":" in (el.text or ""):
            el.text = (el.text or "").rsplit(":", 1)[-1]


def convert_file(
    root: ET.Element,
    file: str,
    organisation: str | None,
    taken_pids: set[str],
    slugger: Callable[..., str],
    unique: Callable[[str, set[str]], str],
    fresh: Callable[[], set[str]] = set,
    lang: str = "en",
) -> Conversion:
    """Every process of a `definitions` element; the caller checks the root element. Names
    and notes the import has to write are in `lang`."""
    conv = Conversion()
    from_qms = root.get("exporter") == "qms"
    unqualify(root)
    give_ids(root)
    ctx = _File(file, organisation or "", from_qms, slugger, unique, conv)
    ctx.taken_pids = taken_pids
    ctx.fresh = fresh
    ctx.lang = lang
    for el in root:
        tag = local(el.tag)
        if tag in ROOT_NAMED or tag in GLOBAL_TASKS:
            ctx.names[el.get("id", "")] = " ".join((el.get("name") or "").split())
            if tag in GLOBAL_TASKS:
                ctx.global_tasks.add(el.get("id", ""))
        elif tag in TRIGGERS:
            ctx.definitions[el.get("id", "")] = tag
        elif tag == "category":
            for value in el.findall(f"{M}categoryValue"):
                ctx.categories[value.get("id", "")] = " ".join((value.get("value") or "").split())
        elif el.tag.startswith(M) and tag not in ROOT_SUPPORT:
            ctx.record(tag, DROPPED, el.get("id", ""), "unknown")  # a choreography, ...
    ctx.bounds = _bounds(root)

    pool_names: dict[str, str] = {}
    blackboxes: list[ET.Element] = []
    in_file = {p.get("id", "") for p in root.findall(f"{M}process")}
    for collab in root.findall(f"{M}collaboration"):
        for part in collab.findall(f"{M}participant"):
            ref = part.get("processRef")
            if ref in in_file:  # a pool whose process is elsewhere is a black box here
                pool_names[ref] = " ".join((part.get("name") or "").split())
            else:
                blackboxes.append(part)
        for child in collab:
            tag = local(child.tag)
            if tag == "group":
                ctx.pending_groups.append(child)
            elif tag in ("textAnnotation", "association"):
                ctx.collab_artifacts.append(child)
            elif tag not in ("participant", "messageFlow", "documentation", "extensionElements"):
                ctx.record(tag, DROPPED, child.get("id", ""), "unknown")
    _adopt(root, ctx)
    processes = [
        p
        for p in root.findall(f"{M}process")
        if p.get("id", "") in pool_names or any(local(c.tag) in FLOW_NODES for c in p)
    ]
    for process in root.findall(f"{M}process"):
        if process not in processes:  # no flow node and no pool: whatever it holds is lost
            for child in process:
                tag = local(child.tag)
                if child.tag.startswith(M) and tag not in QUIET:
                    how = "flow-dangling" if tag == "sequenceFlow" else "unknown"
                    ctx.record(tag, DROPPED, child.get("id", ""), how)
    planned: list[tuple[ET.Element, str, str, dict[str, Any]]] = []
    for process in processes:
        meta = read_meta(process)
        if not (organisation or meta.get("organisation")):
            raise NeedOrganisation
        name = pool_names.get(process.get("id", "")) or " ".join(
            (process.get("name") or "").split()
        )
        base = meta.get("id") if re.match(ID_PATTERN, meta.get("id", "")) else None
        own = slugger(name, "") or slugger(process.get("id", ""), "process")
        pid = unique(base or own, taken_pids)
        ctx.process_of_id[process.get("id", "")] = pid
        planned.append((process, pid, name, meta))
    for collab in root.findall(f"{M}collaboration"):
        for part in collab.findall(f"{M}participant"):
            ref = part.get("processRef")
            if ref in ctx.process_of_id:
                ctx.pools[part.get("id", "")] = ("process", ctx.process_of_id[ref])
                ctx.record("participant", CONVERTED, part.get("id", ""), "participant")
    for part in blackboxes:
        name = " ".join((part.get("name") or "").split()) or part.get("id", "")
        ctx.pools[part.get("id", "")] = ("party", name)
    for process, pid, name, meta in planned:
        ctx.organisation = organisation or meta["organisation"]
        convert_container(process, pid, name, meta, ctx)
    _groups(ctx)
    _collaboration_notes(ctx)
    _message_flows(root, ctx)
    for part in blackboxes:
        pid_ = part.get("id", "")
        if pid_ in ctx.touched:
            ctx.record("participant", CONVERTED, pid_, "participant-blackbox")
        else:
            ctx.record("participant", DROPPED, pid_, "participant-unused")
    return conv


def summary_rows(records: list[Record]) -> list[tuple[str, int, int, int, list[str]]]:
    """(kind, kept, converted, dropped, how-keys) per kind, in a stable order."""
    counts: dict[str, Counter[str]] = {}
    hows: dict[str, list[str]] = {}
    for r in records:
        counts.setdefault(r.kind, Counter())[r.outcome] += 1
        if r.how and r.how not in hows.setdefault(r.kind, []):
            hows[r.kind].append(r.how)
    return [
        (kind, c[KEPT], c[CONVERTED], c[DROPPED], hows.get(kind, []))
        for kind, c in sorted(counts.items())
    ]


def how_text(key: str, lang: str) -> str:
    """The sentence that says how a kind was converted or why it was dropped."""
    msg = HOW.get(key)
    return make_text(msg)["fi" if lang == "fi" else "en"] if msg else key
