"""The file system as an adversary (issue 15, item 3): symbolic-link loops, FIFOs and devices
named *.yaml, /dev/zero, a full or read-only disk, -o naming a file, a folder link inside the
output folder. Each gives a message and exit code 1 (a finding) or 2 (a refusal), never a
traceback or a hang, never a write outside -o, and a set of outputs is replaced as a whole."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from tests.conftest import DATA, run_qms

SMALL = DATA / "render" / "small"
COMMANDS = {
    "render": ["render", "--format", "svg"],
    "html": ["export", "--format", "html"],
    "md": ["export", "--format", "md"],
    "docx": ["export", "--format", "docx"],
}


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its sha256 (the lock file left out)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".qms-lock"
    }


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(SMALL, root)
    return root


# --- inputs ------------------------------------------------------------------------------------


def _hostile_inputs(root: Path) -> dict[str, str]:
    """Entries named *.yaml that are not model files, and what validate says of each."""
    (root / "loop-a.yaml").symlink_to("loop-b.yaml")
    (root / "loop-b.yaml").symlink_to("loop-a.yaml")
    os.mkfifo(root / "pipe.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    (root / "up").mkdir()
    (root / "up" / "again").symlink_to("..")  # a folder link back up: not followed
    expected = {
        "loop-a.yaml": "cannot read the file: Too many levels of symbolic links",
        "loop-b.yaml": "cannot read the file: Too many levels of symbolic links",
        "pipe.yaml": "cannot read the file: not a regular file (a pipe, a device or a socket)",
        "zero.yaml": "symbolic link leads outside the workspace (to /dev/zero)",
    }
    if os.geteuid() == 0:
        os.mknod(root / "null.yaml", 0o600 | 0o020000, os.makedev(1, 3))  # like /dev/null
        expected["null.yaml"] = (
            "cannot read the file: not a regular file (a pipe, a device or a socket)"
        )
    return expected


@pytest.mark.parametrize("command", ["validate", "render", "build"])
def test_links_pipes_and_devices_named_yaml(ws: Path, tmp_path: Path, command: str) -> None:
    expected = _hostile_inputs(ws)
    args = [command, str(ws)]
    if command == "render":
        args += ["-o", str(tmp_path / "out"), "--format", "dot"]
    code, out, err = run_qms(*args)
    assert "Traceback" not in out + err
    assert code in (0, 1), err
    if command == "validate":
        for name, message in expected.items():
            assert f"{ws}/{name}:1:1: QMS001 error: {message}" in out, (name, out)
    else:
        assert "left out" in err or "QMS001" in out + err


def test_dev_zero_as_a_workspace(tmp_path: Path) -> None:
    for command in (["validate"], ["render", "-o", str(tmp_path / "o")], ["coverage"]):
        code, _, err = run_qms(command[0], "/dev/zero", *command[1:])
        assert code == 2 and "Traceback" not in err
        assert "/dev/zero is not a qms workspace" in err


# --- outputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_output_naming_an_existing_file(ws: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "mine.txt"
    target.write_text("my own file\n", encoding="utf-8")
    command = COMMANDS[kind]
    done = CliRunner().invoke(
        cli, [command[0], str(ws), "-o", str(target), *command[1:], "--lang", "en"]
    )
    assert done.exit_code == 2, done.output
    assert "is a file" in done.output and "Traceback" not in done.output
    assert target.read_text(encoding="utf-8") == "my own file\n"


@pytest.mark.parametrize("kind", ["render", "html", "md"])
def test_a_folder_link_inside_the_output_folder(ws: Path, tmp_path: Path, kind: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo").symlink_to(outside)
    command = COMMANDS[kind]
    force = [] if kind == "render" else ["--force"]
    args = [command[0], str(ws), "-o", str(out), *command[1:], *force, "--lang", "en"]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 2, done.output
    assert f"{out}/demo is a symbolic link to {outside}" in done.output
    assert list(outside.iterdir()) == [], "nothing written outside -o"
    assert (out / "demo").is_symlink()


def _fail(monkeypatch: pytest.MonkeyPatch, where: str, code: int, disk: Path) -> None:
    """Make the disk under `disk` fail as a full or read-only one would: `stage`, the second
    file written (into the staging folder of a render, or beside its target for an export);
    `swap`, the second rename that puts a written file in place (the first one must then be
    undone). Files elsewhere (the user's cache, which `qms render` after an edit also writes
    through validate's state) are written as usual."""
    import qms.files

    real_replace, real_stage = os.replace, qms.files.stage
    calls = {"stage": 0, "swap": 0}
    counting = threading.Lock()  # render writes on several threads: count each call once

    def staged(path: str | os.PathLike[str]) -> bool:
        name = os.fspath(path)
        return ".qms-staging-" in name or name.endswith(".tmp")

    def count(kind: str) -> int:
        with counting:
            calls[kind] += 1
            return calls[kind]

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if disk not in Path(dst).parents:
            return real_replace(src, dst)
        if where == "stage" and ".qms-staging-" in os.fspath(dst) and count("stage") == 2:
            raise OSError(code, os.strerror(code), os.fspath(dst))
        swap = staged(src) and ".qms-staging-" not in os.fspath(dst)
        if where == "swap" and swap and count("swap") == 2:
            raise OSError(code, os.strerror(code), os.fspath(dst))
        real_replace(src, dst)

    def stage(target: Path, data: bytes) -> Path:
        if disk not in Path(target).parents:
            return real_stage(target, data)
        if count("stage") == 2 and where == "stage":
            raise OSError(code, os.strerror(code), os.fspath(target))
        return real_stage(target, data)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(qms.files, "stage", stage)


def _edit(ws: Path) -> None:
    """An edit that changes many outputs: the organisation's name is on every page, and a
    process's name on its diagram."""
    org = ws / "organisations" / "demo" / "organisation.yaml"
    org.write_text(org.read_text("utf-8").replace("Demo", "Muutettu"), "utf-8")
    process = ws / "organisations" / "demo" / "processes" / "palaute.yaml"
    process.write_text(process.read_text("utf-8").replace("Palaute", "Muutettu"), "utf-8")
    johtaminen = ws / "organisations" / "demo" / "processes" / "johtaminen.yaml"
    johtaminen.write_text(johtaminen.read_text("utf-8") + "# muutettu\n", "utf-8")


@pytest.mark.parametrize("where", ["stage", "swap"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EIO])
@pytest.mark.parametrize("kind", ["render", "html", "md"])
def test_a_failing_disk_leaves_the_old_set_whole(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, kind: str, where: str
) -> None:
    out = tmp_path / "out"
    command = COMMANDS[kind] if kind != "render" else ["render", "--format", "dot"]
    force = [] if kind == "render" else ["--force"]
    args = [command[0], str(ws), "-o", str(out), *command[1:], *force, "--lang", "en"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    before = tree(out)
    _edit(ws)
    _fail(monkeypatch, where, code, tmp_path)
    done = CliRunner().invoke(cli, args)
    monkeypatch.undo()
    assert done.exit_code == 2, done.output
    assert os.strerror(code) in done.output and "Traceback" not in done.output
    assert tree(out) == before, "no file of the set replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "ws"], "nothing beside -o"
    assert not [
        p for p in out.rglob("*") if ".qms-staging-" in p.name or p.suffix in (".tmp", ".old")
    ]
    again = CliRunner().invoke(cli, args)  # and the next run, on a good disk, writes it all
    assert again.exit_code == 0 and tree(out) != before


def test_writers_on_threads_report_the_real_disk_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two diagrams written on two threads into one new folder; the first to stage its file
    finds the disk read-only while the other is about to stage. The folder must not be pulled
    from under the other writer (whose "No such file or directory" was then reported instead of
    the read-only disk: seen in test_a_failing_disk_leaves_the_old_set_whole under load)."""
    import qms.files
    from qms.render.engine import DotJob, render_all

    real_stage, real_remove = qms.files.stage, qms.files._remove_empty
    entered, cleaned = threading.Event(), threading.Event()
    order, lock, seen = [], threading.Lock(), []

    def stage(target: Path, data: bytes) -> Path:
        with lock:
            order.append(target.name)
            first = len(order) == 1
        if first:
            entered.wait(5)  # the other writer is inside write_atomic, past its mkdir
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(target))
        entered.set()
        cleaned.wait(5)  # the failed writer has cleaned up after itself
        try:
            return real_stage(target, data)
        except OSError as error:
            seen.append(error)
            raise

    def remove_empty(folders: Iterable[Path]) -> None:
        real_remove(folders)
        cleaned.set()

    monkeypatch.setattr(qms.files, "stage", stage)
    monkeypatch.setattr(qms.files, "_remove_empty", remove_empty)
    jobs = [DotJob("new/a", "digraph { a }"), DotJob("new/b", "digraph { b -> c }")]
    with pytest.raises(OSError) as raised:
        render_all(jobs, tmp_path / "out", ["dot"], workers=2)
    assert raised.value.errno == errno.EROFS
    assert seen == [], "the other writer lost its folder"
    left = sorted(p.name for p in (tmp_path / "out" / "new").iterdir())
    assert left in (["a.dot"], ["b.dot"]), "the other diagram written whole, nothing half"


def _can_mount() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount(), reason="cannot mount a small tmpfs (needs unshare -m)")
@pytest.mark.parametrize("disk", ["full", "read-only"])
def test_a_real_full_or_read_only_disk(ws: Path, tmp_path: Path, disk: str) -> None:
    """A real tmpfs in a private mount namespace: first filled to the last byte, or remounted
    read-only, after a first portal was written."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    qms = f"{sys.executable} -m qms export {ws} --format html -o {mnt}/site --lang en --force"
    process = ws / "organisations" / "demo" / "processes" / "palaute.yaml"
    edit = f"sed -i 's/Palaute/Muutettu/' {process}"
    spoil = (
        f"dd if=/dev/zero of={mnt}/fill bs=1k 2>/dev/null || true"
        if disk == "full"
        else f"mount -o remount,ro {mnt}"
    )
    listing = f"cd {mnt}/site && find . -type f -exec sha256sum {{}} + | sort"
    script = (
        f"set -e; mount -t tmpfs -o size=2m tmpfs {mnt}; {qms} 2>/dev/null; "
        f"{listing} > {tmp_path}/before; {spoil}; {edit}; "
        f"set +e; {qms}; echo rc=$? >&2; {listing} > {tmp_path}/after; ls -A {mnt} >&2"
    )
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300
    )
    assert "rc=2" in proc.stderr, (proc.returncode, proc.stdout, proc.stderr, script)
    reason = "No space left on device" if disk == "full" else "Read-only file system"
    assert reason in proc.stderr and "Traceback" not in proc.stderr
    before = (tmp_path / "before").read_text()
    assert before and (tmp_path / "after").read_text() == before
    left = proc.stderr.rsplit("rc=2", 1)[1].split()
    assert sorted(left) == sorted(["site", *(["fill"] if disk == "full" else [])])


@pytest.mark.skipif(not _can_mount(), reason="cannot mount a small tmpfs (needs unshare -m)")
@pytest.mark.parametrize("disk", ["full", "read-only"])
def test_drafting_commands_on_a_real_full_or_read_only_disk(tmp_path: Path, disk: str) -> None:
    """`qms init`, `qms new` and `qms import xlsx` write what the user drafts: on a full or
    read-only disk each stops with exit 2 and the reason, changes no file of the workspace,
    and leaves no empty folder or staged file behind (init's new workspace included)."""
    from openpyxl import load_workbook

    mnt = tmp_path / "mnt"
    mnt.mkdir()
    qms = f"{sys.executable} -m qms"
    workbook = tmp_path / "college.xlsx"
    setup = (
        f"{qms} init {mnt}/ws --lang en >/dev/null 2>&1; "
        f"{qms} export {mnt}/ws --format xlsx -o {tmp_path} --lang en 2>/dev/null"
    )
    spoil = (
        f"dd if=/dev/zero of={mnt}/fill bs=1k 2>/dev/null || true"
        if disk == "full"
        else f"mount -o remount,ro {mnt}"
    )
    commands = [
        f"init {mnt}/second --lang en",
        f"new organisation lappia {mnt}/ws --lang en",
        f"new process huolto --organisation college {mnt}/ws --lang en",
        f"new metric keskeyttaneet --organisation college {mnt}/ws --lang en",
        f"import xlsx {workbook} -o {mnt}/ws/organisations/college --force --lang en",
    ]
    listing = (
        f"cd {mnt} && find . ! -name fill | sort | xargs -d '\\n' sha256sum 2>/dev/null | sort"
    )
    runs = "; ".join(f"{qms} {c}; echo rc=$? >&2" for c in commands)
    script = (
        f"set -e; mount -t tmpfs -o size=1m tmpfs {mnt}; {qms} init {mnt}/ws --lang en; "
        f"{listing} > {tmp_path}/before || true; {spoil}; set +e; {runs}; "
        f"{listing} > {tmp_path}/after || true; find {mnt} -mindepth 1 | sort >&2"
    )
    # The workbook changes one process name, so that the import has something to write.
    first = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs tmpfs {mnt}; {setup}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert workbook.is_file(), first.stderr
    book = load_workbook(workbook)
    book["Processes"]["B2"] = "Handling feedback from students"
    book.save(workbook)
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=600
    )
    assert proc.stderr.count("rc=2") == len(commands), (proc.stdout, proc.stderr)
    reason = "No space left on device" if disk == "full" else "Read-only file system"
    assert proc.stderr.count(reason) >= len(commands) and "Traceback" not in proc.stderr
    before = (tmp_path / "before").read_text()
    assert before and (tmp_path / "after").read_text() == before
    left = [p for p in proc.stderr.splitlines() if p.startswith(str(mnt))]
    assert not [p for p in left if "second" in p or ".tmp" in p or "lappia" in p or "huolto" in p]


def test_a_staging_folder_lists_its_files_as_a_walk_of_paths_would(tmp_path: Path) -> None:
    """`staged_folder` lists what was written with `os.scandir` (no `stat` per file): the
    same files, links and order as the `Path.rglob` walk it replaced, whose links to folders
    are swapped in as links, not followed."""
    from qms.files import _files_below

    for rel in ("b/z.svg", "b/a-b/x.svg", "b-a/y.svg", "a.json", "b/a/w.svg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel, encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "b" / "to-a").symlink_to(tmp_path / "b" / "a", target_is_directory=True)
    (tmp_path / "link.svg").symlink_to(tmp_path / "a.json")
    walked = sorted(p for p in tmp_path.rglob("*") if p.is_file() or p.is_symlink())
    assert _files_below(tmp_path) == [p.relative_to(tmp_path).as_posix() for p in walked]
