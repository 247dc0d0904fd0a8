#!/usr/bin/env node
// Runs the whole vitest suite in two passes and closes with one plain summary line
// ("Tests: N passed, N failed, N skipped") that CI reads, since vitest's own summary is not a format it knows.
//   1. test/ — unit and integration tests, files in parallel;
//   2. e2e/  — QEMU boots and browser tests, one file at a time: each boot keeps a core busy for ~15 s,
//      and two files booting side by side on a two-core machine would starve each other into timeouts.
// Arguments are passed to both passes (e.g. a name filter with -t).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
const passes = [
  { name: 'unit and integration', project: 'unit' },
  { name: 'end to end', project: 'e2e' },
];

let passed = 0;
let failed = 0;
let skipped = 0;
let exitStatus = 0;
for (const pass of passes) {
  const report = `test-results/vitest-${pass.project}.json`;
  rmSync(report, { force: true });
  console.log(`\n== ${pass.name} tests (vitest project ${pass.project})`);
  const run = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      pass.project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) exitStatus = 1;
  try {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    // A file that fails to load has no tests but is a failure all the same.
    for (const file of result.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
    }
  } catch (error) {
    console.error(`could not read the test report ${report}: ${error.message}`);
    failed += 1;
  }
}
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitStatus === 0 && failed === 0 ? 0 : 1);
