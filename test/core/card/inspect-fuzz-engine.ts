/**
 * Fuzzing inspect: a small card prepared by the core, mutated over and over where damage hurts most — the
 * boot sector, the FAT copies, the root directory, the clusters of the other directories — and inspected
 * each time through a device that counts writes. Each mutation comes from its run's own seed (mulberry32),
 * so a failing run is reproduced by its number alone. Shared by test/core/card/inspect-fuzz.test.ts (2,000
 * runs in CI) and bench/inspect-fuzz.bench.ts (100,000, outside CI).
 *
 * The card is mutated in place and put back after each run (only the mutated bytes are saved), so a run
 * costs an inspect, not a copy of the card.
 */
import { join } from 'node:path';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { openCardVolume } from '../../../electron/core/card/card-volume.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { AstcardError } from '../../../electron/core/errors.js';
import { clusterOffset } from '../../../electron/core/fat/directory.js';
import { PassThroughBlockDevice } from '../block/pass-through-device.js';
import { fakeImage, PARTITION_OFFSET } from './card-fixtures.js';
import { harnessCard, mke2fsKeydisk } from './cut-retry-harness.js';
import { geometryOf } from './fat-damage.js';

/** A byte range of the card that a mutation may hit, named for the report. */
export interface Region {
  name: 'boot sector' | 'FAT' | 'root directory' | 'directory cluster';
  start: number;
  end: number;
}

export interface FuzzCard {
  bytes: Uint8Array;
  regions: Region[];
}

/** How one run ended: a report (with its problem codes) or a typed error; anything else is a failure. */
export type RunOutcome =
  | {
      kind: 'report';
      problems: string[];
      /** The damage stopped inspect partway (damage.complete false)… */
      readPartway: boolean;
      /** …and yet the report names an image it boots or lists images: it must not. */
      claimsPastDamage: boolean;
    }
  | { kind: 'typed-error'; code: string }
  | { kind: 'other-error'; error: unknown }
  | { kind: 'hang' };

export interface RunResult {
  run: number;
  seed: number;
  outcome: RunOutcome;
  writes: number;
  /** What was changed, for reproducing by hand: `region@offset=old→new`. */
  mutations: string[];
}

/** A 24 MiB card (the loader alone is ~13 MB): one small image, a keydisk, the loader, SYSLINUX, EFI. */
export async function fuzzCard(dir: string): Promise<FuzzCard> {
  fakeImage(dir, '3.0.0', 64 * 1024);
  mke2fsKeydisk(join(dir, 'kd.img'), 'fuzz');
  const bytes = await harnessCard(
    dir,
    [join(dir, 'AstLinux-3.0.0.img')],
    join(dir, 'kd.img'),
    24 * 1024 * 1024,
  );
  return { bytes, regions: await regionsOf(bytes) };
}

