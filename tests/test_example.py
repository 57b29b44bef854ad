"""`example:` on every element kind, inherited downward, counted in the validate summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from qms.cli import cli
from qms.example import count_examples, example_of, examples
from qms.load import load
from qms.model import Organisation, Process, Step, WorkspaceSettings

FILES = {
    "qms.yaml": "kind: workspace\nname: T\n",
    "project.yaml": "kind: project\nid: p\nname: P\ngoals:\n  - {id: G1, name: Yksi}\n",
    "organisations/o/organisation.yaml": (
        "kind: organisation\nid: o\nname: O\ncommits_to: [G1]\n"
        "roles:\n"
        "  - {id: r, name: R, example: true}\n"
        "  - {id: s, name: S}\n"
        "documents:\n"
        "  - {id: d, name: D, example: {reason: ei raportissa}}\n"
    ),
    "organisations/o/processes/p.yaml": (
        "kind: process\nid: p\norganisation: o\nname: P\nrealizes: [G1]\n"
        "example: {reason: {fi: keksitty kulku, en: invented flow}}\n"
        "steps:\n"
        "  - {id: a, name: A, kind: start, next: [b]}\n"
        "  - {id: b, name: B, kind: end, example: false}\n"
    ),
    "organisations/o/plan.yaml": (
        "kind: plan\nid: s\norganisation: o\nname: S\nexample: true\n"
        "actions:\n  - {id: a1, what: A, realizes: [G1]}\n"
    ),
    "organisations/o/metrics.yaml": (
        "kind: metrics\norganisation: o\nmetrics:\n"
        "  - {id: m, name: M, realizes: [G1], example: {reason: keksitty}}\n"
    ),
    "organisations/o/results.yaml": (
        "kind: results\norganisation: o\nresults:\n"
        "  - {period: k, goal: G1, text: T, example: true}\n"
    ),
}


def test_every_kind_takes_the_mark(make_workspace: Callable[[dict[str, str]], Path]) -> None:
    loaded = load(str(make_workspace(FILES)))
    assert loaded.workspace is not None
    assert [f for f in loaded.findings if f.severity == "error"] == []
    found = {(m.kind, m.element) for m in examples(loaded.workspace)}
    assert found == {
        ("role", "o/r"),
        ("document", "o/d"),
        ("process", "o/p"),
        ("step", "o/p/a"),
        ("plan", "o/s"),
        ("action", "o/s/a1"),
        ("metric", "o/m"),
        ("result", "o/G1/k"),
    }
    assert count_examples(loaded.workspace) == 8


def test_inherited_with_reason_and_overridden_by_false() -> None:
    settings = WorkspaceSettings(kind="workspace", name="T", example=True)
    org = Organisation(kind="organisation", id="o", name="O")
    proc = Process(kind="process", id="p", organisation="o", name="P", example={"reason": "R"})
    step = Step(id="a", name="A")
    assert example_of(settings, org) is not None
    marked = example_of(settings, org, proc, step)
    assert marked is not None and marked.reason == "R"
    assert example_of(settings, org, proc, Step(id="b", name="B", example=False)) is None
    assert example_of(None, org, Step(id="c", name="C")) is None
    bare = example_of(proc, Step(id="d", name="D", example=True))
    assert bare is not None and bare.reason == "R"


def test_workspace_mark_makes_everything_an_example(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    files = dict(FILES)
    files["qms.yaml"] = "kind: workspace\nname: T\nexample: {reason: koulutusaineisto}\n"
    ws = load(str(make_workspace(files))).workspace
    assert ws is not None
    kinds = {m.kind for m in examples(ws)}
    assert {"workspace", "organisation", "role", "process", "step", "plan", "action"} <= kinds
    # the step marked `false` stays sourced
    assert all(m.element != "o/p/b" for m in examples(ws))


def test_validate_summary_counts_examples(
    make_workspace: Callable[[dict[str, str]], Path], runner: CliRunner
) -> None:
    root = str(make_workspace(FILES))
    for _ in range(2):  # cold, then from the kept state
        out = runner.invoke(cli, ["validate", root, "--lang", "fi"])
        assert "Esimerkkisisältöä (example:): 8 osaa" in out.stderr, out.stderr
    out = runner.invoke(cli, ["validate", root, "--lang", "en"])
    assert "Example content (example:): 8 elements" in out.stderr


def test_a_bad_mark_is_a_located_finding(make_workspace: Callable[[dict[str, str]], Path]) -> None:
    files = dict(FILES)
    files["organisations/o/plan.yaml"] = (
        "kind: plan\nid: s\norganisation: o\nname: S\nexample: maybe\nactions: []\n"
    )
    loaded = load(str(make_workspace(files)))
    bad = [f for f in loaded.findings if f.file == "organisations/o/plan.yaml"]
    assert bad and bad[0].code == "QMS002" and bad[0].line == 5


def test_marks_walked_down_agree_with_each_elements_chain() -> None:
    """`examples` passes each mark down from its parent; `example_of` of the element's whole
    chain (the organisation looked up by id, whatever its case) must give the same answer,
    element by element, on LAMPPU (whose example content spans every kind of element)."""
    from qms.example import organisation_of

    ws = load(Path(__file__).parent.parent / "models" / "lamppu").workspace
    assert ws is not None
    marked = {(m.kind, m.element): m.reason for m in examples(ws)}
    top = ws.settings
    chains: dict[tuple[str, str], tuple[object, ...]] = {("workspace", ""): (top,)}
    for org in ws.organisations:
        chains["organisation", org.id] = (top, org)
        for role in org.roles:
            chains["role", f"{org.id}/{role.id}"] = (top, org, role)
    for p in ws.processes:
        chain = (top, organisation_of(ws, p.organisation), p)
        chains["process", f"{p.organisation}/{p.id}"] = chain
        for step in p.steps:
            chains["step", f"{p.organisation}/{p.id}/{step.id}"] = (*chain, step)
    for plan in ws.plans:
        chain = (top, organisation_of(ws, plan.organisation), plan)
        for action in plan.actions:
            chains["action", f"{plan.organisation}/{plan.id}/{action.id}"] = (*chain, action)
    for metrics in ws.metrics:
        org_ = organisation_of(ws, metrics.organisation)
        for metric in metrics.metrics:
            chains["metric", f"{metrics.organisation}/{metric.id}"] = (top, org_, metric)
    expected = {k: m.reason for k, c in chains.items() if (m := example_of(*c)) is not None}
    assert expected, "LAMPPU has example content"
    assert {k: v for k, v in marked.items() if k in chains} == expected
    assert count_examples(ws) == len(marked)
