"""The per-diagram cache (.qms-diagrams.json): unchanged diagrams cost no Python work, and a
cached run always leaves exactly the files a fresh run into an empty folder would write."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import qms.model
import qms.render as render_mod
import qms.render.cache as render_cache
import qms.render.diagrams as render_diagrams_mod
import qms.views
from qms.cli import cli
from qms.load import load
from qms.render import (
    DIAGRAM_CACHE,
    RENDER_SOURCES,
    Rendered,
    load_diagram_cache,
    render_diagrams,
    source_digest,
)
from qms.render.engine import MANIFEST
from qms.render.layout import run_dot_json
from tests.conftest import LAMPPU, requires_dot
from tests.render.helpers import SMALL

FORMATS = ("svg", "dot")


def draw(ws: Path, out: Path, formats: tuple[str, ...] = FORMATS, lang: str = "fi") -> Rendered:
    """Render like `qms render`, through the library, so that the test sees the jobs built."""
    loaded = load(ws)
    assert loaded.workspace is not None
    return render_diagrams(loaded.workspace, lang, out, formats, text=loaded.sources.text)


def built(done: Rendered) -> set[str]:
    """The diagrams whose DOT text was built (the others skipped all Python work)."""
    return {job.name for job in done.jobs}


def files(out: Path) -> dict[str, bytes]:
    """Every diagram file under `out` (the caches left out)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def stamps(out: Path) -> dict[str, tuple[int, int, int]]:
    """(inode, mtime, size) of every file, the caches included: any rewrite changes one."""
    found = {}
    for p in sorted(out.rglob("*")):
        if p.is_file():
            st = p.stat()
            found[p.relative_to(out).as_posix()] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def assert_same_as_fresh(
    ws: Path, out: Path, tmp: Path, lang: str = "fi", formats: tuple[str, ...] = FORMATS
) -> None:
    """The incremental folder holds byte for byte what a render into an empty folder gives."""
    fresh = tmp / f"fresh-{len(list(tmp.glob('fresh-*')))}"
    done = draw(ws, fresh, formats, lang=lang)
    assert done.report.ok
    assert files(out) == files(fresh)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def lamppu(tmp_path: Path) -> Path:
    """A copy of the example workspace: five organisations, calls, a goal map."""
    ws = tmp_path / "ws"
    shutil.copytree(LAMPPU, ws)
    return ws


def all_diagrams(ws: Path) -> set[str]:
    loaded = load(ws)
    assert loaded.workspace is not None
    index = render_mod.Index.build(loaded.workspace)
    return {v.name for v in render_mod.views(loaded.workspace, index, "fi")}


# --- no Graphviz needed ----------------------------------------------------------------------


def test_every_view_field_is_in_its_repr() -> None:
    """The key is a digest of the view's repr: a field hidden from repr would let a changed
    diagram pass as unchanged."""
    classes = [
        obj
        for obj in vars(qms.views).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj)
    ]
    assert {"FlowView", "StepView", "ProcessMapView", "GoalMapView", "Realizer"} <= {
        c.__name__ for c in classes
    }
    for cls in classes:
        assert cls.__repr__ is not object.__repr__, cls.__name__
        hidden = [f.name for f in dataclasses.fields(cls) if not f.repr]
        assert not hidden, f"{cls.__name__} hides {hidden} from repr"


def test_source_digest_covers_the_render_code(tmp_path: Path) -> None:
    names = {p.name for p in RENDER_SOURCES}
    assert {"__init__.py", "dot.py", "layout.py", "styles.py", "engine.py", "views.py"} <= names
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("y = 2\n")
    first = source_digest([a, b])
    b.write_text("y = 3\n")
    assert source_digest([a, b]) != first
    assert source_digest([a, tmp_path / "missing.py"]) == ""


