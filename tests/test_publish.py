"""qms.publish: one pipeline for build/render/export/serve, laid out once, caches that clean up."""

from __future__ import annotations

import ast
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import qms.render
from qms.cli import cli
from qms.render import DIAGRAM_CACHE, LAYOUT_CACHE, graphviz
from qms.render.engine import MANIFEST
from qms.serve import Site
from tests.conftest import LAMPPU, requires_dot
from tests.render.helpers import SMALL

COMMANDS = Path(__file__).resolve().parents[1] / "qms" / "commands"


class FirstPasses:
    """Counts the graphs handed to `dot -Tjson` (the first layout pass) in one Graphviz run
    or many, and the flows placed (the second pass)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.graphs = 0
        real = graphviz.run

        def run(program: object, source: str, fmt: str, *args: object, **kw: object) -> bytes:
            if fmt == "json":
                self.graphs += source.count("digraph")
            return real(program, source, fmt, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(graphviz, "run", run)
        self.placed = qms.render.layout_passes

    @property
    def flows_placed(self) -> int:
        return qms.render.layout_passes - self.placed


def flows(root: Path) -> int:
    return sum(1 for _ in root.glob("organisations/*/processes/*.yaml"))


@requires_dot
def test_a_build_lays_each_flow_out_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`qms build` draws the diagram files, the HTML portal and the DOCX manuals from one
    layout of each flow (it was three: 48 first passes for LAMPPU's 16 flows)."""
    count = FirstPasses(monkeypatch)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(LAMPPU), "-o", str(out), "--format", "svg"])
    assert result.exit_code == 0, result.output
    assert count.graphs == flows(LAMPPU) == 22  # 16 sourced flows and JEDU's 6 merger examples
    assert count.flows_placed == 22
    assert (out / "site" / "index.html").is_file() and (out / "redu.docx").is_file()
    again = FirstPasses(monkeypatch)
    result = CliRunner().invoke(cli, ["build", str(LAMPPU), "-o", str(out), "--format", "svg"])
    assert result.exit_code == 0, result.output
    assert again.graphs == 0, "the first passes come from the layout cache"
    assert again.flows_placed == 22


def render(ws: Path, out: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(ws), "-o", str(out), "--format", "svg,dot"])
    assert result.exit_code == 0, result.output


