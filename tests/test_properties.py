"""Property-based tests: random valid workspaces load and validate without an exception, and
randomly mutated ones give findings, never exceptions.

The strategies draw whole workspaces (an organisation with roles, processes with flows,
decisions, loops and hand-offs, a project with goals, a plan) from ids and texts that include
Finnish letters, quotes, braces and markup, and write them as YAML the way a person would.
"""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qms.lint import lint
from qms.load import load
from tests.conftest import requires_dot

IDS = st.text(
    alphabet=string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12
).filter(lambda s: s[0].isalnum())
TEXTS = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="äöåÄÖÅ<>&\"'{}|\\"
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def process(draw: Any, pid: str, roles: list[str], goals: list[str], others: list[str]) -> dict:
    count = draw(st.integers(min_value=2, max_value=8))
    ids = [f"s{i}" for i in range(count)]
    steps: list[dict[str, Any]] = []
    for i, sid in enumerate(ids):
        step: dict[str, Any] = {
            "id": sid,
            "name": draw(TEXTS),
            "role": draw(st.sampled_from(roles)),
        }
        if i == 0:
            step["kind"] = "start"
        if i == count - 1:
            step["kind"] = "end"
        elif i > 0 and draw(st.booleans()):
            step["kind"] = "decision"
            back = ids[draw(st.integers(min_value=0, max_value=i - 1))]  # no self-loop
            step["next"] = {"kyllä": ids[i + 1], "ei": back}
        else:
            step["next"] = [ids[i + 1]]
        steps.append(step)
    doc: dict[str, Any] = {
        "kind": "process",
        "id": pid,
        "organisation": "org",
        "name": {"fi": draw(TEXTS), "en": draw(TEXTS)},
        "type": draw(st.sampled_from(["management", "core", "support"])),
        "owner": draw(st.sampled_from(roles)),
        "purpose": draw(TEXTS),
        "realizes": draw(st.lists(st.sampled_from(goals), max_size=2, unique=True)),
        "steps": steps,
    }
    if others:
        doc["outputs"] = [{"name": draw(TEXTS), "to": draw(st.sampled_from(others))}]
    return doc


@st.composite
def workspace(draw: Any) -> dict[str, dict]:
    roles = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    goals = [f"G{i}" for i in range(1, draw(st.integers(min_value=1, max_value=5)) + 1)]
    pids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    files: dict[str, dict] = {
        "qms.yaml": {"kind": "workspace", "name": draw(TEXTS), "as_of": dt.date(2013, 1, 1)},
        "project.yaml": {
            "kind": "project",
            "id": "hanke",
            "name": draw(TEXTS),
            "goals": [{"id": g, "name": draw(TEXTS)} for g in goals],
        },
        "org/organisation.yaml": {
            "kind": "organisation",
            "id": "org",
            "name": draw(TEXTS),
            "roles": [{"id": r, "name": draw(TEXTS)} for r in roles],
            "commits_to": goals[:1],
        },
    }
    for pid in pids:
        others = [p for p in pids if p != pid]
        files[f"org/processes/{pid}.yaml"] = draw(process(pid, roles, goals, others))
    return files


def write(root: Path, files: dict[str, dict]) -> None:
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@SETTINGS
@given(files=workspace())
def test_random_valid_workspaces_load_and_validate(tmp_path_factory: Any, files: dict) -> None:
    root = tmp_path_factory.mktemp("ws")
    write(root, files)
    loaded = load(root)
    assert loaded.fatal is None
    assert [f for f in loaded.findings if f.code in ("QMS001", "QMS002")] == []
    result = lint(loaded)
    assert not [f for f in result.findings if f.code in ("QMS000", "QMS003", "QMS004")]
    assert loaded.workspace is not None
    assert len(loaded.workspace.processes) == len([f for f in files if "/processes/" in f])


MUTATIONS = st.sampled_from(["drop-key", "rename-key", "retype", "truncate", "garbage", "swap-id"])


@SETTINGS
@given(files=workspace(), mutation=MUTATIONS, pick=st.integers(min_value=0), cut=st.floats(0, 1))
def test_mutated_workspaces_give_findings_not_exceptions(
    tmp_path_factory: Any, files: dict, mutation: str, pick: int, cut: float
) -> None:
    root = tmp_path_factory.mktemp("ws")
    write(root, files)
    names = sorted(files)
    target = root / names[pick % len(names)]
    data = yaml.safe_load(target.read_text("utf-8"))
    keys = [k for k in data if k != "kind"]
    key = keys[pick % len(keys)]
    if mutation == "drop-key":
        data.pop(key)
        target.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    elif mutation == "rename-key":
        data[key + "x"] = data.pop(key)
        target.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    elif mutation == "retype":
        data[key] = [[{"x": 1}]]
        target.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    elif mutation == "truncate":
        text = target.read_text("utf-8")
        target.write_text(text[: int(len(text) * cut)], "utf-8")
    elif mutation == "garbage":
        target.write_bytes(target.read_bytes() + b"\n\t: [ \xff\n")
    else:
        data["id"] = "Ä Ö"
        target.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    loaded = load(root)
    result = lint(loaded)
    assert not [f for f in result.findings if f.code == "QMS000"], "a rule raised"
    if mutation in ("rename-key", "retype", "garbage", "swap-id"):
        assert result.findings or loaded.fatal, f"{mutation} of {target.name}:{key} went unnoticed"


PIPELINE = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@requires_dot
@PIPELINE
@given(files=workspace())
def test_random_workspaces_go_through_every_output(tmp_path_factory: Any, files: dict) -> None:
    """load -> validate -> DOT -> HTML, Markdown, DOCX, BPMN without an exception, and the
    exported BPMN re-imports to the same flow graph (steps, branches and their targets)."""
    from qms.bpmn.export import bpmn_files
    from qms.bpmn.import_ import import_files
    from qms.export.docx import to_docx
    from qms.export.html import portal
    from qms.export.manual import build_manuals
    from qms.export.markdown import markdown_files
    from qms.render import diagram_jobs

    root = tmp_path_factory.mktemp("ws")
    write(root, files)
    loaded = load(root)
    ws = loaded.workspace
    assert ws is not None
    result = lint(loaded)
    jobs, failures = diagram_jobs(ws, "fi")
    assert failures == [] and len(jobs) >= len(ws.processes)
    manuals = build_manuals(ws, None, "fi", result)
    assert portal(manuals, None)
    assert markdown_files(manuals, None)
    for manual in manuals:
        assert to_docx(manual, None).startswith(b"PK")
    exported = bpmn_files(ws, "fi")
    assert len(exported) == len(ws.processes)
    out = tmp_path_factory.mktemp("bpmn")
    for rel, data in exported.items():
        (out / rel.replace("/", "__")).write_bytes(data)
    imported = import_files(sorted(str(p) for p in out.iterdir()), "org")
    back = {
        doc["id"]: doc
        for doc in (yaml.safe_load(text) for text in imported.files.values())
        if doc.get("kind") == "process"
    }
    for process in ws.processes:
        again = back[process.id]
        assert [s["id"] for s in again["steps"]] == [s.id for s in process.steps]
        for step, other in zip(process.steps, again["steps"], strict=True):
            targets = other.get("next", [])
            if isinstance(targets, dict):
                targets = list(targets.values())
            targets = [t["to"] if isinstance(t, dict) else t for t in targets]
            assert sorted(targets) == sorted(b.to for b in step.next), step.id
