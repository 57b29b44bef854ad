"""Every YAML value outside the model is a located finding, never a traceback, and the fast
and the slow parsing paths agree (issue 15, items 1 and 2).

The loader builds a file without anchors directly from libyaml's nodes (the fast path) and a
file with an `&` anywhere (an anchor, or just "R&D" in a comment) with PyYAML's constructor
(the slow path). Each case below runs through `qms validate` twice, once as written and once
with a comment holding '&' appended, and both must print the same findings.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from tests.conftest import LAMPPU, requires_dot

ORG = "kind: organisation\nid: a\nname: A\n"
PROCESS = (
    "kind: process\nid: p\norganisation: a\nname: {name}\n{extra}"
    "steps:\n  - {{id: s, kind: start, name: Alku, next: [e]}}\n"
    "  - {{id: e, kind: end, name: Loppu}}\n"
)
METRICS = "kind: metrics\norganisation: a\nmetrics:\n  - {{id: m, name: M, target: {target}}}\n"

CASES = {
    # impossible dates, plain and quoted with a tag
    "date-feb-30": (PROCESS.format(name="P", extra="review: {next: 2027-02-30}\n"), "5:16"),
    "date-month-13": (PROCESS.format(name="P", extra="review: {last: 2026-13-01}\n"), "5:16"),
    "timestamp-tag": (PROCESS.format(name="P", extra="review: {next: !!timestamp soon}\n"), "5:16"),
    # explicit tags with values they cannot hold
    "int-tag": (PROCESS.format(name="P", extra="level: !!int abc\n"), "5:8"),
    "bool-tag": (PROCESS.format(name="P", extra="level: !!bool maybe\n"), "5:8"),
    "float-tag": (METRICS.format(target="!!float lots"), "4:30"),
    "null-tag": (PROCESS.format(name="P", extra="owner: !!null someone\n"), "5:8"),
    # numbers beyond Python's digit limit, as written and with a tag
    "huge-int": (PROCESS.format(name="P", extra="level: " + "7" * 5000 + "\n"), "5:8"),
    "huge-int-tag": (METRICS.format(target="!!int " + "9" * 4500), "4:30"),
    # tags that have no place in a model file
    "custom-tag": (PROCESS.format(name="!vault secret", extra=""), "4:7"),
    "python-tag": (PROCESS.format(name="!!python/object:os.system ls", extra=""), "4:7"),
    "binary-tag": (PROCESS.format(name="!!binary aGVsbG8=", extra=""), "4:7"),
    "set-tag": (PROCESS.format(name="P", extra="realizes: !!set {G1, G2}\n"), "5:11"),
    "omap-tag": (PROCESS.format(name="P", extra="realizes: !!omap [G1]\n"), "5:11"),
    # NaN and infinity where a number is meant
    "nan-target": (METRICS.format(target=".nan"), "4:30"),
    "inf-target": (METRICS.format(target="-.inf"), "4:30"),
    # control characters in any text: values, keys, list items
    "control-in-name": (PROCESS.format(name='"a\\x01b"', extra=""), "4:7"),
    "escape-in-name": (PROCESS.format(name='"\\e]0;title\\a"', extra=""), "4:7"),
    "del-in-key": (PROCESS.format(name="P", extra='"own\\x7fer": x\n'), "5:1"),
    "c1-in-purpose": (PROCESS.format(name="P", extra='purpose: "a\\x9bb"\n'), "5:10"),
    "nul-in-step": (
        "kind: process\nid: p\norganisation: a\nname: P\n"
        'steps:\n  - {id: s, kind: start, name: "x\\0y"}\n',
        "6:",
    ),
    # aliases of a bad value: reported once, where it is written
    "alias-of-bad": (PROCESS.format(name="P", extra="level: &l !!int x\nowner: *l\n"), "5:8"),
}


def validate(tmp_path: Path, name: str, text: str) -> tuple[int, str]:
    root = tmp_path / name
    root.mkdir()
    (root / "qms.yaml").write_text("kind: workspace\nname: W\nlanguage: en\n", encoding="utf-8")
    (root / "org.yaml").write_text(ORG, encoding="utf-8")
    (root / "x.yaml").write_text(text, encoding="utf-8")
    done = CliRunner().invoke(cli, ["validate", str(root), "--lang", "en"])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    assert "Traceback" not in done.output
    lines = [
        line.replace(str(root), "WS")
        for line in done.stdout.splitlines()
        if line.startswith(f"{root}/x.yaml:") and ("QMS001" in line or "QMS002" in line)
    ]
    return done.exit_code, "\n".join(lines)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_value_outside_the_model_is_a_located_finding_on_both_paths(
    tmp_path: Path, case: str
) -> None:
    text, where = CASES[case]
    fast_code, fast = validate(tmp_path, "fast", text)
    slow_code, slow = validate(tmp_path, "slow", text + "# R&D: an ampersand takes the slow path\n")
    assert fast_code == slow_code == 1, fast
    assert fast == slow, f"the paths disagree:\n{fast}\n---\n{slow}"
    assert f"WS/x.yaml:{where}" in fast, fast
    assert len(fast.splitlines()) == 1 or case == "del-in-key", "one mistake, one finding"
    assert "unconstructable" not in fast


@pytest.mark.parametrize("case", ["int-tag", "custom-tag", "control-in-name", "date-feb-30"])
def test_the_rest_of_the_file_still_counts(tmp_path: Path, case: str) -> None:
    """One bad value does not drop the document: a wrong goal id beside it is still found."""
    text, _ = CASES[case]
    text = text.replace("name: Alku,", "name: Alku, role: nobody,")
    root = tmp_path / "ws"
    root.mkdir()
    (root / "qms.yaml").write_text("kind: workspace\nname: W\nlanguage: en\n", encoding="utf-8")
    (root / "org.yaml").write_text(ORG, encoding="utf-8")
    (root / "x.yaml").write_text(text, encoding="utf-8")
    done = CliRunner().invoke(cli, ["validate", str(root), "--lang", "en"])
    if "kind: process" in text:
        assert "unknown role 'nobody'" in done.stdout or "'nobody'" in done.stdout, done.stdout


WRITER_TEXT = (
    'kind: process\nid: p\norganisation: a\nname: "Ohjaus\\x01merkki \\e[31m"\n'
    'purpose: "rivi\\x0bja\\x7f"\n'
    "steps:\n"
    '  - {id: s, kind: start, name: "Alku\\x02", next: [e]}\n'
    '  - {id: e, kind: end, name: "Loppu\\x1f"}\n'
)


@requires_dot
def test_writers_never_get_a_control_character(tmp_path: Path) -> None:
    """The file is refused at load (exit 1), and the exports of what loaded are well-formed:
    SVG and BPMN parse as XML, and the DOCX opens."""
    from docx import Document

    root = tmp_path / "ws"
    root.mkdir()
    (root / "qms.yaml").write_text("kind: workspace\nname: W\nlanguage: fi\n", encoding="utf-8")
    (root / "org.yaml").write_text(ORG, encoding="utf-8")
    (root / "p.yaml").write_text(WRITER_TEXT, encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(cli, ["validate", str(root), "--lang", "en"])
    assert checked.exit_code == 1 and checked.stdout.count("control character") == 4
    out = tmp_path / "out"
    for args in (
        ["render", str(root), "-o", str(out / "d"), "--format", "svg"],
        ["export", str(root), "--format", "bpmn", "-o", str(out / "b")],
        ["export", str(root), "--format", "docx", "-o", str(out / "m.docx")],
        ["export", str(root), "--format", "html", "-o", str(out / "h")],
    ):
        done = runner.invoke(cli, args)
        assert done.exit_code in (0, 1), done.output
        assert "Traceback" not in done.output
    for path in [*out.rglob("*.svg"), *out.rglob("*.bpmn"), *out.rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), path
        if path.suffix != ".html":
            ET.fromstring(text.encode("utf-8"))  # well-formed
    document = Document(str(out / "m.docx"))
    assert any("Ohjaus" in p.text for p in document.paragraphs)
    with zipfile.ZipFile(io.BytesIO((out / "m.docx").read_bytes())) as package:
        ET.fromstring(package.read("word/document.xml"))


def _problems(text: str, quick: bool) -> tuple[list[tuple[str, object, object]], object]:
    from qms.load.yaml_source import _Loader

    loader = _Loader(text)
    node = loader.get_single_node()
    if not quick:
        loader._plain = loader._clean = False  # the full walk, with a look at every text
    loader._check_values(node)
    data = loader.construct_document(node)
    return [(str(msg.en), params, path) for _, msg, params, path in loader.value_problems], data


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object x\nb: 2027-02-30\nc: !!int abc\nd: [1, !!set {a: 1}, !x 2]\n",
        "kind: process\nid: p\nsteps: [{id: s, next: [{to: t, label: kyllä}]}]\nn: ~\nm: 1e999\n",
        "!!map {a: !!seq [1, 2], b: !!str 3, c: 99999999999999999999999999999999999}\n",
        "a: !!null x\nb: !!bool maybe\n",
        *(p.read_text(encoding="utf-8") for p in sorted(LAMPPU.rglob("*.yaml"))[:40]),
    ],
)
def test_the_quick_check_of_a_plain_file_finds_what_the_full_check_finds(text: str) -> None:
    """A file without anchors, control characters or escapes is first looked over by a
    lighter walk (qms/load/yaml_source.py `_all_fine`), which never changes anything and
    leaves any doubt to the full walk: the same problems at the same paths, the same values."""
    assert _problems(text, quick=True) == _problems(text, quick=False)


def test_the_quick_check_passes_a_clean_file() -> None:
    from qms.load.yaml_source import _Loader

    for path in sorted(LAMPPU.rglob("*.yaml")):
        loader = _Loader(path.read_text(encoding="utf-8"))
        if loader._plain and loader._clean:
            assert loader._all_fine(loader.get_single_node()), path
