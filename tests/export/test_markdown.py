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


LAMPPU = Path(__file__).resolve().parents[2] / "models" / "lamppu"


def test_manual_chapters_of_the_other_formats_are_in_markdown_too() -> None:
    """Roles, the document register, metric trends and the self-assessment: what the portal
    and the Word manual hold, on pages of their own, each with the example-content notice,
    example roles and ratings marked, and every link and chart resolving to a written file."""
    out = files(LAMPPU)
    index = str(out["redu/index.md"])
    for page in ("_roles.md", "_documents.md", "_assessment.md"):
        assert f"]({page})" in index
        text = str(out[f"redu/{page}"])
        assert text.count("Tämä kuvaus sisältää esimerkkisisältöä") == 1, page
    roles = str(out["redu/_roles.md"])
    assert "| Talousjohtaja (esimerkki) |" in roles and "omistaja, 6 vaihetta" in roles
    assert "1 vaihe |" in roles and "1 vaihetta" not in roles  # CLDR plurals
    assert "## LAMPPU-hankkeen koordinaattori\n" in roles  # named in the reports: not marked
    register = str(out["redu/_documents.md"])
    assert "| Verkostotapaamisten muistiot |" in register
    assessment = str(out["redu/_assessment.md"])
    assert "Tämä itsearviointi on esimerkkisisältöä" in assessment
    assert re.search(r"\| J1\.2 [^|]+ \| 2 Alkava \|", assessment)  # sourced: no star
    assert re.search(r"\| J1\.1 [^|]+ \| 3 Kehittyvä\\\* \|", assessment)  # example rating
    assert "](charts/arvio-itsearviointi-syksy-2012.svg)" in assessment
    assert b"<svg" in bytes(out["redu/charts/arvio-itsearviointi-syksy-2012.svg"])  # type: ignore[arg-type]
    metrics = str(out["redu/_metrics.md"])
    assert "## Kehitys" in metrics and "](charts/trend-verkostotapaamiset.svg)" in metrics
    for name, text in out.items():
        if isinstance(text, str):
            for link in re.findall(r"\]\(([^)]+)\)", text):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
                assert target in out, (name, link)


def test_every_page_of_an_organisation_carries_its_notice() -> None:
    """The portal's banner is on every page: so is the Markdown's quoted notice (a wiki page
    is often read alone, reached from a search)."""
    out = files(LAMPPU)
    pages = [n for n in out if n.startswith("redu/") and n.endswith(".md")]
    assert len(pages) >= 10
    for name in pages:
        assert "> **Tämä kuvaus sisältää esimerkkisisältöä" in str(out[name]), name
