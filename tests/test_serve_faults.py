"""`qms serve` never stops watching (issue 15, item 5): a rebuild that raises shows the overlay
and the next save is rebuilt; running out of file descriptors does not flood the log; a port
out of range is a usage error."""

from __future__ import annotations

import errno
import logging
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.serve import Site, _Throttle
from tests.conftest import requires_dot
from tests.test_serve import PROCESS, free_port, served  # noqa: F401 - the fixture

NAME = "Opiskelijapalautteen käsittely"


def _wait(what: str, check: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


def _page_text(site: Site) -> str:
    return b"".join(site.files.values()).decode("utf-8", "replace")


FAILURES = {
    "bug": RuntimeError("simulated failure"),
    "disk": OSError(errno.ENOSPC, "simulated failure"),
    "recursion": RecursionError("simulated failure"),
    "decode": UnicodeDecodeError("utf-8", b"\xff", 0, 1, "simulated failure"),
}


@requires_dot
@pytest.mark.parametrize(
    ("breaks", "failure"),
    [
        ("qms.export.html.portal", "bug"),
        ("qms.load.load", "bug"),
        ("qms.lint.lint", "recursion"),
        ("qms.export.html.portal", "disk"),
        ("qms.load.load", "decode"),
    ],
)
def test_a_failing_rebuild_shows_and_the_next_save_is_seen(
    served: tuple[Path, str, Site],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    breaks: str,
    failure: str,
) -> None:
    """A save that makes the rebuild raise (in the build, in loading, in linting; a bug, a
    full disk, runaway recursion, undecodable bytes), then a save that fixes it: the overlay
    says what failed, and the fix reaches the pages."""
    import importlib

    ws, _, site = served
    module_name, _, function = breaks.rpartition(".")
    module = importlib.import_module(module_name)
    real = getattr(module, function)

    def fragile(*args: object, **kwargs: object) -> object:
        if "RIKKI" in (ws / PROCESS).read_text(encoding="utf-8"):
            raise FAILURES[failure]
        return real(*args, **kwargs)

    monkeypatch.setattr(module, function, fragile)
    process = ws / PROCESS
    original = process.read_text(encoding="utf-8")
    assert NAME in original
    process.write_text(original.replace(NAME, "RIKKI käsittely"), encoding="utf-8")
    _wait(
        "the overlay",
        lambda: any("simulated failure" in e["message"] for e in site.state.errors),
    )
    assert "the rebuild failed" in site.state.errors[0]["message"] or (
        "epäonnistui" in site.state.errors[0]["message"]
    )
    assert "RIKKI" not in _page_text(site), "the last good pages stay"
    process.write_text(original.replace(NAME, "Korjattu käsittely"), encoding="utf-8")
    _wait("the fix", lambda: "Korjattu käsittely" in _page_text(site))
    assert site.state.errors == []
    process.write_text(original.replace(NAME, "Toinen korjaus"), encoding="utf-8")
    _wait("the next save too", lambda: "Toinen korjaus" in _page_text(site))


@requires_dot
@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_the_watch_survives_the_folder_going_away(
    served: tuple[Path, str, Site],  # noqa: F811
    how: str,
) -> None:
    """The workspace folder is moved away and back, or deleted and written again (a sync
    tool, a restore from a copy): the pages follow the files again afterwards."""
    ws, _, site = served
    away = ws.with_name("away")
    process = ws / PROCESS
    original = process.read_text(encoding="utf-8")
    if how == "moved":
        shutil.move(ws, away)
    else:
        shutil.copytree(ws, away)
        shutil.rmtree(ws)
        _wait("a message while it is gone", lambda: bool(site.state.errors))
    time.sleep(1)
    (away / PROCESS).write_text(original.replace(NAME, "Palannut käsittely"), encoding="utf-8")
    shutil.move(away, ws)
    if how == "deleted":
        _wait("the pages of the restored copy", lambda: "Palannut" in _page_text(site))
    time.sleep(1)
    process.write_text(original.replace(NAME, "Taas muokattu"), encoding="utf-8")
    _wait("a save after it came back", lambda: "Taas muokattu" in _page_text(site))
    assert site.state.errors == []


@pytest.mark.parametrize("port", ["99999", "0", "-1", "65536", "http", "8000.5", ""])
def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str) -> None:
    done = CliRunner().invoke(cli, ["serve", str(tmp_path), "--port", port])
    assert done.exit_code == 2
    assert "Invalid value for '--port'" in done.output and "Traceback" not in done.output


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_port_in_use_is_refused_before_the_build(tmp_path: Path, host: str) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        done = CliRunner().invoke(
            cli, ["serve", str(tmp_path), "--port", str(port), "--host", host, "--lang", "en"]
        )
    finally:
        taken.close()
    assert done.exit_code == 2, done.output
    assert f"cannot listen on {host} port {port}: Address already in use" in done.output
    assert "Traceback" not in done.output


def test_the_throttle_keeps_one_record_a_minute() -> None:
    throttle = _Throttle()
    records = [
        logging.LogRecord(
            "asyncio",
            logging.ERROR,
            __file__,
            1,
            "socket.accept() out of system resource",
            None,
            None,
        )
        for _ in range(500)
    ]
    passed = [r for r in records if throttle.filter(r)]
    assert len(passed) == 1
    other = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "another", None, None)
    assert throttle.filter(other)


def _serve_with_few_descriptors(ws: Path, port: int) -> subprocess.Popen[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))

    return subprocess.Popen(
        [sys.executable, "-m", "qms", "serve", str(ws), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )


@requires_dot
def test_running_out_of_descriptors_does_not_flood_the_log(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(ws), "--lang", "fi"]).exit_code == 0
    port = free_port()
    server = _serve_with_few_descriptors(ws, port)
    clients: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(120):  # far more open connections than the server has descriptors
            try:
                clients.append(socket.create_connection(("127.0.0.1", port), timeout=1))
            except OSError:
                break
        time.sleep(5)  # asyncio retries accepting about once a second meanwhile
    finally:
        for client in clients:
            client.close()
        server.terminate()
        _, err = server.communicate(timeout=30)
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    assert len(lines) <= 8, "\n".join(lines[:40])
