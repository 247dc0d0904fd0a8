import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { CardError } from '../../../electron/core/card/card-error.js';
import { copyImageToCard } from '../../../electron/core/card/copy-image.js';
import { digestChunksInPool } from '../../../electron/core/card/hash-pool.js';
import type { ImageSource } from '../../../electron/core/card/image-source.js';
import { formatFat } from '../../../electron/core/fat/format.js';

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

/** Odd-sized chunks, some of them views into a larger buffer, as readers hand them out. */
async function* pieces(data: Uint8Array, size: number, failAfter = Number.POSITIVE_INFINITY) {
  let index = 0;
  for (let offset = 0; offset < data.length; offset += size) {
    if (index++ >= failAfter) throw new Error('reader failed');
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
    chunks: () => pieces(data, 32 * 1024),
  };
}

describe('digestChunksInPool', () => {
  it('gives the digest and byte count the main thread computes, for many digests at once', async () => {
    const inputs = Array.from({ length: 7 }, (_, i) => randomBytes(300_000 + i * 4099));
    let reported = 0;
    const results = await Promise.all(
      inputs.map((data, i) =>
        digestChunksInPool(pieces(data, 10_000 + i * 777), i % 2 ? 'sha1' : 'sha256', (done) => {
          reported = Math.max(reported, done);
        }),
      ),
    );
    results.forEach((result, i) => {
      const data = inputs[i] as Uint8Array;
      expect(result.bytes).toBe(data.length);
      expect(result.digest).toBe(
        createHash(i % 2 ? 'sha1' : 'sha256')
          .update(data)
          .digest('hex'),
      );
    });
    expect(reported).toBeGreaterThan(300_000);
  });

  it('passes a reader failure on, and the next digest is still right', async () => {
    const data = randomBytes(200_000);
    await expect(digestChunksInPool(pieces(data, 8192, 5), 'sha1')).rejects.toThrow('reader failed');
    const again = await Promise.all([1, 2, 3].map(() => digestChunksInPool(pieces(data, 8192), 'sha1')));
    for (const result of again) expect(result.digest).toBe(sha1(data));
  });
});

describe('copyImageToCard with a vouched digest', () => {
  it('copies without hashing on the way in and records the vouched digest', async () => {
    const data = randomBytes(700_000);
    const volume = await formatFat(new MemoryBlockDevice(32 * 1024 * 1024));
    const copied = await copyImageToCard(volume, memoryImage(data), { knownSha1: () => sha1(data) });
    expect(copied.sha1).toBe(sha1(data));
    expect(Buffer.compare(await volume.readFile('AstLinux-1.2.3.img'), data)).toBe(0);
  });

  it('still compares the read-back: a voucher that is wrong fails the copy and leaves nothing bootable', async () => {
    const data = randomBytes(500_000);
    const volume = await formatFat(new MemoryBlockDevice(32 * 1024 * 1024));
    const wrong = sha1(Buffer.concat([data, Buffer.from([1])]));
    const copy = copyImageToCard(volume, memoryImage(data), { knownSha1: () => wrong });
    await expect(copy).rejects.toSatisfy(
      (error) => error instanceof CardError && error.code === 'verify-failed',
    );
    const names = (await volume.readdir('/')).map((entry) => entry.name);
    expect(names.filter((name) => name.startsWith('AstLinux'))).toEqual([]);
  });

  it('refuses to finish when the voucher never learnt the digest', async () => {
    const data = randomBytes(100_000);
    const volume = await formatFat(new MemoryBlockDevice(32 * 1024 * 1024));
    const copy = copyImageToCard(volume, memoryImage(data), { knownSha1: () => null });
    await expect(copy).rejects.toSatisfy(
      (error) => error instanceof CardError && error.code === 'source-unreadable',
    );
    const names = (await volume.readdir('/')).map((entry) => entry.name);
    expect(names.filter((name) => name.startsWith('AstLinux'))).toEqual([]);
  });
});
