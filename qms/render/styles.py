"""All look in one table: colours, fonts, shapes and sizes of every diagram.

Colours are the Okabe-Ito palette (distinguishable with every common colour-vision deficiency);
states that matter also differ in lightness and line style, so greyscale prints keep them apart.
DejaVu Sans has every Finnish and Swedish glyph and ships with Graphviz on most systems
(scripts/ensure-dot.sh installs fonts-dejavu-core).
"""

from __future__ import annotations

import functools
import itertools
import textwrap
from dataclasses import dataclass
from types import MappingProxyType

FONT = "DejaVu Sans"
FONT_SIZE = 10.0
"""The one size of every name on a flow diagram: steps, decisions, events, branch labels, lane
names and connectors. Steady type: a reader compares names, not sizes, and the smallest text on
paper is the body text's (see MIN_PRINT_SIZE); nothing shrinks to fit, long names wrap."""
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
EXAMPLE_FILL = "#FFF6D6"
"""The badge of example content (issue 14): the same colours as the portal's .example-note."""
EXAMPLE_LINE = "#8E6C00"
EXAMPLE_TEXT = "#4D3B00"
INCOMPLETE_FILL = "#FDE2D8"
"""The badge of a diagram that cannot show all of its process: the portal's .incomplete-note."""
INCOMPLETE_LINE = "#B3261E"
INCOMPLETE_TEXT = "#5C0F0A"
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
        "task": NodeStyle("box", 128, 44, "#FFF7E0", BLACK, "rounded,filled", wrap=20),
        "subprocess": NodeStyle("box", 128, 54, "#E3F1FB", BLUE, "filled", 1.5, wrap=20),
        "decision": NodeStyle("diamond", 140, 70, "#FCF7C5", BLACK, wrap=18),
        "connector": NodeStyle("circle", 22, 22, WHITE, BLUE, penwidth=1.5, wrap=0),
        "parallel": NodeStyle("diamond", 44, 44, "#FCF7C5", BLACK, wrap=0, fontsize=16.0),
        "inclusive": NodeStyle("diamond", 44, 44, "#FCF7C5", BLACK, wrap=0, fontsize=16.0),
        "event-based": NodeStyle("diamond", 44, 44, "#FCF7C5", BLACK, wrap=0, fontsize=16.0),
        "complex": NodeStyle("diamond", 44, 44, "#FCF7C5", BLACK, wrap=0, fontsize=16.0),
    }
)
"""Symbols of the swimlane diagram: start circle, bold end circle, diamond, rounded task, and
the lettered circle where a folded flow leaves one row and resumes in another. The other
gateways are small diamonds with their BPMN marker (+, ○, ◎, ✳); an event's trigger is drawn
inside its circle (qms.views.step_marker)."""

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
LANE_HEADER = 96.0
"""Width of the column holding the lanes' names."""
LANE_PAD = 22.0
"""Free space above and below the symbols of a band: room for loops along its edge."""
COLUMN_GAP = 40.0
"""Space between columns: room for elbows and branch labels."""
STACK_GAP = 18.0
MARGIN = 12.0
PAD = 0.15 * 72
"""White border Graphviz adds around a pinned diagram on every side."""
TITLE_HEIGHT = 46.0
MIN_LANE = 80.0
EVENT_LABEL_ROOM = 12.0
"""Extra room at the right edge."""
EVENTS = ("start", "end", "event")
EVENT_LABEL_W = 100.0
"""An event's name stands below its circle, wrapped to this width (its column is as wide)."""
EVENT_LABEL_WRAP = 16
EVENT_LABEL_SIZE = FONT_SIZE
EVENT_LABEL_LINE = 12.0
LABEL_SIZE = FONT_SIZE
"""Branch labels (`kyllä`, `ei`)."""
CONNECTOR = 22.0
"""Diameter of a fold's connector circle (and width of its column)."""
CONNECTOR_GAP = 26.0
"""Space right of an in-connector column (its flows are straight and unlabelled)."""
LANE_NAME_LINE = 12.0
"""Line height of a lane name (FONT_SIZE, like every name on the diagram)."""

