/**
 * Issue 17, item 5: a card whose file system is damaged in a way no cut of astcard's own leaves — a chain
 * running into free space, two files crossing, a chain looping — is never written: `add` refuses with the
 * reason and points at `astcard repair`, leaving every byte as it was. The repair job then puts it right
 * (fsck.fat -n finds nothing), every file keeps the content it had (the keydisk byte for byte, each image
 * still matching its checksum, so the card still boots it), and the next `add` goes through. inspect says
 * the volume is damaged beforehand (reading only) and no longer afterwards.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { readKeydiskFromCard } from '../../../electron/core/card/keydisk.js';
import type { RepairCardResult } from '../../../electron/core/card/repair-card.js';
import { prepareJob } from '../../../electron/core/writer/prepare-job.js';
import { predictBoot } from './boot-oracle.js';
import { fakeImage, removeScratch, scratch } from './card-fixtures.js';
import { fsckVolume, harnessCard, mke2fsKeydisk, runJobOn } from './cut-retry-harness.js';
import { chainOf, freeCluster, setFat } from './fat-damage.js';

const dir = scratch('damaged-card');
const images = scratch('damaged-card-images');
afterAll(removeScratch);

let base: Uint8Array;
let keydisk: Uint8Array;
const OLD = 'AstLinux-2.0.0.img';

beforeAll(async () => {
  for (const version of ['2.0.0', '2.1.0']) fakeImage(images, version, 300_000);
  keydisk = mke2fsKeydisk(join(dir, 'kd.img'), 'the keydisk');
  base = await harnessCard(dir, [join(images, OLD)], join(dir, 'kd.img'), 40 * 1024 * 1024);
});

const damages: Array<{ name: string; complaint: RegExp; damage: (card: Uint8Array) => Promise<void> }> = [
  {
    name: 'the keydisk running into free space',
    complaint: /free cluster/,
    damage: async (card) => setFat(card, (await chainOf(card, 'kd.img')).at(-1) as number, freeCluster(card)),
  },
  {
    name: "an image's chain running into the keydisk's",
    // fsck.fat walks the image first, so it sees the image running on past its size into the keydisk.
    complaint: /AstLinux-2\.0\.0\.img\n\s+File size is 300000 bytes, cluster chain length is >/,
    damage: async (card) => {
      const keydiskChain = await chainOf(card, 'kd.img');
      setFat(card, (await chainOf(card, OLD)).at(-1) as number, keydiskChain[2] as number);
    },
  },
  {
    name: 'the keydisk looping back on itself',
    complaint: /loop|share clusters|cluster chain/i,
    damage: async (card) => {
      const chain = await chainOf(card, 'kd.img');
      setFat(card, chain.at(-1) as number, chain[1] as number);
    },
  },
];

describe('a damaged card is never written; repair puts it right, keeping every file', () => {
  it.each(damages)('$name', async ({ damage, complaint }) => {
    const card = base.slice();
    await damage(card);
    expect(fsckVolume(card, dir).join('\n')).toMatch(complaint);

    const damaged = card.slice();
    // inspect says so before anyone tries a change, and reads only.
    const seen = await inspectCard(new MemoryBlockDevice(card, { name: 'card.img' }), { quick: true });
    expect(seen.damage?.problems.length).toBeGreaterThan(0);
    expect(seen.problems.map((found) => found.code)).toContain('volume-damaged');
    expect(seen.problems.find((found) => found.code === 'volume-damaged')?.message).toContain(
      'astcard repair card.img',
    );
    // Never a boot prediction from a card read only partway.
    if (seen.damage?.complete === false) expect(seen.boot).toBeNull();
    expect(Buffer.from(card).equals(Buffer.from(damaged)), 'inspect wrote').toBe(true);

    const add = { kind: 'add' as const, images: [join(images, 'AstLinux-2.1.0.img')] };
    const refusal = await runJobOn(card, add).then(
      () => null,
      (error: unknown) => error as { code?: string; message: string },
    );
    expect(refusal?.code).toBe('volume-damaged');
    expect(refusal?.message).toMatch(/^Nothing was written: the card's file system is damaged/);
    expect(refusal?.message).toContain('astcard repair card.img');
    expect(Buffer.from(card).equals(Buffer.from(damaged)), 'the refused add wrote').toBe(true);

    const repaired = await repairJob(card);
    expect(repaired.writable).toBe(true);
    expect(repaired.remaining).toEqual([]);
    expect(repaired.repaired.length).toBeGreaterThan(0);
    expect(fsckVolume(card, dir)).toEqual([]);
    const disk = new MemoryBlockDevice(card);
    expect(Buffer.from((await readKeydiskFromCard(disk)) ?? []).equals(Buffer.from(keydisk))).toBe(true);
    expect((await predictBoot(disk)).image).toBe(OLD);
    const after = await inspectCard(disk, { quick: true });
    expect(after.damage).toBeNull();
    expect(after.problems.map((found) => found.code)).not.toContain('volume-damaged');

    await runJobOn(card, add);
    expect(fsckVolume(card, dir)).toEqual([]);
    expect((await predictBoot(disk)).image).toBe('AstLinux-2.1.0.img');
    expect(Buffer.from((await readKeydiskFromCard(disk)) ?? []).equals(Buffer.from(keydisk))).toBe(true);
  });

  it('repair on a sound card changes nothing and says so', async () => {
    const card = base.slice();
    const result = await repairJob(card);
    expect(result).toEqual({ repaired: [], remaining: [], writable: true });
    expect(Buffer.from(card).equals(Buffer.from(base))).toBe(true);
  });
});

async function repairJob(card: Uint8Array): Promise<RepairCardResult> {
  const prepared = await prepareJob({ kind: 'repair' });
  return prepared.run(new MemoryBlockDevice(card, { name: 'card.img' }), {});
}
