"""Text on paper: every flow diagram, printed in the manuals on a landscape A4 page, shows
every name (steps, branch labels, events, lane names) at styles.MIN_PRINT_SIZE or more, at one
font size; long lane names wrap into their band rather than shrink."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qms.export.flowcut import printed_size
from qms.index import Index
from qms.load import load
from qms.render import PINNED, layout_flow, styles
from qms.render.dot import process_flow
from qms.render.layout import SwimlaneLayout
from qms.views import FlowView, flow_view
from tests.conftest import LAMPPU, ROOT, requires_dot


def _flows(root: Path, lang: str = "fi") -> list[tuple[FlowView, SwimlaneLayout]]:
    ws = load(root).workspace
    assert ws is not None
    index = Index.build(ws)
    views = [flow_view(index, p, lang) for _, p in sorted(index.processes.items())]
    return [(v, layout_flow(v)) for v in views]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    root = tmp_path_factory.mktemp("gen") / "ws"
    generate(root, 1, 6, 24, seed=18)  # long flows: they fold
    return root


def test_the_measure_follows_the_page() -> None:
    """A drawing as wide as the page at 8 pt text prints at 8 pt; twice as wide, at 4 pt;
    one row twice as tall as the page at half the size, since the manuals shrink it to fit."""
    wide = SwimlaneLayout(styles.FOLD_WIDTH, 300.0, styles.TITLE_HEIGHT, styles.LANE_HEADER)
    assert printed_size(wide) == pytest.approx(styles.MIN_PRINT_SIZE)
    wider = SwimlaneLayout(2 * styles.FOLD_WIDTH + 2 * styles.PAD, 300.0, 46.0, 96.0)
    assert printed_size(wider) == pytest.approx(styles.MIN_PRINT_SIZE / 2)
    tall = SwimlaneLayout(300.0, 2 * styles.PRINT_HEIGHT, 46.0, 96.0)
    half = styles.PRINT_HEIGHT / (2 * styles.PRINT_HEIGHT + 2 * styles.PAD)
    assert printed_size(tall) == pytest.approx(styles.FONT_SIZE * half)


@pytest.fixture(scope="module")
def miwg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The MIWG reference processes imported (B.2.0 stacks more parallel steps in one column
    than a page is tall)."""
    from tests.bpmn.miwg import miwg_files

    files = miwg_files(("reference",))
    if not files:
        pytest.skip("MIWG reference files not found ($QMS_MIWG)")
    sys.path.insert(0, str(ROOT))
    from bench.quality import imported_workspace

    root, refused = imported_workspace(files, tmp_path_factory.mktemp("miwg"))
    assert not refused, refused
    return root


@requires_dot
@pytest.mark.parametrize("which", ["lamppu", "generated", "miwg"])
def test_every_flow_prints_its_names_at_8_pt_or_more(
    which: str, request: pytest.FixtureRequest
) -> None:
    root = LAMPPU if which == "lamppu" else request.getfixturevalue(which)
    flows = _flows(root, "en" if which == "miwg" else "fi")
    assert len(flows) >= 6
    folded = 0
    for view, layout in flows:
        size = printed_size(layout)
        assert size >= styles.MIN_PRINT_SIZE, f"{view.name}: names print at {size:.1f} pt"
        folded += layout.rows > 1
        # A lane's band holds its whole wrapped name at FONT_SIZE.
        for band in layout.lanes:
            assert styles.lane_name_height(band.name) <= band.h + 0.01, (view.name, band.name)
    assert folded, f"{which}: some flows must fold"


def test_a_column_taller_than_a_page_stands_in_two() -> None:
    """Twelve parallel steps of one lane (each started by an event of its own) stack higher
    than a landscape page: a fold cannot cut a column, so each such stack is halved into two
    columns side by side, steps alternating, and the names still print at 8 pt with no flow
    crossing or sharing another's line; the unfolded drawing (BPMN DI) is left as it was."""
    from qms.render.layout import compute
    from qms.views import FlowEdge, Lane, StepView
    from tests.render.test_layout import check, check_no_crossing

    tasks = [StepView(f"t{k}", "task", f"Tehtävä {k}", "r") for k in range(12)]
    starts = [StepView(f"s{k}", "start", f"Pyyntö {k}", "r") for k in range(12)]
    edges = tuple(FlowEdge(f"s{k}", f"t{k}") for k in range(12))
    view = FlowView("o", "p", "P", "", "", "luonnos", (Lane("r", "R"),), (*starts, *tasks), edges)
    ranks = {f"s{k}": (0, k) for k in range(12)} | {f"t{k}": (1, k) for k in range(12)}
    folded = compute(view, ranks)
    assert printed_size(folded) >= styles.MIN_PRINT_SIZE
    check(view, folded)
    check_no_crossing(folded)
    xs = sorted({folded.nodes[t.id].x for t in tasks})
    assert len(xs) == 2
    assert [folded.nodes[f"t{k}"].x for k in (0, 1, 2)] == [xs[0], xs[1], xs[0]]
    flat = compute(view, ranks, fold=False)
    assert len({flat.nodes[t.id].x for t in tasks}) == 1


@requires_dot
@pytest.mark.parametrize("which", ["lamppu", "generated", "miwg"])
def test_every_name_fits_its_box(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Graphviz says "size too small for label" when a name is wider or taller than the box
    it is pinned in (an event's name of one long Finnish compound ran past its box; a badge of
    three lines overflowed the title): every flow of each set is drawn, and none may say it."""
    root = LAMPPU if which == "lamppu" else request.getfixturevalue(which)
    paths = []
    for view, layout in _flows(root, "en" if which == "miwg" else "fi"):
        path = tmp_path / f"{view.name.replace('/', '__')}.dot"
        path.write_text(process_flow(view, layout), "utf-8")
        paths.append(str(path))
    drawn = subprocess.run([*PINNED, "-Tsvg", *paths], capture_output=True, text=True, check=True)
    assert "too small" not in drawn.stderr, drawn.stderr
