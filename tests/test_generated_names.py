"""Generated names never collide with model ids (issue 15, item 8).

Every output qms names by itself (a process map, the goal map, the portal's section pages and
front pages, the Markdown index, the DOCX set) lives in a namespace that model ids cannot
reach: ids match `[a-z0-9][a-z0-9_-]*`, generated names start with `_` or carry a suffix ids
cannot. The workspace below gives processes and an organisation every generated stem as id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.export.html import portal
from qms.export.manual import Diagrams, build_manuals, page_name
from qms.export.markdown import markdown_files
from qms.index import Index
from qms.lint import lint
from qms.load import load
from qms.render import views
from tests.conftest import requires_dot

STEMS = [
    "process-map",
    "goal-map",
    "index",
    "plan",
    "metrics",
    "goals",
    "findings",
    "diagrams",
    "roles",
    "documents",
    "assessment",
    "search",
    "site",
    "qms",
]


def _process(pid: str, org: str) -> str:
    return (
        f"kind: process\nid: {pid}\norganisation: {org}\nname: Prosessi {pid}\n"
        "steps:\n"
        f"  - {{id: alku, kind: start, name: Alku {pid}, next: [loppu]}}\n"
        f"  - {{id: loppu, kind: end, name: Loppu {pid}}}\n"
    )


def _files() -> dict[str, str]:
    files = {
        "qms.yaml": "kind: workspace\nname: W\nlanguage: fi\nas_of: 2026-06-01\n",
        "project.yaml": "kind: project\nid: h\nname: H\ngoals:\n  - {id: G1, name: G}\n",
    }
    for org in ("goal-map", "index"):
        files[f"{org}/organisation.yaml"] = f"kind: organisation\nid: {org}\nname: Org {org}\n"
        for pid in STEMS:
            files[f"{org}/{pid}.yaml"] = _process(pid, org)
    return files


@pytest.fixture
def clash(make_workspace: Callable[[dict[str, str]], Path]) -> Path:
    return make_workspace(_files())


def test_every_diagram_name_is_drawn_once(clash: Path) -> None:
    loaded = load(clash)
    assert loaded.workspace is not None and not loaded.fatal
    names = Counter(v.name for v in views(loaded.workspace, Index.build(loaded.workspace), "fi"))
    assert [n for n, c in names.items() if c > 1] == []
    for org in ("goal-map", "index"):
        assert {f"{org}/{pid}" for pid in STEMS} <= set(names)
        assert f"{org}/_process-map" in names
    assert "goal-map" in names


def test_portal_and_markdown_keep_a_page_per_process(clash: Path) -> None:
    loaded = load(clash)
    assert loaded.workspace is not None
    manuals = build_manuals(loaded.workspace, None, "fi", lint(loaded))
    site = portal(manuals, None)
    md = markdown_files(manuals, None)
    for org in ("goal-map", "index"):
        for pid in STEMS:
            page = site[f"{org}/{page_name(pid)}"]
            assert f"Alku {pid}" in page, (org, pid)  # its own page, not a section's
            text = md[f"{org}/{page_name(pid).removesuffix('.html')}.md"]
            assert isinstance(text, str) and f"Prosessi {pid}" in text, (org, pid)
        generated = [
            p for p in site if p.startswith(f"{org}/_") and p != f"{org}/_process-index.html"
        ]
        assert all("Alku " not in site[p] for p in generated), "no section page is a process's"
        assert "Org " + org in site[f"{org}/index.html"]


@requires_dot
def test_a_process_called_process_map_keeps_its_flow_diagram(clash: Path, tmp_path: Path) -> None:
    out = tmp_path / "d"
    done = CliRunner().invoke(cli, ["render", str(clash), "-o", str(out), "--format", "svg"])
    assert done.exit_code in (0, 1), done.output
    for org in ("goal-map", "index"):
        for pid in STEMS:
            svg = (out / org / f"{pid}.svg").read_text(encoding="utf-8")
            assert f"Alku {pid}".replace("-", "&#45;") in svg, (org, pid)
        assert "Prosessi process&#45;map" in (out / org / "_process-map.svg").read_text("utf-8")
    assert (out / "goal-map.svg").is_file() and (out / "goal-map").is_dir()


@requires_dot
def test_the_markdown_set_keeps_both_diagrams(clash: Path) -> None:
    loaded = load(clash)
    assert loaded.workspace is not None
    manuals = build_manuals(loaded.workspace, None, "fi", lint(loaded))
    md = markdown_files(manuals, Diagrams(loaded.workspace, "fi"))
    for org in ("goal-map", "index"):
        flow = md[f"{org}/diagrams/process-map.svg"]
        whole = md[f"{org}/diagrams/_process-map.svg"]
        assert isinstance(flow, bytes) and b"Alku process&#45;map" in flow
        assert isinstance(whole, bytes) and b"Prosessi diagrams" in whole


@requires_dot
@pytest.mark.parametrize(
    ("org", "command", "clash"),
    [
        ("qms.css", ["export", "--format", "html"], "qms.css"),
        ("index.html", ["export", "--format", "html"], "index.html"),
        ("goal-map.svg", ["render", "--format", "svg"], "goal-map.svg"),
    ],
)
def test_an_id_that_names_a_generated_file_is_refused(
    make_workspace: Callable[[dict[str, str]], Path],
    tmp_path: Path,
    org: str,
    command: list[str],
    clash: str,
) -> None:
    files = _files()
    files[f"{org}/organisation.yaml"] = f"kind: organisation\nid: {org}\nname: Org\n"
    files[f"{org}/p.yaml"] = _process("p", org)
    root = make_workspace(files)
    out = tmp_path / "out"
    done = CliRunner().invoke(
        cli, [command[0], str(root), "-o", str(out), *command[1:], "--lang", "en"]
    )
    assert done.exit_code == 2, done.output
    assert f"{clash} would have to be both a file and the folder of {clash}/" in done.output
    assert "Traceback" not in done.output
    assert not out.exists() or (not any(out.rglob("*.svg")) and not any(out.rglob("*.html")))


@requires_dot
def test_an_organisation_called_site_keeps_its_diagrams_beside_the_portal(
    make_workspace: Callable[[dict[str, str]], Path], tmp_path: Path
) -> None:
    """`qms build -o OUT` puts the diagrams of organisation `site` in OUT/site, where the
    portal goes too: no file of one is written over by the other."""
    files = _files()
    files["site/organisation.yaml"] = "kind: organisation\nid: site\nname: Org site\n"
    for pid in STEMS:
        files[f"site/{pid}.yaml"] = _process(pid, "site")
    root = make_workspace(files)
    out = tmp_path / "out"
    done = CliRunner().invoke(cli, ["build", str(root), "-o", str(out), "--keep-going"])
    assert done.exit_code in (0, 1), done.output
    for pid in STEMS:
        svg = (out / "site" / f"{pid}.svg").read_text(encoding="utf-8")
        assert f"Alku {pid}".replace("-", "&#45;") in svg, pid
        assert f"Alku {pid}" in (out / "site" / "site" / page_name(pid)).read_text("utf-8")
    assert "Prosessi" in (out / "site" / "_process-map.svg").read_text("utf-8")
    assert "Org site" in (out / "site" / "site" / "index.html").read_text("utf-8")
    assert "<html" in (out / "site" / "index.html").read_text("utf-8")


def _docx_beside(files: dict[str, str]) -> dict[str, str]:
    """Organisations `a` and `a.docx`: the Word file of one is the diagram folder of the
    other when both go into one folder."""
    for org in ("a", "a.docx"):
        files[f"{org}/organisation.yaml"] = f"kind: organisation\nid: {org}\nname: Org {org}\n"
        files[f"{org}/p.yaml"] = _process("p", org)
    return files


@requires_dot
def test_build_refuses_a_shared_folder_clash_before_drawing(
    make_workspace: Callable[[dict[str, str]], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`qms build -o OUT` writes diagrams and Word files into one folder in two sets; a name
    both need is refused before the first set is written, not half-way (it was an OS error
    after the diagrams and the portal were written)."""
    root = make_workspace(_docx_beside(_files()))
    out = tmp_path / "out"
    done = CliRunner().invoke(
        cli, ["build", str(root), "-o", str(out), "--keep-going", "--lang", "en"]
    )
    assert done.exit_code == 2, done.output
    assert "a.docx would have to be both a file and the folder of a.docx/" in done.output
    assert not out.exists()
    # Without -o the two sets go to different folders (diagrams/, build/): nothing clashes.
    monkeypatch.chdir(tmp_path)
    apart = CliRunner().invoke(cli, ["build", str(root), "--keep-going", "--lang", "en"])
    assert apart.exit_code == 1, apart.output  # the model's own findings, nothing refused
    assert "would have to be both" not in apart.output
    assert (tmp_path / "build" / root.name / "a.docx").is_file()
    assert (tmp_path / "diagrams" / root.name / "a.docx" / "p.svg").is_file()


