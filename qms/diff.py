"""Semantic differences between two versions of a workspace (or of one document).

Documents are matched by kind, organisation and id (ids are stable, so a changed name is a
rename, not a removal and an addition); inside a document, lists of elements are matched by
their id (steps, roles, metrics, actions, goals, documents, periods), or by their natural key
(results by period and goal, values by period, inputs and outputs by name, flows by target).
A change names its place as a path with ids: `steps[raami].name`, `next[raami->esitykset]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from qms.model import DOCUMENT_KINDS, Branch, Document, Workspace

Op = Literal["added", "removed", "changed", "renamed"]

KEYS: dict[str, tuple[str, ...]] = {
    "results": ("period", "goal"),
    "values": ("period",),
    "inputs": ("name",),
    "outputs": ("name",),
    "risks": ("name",),
    "quality_group": ("role",),
    "next": ("to",),
    "ignore": ("rule",),
    "ratings": ("statement",),
}
"""Natural keys of element lists that have no `id`."""
SKIPPED = frozenset({"kind"})


@dataclass(frozen=True)
class Change:
    """One semantic change inside one document."""

    op: Op
    path: str
    """Where in the document, with ids: `steps[raami].name`; empty for the document itself."""
    old: Any = None
    new: Any = None

    def as_json(self) -> dict[str, Any]:
        return {"op": self.op, "path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class DocumentDiff:
    """The changes of one document (a process, a plan, an organisation's metrics, ...)."""

    kind: str
    organisation: str
    id: str
    name: Any
    """The document's name (new version, else old), a text or a language map."""
    changes: tuple[Change, ...]
    source: str = ""
    version: tuple[str | None, str | None] = (None, None)
    """The document's `version` before and after."""

    @property
    def op(self) -> Op:
        """added / removed when the whole document is, else changed."""
        if len(self.changes) == 1 and self.changes[0].path == "":
            return self.changes[0].op
        return "changed"

    @property
    def version_kept(self) -> bool:
        """Content changed but `version` did not (documents that have a version)."""
        old, new = self.version
        return self.op == "changed" and old is not None and old == new

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "organisation": self.organisation,
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "op": self.op,
            "version": {"old": self.version[0], "new": self.version[1]},
            "version_kept": self.version_kept,
            "changes": [c.as_json() for c in self.changes],
        }


@dataclass(frozen=True)
class WorkspaceDiff:
    """Every changed document, sorted by organisation, kind and id."""

    old_label: str
    new_label: str
    documents: tuple[DocumentDiff, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.old_label,
            "to": self.new_label,
            "documents": [d.as_json() for d in self.documents],
        }


KIND_ORDER = tuple(DOCUMENT_KINDS)
"""Documents of one organisation are listed in the order of the model's kinds."""


def identity(doc: Document) -> tuple[str, str, str]:
    """(organisation, kind, id) of a document; settings and metric sets have no own id."""
    org = str(getattr(doc, "organisation", "") or "")
    if doc.KIND == "organisation":
        org = str(getattr(doc, "id", ""))
    return org, doc.KIND, str(getattr(doc, "id", "") or doc.KIND)


def _dump(doc: Document | None) -> dict[str, Any] | None:
    if doc is None:
        return None
    return doc.model_dump(mode="json", by_alias=True, warnings=False)


def diff_documents(old: Document | None, new: Document | None) -> tuple[Change, ...]:
    """The changes from `old` to `new` (either may be None: added or removed)."""
    before, after = _dump(old), _dump(new)
    if before is None:
        return () if after is None else (Change("added", "", None, _whole(after)),)
    if after is None:
        return (Change("removed", "", _whole(before), None),)
    return tuple(_diff_map("", before, after, has_id="id" in after))


def diff_workspaces(
    old: Workspace | None, new: Workspace | None, old_label: str = "", new_label: str = ""
) -> WorkspaceDiff:
    """Every document added, removed or changed from `old` to `new`."""
    before = {identity(d): d for d in (old.documents() if old else ())}
    after = {identity(d): d for d in (new.documents() if new else ())}
    keys = sorted({*before, *after}, key=lambda k: (k[0], KIND_ORDER.index(k[1]), k[2]))
    docs: list[DocumentDiff] = []
    for key in keys:
        a, b = before.get(key), after.get(key)
        changes = diff_documents(a, b)
        if not changes:
            continue
        shown = b if b is not None else a
        assert shown is not None
        docs.append(
            DocumentDiff(
                kind=key[1],
                organisation=key[0],
                id=key[2],
                name=getattr(shown, "name", None),
                changes=changes,
                source=shown.source,
                version=(getattr(a, "version", None), getattr(b, "version", None)),
            )
        )
    return WorkspaceDiff(old_label, new_label, tuple(docs))


