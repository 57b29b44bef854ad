#!/usr/bin/env bash
# WeasyPrint for `qms export --format pdf` and its tests: Debian's Pango and DejaVu fonts
# (Finnish glyphs), poppler-utils (pdfinfo/pdftotext, which the PDF tests read back with), and
# the `pdf` extra of qms in $VENV. Installs only what is missing, and only when it may.
set -euo pipefail
VENV="${VENV:-.venv}"
missing=""
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="no"; fi
  if [ "$SUDO" != "no" ]; then
    echo "qms: installing for the PDF export:$missing" >&2
    $SUDO apt-get install -y -qq $missing >/dev/null 2>&1 \
      || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing >/dev/null; }
  else
    echo "qms: missing$missing; the PDF tests will be skipped (sudo apt-get install$missing)" >&2
  fi
fi
if ! "$VENV/bin/python" -c "import weasyprint" >/dev/null 2>&1; then
  echo "qms: installing WeasyPrint into $VENV (the pdf extra)" >&2
  "$VENV/bin/python" -m pip install -q -e ".[pdf]" \
    || echo "qms: WeasyPrint could not be installed; the PDF tests will be skipped." >&2
fi
