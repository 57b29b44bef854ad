"""Diagrams of a workspace: views -> DOT text (pure) -> Graphviz (engine).

The drawing code is in qms/render/diagrams.py (`render_diagrams`, `prepare`, `views`...), the
per-diagram cache and its digests in qms/render/cache.py; their names are imported from here
when first asked for. Importing the package itself costs nothing: `qms render` after an edit
(qms/render/warm.py) reads the caches through its submodules, and with nothing edited it
never needs the model, the views or the layout (most of such a run's time was importing them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qms.render.cache import *  # noqa: F403
    from qms.render.diagrams import *  # noqa: F403


def __getattr__(name: str) -> Any:
    """A name of qms/render/cache.py, else of qms/render/diagrams.py, looked up on every use
    (not copied here: a test's monkeypatch of the module, or `layout_passes`, stays live).
    A submodule's name is left to the import system, which imports the submodule."""
    if name.startswith("__") or Path(__file__).with_name(f"{name}.py").exists():
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from qms.render import cache

    if hasattr(cache, name):
        return getattr(cache, name)
    from qms.render import diagrams

    try:
        return getattr(diagrams, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
