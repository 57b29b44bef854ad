"""The JSON Schema of model files, for editors (yaml-language-server) and other tools.

One schema for every kind: a `oneOf` discriminated by `kind`, so that a single
`# yaml-language-server: $schema=...` line serves every file of a workspace.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from qms import __version__
from qms.model import Metrics, Organisation, Plan, Process, Project, Results, WorkspaceSettings

SCHEMA_FILE = "qms.schema.json"
"""Where `qms init` writes the schema, at the workspace root."""

AnyDocument = Annotated[
    WorkspaceSettings | Project | Organisation | Process | Plan | Metrics | Results,
    Field(discriminator="kind"),
]


def json_schema() -> dict[str, Any]:
    """The schema of any model file, by its `kind:`."""
    schema = TypeAdapter(AnyDocument).json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://qms.example/schema/{__version__}/qms.schema.json",
        "title": "qms model file",
        "description": "One document of a qms workspace; its kind is named by `kind:`.",
        **schema,
    }


def schema_text() -> str:
    """The schema as stable, indented JSON text (the same model gives the same bytes)."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
