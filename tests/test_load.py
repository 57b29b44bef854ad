"""The loader: positions and messages for syntax, schema and reference errors, exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qms import rules
from qms.lint import lint
from qms.load import load
from qms.report import to_text

WS = "kind: workspace\nname: Testi\nlanguage: fi\nas_of: 2013-01-01\n"
ORG = """kind: organisation
id: demo
name: Demo
roles:
  - {id: talousjohtaja, name: Talousjohtaja}
"""
PROJECT = """kind: project
id: hanke
name: Hanke
goals:
  - {id: G1, name: Yksi}
  - {id: G2, name: Kaksi}
"""

Make = Callable[[dict[str, str]], Path]


def report(root: Path, lang: str = "en") -> str:
    """The text report of a workspace, as `qms validate .` prints it inside it."""
    result = lint(load(root), rules=[rules.get("QMS003"), rules.get("QMS004")])
    result.root = "."
    return to_text(result, lang)


def test_clean_workspace_loads_every_kind(make_workspace: Make) -> None:
    root = make_workspace({"qms.yaml": WS, "org.yaml": ORG, "project.yaml": PROJECT})
    loaded = load(root)
    assert loaded.findings == []
    assert loaded.workspace is not None
    assert [o.id for o in loaded.workspace.organisations] == ["demo"]
    assert [g.id for g in loaded.workspace.projects[0].goals] == ["G1", "G2"]
    assert loaded.workspace.organisations[0].source == "org.yaml"


def test_syntax_error_position_and_hint(make_workspace: Make) -> None:
    root = make_workspace(
        {"qms.yaml": WS, "p.yaml": "kind: process\nid: x\nname: Talous: budjetti\n"}
    )
    assert report(root) == (
        "p.yaml:3:13: QMS001 error: YAML syntax error: mapping values are not allowed in this "
        "context; check this line's indentation, and put a text that holds ': ' in quotes\n"
    )


def test_tab_indentation_is_explained(make_workspace: Make) -> None:
    root = make_workspace({"qms.yaml": WS, "p.yaml": "kind: process\nsteps:\n\t- id: a\n"})
    out = report(root)
    assert out.startswith("p.yaml:3:1: QMS001 error: YAML syntax error: ")
    assert out.endswith("; indent with spaces, not tabs\n")


def test_every_schema_error_of_a_file_is_reported(make_workspace: Make) -> None:
    process = """kind: process
id: talous
organisation: demo
name: Talous
levle: 2
status: aproved
steps:
  - {id: alku, kind: strat, name: Alku, nxet: [loppu]}
  - {id: Loppu ja jatko, kind: end, name: Loppu}
"""
    root = make_workspace({"qms.yaml": WS, "org.yaml": ORG, "p.yaml": process})
    assert report(root).splitlines() == [
        "p.yaml:5:1: QMS002 error: levle: unknown key 'levle'; did you mean 'level'?",
        "p.yaml:6:9: QMS002 error: status: 'aproved' is not one of: draft, approved, retired;"
        " did you mean 'approved'? (left out: this value; the checks of this element wait until"
        " it is fixed)",
        "p.yaml:8:22: QMS002 error: steps[0].kind: 'strat' is not one of: start, task, decision,"
        " subprocess, event, end, parallel, inclusive, event-based, complex; did you mean"
        " 'start'? (left out: this value; the checks of this element wait until it is fixed)",
        "p.yaml:8:41: QMS002 error: steps[0].nxet: unknown key 'nxet'; did you mean 'next'?",
        "p.yaml:9:10: QMS002 error: steps[1].id: 'Loppu ja jatko' is not a valid id: use letters"
        " a-z and A-Z, digits, '-', '_' and '.', starting with a letter or digit (Finnish"
        " letters belong in names); did you mean 'Loppu-ja-jatko'? (left out: the item steps[1]"
        " (id 'Loppu ja jatko'); the rest of the file is checked)",
    ]


def test_finnish_messages(make_workspace: Make) -> None:
    root = make_workspace({"qms.yaml": WS, "org.yaml": ORG.replace("name: Demo", "nmae: Demo")})
    assert report(root, "fi") == (
        "org.yaml:1:1: QMS002 virhe: name: pakollinen avain 'name' puuttuu\n"
        "org.yaml:3:1: QMS002 virhe: nmae: tuntematon avain 'nmae'; tarkoititko 'name'?\n"
    )


def test_misspelt_key_does_not_hide_a_wrong_reference_in_the_same_file(
    make_workspace: Make,
) -> None:
    process = """kind: process
id: talous
organisation: demo
name: Talous
ownr: talousjohtaja
realizes: [G3]
"""
    root = make_workspace(
        {"qms.yaml": WS, "org.yaml": ORG, "project.yaml": PROJECT, "p.yaml": process}
    )
    assert report(root).splitlines() == [
        "p.yaml:5:1: QMS002 error: ownr: unknown key 'ownr'; did you mean 'owner'?",
        "p.yaml:6:12: QMS004 error: realizes[0]: unknown goal 'G3'; known: G1, G2",
    ]


def test_reference_errors_suggest_the_nearest_id(make_workspace: Make) -> None:
    process = """kind: process
