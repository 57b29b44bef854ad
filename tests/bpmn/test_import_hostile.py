"""BPMN import against hostile and unusual input: encodings, ids, loops, sizes, the file
system, and writes that fail part way (issue 15, item 6)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from qms.bpmn.import_ import BpmnImportError, import_files
from qms.cli import cli
from qms.files import umask
from qms.load import load
from tests.conftest import run_qms

MODEL = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def bpmn(body: str, declaration: str = "") -> str:
    return (
        f'{declaration}<definitions {MODEL}><process id="p" name="P">{body}</process></definitions>'
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.bpmn"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    """The command in a child process, so that a hang fails the test instead of stopping it."""
    return run_qms(*args, timeout=120)


def invoke(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(cli, [*args, "--lang", "en"])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return done.exit_code, done.stdout, done.stderr


# --- encodings -------------------------------------------------------------------------------

NAMES = {
    "Shift_JIS": "品質の確認",
    "EUC-JP": "品質の確認",
    "GB18030": "质量检查 ÄÖ",
    "Big5": "品質檢查",
    "windows-1252": "Käsittely – “laatu”",
    "ISO-8859-15": "Käsittely €",
    "KOI8-R": "Проверка качества",
    "UTF-16": "Käsittely 日本",
    "UTF-32": "Käsittely 日本",
    "UTF-8": "Käsittely 日本",
}


@pytest.mark.parametrize("encoding", sorted(NAMES))
def test_declared_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    name = NAMES[encoding]
    text = bpmn(f'<task id="t" name="{name}"/>', f'<?xml version="1.0" encoding="{encoding}"?>')
    path = tmp_path / "in.bpmn"
    path.write_bytes(text.encode(encoding))
    result = import_files([str(path)], "x")
    (doc,) = (yaml.safe_load(content) for content in result.files.values())
    assert [s["name"] for s in doc["steps"] if s["kind"] == "task"] == [name]


def test_utf16_without_declaration_or_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "in.bpmn"
    path.write_bytes(
        bpmn('<task id="t" name="Ääni"/>', '<?xml version="1.0"?>').encode("utf-16-le")
    )
    result = import_files([str(path)], "x")
    assert "name: Ääni" in next(iter(result.files.values()))


REFUSED_ENCODINGS = {
    "EBCDIC-foo": "names the encoding 'EBCDIC-foo', which is not a known character encoding",
    "rot13": "names the encoding 'rot13', which is not a known character encoding",
    "base64": "names the encoding 'base64', which is not a known character encoding",
    "unicode_escape": "names the encoding 'unicode_escape', which is not a known",
}


@pytest.mark.parametrize("encoding", sorted(REFUSED_ENCODINGS))
def test_unknown_encodings_are_refused(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "in.bpmn"
    text = bpmn('<task id="t" name="T"/>', f'<?xml version="1.0" encoding="{encoding}"?>')
    path.write_bytes(text.encode("ascii"))
    code, out, err = invoke(
        "import", "bpmn", str(path), "-o", str(tmp_path / "o"), "--organisation", "x"
    )
    assert code == 2 and out == ""
    assert REFUSED_ENCODINGS[encoding] in err and "nothing was written" in err
    assert not (tmp_path / "o").exists()


def test_a_byte_invalid_in_the_declared_encoding_is_located(tmp_path: Path) -> None:
    path = tmp_path / "in.bpmn"
    head = '<?xml version="1.0" encoding="Shift_JIS"?>\n'
    path.write_bytes(head.encode() + b'<definitions>\n  <task name="ab\xff\xfe"/>')
    with pytest.raises(BpmnImportError) as refused:
        import_files([str(path)], "x")
    assert refused.value.text["en"] == (
        f"{path}:3:17: the byte 0xff is not valid Shift_JIS, the encoding the file declares; "
        "save the file as UTF-8"
    )
    assert "tavu 0xff ei kelpaa" in refused.value.text["fi"]


# --- ids and loops ---------------------------------------------------------------------------

DUPLICATES = {
    "two-tasks": ('<task id="a" name="A"/><task id="a" name="B"/>', "a"),
    "task-and-flow": (
        '<task id="a" name="A"/><task id="b"/><sequenceFlow id="a" sourceRef="a" targetRef="b"/>',
        "a",
    ),
    "event-and-gateway": ('<startEvent id="g"/><exclusiveGateway id="g"/>', "g"),
    "lane-and-task": (
        '<laneSet id="ls"><lane id="t" name="L"/></laneSet><task id="t" name="T"/>',
        "t",
    ),
}


@pytest.mark.parametrize("case", sorted(DUPLICATES))
def test_duplicate_ids_are_reported(tmp_path: Path, case: str) -> None:
    body, dup = DUPLICATES[case]
    path = write(tmp_path, bpmn(body))
    code, _, err = invoke(
        "import", "bpmn", str(path), "-o", str(tmp_path / "o"), "--organisation", "x"
    )
    assert code == 2
    assert f"the id {dup} is given to more than one element" in err
    assert not (tmp_path / "o").exists()


def test_duplicate_ids_across_processes_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "in.bpmn"
    path.write_text(
        f'<definitions {MODEL}><process id="p"><task id="t" name="A"/></process>'
        '<process id="q"><task id="t" name="B"/></process></definitions>',
        encoding="utf-8",
    )
    with pytest.raises(BpmnImportError) as refused:
        import_files([str(path)], "x")
    assert (
        "the id t is given to more than one element (bpmn:task 'A', bpmn:task 'B')"
        in (refused.value.text["en"])
    )


SELF_LOOPS = {
    "task": ('<task id="a" name="A"/><sequenceFlow id="f" sourceRef="a" targetRef="a"/>', "a"),
    "decision-branch": (
        '<exclusiveGateway id="d" name="OK?"/><task id="b" name="B"/>'
        '<sequenceFlow id="f" name="no" sourceRef="d" targetRef="d"/>'
        '<sequenceFlow id="g" name="yes" sourceRef="d" targetRef="b"/>',
        "okq",
    ),
}


@pytest.mark.parametrize("case", sorted(SELF_LOOPS))
def test_self_loops_are_kept_and_reported(tmp_path: Path, case: str) -> None:
    body, _ = SELF_LOOPS[case]
    path = write(tmp_path, bpmn(body))
    result = import_files([str(path)], "x")
    notes = [n.text["en"] for n in result.notes]
    assert any("straight back to it; it is kept" in n for n in notes), notes
    (content,) = result.files.values()
    steps = yaml.safe_load(content)["steps"]
    assert any(
        s["id"] in (s.get("next") or []) or s["id"] in (s.get("next") or {}).values()
        if isinstance(s.get("next"), dict)
        else s["id"] in (s.get("next") or [])
        for s in steps
    ), steps
    # the file loads, and validate reports the loop as QMS113
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "qms.yaml").write_text("kind: workspace\nname: W\n", encoding="utf-8")
    (ws / "org.yaml").write_text("kind: organisation\nid: x\nname: X\n", encoding="utf-8")
    (ws / "p.yaml").write_text(content, encoding="utf-8")
    code, out, _ = invoke("validate", str(ws))
    assert code in (0, 1) and "QMS001" not in out and "QMS002" not in out, out
    assert "QMS113 warning" in out


def test_a_loop_through_a_join_stays_a_loop_of_two_steps(tmp_path: Path) -> None:
    body = (
        '<task id="a" name="A"/><exclusiveGateway id="j"/>'
        '<sequenceFlow id="f" sourceRef="a" targetRef="j"/>'
        '<sequenceFlow id="g" sourceRef="j" targetRef="a"/>'
    )
    result = import_files([str(write(tmp_path, bpmn(body)))], "x")
    steps = {s["id"]: s for s in yaml.safe_load(next(iter(result.files.values())))["steps"]}
    assert steps["a"]["next"] == ["join"] and steps["join"]["next"] == ["a"], "the join is kept"


def test_many_steps_into_one_long_chain_of_joins(tmp_path: Path) -> None:
    """1,500 tasks flow into one chain of 1,500 joins: following the chain again from every
    task (copying the path each time) took hours; every join is now a step of its own (BPMN
    without loss of meaning, issue 19), made in one pass."""
    n = 1500
    parts = ['<endEvent id="e" name="E"/>']
    parts += [f'<task id="t{i}" name="T{i}"/>' for i in range(n)]
    parts += [f'<exclusiveGateway id="j{i}"/>' for i in range(n)]
    parts += [f'<sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="j0"/>' for i in range(n)]
    parts += [
        f'<sequenceFlow id="g{i}" sourceRef="j{i}" targetRef="j{i + 1}"/>' for i in range(n - 1)
    ]
    parts.append(f'<sequenceFlow id="last" sourceRef="j{n - 1}" targetRef="e"/>')
    path = tmp_path / "chain.bpmn"
    path.write_text(bpmn("".join(parts)), encoding="utf-8")
    code, _, err = run(
        "import", "bpmn", str(path), "-o", str(tmp_path / "o"), "--organisation", "x"
    )
    assert code == 0, err
    steps = yaml.safe_load((tmp_path / "o" / "p.yaml").read_text(encoding="utf-8"))["steps"]
    assert len(steps) == 2 * n + 2, "tasks, joins, the end and the start BPMN leaves implicit"
    assert all(s["next"] == ["join"] for s in steps if s["kind"] == "task")


# --- sizes and the file system -----------------------------------------------------------------


def test_an_import_that_the_loader_would_refuse_for_size_writes_nothing(tmp_path: Path) -> None:
    tasks = "".join(f'<task id="t{i}" name="{"x" * 2000} {i}"/>' for i in range(2500))
    path = tmp_path / "big.bpmn"
    path.write_text(bpmn(tasks), encoding="utf-8")
    code, _, err = invoke(
        "import", "bpmn", str(path), "-o", str(tmp_path / "o"), "--organisation", "x"
    )
    assert code == 2
    assert "more than the limit of 4194304" in err and "nothing was written" in err
    assert not (tmp_path / "o").exists()


def test_imported_files_load_and_are_readable_by_others(tmp_path: Path) -> None:
    path = write(tmp_path, bpmn('<task id="t" name="T"/>'))
    out = tmp_path / "ws" / "p"
    code, _, err = invoke("import", "bpmn", str(path), "-o", str(out), "--organisation", "x")
    assert code == 0, err
    mode = stat.S_IMODE((out / "p.yaml").stat().st_mode)
    assert mode == 0o666 & ~umask()
    if umask() == 0o022:
        assert mode == 0o644
    (tmp_path / "ws" / "qms.yaml").write_text("kind: workspace\nname: W\n", encoding="utf-8")
    (tmp_path / "ws" / "o.yaml").write_text(
        "kind: organisation\nid: x\nname: X\n", encoding="utf-8"
    )
    loaded = load(tmp_path / "ws")
    assert loaded.workspace is not None and [p.id for p in loaded.workspace.processes] == ["p"]


@pytest.mark.parametrize("what", ["fifo", "dev-zero", "folder", "symlink-loop", "dangling"])
def test_inputs_that_are_not_files_are_refused_without_hanging(tmp_path: Path, what: str) -> None:
    path = tmp_path / "in.bpmn"
    if what == "fifo":
        os.mkfifo(path)
    elif what == "dev-zero":
        path = Path("/dev/zero")
    elif what == "folder":
        path.mkdir()
    elif what == "symlink-loop":
        path.symlink_to(tmp_path / "other.bpmn")
        (tmp_path / "other.bpmn").symlink_to(path)
    else:
        path.symlink_to(tmp_path / "missing.bpmn")
    code, out, err = run(
        "import", "bpmn", str(path), "-o", str(tmp_path / "o"), "--organisation", "x"
    )
    assert code == 2 and out == ""
    assert "Traceback" not in err
    assert (f"qms: {path}: " in err and "nothing was written" in err) or "Invalid value" in err
    assert not (tmp_path / "o").exists()


def _two_processes(tmp_path: Path) -> list[str]:
    paths = []
    for pid in ("a", "b"):
        path = tmp_path / f"{pid}.bpmn"
        path.write_text(
            f'<definitions {MODEL}><process id="{pid}" name="{pid}"><task id="t" name="New"/>'
            "</process></definitions>",
            encoding="utf-8",
        )
        paths.append(str(path))
    return paths


def test_a_folder_where_a_file_goes_is_refused_before_anything_is_replaced(
    tmp_path: Path,
) -> None:
    """It used to fail part-way (a.yaml replaced, then b.yaml not, and a.yaml put back);
    now nothing is touched. A failure part-way is tests/test_file_system.py's."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "a.yaml").write_text("old a\n", encoding="utf-8")
    (out / "b.yaml").mkdir()  # a folder where the import writes the file b.yaml
    (out / "b.yaml" / "keep").write_text("", encoding="utf-8")
    code, out_text, err = invoke(
        "import",
        "bpmn",
        *_two_processes(tmp_path),
        "-o",
        str(out),
        "--organisation",
        "x",
        "--force",
    )
    assert code == 2 and out_text == ""
    assert f"{out / 'b.yaml'} is a folder where qms writes a file" in err
    assert "nothing written" in err
    assert (out / "a.yaml").read_text(encoding="utf-8") == "old a\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.yaml", "b.yaml"], "no staged files left"


