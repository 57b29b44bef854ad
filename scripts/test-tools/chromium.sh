#!/usr/bin/env bash
# Chromium for the browser tests (driven by Playwright with executable_path; Playwright's own
# browser download is not used). Installs Debian's package when missing and we may.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
packages="chromium fonts-dejavu-core"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="no"; fi
  if [ "$SUDO" != "no" ]; then
    echo "qms: installing Chromium for the browser tests ($packages)" >&2
    $SUDO apt-get install -y -qq $packages >/dev/null 2>&1 \
      || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $packages >/dev/null; }
  fi
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "qms: Chromium is not installed; the browser tests will be skipped." >&2
  echo "     Debian/Ubuntu: sudo apt-get install chromium" >&2
fi
