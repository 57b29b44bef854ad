"""Model files -> Workspace, with every problem reported at file:line:col (`load`).

What loading needs (pydantic and the model classes, PyYAML) is imported on first use of a
name that needs it (`load`, `Loaded`, `SourceMap`...; qms/load/core.py): finding the files,
the cache folder and the code's digest do not, so a `qms validate` that finds nothing edited
never imports the model (a third of a second, most of such a run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qms.load.cache import DocumentCache, cache_home, code_digest, source_digest
from qms.load.discover import WORKSPACE_FILE, discover
from qms.load.pause import gc_paused

if TYPE_CHECKING:
    from qms.load.core import Loaded, assemble, build_document, load
    from qms.load.yaml_source import SourceMap, parse_file

__all__ = [
    "WORKSPACE_FILE",
    "DocumentCache",
    "Loaded",
    "SourceMap",
    "assemble",
    "build_document",
    "cache_home",
    "code_digest",
    "discover",
    "gc_paused",
    "load",
    "parse_file",
    "source_digest",
]


def __getattr__(name: str) -> Any:
    """The names that need the model and the parser, imported when first asked for."""
    if name in ("Loaded", "assemble", "build_document", "load"):
        from qms.load import core

        value = getattr(core, name)
    elif name in ("SourceMap", "parse_file"):
        from qms.load import yaml_source

        value = getattr(yaml_source, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
