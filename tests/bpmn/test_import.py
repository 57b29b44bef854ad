"""BPMN import: fixtures in the shapes real tools write, round trips, and bad input."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from qms.bpmn.export import bpmn_files
from qms.bpmn.import_ import BpmnImportError, Imported, import_files, report
from qms.cli import cli
from qms.index import Index
from qms.load import load
from qms.model import text
from tests.bpmn.helpers import lamppu, lamppu_bpmn, structure, workspace_copy
from tests.conftest import DATA

FIXTURES = DATA / "bpmn"


def _imported(name: str, organisation: str | None = "redu") -> tuple[dict[str, Any], Imported]:
    result = import_files([str(FIXTURES / name)], organisation)
    docs = {k: yaml.safe_load(v) for k, v in result.files.items()}
    return docs, result


def _outcomes(result: Imported) -> dict[tuple[str, str], str]:
    """(kind, element id) -> kept / converted / dropped."""
    return {(r.kind, r.id): r.outcome for r in result.records}


def _steps(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in doc["steps"]}


def _load_clean(tmp_path: Path, files: dict[str, str]) -> None:
    """The imported files load into a workspace without a schema finding."""
    (tmp_path / "qms.yaml").write_text("kind: workspace\nname: t\n", encoding="utf-8")
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    loaded = load(tmp_path)
    assert loaded.workspace is not None
    assert [f for f in loaded.findings if f.code in ("QMS001", "QMS002")] == []
    assert len(loaded.workspace.processes) == len(files)


def test_bpmn_io_file_keeps_boundary_event_data_note_and_join(tmp_path: Path) -> None:
    docs, result = _imported("bpmnio-simple.bpmn")
    assert list(docs) == ["palautteen-kasittely.yaml"]
    doc = docs["palautteen-kasittely.yaml"]
    assert next(iter(doc)) == "kind" and doc["organisation"] == "redu"
    steps = _steps(doc)
    assert steps["palaute-saapuu"]["kind"] == "start"
    decision = steps["vaatiiko-toimenpiteita"]
    assert decision["kind"] == "decision"
    assert decision["next"] == {"kyllä": "korjataan-asia", "ei": "join"}
    assert steps["join"] == {
        "id": "join",
        "kind": "decision",
        "name": "",
        "next": ["palaute-kasitelty"],
    }, "the join stays explicit"
    assert steps["viikko-kulunut"] == {
        "id": "viikko-kulunut",
        "kind": "event",
        "name": "Viikko kulunut",
        "trigger": "timer",
        "attached_to": "korjataan-asia",
        "next": ["eskaloidaan-johdolle"],
    }, "the deadline escalation keeps its own path"
    reading = steps["luetaan-palaute"]
    assert reading["description"].startswith("Palaute luetaan")
    assert reading["produces"] == ["palauterekisteri"]
    assert reading["notes"] == ["Tavoite: vastaus viikossa"]
    assert doc["documents"] == [{"id": "palauterekisteri", "name": "Palauterekisteri"}]
    assert all("role" not in s for s in steps.values())
    outcomes = _outcomes(result)
    assert outcomes[("boundaryEvent (timer)", "Event_1t2i3m4")] == "kept"
    assert outcomes[("dataObjectReference", "DataObjectReference_0q8w7e6")] == "converted"
    assert outcomes[("textAnnotation", "TextAnnotation_0n1o2t3")] == "converted"
    assert outcomes[("sequenceFlow", "Flow_1esc000")] == "kept"
    assert "dropped" not in outcomes.values()
    _load_clean(tmp_path, result.files)


def test_camunda_file_keeps_gateway_types_task_types_and_triggers() -> None:
    docs, result = _imported("camunda-lanes.bpmn")
    doc = docs["opiskelijapalaute.yaml"]
    assert doc["name"] == "Opiskelijapalaute", "the pool's name"
    steps = _steps(doc)
    assert steps["kerataan-palaute"]["task_type"] == "user"
    assert steps["kerataan-palaute"]["next"] == ["split"]
    assert steps["split"]["kind"] == "parallel", "a parallel split stays parallel"
    assert steps["join"]["kind"] == "parallel", "and so does its join: never an XOR"
    assert steps["mita-tehdaan"]["kind"] == "inclusive"
    assert steps["mita-tehdaan"]["next"][0] == {
        "to": "tehdaan-parannus",
        "label": "parannettavaa",
        "condition": "${improve}",
    }
    assert steps["jakso-paattyy"]["trigger"] == "timer"
    audit = steps["sisainen-auditointi"]
    assert audit["kind"] == "subprocess" and "call" not in audit
    assert "internal-audit" in audit["notes"][0]
    assert result.missing_calls == {
        "internal-audit": [f"{FIXTURES / 'camunda-lanes.bpmn'}: Activity_0audit"]
    }
    assert steps["jakso-paattyy"]["role"] == "opinto-ohjaaja"
    assert result.roles["redu"]["laatupaallikko"] == "Laatupäällikkö"
    assert result.unowned == {"redu": ["opiskelijapalaute"]}


def test_what_the_import_writes_is_in_the_chosen_language(tmp_path: Path) -> None:
    """The names it gives (an added start) and its notes (a call to a process not in the
    file) are model content: in Finnish for a Finnish run."""
    result = import_files([str(FIXTURES / "camunda-lanes.bpmn")], "redu", lang="fi")
    steps = _steps(yaml.safe_load(result.files["opiskelijapalaute.yaml"]))
    assert steps["sisainen-auditointi"]["notes"] == [
        "kutsuu prosessia internal-audit (internal-audit), joka ei ollut tuodussa tiedostossa"
    ]
    xml = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p" name="P"><task id="a" name="A"/>
    <intermediateThrowEvent id="t"><signalEventDefinition/></intermediateThrowEvent>
    <sequenceFlow id="f" sourceRef="a" targetRef="t"/></process></definitions>"""
    path = tmp_path / "p.bpmn"
    path.write_bytes(xml)
    names = {
        s["id"]: s["name"]
        for s in yaml.safe_load(import_files([str(path)], "o", "fi").files["p.yaml"])["steps"]
    }
    assert names == {"start": "Alku", "a": "A", "t": "Signaali (tapahtuma)", "end": "Loppu"}


