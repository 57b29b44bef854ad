"""The sheets and columns of an organisation's workbook, and how a YAML value becomes cells
and cells a YAML value again.

Every field is a `Field` with a codec: `cells(value)` gives the cells of a YAML value as it is
written (a plain string, a `{fi: ..., en: ...}` map, a flow list ...), `parse(cells)` the value
to write back. The import compares a row's cells with the cells of the value already in the
YAML and writes only what differs, so that an unchanged cell keeps the YAML exactly as written
(its form, quoting and comments) and the round trip is the identity.

Cells are checked for their type only (text, number, date, truth value); what the value means
(an id's grammar, one of the allowed kinds, a role that exists) is checked by the loader and
the rules, whose findings are then reported at the cell (`Sheet!B7`), with the same message
and hint as at `file:line:col`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qms import values as v
from qms.findings import Msg
from qms.yamledit import CommentedSeq, flow

MISSING: Any = object()
"""No value: the key is absent from the YAML (and an empty cell)."""


class CellError(Exception):
    """A cell whose type cannot be read as the field's (text where a date is needed ...)."""

    def __init__(self, msg: Msg, column: int = 0, **params: Any) -> None:
        super().__init__(msg.en)
        self.msg = msg
        self.column = column
        self.params = params


NOT_A_DATE = Msg(
    en="'{value}' is not a date: write YYYY-MM-DD or d.m.yyyy, or format the cell as a date",
    fi="'{value}' ei ole päivämäärä: kirjoita VVVV-KK-PP tai p.k.vvvv tai muotoile solu "
    "päivämääräksi",
)
NOT_TEXT = Msg(
    en="a {got} where text is expected; format the cell as text",
    fi="{got} kohdassa, jossa odotetaan tekstiä; muotoile solu tekstiksi",
)
BAD_BRANCHES = Msg(
    en="{count} branch label(s) for {next} next step(s): give one label per next step, "
    "separated by ';' (an empty one for a step without a label)",
    fi="{count} haaran nimeä {next} seuraavalle vaiheelle: anna yksi nimi kutakin seuraavaa "
    "vaihetta kohden ';'-merkein eroteltuna (tyhjä, jos haaralla ei ole nimeä)",
)
GOT = {
    "en": {"date": "date", "bool": "truth value", "number": "number"},
    "fi": {"date": "päivämäärä", "bool": "totuusarvo", "number": "luku"},
}


@dataclass(frozen=True)
class Context:
    """What the codecs need: the workspace's languages, its main language first."""

    langs: tuple[str, ...]

    @property
    def main(self) -> str:
        """The workspace's language: a plain-string text is in it."""
        return self.langs[0]


