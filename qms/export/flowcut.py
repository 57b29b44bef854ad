"""Where a too-tall process flow is cut between its rows for a printed page.

One decision for both manuals, so that the DOCX (one PNG, cropped per piece) and the PDF (SVG
pieces) cut a flow at the same rows: a flow printed whole at the page's scale would shrink its
text below styles.MIN_PRINT_SIZE, so consecutive rows are grouped into pieces that each fit
the page at the width's scale. The grid is the caller's: PNG pixels or SVG points.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from qms.render import styles
from qms.render.layout import SwimlaneLayout


class Cut(NamedTuple):
    """How a flow is printed: whole at `scale` when `pieces` is empty, else as `pieces`
    (top, bottom, scale): consecutive rows between two bounds of the caller's grid."""

    scale: float
    pieces: list[tuple[float, float, float]]


def cut_rows(
    height: float, width: float, bounds: Sequence[float], room: tuple[float, float]
) -> Cut:
    """How a flow of `height` x `width` points fits `room` (width, height in points).

    `bounds` are the top (0), the row cuts and the bottom, in the caller's grid (its last
    value is the drawing's height in that grid). The drawing is printed as large as the room
    allows, never enlarged; it is cut only when whole it would print below styles.MIN_SCALE
    and it has more than one row. A piece grows by rows while it fits the room's height at
    the width's scale; a single row taller than that is shrunk to fit.
    """
    room_w, room_h = room
    per_unit = height / bounds[-1]
    fit_w = min(1.0, room_w / width)
    whole = min(fit_w, room_h / height)
    if whole >= styles.MIN_SCALE or len(bounds) <= 2:
        return Cut(whole, [])
    groups: list[tuple[float, float]] = []
    start = bounds[0]
    for a, b in itertools.pairwise(bounds):
        if a > start and (b - start) * per_unit * fit_w > room_h:
            groups.append((start, a))
            start = a
    groups.append((start, bounds[-1]))
    return Cut(
        whole,
        [(top, bottom, min(fit_w, room_h / ((bottom - top) * per_unit))) for top, bottom in groups],
    )


def printed_size(layout: SwimlaneLayout) -> float:
    """The size FONT_SIZE text of a flow drawn from `layout` prints at in the manuals (points
    on paper): the drawing, with Graphviz's border, fit to a landscape A4 page and cut between
    rows as `cut_rows` decides for the DOCX and the PDF; the smallest piece's size.

    Every name on a flow diagram is FONT_SIZE (lane names too), so this is the smallest text
    a reader meets; `tests/render/test_print_size.py` holds it at styles.MIN_PRINT_SIZE and
    `python -m bench.quality` reports it.
    """
    total = layout.height + 2 * styles.PAD
    cuts = [(a[1] + b[0]) / 2 + styles.PAD for a, b in itertools.pairwise(layout.row_spans())]
    room = (styles.PRINT_WIDTH, styles.PRINT_HEIGHT)
    cut = cut_rows(total, layout.width + 2 * styles.PAD, [0.0, *cuts, total], room)
    scale = min((piece[2] for piece in cut.pieces), default=cut.scale)
    return styles.FONT_SIZE * scale
