"""Findings -> text, JSON, SARIF 2.1.0 or GitHub workflow annotations.

Each renderer returns a string; only the CLI prints. Paths are shown joined to the workspace
as the user named it, so that editors and CI can open `path:line:col` directly.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable

from qms.findings import Finding, Msg
from qms.i18n import SEVERITY_WORD
from qms.lint import Result

SUMMARY_CLEAN = Msg(en="No problems found.", fi="Ei havaintoja.")
NOUNS = {
    "en": {
        "error": ("error", "errors"),
        "warning": ("warning", "warnings"),
        "info": ("info", "infos"),
        "suppressed": ("suppressed", "suppressed"),
    },
    "fi": {
        "error": ("virhe", "virhettä"),
        "warning": ("varoitus", "varoitusta"),
        "info": ("huomio", "huomiota"),
        "suppressed": ("vaiennettu", "vaiennettua"),
    },
}
SUPPRESSED = Msg(en="suppressed, reason: {reason}", fi="vaiennettu, syy: {reason}")


def shown_path(root: str, file: str) -> str:
    """The path of a workspace file as the user would type it.

    >>> shown_path("models/lamppu", "qms.yaml")
    'models/lamppu/qms.yaml'
    >>> shown_path(".", "qms.yaml")
    'qms.yaml'
    """
    if not root or root == ".":
        return file
    return posixpath.normpath(posixpath.join(root.replace("\\", "/"), file))


def text_line(f: Finding, root: str, lang: str, colour: bool = False) -> str:
    """One finding as `path:line:col: CODE severity: keypath: message`."""
    word = SEVERITY_WORD.get(lang, SEVERITY_WORD["en"])[f.severity]
    where = f"{f.keypath}: " if f.keypath else ""
    head = f"{shown_path(root, f.file)}:{f.line}:{f.col}:"
    body = f"{f.code} {word}: {where}{f.message(lang)}"
    if f.suppressed is not None:
        body += f" ({SUPPRESSED.format(lang, reason=f.suppressed)})"
    if colour:
        import click

        tint = {"error": "red", "warning": "yellow", "info": "blue"}[f.severity]
        head = click.style(head, bold=True)
        body = click.style(body, fg="bright_black" if f.suppressed else tint)
    return f"{head} {body}"


def to_text(result: Result, lang: str, colour: bool = False) -> str:
    """Active findings first, then the suppressed ones with their reasons."""
    active = [f for f in result.findings if f.suppressed is None]
    quiet = [f for f in result.findings if f.suppressed is not None]
    lines = [text_line(f, result.root, lang, colour) for f in (*active, *quiet)]
    return "".join(line + "\n" for line in lines)


def summary(result: Result, lang: str) -> str:
    """The closing line: counts by severity, or that nothing was found.

    >>> summary(Result([]), "fi")
    'Ei havaintoja.'
    """
    counts = result.counts()
    if not any(counts.values()):
        return SUMMARY_CLEAN.format(lang)
    nouns = NOUNS.get(lang, NOUNS["en"])
    parts = [f"{n} {nouns[key][0] if n == 1 else nouns[key][1]}" for key, n in counts.items() if n]
    return ", ".join(parts) + "."


def to_json(result: Result, lang: str) -> str:
    """Machine-readable findings: one object per finding, plus the counts."""
    payload = {
        "version": 1,
        "root": result.root,
        "findings": [
            {
                "code": f.code,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message(lang),
                "messages": dict(sorted(f.text.items())),
                "file": shown_path(result.root, f.file),
                "workspace_file": f.file,
                "line": f.line,
                "column": f.col,
                "keypath": f.keypath,
                "element": f.element,
                "suppressed": f.suppressed,
            }
            for f in result.findings
        ],
        "summary": result.counts(),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, Callable[[Result, str], str]] = {
    "text": lambda result, lang: to_text(result, lang),
    "json": to_json,
}
"""Renderers by the name `--format` takes."""
