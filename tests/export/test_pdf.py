"""The PDF manual read back: page count and text, Finnish letters included."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from qms.export.manual import Diagrams, build_manual
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


@requires_weasyprint
@requires_dot
def test_pdf_pages_and_text(small: Path, tmp_path: Path) -> None:
    loaded = load(str(small))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "opisto", "fi", result=lint(loaded))
    data = to_pdf(m, Diagrams(loaded.workspace, "fi"))
    assert data.startswith(b"%PDF-")
    target = tmp_path / "opisto.pdf"
    target.write_bytes(data)
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
