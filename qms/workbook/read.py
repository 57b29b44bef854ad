"""`qms import xlsx`: a workbook's rows written back into an organisation's YAML files.

Each sheet row is matched with its element by id (a step by process and id, an action by plan
and id, a result by period, goal and how many such came before); a cell that still shows what
the YAML holds changes nothing, so the files keep their comments, key order, forms and every
field the workbook does not carry, and an unchanged workbook writes nothing at all. Rows may be
added, removed and reordered. A file is never removed: a process missing from the workbook is
left as it is (and said so).

Every mistake is reported at its cell, `Prosessit!F3`: a cell of the wrong type or a formula
here; a value the model does not take (an id, a kind, a role, a step that does not exist) by
the loader and the rules, run over the workspace with the new files in place, with the same
message and hint as at file:line:col. Nothing is written unless there is no error.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qms import yamledit
from qms.findings import Finding, Msg, did_you_mean, make_text, printable
from qms.l10n import plural
from qms.workbook.columns import (
    MISSING,
    SHEETS,
    CellError,
    Context,
    Field,
    Sheet,
    plain,
)
from qms.workbook.source import Doc, OrgFiles, items, read_org
from qms.workbook.write import ABOUT, ORG_LABEL, context
from qms.yamledit import CommentedMap, CommentedSeq

if TYPE_CHECKING:
    from qms.model import Workspace

MAX_BYTES = 20 * 1024 * 1024
"""A larger workbook is refused before it is opened."""
MAX_UNPACKED = 200 * 1024 * 1024
"""Nor one that unpacks to more (a zip bomb)."""
MAX_ROWS = 20000
MAX_COLUMNS = 200

NOT_WORKBOOK = Msg(
    en="not an Excel workbook (.xlsx) that can be read ({error}); save it as .xlsx",
    fi="ei luettava Excel-työkirja (.xlsx) ({error}); tallenna se .xlsx-muodossa",
)
NO_FILE = Msg(en="no such file", fi="tiedostoa ei ole")
TOO_BIG = Msg(
    en="the workbook is {size} bytes ({unpacked} unpacked), more than the limit of {limit}",
    fi="työkirjan koko on {size} tavua ({unpacked} purettuna), yli rajan {limit}",
)
TOO_MANY = Msg(
    en="the sheet has {rows} rows and {cols} columns, more than {max_rows} rows or "
    "{max_cols} columns; delete the empty ones at the end",
    fi="taulukossa on {rows} riviä ja {cols} saraketta, yli {max_rows} riviä tai {max_cols} "
    "saraketta; poista lopun tyhjät",
)
NO_SHEETS = Msg(
    en="no sheet of a qms workbook found (expected some of: {names}); export one with "
    "qms export --format xlsx",
    fi="työkirjassa ei ole qms-työkirjan taulukoita (odotettiin joitakin näistä: {names}); "
    "vie sellainen komennolla qms export --format xlsx",
)
MERGED = Msg(
    en="merged cells {range}: unmerge them, one value a cell",
    fi="yhdistetyt solut {range}: pura yhdistäminen, yksi arvo soluun",
)
FORMULA = Msg(
    en="a formula ({formula}) where a value is expected: type the value itself (formulas are "
    "never run)",
    fi="kaava ({formula}) kohdassa, jossa odotetaan arvoa: kirjoita arvo itse (kaavoja ei "
    "koskaan suoriteta)",
)
UNKNOWN_COLUMN = Msg(
    en="unknown column '{head}'{hint}; its cells are not read",
    fi="tuntematon sarake '{head}'{hint}; sen soluja ei lueta",
)
SAME_COLUMN = Msg(
    en="column '{head}' appears twice (also {other})",
    fi="sarake '{head}' on kahdesti (myös {other})",
)
NO_ID_COLUMN = Msg(
    en="the sheet has no column '{head}'; nothing of it can be matched",
    fi="taulukossa ei ole saraketta '{head}'; sen rivejä ei voi yhdistää",
)
EMPTY_ID = Msg(
    en="the row has values but no '{head}'", fi="rivillä on arvoja, mutta ei kohtaa '{head}'"
)
TWICE = Msg(
    en="'{id}' appears twice (also on row {other}); one row per element",
    fi="'{id}' on kahdesti (myös rivillä {other}); yksi rivi kutakin kohden",
)
UNKNOWN_OWNER = Msg(
    en="no {what} '{id}' in {folder} nor in the workbook{hint}; known: {known}",
    fi="kansiossa {folder} tai työkirjassa ei ole {what} '{id}'{hint}; tunnetut: {known}",
)
NO_ORG_ID = Msg(
    en="{folder} has no organisation.yaml, and the About sheet names no organisation "
    "(row '{label}')",
    fi="kansiossa {folder} ei ole organisation.yaml-tiedostoa, eikä Tietoja-taulukko nimeä "
    "organisaatiota (rivi '{label}')",
)
NOT_READ = Msg(
    en="sheet '{name}' is not a sheet qms reads; left out",
    fi="taulukkoa '{name}' qms ei lue; ohitettu",
)
LEFT_AS_IS = Msg(
    en="{file}: {what} '{id}' is not in the workbook; the file is left as it is",
    fi="{file}: {what} '{id}' ei ole työkirjassa; tiedosto jätetään ennalleen",
)
UNREADABLE = Msg(
    en="{file} cannot be read as YAML; fix it first (qms validate)",
    fi="tiedostoa {file} ei voi lukea YAMLina; korjaa se ensin (qms validate)",
)
OUTSIDE = Msg(
    en="'{id}' would make a file outside {folder}",
    fi="'{id}' tekisi tiedoston kansion {folder} ulkopuolelle",
)
WHAT = {
    "en": {"process": "process", "plan": "plan"},
    "fi": {"process": "prosessi", "plan": "suunnitelma"},
}
WHAT_NONE = {
    "en": {"process": "process", "plan": "plan"},
    "fi": {"process": "prosessia", "plan": "suunnitelmaa"},
}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Problem:
    """A mistake (or a note) at a place: `Sheet!B7`, a file, or `file:line:col`."""

    where: str
    text: dict[str, str]
    severity: str = "error"
    code: str = ""


@dataclass
class Cell:
    """A value read from a sheet, and where it was."""

    value: Any
    ref: str


@dataclass
class Row:
    """A sheet row: its number, owner (a step's process) and the cells of each field."""

    number: int
    owner: str
    key: str
    cells: dict[str, list[Cell]]


@dataclass
class Table:
    """A sheet as read: its title, the heading language, the first column of each field."""

    sheet: Sheet
    title: str
    rows: list[Row]
    columns: dict[str, str]
    """Field key -> the letter of its first column."""


@dataclass
class Outcome:
    """What an import would write (path -> bytes), and the problems and notes found."""

    files: dict[Path, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    lang: str | None = None
    """The language of the workbook's headings (the default of the messages)."""

    @property
    def ok(self) -> bool:
        """No error: the files may be written."""
        return not any(p.severity == "error" for p in self.problems)


def same(value: Any) -> str:
    """A cell as compared with the YAML's: its text, so that a number typed as text (or a
    spreadsheet's number for a text) is no change."""
    value = plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _problem(where: str, msg: Msg, severity: str = "error", **params: Any) -> Problem:
    return Problem(where, make_text(msg, **params), severity)


def _open(path: Path) -> tuple[Any, Problem | None]:
    """The workbook, or the reason it is not one (never an exception)."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, _problem(where, TOO_BIG, size=size, unpacked="?", limit=MAX_BYTES)
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED:
            return None, _problem(where, TOO_BIG, size=size, unpacked=unpacked, limit=MAX_UNPACKED)
        return load_workbook(io.BytesIO(data), data_only=False), None
    except FileNotFoundError:
        return None, _problem(where, NO_FILE)
    except Exception as error:  # noqa: BLE001 - not a workbook, in any of many ways
        shown = printable(f"{type(error).__name__}: {error}")[:200]
        return None, _problem(where, NOT_WORKBOOK, error=shown)


def _lang_of(title: str) -> tuple[Sheet | None, str]:
    key = title.strip().casefold()
    for sheet in SHEETS:
        for lang in ("fi", "en"):
            if sheet.title(lang).casefold() == key:
                return sheet, lang
    return None, ""


def _fields(sheet: Sheet) -> list[Field]:
    return [sheet.parent, *sheet.fields] if sheet.parent else list(sheet.fields)


def _cell_value(cell: Any, ref: str, problems: list[Problem]) -> Any:
    """A cell's value, or None after reporting a formula or a control character."""
    value = cell.value
    if cell.data_type == "f" or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        shown = printable(str(getattr(value, "text", value)))[:60]
        problems.append(_problem(ref, FORMULA, formula=shown))
        return None
    if isinstance(value, str):
        bad = _CONTROL.search(value)
        if bad:
            from qms.i18n import CONTROL_CHARACTER

            char = printable(bad.group())
            problems.append(_problem(ref, CONTROL_CHARACTER, char=char, index=bad.start() + 1))
            return None
    return value


def _table(ws: Any, sheet: Sheet, lang: str, ctx: Context, problems: list[Problem]) -> Table | None:
    """A sheet's rows, or None when it cannot be read (reported)."""
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    title = ws.title
    if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
        problems.append(
            _problem(
                f"{title}!A1",
                TOO_MANY,
                rows=ws.max_row,
                cols=ws.max_column,
                max_rows=MAX_ROWS,
                max_cols=MAX_COLUMNS,
            )
        )
        return None
    for merged in sorted(ws.merged_cells.ranges, key=str):
        problems.append(_problem(f"{title}!{merged.coord}", MERGED, range=merged.coord))
    if ws.merged_cells.ranges:
        return None
    fields = _fields(sheet)
    by_head: dict[str, tuple[Field, int]] = {}
    for f in fields:
        for i, heads in enumerate(f.all_heads(ctx)):
            for head in heads:
                by_head[head.casefold()] = (f, i)
    columns: dict[int, tuple[Field, int]] = {}
    letters: dict[str, str] = {}
    seen: dict[tuple[str, int], str] = {}
    for col in range(1, ws.max_column + 1):
        ref = f"{title}!{get_column_letter(col)}1"
        head = _cell_value(ws.cell(row=1, column=col), ref, problems)
        if head is None or str(head).strip() == "":
            continue
        found = by_head.get(str(head).strip().casefold())
        if found is None:
            known = [h for f in fields for h in f.heads(ctx, lang)]
            guess = did_you_mean(str(head).strip(), known)
            hint = {"en": "", "fi": ""}
            if guess:
                from qms.i18n import DID_YOU_MEAN

                hint = make_text(DID_YOU_MEAN, word=guess)
            problems.append(
                Problem(
                    ref,
                    {
                        code: UNKNOWN_COLUMN.format(
                            code, head=printable(str(head)), hint=hint[code]
                        )
                        for code in ("en", "fi")
                    },
                    "warning",
                )
            )
            continue
        f, part = found
        if (f.key, part) in seen:
            problems.append(_problem(ref, SAME_COLUMN, head=head, other=seen[(f.key, part)]))
            continue
        seen[(f.key, part)] = f"{get_column_letter(col)}1"
        columns[col] = found
        letters.setdefault(f.key, get_column_letter(col))
    key_field = sheet.fields[0]
    if (key_field.key, 0) not in seen:
        problems.append(_problem(f"{title}!A1", NO_ID_COLUMN, head=key_field.heads(ctx, lang)[0]))
        return None
    rows: list[Row] = []
    for r in range(2, ws.max_row + 1):
        cells: dict[str, list[Cell]] = {}
        empty = True
        for col, (f, part) in columns.items():
            ref = f"{title}!{get_column_letter(col)}{r}"
            value = _cell_value(ws.cell(row=r, column=col), ref, problems)
            if plain(value) != "" and f.codec != "example":
                empty = False
            slots = cells.setdefault(f.key, [Cell(None, "") for _ in f.heads(ctx, lang)])
            slots[part] = Cell(value, ref)
        if empty:
            continue
        for key in [k for k, got in cells.items() if any(not c.ref for c in got)]:
            del cells[key]  # a field some of whose columns are missing is left untouched
        key = str(plain(cells[key_field.key][0].value)) if key_field.key in cells else ""
        owner = ""
        if sheet.parent is not None and sheet.parent.key in cells:
            owner = str(plain(cells[sheet.parent.key][0].value))
        rows.append(Row(r, owner, key, cells))
    return Table(sheet, title, rows, letters)


# --- merging rows into the YAML ---------------------------------------------------------------


@dataclass
class Merge:
    """The state of one import: the organisation's files, the codec context and language,
    where each element's row is (for reporting), and the problems so far."""

    files: OrgFiles
    ctx: Context
    lang: str
    problems: list[Problem]
    rows_at: dict[tuple[str, tuple[Any, ...]], tuple[Table, Row]] = field(default_factory=dict)
    changed: dict[str, Any] = field(default_factory=dict)
    """Organisation-relative path -> the document's data, for every file touched or new."""
    new_files: set[str] = field(default_factory=set)

    @property
    def org_id(self) -> str:
        """The organisation's id, for the new files' `organisation:`."""
        return self.files.org_id

    def cell_error(self, row: Row, f: Field, error: CellError) -> None:
        ref = row.cells[f.key][error.column].ref
        self.problems.append(_problem(ref, error.msg, **error.params))

    def apply(self, item: Any, table: Table, row: Row, order: list[str], flow: bool) -> Any:
        """The element `item` (None: a new one) with the row's cells written into it."""
        if item is None:
            item = CommentedMap()
            if flow:
                item.fa.set_flow_style()
        for f in table.sheet.fields:
            got = row.cells.get(f.key)
            if got is None:
                continue
            cells = [same(c.value) for c in got]
            old = item.get(f.key, MISSING)
            try:
                if [same(c) for c in f.cells(old, self.ctx, self.lang)] == cells:
                    continue
                value = f.parse([c.value for c in got], self.ctx, self.lang)
            except CellError as error:
                self.cell_error(row, f, error)
                continue
            if value is MISSING:
                if f.key in item:
                    del item[f.key]
            else:
                _set(item, f.key, value, order)
        return item

    def merge_list(
        self,
        holder: Any,
        key: str,
        table: Table,
        rows: list[Row],
        keys: Callable[[list[Any]], list[str]],
        order: list[str],
        flow: bool,
        where: tuple[str, tuple[Any, ...]],
    ) -> None:
        """Make `holder[key]` the list of the rows' elements, in the rows' order: existing
        ones updated in place, new ones added, missing ones removed."""
        old = holder.get(key)
        old_items = list(old) if isinstance(old, list) else []
        old_keys = keys(old_items)
        index: dict[str, int] = {}
        for i, k in enumerate(old_keys):
            index.setdefault(k, i)
        same_order = old_keys == [row.key for row in rows]
        if same_order and isinstance(old, list):
            for i, row in enumerate(rows):
                old[i] = self.apply(old[i], table, row, order, flow)
                self.rows_at[(where[0], (*where[1], key, i))] = (table, row)
            return
        seq = CommentedSeq()
        comments: dict[int, Any] = {}
        for pos, row in enumerate(rows):
            i = index.pop(row.key, -1)
            item = old_items[i] if i >= 0 else None
            if i >= 0 and isinstance(old, CommentedSeq) and i in old.ca.items:
                comments[pos] = old.ca.items[i]
            seq.append(self.apply(item, table, row, order, flow))
            self.rows_at[(where[0], (*where[1], key, pos))] = (table, row)
        if isinstance(old, CommentedSeq):
            seq.ca.comment = old.ca.comment
            if old.fa.flow_style():
                seq.fa.set_flow_style()
        seq.ca.items.update(comments)
        if rows or key in holder:
            _set(holder, key, seq, order)


def _order(cls_name: str) -> list[str]:
    """The model's key order of an element kind, for placing a key that is new to a map."""
    from qms import model

    cls = getattr(model, cls_name)
    keys = [info.alias or name for name, info in cls.model_fields.items()]
    keys = [k for k in keys if k not in ("lint", "example")]
    lists = [k for k in ("steps", "actions", "metrics", "results", "roles") if k in keys]
    at = keys.index(lists[0]) if lists else len(keys)
    return [*keys[:at], "example", *keys[at:], "lint"]


def _set(item: Any, key: str, value: Any, order: list[str]) -> None:
    """Set `key`, a new key in the model's order among the keys already written."""
    if key in item:
        item[key] = value
        return
    before = set(order[: order.index(key)]) if key in order else set(order)
    places = [i for i, k in enumerate(item) if k in before]
    item.insert(places[-1] + 1 if places else len(item), key, value)


def _by_owner(m: Merge, table: Table, known: dict[str, Any], what: str) -> dict[str, list[Row]]:
    """Rows grouped by their owner (a step's process), each owner checked to exist."""
    grouped: dict[str, list[Row]] = {k: [] for k in known}
    for row in table.rows:
        if row.owner in grouped:
            grouped[row.owner].append(row)
            continue
        assert table.sheet.parent is not None
        ref = (
            row.cells[table.sheet.parent.key][0].ref
            if table.sheet.parent.key in row.cells
            else (f"{table.title}!A{row.number}")
        )
        guess = did_you_mean(row.owner, list(known))
        from qms.i18n import DID_YOU_MEAN

        m.problems.append(
            Problem(
                ref,
                {
                    code: UNKNOWN_OWNER.format(
                        code,
                        what=WHAT_NONE[code][what],
                        id=row.owner,
                        folder=m.files.folder,
                        hint=DID_YOU_MEAN.format(code, word=guess) if guess else "",
                        known=", ".join(sorted(known)) or "-",
                    )
                    for code in ("en", "fi")
                },
            )
        )
    return grouped


def _unique(m: Merge, table: Table, rows: list[Row]) -> list[Row]:
    """The rows with a key; an empty key or one given twice is reported."""
    seen: dict[str, int] = {}
    out = []
    first = table.sheet.fields[0]
    for row in rows:
        ref = (
            row.cells[first.key][0].ref
            if first.key in row.cells
            else f"{table.title}!A{row.number}"
        )
        if not row.key:
            m.problems.append(_problem(ref, EMPTY_ID, head=first.heads(m.ctx, m.lang)[0]))
            continue
        k = row.key
        if k in seen:
            m.problems.append(_problem(ref, TWICE, id=row.key, other=seen[k]))
            continue
        seen[k] = row.number
        out.append(row)
    return out


def _doc_id(doc: Doc) -> str:
    return str(doc.data.get("id", ""))


def _ids(elements: list[Any]) -> list[str]:
    return [str(e.get("id", "")) if isinstance(e, dict) else str(e) for e in elements]


def _result_keys(results: Iterable[Any]) -> list[str]:
    """A key per result: period, goal and how many with both came before."""
    counts: Counter[tuple[str, str]] = Counter()
    keys = []
    for r in results:
        pair = (
            (str(r.get("period", "")), str(r.get("goal", ""))) if isinstance(r, dict) else ("", "")
        )
        keys.append(f"{pair[0]}\t{pair[1]}\t{counts[pair]}")
        counts[pair] += 1
    return keys


# --- the whole import -------------------------------------------------------------------------

_LANG_HEAD = re.compile(r"\((fi|en|sv|se)\)$")


def _languages(tables: list[tuple[Any, Sheet, str]]) -> list[str]:
    """The text languages of the workbook, main first, as its headings name them."""
    codes: list[str] = []
    for ws, _, _ in tables:
        for col in range(1, min(ws.max_column, MAX_COLUMNS) + 1):
            found = _LANG_HEAD.search(str(ws.cell(row=1, column=col).value or ""))
            if found and found.group(1) not in codes:
                codes.append(found.group(1))
    return codes or ["fi"]


def _about(wb: Any) -> dict[str, str]:
    """The About sheet's label -> value rows (the organisation's id and names)."""
    for ws in wb.worksheets:
        if ws.title.strip() in ABOUT.values():
            out = {}
            for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 20), max_col=2):
                label, value = (plain(c.value) for c in row[:2]) if len(row) > 1 else ("", "")
                if isinstance(label, str) and label and value != "":
                    out[label.casefold()] = str(value)
            return out
    return {}


