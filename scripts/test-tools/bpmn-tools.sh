#!/usr/bin/env bash
# The real BPMN tools of the interop tests (tests/bpmn/), installed into .tools/ (gitignored):
#   .tools/npm/node_modules/  bpmnlint, bpmn-js and bpmn-auto-layout, exactly as
#                             tools/package-lock.json pins them (npm ci; bpmn-js for its prebuilt
#                             dist/bpmn-viewer.production.min.js; bpmn-auto-layout for the layout
#                             measure of bench/quality.py, run by tools/auto-layout.mjs), and
#                             axe-core (axe.min.js) for tests/export/test_accessibility.py
#   .tools/bpmn-xsd/          the OMG BPMN 2.0 XML schemas (BPMN20.xsd, Semantic.xsd, BPMNDI.xsd,
#                             DI.xsd, DC.xsd), taken from SpiffWorkflow's wheel on PyPI, which
#                             carries OMG's files; none of SpiffWorkflow's code is kept
# Each part is skipped when already in place. When a part cannot be installed (no node, no
# network) this says so and goes on: the tests that need it are skipped, except in CI, where
# they fail (tests.conftest.needs).
set -uo pipefail
cd "$(dirname "$0")/../.."
TOOLS=.tools
VENV=${VENV:-.venv}

# --- npm packages -----------------------------------------------------------------------------
if command -v npm >/dev/null 2>&1; then
  if ! cmp -s tools/package-lock.json "$TOOLS/npm/package-lock.json" \
      || [ ! -d "$TOOLS/npm/node_modules/bpmnlint" ] || [ ! -d "$TOOLS/npm/node_modules/bpmn-js" ] \
      || [ ! -d "$TOOLS/npm/node_modules/bpmn-auto-layout" ] \
      || [ ! -f "$TOOLS/npm/node_modules/axe-core/axe.min.js" ]; then
    echo "qms: installing bpmnlint, bpmn-js, bpmn-auto-layout and axe-core into $TOOLS/npm (npm ci)" >&2
    mkdir -p "$TOOLS/npm"
    cp tools/package.json tools/package-lock.json "$TOOLS/npm/"
    if ! npm ci --prefix "$TOOLS/npm" --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null; then
      rm -f "$TOOLS/npm/package-lock.json"  # try again next time
      echo "qms: npm ci failed; the bpmnlint and bpmn-js tests will be skipped." >&2
    fi
  fi
  cp tools/auto-layout.mjs "$TOOLS/npm/" 2>/dev/null || true
else
  echo "qms: node/npm not found; the bpmnlint and bpmn-js tests will be skipped." >&2
  echo "     Debian/Ubuntu: sudo apt-get install nodejs npm" >&2
fi

# --- OMG BPMN 2.0 schemas -----------------------------------------------------------------------
if [ ! -f "$TOOLS/bpmn-xsd/BPMN20.xsd" ]; then
  PY="$VENV/bin/python"
  [ -x "$PY" ] || PY=python3
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "qms: fetching the OMG BPMN 2.0 schemas into $TOOLS/bpmn-xsd (from SpiffWorkflow's wheel)" >&2
  if "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$tmp" spiffworkflow 2>/dev/null; then
    mkdir -p "$TOOLS/bpmn-xsd"
    "$PY" - "$tmp" "$TOOLS/bpmn-xsd" <<'PYEOF' || echo "qms: the schema tests will be skipped." >&2
import pathlib, sys, zipfile
src, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(src.glob("*.whl"))
with zipfile.ZipFile(wheel) as zf:
    for name in zf.namelist():
        if "/bpmn/parser/schema/" in name and name.endswith(".xsd"):
            (dest / pathlib.PurePosixPath(name).name).write_bytes(zf.read(name))
if not (dest / "BPMN20.xsd").is_file():
    sys.exit("qms: BPMN20.xsd not found in " + wheel.name)
PYEOF
  else
    echo "qms: could not download SpiffWorkflow from PyPI; the schema tests will be skipped." >&2
  fi
fi
exit 0
