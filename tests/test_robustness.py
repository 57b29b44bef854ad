"""Faults and hostile input: names that try to break out of DOT and SVG, read-only commands
that must not touch the workspace, builds killed half-way or run twice at once, and a
workspace of thousands of files under a small open-file limit."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from click.testing import CliRunner

from qms.cli import cli
from tests.conftest import LAMPPU, requires_dot

NASTY = [
    "\"quoted\" 'single'",
    "back\\slash\\\\",
    "<script>alert(1)</script>",
    "{record|syntax} <port>",
    "&amp; &lt; &#x41;",
    "\u202eRTL\u200f mark",
]
"""Names that break naive DOT, record labels, SVG or HTML; each short enough not to wrap."""


def nasty_workspace(root: Path, runner: CliRunner) -> Path:
    """A `qms init` workspace whose step names are the nasty strings (as YAML strings)."""
    runner.invoke(cli, ["init", str(root), "--lang", "en"])
    process = root / "organisations/college/processes/student-feedback.yaml"
    text = process.read_text(encoding="utf-8")
    names = [
        "Feedback round starts",
        "Survey the students",
        "Analyse the results",
        "Are changes needed?",
        "Carry out the changes",
        "Feedback handled",
    ]
    for old, new in zip(names, NASTY, strict=True):
        text = text.replace(f"name: {old}", f"name: {json.dumps(new)}", 1)
    process.write_text(text, encoding="utf-8")
    return root


def svg_texts(path: Path) -> list[str]:
    tree = SafeET.parse(path)
    return [e.text for e in tree.iter() if e.tag.endswith("}text") and e.text]


@requires_dot
def test_nasty_names_come_out_of_svg_as_written(tmp_path: Path, runner: CliRunner) -> None:
    ws = nasty_workspace(tmp_path / "ws", runner)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["render", str(ws), "-o", str(out), "--format", "svg,dot"])
    assert result.exit_code == 0, result.output
    texts = svg_texts(out / "college" / "student-feedback.svg")
    joined = " ".join(texts)  # a long name may wrap onto two lines of a shape
    for name in NASTY:
        assert name in joined, f"{name!r} not found as written; texts: {texts}"
    dot = (out / "college" / "student-feedback.dot").read_text(encoding="utf-8")
    assert "<script>" not in re.sub(r'label="[^"]*(?:\\.[^"]*)*"', "", dot)


def checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@requires_dot
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{ws}"],
        ["validate", "{ws}", "--format", "sarif"],
        ["rules", "list"],
        ["coverage", "{ws}", "--format", "json"],
        ["render", "{ws}", "-o", "{out}"],
        ["build", "{ws}", "-o", "{out}"],
    ],
    ids=lambda a: " ".join(a[:3]),
)
def test_read_only_commands_leave_the_workspace_untouched(
    tmp_path: Path, runner: CliRunner, args: list[str]
) -> None:
    ws = tmp_path / "ws"
    runner.invoke(cli, ["init", str(ws), "--lang", "fi"])
    before = checksums(ws)
    argv = [a.format(ws=ws, out=tmp_path / "out") for a in args]
    result = runner.invoke(cli, argv)
    assert result.exit_code in (0, 1), result.output
    assert checksums(ws) == before


def qms(*args: str) -> list[str]:
    return [sys.executable, "-m", "qms", *args]


@requires_dot
def test_a_killed_render_leaves_the_previous_output_intact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.run(qms("render", str(LAMPPU), "-o", str(out)), capture_output=True)
    assert first.returncode == 0, first.stderr
    before = checksums(out)
    # A second render with other output (English labels) killed part-way through.
    proc = subprocess.Popen(
        qms("render", str(LAMPPU), "-o", str(out), "--lang", "en"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(0.8)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = checksums(out)
    for rel, digest in before.items():
        if rel.endswith(".svg") or rel.endswith(".png"):
            assert rel in after, f"{rel} disappeared"
            if after[rel] != digest:  # replaced: then it must be a whole new file
                path = out / rel
                if rel.endswith(".svg"):
                    SafeET.parse(path)
                else:
                    assert path.read_bytes().startswith(b"\x89PNG")
    # The next run repairs everything, whatever state the kill left.
    again = subprocess.run(qms("render", str(LAMPPU), "-o", str(out)), capture_output=True)
    assert again.returncode == 0, again.stderr
    # (A kill can leave a hidden temporary file beside its target; no visible file is partial.)
    assert visible(checksums(out)) == visible(before)


def visible(sums: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in sums.items() if not Path(k).name.startswith(".")}


@requires_dot
def test_two_renders_at_once_into_one_folder_do_not_corrupt_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(
            qms("render", str(LAMPPU), "-o", str(out), "--lang", lang),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for lang in ("fi", "en")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    svgs = sorted(out.rglob("*.svg"))
    assert len(svgs) >= 20
    for svg in svgs:
        SafeET.parse(svg)  # every file whole, from one run or the other
    for png in out.rglob("*.png"):
        assert png.read_bytes().startswith(b"\x89PNG")
    assert not [p for p in out.rglob("*.tmp")], "temporary files left behind"


def test_thousands_of_files_under_a_small_open_file_limit(tmp_path: Path) -> None:
    """9,000 files loaded with at most 64 open files: files are never held open."""
    ws = tmp_path / "ws"
    (ws / "orgs").mkdir(parents=True)
    (ws / "qms.yaml").write_text("kind: workspace\nname: Iso\n", encoding="utf-8")
    for i in range(9000):
        (ws / "orgs" / f"o{i:04d}.yaml").write_text(
            f"kind: organisation\nid: o{i:04d}\nname: Organisaatio {i}\n", encoding="utf-8"
        )
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))\n"
        "from qms.load import load\n"
        f"loaded = load({str(ws)!r})\n"
        "assert loaded.workspace is not None\n"
        "print(len(loaded.workspace.organisations), len(loaded.findings))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["9000", "0"]


def test_nasty_names_come_out_of_docx_and_bpmn_as_written(
    tmp_path: Path, runner: CliRunner
) -> None:
    """The same names, read back from the Word manual (python-docx) and the BPMN file."""
    import io

    import docx

    from qms.bpmn.export import bpmn_files
    from qms.export.docx import to_docx
    from qms.export.manual import build_manuals
    from qms.lint import lint
    from qms.load import load

    ws_root = nasty_workspace(tmp_path / "ws", runner)
    loaded = load(ws_root)
    assert loaded.workspace is not None
    [manual] = build_manuals(loaded.workspace, None, "en", lint(loaded))
    document = docx.Document(io.BytesIO(to_docx(manual, None)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    texts = [p.text for p in document.paragraphs] + cells
    for name in NASTY:
        assert name in texts, f"{name!r} not in the DOCX"
    [bpmn] = bpmn_files(loaded.workspace, "en").values()
    names = {el.get("name") for el in SafeET.fromstring(bpmn).iter() if el.get("name")}
    for name in NASTY:
        assert name in names, f"{name!r} not in the BPMN"


@requires_dot
def test_a_staging_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    """A kill can leave `.qms-staging-*` in the output folder; the next run into it removes
    it even when it has nothing to draw (it holds the folder's lock, so no run is using it)."""
    out = tmp_path / "out"
    assert (
        subprocess.run(qms("render", str(LAMPPU), "-o", str(out)), capture_output=True).returncode
        == 0
    )
    stale = out / ".qms-staging-killed" / "redu"
    stale.mkdir(parents=True)
    (stale / "talous.svg").write_text("<svg", encoding="utf-8")  # a partial file
    again = subprocess.run(qms("render", str(LAMPPU), "-o", str(out)), capture_output=True)
    assert again.returncode == 0, again.stderr
    assert not (out / ".qms-staging-killed").exists()
    assert not list(out.glob(".qms-staging-*"))
