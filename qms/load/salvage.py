"""Element-level salvage: a schema error leaves out only the element (or the value) at fault.

A document that fails validation is not dropped whole. Each error leaves out the smallest
thing that holds it:

- an unknown key: that key;
- a bad value of an optional field (`status: valmis` before aliases, `when: 2014-13-01`):
  that value. The element is kept, but never judged on the default that replaces the value:
  the rule findings *about that element* are withheld until the value is fixed (no "overdue"
  for a status that was really `done`, no "missing owner" for an owner written wrongly);
- anything else inside an item of a list (a step with a bad id, a branch to a bad id, a goal
  id `G 1` in `realizes`): that item. Its neighbours stay, at their own positions: findings
  of the kept items are reported where they are written (`SourceMap.locate_model`);
- a bad required key of the document itself (`id`, `kind`...): the document, as before.

What was left out is said in the QMS002 finding itself, and findings that the gap would
cause are withheld (`withheld`): flow checks of a process that lost a step or a branch,
unknown references to the ids of left-out elements, and coverage gaps (QMS401-QMS403) of the
goals that left-out data named. `qms coverage` and the other deriving commands say that the
model is incomplete (qms/partial.py).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from qms.findings import Msg, PathPart
from qms.load.schema_errors import _model_at

GOAL_KEYS = frozenset({"realizes", "influences", "commits_to", "goal"})
"""Keys whose values name goals: data left out there makes those goals' coverage unsure."""
FLOW_KEYS = frozenset({"steps", "next"})
COVERAGE_CODES = frozenset({"QMS401", "QMS402", "QMS403"})

LEFT_OUT_VALUE = Msg(
    en=" (left out: this value; the checks of this element wait until it is fixed)",
    fi=" (jätetty pois: tämä arvo; tämän osan tarkistukset odottavat korjausta)",
)
LEFT_OUT_ITEM = Msg(
    en=" (left out: {what}; the rest of the file is checked)",
    fi=" (jätetty pois: {what}; muu tiedosto tarkistetaan)",
)
ITEM = Msg(en="the item {where}", fi="kohta {where}")
ITEM_ID = Msg(en="the item {where} (id '{id}')", fi="kohta {where} (tunniste '{id}')")


@dataclass
class Salvaged:
    """What salvage left out of one document, and what the rules must not be told."""

    remap: dict[tuple[PathPart, ...], list[int]] = field(default_factory=dict)
    """Raw path of a list that lost items -> the raw indices of the items kept, in order."""
    elements: set[tuple[PathPart, ...]] = field(default_factory=set)
    """Model paths of kept elements that lost a value: their own findings are withheld."""
    flow: bool = False
    """A process lost a step or a branch: its flow findings are withheld."""
    ids: set[str] = field(default_factory=set)
    """Ids of left-out elements: references to them are not reported as unknown."""
    goals: set[str] = field(default_factory=set)
    """Goal ids that left-out data named: their coverage findings are withheld."""
    notes: dict[int, dict[str, str]] = field(default_factory=dict)
    """Per error (its index): what was left out, appended to the finding in both languages."""

    def raw_path(self, path: Sequence[PathPart]) -> tuple[PathPart, ...]:
        """A model path (what the rules see) as a path in the file as written."""
        out: list[PathPart] = []
        for part in path:
            kept = self.remap.get(tuple(out)) if isinstance(part, int) else None
            if kept is not None and isinstance(part, int) and 0 <= part < len(kept):
                part = kept[part]
            out.append(part)
        return tuple(out)

    def model_path(self, raw: Sequence[PathPart]) -> tuple[PathPart, ...] | None:
        """A path in the file as a model path; None when it runs through a left-out item."""
        out: list[PathPart] = []
        seen: list[PathPart] = []
        for part in raw:
            kept = self.remap.get(tuple(seen)) if isinstance(part, int) else None
            seen.append(part)
            if kept is not None:
                if part not in kept:
                    return None
                part = kept.index(part)
            out.append(part)
        return tuple(out)


def _resolve(data: Any, loc: Sequence[PathPart]) -> tuple[PathPart, ...]:
    """The longest prefix of an error location that exists in the data as written (pydantic
    adds union tags and turns a decision's `{label: step}` map into a list)."""
    node: Any = data
    out: list[PathPart] = []
    for part in loc:
        if isinstance(node, dict):
            if isinstance(part, int) and part not in node:
                keys = list(node)
                if 0 <= part < len(keys) and all(not isinstance(k, int) for k in keys):
                    node = node[keys[part]]  # the n-th pair of a map written as a list
                    out.append(part)
                    continue
            if part not in node:
                break
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        out.append(part)
    return tuple(out)


def _get(data: Any, path: Sequence[PathPart]) -> Any:
    node = data
    for part in path:
        if isinstance(node, dict) and isinstance(part, int) and part not in node:
            node = node[list(node)[part]]
        else:
            node = node[part]
    return node


