"""`qms serve` rebuilds only what a save changed, and its pages are a full build's bytes.

Each edit below is saved into a copy of LAMPPU, the running site rebuilds from what it kept
(qms/memo.py), and a fresh site builds everything from nothing: every file must be the same
bytes. The edits reach each kind of input a kept page or diagram is made from: a step's
wording (one flow, one organisation's pages), a process's name (its organisation's menu and
the hand-offs of other organisations that name it), a metric's values (the charts), a
structural change that other organisations' findings see, a deleted process (links to its
page from other organisations are dropped) and the workspace's date (every page).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from qms.serve import Site
from tests.conftest import LAMPPU, requires_dot

KAO = "organisations/kao/processes"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _step_wording(ws: Path) -> None:
    _replace(
        ws / KAO / "laadunhallinta.yaml",
        "name: Päivitetään laatustrategia,",
        "name: Päivitetään yhdessä laatustrategia,",
    )


def _process_name(ws: Path) -> None:
    _replace(
        ws / "organisations/jedu/processes/toimintajarjestelman-rakentaminen.yaml",
        "fi: Yhteisen sähköisen toimintajärjestelmän rakentaminen",
        "fi: Yhteisen toimintajärjestelmän rakentaminen",
    )


def _metric_values(ws: Path) -> None:
    path = ws / "organisations/jedu/metrics.yaml"
    _replace(path, "{period: syksy-2012, value: 20,", "{period: syksy-2012, value: 27,")


def _structure(ws: Path) -> None:
    path = ws / "organisations/jedu/processes/toimintajarjestelman-rakentaminen.yaml"
    _replace(path, "resources:\n", "resources:\n  - Uusi resurssi\n")


def _deleted(ws: Path) -> None:
    (ws / "organisations/redu/processes/verkoston-koordinointi.yaml").unlink()


def _as_of(ws: Path) -> None:
    _replace(ws / "qms.yaml", "as_of: 2013-01-31", "as_of: 2014-06-30")


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("step wording", _step_wording),
    ("process name", _process_name),
    ("metric values", _metric_values),
    ("structure", _structure),
    ("deleted process", _deleted),
    ("as-of date", _as_of),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Site]:
    ws = tmp_path_factory.mktemp("serve") / "lamppu"
    shutil.copytree(LAMPPU, ws)
    site = Site(str(ws))
    state = site.rebuild()
    assert state.errors == []
    return ws, site


@requires_dot
def test_every_edit_rebuilds_to_the_bytes_of_a_full_build(served: tuple[Path, Site]) -> None:
    ws, site = served
    pages = sum(1 for rel in site.files if rel.endswith(".html"))
    for what, edit in EDITS:
        edit(ws)
        assert site.rebuild().errors == [], what
        fresh = Site(str(ws), site.lang)  # the server's language is fixed when it starts
        assert fresh.rebuild().errors == [], what
        assert sorted(site.files) == sorted(fresh.files), what
        differ = [rel for rel in fresh.files if site.files[rel] != fresh.files[rel]]
        assert differ == [], f"{what}: {differ[:5]}"
        made = site.kept.last
        assert fresh.kept.last["page"] >= pages - 5, what  # a fresh site makes every page
        if what == "step wording":
            # One flow laid out again; the edited organisation's pages and the home page,
            # nothing of the six others.
            org_pages = sum(1 for rel in site.files if rel.startswith("kao/"))
            assert made["dot"] == 1, made
            assert 1 <= made["page"] <= org_pages + 1, (made, org_pages)


@requires_dot
def test_a_rebuild_with_nothing_changed_makes_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "lamppu"
    shutil.copytree(LAMPPU, ws)
    site = Site(str(ws))
    site.rebuild()
    before = dict(site.files)
    site.rebuild()
    assert site.files == before
    assert sum(site.kept.last.values()) == 0, site.kept.last
