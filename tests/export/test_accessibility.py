"""The LAMPPU portal in headless Chromium with axe-core, as a phone and a desktop see it.

Every page is checked at 390 px (a phone) and 1366 px (a laptop): axe-core (the npm package
that tools/package-lock.json pins, installed by scripts/test-tools/bpmn-tools.sh) must report
no violation, and at 390 px no page may be wider than the screen. One browser serves all
pages. The search runs with JavaScript on, from file:// as a reader opens the portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qms.export.html import portal
from qms.export.manual import Diagrams, build_manuals
from qms.lint import lint
from qms.load import load
from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LAMPPU,
    ROOT,
    needs,
    requires_chromium,
    requires_dot,
)

AXE = ROOT / ".tools" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
requires_axe = needs(
    AXE.is_file(), "axe-core is not installed (make test installs it: scripts/test-tools/)"
)
WIDTHS = (390, 1366)

pytestmark = [requires_chromium, requires_dot, requires_axe]


@pytest.fixture(scope="module")
def lamppu_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The LAMPPU portal written to disk, as `qms export --format html` writes it."""
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    manuals = build_manuals(loaded.workspace, None, "fi", lint(loaded))
    out = tmp_path_factory.mktemp("lamppu") / "site"
    for rel, text in portal(manuals, Diagrams(loaded.workspace, "fi")).items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_every_page_has_no_axe_violation_and_fits_a_phone(lamppu_site: Path, browser: Any) -> None:
    axe = AXE.read_text(encoding="utf-8")
    pages = sorted(lamppu_site.rglob("*.html"))
    assert len(pages) >= 50  # 5 organisations: front, 6 sections, 16 processes; home, search
    violations: list[str] = []
    too_wide: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        tab = context.new_page()
        for path in pages:
            name = f"{path.relative_to(lamppu_site)} @ {width}px"
            tab.goto(path.as_uri())
            tab.evaluate(axe)
            found = tab.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                ".violations.map(v => `${v.id} (${v.impact}): `"
                " + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
            )
            violations += [f"{name}: {v}" for v in found]
            scroll = tab.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide.append(f"{name}: {scroll}px")
        context.close()
    assert violations == []
    assert too_wide == []


def test_a_phone_sees_content_before_the_menu(lamppu_site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    tab.goto((lamppu_site / "redu" / "talous.html").as_uri())
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    heading = tab.locator("main h1").bounding_box()
    menu = tab.locator("nav.side").bounding_box()
    assert heading["y"] < 640 < menu["y"]  # the page's heading on the first screen, the menu after
    tab.keyboard.press("Tab")  # the first stop is the skip link, shown when focused
    skip = tab.locator("a.skip")
    assert skip.evaluate("e => e === document.activeElement") and skip.is_visible()
    # the flow diagram scrolls in its own box, which the keyboard can reach; it is named and
    # its caption links to the steps table, its text alternative
    box = tab.locator("figure.flow .scroll")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    svg = tab.locator("figure.flow svg")
    assert svg.get_attribute("aria-label").startswith("Prosessikaavio: Talousprosessi")
    assert tab.locator("figure.flow figcaption a").get_attribute("href") == "#steps"
    assert tab.locator("#steps + .scroll table.steps").count() == 1
    context.close()


def test_diagram_tooltips_name_steps_and_lanes_not_ids(lamppu_site: Path) -> None:
    page = (lamppu_site / "redu" / "talous.html").read_text(encoding="utf-8")
    flow = page[page.index("<svg") : page.index("</svg>")]
    titles = flow.split("<title>")[1:]
    texts = {t.split("</title>")[0] for t in titles}
    assert "Valmistellaan talousarvioraami" in texts  # a step, by its name
    assert "Talousjohtaja" in texts  # a lane, by its role's name
    assert not [t for t in texts if "__" in t or t in ("title", "redu__talous")]
    front = (lamppu_site / "redu" / "index.html").read_text(encoding="utf-8")
    assert "<title>p__" not in front and "<title>Talousprosessi" in front


def test_search_finds_a_step_by_a_word_of_its_name(lamppu_site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.goto((lamppu_site / "redu" / "talous.html").as_uri())
    search = tab.locator("[role=search] input[type=search]")
    search.fill("talousarvioraami")  # one word of the step "Valmistellaan talousarvioraami"
    search.press("Enter")
    tab.wait_for_load_state()
    assert tab.url.split("?")[0].endswith("/search.html")
    hit = tab.locator("#search-results a", has_text="Valmistellaan talousarvioraami").first
    assert hit.get_attribute("href") == "redu/talous.html#step-raami"
    assert "vaihe · REDU · Talousprosessi" in tab.locator("#search-results li").first.inner_text()
    hit.click()
    tab.wait_for_load_state()
    assert tab.url.endswith("/redu/talous.html#step-raami")
    assert tab.locator("#step-raami").inner_text().startswith("2")
    # a prefix finds it too, typed on the search page itself (results update as one types)
    tab.goto((lamppu_site / "search.html").as_uri())
    tab.locator("#q").fill("talousarvior")
    assert tab.locator("#search-results a", has_text="Valmistellaan talousarvioraami").count() == 1
    tab.locator("#q").fill("zzzxxyq")
    assert tab.locator("#search-status").inner_text() == "Ei osumia."
    assert errors == []
    context.close()
