"""The portal in headless Chromium, as a reader uses it: from disk, by clicking, without JS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

import pytest

from qms.export.html import portal
from qms.export.manual import Diagrams, build_manuals
from qms.lint import lint
from qms.load import load
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, requires_chromium, requires_dot
from tests.export.conftest import EVIL

SHOTS = Path("/tmp")

pytestmark = [requires_chromium, requires_dot]


@pytest.fixture
def site(small: Path, tmp_path: Path) -> Path:
    """The portal of the small workspace written to disk, as `qms export` would."""
    loaded = load(str(small))
    assert loaded.workspace is not None
    manuals = build_manuals(loaded.workspace, None, "fi", lint(loaded))
    out = tmp_path / "site"
    for rel, text in portal(manuals, Diagrams(loaded.workspace, "fi")).items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def page(site: Path) -> Iterator[Any]:
    """A Chromium page with JavaScript disabled; console errors are collected on `errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 1300, "height": 900}
        )
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.on("requestfailed", lambda req: errors.append(f"failed: {req.url}"))
        tab.errors = errors
        yield tab
        browser.close()


def test_click_a_process_in_the_map(site: Path, page: Any) -> None:
    page.goto((site / "opisto" / "index.html").as_uri())
    assert page.locator("h1").inner_text() == EVIL
    page.screenshot(path=str(SHOTS / "qms-export-front.png"), full_page=True)
    box = page.locator("figure.map svg a").filter(has_text="Talous").first
    box.click()
    page.wait_for_load_state()
    assert page.url.endswith("/opisto/talous.html")
    assert page.locator("h1").inner_text().startswith("Talous")
    page.goto((site / "opisto" / "palaute.html").as_uri())
    page.screenshot(path=str(SHOTS / "qms-export-process.png"), full_page=True)
    assert page.locator("table.sipoc th").all_inner_texts() == [
        "Toimittajat",
        "Syötteet",
        "Prosessi",
        "Tuotokset",
        "Asiakkaat",
    ]
    assert page.errors == []


def test_lay_reader_mode_hides_ids_without_javascript(site: Path, page: Any) -> None:
    page.goto((site / "opisto" / "palaute.html").as_uri())
    ids = page.locator("h1 .internal")
    assert ids.is_visible()
    page.locator("label[for=lay-mode]").click()
    assert not ids.is_visible()
    assert page.locator("h1").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav.side").is_visible()


def test_crawl_every_page_no_broken_links(site: Path, page: Any) -> None:
    """Start at the home page, follow every link; every href/src must exist on disk."""
    todo = [(site / "index.html").resolve()]
    seen: set[Path] = set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        page.goto(current.as_uri())
        urls = _links(page)
        for url in urls:
            parsed = urlparse(url)
            assert parsed.scheme == "file", (current, url)
            target = Path(unquote(parsed.path))
            assert target.is_file(), (current, url)
            if target.suffix == ".html" and str(target).startswith(str(site.resolve())):
                todo.append(target)
    assert len(seen) == len(list(site.rglob("*.html")))
    assert page.errors == []


def _links(page: Any) -> list[str]:
    """Every link, resource and form target of the page, resolved against it (SVG links
    too)."""
    found = []
    for element in page.locator("[href], [src], a, form[action]").all():
        for name in ("href", "src", "xlink:href", "action"):
            raw = element.get_attribute(name)
            if raw:
                found.append(urljoin(page.url, raw).split("#")[0])
    return found
