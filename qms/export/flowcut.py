"""Where a too-tall process flow is cut between its rows for a printed page.

One decision for both manuals, so that the DOCX (PNG pieces) and the PDF (SVG pieces) cut a
flow at the same rows: a flow printed whole at the page's scale would shrink its text below
styles.MIN_PRINT_SIZE, so consecutive rows are grouped into pieces that each fit the page at
the width's scale. The grid is the caller's: PNG pixels or SVG points.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from qms.render import styles


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
