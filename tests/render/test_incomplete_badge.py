"""A diagram of a process it cannot show whole says so on the picture itself: a flow that names
a step the process does not have (QMS004) is not drawn, and a PNG copied alone into a Word file
must not pass for the whole process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import WORKSPACE, requires_dot, run_qms

SHORT = """kind: process
id: palaute
organisation: demo
name: Palaute
steps:
  - {id: alku, kind: start, name: Alku, next: [kysely]}
  - id: kysely
    name: Kerätään palaute
    next: [{to: loppu, label: valmis}, {to: korjaus, label: puutteita}]
  - {id: loppu, kind: end, name: Loppu}
"""
WHOLE = """kind: process
id: kokous
organisation: demo
name: Kokous
steps:
  - {id: alku, kind: start, name: Alku, next: [loppu]}
  - {id: loppu, kind: end, name: Loppu}
"""


@requires_dot
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fi", "PUUTTEELLINEN: 1 kulku puuttuu (tuntematon vaihe)"),
        ("en", "INCOMPLETE: 1 flow missing (unknown step)"),
    ],
)
def test_a_diagram_missing_a_flow_carries_a_badge(
    make_workspace: Callable[[dict[str, str]], Path], lang: str, said: str
) -> None:
    procs = "organisations/demo/processes"
    root = make_workspace(
        {**WORKSPACE, f"{procs}/palaute.yaml": SHORT, f"{procs}/kokous.yaml": WHOLE}
    )
    out = root / "out"
    code, _, err = run_qms(
        "render", str(root), "-o", str(out), "--format", "svg,png", "--lang", lang, lang=False
    )
    assert code == 0, err
    short = (out / "demo" / "palaute.svg").read_text("utf-8")
    assert said in short
    assert "#fde2d8" in short.lower(), "drawn as a filled badge, like the portal's notice"
    whole = (out / "demo" / "kokous.svg").read_text("utf-8")
    assert said.split(":")[0] not in whole
    # The PNG carries it too: a patch of the badge's fill, which nothing else is drawn in.
    from PIL import Image

    fill = (0xFD, 0xE2, 0xD8)
    for name, badge in (("palaute", True), ("kokous", False)):
        image = Image.open(out / "demo" / f"{name}.png").convert("RGB")
        patch = next((n for n, colour in image.getcolors(1 << 24) or [] if colour == fill), 0)
        assert (patch > 500) == badge, (name, patch)


@requires_dot
def test_a_process_the_loader_left_part_of_carries_the_badge(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    """A value the loader had to leave out (a step kind it does not know) makes the model
    partial everywhere (QMS002); the picture of that process says so too, not only the
    terminal and the pages."""
    procs = "organisations/demo/processes"
    broken = WHOLE.replace("id: kokous", "id: vaara").replace(
        "{id: loppu, kind: end", "{id: loppu, kind: loppuu"
    )
    root = make_workspace(
        {**WORKSPACE, f"{procs}/vaara.yaml": broken, f"{procs}/kokous.yaml": WHOLE}
    )
    out = root / "out"
    code, _, err = run_qms(
        "render", str(root), "-o", str(out), "--format", "svg", "--lang", "en", lang=False
    )
    assert code == 0, err
    assert "Model is incomplete" in err or "incomplete" in err.lower()
    said = "INCOMPLETE: parts left out for an error in the file"
    assert said in (out / "demo" / "vaara.svg").read_text("utf-8")
    assert "INCOMPLETE" not in (out / "demo" / "kokous.svg").read_text("utf-8")
