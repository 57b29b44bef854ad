"""qms: quality-management process models as text, checked like code, drawn and published.

The public API is imported lazily so that `qms --help` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from qms.lint import lint
    from qms.load import load

__all__ = ["__version__", "lint", "load"]


def __getattr__(name: str) -> Any:
    if name == "load":
        from qms.load import load

        return load
    if name == "lint":
        from qms.lint import lint

        return lint
    raise AttributeError(name)
