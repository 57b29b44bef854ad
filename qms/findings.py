"""What every stage reports: a finding at a model location, in Finnish and English.

Kept free of heavy imports: the loader, the rules and the reports all share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
PathPart = str | int


@dataclass(frozen=True, slots=True)
class Msg:
    """A message template in English and Finnish; `{name}` fields are filled at report time."""

    en: str
    fi: str

    def format(self, lang: str, **params: Any) -> str:
        """Return the message in `lang` (Finnish for 'fi', English otherwise)."""
        template = self.fi if lang == "fi" else self.en
        shown = {
            k: v.text(lang) if hasattr(v, "text") and callable(v.text) else v
            for k, v in params.items()
        }
        return template.format(**shown)


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the model: a file (relative to the workspace) and a key path inside it."""

    file: str
    path: tuple[PathPart, ...] = ()

    def child(self, *parts: PathPart) -> Location:
        """The location of a key or index below this one."""
        return Location(self.file, self.path + parts)


@dataclass(frozen=True, slots=True, eq=True)
class Finding:
    """One reported problem, with its position resolved and its texts in both languages."""

    code: str
    text: dict[str, str]
    """The message by language code ('en', 'fi')."""
    file: str
    line: int = 1
    col: int = 1
    path: tuple[PathPart, ...] = ()
    severity: Severity = "error"
    rule: str = ""
    keypath: str = ""
    """The dotted key path as written in the file, e.g. steps[2].next."""
    suppressed: str | None = None
    """The reason given where the finding is suppressed for its element."""
    element: str = ""
    """The id of the element the finding is about, where there is one."""

    def message(self, lang: str) -> str:
        """The message in `lang`, falling back to English."""
        return self.text.get(lang) or self.text.get("en", "")

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings sort by file, position, code: deterministic output."""
        return (self.file, self.line, self.col, self.code, self.text.get("en", ""))

    def with_(self, **changes: Any) -> Finding:
        """A copy with some fields changed."""
        return replace(self, **changes)


def make_text(msg: Msg, **params: Any) -> dict[str, str]:
    """Render a message template in both languages."""
    return {"en": msg.format("en", **params), "fi": msg.format("fi", **params)}


def did_you_mean(word: str, candidates: list[str] | set[str] | tuple[str, ...]) -> str | None:
    """The nearest candidate to a misspelt word, or None when nothing is close, or when
    several are about as close (then the caller lists them instead of guessing).

    >>> did_you_mean("nxet", ["next", "name", "role"])
    'next'
    >>> did_you_mean("G9", ["G1", "G2", "G3"]) is None
    True
    """
    import difflib

    pool = sorted(set(candidates))
    exact = [c for c in pool if c.lower() == word.lower()]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None  # G1 and g1 both exist: no guess is clearly right
    cutoff = 0.6 if len(word) > 3 else 0.5
    scored = sorted(
        ((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in pool), reverse=True
    )
    scored = [(score, c) for score, c in scored if score >= cutoff]
    if not scored:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.1:
        return None  # as near to two or more: list them instead
    return scored[0][1]


_BEYOND_LATIN1 = "\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNPRINTABLE = {
    False: f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BEYOND_LATIN1}]",
    True: f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BEYOND_LATIN1}]",
}
"""What `printable` escapes, without and with `newlines`."""


@cache
def _unprintable(newlines: bool) -> re.Pattern[str]:
    """Compiled on first use: a class with characters beyond U+00FF makes `re` build a table
    of all 65,536 (3 % of a `qms validate` that finds nothing edited, which prints nothing)."""
    return re.compile(_UNPRINTABLE[newlines])


_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, newlines: bool = False) -> str:
    r"""`text` safe to print on one line of a terminal or a log: control characters (C0 but
    tab, DEL, C1, so also the ESC that starts CSI and OSC sequences), line and paragraph
    separators, bidirectional overrides and lone surrogates are shown as escapes; with
    `newlines`, line feeds and carriage returns are kept (for formats that escape them).

    >>> print(printable("a\nb\x1b]0;title\x07 \u202e"))
    a\nb\x1b]0;title\x07 \u202e
    >>> printable("rivi\nrivi\t", newlines=True)
    'rivi\nrivi\t'
    """
    return _unprintable(newlines).sub(_escaped, text)


@dataclass
class Result:
    """Findings of a run, sorted, with the counts the summary and the exit code need (here,
    not in qms.lint, so that printing kept findings imports no rule and no model)."""

    findings: list[Finding]
    root: str = ""
    fatal: dict[str, str] | None = None
    examples: int = 0
    """How many elements are marked as example content (`example:`), for the summary."""

    def counts(self) -> dict[str, int]:
        """Unsuppressed findings by severity, and the suppressed ones."""
        out = {s: 0 for s in SEVERITIES} | {"suppressed": 0}
        for f in self.findings:
            out["suppressed" if f.suppressed else f.severity] += 1
        return out

    def exit_code(self, strict: bool = False) -> int:
        """0 clean, 1 errors (and warnings with strict), 2 nothing loadable."""
        if self.fatal:
            return 2
        counts = self.counts()
        return 1 if counts["error"] or (strict and counts["warning"]) else 0
