"""The Markdown export for wikis: an index, one file per process, diagrams as SVG files."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from qms.export.manual import Diagrams, build_manuals
from qms.export.markdown import markdown_files, md
from qms.lint import lint
from qms.load import load
from tests.conftest import requires_dot


def files(root: Path) -> dict[str, str | bytes]:
    loaded = load(str(root))
    assert loaded.workspace is not None
    manuals = build_manuals(loaded.workspace, None, "fi", lint(loaded))
    return markdown_files(manuals, Diagrams(loaded.workspace, "fi"))


def test_escaping() -> None:
    assert md("<script>alert(1)</script> &amp; a|b") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; a\\|b"
    )
    assert md("*bold* [x](y)\nline") == "\\*bold\\* \\[x\\](y) line"


def test_files_and_links(small: Path) -> None:
    out = files(small)
    assert {"index.md", "opisto/index.md", "opisto/palaute.md", "opisto/_plan.md"} <= set(out)
    page = out["opisto/palaute.md"]
    assert isinstance(page, str)
    assert page.startswith('# Palaute "&lt;b&gt;" &amp; &lt;script&gt;alert(1)&lt;/script&gt;')
    assert "| Toimittajat | Syötteet | Prosessi | Tuotokset | Asiakkaat |" in page
    for name, text in out.items():
        if isinstance(text, str):
            for link in re.findall(r"\]\(([^)]+)\)", text):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
                assert target in out, (name, link)


@requires_dot
def test_diagrams_referenced_as_svg(small: Path) -> None:
    out = files(small)
    assert "](diagrams/palaute.svg)" in str(out["opisto/palaute.md"])
    svg = out["opisto/diagrams/palaute.svg"]
    assert isinstance(svg, bytes) and b"<svg" in svg