def test_view_key_changes_with_the_view_and_the_code() -> None:
    loaded = load(SMALL)
    assert loaded.workspace is not None
    index = render_mod.Index.build(loaded.workspace)
    fi = render_mod.views(loaded.workspace, index, "fi")
    en = render_mod.views(loaded.workspace, index, "en")
    keys = {render_mod.view_key(v, "code") for v in fi}
    assert len(keys) == len(fi)
    assert keys.isdisjoint(render_mod.view_key(v, "code") for v in en)
    assert keys.isdisjoint(render_mod.view_key(v, "other code") for v in fi)
    again = render_mod.views(loaded.workspace, render_mod.Index.build(loaded.workspace), "fi")
    assert keys == {render_mod.view_key(v, "code") for v in again}


# --- real Graphviz ---------------------------------------------------------------------------


@pytest.mark.dot
@requires_dot
def test_unchanged_workspace_builds_nothing_and_rewrites_nothing(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    first = draw(ws, out)
    assert first.report.ok and built(first) == all_diagrams(ws)
    before = stamps(out)
    assert {DIAGRAM_CACHE, MANIFEST} <= set(before)
    second = draw(ws, out)
    assert second.jobs == [] and second.report.rendered == [] and second.failures == []
    assert len(second.report.skipped) == len(first.report.rendered) == 4 * len(FORMATS)
    assert second.diagrams == first.diagrams == 4
    assert stamps(out) == before


@pytest.mark.dot
@requires_dot
def test_cache_is_stable_json_of_hashes(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    draw(ws, out)
    text = (out / DIAGRAM_CACHE).read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["version"] == 2
    assert sorted(data["diagrams"]) == sorted(all_diagrams(ws))
    hexes = re.compile(r"[0-9a-f]{64}")
    for name, entry in data["diagrams"].items():
        assert hexes.fullmatch(entry["key"])
        flow = not name.endswith(("process-map", "goal-map"))
        assert hexes.fullmatch(entry["layout"]) if flow else entry["layout"] == ""
        assert sorted(entry["files"]) == sorted(FORMATS)
        assert all(hexes.fullmatch(v) for v in entry["files"].values())
    other = tmp_path / "other"
    draw(ws, other)
    assert (other / DIAGRAM_CACHE).read_text(encoding="utf-8") == text


def test_the_cache_is_written_as_json_dumps_writes_each_line() -> None:
    """`dump_diagram_cache` formats lines of plain strings itself: byte for byte what
    `json.dumps` writes, for names and hashes of any characters (quotes, backslashes,
    control characters, non-ASCII: those lines go through `json.dumps`)."""
    rng = random.Random(2012)
    odd = 'ab/_-.09 "\\\x7f\xe4\n\x01~!#[]{}'

    def text(plain: bool) -> str:
        chars = "abc/_-.0123456789" if plain else odd
        return "".join(rng.choice(chars) for _ in range(rng.randrange(6)))

    def by_json(entries: dict[str, render_cache.Entry]) -> str:
        lines = [render_cache._json_line(n, e) for n, e in sorted(entries.items())]
        body = "\n" + ",\n".join(lines) + "\n" if lines else ""
        return f'{{"version": {render_cache.DIAGRAM_CACHE_VERSION}, "diagrams": {{{body}}}}}\n'

    for _ in range(2000):
        plain = rng.random() < 0.7
        entries = {
            text(plain): render_cache.Entry(
                text(plain),
                {text(plain): text(plain) for _ in range(rng.randrange(3))},
                text(plain),
                text(plain),
            )
            for _ in range(rng.randrange(5))
        }
        assert render_cache.dump_diagram_cache(entries) == by_json(entries)


@pytest.mark.dot
@requires_dot
def test_role_name_in_the_organisation_redraws_that_organisations_flows(
    lamppu: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    draw(lamppu, out)
    edit(
        lamppu / "organisations" / "redu" / "organisation.yaml",
        "{fi: Talousjohtaja,",
        "{fi: Talous- ja hallintojohtaja,",
    )
    done = draw(lamppu, out)
    # The two flows that show the finance director (lane or owner), nothing else.
    assert built(done) == {"redu/talous", "redu/henkilosto"}
    assert "hallintojohtaja" in (out / "redu" / "talous.svg").read_text("utf-8")
    assert_same_as_fresh(lamppu, out, tmp_path)


@pytest.mark.dot
@requires_dot
def test_process_name_redraws_its_flow_process_map_and_goal_map(
    lamppu: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    draw(lamppu, out)
    proc = lamppu / "organisations" / "kao" / "processes" / "mittaaminen.yaml"
    edit(proc, "  fi: Mittaaminen\n", "  fi: Mittaaminen ja arviointi\n")
    done = draw(lamppu, out)
    # It realizes G4, so the goal map lists it; nobody calls it, so no other flow shows it.
    assert built(done) == {"kao/mittaaminen", "kao/_process-map", "goal-map"}
    goal_map = (out / "goal-map.svg").read_text("utf-8")
    assert "Mittaaminen j… (esimerkki)" in goal_map  # the new name, shortened, its tag kept
    assert_same_as_fresh(lamppu, out, tmp_path)


@pytest.mark.dot
@requires_dot
def test_removing_a_called_process_redraws_its_callers_link(lamppu: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    draw(lamppu, out)
    assert 'href="henkilosto.svg"' in (out / "redu" / "ammattikoulutuspalvelut.svg").read_text()
    (lamppu / "organisations" / "redu" / "processes" / "henkilosto.yaml").unlink()
    done = draw(lamppu, out)
    assert "redu/ammattikoulutuspalvelut" in built(done)
    assert "redu/_process-map" in built(done)
    assert 'href="henkilosto.svg"' not in (out / "redu" / "ammattikoulutuspalvelut.svg").read_text(
        "utf-8"
    )
    # The deleted process's own files go: the manifest says render wrote them.
    assert not any((out / "redu" / f"henkilosto.{fmt}").exists() for fmt in FORMATS)
    assert_same_as_fresh(lamppu, out, tmp_path)
    assert "redu/henkilosto" not in load_diagram_cache(out)


@pytest.mark.dot
@requires_dot
def test_deleted_or_edited_output_is_redrawn(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    draw(ws, out)
    (out / "demo" / "palaute.svg").unlink()
    (out / "goal-map.dot").write_text("digraph { tampered }", encoding="utf-8")
    done = draw(ws, out)
    assert built(done) == {"demo/palaute", "goal-map"}
    assert sorted(done.report.rendered) == ["demo/palaute.svg", "goal-map.dot"]
    assert_same_as_fresh(ws, out, tmp_path)


@pytest.mark.dot
@requires_dot
def test_code_change_rebuilds_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    draw(ws, out)
    for module in (render_cache, render_diagrams_mod):  # the digest and the drawing code
        monkeypatch.setattr(module, "code_digest", lambda: "a different renderer")
    done = draw(ws, out)
    assert built(done) == all_diagrams(ws)
    # Same DOT texts, so the engine's manifest still spares Graphviz.
    assert done.report.rendered == []
    assert draw(ws, out).jobs == []
    for module in (render_cache, render_diagrams_mod):  # source unreadable: no cache
        monkeypatch.setattr(module, "code_digest", lambda: "")
    assert built(draw(ws, out)) == all_diagrams(ws)


@pytest.mark.dot
@requires_dot
def test_language_and_formats_are_part_of_what_is_current(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    draw(ws, out, ("svg",))
    done = draw(ws, out, ("svg", "dot"))
    assert built(done) == all_diagrams(ws)
    assert sorted(done.report.rendered) == sorted(f"{n}.dot" for n in all_diagrams(ws))
    assert draw(ws, out, ("svg",)).jobs == []
    english = draw(ws, out, lang="en")
    assert built(english) == all_diagrams(ws)
    assert "Handling feedback" in (out / "demo" / "palaute.svg").read_text("utf-8")
    assert_same_as_fresh(ws, out, tmp_path, lang="en")


@pytest.mark.dot
@requires_dot
def test_broken_cache_is_a_miss_not_an_error(tmp_path: Path, runner: CliRunner) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    draw(ws, out)
    for broken in ("{not json", '{"version": 1, "diagrams": {"goal-map": 3}}', "[]"):
        (out / DIAGRAM_CACHE).write_text(broken, encoding="utf-8")
        result = runner.invoke(cli, ["render", str(ws), "-o", str(out), "--format", "svg,dot"])
        assert result.exit_code == 0, result.output
        assert "0 tiedostoa piirretty, 8 ennallaan" in result.output
        assert sorted(load_diagram_cache(out)) == sorted(all_diagrams(ws))
    assert draw(ws, out).jobs == []


@pytest.mark.dot
@requires_dot
def test_failed_diagram_is_not_cached(tmp_path: Path) -> None:
    """A flow whose first pass failed is tried again next time, not taken as current."""
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    loaded = load(ws)
    assert loaded.workspace is not None

    def refuse_palaute(source: str) -> str:
        if "palaute" in source.splitlines()[0]:
            raise RuntimeError("refused")
        return run_dot_json(source)

    first = render_diagrams(loaded.workspace, "fi", out, FORMATS, run=refuse_palaute)
    assert first.failures == [("demo/palaute", "refused")]
    assert "demo/palaute" not in load_diagram_cache(out)
    assert not (out / "demo" / "palaute.svg").exists()
    assert built(draw(ws, out)) == {"demo/palaute"}
    assert draw(ws, out).jobs == []
    assert_same_as_fresh(ws, out, tmp_path)


# --- flows skipped by their inputs (render_mod.flow_inputs) ------------------------------------


def _leaves(data: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Paths of every string value in a parsed YAML document."""
    found: list[tuple[object, ...]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            found += _leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += _leaves(v, (*path, i))
    elif isinstance(data, str):
        found.append(path)
    return found


def _set(data: object, path: tuple[object, ...], value: object) -> None:
    for part in path[:-1]:
        data = data[part]  # type: ignore[index]
    data[path[-1]] = value  # type: ignore[index]


def random_edit(ws: Path, rng: random.Random) -> str:
    """One edit a user could make to any model file, qms.yaml included: a text or an id
    changed (to a fresh value or to another value of the workspace, so references move), a
    file deleted, or a file copied (a duplicate definition). Returns what it did."""
    paths = sorted(p for p in ws.rglob("*.yaml") if p.name != "qms.schema.json")
    path = rng.choice(paths)
    rel = path.relative_to(ws).as_posix()
    kind = rng.choice(["text", "text", "text", "reuse", "delete", "copy"])
    if kind == "delete" and path.name != "qms.yaml":
        path.unlink()
        return f"deleted {rel}"
    if kind == "copy" and path.name != "qms.yaml":
        shutil.copy(path, path.with_name(f"kopio-{path.name}"))
        return f"copied {rel}"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    leaves = [p for p in _leaves(data) if p != ("kind",)]
    if not leaves:
        return f"nothing in {rel}"
    where = rng.choice(leaves)
    if kind == "reuse":
        values = sorted({str(v) for v in re.findall(r": ([\w-]+)\n", path.read_text("utf-8"))})
        value: str = rng.choice(values) if values else "x"
    else:
        value = f"muutettu-{rng.randrange(1000)}"
    _set(data, where, value)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return f"{rel}: {'/'.join(map(str, where))} = {value}"


@pytest.mark.dot
@requires_dot
@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_leave_what_a_fresh_render_gives(
    lamppu: Path, tmp_path: Path, seed: int
) -> None:
    """Whatever file changes, a render that skips flows by their inputs writes exactly what a
    render into an empty folder writes, and after an edit to one process file it builds no
    other flow's view."""
    rng = random.Random(seed)
    out = tmp_path / "out"
    draw(lamppu, out, ("dot",))
    for _ in range(8):
        what = random_edit(lamppu, rng)
        draw(lamppu, out, ("dot",))
        fresh = tmp_path / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        draw(lamppu, fresh, ("dot",))
        assert files(out) == files(fresh), what


@pytest.mark.dot
@requires_dot
def test_an_edited_process_builds_only_its_own_flow_view(
    lamppu: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    draw(lamppu, out, ("dot",))
    made: list[str] = []
    real = render_mod.flow_view

    def counted(index: render_mod.Index, process: qms.model.Process, lang: str) -> object:
        made.append(f"{process.organisation}/{process.id}")
        return real(index, process, lang)

    monkeypatch.setattr(render_diagrams_mod, "flow_view", counted)
    assert draw(lamppu, out, ("dot",)).jobs == []
    assert made == []  # nothing edited: no flow view is built at all
    edit(
        lamppu / "organisations" / "kao" / "processes" / "mittaaminen.yaml",
        "  fi: Mittaaminen\n",
        "  fi: Mittaaminen ja arviointi\n",
    )
    assert built(draw(lamppu, out, ("dot",))) == {"kao/mittaaminen", "kao/_process-map", "goal-map"}
    assert made == ["kao/mittaaminen"]
    assert_same_as_fresh(lamppu, out, tmp_path, formats=("dot",))


@pytest.mark.dot
@requires_dot
def test_inputs_that_leave_out_a_file_are_caught(
    lamppu: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison with a fresh render fails when `flow_inputs` forgets a file a flow
    reads (here the organisation's, which names the lanes): the test above can fail."""
    real = render_mod.flow_inputs

    def forgetful(ws, index, lang, text):  # type: ignore[no-untyped-def]
        return real(ws, index, lang, lambda rel: "" if "organisation" in rel else text(rel))

    monkeypatch.setattr(render_diagrams_mod, "flow_inputs", forgetful)
    out = tmp_path / "out"
    draw(lamppu, out, ("dot",))
    edit(
        lamppu / "organisations" / "redu" / "organisation.yaml",
        "{fi: Talousjohtaja,",
        "{fi: Talous- ja hallintojohtaja,",
    )
    draw(lamppu, out, ("dot",))
    with pytest.raises(AssertionError):
        assert_same_as_fresh(lamppu, out, tmp_path, formats=("dot",))


@pytest.mark.dot
@requires_dot
def test_an_organisation_declared_twice_has_one_map(lamppu: Path, tmp_path: Path) -> None:
    """Two files declaring one organisation (QMS003) draw its map once, from the first
    file, as the index takes it: two pictures written into one file made the file depend
    on which was written last."""
    org = lamppu / "organisations" / "jedu-b" / "organisation.yaml"
    shutil.copy(org, org.with_name("toinen-organisation.yaml"))
    edit(org.with_name("toinen-organisation.yaml"), "  fi: ", "  fi: KOPIO ")
    done = draw(lamppu, tmp_path / "out", ("dot",))
    assert [j.name for j in done.jobs].count("jedu-b/_process-map") == 1
    assert "KOPIO" not in (tmp_path / "out" / "jedu-b" / "_process-map.dot").read_text("utf-8")


def test_diagram_cache_parsed_again_only_for_other_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render after an edit reads `.qms-diagrams.json` twice: the second read parses it only
    when its bytes changed, even when rewritten in place with the same size, time and inode."""
    cache = render_cache

    def text(key: str) -> str:
        files = {"svg": "1" * 64}
        return json.dumps({"version": 2, "diagrams": {"a/b": {"key": key, "files": files}}})

    path = tmp_path / DIAGRAM_CACHE
    path.write_text(text("1" * 64), encoding="utf-8")
    parsed = []
    monkeypatch.setattr(cache, "_parsed", None)
    real = cache._diagram_entries
    monkeypatch.setattr(cache, "_diagram_entries", lambda data: parsed.append(data) or real(data))
    first = load_diagram_cache(tmp_path)
    first.clear()  # the caller's own copy
    assert load_diagram_cache(tmp_path)["a/b"].key == "1" * 64
    assert len(parsed) == 1
    before = path.stat()
    with path.open("r+", encoding="utf-8") as f:
        f.write(text("2" * 64))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    assert load_diagram_cache(tmp_path)["a/b"].key == "2" * 64
    assert len(parsed) == 2
