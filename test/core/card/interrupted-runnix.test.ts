/**
 * The proof for RUNNIX cards: `add` of a release, and `revert`, cut off at every write (each write
 * can be the last that lands). After every cut, inspect predicts by RUNNIX's rules a boot whose checksum it
 * computed and found right — RUNNIX would boot a damaged .run without a word, so a cut must never leave
 * os/ver naming one — and fsck.fat -n finds nothing worse than lost clusters.
 *
 * The cards are built by the fixtures the way AstLinux's build makes them (mkfs.vfat, syslinux, mtools), and
 * the releases are the stand-ins (real squashfs .run files), so every write astcard makes lands on a FAT
 * volume it did not format itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStandInRelease, type StandInRelease } from '../../../e2e/fixtures/astlinux-real/release.js';
import {
  buildRunnixCard,
  RUNNIX_PARTITION_START,
  type RunnixCardSpec,
} from '../../../e2e/fixtures/astlinux-real/runnix-card.js';
import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { addImages } from '../../../electron/core/card/images.js';
import { releaseFromRunFile } from '../../../electron/core/card/release-source.js';
import { revertCard } from '../../../electron/core/card/revert.js';
import { inspectImageFile, removeScratch, scratch } from './card-fixtures.js';
import { FaultyBlockDevice } from './faulty-device.js';
import { analyseFsck } from './fsck-analysis.js';

const dir = scratch('interrupt-runnix');
const releases: StandInRelease[] = [];

interface Scenario {
  title: string;
  card: (r: StandInRelease[]) => RunnixCardSpec;
  operation: (disk: BlockDevice, r: StandInRelease[]) => Promise<unknown>;
  /** What RUNNIX may boot after a cut: before the switch, and after it. */
  bootable: string[];
}

const add = async (disk: BlockDevice, r: StandInRelease[]) =>
  addImages(disk, [], { releases: [await releaseFromRunFile((r[2] as StandInRelease).run)] });

const scenarios: Scenario[] = [
  {
    title: 'add of a release onto a card without os/ver (RUNNIX boots the alphabetically last .run)',
    card: (r) => ({ releases: [r[0] as StandInRelease, r[1] as StandInRelease], sizeMiB: 48 }),
    operation: add,
    bootable: ['os/astlinux-1.5.9.run', 'os/astlinux-1.5.11.run'],
  },
  {
    title: "add of a release onto a card with os/ver and os/Xver (os/Xver's release is removed to make room)",
    card: (r) => ({
      releases: [r[0] as StandInRelease, r[1] as StandInRelease],
      sizeMiB: 48,
      ver: 'astlinux-1.5.10\n',
      xver: 'astlinux-1.5.9\n',
    }),
    operation: add,
    bootable: ['os/astlinux-1.5.10.run', 'os/astlinux-1.5.11.run'],
  },
  {
    title: 'revert',
    card: (r) => ({
      releases: [r[0] as StandInRelease, r[1] as StandInRelease],
      sizeMiB: 48,
      ver: 'astlinux-1.5.10\n',
      xver: 'astlinux-1.5.9\n',
    }),
    operation: (disk) => revertCard(disk),
    bootable: ['os/astlinux-1.5.10.run', 'os/astlinux-1.5.9.run'],
  },
];

beforeAll(async () => {
  for (const version of ['1.5.9', '1.5.10', '1.5.11'])
    releases.push(await buildStandInRelease({ version }, dir));
}, 600_000);

afterAll(removeScratch);

/** fsck.fat -n over the card's FAT volume, which a RUNNIX card starts at sector 63. */
function fsck(card: string): string {
  const volume = `${card}.volume`;
  execFileSync('dd', [
    `if=${card}`,
    `of=${volume}`,
    'bs=512',
    `skip=${RUNNIX_PARTITION_START}`,
    'status=none',
  ]);
  try {
    return execFileSync('fsck.fat', ['-n', volume], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failed = error as { stdout: string; stderr: string };
    return `${failed.stdout}${failed.stderr}`;
  } finally {
    rmSync(volume, { force: true });
  }
}

describe.each(scenarios)('$title, cut off at any write', (scenario) => {
  const base = join(dir, `base-${scenarios.indexOf(scenario)}.card`);
  let totalWrites = 0;

  async function run(card: string, writesBeforeFailure: number) {
    const file = await FileBlockDevice.open(card);
    const disk = new FaultyBlockDevice(file, writesBeforeFailure);
    try {
      await scenario.operation(disk, releases);
      return { failed: false, writes: disk.writes };
    } catch (error) {
      if (!disk.failed) throw error;
      return { failed: true, writes: disk.writes };
    } finally {
      await file.close();
    }
  }

  beforeAll(async () => {
    await buildRunnixCard(base, scenario.card(releases));
    const card = join(dir, 'count.card');
    writeFileSync(card, readFileSync(base));
    const complete = await run(card, Number.POSITIVE_INFINITY);
    expect(complete.failed).toBe(false);
    totalWrites = complete.writes;
    // Uncut, the operation ends on the new release, and fsck finds nothing at all.
    const report = await inspectImageFile(card);
    expect(report.boot).toMatchObject({ image: scenario.bootable[1], verified: true, by: 'runnix' });
    expect(fsck(card)).not.toMatch(/Reclaimed|differ|share/);
    rmSync(card);
  }, 300_000);

  it('always leaves RUNNIX booting a release whose checksum is right, and fsck finds at most lost clusters', async () => {
    expect(totalWrites).toBeGreaterThanOrEqual(8);
    // The uncut run (beforeAll) ends on the new release; the switch to it may be the very last write.
    const booted = new Set<string>([scenario.bootable[1] as string]);
    for (let cut = 0; cut < totalWrites; cut++) {
      const card = join(dir, `cut-${cut}.card`);
      writeFileSync(card, readFileSync(base));
      const outcome = await run(card, cut);
      expect(outcome.failed, `cut after ${cut} of ${totalWrites} writes`).toBe(true);

      const report = await inspectImageFile(card);
      const at = `cut after ${cut} of ${totalWrites} writes`;
      expect(report.bootLoader, at).toBe('runnix');
      expect(report.boot, `${at}: ${report.bootLines.join(' / ')}`).not.toBeNull();
      expect(report.boot?.verified, `${at}: ${report.bootLines.join(' / ')}`).toBe(true);
      expect(scenario.bootable, at).toContain(report.boot?.image);
      booted.add(report.boot?.image ?? '');

      const found = analyseFsck(
        fsck(card),
        /(ver|Xver)\.new|astlinux-[\d.]+\.run\.part/,
        /(ver|Xver)|astlinux-[\d.]+\.run/,
      );
      expect(found.bad, at).toEqual([]);
      rmSync(card);
    }
    // Cuts before the switch leave the card on the release it ran.
    expect([...booted].sort()).toEqual([...scenario.bootable].sort());
  }, 1_200_000);
});
