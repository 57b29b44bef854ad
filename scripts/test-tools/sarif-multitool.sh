#!/usr/bin/env bash
# The SARIF Multitool (npm @microsoft/sarif-multitool, pinned in tools/package.json and
# tools/package-lock.json) that tests/test_report.py runs as `Sarif.Multitool validate` with
# its SARIF and GitHub rules. bpmn-tools.sh installs every npm package of tools/ into
# .tools/npm (npm ci --ignore-scripts); this makes the Multitool's self-contained Linux binary
# executable (the step its skipped install script does) and checks that it starts.
# Without it the SARIF Multitool tests skip, except in CI, where they fail (tests.conftest.needs).
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=.tools/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -f "$BIN" ]; then
  echo "qms: the SARIF Multitool is not in .tools/npm (see bpmn-tools.sh); its tests will be skipped." >&2
  exit 0
fi
chmod u+x "$BIN"
if ! DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$BIN" --version >/dev/null 2>&1; then
  echo "qms: $BIN does not start; the SARIF Multitool tests will fail in CI." >&2
fi
exit 0
