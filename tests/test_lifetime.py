"""A command's model is left to the end of its process only in the `qms` script's process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import weakref
from pathlib import Path

from qms.lifetime import keep_until_exit


class _Model:
    """Something a command might keep."""


def test_a_process_that_goes_on_keeps_nothing() -> None:
    model = _Model()
    gone = weakref.ref(model)
    assert keep_until_exit(model) is False
    del model
    assert gone() is None, "a test or a server must free the model"


def test_the_qms_scripts_process_keeps_the_model_until_it_ends() -> None:
    code = (
        "import weakref\n"
        "from qms.lifetime import ends_with_command, keep_until_exit\n"
        "class M: pass\n"
        "m = M(); ref = weakref.ref(m)\n"
        "ends_with_command()\n"
        "assert keep_until_exit(m) is True\n"
        "del m\n"
        "print(ref() is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_the_qms_script_says_its_process_ends_with_the_command() -> None:
    code = (
        "import sys, qms.cli, qms.lifetime\n"
        "sys.argv = ['qms', '--version']\n"
        "try:\n    qms.cli.main()\nexcept SystemExit:\n    pass\n"
        "print(qms.lifetime._KEPT is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("True")


_SCRIPT = (
    "import sys\n"
    "import qms.cli\n"
    "class Model:\n"
    "    def __del__(self):\n"
    "        sys.stderr.write('freed\\n')\n"
    "model = Model()\n"
    "sys.argv = ['qms', *sys.argv[1:]]\n"
    "qms.cli.main()\n"
)


def test_the_qms_scripts_process_ends_without_freeing_what_it_holds(tmp_path: Path) -> None:
    """Once its command has finished, the `qms` script's process leaves without the
    interpreter's teardown (nothing is freed object by object), with the command's exit status
    and everything it printed, through a pipe too; a run that is not the script's frees."""
    lamppu = Path(__file__).parent.parent / "models" / "lamppu"
    env = {**os.environ, "QMS_CACHE_DIR": str(tmp_path / "cache"), "QMS_LANG": "en"}
    plain = subprocess.run(
        [sys.executable, "-c", _SCRIPT.replace("qms.cli.main()", "del sys.argv[1:]")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "freed" in plain.stderr, "the check itself: an ordinary end frees the object"
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, "validate", str(lamppu), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "freed" not in done.stderr
    assert json.loads(done.stdout)["findings"] is not None  # all of it, through the pipe
    missing = subprocess.run(
        [sys.executable, "-c", _SCRIPT, "validate", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert (missing.returncode, "freed" in missing.stderr) == (2, False)
    assert "does not exist" in missing.stderr


def test_an_exit_status_is_taken_as_python_takes_it() -> None:
    from qms import lifetime

    statuses = []
    for code in (None, 0, 1, 2, "a message"):
        lifetime.finished(code)
        statuses.append(lifetime._STATUS)
    lifetime._STATUS = None
    assert statuses == [0, 0, 1, 2, 1]
