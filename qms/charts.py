"""Charts of the quality cycle (ratings, maturity matrix, metric trends) with matplotlib.

Deterministic by construction, so that the same model gives the same bytes: no pyplot state
(a `Figure` per chart), a fixed SVG hash salt, no dates or software names in the metadata,
DejaVu Sans (it carries the Finnish and Swedish letters) and text kept as text in SVG so
that screen readers and the portal's search can read it. Each chart is returned as bytes in
the format asked for: `svg` for the portal and the PDF, `png` for the DOCX.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Format = Literal["svg", "png"]

BELOW = "#c0392b"
"""Below the threshold (red, as in the coverage heat map)."""
AT = "#2e7d32"
"""At or above the threshold (green)."""
NEUTRAL = "#9e9e9e"
AMBER = "#e0a800"
LEVEL_COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#7cb342", "#2e7d32")
"""Levels from lowest to highest on the maturity matrix."""

_RC = {
    "svg.hashsalt": "qms",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


_KEPT: dict[str, bytes] = {}
"""Charts drawn ahead by other processes (qms/export/ahead.py), by `_key`: the very bytes
this process would draw, since drawing is deterministic."""
_PENDING: list[tuple[int, Callable[[], Mapping[str, bytes]]]] = []
"""What gives the charts still being drawn ahead (waited for when a chart is first asked),
with the process that may wait for them (a forked child cannot: it draws its own)."""
_RECORDED: dict[str, bytes] | None = None
"""In a process drawing ahead: every chart it drew, by `_key`."""


def _key(kind: str, fmt: Format, *args: object) -> str:
    """A chart's identity: its kind, format and every argument it is drawn from (repr is
    exact for the texts, numbers and tuples the charts take)."""
    return repr((kind, fmt, args))


def keep_later(pending: Callable[[], Mapping[str, bytes]]) -> None:
    """Register charts being drawn ahead: `pending()` gives them when they are first needed.
    If it fails, nothing is kept and each chart is drawn here when asked."""
    _PENDING.append((os.getpid(), pending))


def drawn_ahead() -> bool:
    """True when charts were drawn ahead (waiting for those still being drawn), so a caller
    need not draw them on workers."""
    _collect()
    return bool(_KEPT)


def record() -> dict[str, bytes]:
    """Keep every chart this process draws from now on (a process drawing ahead)."""
    global _RECORDED
    _RECORDED = {}
    return _RECORDED


def _collect() -> None:
    while _PENDING:
        owner, pending = _PENDING.pop()
        if owner != os.getpid():
            continue
        try:
            _KEPT.update(pending())
        except Exception:  # noqa: BLE001 - a helper that failed: draw here instead
            continue


def _render(
    draw: object,
    size: tuple[float, float],
    fmt: Format,
    chart: tuple[str, tuple[object, ...]],
    also: Sequence[Format] = (),
) -> bytes:
    """Draw on a fresh Figure inside the fixed rc context and save it without metadata
    (unless the same chart was drawn ahead). `chart` is its kind and every argument it is
    drawn from (`_key`). The formats `also` are saved from the same figure and kept, so that
    asking for them next finds them drawn (qms/export/ahead.py draws both of a chart's
    formats so).

    The figure is laid out once (constrained layout, measured with the Agg renderer at the
    figure's dpi, as the PNG's own save would) and has no layout engine when saved: a figure
    with one is laid out again at each save, after a whole draw with rendering switched off,
    and each format's text measures then moved its axes a fraction of a point. Laying out
    once is about a third of a chart's CPU in both formats, and makes every format's layout
    the same whatever else is asked with it."""
    kind, args = chart
    formats = [fmt, *(f for f in also if f != fmt)]
    keys = [_key(kind, f, *args) for f in formats]
    _collect()
    if all(k in _KEPT for k in keys):
        return _KEPT[keys[0]]
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    drawn: dict[str, bytes] = {}
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig = Figure(figsize=size, dpi=150)
        canvas = FigureCanvasAgg(fig)
        draw(fig)  # type: ignore[operator]
        ConstrainedLayoutEngine().execute(fig)  # the pads of layout="constrained"
        for each, key in zip(formats, keys, strict=True):
            out = io.BytesIO()
            if each == "svg":
                fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
            else:
                _png(canvas, out)
            drawn[key] = out.getvalue()
    if also:
        _KEPT.update(drawn)
    if _RECORDED is not None:
        _RECORDED.update(drawn)
    return drawn[keys[0]]


def _png(canvas: Any, out: io.BytesIO) -> None:
    """The figure on `canvas` (a FigureCanvasAgg, untyped in matplotlib) as an RGB PNG at
    zlib level 4, with its dpi and no text chunks.

    matplotlib's own PNG is RGBA at PIL's default level (6); the figure is opaque (a white
    face), so the alpha channel says nothing, and an RGB image is a quarter less to filter and
    deflate: about 6.2 ms of CPU a chart where matplotlib's took 8.2 ms, and 6-7 % smaller in
    the DOCX zip (level 3 would take 5.1 ms but be up to 11 % larger there: session 10,
    docs/performance.md). The pixels are matplotlib's own: `FigureCanvasAgg.draw` is what
    its `savefig` draws with (tests/test_quality_cycle.py).
    """
    from PIL import Image

    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    dpi = canvas.figure.dpi
    image.convert("RGB").save(out, format="png", dpi=(dpi, dpi), compress_level=4)


@dataclass(frozen=True)
class Bar:
    """One statement's rating for the ratings chart."""

    label: str
    level: int | None


