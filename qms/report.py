"""Findings -> text, JSON, SARIF 2.1.0 or GitHub workflow annotations.

Each renderer returns a string; only the CLI prints. Paths are shown joined to the workspace
as the user named it, so that editors and CI can open `path:line:col` directly.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import posixpath
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from qms import __version__
from qms.findings import SEVERITIES, Finding, Msg, Result, printable
from qms.i18n import SEVERITY_WORD

if TYPE_CHECKING:
    from qms.rule import Rule

SUMMARY_CLEAN = Msg(en="No problems found.", fi="Ei havaintoja.")
EXAMPLES = Msg(
    en="Example content (example:): {count}, marked as such in every output.",
    fi="Esimerkkisisältöä (example:): {count}, merkitty esimerkiksi kaikissa tulosteissa.",
)
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
    """One finding as `path:line:col: CODE severity: keypath: message`.

    Everything that comes from the workspace (file names, keys, quoted values, reasons) goes
    through `printable`: a newline cannot forge a second finding line, and an escape sequence
    cannot reach the terminal."""
    word = SEVERITY_WORD.get(lang, SEVERITY_WORD["en"])[f.severity]
    where = f"{f.keypath}: " if f.keypath else ""
    head = printable(f"{shown_path(root, f.file)}:{f.line}:{f.col}:")
    body = printable(f"{f.code} {word}: {where}{f.message(lang)}")
    if f.suppressed is not None:
        body += printable(f" ({SUPPRESSED.format(lang, reason=f.suppressed)})")
    if colour:
        import click

        tint = {"error": "red", "warning": "yellow", "info": "blue"}[f.severity]
        head = click.style(head, bold=True)
        body = click.style(body, fg="bright_black" if f.suppressed else tint)
    return f"{head} {body}"


SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
"""Severities from the least to the most severe, for `--severity`."""
SUPPRESSED_HINT = Msg(
    en="{count} {noun}; show {them}: --show-suppressed",
    fi="{count} {noun}; näytä {them}: --show-suppressed",
)
THEM = {"en": ("it", "them"), "fi": ("se", "ne")}
NOT_LISTED = Msg(
    en="not listed (--severity {level}): {counts}",
    fi="ei listattu (--severity {level}): {counts}",
)


def at_least(result: Result, severity: str) -> list[Finding]:
    """The active (unsuppressed) findings of `severity` or more severe, in report order."""
    floor = SEVERITY_RANK[severity]
    return [
        f for f in result.findings if f.suppressed is None and SEVERITY_RANK[f.severity] >= floor
    ]


def to_text(
    result: Result,
    lang: str,
    colour: bool = False,
    suppressed: bool = False,
    severity: str = "info",
) -> str:
    """The active findings of `severity` or more, one per line; with `suppressed`, only the
    suppressed ones (with their reasons).

    The CLI prints the active findings on standard output (what editors and CI parse); the
    suppressed ones are counted in one line on standard error, and listed with
    `--show-suppressed`.
    """
    if suppressed:
        chosen = [f for f in result.findings if f.suppressed is not None]
    else:
        chosen = at_least(result, severity)
    return "".join(text_line(f, result.root, lang, colour) + "\n" for f in chosen)


def _counted(counts: dict[str, int], lang: str, keys: Sequence[str]) -> list[str]:
    nouns = NOUNS.get(lang, NOUNS["en"])
    return [
        f"{counts[k]} {nouns[k][0] if counts[k] == 1 else nouns[k][1]}" for k in keys if counts[k]
    ]


def suppressed_hint(count: int, lang: str) -> str:
    """The one line that stands for the suppressed findings in a text report.

    >>> suppressed_hint(13, "fi")
    '13 vaiennettua; näytä ne: --show-suppressed'
    >>> suppressed_hint(1, "en")
    '1 suppressed; show it: --show-suppressed'
    """
    nouns = NOUNS.get(lang, NOUNS["en"])["suppressed"]
    them = THEM.get(lang, THEM["en"])
    one = count == 1
    return SUPPRESSED_HINT.format(
        lang, count=count, noun=nouns[0 if one else 1], them=them[0 if one else 1]
    )


def text_report(
    result: Result,
    lang: str,
    *,
    show_suppressed: bool = False,
    severity: str = "info",
    quiet: bool = False,
    colour_out: bool = False,
    colour_err: bool = False,
) -> tuple[str, str]:
    """(standard output, standard error) of a text report.

    Standard output holds the active findings of `severity` or more, one per line. Standard
    error holds, unless `quiet`: the suppressed findings with their reasons (with
    `show_suppressed`) or one line counting them, a line counting the findings below
    `severity`, and the summary.
    """
    out = to_text(result, lang, colour_out, severity=severity)
    if quiet:
        return out, ""
    counts = result.counts()
    lines: list[str] = []
    if show_suppressed:
        lines.append(to_text(result, lang, colour_err, suppressed=True).rstrip("\n"))
    elif counts["suppressed"]:
        lines.append(suppressed_hint(counts["suppressed"], lang))
    below = [s for s in ("warning", "info") if SEVERITY_RANK[s] < SEVERITY_RANK[severity]]
    hidden = _counted(counts, lang, below)
    if hidden:
        lines.append(NOT_LISTED.format(lang, level=severity, counts=", ".join(hidden)))
    lines.append(summary(result, lang, with_suppressed=show_suppressed))
    return out, "".join(line + "\n" for line in lines if line)


def echo_text(result: Result, lang: str, **options: Any) -> None:
    """Print a text report as `validate` and `build` do; `options` are `text_report`'s
    (`show_suppressed`, `severity`, `quiet`)."""
    import click

    out, err = text_report(
        result, lang, colour_out=sys.stdout.isatty(), colour_err=sys.stderr.isatty(), **options
    )
    click.echo(out, nl=False)
    if err:
        click.echo(err, nl=False, err=True)


def summary(result: Result, lang: str, with_suppressed: bool = True) -> str:
    """The closing line: counts by severity, or that nothing was found.

    Without `with_suppressed` the suppressed findings are left out of it (a line of their
    own counts them).

    >>> summary(Result([]), "fi")
    'Ei havaintoja.'
    """
    counts = result.counts()
    keys = [*SEVERITIES, *(["suppressed"] if with_suppressed else [])]
    parts = _counted(counts, lang, keys)
    tail = ""
    if result.examples:
        from qms.example import counted_elements

        tail = " " + EXAMPLES.format(lang, count=counted_elements(result.examples, lang))
    if not parts:
        return SUMMARY_CLEAN.format(lang) + tail
    return ", ".join(parts) + "." + tail


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


# --- rule metadata shared by SARIF, `qms rules` and the generated docs --------------------------

INFORMATION_URI = "https://github.com/qms-developers/qms"
"""Where users learn about qms (SARIF's tool.driver.informationUri)."""
RULES_DOC_URI = INFORMATION_URI + "/blob/main/docs/rules.md"
"""The generated rule reference; each rule has an anchor named after its code."""


def rule_doc(rule: Rule) -> tuple[str, str]:
    """A rule's documentation split into (summary, body).

    The summary is the docstring's first paragraph without its `CODE name:` prefix (a long
    summary may wrap onto a second line); the body is everything after it, dedented.
    """
    doc = inspect.cleandoc(rule.doc) if rule.doc.strip() else ""
    head, _, body = doc.partition("\n\n")
    summary = " ".join(line.strip() for line in head.splitlines())
    prefix = f"{rule.code} {rule.name}:"
    if summary.startswith(prefix):
        summary = summary[len(prefix) :].strip()
    elif ":" in summary and summary.split(":", 1)[0].startswith(rule.code):
        summary = summary.split(":", 1)[1].strip()
    return summary, body.strip()


def rule_summary(rule: Rule, lang: str) -> str:
    """The rule's one-line summary in `lang`: the docstring's, translated by the gettext
    catalogue (qms/locale/<lang>/LC_MESSAGES/qms.po), else in English."""
    from qms.i18n import RULE_SUMMARY, translate

    return translate(rule_doc(rule)[0], lang, RULE_SUMMARY)


def _what_it_does(body: str) -> str:
    """The text of the `## What it does` section, or the body's first paragraph."""
    lines = body.splitlines()
    for i, line in enumerate(lines):
        if line.strip().lower() == "## what it does":
            section: list[str] = []
            for rest in lines[i + 1 :]:
                if rest.startswith("#"):
                    break
                section.append(rest)
            text = " ".join(x.strip() for x in section if x.strip())
            if text:
                return text
    first = body.split("\n\n", 1)[0]
    return " ".join(x.strip() for x in first.splitlines() if not x.startswith("#"))


# --- SARIF 2.1.0 -------------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INTERNAL_DOC = (
    "QMS000 internal-error: a rule failed while checking the model.\n\n"
    "The other rules still ran. Please report it with the model that triggers it."
)


