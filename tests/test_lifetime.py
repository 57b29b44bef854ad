"""A command's model is left to the end of its process only in the `qms` script's process."""

from __future__ import annotations

import subprocess
import sys
import weakref

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
