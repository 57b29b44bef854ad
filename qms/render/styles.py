"""All look in one table: colours, fonts, shapes and sizes of every diagram.

Colours are the Okabe-Ito palette (distinguishable with every common colour-vision deficiency);
states that matter also differ in lightness and line style, so greyscale prints keep them apart.
DejaVu Sans has every Finnish and Swedish glyph and ships with Graphviz on most systems
(scripts/ensure-dot.sh installs fonts-dejavu-core).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from types import MappingProxyType

FONT = "DejaVu Sans"
FONT_SIZE = 10.0
TITLE_SIZE = 14.0

# Okabe-Ito palette.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#4D4D4D"
WHITE = "#FFFFFF"

LANE_FILLS = ("#EEF4FA", "#FFFFFF")
"""Alternating band fills: a pale blue tint of Okabe-Ito blue, and white."""
LANE_LINE = "#7F8C99"
HEADER_FILL = "#DCE7F2"


@dataclass(frozen=True)
class NodeStyle:
    """How one kind of symbol is drawn; sizes in points (1/72 inch)."""

    shape: str
    width: float
    height: float
    fill: str
    line: str = BLACK
    style: str = "filled"
    penwidth: float = 1.0
    wrap: int = 22
    """Characters per line before a label wraps."""
    fontsize: float = FONT_SIZE


STEPS: MappingProxyType[str, NodeStyle] = MappingProxyType(
    {
        "start": NodeStyle("circle", 30, 30, WHITE, GREEN, penwidth=1.5, wrap=0),
        "end": NodeStyle("circle", 30, 30, WHITE, BLACK, penwidth=4.0, wrap=0),
        "event": NodeStyle("doublecircle", 26, 26, WHITE, BLUE, wrap=0),
        "task": NodeStyle("box", 132, 44, "#FFF7E0", BLACK, "rounded,filled", wrap=20),
        "subprocess": NodeStyle("box", 132, 54, "#E3F1FB", BLUE, "filled", 1.5, wrap=20),
        "decision": NodeStyle("diamond", 140, 70, "#FCF7C5", BLACK, wrap=18, fontsize=9.0),
    }
)
"""Symbols of the swimlane diagram: start circle, bold end circle, diamond, rounded task."""

BANDS: MappingProxyType[str, str] = MappingProxyType(
    {"management": "#E8E0F0", "core": "#E3F1FB", "support": "#E6F4EE"}
)
"""Process-map band fills (pale purple, blue, green), with the band's name at the left."""
MAP_BOX = NodeStyle("box", 150, 50, WHITE, BLACK, "rounded,filled", 1.2, wrap=22)
CUSTOMER = NodeStyle("box", 110, 0, "#F2F2F2", GREY, "filled", 1.0, wrap=16)

COVERAGE: MappingProxyType[str, dict[str, str]] = MappingProxyType(
    {
        "covered": {"fillcolor": GREEN, "fontcolor": WHITE, "color": BLACK, "style": "filled"},
        "committed": {
            "fillcolor": ORANGE,
            "fontcolor": BLACK,
            "color": BLACK,
            "style": "filled,dashed",
        },
        "uncovered": {
            "fillcolor": WHITE,
            "fontcolor": BLACK,
            "color": VERMILLION,
            "style": "filled,dotted",
            "penwidth": "2",
        },
    }
)
"""Goal coverage: dark green / mid orange with a dashed line / white with a dotted line."""

REALIZER_FILLS: MappingProxyType[str, str] = MappingProxyType(
    {"process": "#E3F1FB", "action": "#FFF7E0", "metric": "#F3E6EE"}
)

EDGE = {"color": GREY, "arrowsize": "0.7", "penwidth": "1.1"}
GAP_EDGE = {"color": VERMILLION, "style": "dashed", "arrowsize": "0.7", "penwidth": "1.3"}

# Swimlane geometry (points).
LANE_HEADER = 120.0
"""Width of the column holding the lanes' names."""
LANE_PAD = 22.0
"""Free space above and below the symbols of a band: room for loops along its edge."""
COLUMN_GAP = 52.0
"""Space between columns: room for elbows and branch labels."""
STACK_GAP = 18.0
MARGIN = 12.0
TITLE_HEIGHT = 46.0
MIN_LANE = 80.0
EVENT_LABEL_ROOM = 12.0
"""Extra room at the right edge."""
EVENTS = ("start", "end", "event")
EVENT_LABEL_W = 100.0
"""An event's name stands below its circle, wrapped to this width (its column is as wide)."""
EVENT_LABEL_WRAP = 17
EVENT_LABEL_SIZE = 9.0
EVENT_LABEL_LINE = 11.0


def event_label_height(label: str) -> float:
    """Height of an event's name below its circle."""
    return 4 + EVENT_LABEL_LINE * len(wrap(label, EVENT_LABEL_WRAP))


def wrap(label: str, width: int, hard: bool = False) -> list[str]:
    """Wrap a label into lines of at most `width` characters; long words split only when `hard`.

    >>> wrap("Laaditaan tilinpäätös ja toimintakertomus", 22)
    ['Laaditaan tilinpäätös', 'ja toimintakertomus']
    """
    if width <= 0:
        return [label] if label else []
    if hard:
        words = []
        for word in label.split():
            while len(word) > width:
                words.append(word[: width - 1] + "-")
                word = word[width - 1 :]
            words.append(word)
        label = " ".join(words)
    return textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False) or [""]


def text_width(line: str, size: float = FONT_SIZE) -> float:
    """A close upper estimate of a DejaVu Sans line's width in points."""
    return len(line) * size * 0.62


def step_size(kind: str, label: str) -> tuple[float, float, list[str]]:
    """Width, height and wrapped lines of a step symbol; boxes grow with their text."""
    st = STEPS.get(kind, STEPS["task"])
    lines = wrap(label, st.wrap) if st.wrap else []
    height = st.height
    line_h = st.fontsize * 1.3
    if kind == "decision":
        height = max(st.height, 2 * line_h * len(lines) + 16)
    elif lines:
        extra = 14.0 if kind == "subprocess" else 0.0
        height = max(st.height, line_h * len(lines) + 18 + extra)
    return st.width, height, lines
