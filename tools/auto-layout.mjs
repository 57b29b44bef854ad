// bpmn-auto-layout (bpmn-io) over BPMN files: `node auto-layout.mjs IN OUT [IN OUT ...]`.
// Used by bench/quality.py to lay out the same processes as qms; run from .tools/npm/, where
// scripts/test-tools/bpmn-tools.sh installs the pinned package. A file it cannot lay out is
// named on standard error and skipped.
import { readFileSync, writeFileSync } from 'node:fs';
import { layoutProcess } from 'bpmn-auto-layout';

const args = process.argv.slice(2);
let failed = 0;
for (let i = 0; i + 1 < args.length; i += 2) {
  try {
    writeFileSync(args[i + 1], await layoutProcess(readFileSync(args[i], 'utf8')));
  } catch (error) {
    failed += 1;
    console.error(`${args[i]}: ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);