def test_signavio_file_keeps_message_flow_as_hand_off(tmp_path: Path) -> None:
    docs, result = _imported("signavio-pools.bpmn")
    assert sorted(docs) == ["koulutuksen-jarjestaja.yaml", "tyopaikka.yaml"]
    provider = docs["koulutuksen-jarjestaja.yaml"]
    steps = _steps(provider)
    assert steps["odotetaan-vastausta"]["kind"] == "event-based"
    assert steps["odotetaan-vastausta"]["next"] == ["sopimus-allekirjoitettu", "kaksi-viikkoa"]
    assert steps["sopimus-allekirjoitettu"]["trigger"] == "message"
    assert steps["sopimus-allekirjoitettu"]["catch"] is True, "a message catch event catches"
    assert steps["kaksi-viikkoa"]["trigger"] == "timer" and "catch" not in steps["kaksi-viikkoa"]
    assert provider["outputs"] == [
        {"name": "Sopimus", "to": "tyopaikka", "step": "laaditaan-sopimus"}
    ]
    assert docs["tyopaikka.yaml"]["inputs"] == [
        {"name": "Sopimus", "from": "koulutuksen-jarjestaja", "step": "allekirjoitetaan-sopimus"}
    ]
    outcomes = _outcomes(result)
    assert outcomes[("participant", "sid-pool-ministry")] == "dropped", "no message flow"
    assert outcomes[("messageFlow", "sid-msg-0001")] == "converted"
    _load_clean(tmp_path, result.files)