def workspace_root(folder: Path) -> Path | None:
    """The workspace holding `folder`: the nearest folder upwards with qms.yaml."""
    for candidate in [folder.resolve(), *folder.resolve().parents]:
        if (candidate / "qms.yaml").is_file():
            return candidate
    return None


def plan_import(workbook: Path, folder: Path) -> Outcome:
    """What `qms import xlsx WORKBOOK -o FOLDER` would write, and every problem found."""
    out = Outcome()
    wb, problem = _open(workbook)
    if problem is not None:
        out.problems.append(problem)
        return out
    found: list[tuple[Any, Sheet, str]] = []
    for ws in wb.worksheets:
        sheet, lang = _lang_of(ws.title)
        if sheet is not None:
            found.append((ws, sheet, lang))
        elif ws.title.strip() not in ABOUT.values():
            out.problems.append(_problem(f"{ws.title}!A1", NOT_READ, "warning", name=ws.title))
    if not found:
        names = ", ".join(s.title("fi") + "/" + s.title("en") for s in SHEETS)
        out.problems.append(_problem(str(workbook), NO_SHEETS, names=names))
        return out
    ctx = context(_languages(found))
    lang = out.lang = found[0][2]
    tables = {}
    for ws, sheet, sheet_lang in found:
        table = _table(ws, sheet, sheet_lang, ctx, out.problems)
        if table is not None:
            tables[sheet.key] = table
    files = read_org(folder)
    for rel in files.unreadable:
        out.problems.append(_problem(str(folder / rel), UNREADABLE, file=rel))
    if files.unreadable:
        return out
    m = Merge(files, ctx, lang, out.problems)
    if not _merge(m, tables, _about(wb), folder):
        return out
    texts = _texts(m, folder)
    if not out.ok:
        return out
    root = workspace_root(folder)
    if root is not None:
        _check(m, root, folder, texts)
    out.files = {folder / rel: text.encode("utf-8") for rel, text in texts.items()}
    return out