def ratings_chart(
    bars: Sequence[Bar],
    scale: Sequence[tuple[int, str]],
    threshold: int,
    labels: dict[str, str],
    fmt: Format = "svg",
    also: Sequence[Format] = (),
) -> bytes:
    """Horizontal bars per statement on the set's scale, with the threshold as a line.

    `scale` is (level, name) lowest first; `labels` carries `threshold` and `unrated` in the
    document's language. An unrated statement shows as a grey mark at zero, never as level 0.
    """
    levels = [level for level, _ in scale]
    low, high = min(levels), max(levels)

    def draw(fig: object) -> None:
        ax = fig.add_subplot()  # type: ignore[attr-defined]
        ys = list(range(len(bars)))[::-1]
        for y, bar in zip(ys, bars, strict=True):
            if bar.level is None:
                ax.barh(y, 0.15, left=low - 0.5, color=NEUTRAL, height=0.6)
                ax.text(low - 0.3, y, labels["unrated"], va="center", fontsize=7, color="#555")
            else:
                colour = AT if bar.level >= threshold else BELOW
                ax.barh(y, bar.level - (low - 0.5), left=low - 0.5, color=colour, height=0.6)
        ax.axvline(threshold - 0.5, color="#333", linestyle="--", linewidth=1)
        ax.text(threshold - 0.45, len(bars) - 0.4, labels["threshold"], fontsize=7, va="bottom")
        ax.set_yticks(ys, [b.label for b in bars])
        ax.set_xticks(levels, [f"{level}\n{name}" for level, name in scale])
        ax.set_xlim(low - 0.5, high + 0.5)
        ax.set_ylim(-0.7, len(bars) + 0.2)

    height = 0.9 + 0.2 * max(len(bars), 1)
    chart = ("ratings", (bars, scale, threshold, labels))
    return _render(draw, (6.3, height), fmt, chart, also)


