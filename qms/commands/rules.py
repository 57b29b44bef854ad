"""`qms rules`: list the rules and explain one, from the rules' own documentation."""

from __future__ import annotations

import json
import sys

import click

from qms.cli import lang_option, pick_lang
from qms.findings import Msg

UNKNOWN_RULE = Msg(
    en="no rule '{rule}'.{hint} `qms rules list` shows them all.",
    fi="sääntöä '{rule}' ei ole.{hint} `qms rules list` näyttää kaikki.",
)
HINT = Msg(en=" Did you mean {guess}?", fi=" Tarkoititko {guess}?")
HEADINGS = {
    "en": ("code", "name", "default", "recommended", "summary"),
    "fi": ("koodi", "nimi", "oletus", "suositeltu", "kuvaus"),
}
YES_NO = {"en": ("yes", "no"), "fi": ("kyllä", "ei")}
DEFAULT_WORD = {"en": "Default severity", "fi": "Oletusvakavuus"}
PRESET_WORD = {
    "en": ("in the recommended preset", "only in the all preset or when selected"),
    "fi": ("mukana suositellussa esiasetuksessa", "vain all-esiasetuksessa tai valittuna"),
}


@click.group()
def rules() -> None:
    """List the rules qms checks, and explain what each one flags and how to fix it.

    \b
    Examples:
        qms rules list
        qms rules list --format json --lang fi
        qms rules explain QMS004
        qms rules explain unknown-reference
    """


@rules.command(name="list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a table (plain columns when piped); json: one object per rule.",
)
@lang_option
def list_rules(fmt: str, lang: str | None) -> None:
    """Every rule: code, name, default severity, whether the recommended preset runs it, and a
    one-line summary.

    \b
    Examples:
        qms rules list
        qms rules list --format json > rules.json
    """
    from qms.report import rule_summary
    from qms.rules import all_rules

    language = pick_lang(lang, None)
    yes, no = YES_NO[language]
    rows = [
        (r.code, r.name, r.severity, r.recommended, rule_summary(r, language)) for r in all_rules()
    ]
    if fmt == "json":
        payload = [
            {"code": c, "name": n, "severity": s, "recommended": rec, "summary": summ}
            for c, n, s, rec, summ in rows
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = [(c, n, s, yes if rec else no, summ) for c, n, s, rec, summ in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        grid = Table(*HEADINGS[language], show_lines=False)
        for row in table:
            grid.add_row(*row)
        Console().print(grid)
        return
    click.echo(plain_table([HEADINGS[language], *table]), nl=False)


def plain_table(rows: list[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell; the last column is left ragged.

    >>> print(plain_table([("a", "bb", "c"), ("ccc", "d", "e")]), end="")
    a    bb  c
    ccc  d   e
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "".join(line + "\n" for line in lines)


@rules.command()
@click.argument("rule")
@lang_option
def explain(rule: str, lang: str | None) -> None:
    """Print the documentation of RULE (a code such as QMS004 or a name such as
    unknown-reference): what it flags, why it matters, and an example with its fix.

    \b
    Examples:
        qms rules explain QMS004
        qms rules explain unknown-reference
    """
    from qms.findings import did_you_mean
    from qms.report import rule_doc, rule_summary
    from qms.rules import all_rules

    language = pick_lang(lang, None)
    wanted = rule.strip()
    found = [
        r
        for r in all_rules()
        if wanted.upper() == r.code or wanted.lower() in (r.name, r.name.replace("-", "_"))
    ]
    if not found:
        candidates = [r.code for r in all_rules()] + [r.name for r in all_rules()]
        guess = did_you_mean(wanted, candidates)
        hint = HINT.format(language, guess=guess) if guess else ""
        click.echo(f"qms: {UNKNOWN_RULE.format(language, rule=wanted, hint=hint)}", err=True)
        sys.exit(2)
    r = found[0]
    _, body = rule_doc(r)
    in_preset, not_in_preset = PRESET_WORD[language]
    lines = [
        f"{r.code} {r.name}: {rule_summary(r, language)}",
        "",
        f"{DEFAULT_WORD[language]}: {r.severity}; {in_preset if r.recommended else not_in_preset}.",
        "",
        body,
    ]
    click.echo("\n".join(lines).rstrip())