def _merge(m: Merge, tables: dict[str, Table], about: dict[str, str], folder: Path) -> bool:
    """Write every table's rows into the organisation's documents (in memory)."""
    from qms.model import ID_PATTERN

    files = m.files
    if files.organisation is None:
        org_id = next(
            (about[k.casefold()] for k in ORG_LABEL.values() if k.casefold() in about), ""
        )
        if not re.fullmatch(ID_PATTERN, org_id):
            m.problems.append(
                _problem(str(folder), NO_ORG_ID, folder=folder, label=ORG_LABEL[m.lang])
            )
            return False
        data = CommentedMap([("kind", "organisation"), ("id", org_id)])
        names = {c: about.get(f"nimi ({c})") or about.get(f"name ({c})") for c in m.ctx.langs}
        given = {c: n for c, n in names.items() if n}
        data["name"] = given.get(m.ctx.main, org_id) if len(given) <= 1 else yamledit.flow(given)
        files.organisation = Doc("organisation.yaml", "", data)
        m.new_files.add("organisation.yaml")
    org = files.organisation
    org_id = files.org_id
    if "roles" in tables:
        t = tables["roles"]
        m.merge_list(
            org.data, "roles", t, _unique(m, t, t.rows), _ids, _order("Role"), True, (org.rel, ())
        )
        m.changed[org.rel] = org.data
    procs, listed = _documents(m, tables.get("processes"), files.processes, "process", folder)
    plans, planned = _documents(m, tables.get("plans"), files.plans, "plan", folder)
    if "steps" in tables:
        t = tables["steps"]
        for pid, rows in _by_owner(m, t, procs, "process").items():
            if pid not in listed:
                continue
            doc = procs[pid]
            m.merge_list(
                doc.data, "steps", t, _unique(m, t, rows), _ids, _order("Step"), True, (doc.rel, ())
            )
            m.changed[doc.rel] = doc.data
    if "metrics" in tables:
        t = tables["metrics"]
        _spread(
            m,
            t,
            _unique(m, t, t.rows),
            files.metrics,
            "metrics",
            "metrics.yaml",
            org_id,
            _ids,
            "Metric",
        )
    if "actions" in tables:
        t = tables["actions"]
        for plan_id, rows in _by_owner(m, t, plans, "plan").items():
            if plan_id not in planned:
                continue
            doc = plans[plan_id]
            where = (doc.rel, ())
            actions = _unique(m, t, rows)
            m.merge_list(doc.data, "actions", t, actions, _ids, _order("Action"), False, where)
            m.changed[doc.rel] = doc.data
    if "results" in tables:
        t = tables["results"]
        counts: Counter[tuple[str, str]] = Counter()
        for row in t.rows:
            pair = tuple(
                str(plain(row.cells[k][0].value)) if k in row.cells else ""
                for k in ("period", "goal")
            )
            row.key = f"{pair[0]}\t{pair[1]}\t{counts[pair]}"  # type: ignore[index]
            counts[pair] += 1  # type: ignore[index]
        _spread(
            m, t, t.rows, files.results, "results", "results.yaml", org_id, _result_keys, "Result"
        )
    return True


