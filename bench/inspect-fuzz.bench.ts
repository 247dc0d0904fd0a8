/**
 * Issue 17's fuzz at full size: 100,000 mutated copies of a small prepared card through inspectCard (the
 * engine and its rules are test/core/card/inspect-fuzz-engine.ts; CI runs 2,000 of them). Prints how many
 * runs, how long they took, how each ended, and every error and problem code seen; exits 1 if any run
 * threw an untyped error, hung, or wrote.
 *
 * Run: npx tsx bench/inspect-fuzz.bench.ts [runs] [seed]   (defaults: 100000, a seed from the clock)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  describeFailure,
  emptyTally,
  fuzzCard,
  fuzzRun,
  tally,
} from '../test/core/card/inspect-fuzz-engine.js';

const runs = Number(process.argv[2] ?? 100_000);
// Another seed each time, so successive benches cover other cards; it is printed to reproduce a failure.
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);

function codes(map: Map<string, number>): string {
  const sorted = [...map].sort((a, b) => b[1] - a[1]);
  return sorted.length === 0 ? '(none)' : sorted.map(([code, count]) => `${code} ×${count}`).join(', ');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'astcard-bench-fuzz-'));
  try {
    const card = await fuzzCard(dir);
    const result = emptyTally();
    const started = performance.now();
    for (let run = 0; run < runs; run++) {
      tally(result, await fuzzRun(card, run, seed));
      if ((run + 1) % 10_000 === 0) console.log(`  ${run + 1} runs…`);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`inspect fuzz: ${result.runs} runs (seed ${seed}) in ${seconds.toFixed(1)} s`);
    console.log(`  ${((seconds * 1000) / result.runs).toFixed(2)} ms per run`);
    console.log(
      `  ended in a report: ${result.reports} (read only partway: ${result.readPartway}); in a typed error: ${result.typedErrors}`,
    );
    console.log(`  writes: ${result.writes}`);
    console.log(`  error codes: ${codes(result.errorCodes)}`);
    console.log(`  problem codes in reports: ${codes(result.problemCodes)}`);
    console.log(`  failures (untyped error, hang, write, claim past the damage): ${result.failures.length}`);
    for (const failure of result.failures.slice(0, 20)) console.log(`    ${describeFailure(failure)}`);
    if (result.failures.length > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
