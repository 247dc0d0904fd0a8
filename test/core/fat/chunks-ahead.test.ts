import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { IO_CHUNK } from '../../../electron/core/block/io-chunk.js';
import { openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { PassThroughBlockDevice } from '../block/pass-through-device.js';
import { makeTempDir, pseudoRandomBytes } from './fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('chunks-ahead');
afterAll(() => temp.remove());

/** A card whose big file is split over the holes that deleted files left: several cluster runs. */
async function fragmentedCard() {
  const image = join(temp.dir, 'fragmented.img');
  const device = await FileBlockDevice.create(image, 64 * MiB);
  const volume = await formatFat(device, { fatType: 32, label: 'AHEAD' });
  // 3 MiB files nearly fill the card; every other one goes, so no hole holds the big file whole.
  for (let i = 0; i < 19; i++) await volume.writeFile(`/small-${i}.bin`, new Uint8Array(3 * MiB).fill(i));
  for (let i = 0; i < 19; i += 2) await volume.unlink(`/small-${i}.bin`);
  const big = pseudoRandomBytes(3 * IO_CHUNK + 12345, 99);
  await volume.writeFile('/big.img', big);
  await volume.flush();
  await volume.close();
  await device.close();
  return { image, big };
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

describe('reading a file ahead into reused buffers', () => {
  it('yields the file byte for byte through at most three buffers, hashed one chunk at a time', async () => {
    const { image, big } = await fragmentedCard();
    const device = await FileBlockDevice.open(image, { readOnly: true });
    const volume = await openFat(device, { readOnly: true });
    const sectors = await volume.fileSectors('/big.img');
    const runs = sectors.filter((sector, i) => i === 0 || sector !== (sectors[i - 1] as number) + 1).length;
    expect(runs).toBeGreaterThan(1);
    const hash = createHash('sha1');
    const buffers = new Set<ArrayBufferLike>();
    let bytes = 0;
    for await (const chunk of volume.chunksAhead('/big.img')) {
      expect(sha1(chunk)).toBe(sha1(big.subarray(bytes, bytes + chunk.length)));
      hash.update(chunk);
      buffers.add(chunk.buffer);
      bytes += chunk.length;
    }
    expect(bytes).toBe(big.length);
    expect(hash.digest('hex')).toBe(sha1(big));
    expect(buffers.size).toBeLessThanOrEqual(3);
    await device.close();
  });

  it('falls back to plain reads on a device that cannot read into a buffer, and stops cleanly midway', async () => {
    const { image, big } = await fragmentedCard();
    const device = await FileBlockDevice.open(image, { readOnly: true });
    const plain = new PassThroughBlockDevice(device);
    expect('readInto' in plain).toBe(false);
    const volume = await openFat(plain, { readOnly: true });
    const hash = createHash('sha1');
    for await (const chunk of volume.chunksAhead('/big.img')) hash.update(chunk);
    expect(hash.digest('hex')).toBe(sha1(big));
    // Leaving after the first chunk settles the reads made ahead; the volume reads on afterwards.
    for await (const chunk of volume.chunksAhead('/big.img')) {
      expect(chunk.length).toBe(IO_CHUNK);
      break;
    }
    expect(sha1(await volume.readFile('/big.img'))).toBe(sha1(big));
    await device.close();
  });
});