def test_output_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "o").write_text("mine\n", encoding="utf-8")
    code, _, err = invoke(
        "import",
        "bpmn",
        *_two_processes(tmp_path),
        "-o",
        str(tmp_path / "o"),
        "--organisation",
        "x",
    )
    assert code == 2 and "is a file" in err
    assert (tmp_path / "o").read_text(encoding="utf-8") == "mine\n"


def test_a_symlink_in_the_output_folder_is_replaced_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("not yours\n", encoding="utf-8")
    out = tmp_path / "o"
    out.mkdir()
    (out / "a.yaml").symlink_to(outside)
    code, _, err = invoke(
        "import",
        "bpmn",
        *_two_processes(tmp_path),
        "-o",
        str(out),
        "--organisation",
        "x",
        "--force",
    )
    assert code == 0, err
    assert outside.read_text(encoding="utf-8") == "not yours\n"
    assert not (out / "a.yaml").is_symlink() and "kind: process" in (out / "a.yaml").read_text()


CAN_MOUNT = shutil.which("unshare") is not None and (
    subprocess.run(
        ["unshare", "-m", "--map-root-user", "true"], capture_output=True, check=False
    ).returncode
    == 0
    or subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False).returncode == 0
)


@pytest.mark.skipif(not CAN_MOUNT, reason="cannot make a mount namespace to mount a small tmpfs")
def test_a_full_disk_leaves_the_old_files(tmp_path: Path) -> None:
    """A real full disk: a 64 KiB tmpfs in a private mount namespace."""
    disk = tmp_path / "disk"
    disk.mkdir()
    tasks = "".join(f'<task id="t{i}" name="{"Tehtävä " * 10}{i}"/>' for i in range(400))
    paths = []
    for pid in ("a", "b"):
        path = tmp_path / f"{pid}.bpmn"
        text = bpmn(tasks).replace('id="p" name="P"', f'id="{pid}" name="{pid}"')
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    script = (
        f"mount -t tmpfs -o size=64k tmpfs {disk} && mkdir {disk}/o && "
        f"echo old > {disk}/o/a.yaml && "
        f"{sys.executable} -m qms import bpmn {' '.join(paths)} -o {disk}/o "
        f"--organisation x --force --lang en; echo rc=$?; ls -A {disk}/o; cat {disk}/o/a.yaml"
    )
    for prefix in (["unshare", "-m"], ["unshare", "-m", "--map-root-user"]):
        proc = subprocess.run(
            [*prefix, "sh", "-c", script], capture_output=True, text=True, timeout=120, check=False
        )
        if "rc=" in proc.stdout:
            break
    assert "rc=2" in proc.stdout, proc.stdout + proc.stderr
    assert "No space left on device" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout.split("rc=2\n", 1)[1] == "a.yaml\nold\n"