def _documents(
    m: Merge, t: Table | None, docs: list[Doc], kind: str, folder: Path
) -> tuple[dict[str, Doc], set[str]]:
    """Documents of one kind by id, the sheet's rows written into them (a new id a new file:
    processes/<id>.yaml; plan.yaml, or plans/<id>.yaml when that is taken), and the ids the
    sheet lists (all of them without the sheet; one it leaves out is left as it is)."""
    from qms.model import ID_PATTERN

    by_id = {_doc_id(d): d for d in docs}
    if t is None:
        return by_id, set(by_id)
    rows = _unique(m, t, t.rows)
    listed = {row.key for row in rows}
    taken = {d.rel for d in docs}
    for row in rows:
        doc = by_id.get(row.key)
        if doc is None:
            if not re.fullmatch(ID_PATTERN, row.key) or len(row.key) > 64:
                ref = row.cells[t.sheet.fields[0].key][0].ref
                m.problems.append(_problem(ref, OUTSIDE, id=row.key, folder=folder))
                continue
            data = CommentedMap([("kind", kind), ("id", row.key), ("organisation", m.org_id)])
            rel = f"processes/{row.key}.yaml" if kind == "process" else "plan.yaml"
            if rel in taken:
                rel = f"plans/{row.key}.yaml"
            doc = Doc(rel, "", data)
            taken.add(rel)
            by_id[row.key] = doc
            docs.append(doc)
            m.new_files.add(doc.rel)
        m.apply(doc.data, t, row, _order(kind.capitalize()), False)
        m.rows_at[(doc.rel, ())] = (t, row)
        m.changed[doc.rel] = doc.data
    for known, doc in by_id.items():
        if known not in listed:
            what = {c: WHAT[c][kind] for c in ("en", "fi")}
            m.problems.append(
                Problem(
                    str(folder / doc.rel),
                    {c: LEFT_AS_IS.format(c, file=doc.rel, what=what[c], id=known) for c in what},
                    "note",
                )
            )
    return by_id, listed


