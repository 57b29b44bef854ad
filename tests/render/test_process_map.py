"""The process map: main processes only, every other process counted, names at 8 pt on A4.

Workspaces come from the bench's generator (main processes with level-3 sub-processes below
them); sizes are read back from the DOT text that Graphviz is given.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bench.generate import generate
from qms.index import Index
from qms.load import load
from qms.render import styles
from qms.render.dot import process_map
from qms.views import ProcessMapView, process_map_view
from tests.conftest import LAMPPU, requires_dot


def _maps(root: Path) -> list[tuple[ProcessMapView, Index]]:
    loaded = load(str(root))
    assert loaded.workspace is not None
    index = Index.build(loaded.workspace)
    return [(process_map_view(index, o, "en"), index) for o in loaded.workspace.organisations]


def _printed(source: str) -> float:
    """The print size of the map's 10 pt names on the landscape A4 page, from its corners."""
    width = float(re.search(r'corner__se \[[^\]]*pos="([\d.]+),', source)[1])  # type: ignore[index]
    height = float(re.search(r'corner__nw \[[^\]]*pos="[\d.]+,([\d.]+)', source)[1])  # type: ignore[index]
    return styles.print_size(width, height=height)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    generate(root, providers=2, processes_per_provider=60, steps_per_process=4, seed=7)
    return root


def test_sub_processes_are_counted_on_their_main_process(generated: Path) -> None:
    for view, index in _maps(generated):
        boxes = [box for _, band in view.bands for box in band]
        own = index.own_processes[view.organisation]
        assert {index.processes[(view.organisation, b.id)].level for b in boxes} == {2}
        # Nothing drops off the map: each process has a box or is counted on one.
        assert len(boxes) + sum(b.below for b in boxes) == len(own)
        for box in boxes:
            children = [p for p in own if index.processes[(view.organisation, p)].parent == box.id]
            assert box.below == len(children)
        assert all(a != b for a, b in view.handoffs)
        ids = {b.id for b in boxes}
        assert {x for pair in view.handoffs for x in pair} <= ids


@requires_dot
def test_an_example_sub_process_is_counted_as_one(generated: Path, tmp_path: Path) -> None:
    """The count on a main process's box stands for sub-processes the reader does not see:
    one marked `example:` is said to be one ("+4 sub-processes (1 example)"), and the box
    still holds its text (Graphviz finds no label too large)."""
    root = tmp_path / "ws"
    subprocess.run(["cp", "-r", str(generated), str(root)], check=True)
    procs = root / "organisations" / "j001" / "processes"
    child = sorted(p for p in procs.glob("*.yaml") if "parent:" in p.read_text("utf-8"))[0]
    text = child.read_text("utf-8")
    parent = re.search(r"^parent: (.*)$", text, flags=re.M)[1]  # type: ignore[index]
    child.write_text(text.replace("\nlevel:", "\nexample: true\nlevel:", 1), "utf-8")
    view, _ = _maps(root)[0]
    box = next(b for _, band in view.bands for b in band if b.id == parent)
    assert (box.below, box.below_examples) == (4, 1)
    source = process_map(view)
    assert "+4 sub-processes (1 example)" in source.replace("\\n", " ")
    drawn = subprocess.run(
        ["neato", "-n2", "-Tsvg"], input=source, capture_output=True, text=True, check=True
    )
    assert "too small" not in drawn.stderr


def test_parents_in_a_circle_keep_their_boxes(generated: Path, tmp_path: Path) -> None:
    """Two sub-processes naming each other as parent: neither has a main process above it,
    so both stay on the map rather than vanish into each other."""
    root = tmp_path / "ws"
    subprocess.run(["cp", "-r", str(generated), str(root)], check=True)
    procs = root / "organisations" / "j001" / "processes"
    first, second = sorted(p for p in procs.glob("*.yaml") if "parent:" in p.read_text("utf-8"))[:2]
    for path, other in ((first, second), (second, first)):
        text = path.read_text("utf-8")
        text = re.sub(r"^parent: .*$", f"parent: {other.stem}", text, flags=re.M)
        path.write_text(text, "utf-8")
    view, _ = _maps(root)[0]
    ids = {box.id for _, band in view.bands for box in band}
    assert {first.stem, second.stem} <= ids


@requires_dot
def test_a_crowded_band_wraps_and_prints_at_8_pt(generated: Path, tmp_path: Path) -> None:
    """Twelve main processes in a band: the map wraps the band into rows instead of shrinking
    the names below styles.MIN_PRINT_SIZE, and Graphviz draws every box where it is pinned."""
    root = tmp_path / "ws"
    subprocess.run(["cp", "-r", str(generated), str(root)], check=True)
    org = root / "organisations" / "j001" / "organisation.yaml"
    text = org.read_text("utf-8")
    listed = re.findall(r"^  (?:management|core|support): \[(.*)\]$", text, flags=re.M)
    everyone = ", ".join(x for x in listed if x)
    text = re.sub(r"^  (management|support): \[.*\]\n", "", text, flags=re.M)
    text = re.sub(r"^  core: \[.*\]$", f"  core: [{everyone}]", text, flags=re.M)
    org.write_text(text, "utf-8")
    view, _ = _maps(root)[0]
    core = dict(view.bands)["core"]
    assert len(core) >= 12
    source = process_map(view)
    assert _printed(source) >= styles.MIN_PRINT_SIZE
    drawn = subprocess.run(
        ["neato", "-n2", "-Tsvg"], input=source, capture_output=True, text=True, check=True
    )
    assert "too small" not in drawn.stderr
    for box in core:
        assert f"<title>p__{box.id}</title>" in drawn.stdout


@requires_dot
def test_lamppu_maps_keep_one_row_a_band() -> None:
    """When one row a band prints at 8 pt (every LAMPPU map), the map does not wrap."""
    for view, _ in _maps(LAMPPU):
        source = process_map(view)
        ys = {m[1] for m in re.finditer(r'"?p__[\w-]+"? \[[^\]]*pos="[\d.]+,([\d.]+)!"', source)}
        assert len(ys) == sum(1 for _, band in view.bands if band), view.organisation
        assert _printed(source) >= styles.MIN_PRINT_SIZE, view.organisation
