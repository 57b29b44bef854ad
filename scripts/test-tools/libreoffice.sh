#!/usr/bin/env bash
# LibreOffice Writer and Calc without their GUI, for the DOCX tests
# (tests/export/test_docx_publish.py: the manual is converted to PDF with `soffice --headless
# --convert-to pdf`, which shows that it opens, how it paginates and that its fields update) and
# the workbook test (tests/test_workbook.py: the exported workbook opens in Calc). Installs
# Debian's packages when missing and we may; without them those tests are skipped (except in
# CI, where they fail).
set -euo pipefail
calc() {
  local soffice
  soffice="$(command -v soffice 2>/dev/null)" || return 1
  [ -e "$(dirname "$(readlink -f "$soffice")")/libsclo.so" ]
}
if command -v soffice >/dev/null 2>&1 && calc; then
  exit 0
fi
packages="libreoffice-writer-nogui libreoffice-calc-nogui fonts-dejavu-core"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="no"; fi
  if [ "$SUDO" != "no" ]; then
    echo "qms: installing LibreOffice Writer and Calc for the DOCX and workbook tests ($packages)" >&2
    $SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null 2>&1 \
      || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null; } \
      || true
  fi
fi
if ! command -v soffice >/dev/null 2>&1 || ! calc; then
  echo "qms: LibreOffice Writer or Calc is not installed; the DOCX and workbook conversion tests" >&2
  echo "     will be skipped. Debian/Ubuntu: sudo apt-get install $packages" >&2
fi