def _spread(
    m: Merge,
    t: Table,
    rows: list[Row],
    docs: list[Doc],
    key: str,
    default: str,
    org_id: str,
    keys: Callable[[list[Any]], list[str]],
    cls: str,
) -> None:
    """Rows of a sheet whose elements may live in several files (metrics, results): each row
    to the file that holds its element, a new one to the first file (made when missing)."""
    home: dict[str, Doc] = {}
    for d in docs:
        for k in keys(items(d.data, key)):
            home.setdefault(k, d)
    if not docs and rows:
        data = CommentedMap([("kind", key), ("organisation", org_id), (key, CommentedSeq())])
        docs.append(Doc(default, "", data))
        m.new_files.add(default)
    for d in docs:
        mine = [row for row in rows if home.get(row.key, docs[0]) is d]
        m.merge_list(d.data, key, t, mine, keys, _order(cls), False, (d.rel, ()))
        m.changed[d.rel] = d.data


def _texts(m: Merge, folder: Path) -> dict[str, str]:
    """Organisation-relative path -> new text, of the files whose text changes."""
    from qms.newfile import schema_line

    root = workspace_root(folder)
    docs = {
        d.rel: d
        for d in [
            m.files.organisation,
            *m.files.processes,
            *m.files.plans,
            *m.files.metrics,
            *m.files.results,
        ]
        if d is not None
    }
    out: dict[str, str] = {}
    real = folder.resolve()
    for rel, data in m.changed.items():
        target = (folder / rel).resolve()
        if not target.is_relative_to(real):
            m.problems.append(_problem(str(folder / rel), OUTSIDE, id=rel, folder=folder))
            continue
        text = yamledit.dump(data)
        if rel in m.new_files:
            where = target.relative_to(root).as_posix() if root else f"organisations/x/{rel}"
            text = schema_line(where) + text
        if text != docs[rel].text:
            out[rel] = text
    return out


