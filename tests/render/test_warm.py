"""`qms render` after an edit (qms/render/warm.py): it loads only the edited process files and
their organisations' files, and whatever the edit, the folder ends up byte for byte as a
render of the edited workspace into an empty folder."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from qms.cli import cli
from qms.render import DIAGRAM_CACHE, warm
from tests.conftest import LAMPPU, requires_dot
from tests.render.test_incremental import _leaves, _set, edit, files, random_edit

pytestmark = [pytest.mark.dot, requires_dot]

KAO = Path("organisations") / "kao" / "processes" / "mittaaminen.yaml"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of LAMPPU, with a cache folder of its own (the note and validate's state)."""
    monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(LAMPPU, tmp_path / "ws")
    return tmp_path / "ws"


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each `qms render` took the path after an edit (True) or loaded everything."""
    found: list[bool] = []
    real = warm.after_edit

    def spy(*args: object) -> object:
        done = real(*args)  # type: ignore[arg-type]
        found.append(done is not None)
        return done

    monkeypatch.setattr(warm, "after_edit", spy)
    return found


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The `files` of each `qms.load.load` call from now on."""
    import qms.load

    found: list[object] = []
    real = qms.load.load

    def counted(root: object, files: object = None, **kw: object) -> object:
        found.append(files)
        return real(root, files, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(qms.load, "load", counted)
    return found


def render(ws: Path, out: Path, fmt: str = "dot", lang: str | None = None) -> tuple[int, str]:
    """`qms render` in this process; (exit code, the notice line or '')."""
    args = ["render", str(ws), "-o", str(out), "--format", fmt]
    done = CliRunner().invoke(cli, [*args, *(["--lang", lang] if lang else [])])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    notice = [line for line in done.stderr.splitlines() if line.startswith("qms:")]
    return done.exit_code, "\n".join(notice)


def primed(ws: Path, out: Path, taken: list[bool], fmt: str = "dot") -> None:
    """Render until the path after an edit is open: the first render leaves the note and
    validate's state, the second takes the path."""
    for _ in range(2):
        assert render(ws, out, fmt)[0] == 0
    assert taken[-2:] == [False, True]


def same_as_fresh(ws: Path, out: Path, said: tuple[int, str], fmt: str = "dot") -> None:
    """The folder's files of format `fmt` and the notice are those of a render into an empty
    folder."""
    fresh = out.parent / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    assert render(ws, fresh, fmt) == said
    ours = {rel: data for rel, data in files(out).items() if rel.endswith(f".{fmt}")}
    assert ours == files(fresh)


def step_edit(ws: Path, rng: random.Random) -> str:
    """A value inside one process's steps changed: to a fresh text or to another value of
    the same file (a role, a call, a flow's target moved)."""
    path = rng.choice(sorted(ws.glob("organisations/*/processes/*.yaml")))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    leaves = [p for p in _leaves(data) if p[:1] == ("steps",)]
    where = rng.choice(leaves)
    values = sorted({str(v) for p in leaves for v in [_get(data, p)]})
    value = rng.choice([f"muutettu-{rng.randrange(1000)}", rng.choice(values)])
    _set(data, where, value)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return f"{path.relative_to(ws)}: {'/'.join(map(str, where))} = {value}"


def _get(data: object, path: tuple[object, ...]) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_render_what_a_fresh_render_gives(
    ws: Path, tmp_path: Path, taken: list[bool], seed: int
) -> None:
    """Edits inside steps (the path after an edit) mixed with any other edit of any file
    (a text or id changed, a file deleted or copied, qms.yaml): after each, the folder and
    the notice equal a fresh render's."""
    rng = random.Random(seed)
    out = tmp_path / "out"
    primed(ws, out, taken)
    for _ in range(10):
        what = step_edit(ws, rng) if rng.random() < 0.6 else random_edit(ws, rng)
        said = render(ws, out)
        try:
            same_as_fresh(ws, out, said)
        except AssertionError as err:
            raise AssertionError(what) from err
    assert any(taken[2::2])  # some renders took the path after an edit


def test_a_step_edit_loads_only_that_process(
    ws: Path, tmp_path: Path, taken: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    primed(ws, out, taken, "svg")
    loads = count_loads(monkeypatch)
    edit(ws / KAO, "name: Tutustutaan verkoston", "name: Tutustutaan tarkasti verkoston")
    said = render(ws, out, "svg")
    assert taken[-1] is True
    assert loads and all(f is not None and len(f) < 10 for f in loads)  # type: ignore[arg-type]
    monkeypatch.undo()
    same_as_fresh(ws, out, said, "svg")


def test_the_path_leaves_what_it_made_to_the_end_of_the_process(
    ws: Path, tmp_path: Path, taken: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the check, while the collector is still paused, and again after drawing, what
    the run made is kept and frozen (`keep_until_exit`, which does so in the `qms` script's
    process alone): no collection after the check, nor the process's end, walks it."""
    import gc

    out = tmp_path / "out"
    primed(ws, out, taken, "svg")
    kept: list[tuple[int, bool]] = []
    monkeypatch.setattr(
        warm, "keep_until_exit", lambda *objects: kept.append((len(objects), gc.isenabled()))
    )
    edit(ws / KAO, "name: Tutustutaan verkoston", "name: Tutustutaan tarkasti verkoston")
    said = render(ws, out, "svg")
    assert taken[-1] is True
    assert kept == [(0, False), (0, gc.isenabled())]
    monkeypatch.undo()
    same_as_fresh(ws, out, said, "svg")


def test_nothing_edited_loads_nothing_and_removes_what_a_render_would(
    ws: Path, tmp_path: Path, taken: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing edited since the last render, no file is loaded: the note, validate's
    state and the manifest vouch for every diagram. A file the manifest names for a diagram
    that no longer exists is still removed, as a render after an edit removes it."""
    from qms.render.engine import MANIFEST

    out = tmp_path / "out"
    primed(ws, out, taken)
    loads = count_loads(monkeypatch)
    said = render(ws, out)
    assert taken[-1] is True
    assert loads == []
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    drawn = out / "kao" / "mittaaminen.dot"
    orphan = drawn.with_name("vanha.dot")
    shutil.copy2(drawn, orphan)
    stamp = manifest["entries"]["kao/mittaaminen.dot"]
    manifest["entries"]["kao/vanha.dot"] = stamp
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert render(ws, out) == said
    assert taken[-1] is True
    assert loads == [["qms.yaml"]]  # the path after an edit removed it
    assert not orphan.exists()
    monkeypatch.undo()
    same_as_fresh(ws, out, said)


@pytest.mark.parametrize(
    "change",
    [
        "process name",
        "new file",
        "deleted file",
        "organisation",
        "settings",
        "process id",
        "note broken",
        "validate state broken",
        "other writer",
        "output deleted",
    ],
)
def test_what_the_path_cannot_vouch_for_renders_everything(
    ws: Path, tmp_path: Path, taken: list[bool], change: str
) -> None:
    out = tmp_path / "out"
    primed(ws, out, taken)
    cache = tmp_path / "cache"
    process = ws / KAO
    if change == "process name":  # the process map and the goal map read it
        edit(process, "  fi: Mittaaminen\n", "  fi: Mittaaminen ja arviointi\n")
    elif change == "new file":
        shutil.copy(process, process.with_name("kopio.yaml"))
    elif change == "deleted file":
        process.unlink()
    elif change == "organisation":
        edit(ws / "organisations/redu/organisation.yaml", "{fi: Talousjohtaja,", "{fi: Johtaja,")
    elif change == "settings":
        edit(ws / "qms.yaml", "language: fi", "language: en")
    elif change == "process id":
        edit(process, "id: mittaaminen", "id: mittaus")
    elif change == "note broken":
        edit(process, "name: Tutustutaan verkoston kumppanien mittareihin", "name: Tutustutaan")
        for note in (cache / "render").glob("*.json"):
            note.write_text('{"version": 1, "files": 3}', encoding="utf-8")
    elif change == "validate state broken":
        edit(process, "name: Tutustutaan verkoston kumppanien mittareihin", "name: Tutustutaan")
        for state in (cache / "validate").rglob("state.pickle"):
            state.write_bytes(b"not a pickle")
    elif change == "other writer":  # another render into the same folder, other formats
        edit(process, "name: Tutustutaan verkoston kumppanien mittareihin", "name: Tutustutaan")
        render(ws, out, "svg")
        edit(process, "name: Tutustutaan", "name: Tutustutaan verkoston kumppanien mittareihin")
    elif change == "output deleted":
        (out / "kao" / "mittaaminen.dot").unlink()
    said = render(ws, out)
    assert taken[-1] is False, change
    same_as_fresh(ws, out, said)
    assert render(ws, out)[1] == said[1]
    assert taken[-1] is True, change  # the full render left a note again


def test_the_comparison_fails_when_the_outline_forgets_a_field(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outline that leaves out the process's name would let a renamed process keep its
    old box on the process map: the comparison with a fresh render catches it."""
    monkeypatch.setattr(warm, "outline", lambda process: "same")
    out = tmp_path / "out"
    for _ in range(3):
        render(ws, out)
    edit(ws / KAO, "  fi: Mittaaminen\n", "  fi: Mittaaminen ja arviointi\n")
    said = render(ws, out)
    with pytest.raises(AssertionError):
        same_as_fresh(ws, out, said)


def test_the_note_holds_digests_not_texts(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render(ws, out)
    (note,) = (tmp_path / "cache" / "render").glob("*.json")
    data = json.loads(note.read_text(encoding="utf-8"))
    assert set(data["files"]) >= {"qms.yaml", KAO.as_posix()}
    assert "Mittaaminen" not in note.read_text(encoding="utf-8")
    assert (out / DIAGRAM_CACHE).is_file()


def test_maps_read_nothing_of_a_process_beyond_its_outline() -> None:
    """Every field of a process outside `warm.OUTLINE` (its example mark aside), given another
    process's value, leaves every process map and the goal map as they were: the path after
    an edit may keep them when the outline is unchanged."""
    from qms.index import Index
    from qms.load import load
    from qms.model import Process
    from qms.views import goal_map_view, process_map_view

    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None

    def maps(space: object) -> list[object]:
        index = Index.build(space)  # type: ignore[arg-type]
        found: list[object] = [goal_map_view(space, index, "fi")]  # type: ignore[arg-type]
        return found + [process_map_view(index, o, "fi") for o in index.organisations.values()]

    before = maps(ws)
    tried = []
    for name in Process.model_fields:
        if name in (*warm.OUTLINE, "example"):
            continue
        values = {repr(getattr(p, name)): getattr(p, name) for p in ws.processes}
        if len(values) < 2:
            continue
        for i, process in enumerate(ws.processes):
            other = next(v for r, v in values.items() if r != repr(getattr(process, name)))
            changed = list(ws.processes)
            changed[i] = process.model_copy(update={name: other})
            assert maps(ws.model_copy(update={"processes": changed})) == before, name
        tried.append(name)
    assert {"steps", "resources", "purpose", "owner"} <= set(tried)
    changed = list(ws.processes)
    changed[0] = ws.processes[0].model_copy(update={"name": "Toinen nimi"})
    assert maps(ws.model_copy(update={"processes": changed})) != before  # the test can fail


# --- a cold render keeps validate's state ----------------------------------------------------


def kept(cache: Path) -> tuple[object, bytes, object]:
    """The validate state kept in `cache` (its stand-ins' token blanked), its text store and
    its stand-ins."""
    import pickle

    (folder,) = (cache / "validate").iterdir()
    state = pickle.loads((folder / "state.pickle").read_bytes())
    ghosts = pickle.loads((folder / "ghosts.pickle").read_bytes())
    assert state.ghosts == ghosts.token  # they belong together
    state.ghosts = ghosts.token = b""
    return state, (folder / "texts.bin").read_bytes(), ghosts


def findings(ws: Path) -> tuple[str, list[object]]:
    """How `qms validate` ran on `ws` now (it keeps its state) and what it found."""
    from qms import incremental

    outcome = incremental.validate(str(ws))
    return outcome.mode, [(f.file, f.line, f.col, f.code, f.text) for f in outcome.result.findings]


def test_a_cold_render_keeps_the_state_a_cold_validate_keeps(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same state as `qms validate`'s, and after an edit `qms validate` runs as it
    would after a cold `qms validate` and prints the same."""
    render(ws, tmp_path / "out")
    rendered = kept(tmp_path / "cache")
    monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "validated"))
    assert CliRunner().invoke(cli, ["validate", str(ws)]).exit_code == 0
    validated = kept(tmp_path / "validated")
    assert rendered[0] == validated[0]
    assert rendered[1] == validated[1]
    assert rendered[2] == validated[2]
    assert rendered[0].entries and any(  # type: ignore[attr-defined]
        e.findings
        for e in rendered[0].entries.values()  # type: ignore[attr-defined]
    )
    for old, new in [
        ("name: Tutustutaan verkoston", "name: Tutustutaan tarkasti verkoston"),  # wording
        ("id: mittaaminen", "id: mittaus"),  # an id: the workspace rules again
    ]:
        edit(ws / KAO, old, new)
        after_validate = findings(ws)
        monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "cache"))
        after_render = findings(ws)
        monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "validated"))
        assert after_render == after_validate
        assert after_render[0] in ("incremental", "workspace"), old


def test_the_first_render_after_a_cold_render_takes_the_path(
    ws: Path, tmp_path: Path, taken: list[bool]
) -> None:
    out = tmp_path / "out"
    render(ws, out)
    edit(ws / KAO, "name: Tutustutaan verkoston", "name: Tutustutaan tarkasti verkoston")
    said = render(ws, out)
    assert taken == [False, True]
    same_as_fresh(ws, out, said)


def test_a_render_keeps_no_state_for_other_options_nor_one_that_is_current(
    ws: Path, tmp_path: Path
) -> None:
    """The kept state is `qms validate`'s without options (--strict, --as-of are other
    states: they run cold), and a render after `qms validate` leaves its state alone."""
    from qms import incremental

    assert findings(ws)[0] == "cold"
    (state,) = (tmp_path / "cache" / "validate").glob("*/state.pickle")
    before = state.stat()
    render(ws, tmp_path / "out")
    assert state.stat().st_ino == before.st_ino  # not written again (written atomically)
    shutil.rmtree(tmp_path / "cache")
    render(ws, tmp_path / "out2")
    assert incremental.validate(str(ws), strict=True).mode == "cold"
    assert incremental.validate(str(ws), as_of=dt.date(2020, 1, 1)).mode == "cold"
    assert findings(ws)[0] == "cold"  # the two runs above kept their own
    assert findings(ws)[0] == "unchanged"


def test_an_export_keeps_the_state_too(ws: Path, tmp_path: Path) -> None:
    """`qms export` (and `qms build`, the same `Publication.one_shot(lint=True)`)."""
    done = CliRunner().invoke(
        cli, ["export", str(ws), "--format", "bpmn", "-o", str(tmp_path / "b")]
    )
    assert done.exit_code == 0, done.output
    assert findings(ws)[0] == "unchanged"