# Folding long flows into rows, so that a flow stays readable on a printed page. The manuals
# print every process flow on a landscape A4 page (DOCX: its own landscape section; PDF: the
# `flow` named page); both set the page up from these numbers.
CM = 72 / 2.54
"""Points per centimetre."""
PAGE_LONG = 29.7 * CM
PAGE_SHORT = 21.0 * CM
"""A4, in points: landscape is PAGE_LONG wide and PAGE_SHORT high."""
PAGE_MARGIN = 2.0 * CM
"""The manuals' margin on every side of a page (DOCX sections, PDF @page)."""
FLOW_HEADING = 1.2 * CM
"""Room above a flow on its landscape page for its heading (Word's Heading 2: 13 pt text,
10 pt space before)."""
PRINT_WIDTH = PAGE_LONG - 2 * PAGE_MARGIN
"""The printable width of a landscape A4 page: 25.7 cm, the widest a flow is printed."""
PRINT_HEIGHT = PAGE_SHORT - 2 * PAGE_MARGIN - FLOW_HEADING
"""The printable height left for a flow picture on that page, below its heading: 15.8 cm."""
MIN_PRINT_SIZE = 8.0
"""The smallest size, in points on paper, that any text of a flow diagram (every name is
FONT_SIZE, lane names included) may shrink to on a landscape A4 page."""
MIN_SCALE = MIN_PRINT_SIZE / FONT_SIZE
"""The smallest scale a flow may be printed at (0.8)."""
FOLD_WIDTH = PRINT_WIDTH / MIN_SCALE - 2 * PAD
"""The widest a row may be (about 889 pt: four to five task columns): the drawing, with its
border, scaled to PRINT_WIDTH keeps FONT_SIZE text at MIN_PRINT_SIZE."""


def print_scale(width: float, height: float = 0.0) -> float:
    """The scale a drawing `width` x `height` points (without its border) is printed at on a
    landscape page: as large as it fits PRINT_WIDTH and PRINT_HEIGHT, never enlarged."""
    scale = min(1.0, PRINT_WIDTH / (width + 2 * PAD))
    if height:
        scale = min(scale, PRINT_HEIGHT / (height + 2 * PAD))
    return scale


def print_size(width: float, size: float = FONT_SIZE, height: float = 0.0) -> float:
    """What `size` points of text become when a diagram `width` x `height` points is printed
    (see print_scale; without `height` only the width counts)."""
    return size * print_scale(width, height)


FOLD_COLUMNS = 6
"""At most this many columns per row, however narrow they are."""
ROW_GAP = 24.0
"""White space between the rows of a folded flow."""
ROW_HEIGHT = PRINT_HEIGHT / MIN_SCALE - 2 * PAD - ROW_GAP / 2
"""The tallest a row may be, with the title above it (about 526 pt): the manuals cut a flow
in the middle of the gaps between rows for the page, so a taller row would print below
MIN_PRINT_SIZE."""


def lane_name_lines(name: str) -> list[str]:
    """A lane's name wrapped to the lane-name column at FONT_SIZE; a word too long for it is
    hyphenated, never shrunk (a shrunk name printed at 5 pt on a landscape A4 page).

    >>> lane_name_lines("Työssäoppimisesta vastaava opettaja")
    ['Työssäop-', 'pimisesta', 'vastaava', 'opettaja']
    >>> lane_name_lines("Laatupäällikkö")
    ['Laatupäällikkö']
    """
    return wrap(name, int((LANE_HEADER - 12) / (0.58 * FONT_SIZE)), hard=True)


def lane_name_height(name: str) -> float:
    """Height of a lane's wrapped name, with air above and below."""
    return 16 + LANE_NAME_LINE * len(lane_name_lines(name))


def event_name_lines(name: str) -> list[str]:
    """An event's name wrapped under its circle; a word too long for the name's width is
    hyphenated (Finnish compounds: "Kehittämissuunnitelma" ran past its box).

    >>> event_name_lines("Kehittämissuunnitelma päivitetty")
    ['Kehittämis-', 'suunnitelma', 'päivitetty']
    """
    return wrap(name, EVENT_LABEL_WRAP, hard=True)


def event_label_height(label: str) -> float:
    """Height of an event's name below its circle."""
    return 4 + EVENT_LABEL_LINE * len(event_name_lines(label))


def wrap(label: str, width: int, hard: bool = False) -> list[str]:
    """Wrap a label into lines of at most `width` characters; long words split only when `hard`
    (see `hyphenate`).

    >>> wrap("Laaditaan tilinpäätös ja toimintakertomus", 22)
    ['Laaditaan tilinpäätös', 'ja toimintakertomus']
    >>> wrap("Henkilöstöpäällikkö", 17, hard=True)
    ['Henkilöstö-', 'päällikkö']
    """
    return list(_wrapped(label, width, hard))