def plain(value: Any) -> Any:
    """A cell's or a YAML scalar's value as a plain Python value, '' for nothing: stripped
    text, int, float, bool or date (a datetime at midnight is a date)."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else float(value)
    if isinstance(value, str):
        return str(value).strip()
    return value


def as_text(value: Any, column: int = 0) -> str:
    """A cell read as text: numbers as written (an id 2012 or a version 0.1), never a date or
    a truth value (a spreadsheet's guess, which would come back as another text)."""
    value = plain(value)
    if isinstance(value, bool):
        raise CellError(NOT_TEXT, column, got=type_word("bool"))
    if isinstance(value, dt.date | dt.datetime):
        raise CellError(NOT_TEXT, column, got=type_word("date"))
    return str(value)


@dataclass(frozen=True)
class _Word:
    key: str

    def text(self, lang: str) -> str:
        return GOT.get(lang, GOT["en"])[self.key]


def type_word(key: str) -> _Word:
    """A type's name, shown in each message's language."""
    return _Word(key)


@dataclass(frozen=True)
class Field:
    """One YAML key of a row and its columns.

    `codec`: id, str (one plain string), text (a column per language), lines (a list of texts,
    one a line), ids (a list of ids, comma-separated), enum (one of `names`, shown in the
    workbook's language), bool, int, value (number or text), date, exchanges (`name | party`
    lines), next (a step's next steps, branch labels, conditions and default), example
    (shown, never imported)."""

    key: str
    en: str
    fi: str
    codec: str
    names: v.Names | None = None
    roles: bool = False
    """A dropdown of the Roles sheet's ids."""
    party: str = ""
    """exchanges: the key of the other party (from/to)."""
    default: str = ""
    """enum: the model's default, shown for an absent key (so a task says 'tehtävä')."""
    options: tuple[str, ...] = ()
    """str: the values a dropdown offers (the model's, as written; the loader checks them)."""
    widths: dict[str, int] = field(default_factory=dict)

    def heads(self, ctx: Context, lang: str) -> list[str]:
        """The column headings in `lang`."""
        base = self.fi if lang == "fi" else self.en
        if self.codec == "text":
            return [f"{base} ({code})" for code in ctx.langs]
        if self.codec == "next":
            labels = "Haarojen nimet" if lang == "fi" else "Branch labels"
            more = [f"{labels} ({code})" for code in ctx.langs]
            if lang == "fi":
                return [base, *more, "Haarojen ehdot", "Oletushaara"]
            return [base, *more, "Branch conditions", "Default branch"]
        return [base]

    def all_heads(self, ctx: Context) -> list[list[str]]:
        """The headings in every interface language, column by column."""
        return [list(t) for t in zip(self.heads(ctx, "fi"), self.heads(ctx, "en"), strict=True)]

    def cells(self, value: Any, ctx: Context, lang: str) -> list[Any]:
        """The cells of a YAML value (MISSING when the key is absent)."""
        codec = self.codec
        if codec == "text":
            if value is MISSING or value is None:
                return [""] * len(ctx.langs)
            if isinstance(value, dict):
                return [plain(value.get(code, "")) for code in ctx.langs]
            return [plain(value) if code == ctx.main else "" for code in ctx.langs]
        if codec == "next":
            return _next_cells(value, ctx)
        if (value is MISSING or value is None) and self.default and self.names:
            return [v.name_of(self.default, lang)]
        if value is MISSING or value is None:
            return [""]
        if codec == "lines":
            return ["\n".join(_one_text(item, ctx) for item in value)]
        if codec == "ids":
            return [", ".join(str(item) for item in value)]
        if codec == "exchanges":
            return ["\n".join(_exchange_line(item, self.party, ctx) for item in value)]
        if codec == "enum" and isinstance(value, str) and self.names:
            return [v.name_of(v.canonical(value, self.names), lang)]
        if codec == "example":
            return [_example_text(value, ctx)]
        return [plain(value) if not isinstance(value, dict | list) else str(value)]

    def parse(self, cells: Sequence[Any], ctx: Context, lang: str) -> Any:
        """The YAML value of a row's cells, MISSING when they are empty."""
        codec = self.codec
        if codec == "text":
            texts = {
                code: as_text(c, i)
                for i, (code, c) in enumerate(zip(ctx.langs, cells, strict=True))
            }
            given = {code: t for code, t in texts.items() if t}
            if not given:
                return MISSING
            if list(given) == [ctx.main]:
                return given[ctx.main]
            return flow(given)
        if codec == "next":
            return _parse_next(cells, ctx)
        cell = plain(cells[0])
        if cell == "":
            return MISSING
        if codec in ("id", "str"):
            return as_text(cell)
        if codec == "lines":
            return flow([line.strip() for line in as_text(cell).splitlines() if line.strip()])
        if codec == "ids":
            return flow([p.strip() for p in as_text(cell).split(",") if p.strip()])
        if codec == "exchanges":
            lines = [line for line in as_text(cell).splitlines() if line.strip()]
            return CommentedSeq(_parse_exchange(line, self.party) for line in lines)
        if codec == "enum":
            assert self.names is not None
            return v.canonical(as_text(cell), self.names)
        if codec == "bool":
            return _parse_bool(cell)
        if codec == "example":
            return _parse_example(as_text(cell))
        if codec == "int":
            if isinstance(cell, str) and re.fullmatch(r"[+-]?\d+", cell):
                return int(cell)
            return cell
        if codec == "date":
            return _parse_date(cell)
        if isinstance(cell, str) and re.fullmatch(r"[+-]?\d+(\.\d+)?", cell):
            return float(cell) if "." in cell else int(cell)
        return cell  # value: a number or a text, as typed


def _one_text(item: Any, ctx: Context) -> str:
    if isinstance(item, dict):
        return str(item.get(ctx.main) or next(iter(item.values()), ""))
    return str(plain(item))


def _exchange_line(item: Any, party: str, ctx: Context) -> str:
    if not isinstance(item, dict):
        return str(item)
    name = _one_text(item.get("name", ""), ctx)
    other = item.get(party)
    return f"{name} | {other}" if other else name


def _parse_exchange(line: str, party: str) -> Any:
    name, _, other = line.partition("|")
    item: dict[str, str] = {"name": name.strip()}
    if other.strip():
        item[party] = other.strip()
    return flow(item)


INHERITED = "↑"


def _example_text(value: Any, ctx: Context) -> str:
    if value is True:
        return "✓"
    if value is False:
        return "false"
    if isinstance(value, dict):
        return "✓ " + _one_text(value.get("reason", ""), ctx)
    return ""


def inherited_text(mark: Any, ctx: Context) -> str:
    """The Example cell of a row whose mark comes from what holds it."""
    return f"{INHERITED} {_example_text(mark, ctx)}".rstrip()


def _parse_example(text: str) -> Any:
    if text.startswith(INHERITED):
        return MISSING
    if text.casefold() in _TRUE:
        return True
    if text.casefold() in _FALSE:
        return False
    reason = text.removeprefix("✓").strip()
    return flow({"reason": reason}) if reason else True


_TRUE = {"true", "yes", "kyllä", "x", "✓", "1"}
_FALSE = {"false", "no", "ei", "0"}


def _parse_bool(cell: Any) -> Any:
    if isinstance(cell, bool):
        return cell
    word = str(cell).strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return cell  # the loader names what is wrong with it


def _parse_date(cell: Any) -> Any:
    if isinstance(cell, dt.date):
        return cell
    text = str(cell).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    found = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if found:
        day, month, year = (int(g) for g in found.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise CellError(NOT_A_DATE, 0, value=text)


# --- a step's next steps ----------------------------------------------------------------------


def _branches(value: Any) -> list[dict[str, Any]]:
    """Every written form of `next` as a list of {to, label, condition, default}."""
    if value is MISSING or value is None:
        return []
    if isinstance(value, dict):  # {label: step}
        return [{"to": to, "label": label} for label, to in value.items()]
    out = []
    for item in value:
        out.append(dict(item) if isinstance(item, dict) else {"to": item})
    return out


def _label_in(label: Any, code: str, ctx: Context) -> str:
    if isinstance(label, dict):
        return str(label.get(code, ""))
    return str(plain(label)) if label is not None and code == ctx.main else ""


def _next_cells(value: Any, ctx: Context) -> list[Any]:
    branches = _branches(value)
    ids = ", ".join(str(b["to"]) for b in branches)
    labels = []
    for code in ctx.langs:
        shown = [_label_in(b.get("label"), code, ctx) for b in branches]
        labels.append("; ".join(shown) if any(shown) else "")
    conditions = [_one_text(b["condition"], ctx) if b.get("condition") else "" for b in branches]
    default = next((str(b["to"]) for b in branches if b.get("default")), "")
    return [ids, *labels, "; ".join(conditions) if any(conditions) else "", default]


def _parse_next(cells: Sequence[Any], ctx: Context) -> Any:
    n = len(ctx.langs)
    ids = [p.strip() for p in as_text(cells[0], 0).split(",") if p.strip()]
    labels = [
        [p.strip() for p in as_text(cells[1 + i], 1 + i).split(";")] if plain(cells[1 + i]) else []
        for i in range(n)
    ]
    conditions = [p.strip() for p in as_text(cells[1 + n], 1 + n).split(";")]
    default = as_text(cells[2 + n], 2 + n)
    for i, given in enumerate(labels):
        if given and len(given) != len(ids):
            raise CellError(BAD_BRANCHES, 1 + i, count=len(given), next=len(ids))
    if not ids:
        return MISSING
    branches: list[dict[str, Any]] = []
    for k, to in enumerate(ids):
        label = {ctx.langs[i]: labels[i][k] for i in range(n) if labels[i] and labels[i][k]}
        branch: dict[str, Any] = {"to": to}
        if label:
            branch["label"] = label[ctx.main] if list(label) == [ctx.main] else flow(label)
        if k < len(conditions) and conditions[k]:
            branch["condition"] = conditions[k]
        if default and default == to:
            branch["default"] = True
        branches.append(branch)
    if all(set(b) == {"to"} for b in branches):
        return flow(ids)
    simple = all(set(b) == {"to", "label"} and isinstance(b["label"], str) for b in branches)
    if simple and len({b["label"] for b in branches}) == len(branches):
        return flow({b["label"]: b["to"] for b in branches})
    return flow([b["to"] if set(b) == {"to"} else b for b in branches])


# --- the sheets -------------------------------------------------------------------------------


def literals(name: str) -> tuple[str, ...]:
    """The values of one of the model's Literal types (qms.model.Trigger, TaskType)."""
    from typing import get_args

    from qms import model

    return tuple(str(a) for a in get_args(getattr(model, name)))


def _f(key: str, en: str, fi: str, codec: str, **more: Any) -> Field:
    return Field(key, en, fi, codec, **more)


EXAMPLE = _f("example", "Example", "Esimerkki", "example")
"""An element's own example mark, `✓ reason`; `↑ ...` shows one inherited from what holds it
(a step of an example process), which is not the row's own and is not written back."""


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, the key that names a row's owner (a step's process), its fields."""

    key: str
    en: str
    fi: str
    fields: tuple[Field, ...]
    parent: Field | None = None

    def title(self, lang: str) -> str:
        """The sheet's name in `lang`."""
        return self.fi if lang == "fi" else self.en


PROCESSES = Sheet(
    "processes",
    "Processes",
    "Prosessit",
    (
        _f("id", "Id", "Tunniste", "id"),
        _f("name", "Name", "Nimi", "text"),
        _f("type", "Type", "Tyyppi", "enum", names=v.PROCESS_TYPES),
        _f("level", "Level", "Taso", "int"),
        _f("parent", "Parent process", "Yläprosessi", "str"),
        _f("owner", "Owner", "Omistaja", "id", roles=True),
        _f("purpose", "Purpose", "Tarkoitus", "text"),
        _f("scope", "Scope", "Rajaus", "text"),
        _f("suppliers", "Suppliers", "Toimittajat", "lines"),
        _f("inputs", "Inputs (name | from)", "Syötteet (nimi | mistä)", "exchanges", party="from"),
        _f("outputs", "Outputs (name | to)", "Tuotokset (nimi | kenelle)", "exchanges", party="to"),
        _f("customers", "Customers", "Asiakkaat", "lines"),
        _f("resources", "Resources", "Resurssit", "lines"),
        _f("realizes", "Goals realized", "Toteuttaa tavoitteet", "ids"),
        _f("influences", "Goals influenced", "Edistää tavoitteita", "ids"),
        _f("metrics", "Metrics", "Mittarit", "ids"),
        _f("status", "Status", "Tila", "enum", names=v.APPROVAL, default="draft"),
        _f("version", "Version", "Versio", "str"),
        EXAMPLE,
    ),
)
STEPS = Sheet(
    "steps",
    "Steps",
    "Vaiheet",
    (
        _f("id", "Step id", "Vaiheen tunniste", "id"),
        _f("name", "Name", "Nimi", "text"),
        _f("role", "Role", "Rooli", "id", roles=True),
        _f("kind", "Kind", "Laji", "enum", names=v.STEP_KINDS, default="task"),
        _f("next", "Next steps", "Seuraavat vaiheet", "next"),
        _f("description", "Description", "Kuvaus", "text"),
        _f("call", "Calls process", "Kutsuu prosessia", "str"),
        _f("trigger", "Trigger", "Laukaisija", "str", options=literals("Trigger")),
        _f("catch", "Catches", "Odottaa", "bool"),
        _f("attached_to", "Attached to step", "Kiinnitetty vaiheeseen", "id"),
        _f("interrupting", "Interrupting", "Keskeyttävä", "bool"),
        _f("task_type", "Task type", "Tehtävän tyyppi", "str", options=literals("TaskType")),
        EXAMPLE,
    ),
    parent=_f("process", "Process", "Prosessi", "id"),
)
ROLES = Sheet(
    "roles",
    "Roles",
    "Roolit",
    (
        _f("id", "Id", "Tunniste", "id"),
        _f("name", "Name", "Nimi", "text"),
        _f("description", "Description", "Kuvaus", "text"),
        EXAMPLE,
    ),
)
METRICS = Sheet(
    "metrics",
    "Metrics",
    "Mittarit",
    (
        _f("id", "Id", "Tunniste", "id"),
        _f("name", "Name", "Nimi", "text"),
        _f("description", "Description", "Kuvaus", "text"),
        _f("unit", "Unit", "Yksikkö", "str"),
        _f("baseline", "Baseline", "Lähtötaso", "value"),
        _f("target", "Target", "Tavoite", "value"),
        _f("target_date", "Target date", "Tavoitepäivä", "date"),
        _f("frequency", "Frequency", "Mittaustiheys", "text"),
        _f("source", "Source", "Tietolähde", "text"),
        _f("owner", "Owner", "Vastuu", "id", roles=True),
        _f("eqavet", "EQAVET indicator", "EQAVET-indikaattori", "int"),
        _f("realizes", "Goals", "Tavoitteet", "ids"),
        EXAMPLE,
    ),
)
PLANS = Sheet(
    "plans",
    "Plans",
    "Suunnitelmat",
    (
        _f("id", "Id", "Tunniste", "id"),
        _f("name", "Name", "Nimi", "text"),
        _f("description", "Description", "Kuvaus", "text"),
        _f("horizon", "Horizon", "Ulottuu", "date"),
        _f("status", "Status", "Tila", "enum", names=v.APPROVAL, default="draft"),
        _f("version", "Version", "Versio", "str"),
        EXAMPLE,
    ),
)
ACTIONS = Sheet(
    "actions",
    "Plan actions",
    "Toimenpiteet",
    (
        _f("id", "Id", "Tunniste", "id"),
        _f("what", "What", "Mitä", "text"),
        _f("who", "Who", "Kuka", "id", roles=True),
        _f("when", "When", "Milloin", "date"),
        _f("resources", "Resources", "Resurssit", "text"),
        _f("evaluated_by", "Evaluated by", "Arvioidaan mittareilla", "ids"),
        _f("phase", "Phase", "Vaihe", "enum", names=v.PHASES),
        _f("status", "Status", "Tila", "enum", names=v.ACTION_STATUS, default="planned"),
        _f("realizes", "Goals", "Tavoitteet", "ids"),
        _f("processes", "Processes", "Prosessit", "ids"),
        _f("origin", "Origin", "Lähtökohta", "text"),
        _f("description", "Description", "Kuvaus", "text"),
        EXAMPLE,
    ),
    parent=_f("plan", "Plan", "Suunnitelma", "id"),
)
RESULTS = Sheet(
    "results",
    "Results",
    "Tulokset",
    (
        _f("period", "Period", "Jakso", "id"),
        _f("goal", "Goal", "Tavoite", "str"),
        _f("status", "Status", "Tila", "enum", names=v.RESULT_STATUS, default="ongoing"),
        _f("text", "Text", "Teksti", "text"),
        _f("evidence", "Evidence", "Näyttö", "ids"),
        EXAMPLE,
    ),
)
SHEETS: tuple[Sheet, ...] = (PROCESSES, STEPS, ROLES, METRICS, PLANS, ACTIONS, RESULTS)
"""The data sheets, in the workbook's order (after the About sheet)."""
