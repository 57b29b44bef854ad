"""Text on paper: every flow diagram, printed in the manuals on a landscape A4 page, shows
every name (steps, branch labels, events, lane names) at styles.MIN_PRINT_SIZE or more, at one
font size; long lane names wrap into their band rather than shrink."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qms.export.flowcut import printed_size
from qms.index import Index
from qms.load import load
from qms.render import layout_flow, styles
from qms.render.layout import SwimlaneLayout
from qms.views import FlowView, flow_view
from tests.conftest import LAMPPU, ROOT, requires_dot


def _flows(root: Path) -> list[tuple[FlowView, SwimlaneLayout]]:
    ws = load(root).workspace
    assert ws is not None
    index = Index.build(ws)
    views = [flow_view(index, p, "fi") for _, p in sorted(index.processes.items())]
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


@requires_dot
@pytest.mark.parametrize("which", ["lamppu", "generated"])
def test_every_flow_prints_its_names_at_8_pt_or_more(
    which: str, request: pytest.FixtureRequest
) -> None:
    root = LAMPPU if which == "lamppu" else request.getfixturevalue("generated")
    flows = _flows(root)
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