id: talous
organisation: demo
name: Talous
owner: talousjohtja
steps:
  - {id: alku, kind: start, name: Alku, role: talousjohtaja, next: [lopu]}
  - {id: loppu, kind: end, name: Loppu, role: talousjohtaja}
"""
    root = make_workspace({"qms.yaml": WS, "org.yaml": ORG, "p.yaml": process})
    assert report(root).splitlines() == [
        "p.yaml:5:8: QMS004 error: owner: unknown role 'talousjohtja'; did you mean "
        "'talousjohtaja'?",
        "p.yaml:7:69: QMS004 error: steps[0].next[0]: unknown step 'lopu'; did you mean 'loppu'?",
    ]


def test_decision_branches_in_map_form_resolve_to_their_line(make_workspace: Make) -> None:
    process = """kind: process
id: talous
organisation: demo
name: Talous
steps:
  - id: paatos
    kind: decision
    name: Hyväksytäänkö?
    next:
      kyllä: loppu
      ei: korjaus
  - {id: loppu, kind: end, name: Loppu}
"""
    root = make_workspace({"qms.yaml": WS, "org.yaml": ORG, "p.yaml": process})
    assert report(root) == (
        "p.yaml:11:11: QMS004 error: steps[0].next.ei: unknown step 'korjaus'; "
        "known: paatos, loppu\n"
    )


def test_yaml_1_1_booleans_stay_text(make_workspace: Make) -> None:
    process = """kind: process
id: talous
organisation: demo
name: Talous
status: approved
approved: {by: yhtymähallitus, on: 2012-05-01}
steps:
  - {id: p, kind: decision, name: Ok?, next: {yes: e, no: e}}
  - {id: e, kind: end, name: Loppu}
"""
    root = make_workspace({"qms.yaml": WS, "org.yaml": ORG, "p.yaml": process})
    loaded = load(root)
    assert loaded.findings == []
    assert loaded.workspace is not None
    proc = loaded.workspace.processes[0]
    assert proc.approved is not None and str(proc.approved.on) == "2012-05-01"
    assert [b.label for b in proc.steps[0].next] == ["yes", "no"]


def test_duplicate_key_is_an_error_not_last_wins(make_workspace: Make) -> None:
    root = make_workspace({"qms.yaml": WS, "org.yaml": ORG + "name: Toinen\n"})
    assert report(root) == (
        "org.yaml:6:1: QMS001 error: the key 'name' appears twice in one mapping "
        "(first at line 3)\n"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "e.yaml:1:1: QMS001 error: the file is empty; a model file starts with `kind:`\n"),
        (
            "- a\n- b\n",
            "e.yaml:1:1: QMS001 error: the file does not hold a mapping (key: value); "
            "a model file starts with `kind:`\n",
        ),
        (
            "id: x\n",
            "e.yaml:1:1: QMS002 error: the document has no `kind:` key; start it with one of: "
            "workspace, project, organisation, process, plan, metrics, results, criteria, "
            "assessment\n",
        ),
        (
            "kind: proces\n",
            "e.yaml:1:7: QMS002 error: kind: unknown kind 'proces'; did you mean 'process'?; the"
            " kinds are: workspace, project, organisation, process, plan, metrics, results,"
            " criteria, assessment\n",
        ),
        (
            "kind: organisation\nid: a\nname: A\n---\nkind: organisation\nid: b\nname: B\n",
            "e.yaml:4:1: QMS001 error: the file holds more than one YAML document; put each in a"
            " file of its own\n",
        ),
    ],
    ids=["empty", "list", "no-kind", "unknown-kind", "two-documents"],
)
def test_whole_file_problems(make_workspace: Make, content: str, expected: str) -> None:
    root = make_workspace({"qms.yaml": WS, "e.yaml": content})
    assert report(root) == expected


def test_not_utf8_points_at_the_byte(tmp_path: Path) -> None:
    (tmp_path / "qms.yaml").write_text(WS, encoding="utf-8")
    (tmp_path / "org.yaml").write_bytes(b"kind: organisation\nid: a\nname: J\xe4rvi\n")
    assert report(tmp_path) == (
        "org.yaml:3:8: QMS001 error: the file is not UTF-8 text (byte 0xe4); save it as UTF-8\n"
    )


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "qms.yaml").write_bytes("\ufeff".encode() + WS.encode())
    loaded = load(tmp_path)
    assert loaded.findings == []
    assert loaded.workspace is not None and loaded.workspace.settings.name == "Testi"


def test_symlink_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: organisation\nid: secret\nname: S\n", encoding="utf-8")
    root = tmp_path / "ws"
    root.mkdir()
    (root / "qms.yaml").write_text(WS, encoding="utf-8")
    (root / "link.yaml").symlink_to(outside)
    loaded = load(root)
    assert loaded.workspace is not None and loaded.workspace.organisations == ()
    [finding] = loaded.findings
    assert finding.code == "QMS001" and finding.file == "link.yaml"
    assert "leads outside the workspace" in finding.message("en")


def test_missing_workspace_is_fatal(tmp_path: Path) -> None:
    loaded = load(tmp_path)
    assert loaded.workspace is None
    assert loaded.fatal is not None
    assert "has no qms.yaml" in loaded.fatal["en"]
    assert "puuttuu qms.yaml" in loaded.fatal["fi"]
    assert load(tmp_path / "nope").fatal is not None