def test_file_without_di_with_an_embedded_subprocess(tmp_path: Path) -> None:
    docs, result = _imported("no-di-subprocess.bpmn")
    main = docs["uuden-opettajan-perehdytys.yaml"]
    inner = docs["uuden-opettajan-perehdytys-perehdytysjakso.yaml"]
    steps = _steps(main)
    assert steps["perehdytysjakso"]["kind"] == "subprocess"
    assert steps["perehdytysjakso"]["call"] == inner["id"]
    assert steps["perehdytys-riittava"]["kind"] == "complex"
    assert [s["id"] for s in inner["steps"]] == [
        "jakso-alkaa",
        "esitellaan-tyoyhteiso",
        "kaydaan-lapi-laatukasikirja",
        "jakso-paattyy",
    ]
    assert main["description"] == "Perehdytys alkaa työsopimuksesta."
    assert _outcomes(result)[("subProcess", "sp1")] == "converted"
    _load_clean(tmp_path, result.files)


def test_jbpm_shaped_file_with_qnames_nested_lanes_and_latin1(tmp_path: Path) -> None:
    """Prefix bpmn2, references as QNames (tns:...), ISO-8859-1, no DI, lanes three deep,
    a boundary event no lane lists, two answers that lead to the same step."""
    docs, result = _imported("jbpm-latin1.bpmn")
    steps = _steps(docs["reklamaation-kasittely.yaml"])
    assert steps["7-paivaa"] == {
        "id": "7-paivaa",
        "kind": "event",
        "name": "7 päivää",
        "role": "laatupaallikko",
        "trigger": "timer",
        "timer": {"duration": "P7D"},
        "attached_to": "selvitetaan-syy",
        "interrupting": False,
        "next": ["eskaloidaan-johdolle"],
    }, "attachedToRef='tns:Task_selvitys' names the task; the event sits in its lane"
    assert steps["reklamaatio-saapuu"]["role"] == "neuvoja", "the innermost lane"
    assert steps["split"]["kind"] == steps["join"]["kind"] == "parallel"
    assert steps["selvitetaan-syy"]["loop"] == "sequential"
    assert steps["ratkaistiinko"]["next"] == [
        {"to": "reklamaatio-ratkaistu", "label": "kyllä", "condition": "return hyvaksytty;"},
        {"to": "reklamaatio-ratkaistu", "label": "ei", "default": True},
    ], "both answers stay, though they lead to the same step"
    assert steps["eskaloitu"]["trigger"] == "escalation"
    assert result.roles == {"redu": {"laatupaallikko": "Laatupäällikkö", "neuvoja": "Neuvoja"}}
    outcomes = _outcomes(result)
    assert outcomes[("potentialOwner", "PO_1")] == "dropped"
    assert outcomes[("lane", "Lane_yksikko")] == "converted"
    assert "catch event" not in {r.kind for r in result.records}, "no event turned into a start"
    _load_clean(tmp_path, result.files)


def test_three_pools_in_utf16_with_other_prefixes(tmp_path: Path) -> None:
    """Default BPMN namespace, DI under prefixes a:, b:, c:, UTF-16 with a byte-order mark,
    three pools (one a black box), message flows between steps and whole pools, a
    conversation and a choreography that have no place in a qms process."""
    docs, result = _imported("three-pools.bpmn")
    assert sorted(docs) == ["oppilaitos.yaml", "tyopaikka.yaml"]
    school, workplace = docs["oppilaitos.yaml"], docs["tyopaikka.yaml"]
    assert school["inputs"] == [
        {"name": "Hakemus", "from": "Hakija", "step": "kasitellaan-hakemus"},
        {"name": "Vastaus", "from": "tyopaikka", "step": "vastaus-saatu"},
    ]
    assert school["outputs"] == [
        {"name": "Päätös", "to": "Hakija", "step": "ilmoitetaan-paatos"},
        {"name": "Harjoittelupyyntö", "to": "tyopaikka", "step": "pyydetaan-harjoittelupaikka"},
    ]
    assert workplace["outputs"] == [{"name": "Vastaus", "to": "oppilaitos"}]
    assert school["phases"] == [
        {"id": "hakuvaihe", "name": "Hakuvaihe", "steps": ["hakemus-saapuu", "kasitellaan-hakemus"]}
    ], "the group's shape encloses two steps"
    steps = _steps(school)
    assert steps["kasitellaan-hakemus"]["systems"] == ["Opiskelijarekisteri"]
    assert steps["kasitellaan-hakemus"]["notes"] == ["Hakuaika päättyy 15.3."]
    assert steps["pyydetaan-harjoittelupaikka"]["role"] == "opinto-ohjaaja"
    outcomes = _outcomes(result)
    assert outcomes[("choreography", "Chor_1")] == "dropped"
    assert outcomes[("conversation", "Conv_1")] == "dropped"
    assert outcomes[("participant", "P_hakija")] == "converted"
    shown = report(result, "en")
    assert "choreography" in shown and "conversation" in shown
    _load_clean(tmp_path, result.files)