def _all_docs(ws: Any) -> list[Any]:
    groups = (
        ws.projects,
        ws.organisations,
        ws.processes,
        ws.plans,
        ws.metrics,
        ws.results,
        ws.criteria,
        ws.assessments,
    )
    settings = [ws.settings] if ws.settings._source else []
    return [*settings, *(d for group in groups for d in group)]


def _check(m: Merge, root: Path, folder: Path, texts: dict[str, str]) -> Workspace | None:
    """The loader's and the rules' new findings in the files to be written, at their cells;
    the workspace as it would be (for the editor's preview), None when it does not load."""
    from qms.lint import run_rules
    from qms.load import assemble, build_document, load, parse_file

    loaded = load(root, packs=False)
    if loaded.workspace is None:
        return None
    prefix = folder.resolve().relative_to(root).as_posix()
    changed = {(f"{prefix}/{rel}" if prefix != "." else rel): text for rel, text in texts.items()}
    before = Counter(
        (f.code, f.message("en"))
        for f in [*loaded.findings, *run_rules(loaded.workspace, loaded.sources)]
        if f.file in changed and not f.suppressed
    )
    sources = loaded.sources
    found: list[Finding] = []
    fresh = []
    for wrel, text in changed.items():
        data, problems = parse_file(root, wrel, sources, text.encode("utf-8"))
        found += problems
        if data is not None:
            doc, more = build_document(data, wrel, sources)
            found += more
            if doc is not None:
                fresh.append(doc)
    docs = [d for d in _all_docs(loaded.workspace) if d._source not in changed] + fresh
    ws = assemble(str(root), docs, root.name, loaded.workspace.unloaded)
    found += run_rules(ws, sources)
    for f in sorted(found, key=Finding.sort_key):
        if f.file not in changed or f.suppressed:
            continue
        key = (f.code, f.message("en"))
        if before[key] > 0:
            before[key] -= 1
            continue
        rel = f.file[len(prefix) + 1 :] if prefix != "." else f.file
        where = _cell_of(m, rel, f) or f"{f.file}:{f.line}:{f.col}"
        said = {code: f"{f.code} {f.message(code)}" for code in ("en", "fi")}
        m.problems.append(Problem(where, said, f.severity, f.code))
    return ws


