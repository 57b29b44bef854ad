"""The `qms` command line: a thin click group over the library.

Subcommands live in qms/commands/, one module each defining a click command of the module's
name (`qms/commands/validate.py` -> `validate`); they are imported only when used or listed
by --help, and import the library inside the command, so start-up stays light.

Exit codes: 0 clean, 1 findings of error severity, 2 bad usage or nothing loadable.
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qms import __version__
from qms.files import Refused
from qms.findings import Msg
from qms.i18n import pick_lang

if TYPE_CHECKING:
    from qms.partial import LeftOut
    from qms.publish import Publication
    from qms.render import Rendered

__all__ = ["cli", "lang_option", "main", "pick_lang", "workspace_argument"]


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

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand. A refusal from the library, or a file-system error that the
        command did not handle itself (a full or read-only disk, a symbolic-link loop, a
        vanished folder), stops it with a message and exit code 2, never a traceback."""
        try:
            return super().invoke(ctx)
        except Refused as refused:
            raise RefusedCommand(refused.message) from None
        except OSError as error:
            # click 8.2 keeps the subcommand's words in _protected_args (protected_args is
            # deprecated there); 8.1 only has protected_args.
            words = getattr(ctx, "_protected_args", None)
            if words is None:
                words = ctx.protected_args
            raise file_system_error(error, [*words, *ctx.args]) from None


class RefusedCommand(click.ClickException):
    """Refused to act (e.g. to overwrite); exit code 2, like bad usage."""

    exit_code = 2


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


FILE_SYSTEM = {
    "en": "{path}: {reason}; nothing more was written",
    "fi": "{path}: {reason}; enempää ei kirjoitettu",
}


def file_system_error(error: OSError, args: list[str]) -> RefusedCommand:
    """An exit-code-2 error that says which file the error is about, in the language asked
    for on the command line (else $QMS_LANG, else English)."""
    from qms.findings import printable

    lang = next((b for a, b in itertools.pairwise(args) if a == "--lang"), None)
    lang = pick_lang(lang, None)
    path = error.filename if error.filename is not None else ""
    if error.filename2 is not None:
        path = f"{path} -> {error.filename2}"
    reason = error.strerror or type(error).__name__
    return RefusedCommand(printable(FILE_SYSTEM[lang].format(path=path or "qms", reason=reason)))


def main() -> None:
    """Entry point of the `qms` script.

    qms builds pydantic validators for its own model only, and no qms feature uses pydantic
    plugins; pydantic's documented switch `PYDANTIC_DISABLE_PLUGINS` spares the command the
    search for them (every installed distribution's entry points: 2 % of a `qms validate`
    after one edit). Set for the command's process only (a program that imports qms is left
    as it is), and only when the user has not set it.
    """
    from qms.lifetime import ends_with_command, finished

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    ends_with_command()
    try:
        cli(prog_name="qms")
    except SystemExit as stop:  # click ends every command so: the process may now end fast
        finished(stop.code)
        raise


# --- what several commands print ------------------------------------------------------------

DRAWN = Msg(
    en="{rendered} files drawn, {skipped} unchanged, in {out}",
    fi="{rendered} tiedostoa piirretty, {skipped} ennallaan, kansiossa {out}",
)
BAD_FORMAT = Msg(
    en="unknown format {fmt!r}; choose from {choices}",
    fi="tuntematon muoto {fmt!r}; valitse näistä: {choices}",
)
WRITTEN = Msg(
    en="{count} files written to {out} ({unchanged} unchanged)",
    fi="{count} tiedostoa kirjoitettu kohteeseen {out} ({unchanged} ennallaan)",
)


def say(message: str) -> None:
    """One line for the user on standard error, `qms: ` first."""
    click.echo(f"qms: {message}", err=True)


def stop_unless_loaded(pub: Publication) -> None:
    """Exit 2 with the reason when the workspace could not be loaded."""
    fatal = pub.fatal()
    if fatal is not None:
        say(fatal)
        sys.exit(2)


def parse_formats(value: str, lang: str) -> list[str]:
    """'svg,png' -> ['svg', 'png']; an unknown format stops with exit code 2."""
    from qms.render.engine import FORMATS

    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    for fmt in formats:
        if fmt not in FORMATS:
            say(BAD_FORMAT.format(lang, fmt=fmt, choices=", ".join(FORMATS)))
            sys.exit(2)
    return list(dict.fromkeys(formats))