def test_two_processes_without_pools_call_each_other_by_qname(tmp_path: Path) -> None:
    """No collaboration: every process with flow nodes is a process file; a call through a
    QName, a transaction with a cancel boundary event and a compensation inside it, a link
    pair and an ad-hoc sub-process."""
    docs, result = _imported("two-processes-no-pools.bpmn")
    assert sorted(docs) == [
        "hankinta-tarkastetaan-toimitus.yaml",
        "hankinta-tilataan-ja-maksetaan.yaml",
        "hankinta.yaml",
        "kilpailutus.yaml",
    ]
    main = _steps(docs["hankinta.yaml"])
    assert main["kilpailutetaan"]["call"] == "kilpailutus", "calledElement='tns:Kilpailutus'"
    assert result.missing_calls == {}
    assert main["tilataan-ja-maksetaan"]["call"] == "hankinta-tilataan-ja-maksetaan"
    assert main["tilaus-peruttu"]["trigger"] == "cancel"
    assert main["tilaus-peruttu"]["attached_to"] == "tilataan-ja-maksetaan"
    assert main["vastaanottoon"]["link"] == main["vastaanotto"]["link"] == "A"
    inner = _steps(docs["hankinta-tilataan-ja-maksetaan.yaml"])
    assert inner["comp"]["attached_to"] == "maksetaan"
    assert inner["comp"]["next"] == ["perutaan-maksu"]
    assert inner["perutaan-maksu"]["compensation"] is True
    timer = _steps(docs["kilpailutus.yaml"])["tarjousaika-paattyy"]["timer"]
    assert timer == {"date": "2027-03-31T16:00:00+02:00"}
    outcomes = _outcomes(result)
    assert outcomes[("transaction", "tilaus")] == "converted"
    assert outcomes[("adHocSubProcess", "tarkastus")] == "converted"
    _load_clean(tmp_path, result.files)


def test_a_call_of_a_global_task_is_not_a_missing_process(tmp_path: Path) -> None:
    xml = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <globalUserTask id="gt" name="Hyvaksytaan"/>
  <process id="p" name="P">
    <startEvent id="s" name="S"/>
    <callActivity id="c" name="Kutsu" calledElement="gt"/>
    <endEvent id="e" name="E"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="c"/>
    <sequenceFlow id="f2" sourceRef="c" targetRef="e"/>
  </process>
</definitions>"""
    path = tmp_path / "g.bpmn"
    path.write_bytes(xml)
    result = import_files([str(path)], "org")
    step = _steps(yaml.safe_load(result.files["p.yaml"]))["kutsu"]
    assert "call" not in step and step["notes"] == ["calls the global task Hyvaksytaan (gt)"]
    assert result.missing_calls == {}
    assert _outcomes(result)[("callActivity", "c")] == "converted"


def test_elements_without_ids_and_a_pool_whose_process_is_elsewhere(tmp_path: Path) -> None:
    """The schema makes `id` optional: two tasks without one are two steps, not one lost.
    A pool whose process is in another file is the outside party of its message flow."""
    xml = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <collaboration id="c">
    <participant id="pp" name="Oma" processRef="p"/>
    <participant id="po" name="Toinen" processRef="other-file-process"/>
    <messageFlow id="m" name="Tilaus" sourceRef="po" targetRef="s"/>
  </collaboration>
  <process id="p" name="P">
    <startEvent id="s" name="S"><messageEventDefinition/></startEvent>
    <task name="A"/>
    <task name="B"/>
    <endEvent id="e" name="E"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="e"/>
  </process>
</definitions>"""
    path = tmp_path / "n.bpmn"
    path.write_bytes(xml)
    result = import_files([str(path)], "org")
    doc = yaml.safe_load(result.files["oma.yaml"])
    steps = _steps(doc)
    assert steps["a"]["kind"] == steps["b"]["kind"] == "task"
    assert doc["inputs"] == [{"name": "Tilaus", "from": "Toinen", "step": "s"}]
    outcomes = _outcomes(result)
    assert outcomes[("task", "task_1")] == outcomes[("task", "task_2")] == "kept"
    assert outcomes[("participant", "po")] == "converted"
    _load_clean(tmp_path, result.files)


