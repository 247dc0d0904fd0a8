// Runs the plan CLI two ways — the ES5 bundle under Debian's mujs (the loader's engine) and the TypeScript
// sources in Node — so a test can demand that both say the same thing. No mujs is a failure, not a skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { runPlanCli } from '../../loader/plan/plan-cli.js';

export interface PlanRun {
  readonly code: number;
  readonly lines: string[];
}

export interface PlanBundle {
  /** A scratch folder for the test's files, removed after the file's tests. */
  readonly work: string;
  readonly bundle: string;
}

/** Builds the bundle from the current sources into a scratch folder before this file's tests. */
export function planBundleForFile(prefix: string): PlanBundle {
  const state = { work: '', bundle: '' };
  beforeAll(() => {
    state.work = mkdtempSync(join(tmpdir(), prefix));
    state.bundle = join(state.work, 'astcard-plan.js');
    execFileSync(process.execPath, ['scripts/build-shared-es5.mjs', '--out', state.bundle, '--library'], {
      stdio: 'pipe',
    });
  });
  afterAll(() => {
    if (state.work) rmSync(state.work, { recursive: true, force: true });
  });
  return state;
}

export function runUnderMujs(bundle: string, args: readonly string[]): PlanRun {
  const result = spawnSync('mujs', [bundle, ...args], { encoding: 'utf8' });
  if (result.error) throw new Error(`mujs is required (apt-get install mujs): ${result.error.message}`);
  return { code: result.status ?? -1, lines: result.stdout.split('\n').filter((line) => line !== '') };
}

/** The same command in-process, against the TypeScript sources; the version is the one the bundle bakes in. */
export function runPlanInNode(args: readonly string[]): PlanRun {
  const lines: string[] = [];
  const code = runPlanCli(args, {
    read: (path) => readFileSync(path, 'utf8'),
    print: (line) => lines.push(...line.split('\n')),
    loaderVersion: () => (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
  });
  return { code, lines };
}

/** Runs under mujs, checks Node agrees line for line, returns the mujs run. */
export function runBoth(bundle: string, args: readonly string[]): PlanRun {
  const fromMujs = runUnderMujs(bundle, args);
  expect(fromMujs).toEqual(runPlanInNode(args));
  return fromMujs;
}
