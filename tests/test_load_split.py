"""A cold load on two cores (qms/load/split.py) gives exactly what the serial load gives.

The helper's folders come back pickled; the documents, findings (with their positions),
texts and unloaded documents must be those of a load in one process, on a workspace with
every kind of problem a file can have, with and without the document cache; a helper that
fails must leave the caller to load its folders.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qms.load import Loaded, core, load, split
from tests.conftest import LAMPPU

BROKEN = {
    # a syntax error, a repeated key, a schema error that is salvaged, one that is not, and a
    # value outside the model (a bad date), in three organisations
    "organisations/kao/processes/rikki.yaml": "kind: process\nid: rikki\nname: [unclosed\n",
    "organisations/redu/processes/kahdesti.yaml": (
        "kind: process\nid: kahdesti\norganisation: redu\nname: A\nname: B\n"
    ),
    "organisations/redu/processes/outo.yaml": (
        "kind: process\nid: outo\norganisation: redu\nname: Outo\nowner: x\n"
        "type: core\nlevel: 2\ntuntematon: 1\nsteps: []\n"
    ),
    "organisations/sakk/processes/laji.yaml": "kind: prosessi\nid: laji\n",
    "organisations/sakk/processes/paiva.yaml": (
        "kind: process\nid: paiva\norganisation: sakk\nname: Päivä\nowner: x\ntype: core\n"
        "level: 2\nreviewed: 2027-02-30\nsteps: []\n"
    ),
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """LAMPPU with broken files in three organisation folders."""
    root = tmp_path / "ws"
    shutil.copytree(LAMPPU, root)
    for rel, text in BROKEN.items():
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _seen(loaded: Loaded) -> tuple[Any, ...]:
    ws = loaded.workspace
    assert ws is not None
    texts = {rel: loaded.sources.text(rel) for rel in loaded.files}
    docs = [(d.source, d) for d in ws.documents()]
    return loaded.findings, docs, texts, ws.unloaded, loaded.files


@pytest.fixture
def helped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Let a helper take (nearly) every folder of even a small workspace; the list records
    how many folders each helper was given."""
    given: list[int] = []
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    monkeypatch.setattr(core, "their_share", lambda sizes, kept=0: 1)
    real = core._theirs

    def spy(plan: Any) -> list[int]:
        theirs = real(plan)
        given.append(len(theirs))
        return theirs

    monkeypatch.setattr(core, "_theirs", spy)
    return given


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_a_split_load_is_the_serial_load(
    broken: Path, helped: list[int], cache: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "cache"))
    if not cache:
        monkeypatch.setenv("QMS_CACHE", "0")
    serial = load(broken, packs=False)
    assert {f.file for f in serial.findings} >= set(BROKEN)  # the problems are there
    assert serial.workspace is not None and serial.workspace.unloaded
    if not split.wanted([1]):
        pytest.skip("no fork or a single core here")
    first = load(broken, split=True)
    assert helped and helped[-1] > 0, "the helper was given folders"
    assert _seen(first) == _seen(serial)
    again = load(broken, split=True)  # through the packs the helper wrote, if any
    assert _seen(again) == _seen(serial)
    if cache:
        assert helped[-1] == 0, "the helper's packs were written and are found"


