"""`qms export`: publish the operating-system description as HTML, DOCX, PDF or Markdown."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qms.cli import lang_option, pick_lang, workspace_argument
from qms.findings import Msg

if TYPE_CHECKING:
    from qms.lint import Result
    from qms.load import Loaded
    from qms.model import Workspace

FORMATS = ("html", "docx", "pdf", "md", "bpmn")
UNKNOWN_ORG = Msg(
    en="no organisation {name!r} in the workspace; choose from {choices}",
    fi="työtilassa ei ole organisaatiota {name!r}; valitse näistä: {choices}",
)
ONE_FILE = Msg(
    en="{out} names one file but {count} organisations are exported; give a folder, "
    "or choose one with --organisation",
    fi="{out} on yksi tiedosto, mutta vietäviä organisaatioita on {count}; anna kansio "
    "tai valitse yksi valitsimella --organisation",
)
NOTHING = Msg(en="the workspace has no organisations", fi="työtilassa ei ole organisaatioita")
DONE = Msg(
    en="{count} files written to {out} ({unchanged} unchanged)",
    fi="{count} tiedostoa kirjoitettu kohteeseen {out} ({unchanged} ennallaan)",
)
NO_DOT = Msg(
    en="Graphviz's dot is not installed: the manual is published without diagrams",
    fi="Graphvizin dot-ohjelmaa ei ole asennettu: käsikirja julkaistaan ilman kaavioita",
)


def export_workspace(
    workspace: str,
    fmt: str,
    out: str,
    organisations: Sequence[str] = (),
    lang: str | None = None,
    force: bool = False,
    loaded: Loaded | None = None,
    result: Result | None = None,
    announce: bool = True,
) -> int:
    """Load, lint, build the manuals and write them in `fmt` under `out`; return the exit code.

    `qms build` passes the workspace it already loaded and linted, so that is done once, and
    `announce=False`: it says where everything is in one line of its own."""
    from qms.export.manual import Diagrams, build_manuals
    from qms.files import write_tree
    from qms.lint import lint
    from qms.load import load

    loaded = loaded or load(workspace)
    language = pick_lang(lang, loaded.workspace.language if loaded.workspace else None)
    if loaded.fatal or loaded.workspace is None:
        click.echo(f"qms: {(loaded.fatal or {}).get(language, 'nothing to load')}", err=True)
        return 2
    ws = loaded.workspace
    if not ws.organisations:
        click.echo(f"qms: {NOTHING.format(language)}", err=True)
        return 2
    if announce:  # `qms build` says it once for all it writes
        from qms.partial import echo_notice

        echo_notice(loaded.findings, language)
    doc_lang = lang or ws.language
    if fmt == "bpmn":
        return _export_bpmn(ws, out, organisations, doc_lang, language, force)
    try:
        manuals = build_manuals(ws, list(organisations) or None, doc_lang, result or lint(loaded))
    except KeyError as missing:
        choices = ", ".join(o.id for o in ws.organisations)
        click.echo(
            f"qms: {UNKNOWN_ORG.format(language, name=missing.args[0], choices=choices)}",
            err=True,
        )
        return 2
    diagrams = Diagrams(ws, doc_lang)
    if not diagrams.available:
        click.echo(f"qms: {NO_DOT.format(language)}", err=True)
    diagrams.prefetch("png" if fmt == "docx" else "svg")
    target = Path(out)
    files: dict[str, str | bytes] = {}
    if fmt == "html":
        from qms.export.html import portal

        files.update(portal(manuals, diagrams))
    elif fmt == "md":
        from qms.export.markdown import markdown_files

        files.update(markdown_files(manuals, diagrams))
    else:
        if fmt == "pdf":
            from qms.export.pdf import MISSING, available

            problem = available()
            if problem:
                click.echo(f"qms: {MISSING.format(language, error=problem)}", err=True)
                return 2
            from qms.export.pdf import to_pdf as convert
        else:
            from qms.export.docx import to_docx as convert
        single = target.suffix.lower() == f".{fmt}"
        if single and len(manuals) != 1:
            click.echo(f"qms: {ONE_FILE.format(language, out=out, count=len(manuals))}", err=True)
            return 2
        for manual in manuals:
            files["" if single else f"{manual.organisation}.{fmt}"] = convert(manual, diagrams)
    written = write_tree(files, target, force, language)
    if announce:
        click.echo(
            DONE.format(language, count=written, out=target, unchanged=len(files) - written),
            err=True,
        )
    return 0


def _export_bpmn(
    ws: Workspace,
    out: str,
    organisations: Sequence[str],
    doc_lang: str,
    language: str,
    force: bool,
) -> int:
    """One BPMN 2.0 file per process, OUT/<org>/<process>.bpmn (qms/bpmn/, docs/bpmn.md)."""
    from qms.bpmn.export import bpmn_files
    from qms.files import write_tree

    chosen: list[str] = []
    for name in organisations:
        found = [o.id for o in ws.organisations if name.lower() in (o.id, (o.short or "").lower())]
        if not found:
            choices = ", ".join(o.id for o in ws.organisations)
            click.echo(f"qms: {UNKNOWN_ORG.format(language, name=name, choices=choices)}", err=True)
            return 2
        chosen.extend(found)
    from qms.render.layout import TooManySteps

    try:
        files = bpmn_files(ws, doc_lang, chosen or None)
    except TooManySteps as err:
        click.echo(f"qms: {err.message(language)}", err=True)
        return 1
    written = write_tree(dict(files), Path(out), force, language)
    click.echo(
        DONE.format(language, count=written, out=out, unchanged=len(files) - written), err=True
    )
    return 0


@click.command()
@workspace_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="html: a static portal; docx: Word; pdf: via WeasyPrint; md: Markdown for wikis; "
    "bpmn: one BPMN 2.0 file per process for BPMN modellers.",
)
@click.option(
    "--organisation",
    "organisations",
    multiple=True,
    metavar="ORG",
    help="An organisation's id or short name (repeatable; default: every organisation).",
)
@lang_option
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(path_type=str),
    help="Output folder (a file name ending in .docx/.pdf for one organisation).",
)
@click.option("--force", is_flag=True, help="Replace existing files that differ.")
def export(
    workspace: str,
    fmt: str,
    organisations: tuple[str, ...],
    lang: str | None,
    out: str,
    force: bool,
) -> None:
    """Publish the operating-system description (toimintajärjestelmäkuvaus).

    The manual of each organisation: process map, a page per process (SIPOC, flow diagram,
    steps, metrics, documents, risks, goals, review and approval), the quality plan, metrics,
    goal coverage and open findings.

    \b
    Examples:
        qms export models/lamppu --format html -o public/manual
        qms export models/lamppu --format docx --organisation redu -o redu.docx
        qms export models/lamppu --format md --lang en -o wiki
        qms export models/lamppu --format bpmn -o bpmn
    """
    sys.exit(export_workspace(workspace, fmt, out, organisations, lang, force))


PUBLISHED = Msg(
    en="Published: the portal {portal}; the documents in {folder}: {documents}",
    fi="Julkaistu: portaali {portal}; asiakirjat kansiossa {folder}: {documents}",
)


def publish_build(
    workspace: str,
    out: str,
    lang: str | None = None,
    loaded: Loaded | None = None,
    result: Result | None = None,
) -> int:
    """What `qms build` publishes next to the diagrams: the HTML portal in OUT/site and one
    DOCX per organisation in OUT/<org>.docx. Build outputs are generated, so they are replaced.

    Ends with one line that names the portal as a file:// link and the documents.
    """
    site = Path(out) / "site"
    code = export_workspace(workspace, "html", str(site), (), lang, True, loaded, result, False)
    if code == 0:
        code = export_workspace(workspace, "docx", out, (), lang, True, loaded, result, False)
    if code == 0:
        language = pick_lang(
            lang, loaded.workspace.language if loaded and loaded.workspace else None
        )
        ws = loaded.workspace if loaded else None
        names = [o.id for o in ws.organisations] if ws else []
        documents = [f"{name}.docx" for name in names if (Path(out) / f"{name}.docx").is_file()]
        portal = (site / "index.html").resolve().as_uri()
        line = PUBLISHED.format(
            language, portal=portal, folder=out, documents=", ".join(documents) or "-"
        )
        click.echo(line, err=True)
    return code