def _cell_of(m: Merge, rel: str, f: Finding) -> str | None:
    """The cell a finding's key path leads to: the row of its element, the column of its key."""
    path = tuple(f.path)
    for n in range(len(path), -1, -1):
        hit = m.rows_at.get((rel, path[:n]))
        if hit is None:
            continue
        table, row = hit
        rest = path[n:]
        cells = row.cells.get(str(rest[0])) if rest else None
        if cells:
            index = 0
            if len(rest) > 1 and rest[1] in m.ctx.langs and len(cells) == len(m.ctx.langs):
                index = m.ctx.langs.index(str(rest[1]))
            return cells[index].ref
        first = table.sheet.fields[0].key
        if first in row.cells:
            return row.cells[first][0].ref
        return f"{table.title}!A{row.number}"
    return None


SEVERITY = {
    "en": {"error": "error", "warning": "warning", "info": "info", "note": "note"},
    "fi": {"error": "virhe", "warning": "varoitus", "info": "huomio", "note": "huomautus"},
}
NOTHING_WRITTEN = Msg(en="{count}; nothing written", fi="{count}; mitään ei kirjoitettu")
ERRORS = {"fi": {"one": "virhe", "other": "virhettä"}, "en": {"one": "error", "other": "errors"}}
FILES = {
    "fi": {"one": "tiedosto", "other": "tiedostoa"},
    "en": {"one": "file", "other": "files"},
}
UNCHANGED = Msg(
    en="the workbook changes nothing; nothing written",
    fi="työkirja ei muuta mitään; mitään ei kirjoitettu",
)
WROTE = Msg(
    en="{count} written. Next: qms validate",
    fi="{count} kirjoitettu. Seuraavaksi: qms validate",
)