def test_names_without_latin_letters_give_ids_from_the_element_ids(tmp_path: Path) -> None:
    """A name that has no ASCII form (Chinese, Japanese, ...) cannot make an id: the element's
    own id does, not a run of `step`, `step-2`, ... that says nothing."""
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="Process_CN" name="采购流程">
    <laneSet id="ls"><lane id="Lane_Buy" name="采购部"><flowNodeRef>Task_Order</flowNodeRef>
    </lane></laneSet>
    <startEvent id="s" name="开始"/>
    <task id="Task_Order" name="下订单"/>
    <endEvent id="e" name="结束"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="Task_Order"/>
    <sequenceFlow id="f2" sourceRef="Task_Order" targetRef="e"/>
  </process>
</definitions>"""
    path = tmp_path / "cjk.bpmn"
    path.write_text(xml, encoding="utf-8")
    result = import_files([str(path)], "org")
    doc = yaml.safe_load(result.files["process_cn.yaml"])
    assert doc["name"] == "采购流程"
    assert [(s["id"], s["name"]) for s in doc["steps"]] == [
        ("s", "开始"),
        ("task_order", "下订单"),
        ("e", "结束"),
    ]
    assert result.roles == {"org": {"lane_buy": "采购部"}}
    _load_clean(tmp_path, result.files)


def test_lanes_that_list_no_steps_take_the_steps_drawn_in_them(tmp_path: Path) -> None:
    """Some tools draw the lanes and leave out flowNodeRef: the diagram still says who does
    what, so each step takes the lane its shape's centre lies in (said in the report)."""
    xml = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:di="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="d" targetNamespace="x">
  <process id="p" name="P">
    <laneSet id="ls"><lane id="l1" name="Opettaja"/><lane id="l2" name="Rehtori"/></laneSet>
    <startEvent id="s" name="S"/><task id="a" name="A"/><endEvent id="e" name="E"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
    <sequenceFlow id="f2" sourceRef="a" targetRef="e"/>
  </process>
  <di:BPMNDiagram id="dg"><di:BPMNPlane id="pl" bpmnElement="p">
    <di:BPMNShape id="l1_di" bpmnElement="l1"><dc:Bounds x="0" y="0" width="600" height="100"/>
    </di:BPMNShape>
    <di:BPMNShape id="l2_di" bpmnElement="l2"><dc:Bounds x="0" y="100" width="600" height="100"/>
    </di:BPMNShape>
    <di:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="50" y="32" width="36" height="36"/>
    </di:BPMNShape>
    <di:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="150" y="110" width="100" height="80"/>
    </di:BPMNShape>
  </di:BPMNPlane></di:BPMNDiagram>
