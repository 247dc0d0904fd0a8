// Loads the shared test vectors and runs them through vector-runner.cjs, the same runner mujs uses.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import * as shared from '../../shared/index.js';

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors');
export const RUNNER_PATH = join(dirname(fileURLToPath(import.meta.url)), 'vector-runner.cjs');

export interface VectorCase {
  readonly name: string;
  readonly expect: unknown;
  readonly [input: string]: unknown;
}

export interface VectorFile {
  readonly kind: string;
  readonly about: string;
  readonly cases: readonly VectorCase[];
}

export interface VectorResult {
  readonly name: string;
  readonly actual: unknown;
}

type RunVectors = (api: typeof shared, vectors: VectorFile) => VectorResult[];
const { runVectors } = createRequire(import.meta.url)(RUNNER_PATH) as { runVectors: RunVectors };

export function vectorFileNames(): string[] {
  return readdirSync(VECTOR_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function loadVectors(fileName: string): VectorFile {
  return JSON.parse(readFileSync(join(VECTOR_DIR, fileName), 'utf8')) as VectorFile;
}

/** Results of the TypeScript sources, case by case. */
export function runInNode(vectors: VectorFile): VectorResult[] {
  return runVectors(shared, vectors);
}

/** Table rows for `it.each`: [case name, actual, expected]. */
export function vectorRows(fileName: string): [string, unknown, unknown][] {
  const vectors = loadVectors(fileName);
  const results = runInNode(vectors);
  return vectors.cases.map((c, i) => [c.name, results[i]?.actual, c.expect]);
}

const SUBSET_KEYS = ['pre', 'verdicts', 'recipes', 'reasons', 'signed'];

/**
 * Checks a result against a vector's `expect`: `xIncludes` keys are substrings (or, for arrays, members)
 * of `x`; `pre` and `verdicts` list only the images a case cares about; every other key must be equal.
 */
export function expectVector(actual: unknown, expected: unknown): void {
  if (Array.isArray(expected) || typeof expected !== 'object' || expected === null) {
    expect(actual).toEqual(expected);
    return;
  }
  expect(typeof actual).toBe('object');
  const got = actual as Record<string, unknown>;
  for (const [key, want] of Object.entries(expected)) {
    if (key.endsWith('Include') || key.endsWith('Includes')) {
      const base = key.replace(/Includes?$/, '');
      const value = got[base];
      if (Array.isArray(want)) for (const item of want) expect(value).toContain(item);
      else expect(String(value)).toContain(want);
    } else if (SUBSET_KEYS.includes(key)) {
      expect(got[key]).toMatchObject(want as object);
    } else {
      expect(got[key], key).toEqual(want);
    }
  }
}