def _sarif_rules(findings: Sequence[Finding], lang: str) -> list[dict[str, object]]:
    """Every registered rule, plus any code a finding names that no rule module defines."""
    from qms.rule import Rule
    from qms.rules import all_rules

    rules = list(all_rules())
    known = {r.code for r in rules}
    for f in findings:
        if f.code not in known:
            doc = INTERNAL_DOC if f.code == "QMS000" else f"{f.code} {f.rule}: {f.rule}"
            rules.append(Rule(f.code, f.rule or f.code, f.severity, lambda ctx: (), doc, True))
            known.add(f.code)
    rules.sort(key=lambda r: r.code)
    out: list[dict[str, object]] = []
    for r in rules:
        summary = rule_summary(r, lang)
        _, body = rule_doc(r)
        full = _what_it_does(body) or summary
        markdown = f"**{r.code} {r.name}**: {summary}\n\n{body}".strip()
        out.append(
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": summary or r.name},
                "fullDescription": {"text": full or r.name},
                "help": {"text": f"{summary}\n\n{body}".strip() or r.name, "markdown": markdown},
                "helpUri": f"{RULES_DOC_URI}#{r.code.lower()}",
                "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
                "properties": {"recommended": r.recommended, "tags": ["qms"]},
            }
        )
    return out


