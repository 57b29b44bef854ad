#!/usr/bin/env bash
# Make sure Graphviz's `dot` is on PATH: install it with apt-get when we may (root, or sudo
# without a password), otherwise stop with instructions for the user's system.
set -euo pipefail
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
packages="graphviz fonts-dejavu-core"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "qms: installing Graphviz with apt-get ($packages)" >&2
    (apt-get install -y -qq $packages >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $packages; })
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "qms: installing Graphviz with sudo apt-get ($packages)" >&2
    (sudo apt-get install -y -qq $packages >/dev/null 2>&1 || { sudo apt-get update -qq && sudo apt-get install -y -qq $packages; })
  fi
fi
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
cat >&2 <<'MSG'
qms needs Graphviz's `dot` program to draw diagrams, and it is not installed.
Install it, then run the command again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (or choco install graphviz), then reopen the terminal
MSG
exit 1
