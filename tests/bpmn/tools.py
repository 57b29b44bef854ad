"""The real BPMN tools of the interop tests: bpmnlint (node), the OMG schema, bpmn-js.

scripts/test-tools/bpmn-tools.sh installs them into .tools/; without them the tests skip,
except in CI (tests.conftest.needs).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, needs

TOOLS = ROOT / ".tools"
NODE = shutil.which("node")
BPMNLINT = TOOLS / "npm" / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"
VIEWER = TOOLS / "npm" / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
XSD = TOOLS / "bpmn-xsd" / "BPMN20.xsd"
SETUP = "run scripts/test-tools/bpmn-tools.sh (make test does)"

_lint_ok = needs(NODE is not None and BPMNLINT.is_file(), f"bpmnlint missing: {SETUP}")
_viewer_ok = needs(
    CHROMIUM is not None and VIEWER.is_file(), f"Chromium or bpmn-js missing: {SETUP}"
)
requires_xsd = needs(XSD.is_file(), f"the OMG BPMN 2.0 schemas are missing: {SETUP}")


def requires_bpmnlint(test: Callable[..., None]) -> Callable[..., None]:
    """Marked `bpmnlint`; skipped without node and the npm tools (outside CI)."""
    marked: Callable[..., None] = pytest.mark.bpmnlint(_lint_ok(test))
    return marked


def requires_viewer(test: Callable[..., None]) -> Callable[..., None]:
    """Marked `browser`; skipped without Chromium and bpmn-js (outside CI)."""
    marked: Callable[..., None] = pytest.mark.browser(_viewer_ok(test))
    return marked


def bpmnlint(folder: Path, files: list[str]) -> dict[str, list[dict[str, str]]]:
    """Lint files in `folder` with the `recommended` preset: {file: [{id, rule, message,
    category}]} for every report (errors and warnings)."""
    (folder / ".bpmnlintrc").write_text('{"extends": "bpmnlint:recommended"}\n')
    script = f"""
const {{ BpmnModdle }} = require('bpmn-moddle');
const Linter = require('bpmnlint/lib/linter');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const fs = require('fs');
(async () => {{
  const out = {{}};
  for (const file of {json.dumps([str(folder / f) for f in files])}) {{
    const xml = fs.readFileSync(file, 'utf8');
    const {{ rootElement, warnings }} = await new BpmnModdle().fromXML(xml);
    const linter = new Linter({{ config: {{ extends: 'bpmnlint:recommended' }},
                                resolver: new NodeResolver() }});
    const results = await linter.lint(rootElement);
    const reports = warnings.map(w => ({{ id: '', rule: 'bpmn-moddle', message: w.message,
                                          category: 'error' }}));
    for (const [rule, found] of Object.entries(results))
      for (const r of found) reports.push({{ id: r.id, rule, message: r.message,
                                              category: r.category }});
    out[file.slice({len(str(folder)) + 1})] = reports;
  }}
  process.stdout.write(JSON.stringify(out));
}})().catch(e => {{ console.error(e); process.exit(3); }});
"""
    proc = subprocess.run(
        [str(NODE), "-e", script], cwd=TOOLS / "npm", capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, list[dict[str, str]]] = json.loads(proc.stdout)
    return result


def bpmnlint_cli(folder: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    """The bpmnlint command line itself, as a user runs it (exit 0: no errors)."""
    (folder / ".bpmnlintrc").write_text('{"extends": "bpmnlint:recommended"}\n')
    return subprocess.run(
        [str(NODE), str(BPMNLINT), *files], cwd=folder, capture_output=True, text=True, check=False
    )


@cache
def _schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def xsd_errors(data: bytes) -> list[str]:
    """Validation errors against the OMG BPMN 2.0 schema (empty when valid); the schema is
    built once per session."""
    return [str(e.reason) for e in _schema().iter_errors(data.decode("utf-8"))]


VIEWER_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="canvas" style="width:1600px;height:900px"></div>
<script src="viewer.js"></script>
<script>
window.importBpmn = async (xml) => {
  const viewer = new BpmnJS({ container: '#canvas' });
  try {
    const result = await viewer.importXML(xml);
    const registry = viewer.get('elementRegistry');
    return { warnings: result.warnings.map(w => w.message), error: null,
             shapes: registry.getAll().length };
  } catch (err) {
    return { warnings: (err.warnings || []).map(w => w.message), error: String(err), shapes: 0 };
  } finally {
    viewer.destroy();
  }
};
</script></body></html>
"""


def open_in_bpmn_js(folder: Path, documents: dict[str, bytes]) -> dict[str, dict[str, object]]:
    """Import each document into the bpmn-js viewer in headless Chromium."""
    from playwright.sync_api import sync_playwright

    shutil.copy(VIEWER, folder / "viewer.js")
    (folder / "viewer.html").write_text(VIEWER_PAGE, encoding="utf-8")
    results: dict[str, dict[str, object]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((folder / "viewer.html").as_uri())
            for name, data in sorted(documents.items()):
                results[name] = page.evaluate("xml => window.importBpmn(xml)", data.decode())
        finally:
            browser.close()
    return results