def _whole(dump: dict[str, Any]) -> Any:
    """What a whole added or removed document is shown as: its name, else what it holds
    (`metrics: 3`), never its full content."""
    if dump.get("name") is not None:
        return dump["name"]
    held = [f"{key}: {len(v)}" for key, v in dump.items() if isinstance(v, list) and v]
    return ", ".join(held) or dump.get("kind")


def _summary(value: Any) -> Any:
    """What an added or removed element is shown as: its name (or text), else the value.

    A flow is shown as its target (and branch label): `→ seuranta`, `kyllä → seuranta`.
    """
    if isinstance(value, dict) and {"to", "label"} <= set(value) <= set(Branch.model_fields):
        label, target = value["label"], value["to"]
        if isinstance(label, dict):  # a language map stays one: each language its own line
            return {lang: f"{shown} → {target}" for lang, shown in label.items()}
        return f"{label} → {target}" if isinstance(label, str) else f"→ {target}"
    if isinstance(value, dict):
        for key in ("name", "what", "text"):
            if key in value and value[key] is not None:
                return value[key]
    return value


def _item_key(name: str, item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "id" in item and isinstance(item["id"], str):
        return item["id"]
    fields = KEYS.get(name)
    if fields and all(f in item for f in fields):
        return "/".join(
            json.dumps(item[f], ensure_ascii=False, sort_keys=True)
            if not isinstance(item[f], str)
            else item[f]
            for f in fields
        )
    return None


def _diff_map(
    path: str, old: dict[str, Any], new: dict[str, Any], has_id: bool
) -> Iterator[Change]:
    for key in [*new, *(k for k in old if k not in new)]:
        if key in SKIPPED:
            continue
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        here = f"{path}.{key}" if path else key
        if isinstance(a, list) and isinstance(b, list):
            yield from _diff_list(here, key, a, b)
        elif isinstance(a, dict) and isinstance(b, dict) and not _is_text(a) and not _is_text(b):
            yield from _diff_map(here, a, b, has_id="id" in b)
        else:
            op: Op = "renamed" if key == "name" and has_id else "changed"
            if a is None or a == []:
                op = "added"
            elif b is None or b == []:
                op = "removed"
            yield Change(op, here, a, b)


def _is_text(value: dict[str, Any]) -> bool:
    """A language map {fi: ..., en: ...} is one value, not a structure."""
    return (
        bool(value)
        and all(isinstance(v, str) for v in value.values())
        and all(len(k) == 2 for k in value)
    )


def _diff_list(path: str, name: str, old: list[Any], new: list[Any]) -> Iterator[Change]:
    old_keys = [_item_key(name, item) for item in old]
    new_keys = [_item_key(name, item) for item in new]
    keyed = all(k is not None for k in old_keys + new_keys) and (
        len(set(old_keys)) == len(old_keys) and len(set(new_keys)) == len(new_keys)
    )
    if not keyed:
        yield from _diff_values(path, old, new)
        return
    before = dict(zip(old_keys, old, strict=True))
    after = dict(zip(new_keys, new, strict=True))
    for key in new_keys:
        assert key is not None
        if key not in before:
            yield Change("added", f"{path}[{key}]", None, _summary(after[key]))
        elif before[key] != after[key]:
            yield from _diff_map(f"{path}[{key}]", before[key], after[key], has_id=True)
    for key in old_keys:
        assert key is not None
        if key not in after:
            yield Change("removed", f"{path}[{key}]", _summary(before[key]), None)
    kept_old = [k for k in old_keys if k in after]
    kept_new = [k for k in new_keys if k in before]
    if kept_old != kept_new and name != "next":
        yield Change("changed", f"{path}.order", kept_old, kept_new)


def _diff_values(path: str, old: Sequence[Any], new: Sequence[Any]) -> Iterator[Change]:
    """Plain lists (ids, texts): items added and removed, then a changed order."""
    canon = [json.dumps(v, sort_keys=True, ensure_ascii=False) for v in old]
    canon_new = [json.dumps(v, sort_keys=True, ensure_ascii=False) for v in new]
    for value, key in zip(new, canon_new, strict=True):
        if key not in canon:
            yield Change("added", path, None, value)
    for value, key in zip(old, canon, strict=True):
        if key not in canon_new:
            yield Change("removed", path, value, None)
    if sorted(canon) == sorted(canon_new) and canon != canon_new:
        yield Change("changed", f"{path}.order", list(old), list(new))


# --- words shared by `qms diff`'s formats (qms/changes.py) and the change history ---------

LABELS = {
    "en": {
        "added": "added",
        "removed": "removed",
        "changed": "changed",
        "renamed": "renamed",
        "version_kept": "content changed but version {version} did not",
        "created": "created",
        "deleted": "deleted",
        "none": "No semantic changes.",
        "title": "Model changes",
        "summary": "{docs} changed: {added} added, {removed} removed, {changed} changed",
        "document": "document",
        "documents": "documents",
        "process": "process",
        "plan": "plan",
        "metrics": "metrics",
        "results": "results",
        "organisation": "organisation",
        "project": "project",
        "workspace": "workspace settings",
        "criteria": "criteria set",
        "path": "where",
        "old": "old",
        "new": "new",
        "assessment": "self-assessment",
    },
    "fi": {
        "added": "lisätty",
        "removed": "poistettu",
        "changed": "muutettu",
        "renamed": "nimetty uudelleen",
        "version_kept": "sisältö muuttui, mutta versio {version} ei",
        "created": "luotu",
        "deleted": "poistettu",
        "none": "Ei sisällöllisiä muutoksia.",
        "title": "Mallin muutokset",
        "summary": "{docs} muuttunut: {added} lisätty, {removed} poistettu, {changed} muutettu",
        "document": "asiakirja",
        "documents": "asiakirjaa",
        "process": "prosessi",
        "plan": "suunnitelma",
        "metrics": "mittaristo",
        "results": "tulokset",
        "organisation": "organisaatio",
        "project": "hanke",
        "workspace": "työtilan asetukset",
        "criteria": "kriteeristö",
        "path": "kohta",
        "old": "vanha",
        "new": "uusi",
        "assessment": "itsearviointi",
    },
}


FIELD_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "steps": ("steps", "step"),
        "next": ("next steps", "next step"),
        "roles": ("roles", "role"),
        "metrics": ("metrics", "metric"),
        "actions": ("actions", "action"),
        "goals": ("goals", "goal"),
        "documents": ("documents", "document"),
        "periods": ("periods", "period"),
        "results": ("results", "result"),
        "values": ("values", "value"),
        "inputs": ("inputs", "input"),
        "outputs": ("outputs", "output"),
        "risks": ("risks", "risk"),
        "quality_group": ("quality group", "member"),
        "ratings": ("ratings", "rating"),
        "statements": ("statements", "statement"),
        "resources": ("resources", "resource"),
        "customers": ("customers", "customer"),
        "suppliers": ("suppliers", "supplier"),
        "realizes": ("realizes", "goal"),
        "influences": ("influences", "goal"),
        "commits_to": ("commits to", "goal"),
        "name": ("name", "name"),
        "description": ("description", "description"),
        "purpose": ("purpose", "purpose"),
        "scope": ("scope", "scope"),
        "owner": ("owner", "owner"),
        "role": ("role", "role"),
        "level": ("description level", "description level"),
        "type": ("process type", "process type"),
        "review": ("review", "review"),
        "method": ("method", "method"),
        "last": ("last", "last"),
        "example": ("example mark", "example mark"),
        "version": ("version", "version"),
        "status": ("status", "status"),
        "label": ("branch label", "branch label"),
        "condition": ("condition", "condition"),
        "target": ("target", "target"),
        "baseline": ("baseline", "baseline"),
        "unit": ("unit", "unit"),
        "who": ("responsible", "responsible"),
        "due": ("due date", "due date"),
        "phase": ("phase", "phase"),
        "evaluated_by": ("evaluated by", "metric"),
        "approved": ("approval", "approval"),
        "process_map": ("process map", "process map"),
        "notes": ("notes", "note"),
    },
    "fi": {
        "steps": ("vaiheet", "vaihe"),
        "next": ("seuraavat vaiheet", "seuraava vaihe"),
        "roles": ("roolit", "rooli"),
        "metrics": ("mittarit", "mittari"),
        "actions": ("toimenpiteet", "toimenpide"),
        "goals": ("tavoitteet", "tavoite"),
        "documents": ("dokumentit", "dokumentti"),
        "periods": ("kaudet", "kausi"),
        "results": ("tulokset", "tulos"),
        "values": ("arvot", "arvo"),
        "inputs": ("syötteet", "syöte"),
        "outputs": ("tuotokset", "tuotos"),
        "risks": ("riskit", "riski"),
        "quality_group": ("laaturyhmä", "jäsen"),
        "ratings": ("arviot", "arvio"),
        "statements": ("väittämät", "väittämä"),
        "resources": ("resurssit", "resurssi"),
        "customers": ("asiakkaat", "asiakas"),
        "suppliers": ("toimittajat", "toimittaja"),
        "realizes": ("toteuttaa", "tavoite"),
        "influences": ("vaikuttaa", "tavoite"),
        "commits_to": ("sitoutuu", "tavoite"),
        "name": ("nimi", "nimi"),
        "description": ("kuvaus", "kuvaus"),
        "purpose": ("tarkoitus", "tarkoitus"),
        "scope": ("rajaus", "rajaus"),
        "owner": ("omistaja", "omistaja"),
        "role": ("rooli", "rooli"),
        "level": ("kuvaustaso", "kuvaustaso"),
        "type": ("prosessityyppi", "prosessityyppi"),
        "review": ("katselmointi", "katselmointi"),
        "method": ("menetelmä", "menetelmä"),
        "last": ("edellinen", "edellinen"),
        "example": ("esimerkkimerkintä", "esimerkkimerkintä"),
        "version": ("versio", "versio"),
        "status": ("tila", "tila"),
        "label": ("haaran nimi", "haaran nimi"),
        "condition": ("ehto", "ehto"),
        "target": ("tavoitetaso", "tavoitetaso"),
        "baseline": ("lähtötaso", "lähtötaso"),
        "unit": ("yksikkö", "yksikkö"),
        "who": ("vastuu", "vastuu"),
        "due": ("määräaika", "määräaika"),
        "phase": ("vaihe", "vaihe"),
        "evaluated_by": ("arvioidaan mittarilla", "mittari"),
        "approved": ("hyväksyntä", "hyväksyntä"),
        "process_map": ("prosessikartta", "prosessikartta"),
        "notes": ("huomautukset", "huomautus"),
    },
}
"""Words for the model's fields in a change history: (the field, one item of its list). A
field not listed here is shown by its name."""


