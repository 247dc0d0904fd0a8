import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchReport, type BatchTarget, runBatch } from '../../../electron/core/batch/index.js';
import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import {
  BlockFingerprinter,
  FINGERPRINT_BLOCK,
  FingerprintCheck,
  fingerprintOf,
  firstDifference,
} from '../../../electron/core/card/block-fingerprint.js';
import { CardError } from '../../../electron/core/card/card-error.js';
import { copyImageToCard } from '../../../electron/core/card/copy-image.js';
import type { ImageSource } from '../../../electron/core/card/image-source.js';
import { createKeydiskImage } from '../../../electron/core/card/keydisk.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { PassThroughBlockDevice } from '../block/pass-through-device.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsNames,
  removeScratch,
  scratch,
} from '../card/card-fixtures.js';

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

/** Odd-sized chunks, views into the whole, as readers hand them out. */
async function* pieces(data: Uint8Array, size: number) {
  for (let offset = 0; offset < data.length; offset += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield data.subarray(offset, offset + size);
  }
}

function memoryImage(data: Uint8Array): ImageSource {
  return {
    name: 'AstLinux-1.2.3.img',
    size: data.length,
    expected: null,
    origin: 'memory',
    chunks: () => pieces(data, 32 * 1024 + 7),
  };
}

function chunked(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...at, data.length]) {
    parts.push(data.subarray(from, cut));
    from = cut;
  }
  return parts;
}

describe('block fingerprints', () => {
  it('do not depend on how the stream was chunked', () => {
    const data = randomBytes(5 * FINGERPRINT_BLOCK + 333);
    const whole = fingerprintOf(data);
    expect(whole.blocks).toHaveLength(6);
    expect(whole.bytes).toBe(data.length);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
        const running = new BlockFingerprinter();
        for (const part of chunked(data, cuts)) running.update(part);
        expect(running.digest()).toEqual(whole);
      }),
      { numRuns: 50 },
    );
  });

  it('catch any one flipped byte, and say which block it is in', () => {
    const data = randomBytes(3 * FINGERPRINT_BLOCK + 100);
    const expected = fingerprintOf(data);
    fc.assert(
      fc.property(fc.nat(data.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const copy = Buffer.from(data);
        copy[at] = (copy[at] as number) ^ flip;
        const differs = firstDifference(expected, fingerprintOf(copy));
        expect(differs).toBe(Math.floor(at / FINGERPRINT_BLOCK) * FINGERPRINT_BLOCK);
        const check = new FingerprintCheck(expected);
        for (const part of chunked(copy, [at + 1])) check.update(part);
        expect(check.finish()).toBe(differs);
      }),
      { numRuns: 200 },
    );
  });

  it('catch a stream that is shorter or longer, even by one byte', () => {
    const data = randomBytes(2 * FINGERPRINT_BLOCK);
    const expected = fingerprintOf(data);
    expect(firstDifference(expected, fingerprintOf(data.subarray(0, data.length - 1)))).not.toBeNull();
    const longer = new FingerprintCheck(expected);
    longer.update(data);
    expect(longer.update(new Uint8Array(1))).toBe(false);
    expect(longer.finish()).toBe(data.length);
    const same = new FingerprintCheck(expected);
    same.update(data);
    expect(same.finish()).toBeNull();
  });
});

describe('copyImageToCard with vouched digests', () => {
  it('copies without digesting on the way in and records the vouched SHA-1', async () => {
    const data = randomBytes(700_000);
    const volume = await formatFat(new MemoryBlockDevice(32 * 1024 * 1024));
    const copied = await copyImageToCard(volume, memoryImage(data), {
      vouched: () => ({ sha1: sha1(data), fingerprint: fingerprintOf(data) }),
    });
    expect(copied.sha1).toBe(sha1(data));
    expect(Buffer.compare(await volume.readFile('AstLinux-1.2.3.img'), data)).toBe(0);
  });

  it('still checks the read-back: a fingerprint of other bytes fails the copy and leaves nothing bootable', async () => {
    const data = randomBytes(500_000);
    const other = Buffer.from(data);
    other[400_000] = (other[400_000] as number) ^ 1;
    const volume = await formatFat(new MemoryBlockDevice(32 * 1024 * 1024));
    const copy = copyImageToCard(volume, memoryImage(data), {
      vouched: () => ({ sha1: sha1(other), fingerprint: fingerprintOf(other) }),
    });
    await expect(copy).rejects.toSatisfy(
      (error) =>
        error instanceof CardError &&
        error.code === 'verify-failed' &&
        (error.detail ?? '').includes(
          `at byte ${Math.floor(400_000 / FINGERPRINT_BLOCK) * FINGERPRINT_BLOCK}`,
        ),
    );
    const names = (await volume.readdir('/')).map((entry) => entry.name);
    expect(names.filter((name) => name.startsWith('AstLinux'))).toEqual([]);
  });

  it('refuses to finish when the voucher never learnt the digests', async () => {
    const data = randomBytes(100_000);
    const volume = await formatFat(new MemoryBlockDevice(32 * 1024 * 1024));
    const copy = copyImageToCard(volume, memoryImage(data), { vouched: () => null });
    await expect(copy).rejects.toSatisfy(
      (error) => error instanceof CardError && error.code === 'source-unreadable',
    );
    const names = (await volume.readdir('/')).map((entry) => entry.name);
    expect(names.filter((name) => name.startsWith('AstLinux'))).toEqual([]);
  });
});

