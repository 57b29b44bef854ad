"""A partial model is never silent: what every deriving command says when something was left out.

When the loader had to leave something out (a file it could not read, an element or a value
that failed validation: findings QMS001 and QMS002 at error level), every figure derived from
the model may be short: a goal may look uncovered because the action that realizes it was left
out. Every command that derives something (coverage, render, build, export, serve, BPMN export)
says so on the terminal, and every published document carries the same notice visibly.

>>> from qms.findings import Finding
>>> bad = Finding(code="QMS002", text={"en": "x"}, file="a.yaml")
>>> notice([bad, bad.with_(file="b.yaml")], "fi")
'Malli on puutteellinen: 2 virhettä (a.yaml, b.yaml), tulokset voivat olla vajaita.'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qms.findings import Finding, Msg

LOADER_CODES = frozenset({"QMS001", "QMS002", "QMS004"})
"""Findings that something in the files was not taken into the model: the loader's (a file,
element or value left out) and an unknown reference (QMS004), which every figure ignores."""

NOTICE = Msg(
    en="The model is incomplete: {errors} ({files}), results may be incomplete.",
    fi="Malli on puutteellinen: {errors} ({files}), tulokset voivat olla vajaita.",
)
HINT = Msg(
    en="`qms validate` shows what was left out and where.",
    fi="`qms validate` näyttää, mitä jäi pois ja missä.",
)
ERROR_NOUN = {
    "fi": {"one": "virhe", "other": "virhettä"},
    "sv": {"one": "fel", "other": "fel"},
    "en": {"one": "error", "other": "errors"},
}


@dataclass(frozen=True)
class LeftOut:
    """How many loader errors left something out of the model, and in which files."""

    errors: int = 0
    files: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.errors > 0

    def __add__(self, other: LeftOut) -> LeftOut:
        return LeftOut(self.errors + other.errors, tuple(sorted({*self.files, *other.files})))

    def text(self, lang: str) -> str:
        """The notice in `lang`; '' when nothing was left out."""
        if not self.errors:
            return ""
        from qms.l10n import plural

        nouns = ERROR_NOUN.get(lang, ERROR_NOUN["en"])
        shown = list(self.files[:5]) + (["…"] if len(self.files) > 5 else [])
        return NOTICE.format(
            lang, errors=plural(self.errors, lang, **nouns), files=", ".join(shown)
        )


NOTHING_LEFT_OUT = LeftOut()
"""A complete model."""


def left_out(findings: Iterable[Finding]) -> LeftOut:
    """The loader errors among `findings` (suppressed ones count too: the content is gone)."""
    errors = [f for f in findings if f.code in LOADER_CODES and f.severity == "error"]
    return LeftOut(len(errors), tuple(sorted({f.file for f in errors})))


def unresolved(files: Iterable[str]) -> LeftOut:
    """Unknown references found while deriving (one file per reference), for commands that do
    not run the rules: e.g. a goal id in `commits_to` that no project declares."""
    listed = list(files)
    return LeftOut(len(listed), tuple(sorted(set(listed))))


def notice(findings: Iterable[Finding], lang: str) -> str:
    """'Malli on puutteellinen: 3 virhettä (...)', or '' for a complete model."""
    return left_out(findings).text(lang)


def echo_notice(findings: Iterable[Finding], lang: str) -> bool:
    """Print the notice on standard error (with how to see the details); True when partial."""
    return echo_left_out(left_out(findings), lang)


def echo_left_out(found: LeftOut, lang: str) -> bool:
    """Print the notice of `found` on standard error; True when something was left out."""
    if not found:
        return False
    import click

    click.echo(f"qms: {found.text(lang)} {HINT.format(lang)}", err=True)
    return True