def _goal_refs(value: Any, key: str | None = None) -> set[str]:
    """Goal ids named anywhere in some left-out data."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found |= _goal_refs(v, str(k))
    elif isinstance(value, list):
        for v in value:
            found |= _goal_refs(v, key)
    elif isinstance(value, str) and key in GOAL_KEYS:
        found.add(value)
    return found


def salvage(
    cls: type[BaseModel], data: dict[str, Any], errors: list[Any]
) -> tuple[BaseModel | None, Salvaged]:
    """The document with what failed left out (see the module docstring), and the record."""
    record = Salvaged()
    fields: list[tuple[PathPart, ...]] = []
    items: list[tuple[PathPart, ...]] = []
    for n, err in enumerate(errors):
        at = _resolve(data, tuple(err["loc"]))
        if not at:
            return None, record
        if err["type"] == "extra_forbidden" and isinstance(at[-1], str):
            fields.append(at)
            continue
        parent = _model_at(cls, at[:-1]) if isinstance(at[-1], str) else None
        name = str(at[-1])
        info = parent.model_fields.get(name) if parent is not None else None
        if info is None and parent is not None:
            info = next((f for f in parent.model_fields.values() if f.alias == at[-1]), None)
        if info is not None and not info.is_required():
            fields.append(at)
            record.elements.add(at[:-1])
            record.goals |= _goal_refs(_get(data, at), str(at[-1]))
            record.notes[n] = {lang: LEFT_OUT_VALUE.format(lang) for lang in ("en", "fi")}
            if FLOW_KEYS & {p for p in at if isinstance(p, str)} and at[-1] in ("kind", "next"):
                record.flow = True
            continue
        cut = max((k for k, p in enumerate(at) if isinstance(p, int)), default=None)
        if cut is None:
            return None, record  # a required key of the document itself: nothing to keep
        item = at[: cut + 1]
        items.append(item)
        raw = _get(data, item)
        key = next((p for p in reversed(item[:-1]) if isinstance(p, str)), None)
        record.goals |= _goal_refs(raw, key)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            record.ids.add(raw["id"])
        elif isinstance(raw, str):
            record.ids.add(raw)
        if FLOW_KEYS & {p for p in item if isinstance(p, str)}:
            record.flow = True
        if not isinstance(raw, dict) and cut > 0:
            record.elements.add(item[: cut - 1])  # a scalar item: its owner lost part of a value
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in item).replace(
            ".[", "["
        )
        ident = raw.get("id") if isinstance(raw, dict) else None
        what = {
            lang: (
                ITEM_ID.format(lang, where=where, id=ident)
                if isinstance(ident, str)
                else ITEM.format(lang, where=where)
            )
            for lang in ("en", "fi")
        }
        record.notes[n] = {lang: LEFT_OUT_ITEM.format(lang, what=what[lang]) for lang in what}
    work = copy.deepcopy(data)
    for at in fields:
        container = _get(work, at[:-1]) if at[:-1] else work
        if isinstance(container, dict):
            container.pop(str(at[-1]), None)
    lists: dict[tuple[PathPart, ...], set[int]] = {}
    for item in items:
        lists.setdefault(item[:-1], set()).add(int(item[-1]))
    for path in sorted(lists, key=len, reverse=True):
        container = _get(work, path)
        gone = lists[path]
        size = len(container)
        record.remap[path] = [i for i in range(size) if i not in gone]
        if isinstance(container, dict):
            keys = list(container)
            for i in sorted(gone, reverse=True):
                del container[keys[i]]
        else:
            for i in sorted(gone, reverse=True):
                del container[i]
    record.elements = {
        moved for p in record.elements if (moved := record.model_path(p)) is not None
    }
    try:
        return cls.model_validate(work), record
    except ValidationError:
        return None, record


def salvaged_of(doc: object) -> Salvaged | None:
    """The salvage record of a loaded document, None when it loaded whole."""
    private = getattr(doc, "__pydantic_private__", None) or {}
    found = private.get("_salvaged")
    return found if isinstance(found, Salvaged) else None


def raw_path(doc: object, path: Sequence[PathPart]) -> tuple[PathPart, ...]:
    """Where a rule's model path is written in the document's file."""
    found = salvaged_of(doc)
    return found.raw_path(path) if found else tuple(path)


def withheld(
    salvaged: Salvaged | None, code: str, path: Sequence[PathPart], params: dict[str, Any]
) -> bool:
    """Whether a rule finding in a salvaged document could be caused by what was left out."""
    if salvaged is None:
        return False
    if salvaged.flow and code.startswith("QMS1"):
        return True
    for element in salvaged.elements:
        rest = tuple(path[len(element) :])
        if tuple(path[: len(element)]) == element and not any(isinstance(p, int) for p in rest):
            return True
    return False


def withheld_anywhere(salvaged: Sequence[Salvaged], code: str, params: dict[str, Any]) -> bool:
    """Findings elsewhere that left-out data could cause: unknown references to left-out ids,
    coverage gaps of goals that left-out data named."""
    if not salvaged:
        return False
    if code == "QMS004":
        ref = str(params.get("ref", ""))
        return any(ref.split("/")[-1] in s.ids or ref in s.ids for s in salvaged)
    if code in COVERAGE_CODES:
        goal = str(params.get("goal", ""))
        return any(goal in s.goals for s in salvaged)
    return False