def artifact_uri(root: str, file: str) -> str:
    """A finding's file as a SARIF URI: relative and forward-slashed, percent-encoded.

    >>> artifact_uri("models/lamppu", "organisations/jedu/prosessit/hyväksyntä.yaml")
    'models/lamppu/organisations/jedu/prosessit/hyv%C3%A4ksynt%C3%A4.yaml'
    >>> artifact_uri("/tmp/ws", "qms.yaml")
    'file:///tmp/ws/qms.yaml'
    """
    shown = shown_path(root, file).replace("\\", "/")
    if PurePosixPath(shown).is_absolute():
        return "file://" + quote(shown, safe="/")
    if len(shown) > 1 and shown[1] == ":":  # a Windows drive letter
        return "file:///" + quote(shown, safe="/:")
    return quote(shown, safe="/")


def fingerprint(f: Finding) -> str:
    """A stable identity for a finding that survives unrelated edits moving it up or down.

    Built from the code, the workspace file, the key path inside it, the element and the
    English message, never from line numbers.
    """
    key = "\x1f".join(
        [f.code, f.file, f.keypath or ".".join(map(str, f.path)), f.element, f.text.get("en", "")]
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# --- where a finding is: the file's text, for full regions and GitHub's line hash ------------

_WINDOW = 100
"""How many characters (spaces and tabs left out) from a line's start GitHub's hash covers."""
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(37, _WINDOW, 1 << 64)
_EOF = 0xFFFF
_SPACE, _TAB, _LF, _CR = 0x20, 0x09, 0x0A, 0x0D


def line_hashes(text: str) -> list[str]:
    """GitHub code scanning's `primaryLocationLineHash` for each line of a file's text.

    The same value the github/codeql-action upload computes when a SARIF result lacks one
    (its `fingerprints.ts`): a rolling hash, base 37 in 64-bit arithmetic, of the next 100
    UTF-16 code units from the start of each line, with spaces and tabs left out and line
    ends made LF; the file ends in U+FFFF and is padded with NULs. A value repeated in the
    file gets `:2`, `:3`, ... in order, others `:1`. Element i is line i + 1's hash.

    >>> line_hashes("")
    ['c129715d7a2bc9a3:1']
    >>> line_hashes(" a\\nb\\n  \\t\\tc\\n d")
    ['271789c17abda88f:1', '54703d4cd895b18:1', '180aee12dab6264:1', 'a23a3dc5e078b07b:1']
    """
    units = memoryview(text.encode("utf-16-le")).cast("H").tolist()
    units.append(_EOF)
    window = [0] * _WINDOW
    starts = [-1] * _WINDOW  # the line number starting at each window slot, or -1
    hashes: dict[int, str] = {}
    seen: dict[str, int] = {}
    value = index = line = 0
    at_line_start, after_cr = True, False

    def emit(slot: int) -> None:
        digest = format(value, "x")
        seen[digest] = seen.get(digest, 0) + 1
        hashes[starts[slot]] = f"{digest}:{seen[digest]}"
        starts[slot] = -1

    for unit in units:
        if unit in (_SPACE, _TAB) or (after_cr and unit == _LF):
            after_cr = False
            continue
        after_cr = unit == _CR
        if after_cr:
            unit = _LF
        if starts[index] != -1:
            emit(index)
        if at_line_start:
            at_line_start = False
            line += 1
            starts[index] = line
        if unit == _LF:
            at_line_start = True
        value = (37 * value + unit - _FIRST_MOD * window[index]) & _MASK
        window[index] = unit
        index = (index + 1) % _WINDOW
    for _ in range(_WINDOW):
        if starts[index] != -1:
            emit(index)
        value = (37 * value - _FIRST_MOD * window[index]) & _MASK
        window[index] = 0
        index = (index + 1) % _WINDOW
    return [hashes[n] for n in range(1, line + 1)]


LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
"""Line breaks as the YAML reader counts them, so that line numbers agree with the findings'."""


def token_end(line: str, start: int) -> int:
    """Where the YAML token that begins at `start` of `line` ends (exclusive): a quoted
    scalar to its closing quote, a flow collection to its closing bracket, a plain scalar or
    key before `: `, `,`, `]`, `}` or ` #`. At least one character when there is one.

    >>> line = "  - {id: kysely, name: 'Kysely', next: [a]}  # comment"
    >>> [line[2:token_end(line, 2)], line[5:token_end(line, 5)], line[23:token_end(line, 23)]]
    ['-', 'id', "'Kysely'"]
    >>> line[4:token_end(line, 4)]
    "{id: kysely, name: 'Kysely', next: [a]}"
    """
    if start >= len(line):
        return start
    first = line[start]
    if first == "-" and line[start + 1 : start + 2] in ("", " "):  # a block sequence entry
        return start + 1
    if first in "\"'":
        i = start + 1
        while i < len(line):
            if first == '"' and line[i] == "\\":
                i += 2
                continue
            if line[i] == first:
                if first == "'" and line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return len(line.rstrip())
    if first in "[{":
        depth, quote = 0, ""
        for i in range(start, len(line)):
            c = line[i]
            if quote:
                quote = "" if c == quote else quote
            elif c in "\"'":
                quote = c
            elif c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
        return len(line.rstrip())
    end = start + 1
    while end < len(line):
        c, after = line[end], line[end + 1 : end + 2]
        if (
            c in ",]}"
            or (c == ":" and after in ("", " ", "\t"))
            or (c == "#" and line[end - 1] == " ")
        ):
            break
        end += 1
    return max(start + len(line[start:end].rstrip()), start + 1)


class SourceTexts:
    """The text of the workspace files that findings point into, read once each.

    A file that cannot be read (gone, too large, a folder) has no text: its results keep the
    start of their region only, and no line hash.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self._texts: dict[str, tuple[list[str], list[str]] | None] = {}

    def get(self, file: str) -> tuple[list[str], list[str]] | None:
        """(lines, GitHub line hashes) of a workspace file, or None."""
        if file not in self._texts:
            self._texts[file] = self._read(file)
        return self._texts[file]

    def _read(self, file: str) -> tuple[list[str], list[str]] | None:
        from qms.load.yaml_source import MAX_FILE_BYTES

        path = Path(self.root or ".") / file
        try:
            if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                return None
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None
        return LINE_BREAK.split(text), line_hashes(text)


def sarif_location(
    f: Finding, result: Result, texts: SourceTexts
) -> tuple[dict[str, object], str | None]:
    """A finding's SARIF physical location with its full region (start and end, the token's
    text as the snippet, its whole line as the context region), and GitHub's line hash."""
    line, col = max(f.line, 1), max(f.col, 1)
    region: dict[str, object] = {"startLine": line, "startColumn": col}
    location: dict[str, object] = {
        "artifactLocation": {"uri": artifact_uri(result.root, f.file)},
        "region": region,
    }
    source = texts.get(f.file)
    if source is None or line > len(source[0]):
        return location, None
    lines, hashes = source
    text = lines[line - 1]
    end = token_end(text, col - 1)
    region.update(endLine=line, endColumn=max(end + 1, col))
    if end > col - 1:
        region["snippet"] = {"text": text[col - 1 : end]}
    location["contextRegion"] = {"startLine": line, "endLine": line, "snippet": {"text": text}}
    return location, hashes[line - 1] if line <= len(hashes) else None


