"""Releases: one version (qms/__init__.py) that `qms --version`, the CHANGELOG, the pre-commit
`rev:` in the docs and the git tag agree on; the wheel, built and installed into a clean
virtual environment, builds the example it carries; the pre-commit hook works from a clone.

The wheel and pre-commit tests build and install for real (pip, hatchling, pre-commit), so
they take a minute or two; they need the package index that `make test` uses anyway.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms import __version__
from qms.cli import cli
from tests.conftest import LAMPPU, ROOT, requires_dot

CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
RELEASES = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", CHANGELOG, re.M)
TAG = f"v{__version__}"


def git(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_version_is_in_one_place_and_the_changelog_names_it() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    out = CliRunner().invoke(cli, ["--version"]).output
    assert out == f"qms, version {__version__}\n"
    assert CHANGELOG.startswith("# Changelog\n") and "\n## [Unreleased]\n" in CHANGELOG
    assert RELEASES and RELEASES[0][0] == __version__, "the newest release is this version"
    assert dt.date.fromisoformat(RELEASES[0][1]) <= dt.date.today()
    assert f"[{__version__}]: " in CHANGELOG
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and 'path = "qms/__init__.py"' in pyproject


def test_the_documented_pre_commit_rev_is_this_release() -> None:
    doc = (ROOT / "docs" / "pre-commit.md").read_text(encoding="utf-8")
    revs = set(re.findall(r"^\s*rev: (\S+)", doc, re.M))
    assert revs == {TAG}


def test_the_release_tag_exists_and_names_this_version() -> None:
    """The tag itself. A clone made without tags (CI's may be) cannot show it: the test then
    skips and says so, rather than pass on a tag it did not see."""
    if not (ROOT / ".git").exists() or git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout: the release tag cannot be checked here")
    tags = git("tag", "--list", "v*").stdout.split()
    if not tags:
        pytest.skip(f"this clone has no tags (`git tag` is empty): {TAG} cannot be checked here")
    assert TAG in tags, f"the tags are {tags}, but qms/__init__.py says {__version__}"
    at_tag = git("show", f"{TAG}:qms/__init__.py").stdout
    assert f'__version__ = "{__version__}"' in at_tag
    assert git("cat-file", "-t", TAG).stdout.strip() == "tag", f"{TAG} is an annotated tag"


def _python(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / "python"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel of this checkout, built by `python -m build` (the sdist first, then
    the wheel from the sdist, as a release does), with the hatchling of the dev environment
    (`--no-isolation`: no second download of the build backend)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        cwd=out,  # not the checkout: its build/ folder (make run's output) would shadow `build`
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_sdist_and_wheel_carry_the_example(dist: Path) -> None:
    import tarfile
    import zipfile

    (wheel,) = dist.glob(f"qms-{__version__}-py3-none-any.whl")
    (sdist,) = dist.glob(f"qms-{__version__}.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"qms/examples/lamppu/{p.relative_to(LAMPPU).as_posix()}" for p in LAMPPU.rglob("*.yaml")
    }
    assert expected <= names
    assert not {n for n in names if n.startswith(("models/", "tests/"))}
    with tarfile.open(sdist) as tar:
        inside = set(tar.getnames())
    assert f"qms-{__version__}/models/lamppu/qms.yaml" in inside
    assert f"qms-{__version__}/CHANGELOG.md" in inside


@requires_dot
def test_wheel_in_a_clean_venv_builds_the_example(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    python = _python(env)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    qms = python.parent / "qms"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QMS_LANG")}
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(qms), *args], cwd=work, capture_output=True, text=True, env=clean, timeout=600
        )

    version = run("--version")
    assert version.stdout == f"qms, version {__version__}\n"
    # the installed package, not this checkout, is what runs
    where = subprocess.run(
        [str(python), "-c", "import qms; print(qms.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        env=clean,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(env), where
    made = run("init", "--example", "lamppu", "lamppu")
    assert made.returncode == 0, made.stderr
    copied = sorted(p.relative_to(work / "lamppu") for p in (work / "lamppu").rglob("*.yaml"))
    assert copied == sorted(p.relative_to(LAMPPU) for p in LAMPPU.rglob("*.yaml"))
    built = run("build", "lamppu", "--lang", "en", "--format", "svg")
    assert built.returncode == 0, built.stderr[-3000:]
    last = built.stderr.splitlines()[-1]
    assert last.startswith("Published: the portal file://") and "redu.docx" in last
    assert (work / "build" / "lamppu" / "site" / "index.html").is_file()
    assert (work / "diagrams" / "lamppu" / "redu" / "talous.svg").is_file()


PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")


def _hook_repo(tmp_path: Path, runner: CliRunner) -> Path:
    """A git repository whose root is a qms workspace, as the hook expects (`qms validate`
    of the current folder)."""
    repo = tmp_path / "models-repo"
    assert runner.invoke(cli, ["init", str(repo), "--lang", "en"]).exit_code == 0
    for args in (("init", "-q"), ("add", "-A")):
        assert git(*args, cwd=repo).returncode == 0
    return repo


def _try_repo(repo: Path, rev: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("QMS_LANG", None)
    return subprocess.run(
        [
            PRE_COMMIT,
            "try-repo",
            str(ROOT),
            "qms-validate",
            "--ref",
            rev,
            "--all-files",
            "--color",
            "never",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )


def test_pre_commit_hook_accepts_a_clean_model_and_refuses_a_broken_one(
    tmp_path: Path, runner: CliRunner
) -> None:
    """`pre-commit try-repo` with this checkout, at the release tag when the clone has it,
    else at its HEAD commit (the test says which in its output); the hook's environment is
    installed once and used for both runs."""
    if git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout: pre-commit needs a repository to clone")
    tagged = TAG in git("tag", "--list", TAG).stdout.split()
    rev = TAG if tagged else git("rev-parse", "HEAD").stdout.strip()
    print(f"pre-commit try-repo at {TAG if tagged else rev + ' (HEAD: no release tag here)'}")
    repo = _hook_repo(tmp_path, runner)
    home = tmp_path / "pre-commit-home"
    clean = _try_repo(repo, rev, home)
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-3000:]
    assert "qms validate" in clean.stdout and "Passed" in clean.stdout
    process = next((repo / "organisations").rglob("processes/*.yaml"))
    process.write_text(
        process.read_text("utf-8").replace("realizes: [G1]", "realizes: [G9]"), "utf-8"
    )
    assert git("add", "-A", cwd=repo).returncode == 0
    broken = _try_repo(repo, rev, home)
    assert broken.returncode == 1, broken.stdout[-3000:]
    assert "Failed" in broken.stdout and "QMS004" in broken.stdout and "'G9'" in broken.stdout