</definitions>"""
    path = tmp_path / "lanes.bpmn"
    path.write_bytes(xml)
    result = import_files([str(path)], "org")
    steps = _steps(yaml.safe_load(result.files["p.yaml"]))
    assert steps["s"]["role"] == "opettaja" and steps["a"]["role"] == "rehtori"
    assert "role" not in steps["e"], "no shape, no lane"
    assert _outcomes(result)[("lane membership", "a")] == "converted"
    assert "the lane its shape is drawn in" in report(result, "en")


def test_an_embedded_sub_process_keeps_the_lanes_of_its_steps(tmp_path: Path) -> None:
    """Steps inside an expanded sub-process are done in the lane that lists them, else in the
    sub-process's own lane; an added start or end is drawn in the lane of its step."""
    xml = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p" name="P">
    <laneSet id="ls">
      <lane id="l1" name="Opettaja"><flowNodeRef>s</flowNodeRef><flowNodeRef>sp</flowNodeRef>
        <flowNodeRef>e</flowNodeRef></lane>
      <lane id="l2" name="Rehtori"><flowNodeRef>b</flowNodeRef></lane>
    </laneSet>
    <startEvent id="s" name="S"/>
    <subProcess id="sp" name="Arviointi">
      <task id="a" name="A"/><task id="b" name="B"/>
      <sequenceFlow id="i1" sourceRef="a" targetRef="b"/>
    </subProcess>
    <endEvent id="e" name="E"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="sp"/>
    <sequenceFlow id="f2" sourceRef="sp" targetRef="e"/>
  </process>
</definitions>"""
    path = tmp_path / "sp.bpmn"
    path.write_bytes(xml)
    result = import_files([str(path)], "org")
    inner = _steps(yaml.safe_load(result.files["p-arviointi.yaml"]))
    assert {sid: step.get("role") for sid, step in inner.items()} == {
        "start": "opettaja",
        "a": "opettaja",
        "b": "rehtori",
        "end": "rehtori",
    }
    _load_clean(tmp_path, result.files)


def test_implicit_starts_and_ends_and_unlabelled_branches_are_made_explicit(
    tmp_path: Path,
) -> None:
    xml = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="p" name="P">
    <task id="a" name="A"/>
    <exclusiveGateway id="x"/>
    <task id="b" name="B"/><task id="c" name="C"/>
    <sequenceFlow id="f1" sourceRef="a" targetRef="x"/>
    <sequenceFlow id="f2" sourceRef="x" targetRef="b"/>
    <sequenceFlow id="f3" name="no" sourceRef="x" targetRef="c"/>
  </process>
</definitions>"""
    path = tmp_path / "p.bpmn"
    path.write_bytes(xml)
    result = import_files([str(path)], "org")
    steps = _steps(yaml.safe_load(result.files["p.yaml"]))
    assert steps["start"] == {"id": "start", "kind": "start", "name": "Start", "next": ["a"]}
    assert steps["b"]["next"] == ["end"] and steps["c"]["next"] == ["end"]
    assert steps["split"]["next"] == {"B": "b", "no": "c"}, "labelled by its target"
    assert steps["split"]["name"] == "B / no?"
    kinds = {r.kind for r in result.records if r.outcome == "converted"}
    assert {"implicit start", "implicit end", "branch label", "name"} <= kinds
    text_ = report(result, "en")
    assert "implicit start" in text_ and "BPMN's implicit start and end" in text_


