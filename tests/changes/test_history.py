"""The change history (muutoshistoria) from git in every manual format, read back."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from html import unescape
from pathlib import Path

from click.testing import CliRunner

from qms.cli import cli
from qms.export.pdf import available
from qms.history import histories_of
from tests.changes.conftest import commit, edit
from tests.conftest import needs, requires_dot

requires_weasyprint = needs(
    available() is None and shutil.which("pdftotext") is not None,
    "WeasyPrint or poppler-utils is missing (make test installs them: "
    "scripts/test-tools/weasyprint.sh)",
)
TALOUS = "organisations/redu/processes/talous.yaml"
SUMMARY = "changed owner; renamed step raami; added step korjaus › next step seuranta"
GIT_NOTE = "The rows are the model file's changes in git version control"


def _two_versions(workspace: Path, make_four_edits: Callable[[Path], None]) -> None:
    make_four_edits(workspace)
    commit(workspace.parent.parent, "Talousprosessin omistaja ja kulku", 1_357_084_800)
    edit(workspace / TALOUS, '\nversion: "0.1"', '\nversion: "0.2"')
    edit(workspace / TALOUS, "Kootaan talousarvioehdotus", "Kootaan talousarvioesitys")
    commit(workspace.parent.parent, "Versio 0.2", 1_357_171_200)  # 2013-01-03


def export(workspace: Path, fmt: str, out: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "export",
            str(workspace),
            "--format",
            fmt,
            "--organisation",
            "redu",
            "--lang",
            "en",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output


def test_history_rows(lamppu_repo: Path, make_four_edits: Callable[[Path], None]) -> None:
    _two_versions(lamppu_repo, make_four_edits)
    rows = histories_of(lamppu_repo)
    assert rows is not None
    talous = rows[TALOUS]
    assert [(r.date.isoformat(), r.version, r.version_kept) for r in talous] == [
        ("2013-01-03", "0.2", False),
        ("2013-01-02", "0.1", True),  # content changed, version did not
        ("2013-01-01", "0.1", False),  # the file was created
    ]
    assert {r.author for r in talous} == {"Laatupaallikko"}  # no e-mail address published
    assert [c.path for c in talous[0].changes] == ["version", "steps[kokoaminen].name"]
    assert [c.op for c in talous[2].changes] == ["added"]
    # The metric set changed once after the import: the removed metric.
    assert next([c.path for c in r.changes] for r in rows["organisations/kao/metrics.yaml"]) == [
        "metrics[bm-tapaamiset]"
    ]


@requires_dot
def test_history_in_html_and_markdown(
    lamppu_repo: Path, make_four_edits: Callable[[Path], None], tmp_path: Path
) -> None:
    _two_versions(lamppu_repo, make_four_edits)
    export(lamppu_repo, "md", tmp_path / "md")
    page = (tmp_path / "md/redu/talous.md").read_text(encoding="utf-8")
    section = page[page.index("## Change history") :]
    assert "| 0.2 | 3 Jan 2013 | Laatupaallikko | changed version; renamed " in section
    assert (
        "| 0.1 (version unchanged) | 2 Jan 2013 | Laatupaallikko | changed owner; renamed "
        "step raami; added step korjaus › next step seuranta |" in section
    )
    assert "| 0.1 | 1 Jan 2013 | Laatupaallikko | created |" in section
    # The dates are the commits', which the reader must not take for the approval's.
    assert section.startswith(f"## Change history\n\n_{GIT_NOTE}")
    plan = (tmp_path / "md/redu/_plan.md").read_text(encoding="utf-8")
    assert "### Change history" in plan and "| 1 Jan 2013 | Laatupaallikko | created |" in plan

    export(lamppu_repo, "html", tmp_path / "html")
    html = (tmp_path / "html/redu/talous.html").read_text(encoding="utf-8")
    table = html[html.index('<table class="data history">') :]
    table = table[: table.index("</table>")]
    before = unescape(html[: html.index('<table class="data history">')])
    assert f'<p class="note">{GIT_NOTE}' in before
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert cells[1:3] == ["3 Jan 2013", "Laatupaallikko"]
    assert "version unchanged" in cells[4] and cells[5] == "2 Jan 2013"
    assert SUMMARY in cells[7]


@requires_dot
def test_history_in_docx(
    lamppu_repo: Path, make_four_edits: Callable[[Path], None], tmp_path: Path
) -> None:
    import docx

    _two_versions(lamppu_repo, make_four_edits)
    export(lamppu_repo, "docx", tmp_path / "redu.docx")
    document = docx.Document(io.BytesIO((tmp_path / "redu.docx").read_bytes()))
    tables = [
        [[cell.text for cell in row.cells] for row in t.rows]
        for t in document.tables
        if t.rows[0].cells[0].text == "Version" and t.rows[0].cells[3].text == "Changes"
    ]
    talous = next(t for t in tables if any(SUMMARY in row[3] for row in t))
    assert sum(p.text.startswith(GIT_NOTE) for p in document.paragraphs) == len(tables)
    assert talous[1][:3] == ["0.2", "3 Jan 2013", "Laatupaallikko"]
    assert talous[2] == ["0.1 (version unchanged)", "2 Jan 2013", "Laatupaallikko", SUMMARY]
    assert talous[3] == ["0.1", "1 Jan 2013", "Laatupaallikko", "created"]


@requires_dot
@requires_weasyprint
def test_history_in_pdf(
    lamppu_repo: Path, make_four_edits: Callable[[Path], None], tmp_path: Path
) -> None:
    _two_versions(lamppu_repo, make_four_edits)
    export(lamppu_repo, "pdf", tmp_path / "redu.pdf")
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "redu.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext reads a narrow table cell by cell, with the words hyphenated across lines.
    flat = " ".join(text.split()).replace("\u2010 ", "")
    sections = flat.split("Change history")[1:]
    assert len(sections) >= 2, "a history on every process page and plan"
    talous = next(s[:700] for s in sections if "changed owner" in s[:700])
    for said in ("0.2", "3 Jan", "2 Jan", "Laatupaal", "version unchanged", "created"):
        assert said in talous, (said, talous)
    assert "@" not in talous  # no e-mail address is published


@requires_dot
def test_no_git_is_said(tmp_path: Path, lamppu_repo: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(lamppu_repo, plain)
    export(plain, "md", tmp_path / "md")
    page = (tmp_path / "md/redu/talous.md").read_text(encoding="utf-8")
    assert (
        "## Change history\n\n_No change history: the workspace is not under git version " in page
    )
