"""The `qms` command line: a thin click group over the library.

Subcommands live in qms/commands/, one module each defining a click command of the module's
name (`qms/commands/validate.py` -> `validate`); they are imported only when used or listed
by --help, and import the library inside the command, so start-up stays light.

Exit codes: 0 clean, 1 findings of error severity, 2 bad usage or nothing loadable.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from qms import __version__


def _commands() -> dict[str, str]:
    """Subcommand name -> module, one module per command in qms/commands/ (imported on use).

    A trailing underscore is dropped, for names that are Python keywords (`import_.py`).
    """
    import pkgutil

    from qms import commands

    return {
        m.name.rstrip("_").replace("_", "-"): f"qms.commands.{m.name}"
        for m in pkgutil.iter_modules(commands.__path__)
        if not m.name.startswith("_")
    }


class LazyGroup(click.Group):
    """A click group whose subcommands are imported when they are looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _commands().get(cmd_name)
        if module is not None:
            command = getattr(importlib.import_module(module), module.rsplit(".", 1)[1])
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="qms")
def cli() -> None:
    """Quality-management process models as text: checked, drawn and published.

    \b
    Start with:
        qms init laatu --lang fi      a new workspace with an example process
        qms validate laatu            check it: file:line:col, with fix hints
    """


def lang_option(func: Any) -> Any:
    """`--lang fi|en`: the language of messages and documents (default: the workspace's)."""
    return click.option(
        "--lang",
        type=click.Choice(["fi", "en"]),
        default=None,
        help="Language of messages and documents (default: the workspace's, or $QMS_LANG).",
    )(func)


def pick_lang(option: str | None, workspace_lang: str | None) -> str:
    """--lang, then $QMS_LANG, then the workspace's language, then English."""
    for candidate in (option, os.environ.get("QMS_LANG"), workspace_lang):
        if candidate in ("fi", "en"):
            return candidate
    return "en"


def show_suppressed_option(func: Any) -> Any:
    """`--show-suppressed`: list the suppressed findings with their reasons, not only a count."""
    return click.option(
        "--show-suppressed",
        is_flag=True,
        help="List the findings suppressed with a reason (`lint: ignore`), not only their count.",
    )(func)


def workspace_argument(func: Any) -> Any:
    """The WORKSPACE argument: a folder holding qms.yaml (default: the current folder)."""
    return click.argument(
        "workspace",
        type=click.Path(file_okay=False, path_type=str),
        default=".",
        required=False,
    )(func)


def main() -> None:
    """Entry point of the `qms` script."""
    cli(prog_name="qms")