def maturity_chart(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[int | None]],
    scale: Sequence[tuple[int, str]],
    fmt: Format = "svg",
    marked: Sequence[Sequence[bool]] | None = None,
    also: Sequence[Format] = (),
) -> bytes:
    """The network maturity matrix as a coloured grid: statements x organisations.

    Each cell shows its level as a number; an unrated cell is white with a dash, so that no
    missing rating reads as the lowest level; a `marked` cell (example content) carries an
    asterisk, as in the table beside it.
    """
    from matplotlib.colors import ListedColormap

    levels = [level for level, _ in scale]
    low, high = min(levels), max(levels)
    n = len(levels)
    colours = [LEVEL_COLOURS[round(i * 4 / (n - 1))] for i in range(n)] if 2 <= n <= 5 else None

    def draw(fig: object) -> None:
        ax = fig.add_subplot()  # type: ignore[attr-defined]
        cmap = ListedColormap(colours) if colours else "RdYlGn"
        grid = [[float("nan") if v is None else float(v) for v in row] for row in cells]
        ax.imshow(grid, cmap=cmap, vmin=low - 0.5, vmax=high + 0.5, aspect="auto")
        for i, row in enumerate(cells):
            for j, value in enumerate(row):
                star = "*" if marked and marked[i][j] else ""
                shown = "–" if value is None else f"{value}{star}"
                ax.text(j, i, shown, ha="center", va="center")
        ax.set_xticks(range(len(columns)), list(columns))
        ax.set_yticks(range(len(rows)), list(rows))
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)

    size = (1.2 + 0.75 * max(len(columns), 1), 0.5 + 0.22 * max(len(rows), 1))
    chart = ("maturity", (rows, columns, cells, scale, marked))
    return _render(draw, size, fmt, chart, also)


Status = Literal["met", "improving", "off-track", "unknown"]


def trend_status(
    values: Sequence[float | None], target: float | None, baseline: float | None
) -> Status:
    """Traffic light of a metric's latest value against its target.

    The direction (higher or lower is better) is read from baseline -> target; without both
    numbers, or without a value, the status is `unknown`, never a guessed colour.
    """
    measured = [v for v in values if v is not None]
    if not measured or target is None or baseline is None or target == baseline:
        return "unknown"
    latest = measured[-1]
    up = target > baseline
    if (latest >= target) if up else (latest <= target):
        return "met"
    if (latest > baseline) if up else (latest < baseline):
        return "improving"
    return "off-track"


STATUS_COLOURS: dict[Status, str] = {
    "met": AT,
    "improving": AMBER,
    "off-track": BELOW,
    "unknown": NEUTRAL,
}


def trend_chart(
    periods: Sequence[str],
    values: Sequence[float | None],
    target: float | None,
    baseline: float | None,
    labels: dict[str, str],
    unit: str = "",
    fmt: Format = "svg",
    also: Sequence[Format] = (),
) -> bytes:
    """A metric's values per period against its target (dashed) and baseline (dotted); the
    latest value is coloured by `trend_status`. Periods without a value leave a gap."""
    status = trend_status(values, target, baseline)

    def draw(fig: object) -> None:
        ax = fig.add_subplot()  # type: ignore[attr-defined]
        xs = list(range(len(periods)))
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(xs, ys, marker="o", color="#1f4e79", linewidth=1.5)
        measured = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if measured:
            x, v = measured[-1]
            ax.plot([x], [v], marker="o", markersize=10, color=STATUS_COLOURS[status])
        # Each line's label stands 3 points in from the axes' edge: the baseline's, at the
        # left, began on the y axis, which hid its first letter.
        lines = (
            (target, labels["target"], "--", "#333", 1.0, "right", -3),
            (baseline, labels["baseline"], ":", "#777", 0.0, "left", 3),
        )
        for level, name, style, colour, at, align, inset in lines:
            if level is None:
                continue
            ax.axhline(level, color=colour, linestyle=style, linewidth=1)
            ax.annotate(
                f"{name} {_num(level)}",
                (at, level),
                xycoords=("axes fraction", "data"),
                xytext=(inset, 0),
                textcoords="offset points",
                ha=align,
                va="bottom",
                fontsize=7,
                color=colour,
            )
        ax.set_xticks(xs, list(periods))
        ax.set_xlim(-0.5, max(len(periods), 1) - 0.5)
        if unit:
            ax.set_ylabel(unit)

    chart = ("trend", (periods, values, target, baseline, labels, unit))
    return _render(draw, (5.0, 2.4), fmt, chart, also)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