def draw(
    pub: Publication,
    out: str,
    formats: str,
    whole: bool = False,
    also: Callable[[], object] | None = None,
) -> int:
    """Draw the diagrams into `out` and print what happened; the exit code. `also`: work
    to do while the workers lay the flows out (`Publication.render`)."""
    from qms.render.engine import progress_bar
    from qms.render.graphviz import GraphvizMissing

    language = pub.language
    fmts = parse_formats(formats, language)
    update, close = progress_bar()
    try:
        done = pub.render(out, fmts, update, whole=whole, also=also)
    except GraphvizMissing:
        done = None
    finally:
        close()
    # The notice was worked out while the flows were laid out.
    return report_drawn(done, pub.left_out(), language, out)


def report_drawn(done: Rendered | None, left: LeftOut, language: str, out: str) -> int:
    """Print the notice and what a render did (None: no Graphviz); the exit code."""
    from qms.partial import echo_left_out
    from qms.render.engine import NO_DOT

    echo_left_out(left, language)
    if done is None:
        say(NO_DOT.format(language))
        return 2
    report = done.report
    report.failed.extend((name, "json", message) for name, message in done.failures)
    for message in report.messages(language):
        say(message)
    shown = DRAWN.format(
        language, rendered=len(report.rendered), skipped=len(report.skipped), out=Path(out)
    )
    click.echo(shown, err=True)
    return 0 if report.ok else 1


def publish(
    pub: Publication,
    fmt: str,
    out: str,
    organisations: Sequence[str] = (),
    force: bool = False,
    announce: bool = True,
    within: str | None = None,
) -> int:
    """Write the files of export format `fmt` under `out` (a folder inside `within`, the
    folder the user named, if given) and, with `announce`, say how many; the exit code
    (`qms build` says where everything is in one line of its own)."""
    from qms.files import write_tree
    from qms.partial import echo_left_out
    from qms.render.layout import TooManySteps

    if announce and pub.workspace and pub.workspace.organisations:  # build says it once
        echo_left_out(pub.left_out(), pub.language)
    try:
        files = pub.files(fmt, out, organisations)
    except Refused as refused:
        _notes(pub)
        say(refused.message)
        return 2
    except TooManySteps as err:  # a flow beyond the documented limit (BPMN export)
        _notes(pub)
        say(err.message(pub.language))
        return 1
    _notes(pub)
    inside = Path(within) if within is not None else None
    written = write_tree(files, Path(out), force, pub.language, inside)
    unchanged = len(files) - written
    if announce:
        shown = WRITTEN.format(pub.language, count=written, out=Path(out), unchanged=unchanged)
        click.echo(shown, err=True)
    return 0


PUBLISHED = Msg(
    en="Published: the portal {portal}; the documents in {folder}: {documents}",
    fi="Julkaistu: portaali {portal}; asiakirjat kansiossa {folder}: {documents}",
)


def published(pub: Publication, out: str) -> None:
    """`qms build`'s last line: the portal as a file:// link, and the documents."""
    ws = pub.workspace
    names = [o.id for o in ws.organisations] if ws else []
    documents = [f"{name}.docx" for name in names if (Path(out) / f"{name}.docx").is_file()]
    portal = (Path(out) / "site" / "index.html").resolve().as_uri()
    line = PUBLISHED.format(
        pub.language, portal=portal, folder=out, documents=", ".join(documents) or "-"
    )
    click.echo(line, err=True)


def _notes(pub: Publication) -> None:
    for note in pub.notes:
        say(note)
    pub.notes.clear()


def format_option(func: Any) -> Any:
    """`--format svg,png,pdf,dot`."""
    return click.option(
        "--format",
        "formats",
        default="svg,png,dot",
        show_default=True,
        help="Comma-separated output formats: svg, png, pdf, dot (the DOT source).",
    )(func)


def out_option(func: Any) -> Any:
    """`-o DIR`."""
    return click.option(
        "-o",
        "--out",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help="Output folder (default: diagrams/<workspace folder name>).",
    )(func)
