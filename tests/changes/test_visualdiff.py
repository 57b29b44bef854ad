"""The visual diff: the changed process drawn with added, removed and changed parts marked."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import defusedxml.ElementTree as ET
from click.testing import CliRunner

from qms.cli import cli
from qms.serve import Site, create_app
from qms.visualdiff import ADDED, CHANGED, EDGE, REMOVED
from tests.changes.conftest import edit
from tests.conftest import requires_dot
from tests.test_serve import free_port, running

SVG = "{http://www.w3.org/2000/svg}"
TALOUS = "organisations/redu/processes/talous.yaml"


def _changes(workspace: Path, make_four_edits: Callable[[Path], None]) -> None:
    make_four_edits(workspace)
    edit(
        workspace / TALOUS,
        "  - {id: kokoaminen, name: Kootaan talousarvioehdotus, role: talousjohtaja, "
        "next: [valmistelu]}\n",
        "  - {id: kokoaminen, name: Kootaan talousarvioehdotus, role: talousjohtaja, "
        "next: [lausunto]}\n"
        "  - {id: lausunto, name: Pyydetään johtoryhmän lausunto, role: johtoryhma, "
        "next: [valmistelu]}\n",
    )


def strokes(svg: bytes) -> dict[str, tuple[str, str, str]]:
    """(fill, stroke, dash) of each node and edge of a Graphviz SVG, by its title."""
    root = ET.fromstring(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        shape = next(
            (el for el in group if el.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse")),
            None,
        )
        if title is None or shape is None or group.get("class") not in ("node", "edge"):
            continue
        found[title.text or ""] = (
            shape.get("fill", ""),
            shape.get("stroke", ""),
            shape.get("stroke-dasharray", ""),
        )
    return found


@requires_dot
def test_diff_svg_marks_what_changed(
    lamppu_repo: Path, make_four_edits: Callable[[Path], None], tmp_path: Path
) -> None:
    _changes(lamppu_repo, make_four_edits)
    out = tmp_path / "review"
    result = CliRunner().invoke(cli, ["diff", str(lamppu_repo), "--svg", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.svg")) == ["redu/talous.svg"]
    marks = strokes((out / "redu/talous.svg").read_bytes())
    assert marks["s__lausunto"][:2] == (ADDED["fillcolor"], ADDED["color"])
    assert marks["s__raami"][:2] == (CHANGED["fillcolor"], CHANGED["color"])  # reworded
    assert marks["s__kokoaminen->s__lausunto"][1] == EDGE["added"]["color"]
    assert marks["s__korjaus->s__seuranta"][1] == EDGE["added"]["color"]
    removed = marks["s__kokoaminen->s__valmistelu"]
    assert removed[1] == EDGE["removed"]["color"] and removed[2]  # dashed
    # Steps nobody touched keep the diagram's own colours.
    assert marks["s__esitykset"][1] not in {ADDED["color"], REMOVED["color"], CHANGED["color"]}


@requires_dot
def test_serve_shows_the_review(lamppu_repo: Path, make_four_edits: Callable[[Path], None]) -> None:
    _changes(lamppu_repo, make_four_edits)
    with running(create_app(Site(str(lamppu_repo), "en"), watch=False), free_port()) as url:
        base = f"{url}/__qms__/diff/"
        with urllib.request.urlopen(base, timeout=60) as response:
            page = response.read().decode("utf-8")
        assert "Changes: HEAD → working tree" in page
        assert '<img src="redu/talous.svg"' in page
        assert "~ owner: talousjohtaja -&gt; yhtymahallitus" in page  # the change list too
        with urllib.request.urlopen(base + "redu/talous.svg", timeout=60) as response:
            assert response.headers["Content-Type"] == "image/svg+xml"
            marks = strokes(response.read())
        assert marks["s__lausunto"][1] == ADDED["color"]
        try:
            urllib.request.urlopen(base + "../../qms.yaml", timeout=60)
            raise AssertionError("only the review's own files are served")
        except urllib.error.HTTPError as error:
            assert error.code == 404
