"""The export formats of `qms export`, by name: adding a format is adding an entry here.

Each format turns a `qms.publish.Publication` into files (relative path -> contents) under the
output; the command lists the names and the help texts from this table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qms.files import Refused
from qms.findings import Msg

if TYPE_CHECKING:
    from qms.export.manual import Diagrams, Manual
    from qms.model import Organisation
    from qms.publish import Files, Publication

ONE_FILE = Msg(
    en="{out} names one file but {count} organisations are exported; give a folder, "
    "or choose one with --organisation",
    fi="{out} on yksi tiedosto, mutta vietäviä organisaatioita on {count}; anna kansio "
    "tai valitse yksi valitsimella --organisation",
)
NO_DOT = Msg(
    en="Graphviz's dot is not installed: the manual is published without diagrams",
    fi="Graphvizin dot-ohjelmaa ei ole asennettu: käsikirja julkaistaan ilman kaavioita",
)


@dataclass(frozen=True)
class ExportFormat:
    """One format: its help text and how its files are made."""

    help: str
    build: Callable[[Publication, Path, Sequence[str]], Files]
    start: Callable[[Publication, Path, Sequence[str]], Callable[[], Files]] | None = None
    """Start making the files on forked workers and give them later (`Publication.start_files`),
    for formats that can."""


def _manuals(
    pub: Publication, organisations: Sequence[str], picture: str
) -> tuple[list[Manual], Diagrams]:
    """The manuals and their diagrams, drawn in `picture` format in one batch."""
    manuals = pub.manuals(pub.doc_lang, organisations)
    diagrams = pub.diagrams(pub.doc_lang)
    if not diagrams.available:
        pub.notes.append(NO_DOT.format(pub.language))
    diagrams.prefetch(picture)
    return manuals, diagrams


def _html(pub: Publication, out: Path, organisations: Sequence[str]) -> Files:
    from qms.export.html import portal

    manuals, diagrams = _manuals(pub, organisations, "svg")
    return dict(portal(manuals, diagrams, kept=pub.kept, processes=pub.processes))


def _markdown(pub: Publication, out: Path, organisations: Sequence[str]) -> Files:
    from qms.export.markdown import markdown_files

    return markdown_files(*_manuals(pub, organisations, "svg"))


def _per_manual(fmt: str, picture: str, text: str) -> ExportFormat:
    """One file per organisation, OUT/<org>.<fmt>, or OUT itself when it names one file."""

    def start(pub: Publication, out: Path, organisations: Sequence[str]) -> Callable[[], Files]:
        from qms.charts import drawn_ahead
        from qms.render.pool import start_forked

        manuals, diagrams = _manuals(pub, organisations, picture)
        if fmt == "pdf":
            from qms.export.pdf import MISSING, available
            from qms.export.pdf import to_pdf as convert

            problem = available()
            if problem:
                raise Refused(MISSING.format(pub.language, error=problem))
        else:
            from qms.export.docx import to_docx as convert
        single = out.suffix.lower() == f".{fmt}"
        if single and len(manuals) != 1:
            raise Refused(ONE_FILE.format(pub.language, out=out, count=len(manuals)))
        reference = pub.reference_docx if fmt == "docx" else None

        def make(m: Manual) -> bytes:
            if reference is not None:
                from qms.export.docx import to_docx

                return to_docx(m, diagrams, reference)
            return convert(m, diagrams)

        # One document per organisation, each on its own: on forked workers for a one-shot
        # command (they inherit the diagrams drawn above and the charts drawn ahead, waited
        # for here: a forked worker cannot; 150 DOCX of a national build).
        drawn_ahead()
        made = start_forked(make, manuals, pub.processes, each=True)
        return lambda: {
            "" if single else f"{m.organisation}.{fmt}": data
            for m, data in zip(manuals, made(), strict=True)
        }

    def build(pub: Publication, out: Path, organisations: Sequence[str]) -> Files:
        return start(pub, out, organisations)()

    return ExportFormat(text, build, start)


def _bpmn(pub: Publication, out: Path, organisations: Sequence[str]) -> Files:
    """One BPMN 2.0 file per process, OUT/<org>/<process>.bpmn (qms/bpmn/, docs/bpmn.md)."""
    from qms.bpmn.export import bpmn_files

    ws = pub.loaded.workspace
    assert ws is not None
    chosen = [o.id for name in organisations for o in _matching(pub, name)]
    return dict(bpmn_files(ws, pub.doc_lang, chosen or None, pub.left_out()))


def _xlsx(pub: Publication, out: Path, organisations: Sequence[str]) -> Files:
    """One workbook per organisation, OUT/<org>.xlsx, for `qms import xlsx` (qms/workbook/)."""
    from qms.workbook.source import read_org
    from qms.workbook.write import to_workbook, workbook_name

    ws = pub.loaded.workspace
    assert ws is not None
    chosen = {o.id for name in organisations for o in _matching(pub, name)}
    langs: list[str] = [ws.settings.language, *ws.settings.languages]
    partial = pub.left_out().text(pub.doc_lang)
    files: Files = {}
    for org in ws.organisations:
        if chosen and org.id not in chosen:
            continue
        folder = Path(ws.root) / (org._source.rsplit("/", 1)[0] if "/" in org._source else "")
        found = read_org(folder)
        files[workbook_name(found, folder)] = to_workbook(found, langs, pub.doc_lang, partial)
    return files


def _matching(pub: Publication, name: str) -> list[Organisation]:
    """The organisations an --organisation value names (id or short name, any case)."""
    ws = pub.loaded.workspace
    assert ws is not None
    found = [o for o in ws.organisations if name.lower() in (o.id.lower(), (o.short or "").lower())]
    if not found:
        raise Refused(pub.unknown_org(name))
    return found


EXPORTS: dict[str, ExportFormat] = {
    "html": ExportFormat("a static portal", _html),
    "docx": _per_manual("docx", "png", "Word"),
    "pdf": _per_manual("pdf", "svg", "via WeasyPrint"),
    "md": ExportFormat("Markdown for wikis", _markdown),
    "bpmn": ExportFormat("one BPMN 2.0 file per process for BPMN modellers", _bpmn),
    "xlsx": ExportFormat("one workbook per organisation, for qms import xlsx", _xlsx),
}
"""Format name -> how to make its files; `qms export --format` offers these names."""
