/**
 * The proof for `add`: cut the card off at many points of the copy (every write can be the last
 * one that lands) and check, each time, that the card still boots a good image by the loader's own
 * decision and that `fsck.fat -n` finds nothing worse than lost clusters.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { addImages } from '../../../electron/core/card/images.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  preparedCard,
  removeScratch,
  scratch,
} from './card-fixtures.js';
import { FaultyBlockDevice } from './faulty-device.js';
import { analyseFsck } from './fsck-analysis.js';

const dir = scratch('interrupt');
const CARD_SIZE = 24 * 1024 * 1024;

interface Scenario {
  title: string;
  onCard: Array<[string, number]>;
  add: [string, number];
  keep?: number;
  /** Images that may be the one booting after the cut. */
  bootable: string[];
}

const scenarios: Scenario[] = [
  {
    title: 'a newer image',
    onCard: [['2.0.0', 1_000_000]],
    add: ['2.1.0', 2_200_000],
    bootable: ['AstLinux-2.0.0.img', 'AstLinux-2.1.0.img'],
  },
  {
    title: 'a newer image with --keep 1, pruning the older ones',
    onCard: [
      ['2.0.0', 900_000],
      ['2.0.1', 1_000_000],
    ],
    add: ['2.1.0', 1_800_000],
    keep: 1,
    bootable: ['AstLinux-2.0.1.img', 'AstLinux-2.1.0.img'],
  },
  {
    title: 'the same version again, replacing the copy on the card',
    onCard: [
      ['2.0.0', 900_000],
      ['2.1.0', 1_500_000],
    ],
    add: ['2.1.0', 1_600_000],
    bootable: ['AstLinux-2.0.0.img', 'AstLinux-2.1.0.img'],
  },
];

afterAll(removeScratch);

describe.each(scenarios)('add of $title, cut off at any write', (scenario) => {
  const name = scenario.add[0];
  const base = join(dir, `base-${name}-${scenario.keep ?? 0}-${scenario.onCard.length}.img`);
  const sources = scratch('interrupt-sources');
  let addPath = '';
  let totalWrites = 0;

  async function runAdd(card: string, writesBeforeFailure: number) {
    const file = await FileBlockDevice.open(card);
    const disk = new FaultyBlockDevice(file, writesBeforeFailure);
    try {
      await addImages(
        disk,
        [await imageFromFile(addPath)],
        scenario.keep === undefined ? {} : { keep: scenario.keep },
      );
      return { failed: false, writes: disk.writes };
    } catch (error) {
      if (!disk.failed) throw error;
      return { failed: true, writes: disk.writes };
    } finally {
      await file.close();
    }
  }

  beforeAll(async () => {
    const onCard = scenario.onCard.map(([version, size]) => fakeImage(sources, version, size));
    await preparedCard(base, CARD_SIZE, onCard);
    addPath = fakeImage(scratch('interrupt-new'), name, scenario.add[1]);
    const card = join(dir, 'count.img');
    writeFileSync(card, readFileSync(base));
    const complete = await runAdd(card, Number.POSITIVE_INFINITY);
    expect(complete.failed).toBe(false);
    totalWrites = complete.writes;
  });

  it('always leaves a card that boots a verified good image and fsck finds at most lost clusters', async () => {
    expect(totalWrites).toBeGreaterThanOrEqual(10);
    const cuts = new Set<number>();
    for (let i = 0; i < totalWrites; i++) cuts.add(i);
    const booted = new Set<string>();
    let reclaimed = 0;
    let renameWindows = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const card = join(dir, `cut-${cut}.img`);
      writeFileSync(card, readFileSync(base));
      const run = await runAdd(card, cut);
      expect(run.failed, `cut after ${cut} of ${totalWrites} writes`).toBe(true);

      const report = await inspectImageFile(card);
      expect(report.boot, `cut after ${cut} writes: nothing boots`).not.toBeNull();
      expect(report.boot?.verified).toBe(true);
      expect(scenario.bootable).toContain(report.boot?.image);
      booted.add(report.boot?.image ?? '');
      for (const image of report.images) {
        // No half-written image ever carries a checksum file: each one is good, or has none.
        expect(['ok', 'missing'], `${image.name} after cut ${cut}`).toContain(image.checksum);
      }

      const fsck = fsckCard(card, 'mbr');
      const found = analyseFsck(fsck.output, /AstLinux-[\d.]+\.img\.part/, /AstLinux-[\d.]+\.img/);
      expect(found.bad, `cut after ${cut} writes:\n${fsck.output}`).toEqual([]);
      if (found.renameWindow) renameWindows++;
      if (/Reclaimed/.test(fsck.output)) reclaimed++;
      rmSync(card);
    }
    // The cuts span the whole copy: some land before the switch, some after.
    expect(booted.size).toBeGreaterThanOrEqual(scenario.bootable.length - 1);
    expect(reclaimed).toBeGreaterThan(0);
    // The .part is renamed old-entry-first: no cut may leave two names on one chain.
    expect(renameWindows).toBe(0);
  });
});