async function regionsOf(bytes: Uint8Array): Promise<Region[]> {
  const g = geometryOf(bytes);
  const sector = g.bytesPerSector;
  const at = (offset: number) => PARTITION_OFFSET + offset;
  // Only the part of each FAT that holds entries: the rest is never read.
  const fatBytes = Math.ceil(((g.clusterCount + 2) * g.type) / 8);
  const regions: Region[] = [{ name: 'boot sector', start: at(0), end: at(512) }];
  for (let copy = 0; copy < g.fatCount; copy++) {
    const start = at((g.reservedSectors + copy * g.fatSectors) * sector);
    regions.push({ name: 'FAT', start, end: start + fatBytes });
  }
  if (g.type !== 32) {
    const start = at(g.rootDirSector * sector);
    regions.push({ name: 'root directory', start, end: start + g.rootDirSectors * sector });
  }
  // Every other directory's clusters, found by walking the undamaged card.
  const { volume } = await openCardVolume(new MemoryBlockDevice(bytes), { readOnly: true });
  const pending = ['/'];
  while (pending.length > 0) {
    const path = pending.pop() as string;
    for (const entry of await volume.readdir(path)) {
      if (entry.isFile) continue;
      const child = `${path === '/' ? '' : path}/${entry.name}`;
      pending.push(child);
      const start = at(clusterOffset(g, entry.firstCluster));
      regions.push({ name: 'directory cluster', start, end: start + g.clusterSize });
    }
  }
  return regions;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Byte values that mean something to FAT (free, end of chain, bad, deleted entry, directory and long-name
 * attributes) come up as often as any random byte: random bytes alone rarely make a chain point into free
 * space or an entry claim to be a directory.
 */
const TELLING = [0x00, 0x01, 0x02, 0x05, 0x0f, 0x10, 0x2e, 0x7f, 0x80, 0xe5, 0xf7, 0xf8, 0xff];

/** A device that reads `bytes` and counts every write (refusing it, so the card stays as it was). */
export class CountingDevice extends PassThroughBlockDevice {
  writes = 0;

  constructor(bytes: Uint8Array) {
    super(new MemoryBlockDevice(bytes, { name: 'fuzz.img' }));
  }

  override async write(): Promise<void> {
    this.writes += 1;
    throw new Error('inspect wrote to the card');
  }
}

/**
 * A run's guard against a hang: inspect on a 24 MiB card takes milliseconds, so one that is still going
 * after this long is stuck (a loop over on-disk data that is not bounded). Not a speed goal.
 */
const HANG_MS = 20_000;

/** Mutates the card for run `run`, inspects it, puts every byte back. */
export async function fuzzRun(card: FuzzCard, run: number, baseSeed: number): Promise<RunResult> {
  const seed = (baseSeed + run) >>> 0;
  const random = prng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const saved: Array<[number, number]> = [];
  const mutations: string[] = [];
  const count = 1 + pick(8);
  for (let i = 0; i < count; i++) {
    const region = card.regions[pick(card.regions.length)] as Region;
    const offset = region.start + pick(region.end - region.start);
    const value = random() < 0.5 ? (TELLING[pick(TELLING.length)] as number) : pick(256);
    saved.push([offset, card.bytes[offset] as number]);
    mutations.push(`${region.name}@${offset}=${card.bytes[offset]}→${value}`);
    card.bytes[offset] = value;
  }
  const device = new CountingDevice(card.bytes);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), HANG_MS);
  });
  let outcome: RunOutcome;
  try {
    const report = await Promise.race([inspectCard(device, { quick: true }), hang]);
    outcome =
      report === 'hang'
        ? { kind: 'hang' }
        : {
            kind: 'report',
            problems: report.problems.map((problem) => problem.code),
            readPartway: report.damage?.complete === false,
            claimsPastDamage:
              report.damage?.complete === false && (report.boot !== null || report.images.length > 0),
          };
  } catch (error) {
    outcome =
      error instanceof AstcardError
        ? { kind: 'typed-error', code: error.code }
        : { kind: 'other-error', error };
  } finally {
    clearTimeout(timer);
    // Back in reverse, so a byte mutated twice gets its original value.
    for (const [offset, value] of saved.reverse()) card.bytes[offset] = value;
  }
  return { run, seed, outcome, writes: device.writes, mutations };
}

/** Tallies of many runs: how they ended, and every code seen (report problems and error codes). */
export interface FuzzTally {
  runs: number;
  reports: number;
  typedErrors: number;
  /** Reports on cards whose damage stopped inspect partway. */
  readPartway: number;
  writes: number;
  problemCodes: Map<string, number>;
  errorCodes: Map<string, number>;
  /**
   * What must never happen: an untyped error, a hang, a write, or a report claiming images or a boot on a
   * card it could not read past the damage.
   */
  failures: RunResult[];
}

export function emptyTally(): FuzzTally {
  return {
    runs: 0,
    reports: 0,
    typedErrors: 0,
    readPartway: 0,
    writes: 0,
    problemCodes: new Map(),
    errorCodes: new Map(),
    failures: [],
  };
}

export function tally(into: FuzzTally, result: RunResult): void {
  const bump = (map: Map<string, number>, code: string) => map.set(code, (map.get(code) ?? 0) + 1);
  into.runs += 1;
  into.writes += result.writes;
  const { outcome } = result;
  if (outcome.kind === 'report') {
    into.reports += 1;
    if (outcome.readPartway) into.readPartway += 1;
    for (const code of new Set(outcome.problems)) bump(into.problemCodes, code);
  } else if (outcome.kind === 'typed-error') {
    into.typedErrors += 1;
    bump(into.errorCodes, outcome.code);
  }
  const claims = outcome.kind === 'report' && outcome.claimsPastDamage;
  if (outcome.kind === 'other-error' || outcome.kind === 'hang' || claims || result.writes > 0)
    into.failures.push(result);
}

/** One line per failure, enough to reproduce it: the run, its seed, what was mutated, how it ended. */
export function describeFailure(result: RunResult): string {
  const { outcome } = result;
  const how =
    outcome.kind === 'other-error'
      ? `threw ${outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : String(outcome.error)}`
      : outcome.kind === 'hang'
        ? 'did not finish'
        : result.writes > 0
          ? `wrote ${result.writes} time(s)`
          : 'reported images or a boot past the damage that stopped it';
  return `run ${result.run} (seed ${result.seed}): ${how}; mutated ${result.mutations.join(', ')}`;
}
