"""An organisation's model as one workbook: an About sheet, then processes, steps, roles,
metrics, plan actions and results, a row per element.

Headings are in the workbook's language; dropdowns (data validation) offer the roles of the
Roles sheet, the step kinds, process types, statuses and phases in that language; the header
row is frozen and filtered, and columns are fitted to their content. Texts stay texts: a cell
that starts like a formula is stored as text with Excel's quote prefix. Example content is
marked on its row. The bytes are the same for the same model (no save time inside).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from qms import values as v
from qms.findings import Msg
from qms.workbook.columns import SHEETS, Context, Field, Sheet, as_text, inherited_text
from qms.workbook.source import OrgFiles, example_mark, rows

ABOUT = {"en": "About", "fi": "Tietoja"}
ORG_LABEL = {"en": "Organisation", "fi": "Organisaatio"}
ABOUT_LINES = Msg(
    en="""This workbook is exported from the YAML model files of the organisation's folder
(qms export --format xlsx) and is read back with: qms import xlsx WORKBOOK -o ORG_DIR --force
Edit, add, delete and move rows; the import writes only what changed, keeping the YAML's
comments, key order and every field this workbook does not show.
Not in the workbook (kept from the YAML as it is): a process's parent, description, systems,
documents, risks, review, approval, phases and notes; a step's documents, outputs, timer,
link, loop, compensation, triggered, produces, systems and notes; metric values; result
lint settings; texts in languages other than the columns'. Lists of texts (suppliers,
customers, resources, inputs, outputs) and branch conditions show the workspace language.
Example content is marked in the Example column ("✓ reason") and the row is yellow; "↑" is a
mark inherited from the process or plan. Remove a mark only when the row is real content.
Lists: one item a line (Alt+Enter); ids comma-separated; branch labels ';'-separated, one
per next step.""",
    fi="""Tämä työkirja on viety organisaation kansion YAML-mallitiedostoista
(qms export --format xlsx), ja se luetaan takaisin komennolla:
qms import xlsx TYÖKIRJA -o ORGANISAATION_KANSIO --force
Muokkaa, lisää ja poista rivejä; tuonti kirjoittaa vain muuttuneen ja säilyttää YAMLin
kommentit, avainten järjestyksen ja kaikki kentät, joita tässä työkirjassa ei näytetä.
Työkirjassa ei ole (säilyvät YAMLista sellaisinaan): prosessin parent, description, systems,
documents, risks, review, approved, phases ja notes; vaiheen documents, outputs, timer, link,
loop, compensation, triggered, produces, systems ja notes; mittarien arvot; lint-asetukset;
sarakkeiden kieliä muunkieliset tekstit. Tekstiluettelot (toimittajat, asiakkaat, resurssit,
syötteet, tuotokset) ja haarojen ehdot näytetään työtilan kielellä.
Esimerkkisisältö on merkitty Esimerkki-sarakkeeseen ("✓ syy") ja rivi on keltainen; "↑" on
prosessilta tai suunnitelmalta peritty merkintä. Poista merkintä vain, kun rivi on todellista
sisältöä.
Luettelot: yksi kohta rivillään (Alt+Enter); tunnisteet pilkuin; haarojen nimet ';'-merkein,
yksi kutakin seuraavaa vaihetta kohden.""",
)
PARTIAL = Msg(en="The model is incomplete: {text}", fi="Malli on puutteellinen: {text}")

HEAD_FILL = "333333"
EXAMPLE_FILL = "FFF4C2"
MAX_WIDTH = 60
ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
"""Characters openpyxl refuses in a cell."""
LIST_ROWS = 2000
"""Data validation reaches this many rows below the header (rows added later too)."""


def context(langs: list[str]) -> Context:
    """The codec context of a workspace's languages (its main language first)."""
    return Context(tuple(dict.fromkeys(langs)))


def _append(sheet: Any, values: list[Any]) -> None:
    from qms.export.coverage_tables import _append as append_typed

    append_typed(sheet, values)


def choices(f: Field, lang: str) -> list[str] | None:
    """The values a field's dropdown offers in `lang`, None for a field without one."""
    if f.codec == "enum" and f.names is not None:
        return [v.name_of(value, lang) for value in f.names]
    return list(f.options) or None


