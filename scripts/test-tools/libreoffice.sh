#!/usr/bin/env bash
# LibreOffice Writer without its GUI, for the DOCX tests (tests/export/test_docx_publish.py):
# the manual is converted to PDF with `soffice --headless --convert-to pdf`, which shows that
# it opens, how it paginates and that its fields update. Installs Debian's package when missing
# and we may; without it those tests are skipped (except in CI, where they fail).
set -euo pipefail
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
packages="libreoffice-writer-nogui fonts-dejavu-core"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="no"; fi
  if [ "$SUDO" != "no" ]; then
    echo "qms: installing LibreOffice Writer for the DOCX tests ($packages)" >&2
    $SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null 2>&1 \
      || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null; } \
      || true
  fi
fi
if ! command -v soffice >/dev/null 2>&1; then
  echo "qms: LibreOffice is not installed; the DOCX conversion tests will be skipped." >&2
  echo "     Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui" >&2
fi
