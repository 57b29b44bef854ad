"""The PDF manual read back: page count and text, Finnish letters included."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

from qms.export.manual import Diagrams, Manual, build_manual
from qms.export.pdf import available, to_pdf
from qms.lint import lint
from qms.load import load
from tests.conftest import needs, requires_dot
from tests.export.conftest import EVIL

requires_weasyprint = needs(
    available() is None and shutil.which("pdftotext") is not None,
    "WeasyPrint or poppler-utils is missing (make test installs them: "
    "scripts/test-tools/weasyprint.sh)",
)


def _manual_pdf(small: Path, target: Path) -> Manual:
    """The small workspace's manual written as PDF to `target`; its content model."""
    loaded = load(str(small))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "opisto", "fi", result=lint(loaded))
    data = to_pdf(m, Diagrams(loaded.workspace, "fi"))
    assert data.startswith(b"%PDF-")
    target.write_bytes(data)
    return m


@requires_weasyprint
@requires_dot
def test_pdf_pages_and_text(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "opisto.pdf"
    _manual_pdf(small, target)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    # title page + process map + one chapter per process + plan, metrics, coverage, findings
    assert pages >= 8
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert EVIL in text  # shown as written, not interpreted
    for words in ("TOIMINTAJÄRJESTELMÄKUVAUS", "Laatupäällikkö", "Kyselyn uudistus", "myöhässä"):
        assert words in text
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True).stdout
    assert "DejaVu" in fonts


@requires_weasyprint
@requires_dot
def test_pdf_flows_on_landscape_pages(small: Path, tmp_path: Path) -> None:
    """Each flow gets one landscape A4 page (`@page flow`): it fits, never spills over."""
    target = tmp_path / "opisto.pdf"
    m = _manual_pdf(small, target)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(target)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [
        line.split("size:")[1].split()[:3:2]
        for line in info.splitlines()
        if line.startswith("Page") and " size:" in line
    ]
    landscape = [float(w) > float(h) for w, h in sizes]
    assert sum(landscape) == len(m.processes) == 2
    assert not landscape[0] and not landscape[-1]
    for w, h in sizes:
        assert sorted((round(float(w)), round(float(h)))) == [595, 842], "A4"
    # The page after a flow's page is portrait again: the chapter goes on (steps, review).
    assert all(not b for a, b in itertools.pairwise(landscape) if a)
