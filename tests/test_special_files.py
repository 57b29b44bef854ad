"""Special files where qms reads or writes (issue 15, items 3 and 9), beyond the cases of
tests/test_file_system.py: FIFOs, sockets, devices and links as caches, as the lock file, as
a single-file output, as a Word template and as model files; a link where `qms build` puts
the portal; a real full or read-only disk under every writer. Each is a message with exit
code 1 or 2 (or a cache quietly recomputed), never a traceback, a hang or a write outside -o.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from qms.files import LOCK_NAME
from qms.render import DIAGRAM_CACHE, LAYOUT_CACHE
from qms.render.engine import MANIFEST
from tests.conftest import DATA, requires_dot, run_qms
from tests.test_file_system import _can_mount

SMALL = DATA / "render" / "small"
PROCESS = Path("organisations/demo/processes/palaute.yaml")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(SMALL, root)
    return root


def _edit(ws: Path, word: str) -> None:
    path = ws / PROCESS
    path.write_text(path.read_text("utf-8").replace("Palaute", word, 1), "utf-8")


def _socket(path: Path) -> None:
    """A UNIX socket at `path`, left behind as a file-system entry."""
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


def _special(kind: str, path: Path, tmp_path: Path) -> None:
    """`path` made a FIFO, a socket, a folder, a link to /dev/zero, or a 300 MB sparse file."""
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        _socket(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "link-to-dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "sparse-300mb":
        with open(path, "wb") as handle:
            handle.truncate(300 * 2**20)
    else:
        raise AssertionError(kind)


# --- caches and the lock (item 9) --------------------------------------------------------------


@requires_dot
@pytest.mark.parametrize("cache", [LAYOUT_CACHE, DIAGRAM_CACHE, MANIFEST])
@pytest.mark.parametrize("kind", ["fifo", "socket", "link-to-dev-zero", "sparse-300mb"])
def test_a_special_file_as_a_cache_is_recomputed(
    ws: Path, tmp_path: Path, cache: str, kind: str
) -> None:
    """A cache that is not a regular file is a miss: the render neither hangs on a FIFO nor
    reads /dev/zero forever, and the cache becomes a regular file again."""
    out = tmp_path / "out"
    args = ("render", str(ws), "-o", str(out), "--format", "svg")
    assert run_qms(*args)[0] == 0
    (out / cache).unlink()
    _special(kind, out / cache, tmp_path)
    _edit(ws, "Muutettu")
    code, _, err = run_qms(*args, timeout=120)
    assert code == 0 and "Traceback" not in err, err
    assert (out / cache).is_file() and not (out / cache).is_symlink()
    assert (out / cache).stat().st_size < 2**20
    assert "Muutettu" in (out / "demo" / "palaute.svg").read_text("utf-8")


@pytest.mark.parametrize("kind", ["folder", "link-to-a-file-of-yours", "dangling-link"])
def test_a_lock_file_that_is_not_one_stops_the_run(ws: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    yours = tmp_path / "yours.txt"
    yours.write_text("keep me\n", encoding="utf-8")
    lock = out / LOCK_NAME
    if kind == "folder":
        lock.mkdir()
    elif kind == "link-to-a-file-of-yours":
        lock.symlink_to(yours)
    else:
        lock.symlink_to(tmp_path / "nowhere")
    code, _, err = run_qms("render", str(ws), "-o", str(out), "--format", "dot", timeout=120)
    assert code == 2 and "Traceback" not in err, err
    assert str(lock) in err
    assert yours.read_text(encoding="utf-8") == "keep me\n", "the link is not written through"
    assert not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME], "nothing drawn"


# --- outputs (item 3) --------------------------------------------------------------------------

SINGLE_FILE = {
    "schema": ["schema", "-o", "{target}", "--force"],
    "coverage-csv": ["coverage", "{ws}", "--format", "csv", "-o", "{target}", "--force"],
    "coverage-xlsx": ["coverage", "{ws}", "--format", "xlsx", "-o", "{target}", "--force"],
    "docx": [
        "export",
        "{ws}",
        "--format",
        "docx",
        "--organisation",
        "demo",
        "-o",
        "{target}",
        "--force",
    ],
}


def _target(kind: str, folder: Path) -> Path:
    if kind == "device":
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        path = folder / "null.docx"
        os.mknod(path, 0o600 | 0o020000, os.makedev(1, 3))  # a /dev/null of our own
        return path
    path = folder / ("fifo.docx" if kind == "fifo" else "socket.docx")
    _special(kind, path, folder)
    return path


@pytest.mark.parametrize("kind", ["device", "fifo", "socket"])
@pytest.mark.parametrize("command", sorted(SINGLE_FILE))
def test_a_special_file_as_output_is_never_replaced(
    ws: Path, tmp_path: Path, kind: str, command: str
) -> None:
    """`-o /dev/null --force` renamed a file onto the device itself (as root: for the whole
    machine). A device, FIFO or socket named by -o is refused, --force or not."""
    target = _target(kind, tmp_path)
    before = target.lstat()
    args = [a.format(ws=ws, target=target) for a in SINGLE_FILE[command]]
    code, _, err = run_qms(*args, lang=command != "schema")
    assert code == 2 and "Traceback" not in err, err
    assert "is not a regular file" in err or "is a file" in err, err
    after = target.lstat()
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode,
        before.st_ino,
        before.st_rdev,
    )


@requires_dot
def test_build_never_writes_the_portal_through_a_link(ws: Path, tmp_path: Path) -> None:
    """`qms build -o OUT` puts the portal in OUT/site: a link there to another folder is a
    folder link inside the output folder, refused like any other."""
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "site").symlink_to(outside)
    code, _, err = run_qms("build", str(ws), "-o", str(out), "--keep-going")
    assert code == 2 and "Traceback" not in err, err
    assert f"{out}/site is a symbolic link to {outside}" in err
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "socket", "link-to-dev-zero", "sparse-300mb", "folder"])
def test_a_special_word_template_is_refused(ws: Path, tmp_path: Path, kind: str) -> None:
    template = tmp_path / "pohja.docx"
    _special(kind, template, tmp_path)
    out = tmp_path / "out"
    code, _, err = run_qms(
        "export", str(ws), "--format", "docx", "-o", str(out), "--reference-docx", str(template)
    )
    assert code == 2 and "Traceback" not in err and "MemoryError" not in err, err
    assert "--reference-docx" in err
    assert not out.exists() or not any(out.iterdir())


# --- inputs (item 3) ---------------------------------------------------------------------------


def test_more_special_entries_named_yaml(ws: Path) -> None:
    """A link to itself, a dangling link, a chain of 45 links, a socket, a folder link to
    itself, a link to /dev/urandom and to the standard input: each a located QMS001 error."""
    (ws / "self.yaml").symlink_to("self.yaml")
    (ws / "dangling.yaml").symlink_to("nowhere.yaml")
    for i in range(1, 46):
        (ws / f"c{i}.yaml").symlink_to(f"c{i + 1}.yaml")
    (ws / "c46.yaml").write_text("kind: workspace\nname: X\n", encoding="utf-8")
    _socket(ws / "sock.yaml")
    (ws / "loop").symlink_to("loop")
    (ws / "rand.yaml").symlink_to("/dev/urandom")
    (ws / "stdin.yaml").symlink_to("/proc/self/fd/0")
    proc = subprocess.run(
        [sys.executable, "-m", "qms", "validate", str(ws), "--lang", "en"],
        stdin=subprocess.PIPE,  # nobody ever writes: a read of it would hang
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 1 and "Traceback" not in out + proc.stderr, proc.stderr
    expected = {
        "self.yaml": os.strerror(errno.ELOOP),
        "dangling.yaml": os.strerror(errno.ENOENT),
        "c1.yaml": os.strerror(errno.ELOOP),
        "sock.yaml": os.strerror(errno.ENXIO),
        "rand.yaml": "symbolic link leads outside the workspace (to /dev/urandom)",
        "stdin.yaml": "not a regular file (a pipe, a device or a socket)",  # a pipe here
    }
    lines = {line.split(":1:1: ")[0]: line for line in out.splitlines() if ":1:1: QMS001" in line}
    for name, reason in expected.items():
        assert reason in lines.get(f"{ws}/{name}", ""), (name, out)
    assert "loop" not in out.replace("c1.yaml", "").replace("symbolic link", "")


@pytest.mark.parametrize("path", ["/dev/urandom", "/dev/null", "/proc/self/fd/0"])
@pytest.mark.parametrize("command", ["validate", "coverage", "build", "serve", "export"])
def test_a_device_as_the_workspace(tmp_path: Path, path: str, command: str) -> None:
    extra = ["--format", "html", "-o", str(tmp_path / "o")] if command == "export" else []
    code, _, err = run_qms(command, path, *extra, timeout=120)
    assert code == 2 and "Traceback" not in err, err
    assert f"{path} is not a qms workspace" in err
    assert not (tmp_path / "o").exists()


# --- a real full or read-only disk under every writer (item 3) --------------------------------


@pytest.mark.skipif(not _can_mount(), reason="cannot mount a small tmpfs (needs unshare -m)")
@pytest.mark.parametrize("disk", ["full", "read-only"])
def test_every_writer_on_a_real_full_or_read_only_disk(ws: Path, tmp_path: Path, disk: str) -> None:
    """Each writer runs once on a good disk, the model changes, the disk fills up or turns
    read-only, and each runs again: exit 2 with the reason, and every file as it was."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    q = f"{sys.executable} -m qms"
    writers = [
        f"render {ws} -o {mnt}/r --format svg,dot",
        f"export {ws} --format docx -o {mnt}/d --force",
        f"export {ws} --format md -o {mnt}/m --force",
        f"export {ws} --format bpmn -o {mnt}/b --force",
        f"coverage {ws} --format xlsx -o {mnt}/c.xlsx --force",
        f"schema -o {mnt}/s.json --force",
        f"build {ws} -o {mnt}/bu --keep-going",
    ]
    writers = [w if w.startswith("schema") else f"{w} --lang en" for w in writers]
    first = "; ".join(f"{q} {w} >/dev/null 2>&1 || true" for w in writers)  # errors: exit 1
    again = "; ".join(f"{q} {w}; echo rc=$? >&2" for w in writers)
    listing = f"cd {mnt} && find . -type f ! -name fill ! -name {LOCK_NAME} -exec sha256sum {{}} +"
    spoil = (
        f"dd if=/dev/zero of={mnt}/fill bs=1k 2>/dev/null || true"
        if disk == "full"
        else f"mount -o remount,ro {mnt}"
    )
    edit = f"sed -i 's/Palaute/Muutettu/' {ws / PROCESS}"
    script = (
        f"set -e; mount -t tmpfs -o size=4m tmpfs {mnt}; {first}; "
        f"({listing}) | sort > {tmp_path}/before; {spoil}; {edit}; set +e; {again}; "
        f"({listing}) | sort > {tmp_path}/after; "
        f"find {mnt} -name '*.tmp' -o -name '*.old' -o -name '.qms-staging-*' >&2"
    )
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=900
    )
    err = proc.stderr
    assert err.count("rc=2") == len(writers), (proc.returncode, err)
    reason = "No space left on device" if disk == "full" else "Read-only file system"
    assert err.count(reason) >= len(writers) and "Traceback" not in err, err
    before = (tmp_path / "before").read_text()
    assert before.count("\n") > 20 and (tmp_path / "after").read_text() == before
    assert ".tmp" not in err.split("rc=2")[-1] and "staging" not in err.split("rc=2")[-1]
