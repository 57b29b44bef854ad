"""The manual as PDF: the one-document HTML (`html.book`) laid out by WeasyPrint.

WeasyPrint is an optional extra (`pip install 'qms[pdf]'`) because it needs the system's Pango;
`available()` lets the CLI say how to install it instead of failing with a traceback. Fonts come
from fontconfig: the stylesheet asks for DejaVu Sans, which has every Finnish glyph.
"""

from __future__ import annotations

from qms.export.html import book
from qms.export.manual import Diagrams, Manual
from qms.findings import Msg

MISSING = Msg(
    en="PDF export needs WeasyPrint and the Pango library: pip install 'qms[pdf]' (Debian/Ubuntu "
    "also: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu); {error}",
    fi="PDF-vienti tarvitsee WeasyPrintin ja Pango-kirjaston: pip install 'qms[pdf]' "
    "(Debian/Ubuntu lisäksi: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "fonts-dejavu); {error}",
)


def available() -> str | None:
    """None when WeasyPrint can be used, else why not (its import error)."""
    try:
        import weasyprint  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except (ImportError, OSError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def to_pdf(m: Manual, diagrams: Diagrams | None) -> bytes:
    """The manual of one organisation as PDF bytes (raises ImportError without WeasyPrint)."""
    import weasyprint  # type: ignore[import-untyped,import-not-found,unused-ignore]

    document = weasyprint.HTML(string=book(m, diagrams), base_url=".")
    # Tagged PDF (headings, paragraphs, tables, lists as structure) for screen readers and
    # reflow, where the WeasyPrint in use can; older versions write it untagged.
    try:
        data: bytes = document.write_pdf(pdf_tags=True)
    except TypeError:
        data = document.write_pdf()
    return data