def test_the_report_is_one_table_by_kind_with_ids_on_request() -> None:
    result = import_files([str(FIXTURES / "signavio-pools.bpmn")], "redu")
    short = report(result, "en")
    lines = short.splitlines()
    assert lines[0] == "What the import did with each kind of BPMN element:"
    assert lines[1].split() == ["kind", "kept", "converted", "dropped", "how"]
    assert sum(1 for line in lines if line.strip().startswith("sequenceFlow")) == 1
    assert "sid-msg-0001" not in short and "--ids" in short
    assert "sid-msg-0001" in report(result, "en", ids=True)
    assert "roles:" in short and '- {id: opettaja, name: "Opettaja"}' in short
    assert "Mitä tuonti teki" in report(result, "fi")


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_round_trip_keeps_steps_lanes_flows_and_labels(tmp_path: Path, lang: str) -> None:
    exported = lamppu_bpmn() if lang == "fi" else bpmn_files(lamppu(), lang)
    folder = tmp_path / "bpmn"
    for name, data in exported.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    result = import_files([str(folder / name) for name in sorted(exported)])
    assert result.notes == []
    assert {r.outcome for r in result.records} <= {"kept", "converted"}
    index = Index.build(lamppu())
    ws_copy = workspace_copy(tmp_path)
    for (org, pid), process in sorted(index.processes.items()):
        doc = yaml.safe_load(result.files[f"{pid}.yaml"])
        assert doc["organisation"] == org and doc["owner"] == process.owner
        assert doc.get("realizes", []) == list(process.realizes)
        assert doc.get("metrics", []) == list(process.metrics)
        got = {s["id"]: s for s in doc["steps"]}
        assert list(got) == [s.id for s in process.steps], "steps keep the model's order"
        for step in process.steps:
            new = got[step.id]
            assert new["kind"] == step.kind and new["name"] == text(step.name, lang)
            assert new.get("role") == step.role and new.get("call") == step.call
            branches = new.get("next", [])
            if isinstance(branches, dict):
                pairs = [(to, label) for label, to in branches.items()]
            else:
                pairs = [(b, "") if isinstance(b, str) else (b["to"], b["label"]) for b in branches]
            assert pairs == [(b.to, text(b.label, lang)) for b in step.next], (pid, step.id)
        target = ws_copy / Path(process.source)
        target.write_text(result.files[f"{pid}.yaml"], encoding="utf-8")
    loaded = load(ws_copy)
    assert loaded.workspace is not None
    again = bpmn_files(loaded.workspace, lang)
    assert set(again) == set(exported)
    for name in exported:
        assert structure(again[name]) == structure(exported[name]), name
    assert again == exported, "everything BPMN carries survives: the bytes are the same"


def test_round_trip_of_a_split_and_a_step_without_role(tmp_path: Path) -> None:
    from tests.bpmn.test_export import FORK

    (tmp_path / "ws" / "org" / "processes").mkdir(parents=True)
    (tmp_path / "ws" / "qms.yaml").write_text("kind: workspace\nname: t\n")
    (tmp_path / "ws" / "org" / "organisation.yaml").write_text(
        "kind: organisation\nid: org\nname: Org\nroles: [{id: a, name: A}, {id: b, name: B}]\n"
    )
    (tmp_path / "ws" / "org" / "processes" / "rinnakkain.yaml").write_text(FORK)
    loaded = load(tmp_path / "ws")
    assert loaded.workspace is not None
    first = bpmn_files(loaded.workspace, "fi")["org/rinnakkain.bpmn"]
    (tmp_path / "r.bpmn").write_bytes(first)
    result = import_files([str(tmp_path / "r.bpmn")])
    doc = yaml.safe_load(result.files["rinnakkain.yaml"])
    steps = _steps(doc)
    assert steps["jako"]["next"] == ["yksi", "kaksi"]
    assert "role" not in steps["irrallinen"]
    (tmp_path / "ws" / "org" / "processes" / "rinnakkain.yaml").write_text(
        result.files["rinnakkain.yaml"]
    )
    reloaded = load(tmp_path / "ws")
    assert reloaded.workspace is not None
    second = bpmn_files(reloaded.workspace, "fi")["org/rinnakkain.bpmn"]
    assert structure(second) == structure(first)


# --- the command -----------------------------------------------------------------------------


def test_cli_writes_process_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["import", "bpmn", str(FIXTURES / "camunda-lanes.bpmn"), "-o", str(out)]
    done = runner.invoke(cli, [*args, "--organisation", "redu", "--lang", "en"])
    assert done.exit_code == 0, done.output
    written = out / "opiskelijapalaute.yaml"
    assert done.stdout.strip() == str(written)
    assert "startEvent (timer)" in done.stderr and "calls to processes" in done.stderr
    content = written.read_text(encoding="utf-8")
    assert content.splitlines()[1] == "kind: process"
    again = runner.invoke(cli, [*args, "--organisation", "redu", "--lang", "en"])
    assert again.exit_code == 2
    assert "exists; add --force" in again.stderr and "nothing was written" in again.stderr
    forced = runner.invoke(cli, [*args, "--organisation", "redu", "--force"])
    assert forced.exit_code == 0
    assert written.read_text(encoding="utf-8") == content, "import is deterministic"
    assert [p.name for p in out.iterdir()] == ["opiskelijapalaute.yaml"], "no temporary files"


