"""The HTML portal as files: escaping, relative links that resolve, lay-reader mode, print CSS."""

from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qms.export.html import inline_svg, portal
from qms.export.manual import Diagrams, build_manuals
from qms.lint import lint
from qms.load import load
from tests.conftest import requires_dot
from tests.export.conftest import EVIL, EVIL_PROCESS


def site(root: Path, organisations: list[str] | None = None, lang: str = "fi") -> dict[str, str]:
    loaded = load(str(root))
    assert loaded.workspace is not None
    manuals = build_manuals(loaded.workspace, organisations, lang, lint(loaded))
    return portal(manuals, Diagrams(loaded.workspace, lang))


class Page(HTMLParser):
    """Collects links, the <h1> text and every text node of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.h1 = ""
        self.texts: list[str] = []
        self.scripts = 0
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag == "h1":
            self._in_h1 = True
        for name, value in attrs:
            if name in ("href", "src", "xlink:href") and value:
                self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._in_h1:
            self.h1 += data


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def test_every_user_text_is_escaped(small: Path) -> None:
    files = site(small)
    for name, text in files.items():
        if name.endswith(".html") and name != "search.html":
            assert "<script" not in text, name
            assert parse(text).scripts == 0
    # The search page's scripts are the portal's own files; model texts are only in the
    # index, as JSON strings.
    assert re.findall(r'<script src="([^"]*)"', files["search.html"]) == [
        "minisearch.js",
        "search-index.js",
        "search.js",
    ]
    index = json.loads(files["search-index.js"].removeprefix("window.QMS_SEARCH = ").rstrip(";\n"))
    assert EVIL_PROCESS in {d["title"] for d in index["docs"]}
    front = files["opisto/index.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; Oy" in front
    assert parse(front).h1.strip() == EVIL
    page = parse(files["opisto/palaute.html"])
    assert page.h1.split("\n")[0].strip().startswith(EVIL_PROCESS)
    findings = parse(files["opisto/_findings.html"])
    assert "Mitataan tilinpäätöksessä <i>vuosittain</i>" in findings.texts


def test_links_are_relative_and_resolve(small: Path) -> None:
    files = site(small)
    assert {"index.html", "qms.css", "opisto/index.html", "opisto/palaute.html"} <= set(files)
    for name, text in files.items():
        if not name.endswith(".html"):
            continue
        for link in parse(text).links:
            assert "://" not in link and not link.startswith("/"), (name, link)
            if link.startswith("#"):
                assert f'id="{link[1:]}"' in text, (name, link)
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
            assert target.split("#")[0] in files, (name, link)
            if "#" in link:
                assert f'id="{link.split("#")[1]}"' in files[target.split("#")[0]], (name, link)


def test_one_organisation_alone_has_no_dangling_links(small: Path) -> None:
    files = site(small, ["opisto"])
    assert "muu/index.html" not in files
    assert "../muu/kirjasto.html" not in files["opisto/palaute.html"]
    assert "Kirjasto" in files["opisto/palaute.html"]  # the party is still named


@requires_dot
def test_diagrams_are_inline_and_link_to_pages(small: Path) -> None:
    files = site(small)
    front = files["opisto/index.html"]
    assert '<svg class="diagram"' in front
    assert 'xlink:href="palaute.html"' in front and 'xlink:href="talous.html"' in front
    flow = files["opisto/palaute.html"]
    assert 'class="diagram natural"' in flow
    assert 'xlink:href="talous.html"' in flow  # the subprocess step drills down
    assert '.svg"' not in flow


def test_inline_svg_drops_links_to_pages_outside_the_portal() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<svg width="10pt" height="5pt" viewBox="0 0 10 5">'
        b'<a xlink:href="a.svg"><text>A</text></a><a xlink:href="../x/b.svg"></a></svg>'
    )
    out = str(inline_svg(svg, "o", {("o", "a")}))
    assert out.startswith('<svg class="diagram" viewBox')
    assert 'xlink:href="a.html"' in out and "b.svg" not in out and "b.html" not in out
    assert inline_svg(None, "o", set()) is None


def test_lay_reader_mode_and_print_stylesheet(small: Path) -> None:
    files = site(small, lang="en")
    page = files["opisto/palaute.html"]
    assert 'id="lay-mode"' in page and 'for="lay-mode"' in page
    assert 'class="internal id">palaute<' in page
    css = files["qms.css"]
    assert "body:has(#lay-mode:checked) .internal" in css
    assert "@media print" in css
    assert "Lay-reader mode" in page and "Purpose" in page and "Process flow" in page


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_headings_follow_the_language(small: Path, lang: str) -> None:
    page = site(small, lang=lang)["opisto/_plan.html"]
    assert ("Laatusuunnitelma" if lang == "fi" else "Quality plan") in page
    assert ("myöhässä" if lang == "fi" else "overdue") in page
    assert 'class="overdue"' in page
