"""The publishing pipeline: load -> lint -> views -> diagrams -> manuals -> files.

`Publication` carries one workspace through the stages and does each stage once, however
many outputs ask for it: `qms build` lints once, lays every flow out once (the first pass
from the layout cache of the diagram folder, else one Graphviz batch), draws the diagram
files and builds the HTML portal and the DOCX manuals from the same DOT jobs. `qms render`,
`qms export`, `qms serve` and the bench use the same object, so the commands only parse their
options, call it and print.

Nothing here prints or exits: a request the workspace cannot meet (an unknown organisation,
one output file for many manuals, PDF without WeasyPrint) raises `Refused` with the message
in the user's language; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import os
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qms.files import Refused
from qms.findings import Msg
from qms.i18n import pick_lang
from qms.load import Loaded, gc_paused, load

if TYPE_CHECKING:
    from qms.export.manual import Diagrams, Manual
    from qms.incremental import Start
    from qms.lint import Result
    from qms.memo import Memo
    from qms.model import Workspace
    from qms.partial import LeftOut
    from qms.render import Prepared, Rendered
    from qms.render.engine import Written
    from qms.render.layout import Ranks

Files = dict[str, str | bytes]

UNKNOWN_ORG = Msg(
    en="no organisation {name!r} in the workspace; choose from {choices}",
    fi="työtilassa ei ole organisaatiota {name!r}; valitse näistä: {choices}",
)
NOTHING = Msg(en="the workspace has no organisations", fi="työtilassa ei ole organisaatioita")
NOT_LOADED = {"en": "nothing to load", "fi": "mitään ei voitu ladata"}


@dataclass
class Publication:
    """One loaded workspace on its way to diagrams and manuals; each stage runs once."""

    loaded: Loaded
    lang: str | None = None
    """The language asked for (--lang); None: the workspace's."""
    ranks: MutableMapping[str, Ranks] = field(default_factory=dict)
    """First passes by DOT digest: kept across rebuilds by `qms serve`."""
    drawn: MutableMapping[tuple[str, str], bytes | None] | None = None
    """Pictures by (DOT digest, format): kept across rebuilds by `qms serve`."""
    notes: list[str] = field(default_factory=list)
    """Warnings for the user met on the way (e.g. no Graphviz: manuals without diagrams)."""
    reference_docx: bytes | None = None
    """A Word template for the DOCX (`--reference-docx`): its styles, page, header, footer."""
    processes: int = 1
    """Processes that may lay out flows (qms/render/pool.py): the cores, for one-shot
    commands; 1 (this process only) for a server, which must not fork."""
    kept: Memo | None = None
    """DOT texts, charts and pages of earlier builds by a digest of their inputs (qms/memo.py):
    kept across rebuilds by `qms serve`, so that a save rebuilds only what it changed."""
    _result: Result | None = None
    _left_out: LeftOut | None = None
    _prepared: dict[str, Prepared] = field(default_factory=dict)
    _diagrams: dict[str, Diagrams] = field(default_factory=dict)
    _written: dict[str, Written] = field(default_factory=dict)
    """The pictures `render(whole=True)` wrote, by language: the manuals read them back."""
    _manuals: dict[tuple[str, tuple[str, ...]], list[Manual]] = field(default_factory=dict)
    _start: Start | None = None
    """What `one_shot` took to keep validate's state, until the rules have run."""
    _meanwhile: Callable[[], object] | None = None
    """Work for this process while the workers lay the flows out (`draw_charts_ahead`)."""
    _started: dict[tuple[str, str, tuple[str, ...]], tuple[Callable[[], Files], list[str]]] = field(
        default_factory=dict
    )
    """Files being made on forked workers (`start_files`), with the notes said on the way."""

    @classmethod
    def open(cls, root: str | os.PathLike[str], lang: str | None = None) -> Publication:
        """Load the workspace at `root`."""
        return cls(load(root), lang)

    @classmethod
    def one_shot(cls, root: str, lang: str | None = None, lint: bool = False) -> Publication:
        """Load for a command that ends when it is done: on two cores (a forked helper parses
        part of the files, qms/load/split.py), and the model kept until the process ends and
        frozen for the cyclic collector (qms.lifetime), which spares seconds on a national
        network.

        It lints everything (the findings, or the notice of a partial model), so it keeps the
        state a cold `qms validate` keeps (qms/incremental.py): the next `qms validate`, and
        the warm path of the next `qms render` (qms/render/warm.py), re-check only what was
        edited. With `lint` (the command needs the findings first: `qms build` prints them)
        the rules run now, on two cores; else when the findings are first asked for (`qms
        render`: while its workers lay the flows out, `left_out`)."""
        from qms.incremental import keep_linted, starting
        from qms.lifetime import keep_until_exit
        from qms.render.pool import cores

        start = starting(root)
        with gc_paused():
            # With the state kept, `keep_linted` writes the document cache's new packs: `qms
            # render` then writes them while its workers lay out, not before they start.
            loaded = load(root, split=True, flush=start is None)
            keep_until_exit(loaded)  # while paused: no collection walks what loading made
        pub = cls(loaded, lang, processes=cores())
        if lint and loaded.workspace is not None:
            pub._result = keep_linted(start, loaded, two_cores=True)
            return pub
        if loaded.workspace is None and loaded.unwritten is not None:
            loaded.unwritten.flush()  # no rules will run over it
        if not lint:
            pub._start = start
        return pub

    # --- load and lint ------------------------------------------------------------------------

    @property
    def workspace(self) -> Workspace | None:
        """The loaded workspace (None when nothing was loadable)."""
        return self.loaded.workspace

    @property
    def language(self) -> str:
        """The language of messages: --lang, $QMS_LANG, the workspace's, English."""
        return pick_lang(self.lang, self.workspace.language if self.workspace else None)

    @property
    def doc_lang(self) -> str:
        """The language of documents: --lang, else the workspace's."""
        return self.lang or (self.workspace.language if self.workspace else "en")

    def fatal(self) -> str | None:
        """Why nothing can be published (exit code 2), or None."""
        if self.loaded.fatal or self.workspace is None:
            return (self.loaded.fatal or NOT_LOADED).get(self.language, NOT_LOADED["en"])
        return None

    @property
    def result(self) -> Result:
        """The findings of every rule (linted once)."""
        if self._result is None and self._start is not None and self.workspace is not None:
            from qms.incremental import keep_linted

            self._result = keep_linted(self._start, self.loaded, two_cores=False)
            self._start = None
        if self._result is None:
            from qms.lint import lint

            self._result = lint(self.loaded)
        return self._result

    def left_out(self) -> LeftOut:
        """What the published documents say was left out: the loader's errors and unknown
        references, so that the terminal and the pages give the same count. A command that
        lints anyway (build, the manuals) reuses its findings; a one-shot `qms render` runs
        every rule (while its workers lay the flows out) to keep validate's state with them;
        else only the rules whose findings count are run, not the whole set (`qms serve`)."""
        from qms.partial import LOADER_CODES, left_out

        if self._result is not None or self._start is not None:
            return left_out(self.result.findings)  # keeps validate's state (`one_shot`)
        if self._left_out is None:
            from qms.lint import lint
            from qms.rules import all_rules

            counted = [r for r in all_rules() if r.code in LOADER_CODES]
            self._left_out = left_out(lint(self.loaded, counted).findings)
        return self._left_out

    # --- views and diagrams -------------------------------------------------------------------

    def prepared(self, lang: str) -> Prepared:
        """Every view of the workspace in `lang` and its DOT job; each flow laid out once."""
        if lang not in self._prepared:
            from qms.index import Index
            from qms.render import prepare, views

            ws = self._ws()
            meanwhile, self._meanwhile = self._meanwhile, None
            with gc_paused():
                self._prepared[lang] = prepare(
                    views(ws, Index.build(ws), lang),
                    self.ranks,
                    processes=self.processes,
                    kept=self.kept,
                    meanwhile=meanwhile,
                )
        return self._prepared[lang]

    def render(
        self,
        out: str | os.PathLike[str],
        formats: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
        whole: bool = False,
        run: Callable[[str], str] | None = None,
        also: Callable[[], object] | None = None,
    ) -> Rendered:
        """Draw the diagram files into `out` (unchanged ones are skipped).

        With `whole`, every view is prepared first (from `out`'s layout cache), so that the
        manuals published next reuse the same jobs; else only changed diagrams are built.
        `also` is run, after the rules, while worker processes lay the flows out (when they
        do): work of the caller's that the drawing does not need.
        """
        from qms.render import load_ranks, render_diagrams
        from qms.render.layout import run_dot_json

        lang = self.language
        prepared = None
        if whole:
            if not self.ranks:
                self.ranks.update(load_ranks(out))
            prepared = self.prepared(lang)
        ws = self._ws()
        done = render_diagrams(
            ws,
            lang,
            out,
            formats,
            progress,
            run=run or run_dot_json,
            prepared=prepared,
            processes=self.processes,
            meanwhile=self.left_out if also is None else lambda: (self.left_out(), also()),
            text=self.loaded.sources.text,
        )
        if prepared is not None and self.drawn is None:
            from qms.render.engine import Written

            self._written[lang] = Written(Path(out), prepared.jobs, formats, done.report.keys)
        return done

    def diagrams(self, lang: str) -> Diagrams:
        """The pictures for the manuals in `lang`, drawn once per (diagram, format)."""
        if lang not in self._diagrams:
            from qms.export.manual import Diagrams

            jobs = self.prepared(lang).jobs if _graphviz() else []
            drawn = self.drawn if self.drawn is not None else self._written.get(lang)
            self._diagrams[lang] = Diagrams(self._ws(), lang, self.ranks, drawn, jobs)
        return self._diagrams[lang]

    # --- manuals and files --------------------------------------------------------------------

    def manuals(self, lang: str, organisations: Sequence[str] = ()) -> list[Manual]:
        """The manuals of the named organisations (all when none are named)."""
        key = (lang, tuple(organisations))
        if key not in self._manuals:
            from qms.export.manual import build_manuals

            ws = self._ws()
            if not ws.organisations:
                raise Refused(NOTHING.format(self.language))
            try:
                found = build_manuals(ws, list(organisations) or None, lang, self.result)
            except KeyError as missing:
                raise Refused(self.unknown_org(str(missing.args[0]))) from None
            self._manuals[key] = found
        return self._manuals[key]

    def draw_charts_ahead(self) -> None:
        """Start drawing the manuals' charts on cores the diagrams leave idle (one-shot
        `qms build`, which publishes them after drawing: qms/export/ahead.py). The charts are
        taken from the model without the manuals, which are built while the workers lay the
        flows out (`prepared`): built first, they kept a national build on one core for 5 s."""
        if self.processes < 2 or self.kept is not None or not self._ws().organisations:
            return
        from qms.export.ahead import draw_ahead
        from qms.export.manual import charted

        draw_ahead(charted(self._ws(), self.doc_lang), self.processes)
        self._meanwhile = self._build_manuals

    def _build_manuals(self) -> None:
        from contextlib import suppress

        with suppress(Refused):  # said when the manuals are published
            self.manuals(self.doc_lang)

    def unknown_org(self, name: str) -> str:
        """The message for an organisation the workspace does not have."""
        choices = ", ".join(o.id for o in self._ws().organisations)
        return UNKNOWN_ORG.format(self.language, name=name, choices=choices)

    def files(
        self, fmt: str, out: str | os.PathLike[str], organisations: Sequence[str] = ()
    ) -> Files:
        """The files of export format `fmt` (qms.export.formats), relative to `out`."""
        from qms.export.formats import EXPORTS

        if not self._ws().organisations:
            raise Refused(NOTHING.format(self.language))
        started = self._started.pop((fmt, str(out), tuple(organisations)), None)
        if started is not None:
            self.notes.extend(started[1])
            return started[0]()
        return EXPORTS[fmt].build(self, Path(out), organisations)

    def start_files(
        self, fmt: str, out: str | os.PathLike[str], organisations: Sequence[str] = ()
    ) -> None:
        """Start making the files of `fmt` on forked workers, where the format can, so that
        this process does other work beside them (`qms build`: the portal beside the DOCX);
        `files` then gives them, with the notes said here. A refusal is left to `files`."""
        from qms.export.formats import EXPORTS

        start = EXPORTS[fmt].start
        if start is None or not self._ws().organisations:
            return
        said = len(self.notes)
        try:
            finish = start(self, Path(out), organisations)
        except Refused:
            del self.notes[said:]
            return
        self._started[fmt, str(out), tuple(organisations)] = (finish, self.notes[said:])
        del self.notes[said:]

    def refuse_shared_folder_clashes(self) -> None:
        """`qms build -o OUT` writes the diagrams (a folder per organisation) and the Word files
        (OUT/<org>.docx) into one folder, each set on its own: an organisation called `a.docx`
        beside `a` would need one name as both. Refuse before anything is drawn, rather than
        stop half-way at the second set (exit 2)."""
        from qms.files import refuse_clashes
        from qms.views import PROCESS_MAP

        orgs = self._ws().organisations
        if not orgs:
            raise Refused(NOTHING.format(self.language))
        folders = [f"{org.id}/{PROCESS_MAP}.svg" for org in orgs]
        # one DOCX per organisation that is not merged into another (`build_manuals`)
        documents = list(dict.fromkeys(f"{o.id}.docx" for o in orgs if o.merges_into is None))
        refuse_clashes([*folders, *BUILD_PORTAL_PAGE, *documents], self.language)

    def forget_unused(self) -> None:
        """Drop the first passes and pictures this publication did not use from the kept
        caches (`qms serve` keeps them across rebuilds: without this they only grow)."""
        layouts = {k for p in self._prepared.values() for k in p.layouts.values()}
        for key in [k for k in self.ranks if k not in layouts]:
            del self.ranks[key]
        if self.drawn is not None:
            used = {k for d in self._diagrams.values() for k in d.used}
            for old in [k for k in self.drawn if k not in used]:
                del self.drawn[old]
        if self.kept is not None:
            self.kept.forget_unused()

    def _ws(self) -> Workspace:
        if self.workspace is None:
            raise Refused(self.fatal() or NOT_LOADED["en"])
        return self.workspace


def _graphviz() -> bool:
    from qms.render import graphviz

    return graphviz.available()


BUILD_OUTPUTS = (("html", str(Path("{}") / "site")), ("docx", "{}"))
BUILD_PORTAL_PAGE = ("site/index.html",)
"""What `qms build` publishes next to the diagrams: the HTML portal in OUT/site and one DOCX
per organisation in OUT/<org>.docx. Build outputs are generated, so they are replaced."""