def test_cli_asks_for_the_organisation_of_a_foreign_file(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        cli,
        ["import", "bpmn", str(FIXTURES / "bpmnio-simple.bpmn"), "-o", str(tmp_path / "o")],
    )
    assert done.exit_code == 2
    assert "--organisation ORG" in done.stderr
    assert not (tmp_path / "o").exists()


BAD = {
    "malformed.bpmn": "malformed.bpmn:5:5: not well-formed XML (mismatched tag)",
    "billion-laughs.bpmn": "refused: the file declares a DTD or entities",
    "xxe.bpmn": "external entities, XXE",
    "not-bpmn.xml": "not a BPMN 2.0 file: the root element is <svg>",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_refused_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    done = CliRunner().invoke(
        cli,
        [
            "import",
            "bpmn",
            str(FIXTURES / "signavio-pools.bpmn"),
            str(FIXTURES / name),
            "-o",
            str(out),
            "--organisation",
            "redu",
            "--lang",
            "en",
        ],
    )
    assert time.monotonic() - started < 5, "refused before any expansion"
    assert done.exit_code == 2
    assert BAD[name] in done.stderr
    assert "nothing was written" in done.stderr
    assert "Traceback" not in done.output
    assert not out.exists(), "not even the good file before it"


def test_bad_input_message_in_finnish(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        cli,
        ["import", "bpmn", str(FIXTURES / "xxe.bpmn"), "-o", str(tmp_path), "--lang", "fi"],
    )
    assert done.exit_code == 2
    assert "hylätty" in done.stderr and "mitään ei kirjoitettu" in done.stderr


def test_unreadable_and_duplicate_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BpmnImportError) as missing:
        import_files([str(tmp_path / "missing.bpmn")], "redu")
    assert "cannot read the file" in missing.value.text["en"]
    same = [str(FIXTURES / "camunda-lanes.bpmn")] * 2
    with pytest.raises(BpmnImportError) as twice:
        import_files(same, "redu")
    assert "process opiskelijapalaute is also made from" in twice.value.text["en"]
    with pytest.raises(BpmnImportError) as bad_org:
        import_files([str(FIXTURES / "camunda-lanes.bpmn")], "Not An Id")
    assert "--organisation Not An Id" in bad_org.value.text["en"]


def test_deeply_nested_subprocesses_are_refused(tmp_path: Path) -> None:
    model = b'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    nested = b"".join(
        b'<subProcess id="s%d"><task id="t%d" name="T"/>' % (i, i) for i in range(3000)
    )
    nested += b"</subProcess>" * 3000
    path = tmp_path / "deep.bpmn"
    path.write_bytes(
        b"<definitions " + model + b'><process id="p">' + nested + b"</process></definitions>"
    )
    done = CliRunner().invoke(
        cli, ["import", "bpmn", str(path), "-o", str(tmp_path / "o"), "--organisation", "x"]
    )
    assert done.exit_code == 2
    assert "nested too deeply" in done.stderr and "Traceback" not in done.output
    assert not (tmp_path / "o").exists()


def test_a_process_called_qms_is_checked_as_a_process_file(tmp_path: Path) -> None:
    """A process whose id is `qms` becomes `qms.yaml`, the name of the workspace's own file
    at its root: the import checks it where process files go, not as the workspace file."""
    source = tmp_path / "qms.bpmn"
    source.write_text(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="t"><process id="qms" name="QMS">'
        '<startEvent id="a"/><task id="b" name="Tehdään"/><endEvent id="c"/>'
        '<sequenceFlow id="f1" sourceRef="a" targetRef="b"/>'
        '<sequenceFlow id="f2" sourceRef="b" targetRef="c"/></process></definitions>',
        encoding="utf-8",
    )
    result = import_files([str(source)], "redu")
    assert sorted(result.files) == ["qms.yaml"]
    assert yaml.safe_load(result.files["qms.yaml"])["kind"] == "process"
