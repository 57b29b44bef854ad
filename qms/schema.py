"""The JSON Schema of model files, for editors (yaml-language-server) and other tools.

One schema for every kind, so that a single `# yaml-language-server: $schema=...` line serves
every file of a workspace. It dispatches on `kind:` with `if`/`then` (never `oneOf`), and
alternatives that differ in their JSON type (a text is a string or a map of languages; an
optional key may be null) are told apart by `type` alone: a generic validator, such as
check-jsonschema or an editor's, then names the one mistake a file has, where it is, as
`qms validate` does, instead of guessing among the branches of a `oneOf` or `anyOf`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from qms import __version__
from qms.model import DOCUMENT_KINDS, documented

SCHEMA_FILE = "qms.schema.json"
"""Where `qms init` writes the schema, at the workspace root."""


def _json_types(branch: dict[str, Any], defs: dict[str, Any]) -> set[str] | None:
    """The JSON types a subschema accepts, when it says so with `type` (or its `$ref` does)."""
    if "$ref" in branch:
        target = defs.get(str(branch["$ref"]).rsplit("/", 1)[-1])
        return _json_types(target, defs) if isinstance(target, dict) else None
    kinds = branch.get("type")
    values = branch.get("enum", [branch["const"]] if "const" in branch else None)
    strings = isinstance(values, list) and values and all(isinstance(v, str) for v in values)
    if kinds is None and strings:
        return {"string"}
    if isinstance(kinds, str):
        return {kinds}
    if isinstance(kinds, list) and all(isinstance(k, str) for k in kinds):
        return set(kinds)
    return None


def _by_type(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """`anyOf` whose branches accept disjoint JSON types -> one `type` list, and an `if`/`then`
    per branch that says more than its type. Other `anyOf`s are kept as they are.

    >>> _by_type({"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}, {})
    {'default': None, 'type': ['null', 'string']}
    >>> _by_type({"anyOf": [{"type": "integer"}, {"type": "number"}, {"type": "boolean"}]}, {})
    {'type': ['boolean', 'number']}
    """
    branches = node["anyOf"]
    if {"type": "integer"} in branches and {"type": "number"} in branches:
        # A bare integer branch says nothing that the bare number branch does not.
        branches = [b for b in branches if b != {"type": "integer"}]
    found = [_json_types(b, defs) if isinstance(b, dict) else None for b in branches]
    types = [kinds for kinds in found if kinds is not None]
    flat = [t for kinds in types for t in kinds]
    overlap = len(flat) != len(set(flat)) or {"integer", "number"} <= set(flat)
    if len(types) != len(found) or overlap:
        return node
    out = {key: value for key, value in node.items() if key != "anyOf"}
    out["type"] = sorted(flat) if len(flat) > 1 else flat[0]
    conditions = [
        {"if": {"type": sorted(kinds) if len(kinds) > 1 else next(iter(kinds))}, "then": branch}
        for branch, kinds in zip(branches, types, strict=True)
        if set(branch) != {"type"}
    ]
    if conditions:
        out["allOf"] = [*out.get("allOf", []), *conditions]
    return out


def _untangle(node: Any, defs: dict[str, Any]) -> Any:
    """Apply `_by_type` everywhere in a schema."""
    if isinstance(node, list):
        return [_untangle(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _untangle(value, defs) for key, value in node.items()}
    if isinstance(node.get("anyOf"), list):
        node = _by_type(node, defs)
    return node


def json_schema() -> dict[str, Any]:
    """The schema of any model file: `kind:` picks the document's definition."""
    documented()
    classes = list(DOCUMENT_KINDS.values())
    _, top = models_json_schema(
        [(cls, "validation") for cls in classes], by_alias=True, ref_template="#/$defs/{model}"
    )
    defs: dict[str, Any] = top.get("$defs", {})
    defs = {name: _untangle(schema, defs) for name, schema in sorted(defs.items())}
    kinds = list(DOCUMENT_KINDS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://qms.example/schema/{__version__}/qms.schema.json",
        "title": "qms model file",
        "description": "One document of a qms workspace; `kind:` says which: "
        + ", ".join(kinds)
        + ".",
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": kinds, "description": "What the file holds: " + ", ".join(kinds)}
        },
        "allOf": [
            {
                "if": {
                    "type": "object",
                    "properties": {"kind": {"const": kind}},
                    "required": ["kind"],
                },
                "then": {"$ref": f"#/$defs/{cls.__name__}"},
            }
            for kind, cls in DOCUMENT_KINDS.items()
        ],
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as stable, indented JSON text (the same model gives the same bytes)."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