def to_workbook(
    files: OrgFiles, langs: list[str], lang: str, partial: str = "", as_of: str = "2000-01-01"
) -> bytes:
    """The workbook of one organisation, in `lang` headings; `partial` is the notice of a
    model that was not wholly loaded (shown on every sheet's About row)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    from qms.export.coverage_tables import _stable_zip

    ctx = context(langs)
    wb = Workbook()
    about = wb.active
    about.title = ABOUT[lang]
    org = files.organisation.data if files.organisation else {}
    _append(about, [ORG_LABEL[lang], files.org_id])
    for code in ctx.langs:
        name = org.get("name") if isinstance(org, dict) else None
        shown = name.get(code, "") if isinstance(name, dict) else (name if code == ctx.main else "")
        _append(about, [f"{'Nimi' if lang == 'fi' else 'Name'} ({code})", str(shown or "")])
    _append(about, [])
    if partial:
        _append(about, [PARTIAL.format(lang, text=partial)])
        about.cell(row=about.max_row, column=1).font = Font(bold=True, color="A33A00")
    for line in ABOUT_LINES.format(lang).splitlines():
        _append(about, [line])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 40
    about["A1"].font = Font(bold=True)

    roles_sheet = next(s for s in SHEETS if s.key == "roles").title(lang)
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor=HEAD_FILL)
    example_fill = PatternFill("solid", fgColor=EXAMPLE_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title(lang))
        fields = _fields(sheet)
        heads = [h for f in fields for h in f.heads(ctx, lang)]
        _append(ws, heads)
        for col in range(1, len(heads) + 1):
            cell = ws.cell(row=1, column=col)
            cell.font = head_font
            cell.fill = head_fill
        widths = [len(h) + 2 for h in heads]
        for owner, item, chain in rows(files, sheet):
            values: list[Any] = []
            for f in fields:
                value = owner if f is sheet.parent else item.get(f.key, None)
                if f.codec == "example" and value is None and example_mark(chain) is not None:
                    values.append(inherited_text(example_mark(chain), ctx))
                    continue
                values += f.cells(value, ctx, lang)
            values = [as_cell(x) for x in values]
            _append(ws, values)
            r = ws.max_row
            marked = example_mark(chain) is not None
            for col, x in enumerate(values, start=1):
                cell = ws.cell(row=r, column=col)
                if isinstance(x, str) and "\n" in x:
                    cell.alignment = wrap
                elif hasattr(x, "isoformat"):
                    cell.number_format = "yyyy-mm-dd"
                if marked:
                    cell.fill = example_fill
                longest = max((len(line) for line in str(x).splitlines()), default=0)
                widths[col - 1] = max(widths[col - 1], min(longest + 2, MAX_WIDTH))
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "A2" if sheet.parent is None else "C2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(ws.max_row, 2)}"
        col = 1
        for f in fields:
            span = len(f.heads(ctx, lang))
            letter = get_column_letter(col)
            offered = choices(f, lang)
            formula = None
            if offered is not None:
                formula = '"' + ",".join(offered) + '"'
            elif f.roles and sheet.key != "roles":
                formula = f"'{roles_sheet}'!$A$2:$A${LIST_ROWS}"
            if formula is not None:
                check = DataValidation(type="list", formula1=formula, allow_blank=True)
                check.showErrorMessage = True
                check.errorStyle = "warning"  # a value the list lacks can still be typed
                check.add(f"{letter}2:{letter}{LIST_ROWS}")
                ws.add_data_validation(check)
            col += span
    data = io.BytesIO()
    wb.save(data)
    return _stable_zip(data.getvalue(), as_of)


def _fields(sheet: Sheet) -> list[Field]:
    return [sheet.parent, *sheet.fields] if sheet.parent else list(sheet.fields)


def as_cell(value: Any) -> Any:
    """A value openpyxl stores as is: plain str, int, float, bool or date."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, str):
        # what a spreadsheet cannot hold (C0 controls) is shown as U+FFFD, as the loader reads it
        return ILLEGAL.sub("\ufffd", str(value))
    return as_text(value) if not hasattr(value, "isoformat") else value


def workbook_name(files: OrgFiles, folder: Path) -> str:
    """OUT/<organisation id>.xlsx (the folder's name when the file names no id)."""
    return f"{files.org_id or folder.name}.xlsx"