def describe(path: str, lang: str) -> str:
    """A change's place in words, for readers of a manual rather than of YAML; ids stay ids
    (they name the element exactly).

    >>> describe("steps[korjaus].next[seuranta]", "fi")
    'vaihe korjaus › seuraava vaihe seuranta'
    >>> describe("review.method", "en"), describe("task_type", "en")
    ('review › method', 'task type')
    """
    words = FIELD_WORDS[lang]
    parts = []
    for field_name, key in re.findall(r"([^.\[\]]+)(?:\[([^\]]*)\])?", path):
        whole, item = words.get(field_name, (field_name.replace("_", " "),) * 2)
        parts.append(f"{item} {key}" if key else whole)
    return " › ".join(parts)


def summary_line(changes: Iterable[Change], lang: str, limit: int = 4) -> str:
    """A short semantic summary of one document's changes, for a change-history row, in
    words (`describe`): 'changed owner; renamed step raami'."""
    items = list(changes)
    if not items:
        return ""
    words = LABELS[lang]
    if len(items) == 1 and items[0].path == "":
        return words["created" if items[0].op == "added" else "deleted"]
    parts = []
    for c in items[:limit]:
        path = c.path.removesuffix(".name") if c.op == "renamed" else c.path
        parts.append(f"{words[c.op]} {describe(path, lang)}")
    more = len(items) - limit
    return "; ".join(parts) + (f"; +{more}" if more > 0 else "")
