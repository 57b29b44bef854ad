"""The DOCX manual reopened with python-docx: headings, tables, images, TOC field, stable bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx

from qms.export.docx import TABLE_STYLE, to_docx
from qms.export.manual import Diagrams, build_manual
from qms.lint import lint
from qms.load import load
from tests.conftest import requires_dot
from tests.export.conftest import EVIL, EVIL_PROCESS


def make(root: Path, lang: str = "fi") -> bytes:
    loaded = load(str(root))
    assert loaded.workspace is not None
    m = build_manual(loaded.workspace, "opisto", lang, result=lint(loaded))
    return to_docx(m, Diagrams(loaded.workspace, lang))


def test_structure(small: Path) -> None:
    data = make(small)
    document = docx.Document(io.BytesIO(data))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert ("Title", EVIL) in headings
    level1 = [t for s, t in headings if s == "Heading 1"]
    assert level1[:3] == ["Sisällys", "Versiot ja hyväksynnät", "Prosessikartta"]
    assert EVIL_PROCESS in level1 and "Talous" in level1
    assert {"Laatusuunnitelma", "Mittarit", "Tavoitteiden kattavuus"} <= set(level1)
    assert ("Heading 2", "SIPOC") in headings
    # the approval table comes first, every table has the house style
    approvals = document.tables[0]
    assert [c.text for c in approvals.rows[0].cells] == [
        "Dokumentti",
        "Versio",
        "Tila",
        "Hyväksyjä",
        "Hyväksytty",
    ]
    assert [c.text for c in approvals.rows[1].cells] == [
        EVIL_PROCESS,
        "1.2",
        "hyväksytty",
        "Johtoryhmä",
        "2026-02-01",
    ]
    assert all(t.style is not None and t.style.name == TABLE_STYLE for t in document.tables)
    texts = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "Kyselyn uudistus" in texts and "Vastausprosentti" in texts
    body = document.element.body.xml
    assert 'TOC \\o "1-2"' in body
    assert document.core_properties.created is not None
    assert document.core_properties.created.date().isoformat() == "2026-06-01"


@requires_dot
def test_diagrams_are_embedded(small: Path) -> None:
    document = docx.Document(io.BytesIO(make(small)))
    assert len(document.inline_shapes) == 3  # the process map and two flows
    names = zipfile.ZipFile(io.BytesIO(make(small))).namelist()
    assert sum(n.startswith("word/media/") and n.endswith(".png") for n in names) == 3


def test_bytes_are_deterministic(small: Path) -> None:
    first = make(small, "en")
    assert first == make(small, "en")
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert docx.Document(io.BytesIO(first)).paragraphs[6].text == "OPERATING SYSTEM DESCRIPTION"