def to_sarif(result: Result, lang: str) -> str:
    """Findings as a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.

    Every result carries `suppressions` (SARIF 2.1.0 3.27.23: all results or none): a
    suppressed finding one in-source suppression with its reason, the others an empty list.
    `partialFingerprints` holds GitHub's `primaryLocationLineHash` of the finding's line (as
    the upload action would compute it) and qms's own line-independent `qmsFinding/v1`.
    """
    rules = _sarif_rules(result.findings, lang)
    index = {str(r["id"]): i for i, r in enumerate(rules)}
    texts = SourceTexts(result.root)
    results: list[dict[str, object]] = []
    for f in result.findings:
        location, line_hash = sarif_location(f, result, texts)
        prints = {"qmsFinding/v1": fingerprint(f)}
        if line_hash:
            prints["primaryLocationLineHash"] = line_hash
        item: dict[str, object] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": (f"{f.keypath}: " if f.keypath else "") + f.message(lang)},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": dict(sorted(prints.items())),
            # SARIF 2.1.0 3.27.23: on every result or on none; empty means not suppressed
            "suppressions": (
                [{"kind": "inSource", "justification": f.suppressed}]
                if f.suppressed is not None
                else []
            ),
        }
        properties = {k: v for k, v in (("keypath", f.keypath), ("element", f.element)) if v}
        if properties:
            item["properties"] = properties
        results.append(item)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qms",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": not result.fatal}],
                "language": lang,
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


