"""Changing a model file the way its author would: comments, key order, quoting and flow
style of everything untouched are kept (ruamel.yaml round trip).

`qms new metric`, `qms import xlsx` and the editor of `qms serve --edit` all write YAML back
through here, so the three keep a file in the same style: two-space mappings, lists indented
under their key as in the LAMPPU files, long lines never re-wrapped.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

__all__ = ["CommentedMap", "CommentedSeq", "dump", "flow", "load", "new_yaml"]


def new_yaml() -> YAML:
    """A round-trip YAML instance in the style of the model files."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # a long line stays one line: no re-wrapping of what was not changed
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> Any:
    """The document of `text` as ruamel's commented maps and lists."""
    return new_yaml().load(text)


def dump(data: Any) -> str:
    """`data` as YAML text, every untouched part as it was written."""
    out = io.StringIO()
    new_yaml().dump(data, out)
    return out.getvalue()


def flow(value: Any) -> Any:
    """A new map or list written on one line, `{fi: ..., en: ...}` or `[a, b]`, as the model
    files write short values; nested maps and lists are made flow too."""
    if isinstance(value, dict):
        out: Any = CommentedMap((k, flow(v)) for k, v in value.items())
    elif isinstance(value, list):
        out = CommentedSeq(flow(v) for v in value)
    else:
        return value
    out.fa.set_flow_style()
    return out