@requires_dot
def test_an_existing_entry_of_the_other_kind_is_refused_before_writing(
    make_workspace: Callable[[dict[str, str]], Path], tmp_path: Path
) -> None:
    """What an earlier run left may be a file where a folder goes, or a folder where a file
    goes: refused with both paths named (exit 2), nothing renamed half-way, no empty
    folders left."""
    root = make_workspace(_docx_beside(_files()))
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.docx").write_bytes(b"an earlier Word file")
    drawn = CliRunner().invoke(cli, ["render", str(root), "-o", str(out), "--lang", "en"])
    assert drawn.exit_code == 2, drawn.output
    assert f"{out / 'a.docx'} is a file where qms needs a folder for" in drawn.output
    assert sorted(p.name for p in out.iterdir()) == [".qms-lock", "a.docx"]
    assert (out / "a.docx").read_bytes() == b"an earlier Word file"

    (out / "a.docx").unlink()
    (out / "a.docx").mkdir()
    (out / "a.docx" / "mine.txt").write_text("kept", encoding="utf-8")
    done = CliRunner().invoke(
        cli,
        ["export", str(root), "--format", "docx", "-o", str(out), "--force", "--lang", "en"],
    )
    assert done.exit_code == 2, done.output
    assert f"{out / 'a.docx'} is a folder where qms writes a file of that name" in done.output
    assert (out / "a.docx" / "mine.txt").read_text(encoding="utf-8") == "kept"
    assert not (out / "a").exists()
    assert "Traceback" not in done.output + drawn.output
