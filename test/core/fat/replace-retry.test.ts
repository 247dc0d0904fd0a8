/**
 * Issue 17, item 1 at the FAT level: a temporary file renamed over its final name (`kd.img.part` →
 * `kd.img`), cut off after any of its writes, then the obvious retry — delete the temporary file if it is
 * there, write it again, rename it over again. Whatever the cut left, the retry must end with the final
 * name holding the retried data and fsck.fat finding nothing at all: no file sharing clusters with another,
 * none holding a free cluster. The temporary entry sits in another directory sector than the final one,
 * and in the same one, since the two cases are written differently.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { FatError } from '../../../electron/core/fat/fat-error.js';
import { type FatVolume, openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { fsck, makeTempDir, pseudoRandomBytes } from './fat-tools.js';
import { RecordingBlockDevice } from './recording-device.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('replace-retry');
afterAll(() => temp.remove());

const OLD = pseudoRandomBytes(40_000, 11);
const NEW = pseudoRandomBytes(52_000, 12);
const RETRIED = pseudoRandomBytes(47_000, 13);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

async function removeIfPresent(volume: FatVolume, path: string): Promise<void> {
  await volume.unlink(path).catch((error: unknown) => {
    if (!(error instanceof FatError && error.code === 'not-found')) throw error;
  });
}

/** What card operations do: the new data under a temporary name, then renamed over the final name. */
async function replace(volume: FatVolume, data: Uint8Array): Promise<void> {
  await removeIfPresent(volume, '/kd.img.part');
  await volume.writeFile('/kd.img.part', data);
  await volume.rename('/kd.img.part', '/kd.img', { replace: true });
}

describe('a cut replace-rename, then the obvious retry', () => {
  for (const fatType of [16, 32] as const) {
    for (const fillers of [0, 14]) {
      const where = fillers === 0 ? 'one directory sector' : 'two directory sectors';
      it(`FAT${fatType}, entries in ${where}: the retry always wins and fsck finds nothing`, async () => {
        const memory = new MemoryBlockDevice(fatType === 16 ? 8 * MiB : 34 * MiB);
        const setup = await formatFat(memory, { fatType, label: 'RETRY' });
        await setup.writeFile('/kd.img', OLD);
        // 16 slots per 512-byte sector: fillers push the temporary entry into the next sector.
        for (let i = 0; i < fillers; i++) await setup.writeFile(`/F${i}.TXT`, new Uint8Array(100));
        await setup.writeFile('/kd.img.part', NEW);
        const before = memory.bytes.slice();
        const recording = new RecordingBlockDevice(memory);
        await (await openFat(recording)).rename('/kd.img.part', '/kd.img', { replace: true });
        expect(recording.writes.length).toBeGreaterThan(1);

        const image = join(temp.dir, `retry-${fatType}-${fillers}.img`);
        for (let cut = 0; cut <= recording.writes.length; cut++) {
          const bytes = recording.replay(before, cut);
          const volume = await openFat(new MemoryBlockDevice(bytes));
          const between = await volume.readFile('/kd.img');
          expect(same(between, OLD) || same(between, NEW), `cut ${cut}: kd.img is neither`).toBe(true);
          await replace(volume, RETRIED);
          expect(same(await volume.readFile('/kd.img'), RETRIED), `cut ${cut}: retry lost`).toBe(true);
          writeFileSync(image, bytes);
          const result = fsck(image);
          expect(result.complaints, `cut after write ${cut}:\n${result.output}`).toEqual([]);
        }
      });
    }
  }
});