def test_a_failing_helper_leaves_its_folders_to_the_caller(
    broken: Path, helped: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not split.wanted([1]):
        pytest.skip("no fork or a single core here")
    monkeypatch.setenv("QMS_CACHE", "0")
    serial = load(broken, packs=False)
    pid = os.getpid()

    def fails(group: Any) -> Any:
        if os.getpid() != pid:  # only in the helper
            raise RuntimeError("the helper breaks")
        return core._sent(group)

    monkeypatch.setattr(core, "_sent", fails)
    assert _seen(load(broken, split=True)) == _seen(serial)
    assert helped[-1] > 0


def test_the_helper_takes_the_share_that_finishes_both_together() -> None:
    sizes = [100] * 10
    start = split.their_share(sizes)
    # the helper also pickles what it parsed before the caller can take it: it parses less
    assert start == 6
    helper = sum(sizes[start:]) * (1 + split.HELPER)
    caller = sum(sizes[:start])
    assert abs(helper - caller) <= 100
    # cached packs to take over leave the helper more to parse
    assert split.their_share(sizes, kept=3000) < start
    assert split.their_share([100]) == 1  # never everything
    assert not split.wanted([split.MIN_BYTES - 1])


BUILT = """
import sys
from qms.load import load
import qms.model as m

loaded = load(sys.argv[1], files=["qms.yaml", sys.argv[2]], packs=False)
assert loaded.workspace is not None and not loaded.findings, loaded.findings
print(sorted(n for n, c in vars(m).items() if getattr(c, "__pydantic_complete__", False)))
"""


def test_loading_one_process_builds_only_the_validators_it_needs() -> None:
    """A run after one edit loads qms.yaml and the edited file: the other document classes'
    validators (and the Workspace's, which holds them all) are never built."""
    rel = "organisations/redu/processes/aluevaikuttavuus.yaml"
    proc = subprocess.run(
        [sys.executable, "-c", BUILT, str(LAMPPU), rel], capture_output=True, text=True, check=True
    )
    built = set(ast.literal_eval(proc.stdout))
    needed = {"Process", "WorkspaceSettings"}
    assert needed <= built <= {*needed, "RuleConfig"}


def test_the_assembled_workspace_is_the_validated_one() -> None:
    """`assemble` skips validating the Workspace (its documents are validated): the result
    is what validating them again gives."""
    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None
    fields = {name: getattr(ws, name) for name in type(ws).model_fields}
    assert type(ws).model_validate(fields) == ws


def _validated(root: Path, cache: Path, one_shot: bool) -> tuple[Any, ...]:
    """A cold run's outcome and everything it kept: the state (its stand-ins' token aside),
    the stand-ins and the document cache's packs."""
    from qms import incremental

    shutil.rmtree(cache, ignore_errors=True)
    outcome = incremental._validate(str(root), False, None, True, one_shot)
    folder = incremental._folder(str(root))
    assert folder is not None and outcome.mode == "cold"
    state = incremental._read_state(folder)
    assert state is not None
    ghosts = incremental._read_ghosts(folder, state)
    state.ghosts = bool(state.ghosts)  # type: ignore[assignment]  # random: only whether set
    packs = sorted(p.name for p in (cache / "documents").glob("*.pickle"))
    kept = (ghosts.unloaded, ghosts.documents, ghosts.marks) if ghosts else None
    order = list(state.wide), list(state.entries)  # dicts compare equal in any order
    return outcome.result.findings, outcome.result.exit_code(), state, order, kept, packs


@pytest.fixture
def aside(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Let even a small workspace be checked on two cores (`lint_aside`); the list records
    the helpers' process ids."""
    if not split.wanted([split.MIN_BYTES]):
        pytest.skip("no fork or a single core here")
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    helpers: list[int] = []
    real = split.Helper

    class Spy(real):  # type: ignore[misc,valid-type]
        def __init__(self, work: Any) -> None:
            super().__init__(work)
            helpers.append(self.pid)

    monkeypatch.setattr(split, "Helper", Spy)
    monkeypatch.setattr(core, "Helper", Spy)
    return helpers


OPTIONS = """rules:
  extends: recommended
  options:
    no-such-rule: {limit: 1}
    QMS004: {nonsense: 2}
"""


@pytest.mark.parametrize("where", ["lamppu", "broken", "options"])
def test_checking_on_two_cores_keeps_what_a_serial_run_keeps(
    where: str, broken: Path, aside: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Findings (with positions), exit code, state, stand-ins and packs of the command's cold
    run, with the workspace rules and the writing done by a helper, are the serial run's;
    also with options set wrongly in qms.yaml (reported with the first rule that runs, a
    file rule, and with a workspace rule)."""
    root = LAMPPU if where == "lamppu" else broken
    if where == "options":
        root = tmp_path / "optioned"
        shutil.copytree(LAMPPU, root)
        settings = root / "qms.yaml"
        text = settings.read_text(encoding="utf-8")
        assert "rules:\n  extends: recommended\n" in text
        settings.write_text(text.replace("rules:\n  extends: recommended\n", OPTIONS), "utf-8")
    cache = tmp_path / "cache"
    monkeypatch.setenv("QMS_CACHE_DIR", str(cache))
    serial = _validated(root, cache, one_shot=False)
    assert not aside, "the serial run forked nothing"
    assert serial[0], "there are findings to compare"
    assert (serial[4] is not None) == (where != "broken"), "stand-ins unless salvaged"
    if where == "options":
        said = [f.text["en"] for f in serial[0] if f.file == "qms.yaml"]
        assert any("no-such-rule" in t for t in said) and any("nonsense" in t for t in said)
    assert _validated(root, cache, one_shot=True) == serial
    assert len(aside) >= 2, "a helper loaded, another checked"


def test_a_failing_checker_leaves_its_rules_and_writing_to_the_caller(
    broken: Path, aside: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from qms import incremental

    cache = tmp_path / "cache"
    monkeypatch.setenv("QMS_CACHE_DIR", str(cache))
    serial = _validated(broken, cache, one_shot=False)
    pid = os.getpid()
    real = incremental._aside

    def fails(folder: Any, loaded: Any) -> bytes:
        if os.getpid() != pid:
            os._exit(3)  # the helper dies before sending anything
        return real(folder, loaded)

    monkeypatch.setattr(incremental, "_aside", fails)
    assert _validated(broken, cache, one_shot=True) == serial
    assert aside
