"""`qms export` as a user calls it: formats, organisations, refusal to overwrite, exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from click.testing import CliRunner

from qms.cli import cli
from tests.conftest import requires_dot


def test_html_portal_then_unchanged_then_refusal(small: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "site"
    args = ["export", str(small), "--format", "html", "-o", str(out)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert (out / "index.html").is_file() and (out / "opisto" / "palaute.html").is_file()
    again = runner.invoke(cli, [*args, "--lang", "en"])
    assert again.exit_code == 2  # English pages would replace the Finnish ones
    assert "--force" in again.output
    assert "Palaute" in (out / "opisto" / "palaute.html").read_text(encoding="utf-8")
    forced = runner.invoke(cli, [*args, "--lang", "en", "--force"])
    assert forced.exit_code == 0
    assert "Process flow" in (out / "opisto" / "palaute.html").read_text(encoding="utf-8")
    same = runner.invoke(cli, [*args, "--lang", "en"])
    assert same.exit_code == 0 and "0 files written" in same.output


def test_docx_one_file_and_per_organisation(small: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    one = tmp_path / "opisto.docx"
    result = runner.invoke(
        cli, ["export", str(small), "--format", "docx", "--organisation", "OPI", "-o", str(one)]
    )
    assert result.exit_code == 0, result.output
    assert docx.Document(io.BytesIO(one.read_bytes())).tables
    folder = tmp_path / "docx"
    result = runner.invoke(cli, ["export", str(small), "--format", "docx", "-o", str(folder)])
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["muu.docx", "opisto.docx"]


def test_markdown(small: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", str(small), "--format", "md", "-o", str(tmp_path / "wiki")]
    )
    assert result.exit_code == 0
    assert (tmp_path / "wiki" / "opisto" / "palaute.md").is_file()


def test_bad_usage_exits_2(small: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(
        cli, ["export", str(small), "--format", "html", "--organisation", "x", "-o", str(tmp_path)]
    )
    assert unknown.exit_code == 2 and "'x'" in unknown.output and "opisto" in unknown.output
    many = runner.invoke(
        cli, ["export", str(small), "--format", "docx", "-o", str(tmp_path / "a.docx")]
    )
    assert many.exit_code == 2 and "--organisation" in many.output
    fmt = runner.invoke(cli, ["export", str(small), "--format", "odt", "-o", str(tmp_path)])
    assert fmt.exit_code == 2
    missing = runner.invoke(
        cli, ["export", str(tmp_path / "nothing"), "--format", "html", "-o", str(tmp_path / "o")]
    )
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output


@requires_dot
def test_build_publishes_the_portal_and_docx(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(small), "-o", str(out), "--keep-going"])
    assert result.exit_code == 1, result.output  # the model has errors: written, still failing
    assert (out / "opisto" / "palaute.svg").is_file()  # the diagrams, as before
    assert (out / "site" / "opisto" / "palaute.html").is_file()
    assert (out / "opisto.docx").is_file() and (out / "muu.docx").is_file()
    last = result.stderr.splitlines()[-1]
    portal = (out / "site" / "index.html").resolve().as_uri()
    assert last.startswith("Published: the portal file://") or last.startswith("Julkaistu: ")
    assert portal in last and "muu.docx" in last and "opisto.docx" in last
    again = CliRunner().invoke(cli, ["build", str(small), "-o", str(out), "--keep-going"])
    assert again.exit_code == 1 and "--force" not in again.stderr  # own outputs are replaced


def test_reference_docx(small: Path, tmp_path: Path) -> None:
    """--reference-docx takes an organisation's template; a file that is not one is refused
    with the reason, never a traceback."""
    runner = CliRunner()
    template = docx.Document()
    template.styles["Normal"].font.name = "Liberation Serif"
    reference = tmp_path / "pohja.docx"
    template.save(str(reference))
    out = tmp_path / "opisto.docx"
    base = ["export", str(small), "--organisation", "OPI", "-o", str(out)]
    result = runner.invoke(cli, [*base, "--format", "docx", "--reference-docx", str(reference)])
    assert result.exit_code == 0, result.output
    assert docx.Document(str(out)).styles["Normal"].font.name == "Liberation Serif"
    bad = tmp_path / "pohja.txt"
    bad.write_text("not a document", encoding="utf-8")
    for path, why in ((bad, "BadZipFile"), (tmp_path / "missing.docx", "No such file")):
        refused = runner.invoke(
            cli, [*base, "--format", "docx", "--force", "--reference-docx", str(path)]
        )
        assert refused.exit_code == 2 and isinstance(refused.exception, SystemExit)
        assert f"--reference-docx {path}: ei Word-asiakirja" in refused.output  # workspace: fi
        assert why in refused.output and "Traceback" not in refused.output
    html = runner.invoke(
        cli, [*base, "--format", "html", "--reference-docx", str(reference), "-o", str(tmp_path)]
    )
    assert html.exit_code == 2 and "docx kanssa (--format docx)" in html.output
