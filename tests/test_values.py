"""Finnish and Swedish names for every enumerated value; values named in the message's language."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.lint import lint
from qms.load import load
from qms.model import Action, Process, Result, Risk, Step
from qms.values import ALL, aliases, canonical, name_of

Make = Callable[[dict[str, str]], Path]


@pytest.mark.parametrize(
    ("model", "field", "written", "meant"),
    [
        (Step, "kind", "päätös", "decision"),
        (Step, "kind", "Paatos", "decision"),
        (Step, "kind", "beslut", "decision"),
        (Action, "status", "valmis", "done"),
        (Action, "status", "aloitettu", "started"),
        (Action, "phase", "tarkistus", "check"),
        (Action, "phase", "genomförande", "do"),
        (Result, "status", "ei aloitettu", "not-started"),
        (Risk, "likelihood", "suuri", "high"),
        (Process, "type", "tukiprosessi", "support"),
        (Process, "status", "hyväksytty", "approved"),
    ],
)
def test_aliases_are_read_as_the_value(model: type, field: str, written: str, meant: str) -> None:
    base = {
        Step: {"id": "a", "name": "A"},
        Action: {"id": "a", "what": "A"},
        Result: {"period": "k", "goal": "G1", "text": "T"},
        Risk: {"name": "R"},
        Process: {"kind": "process", "id": "p", "organisation": "o", "name": "P"},
    }[model]
    assert getattr(model.model_validate(base | {field: written}), field) == meant


def test_every_value_has_a_finnish_and_a_swedish_name() -> None:
    for names in ALL:
        for value, (fi, sv) in names.items():
            assert fi and sv, value
            assert canonical(fi[0], names) == value and canonical(sv[0], names) == value
        spoken = [canonical(a, names) for a in aliases(names)]
        assert set(spoken) <= set(names)


def test_the_schema_offers_the_names(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    assert CliRunner().invoke(cli, ["schema", "-o", str(out)]).exit_code == 0
    schema = out.read_text(encoding="utf-8")
    for name in ("päätös", "valmis", "tarkistus", "tukiprosessi", "beslut", "saavutettu"):
        assert json.dumps(name, ensure_ascii=False) in schema or f'"{name}"' in schema, name


def test_messages_name_values_in_their_language(make_workspace: Make) -> None:
    files = {
        "qms.yaml": "kind: workspace\nname: T\nas_of: 2014-12-31\n",
        "plan.yaml": (
            "kind: plan\nid: s\norganisation: o\nname: S\nactions:\n"
            "  - {id: a1, what: A, when: 2014-05-01, status: aloitettu}\n"
            "  - {id: a2, what: B, when: 2014-05-01, status: valmsi}\n"
        ),
    }
    loaded = load(str(make_workspace(files)))
    found = lint(loaded).findings
    overdue = next(f for f in found if f.code == "QMS302")
    assert "tila on yhä aloitettu" in overdue.message("fi")
    assert "is still started" in overdue.message("en")
    bad = next(f for f in found if f.code == "QMS002")
    fi = bad.message("fi")
    assert "suunniteltu, aloitettu, tehty, luovuttu" in fi and "'valmis'" in fi
    assert "planned" not in fi
    assert "planned, started, done, dropped" in bad.message("en")


def test_name_of_falls_back_to_the_value() -> None:
    assert name_of("started", "sv") == "påbörjad"
    assert name_of("started", "en") == "started"
    assert name_of("no-such", "fi") == "no-such"
