/**
 * The fault-injecting harness of issue 17: a mutating command is cut off before each of its writes in
 * turn, then the obvious retry runs (the same command again), then one more `add`. Commands run as the
 * writer runs them — the job prepared from its sources by prepareJob, then run on the card's device — so
 * recovery on open, the job layer and the card operations are all in the loop. Cards live in memory; the
 * oracles are real: fsck.fat -n on the volume, e2fsck -n on the exported keydisk, SYSLINUX's reading of
 * syslinux.cfg and the loader's boot plan (boot-oracle.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../../electron/core/card/assets.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { readKeydiskFromCard } from '../../../electron/core/card/keydisk.js';
import { type PrepareOptions, prepareCard } from '../../../electron/core/card/prepare.js';
import { prepareJob, type SingleJob } from '../../../electron/core/writer/prepare-job.js';
import { type BootPrediction, predictBoot } from './boot-oracle.js';
import { PARTITION_OFFSET } from './card-fixtures.js';
import { FaultyBlockDevice } from './faulty-device.js';

/** A command of the CLI as the writer receives it, and what the card's keydisk must be after it. */
export interface MutatingCommand {
  name: string;
  job: SingleJob;
  /** Runs once on the base card first (a `source clear` needs sources to clear). */
  setup?: SingleJob;
  /** The keydisk afterwards: unchanged (the default), these exact bytes, or checked by `keydiskCheck`. */
  keydisk?: 'unchanged' | Uint8Array | 'checked';
  /**
   * The retry's refusal when the cut came after the command had in effect finished (`remove` of an image
   * already gone): accepted, and the add still runs. The test then checks the effect is really there.
   */
  alreadyDone?: RegExp;
}

export interface CutOutcome {
  cut: number;
  /** Why the retry or the add failed, if it did: a finding, never expected. */
  failure: string | null;
  /** The retry's refusal that `alreadyDone` accepted, if any. */
  retryRefused: string | null;
  fsck: string[];
  boot: BootPrediction | null;
  keydisk: Uint8Array | null;
  bytes: Uint8Array;
}

/** Runs `job` on the card bytes `bytes` (changed in place) through `wrap`, which may inject a fault. */
export async function runJobOn(
  bytes: Uint8Array,
  job: SingleJob,
  wrap: (disk: BlockDevice) => BlockDevice = (disk) => disk,
): Promise<void> {
  const prepared = await prepareJob(job);
  const disk = wrap(new MemoryBlockDevice(bytes, { name: 'card.img' }));
  await prepared.run(disk, {});
}

/** How many writes `job` makes to a copy of `base`. */
export async function countWrites(base: Uint8Array, job: SingleJob): Promise<number> {
  let counting: FaultyBlockDevice | undefined;
  await runJobOn(base.slice(), job, (disk) => {
    counting = new FaultyBlockDevice(disk, Number.POSITIVE_INFINITY);
    return counting;
  });
  return counting?.writes ?? 0;
}

/**
 * One cut: `command` dies before its write number `cut` (0-based: `cut` writes land), then runs again,
 * then `finalAdd` runs; the card is then read back by every oracle.
 */
export async function cutRetryAdd(
  base: Uint8Array,
  command: MutatingCommand,
  cut: number,
  finalAdd: SingleJob,
  scratchDir: string,
): Promise<CutOutcome> {
  const bytes = base.slice();
  let faulty: FaultyBlockDevice | undefined;
  try {
    await runJobOn(bytes, command.job, (disk) => {
      faulty = new FaultyBlockDevice(disk, cut);
      return faulty;
    });
  } catch (error) {
    if (!faulty?.failed) throw error;
  }
  if (!faulty?.failed)
    throw new Error(`${command.name}: cut ${cut} never reached (fewer writes than counted)`);
  let failure: string | null = null;
  let retryRefused: string | null = null;
  try {
    await runJobOn(bytes, command.job);
  } catch (error) {
    const message = (error as Error).message;
    if (command.alreadyDone?.test(message)) retryRefused = message;
    else failure = `the retry failed: ${message}`;
  }
  if (!failure) {
    try {
      await runJobOn(bytes, finalAdd);
    } catch (error) {
      failure = `the add after it failed: ${(error as Error).message}`;
    }
  }
  const disk = new MemoryBlockDevice(bytes, { name: 'card.img' });
  const boot = await predictBoot(disk).catch(() => null);
  const keydisk = await readKeydiskFromCard(disk).catch(() => null);
  return { cut, failure, retryRefused, fsck: fsckVolume(bytes, scratchDir), boot, keydisk, bytes };
}

/** fsck.fat -n over the card's FAT partition: every line it complains with (empty: clean). */
export function fsckVolume(card: Uint8Array, scratchDir: string): string[] {
  const file = join(scratchDir, 'volume.img');
  writeFileSync(file, card.subarray(PARTITION_OFFSET));
  const run = spawnSync('fsck.fat', ['-n', file], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !/^fsck\.fat \d|^Checking we can access the last sector/.test(line))
    .filter((line) => !/: \d+ files, \d+\/\d+ clusters$/.test(line));
}

/** e2fsck -n over a keydisk: the lines it complains with (empty: clean). */
export function e2fsckKeydisk(keydisk: Uint8Array, scratchDir: string): string[] {
  const file = join(scratchDir, 'kd.img');
  writeFileSync(file, keydisk);
  const run = spawnSync('e2fsck', ['-fn', file], { encoding: 'utf8' });
  if (run.status === 0) return [];
  return `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
}

/** The base card of the harness: two images, a keydisk, the built loader and SYSLINUX. */
export async function harnessCard(
  dir: string,
  images: string[],
  keydisk: string,
  size: number,
  /** For cards that are booted: the consoles and what the loader does when nothing boots. */
  boot: Pick<PrepareOptions, 'console' | 'loaderOptions'> = {},
): Promise<Uint8Array> {
  const path = join(dir, 'base.img');
  const disk = await FileBlockDevice.create(path, size);
  try {
    await prepareCard(disk, {
      layout: 'mbr',
      images: await Promise.all(images.map((image) => imageFromFile(image))),
      keydisk: { path: keydisk },
      loader: await loadLoaderAssets(),
      syslinux: await loadSyslinuxAssets(),
      ...boot,
    });
  } finally {
    await disk.close();
  }
  return new Uint8Array(readFileSync(path));
}

/** A real ext2 keydisk made by mke2fs, labelled ASTKD, with one file in it. */
export function mke2fsKeydisk(path: string, marker: string): Uint8Array {
  execFileSync('truncate', ['-s', '0', path]);
  execFileSync('truncate', ['-s', '4M', path]);
  execFileSync('mke2fs', ['-q', '-t', 'ext2', '-L', 'ASTKD', '-F', path], { stdio: 'ignore' });
  const note = `${path}.note`;
  writeFileSync(note, `${marker}\n`);
  execFileSync('debugfs', ['-w', '-R', `write ${note} marker.txt`, path], { stdio: 'ignore' });
  return new Uint8Array(readFileSync(path));
}