@requires_dot
def test_a_build_draws_each_picture_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal and the DOCX embed the SVG and PNG files `qms build` has just drawn into its
    diagrams folder (it ran Graphviz on every diagram again for each), and a file changed
    since is drawn again rather than embedded."""
    import docx

    drawn: Counter[tuple[str, str]] = Counter()
    run, run_batch = graphviz.run, graphviz.run_batch
    batch: list[bool] = []  # inside run_batch, whose graphs are counted already

    def one(program: object, source: str, fmt: str, *args: object, **kw: object) -> bytes:
        if not batch:
            drawn[source, fmt] += 1
        return run(program, source, fmt, *args, **kw)  # type: ignore[arg-type]

    def many(program: object, sources: list[str], fmt: str, *args: object, **kw: object) -> object:
        drawn.update((source, fmt) for source in sources)
        batch.append(True)
        try:
            return run_batch(program, sources, fmt, *args, **kw)  # type: ignore[arg-type]
        finally:
            batch.pop()

    monkeypatch.setattr(graphviz, "run", one)
    monkeypatch.setattr(graphviz, "run_batch", many)
    out = tmp_path / "out"
    build = ["build", str(LAMPPU), "-o", str(out), "--format", "svg,png"]
    assert CliRunner().invoke(cli, build).exit_code == 0
    assert sum(1 for _, fmt in drawn if fmt == "png") == len(list(out.rglob("*.png"))) > 22
    assert max(drawn.values()) == 1, "a picture drawn twice"
    pictures = {part.blob for part in docx.Document(out / "redu.docx").part.package.image_parts}
    assert (out / "redu" / "_process-map.png").read_bytes() in pictures
    # A picture changed after it was drawn (by hand, by another run): drawn afresh
    from qms.publish import Publication

    pub = Publication.open(LAMPPU)
    pub.render(out, ["svg", "png"], whole=True)
    tampered = out / "redu" / "_process-map.png"
    tampered.write_bytes(tampered.read_bytes() + b"\0")
    drawn.clear()
    assert pub.diagrams(pub.doc_lang).draw("redu/_process-map", "png") != tampered.read_bytes()
    assert [fmt for _, fmt in drawn] == ["png"]


@requires_dot
def test_pictures_just_drawn_are_read_only_where_asked(tmp_path: Path) -> None:
    """Before the DOCX workers fork, `prefetch` only checks the pictures `qms build` has just
    written (each worker then reads its own organisations' files); what it reads later is the
    file's bytes, and a file changed in between is drawn afresh."""
    from qms.publish import Publication

    out = tmp_path / "out"
    pub = Publication.open(LAMPPU)
    pub.render(out, ["svg", "png"], whole=True)
    written = pub._written[pub.doc_lang]
    from qms.render.engine import Written

    # The cache keys taken from the render are those the jobs make (worked out again here).
    assert written.files == Written(out, pub.prepared(pub.doc_lang).jobs, ["svg", "png"]).files
    diagrams = pub.diagrams(pub.doc_lang)
    diagrams.prefetch("png")
    assert len(written) == 0, "prefetch read the pictures"
    picture = out / "redu" / "_process-map.png"
    assert diagrams.draw("redu/_process-map", "png") == picture.read_bytes()
    assert len(written) == 1
    changed = next(p for p in sorted((out / "redu").glob("*.png")) if p != picture)
    changed.write_bytes(changed.read_bytes() + b"\0")
    name = f"redu/{changed.stem}"
    assert diagrams.draw(name, "png") not in (None, changed.read_bytes())


@requires_dot
def test_a_build_starts_the_documents_before_the_portal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`qms build` starts the DOCX (on forked workers, for a one-shot command) before it
    builds the portal, which then runs beside them (it waited for the portal); the documents
    are those `qms export --format docx` writes."""
    import qms.export.html
    import qms.render.pool

    events: list[str] = []
    portal, start_forked = qms.export.html.portal, qms.render.pool.start_forked

    def pages(*args: object, **kw: object) -> object:
        events.append("portal")
        return portal(*args, **kw)  # type: ignore[arg-type]

    def started(*args: object, **kw: object) -> object:
        if kw.get("each"):  # one document a task (the portal's charts: not)
            events.append("documents")
        return start_forked(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(qms.export.html, "portal", pages)
    monkeypatch.setattr(qms.render.pool, "start_forked", started)
    out, alone = tmp_path / "out", tmp_path / "alone"
    build = ["build", str(LAMPPU), "-o", str(out), "--format", "svg"]
    assert CliRunner().invoke(cli, build).exit_code == 0
    assert events == ["documents", "portal"]
    export = ["export", str(LAMPPU), "--format", "docx", "-o", str(alone)]
    assert CliRunner().invoke(cli, export).exit_code == 0
    documents = sorted(p.name for p in alone.glob("*.docx"))
    assert documents and documents == sorted(p.name for p in out.glob("*.docx"))
    for name in documents:
        assert (out / name).read_bytes() == (alone / name).read_bytes(), name


@requires_dot
def test_caches_forget_a_deleted_process_and_its_files_go(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    render(ws, out)
    gone = out / "demo" / "palaute.svg"
    assert gone.is_file()
    (out / "demo" / "notes.txt").write_text("mine", encoding="utf-8")  # not qms's: kept
    (ws / "organisations" / "demo" / "processes" / "palaute.yaml").unlink()
    render(ws, out)
    assert not gone.exists() and not (out / "demo" / "palaute.dot").exists()
    assert (out / "demo" / "notes.txt").read_text(encoding="utf-8") == "mine"
    diagrams = json.loads((out / DIAGRAM_CACHE).read_text(encoding="utf-8"))["diagrams"]
    assert "demo/palaute" not in diagrams
    layouts = json.loads((out / LAYOUT_CACHE).read_text(encoding="utf-8"))
    assert set(layouts) == {e["layout"] for e in diagrams.values() if e["layout"]}
    assert len(layouts) == flows(ws)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["entries"]
    assert not any(rel.startswith("demo/palaute.") for rel in manifest)


@requires_dot
def test_an_orphan_changed_by_hand_is_not_deleted(tmp_path: Path) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    render(ws, out)
    edited = out / "demo" / "palaute.svg"
    edited.write_text("<svg>edited by hand</svg>", encoding="utf-8")
    (ws / "organisations" / "demo" / "processes" / "palaute.yaml").unlink()
    render(ws, out)
    assert edited.read_text(encoding="utf-8") == "<svg>edited by hand</svg>"
    assert not (out / "demo" / "palaute.dot").exists()


@requires_dot
def test_repeated_edits_keep_every_cache_bounded(tmp_path: Path) -> None:
    """Ten edits of one flow: the layout cache on disk and serve's caches in memory hold
    today's diagrams only, not every version ever drawn."""
    ws, out = tmp_path / "ws", tmp_path / "out"
    shutil.copytree(SMALL, ws)
    process = ws / "organisations" / "demo" / "processes" / "palaute.yaml"
    text = process.read_text(encoding="utf-8")
    site = Site(str(ws), "fi")
    sizes = []
    for n in range(10):
        longer = "Kirjataan palaute" + " järjestelmään" * (n + 1)  # a taller box: a new layout
        process.write_text(text.replace("Kirjataan palaute järjestelmään", longer), "utf-8")
        render(ws, out)
        assert site.rebuild().errors == []
        sizes.append(
            (
                len(json.loads((out / LAYOUT_CACHE).read_text(encoding="utf-8"))),
                len(site._ranks),
                len(site._drawn),
            )
        )
    assert sizes[-1] == sizes[1], sizes
    assert sizes[-1][0] == sizes[-1][1] == flows(ws)
    assert sizes[-1][2] <= 4, "one svg per diagram of the small workspace"


def test_commands_are_thin_and_stand_on_the_library() -> None:
    """No command body over 40 lines; no command imports another command."""
    for path in sorted(COMMANDS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("qms.commands"), f"{path.name} imports a command"
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "command"
                for d in node.decorator_list
            ):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                lines = body[-1].end_lineno - body[0].lineno + 1  # type: ignore[operator]
                assert lines <= 40, f"{path.name}: {node.name} has {lines} lines"