@functools.lru_cache(maxsize=1 << 16)
def _wrapped(label: str, width: int, hard: bool) -> tuple[str, ...]:
    """`wrap`, kept: the layout measures the same names again for every row it routes."""
    if width <= 0:
        return (label,) if label else ()
    if hard:
        label = " ".join(piece for word in label.split() for piece in hyphenate(word, width))
    lines = textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False)
    return tuple(lines) or ("",)


VOWELS = frozenset("aeiouyäöåAEIOUYÄÖÅ")


def hyphenate(word: str, width: int) -> list[str]:
    """A word longer than `width` cut into as few pieces as fit, as even as the breaks allow;
    every piece but the last ends with a hyphen.

    Breaks come after a hyphen already in the word, else before a consonant followed by a vowel
    (the basic Finnish syllable rule: `Kou-lu-tus-pääl-lik-kö`), which also finds most compound
    joints. pyphen has no Finnish patterns; a word without a break that fits is cut into even
    pieces.

    >>> hyphenate("Koulutuspäällikkö", 14)
    ['Koulutus-', 'päällikkö']
    >>> hyphenate("LAMPPU-hankkeen", 14)
    ['LAMPPU-', 'hankkeen']
    """
    if len(word) <= width or width < 3:
        return [word]
    # (position, whether a hyphen must be added there)
    breaks = [(i + 1, False) for i in range(1, len(word) - 2) if word[i] == "-"]
    breaks += [
        (i, True)
        for i in range(2, len(word) - 2)
        if word[i] not in VOWELS
        and word[i].isalpha()
        and word[i + 1] in VOWELS
        and word[i - 1] != "-"
    ]
    breaks.sort()
    cuts = [(0, False), *breaks, (len(word), False)]
    # best[k]: (pieces, sum of squared lengths, previous cut) for the word up to cuts[k].
    best: list[tuple[int, int, int] | None] = [None] * len(cuts)
    best[0] = (0, 0, -1)
    for k in range(1, len(cuts)):
        end, hyphen = cuts[k]
        for j in range(k):
            prev = best[j]
            size = end - cuts[j][0] + (1 if hyphen else 0)
            if prev is None or size > width:
                continue
            cand = (prev[0] + 1, prev[1] + size * size, j)
            # Ties go to the later cut: `Henkilöstö-päällikkö`, not `Henkilös-töpäällikkö`.
            if best[k] is None or cand[:2] <= best[k][:2]:  # type: ignore[index]
                best[k] = cand
    found = best[-1]
    if found is None:  # no break fits: even pieces
        pieces = -(-len(word) // (width - 1))
        size = -(-len(word) // pieces)
        parts = [word[i : i + size] for i in range(0, len(word), size)]
        return [part + "-" for part in parts[:-1]] + parts[-1:]
    at = [len(cuts) - 1]
    while best[at[-1]][2] >= 0:  # type: ignore[index]
        at.append(best[at[-1]][2])  # type: ignore[index]
    at.reverse()
    out = []
    for a, b in itertools.pairwise(at):
        piece = word[cuts[a][0] : cuts[b][0]]
        out.append(piece + "-" if cuts[b][1] else piece)
    return out


def text_width(line: str, size: float = FONT_SIZE) -> float:
    """A close upper estimate of a DejaVu Sans line's width in points."""
    return len(line) * size * 0.62


def step_size(kind: str, label: str) -> tuple[float, float, list[str]]:
    """Width, height and wrapped lines of a step symbol; boxes grow with their text."""
    w, h, lines = step_box(kind, label)
    return w, h, list(lines)


@functools.lru_cache(maxsize=1 << 16)
def step_box(kind: str, label: str) -> tuple[float, float, tuple[str, ...]]:
    """`step_size`, its lines a tuple, kept: the layout measures every step again for each
    row it lays out."""
    w, h, lines = _step_size(kind, label)
    return w, h, tuple(lines)


def _step_size(kind: str, label: str) -> tuple[float, float, list[str]]:
    st = STEPS.get(kind, STEPS["task"])
    lines = wrap(label, st.wrap) if st.wrap else []
    height = st.height
    line_h = st.fontsize * 1.3
    if kind == "connector":
        return st.width, st.height, [label]
    if kind == "decision":
        height = max(st.height, 2 * line_h * len(lines) + 16)
        # A diamond narrows away from its middle: wide enough that its top and bottom lines
        # stay inside it.
        widest = max((text_width(line, st.fontsize) for line in lines), default=0.0)
        return max(st.width, round(1.25 * widest + 12)), height, lines
    elif lines:
        extra = 14.0 if kind == "subprocess" else 0.0
        height = max(st.height, line_h * len(lines) + 18 + extra)
    return st.width, height, lines
