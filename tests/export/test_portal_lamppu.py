"""What a quality group finds in the LAMPPU portal besides the process pages: role pages,
document registers, the process hierarchy with breadcrumbs, the coverage page's links."""

from __future__ import annotations

import re
from html import unescape

import pytest

from qms.export.html import portal, search_documents
from qms.export.manual import Manual, build_manuals
from qms.lint import lint
from qms.load import load
from tests.conftest import LAMPPU


@pytest.fixture(scope="module")
def lamppu() -> tuple[list[Manual], dict[str, str]]:
    loaded = load(str(LAMPPU))
    assert loaded.workspace is not None
    manuals = build_manuals(loaded.workspace, None, "fi", lint(loaded))
    return manuals, portal(manuals, None)


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_redu_role_page_lists_all_its_roles_with_what_they_do(
    lamppu: tuple[list[Manual], dict[str, str]],
) -> None:
    manuals, files = lamppu
    redu = next(m for m in manuals if m.organisation == "redu")
    page = files["redu/_roles.html"]
    assert len(redu.roles) == 14  # with the council (yhtymävaltuusto), which approves the budget
    for role in redu.roles:
        assert f'id="role-{role.id}"' in page
    # the matrix: one row per role, one column per process; the finance director owns the
    # finance process and works in steps of its flow
    matrix = page[page.index('<table class="data matrix">') : page.index("</table>")]
    assert matrix.count('<th scope="row">') == 14
    assert matrix.count('<th scope="col">') == 1 + len(redu.processes)
    section = page[page.index('id="role-talousjohtaja"') :]
    section = section[: section.index("</section>")]
    assert '<a href="talous.html">Talousprosessi (esimerkki)</a>' in section  # example flow
    assert '<a href="talous.html#step-raami">Valmistellaan talousarvioraami</a>' in section


def test_kao_document_register_has_organisation_documents_and_where_used(
    lamppu: tuple[list[Manual], dict[str, str]],
) -> None:
    _, files = lamppu
    page = files["kao/_documents.html"]
    text = _text(page)
    for name in ("KAO:n laatustrategia", "KAO:n toimintajärjestelmän kehittämissuunnitelma"):
        assert name in text
    assert text.count("Organisaation yhteinen dokumentti") == 5
    rows = re.findall(r'<tr id="(doc-[^"]+)">(.*?)</tr>', page, re.S)
    assert len(rows) == 9
    used = [r for r in rows if 'href="' in r[1]]
    assert used  # where-used links point at process pages or their steps
    for _, row in used:
        for href in re.findall(r'href="([^"#]+)', row):
            assert f"kao/{href}" in files


def test_hierarchy_breadcrumbs_and_jhs_levels(lamppu: tuple[list[Manual], dict[str, str]]) -> None:
    _, files = lamppu
    child = files["sakk/laaturyhman-toiminta.html"]
    crumbs = child[
        child.index('<nav class="crumbs"') : child.index("</nav>", child.index("crumbs"))
    ]
    assert re.findall(r'<a href="([^"]+)">', crumbs) == [
        "../index.html",
        "index.html",
        "johtaminen.html",
    ]
    assert 'aria-current="page"' in crumbs
    assert "3 – prosessikaavio" in child  # JHS 152 description level
    assert '<a href="johtaminen.html">' in child[child.index('class="facts"') :]
    parent = files["sakk/johtaminen.html"]
    below = parent[parent.index('id="subprocesses"') :]
    assert '<a href="laaturyhman-toiminta.html">' in below[: below.index("</ul>")]
    assert "2 – toimintamalli" in parent


def test_coverage_page_groups_linked_implementers_with_results(
    lamppu: tuple[list[Manual], dict[str, str]],
) -> None:
    _, files = lamppu
    page = files["kao/_goals.html"]
    assert ".," not in _text(page)
    cells = re.findall(r'<dl class="realizers">(.*?)</dl>', page, re.S)
    assert cells
    kinds = set(re.findall(r"<dt>([^<]+)</dt>", "".join(cells)))
    assert kinds == {"Prosessit", "Toimenpiteet", "Mittarit"}
    for href in re.findall(r'href="([^"]+)"', "".join(cells)):
        file, _, anchor = href.partition("#")
        assert f"kao/{file}" in files and (not anchor or f'id="{anchor}"' in files[f"kao/{file}"])
    assert re.search(r'<ul class="results"><li><strong>[^<]+</strong>: [a-zä ]+', page)


def test_search_index_covers_every_kind(lamppu: tuple[list[Manual], dict[str, str]]) -> None:
    manuals, files = lamppu
    docs = search_documents(manuals)
    kinds = {d["kind"] for d in docs}
    assert kinds == {"process", "step", "role", "document", "metric"}
    for d in docs:
        file, _, anchor = d["url"].partition("#")
        assert file in files and (not anchor or f'id="{anchor}"' in files[file]), d
    assert '"title": "Valmistellaan talousarvioraami"' in files["search-index.js"]