def wrote(count: int, lang: str) -> str:
    """'3 tiedostoa kirjoitettu. Seuraavaksi: qms validate' (CLDR plurals)."""
    return WROTE.format(lang, count=plural(count, lang, **FILES.get(lang, FILES["en"])))


def report(outcome: Outcome, lang: str) -> list[str]:
    """The problems as lines, `Sheet!B7: error: message`, and why nothing will be written."""
    words = SEVERITY.get(lang, SEVERITY["en"])
    lines = [
        printable(
            f"{p.where}: {words.get(p.severity, p.severity)}: {p.text.get(lang) or p.text['en']}"
        )
        for p in outcome.problems
    ]
    errors = sum(p.severity == "error" for p in outcome.problems)
    if errors:
        count = plural(errors, lang, **ERRORS.get(lang, ERRORS["en"]))
        lines.append(f"qms: {NOTHING_WRITTEN.format(lang, count=count)}")
    elif not outcome.files:
        lines.append(f"qms: {UNCHANGED.format(lang)}")
    return lines


def write(outcome: Outcome, force: bool, lang: str) -> list[str]:
    """Write the outcome's files, all or none; without `force`, refuse (Refused) when one
    exists with other contents."""
    from qms.files import EXISTS_MANY, Refused, replace_together

    clashes = [str(p) for p in sorted(outcome.files) if p.exists()]
    if clashes and not force:
        shown = "\n".join(f"  {c}" for c in clashes)
        raise Refused(EXISTS_MANY.format(lang, count=len(clashes), files=shown))
    return [str(p) for p in replace_together(outcome.files)]