/**
 * A card whose medium silently changes one byte of the image's data once it has been flushed: the damage
 * is really on the card, as a failing flash cell would leave it. The image's data is recognised by its
 * first bytes.
 */
class CorruptingCard extends PassThroughBlockDevice {
  private target: number | null = null;
  corrupted = false;
  constructor(
    inner: BlockDevice,
    private readonly imageHead: Uint8Array,
    private readonly at = 777_777,
  ) {
    super(inner);
  }
  override async write(offset: number, data: Uint8Array) {
    const head = data.subarray(0, this.imageHead.length);
    if (this.target === null && data.length > this.at && Buffer.compare(head, this.imageHead) === 0)
      this.target = offset + this.at;
    await this.inner.write(offset, data);
  }
  override async flush() {
    await this.inner.flush();
    if (this.target !== null && !this.corrupted) {
      const [byte] = await this.inner.read(this.target, 1);
      await this.inner.write(this.target, Uint8Array.of((byte as number) ^ 0x01));
      this.corrupted = true;
    }
  }
}

afterAll(removeScratch);

/** A blank 32 MiB card image, ready to be chosen for a batch. */
function newCardFile(path: string): string {
  writeFileSync(path, '');
  truncateSync(path, 32 * 1024 * 1024);
  return path;
}

describe('a batch read-back', () => {
  it('fails the one card whose medium changed a byte after writing; the others verify', async () => {
    const dir = scratch('corrupt');
    const image = fakeImage(dir, '1.6.0', 4 * 1024 * 1024 + 99);
    const damaged: CorruptingCard[] = [];
    const targets: BatchTarget[] = [0, 1, 2].map((i) => ({
      slot: `slot ${i + 1}`,
      target: newCardFile(join(dir, `card${i}.img`)),
    }));
    const records = await runBatch(targets, {
      batch: 'corrupt',
      images: [image],
      report: await BatchReport.open(join(dir, 'report')),
      writer: {
        mode: 'in-process',
        openDevice: async (spec, _checked, readOnly) => {
          const disk = await FileBlockDevice.open(spec.device, { readOnly });
          if (spec.device !== targets[1]?.target) return disk;
          const card = new CorruptingCard(disk, readFileSync(image).subarray(0, 64));
          damaged.push(card);
          return card;
        },
      },
    });
    expect(damaged[0]?.corrupted).toBe(true);
    expect(records.map((record) => record.verified)).toEqual([true, false, true]);
    expect(records[1]?.error).toMatch(/reads back differently/);
    // The damaged card never got the image under its bootable name; the others boot it, verified.
    expect(mtoolsNames(targets[1]?.target as string, 'mbr')).not.toContain('AstLinux-1.6.0.img');
    for (const i of [0, 2]) {
      const target = targets[i]?.target as string;
      expect((await inspectImageFile(target)).boot).toMatchObject({
        image: 'AstLinux-1.6.0.img',
        verified: true,
      });
      expect(fsckCard(target, 'mbr').status).toBe(0);
    }
  }, 60_000);

  it('fails a card whose keydisk changed on the medium after writing', async () => {
    const dir = scratch('corrupt-kd');
    const image = fakeImage(dir, '1.6.0', 1024 * 1024 + 5);
    const keydisk = createKeydiskImage();
    let damaged: CorruptingCard | null = null;
    const targets: BatchTarget[] = [0, 1].map((i) => ({
      slot: `slot ${i + 1}`,
      target: newCardFile(join(dir, `card${i}.img`)),
    }));
    const records = await runBatch(targets, {
      batch: 'corrupt-kd',
      images: [image],
      keydisk: { data: keydisk },
      report: await BatchReport.open(join(dir, 'report')),
      writer: {
        mode: 'in-process',
        openDevice: async (spec, _checked, readOnly) => {
          const disk = await FileBlockDevice.open(spec.device, { readOnly });
          if (spec.device !== targets[1]?.target) return disk;
          damaged = new CorruptingCard(disk, keydisk.subarray(0, 2048), keydisk.length - 1000);
          return damaged;
        },
      },
    });
    expect((damaged as CorruptingCard | null)?.corrupted).toBe(true);
    expect(records.map((record) => record.verified)).toEqual([true, false]);
    expect(records[1]?.error).toMatch(/keydisk reads back differently/);
  }, 60_000);
});