# --- GitHub workflow commands ------------------------------------------------------------------

GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    r"""Escape a workflow command's message, as the GitHub runner unescapes it.

    >>> escape_data("50% done\nnext")
    '50%25 done%0Anext'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value: also ':' and ',', which end a property.

    >>> escape_property("QMS004 a, b: c")
    'QMS004 a%2C b%3A c'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(result: Result, lang: str) -> str:
    """One `::error file=...,line=...,col=...,title=...::message` line per active finding.

    GitHub Actions turns these into annotations on the changed files. Suppressed findings are
    not annotated: they were dismissed on purpose, with a reason the other formats show.
    """
    lines = []
    for f in result.findings:
        if f.suppressed is not None:
            continue
        props = ",".join(
            f"{key}={escape_property(printable(value))}"
            for key, value in (
                ("file", shown_path(result.root, f.file).replace("\\", "/")),
                ("line", str(max(f.line, 1))),
                ("col", str(max(f.col, 1))),
                ("title", f"{f.code} {f.rule}".strip()),
            )
        )
        where = f"{f.keypath}: " if f.keypath else ""
        message = escape_data(printable(where + f.message(lang), newlines=True))
        lines.append(f"::{GITHUB_COMMAND[f.severity]} {props}::{message}")
    return "".join(line + "\n" for line in lines)


FORMATS: dict[str, Callable[[Result, str], str]] = {
    "text": lambda result, lang: to_text(result, lang),
    "json": to_json,
    "sarif": to_sarif,
    "github": to_github,
}
"""Renderers by the name `--format` takes."""
