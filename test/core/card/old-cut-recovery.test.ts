/**
 * Cards an older astcard cut off in the middle of a replace: it switched the final name to the new data
 * first, so the cut left the temporary name and the final name on one chain (the state issue 17 found
 * after `keydisk import`, `loader update` and `source set`). Whatever order a cut left them in, the
 * obvious retry and one more add must leave the new data under the final name, a card fsck.fat finds
 * nothing wrong with, and a boot. The state is made by hand here, as the old code left it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { u32 } from '../../../electron/core/block/little-endian.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { openCardVolume } from '../../../electron/core/card/card-volume.js';
import { parseBootSector } from '../../../electron/core/fat/boot-sector.js';
import type { SingleJob } from '../../../electron/core/writer/prepare-job.js';
import { predictBoot } from './boot-oracle.js';
import { fakeImage, PARTITION_OFFSET, removeScratch, scratch } from './card-fixtures.js';
import { fsckVolume, harnessCard, mke2fsKeydisk, runJobOn } from './cut-retry-harness.js';

const dir = scratch('old-cut');
const images = scratch('old-cut-images');
afterAll(removeScratch);

let base: Uint8Array;
let imported: Uint8Array;
let importPath: string;

beforeAll(async () => {
  for (const version of ['2.0.0', '2.1.0']) fakeImage(images, version, 400_000);
  mke2fsKeydisk(join(dir, 'kd.img'), 'before');
  importPath = join(dir, 'kd-new.img');
  imported = mke2fsKeydisk(importPath, 'after');
  base = await harnessCard(dir, [join(images, 'AstLinux-2.0.0.img')], join(dir, 'kd.img'), 40 * 1024 * 1024);
});

/** The 8.3 name as shown ("KDIMG~1.PAR") as stored: 8 + 3 characters, space padded. */
function raw83(shortName: string): string {
  const [stem = '', ext = ''] = shortName.toUpperCase().split('.');
  return stem.padEnd(8, ' ') + ext.padEnd(3, ' ');
}

/**
 * What the old replace left after its first write: `temporary` written whole, and the final name's entry
 * switched to its chain and size; the final name's old clusters are lost. Root directory of a FAT16 card.
 */
async function cutOldReplace(card: Uint8Array, final: string, temporary: string, data: Uint8Array) {
  const { volume } = await openCardVolume(new MemoryBlockDevice(card));
  await volume.writeFile(temporary, data);
  const aliases = [(await volume.stat(temporary)).shortName, (await volume.stat(final)).shortName];
  await volume.close();
  const geometry = parseBootSector(card.subarray(PARTITION_OFFSET, PARTITION_OFFSET + 512), card.length);
  const root = PARTITION_OFFSET + geometry.rootDirSector * geometry.bytesPerSector;
  const [from, to] = aliases.map((alias) => {
    for (let slot = 0; slot < geometry.rootEntryCount; slot++) {
      const at = root + slot * 32;
      if (String.fromCharCode(...card.subarray(at, at + 11)) === raw83(alias)) return at;
    }
    throw new Error(`no 8.3 entry ${alias}`);
  }) as [number, number];
  card.copyWithin(to + 20, from + 20, from + 22); // start cluster, high word
  card.copyWithin(to + 26, from + 26, from + 32); // start cluster, low word; size
  expect(u32(card, to + 28)).toBe(data.length);
}

const cases: Array<{ name: string; final: string; temporary: string; job: () => SingleJob }> = [
  {
    name: 'keydisk import',
    final: 'kd.img',
    temporary: 'kd.img.part',
    job: () => ({ kind: 'keydisk-place', keydisk: importPath, replace: true }),
  },
  {
    name: 'loader update',
    final: 'syslinux.cfg',
    temporary: 'syslinux.new',
    job: () => ({ kind: 'loader-update', force: true }),
  },
  {
    name: 'source set',
    final: 'syslinux.cfg',
    temporary: 'syslinux.src',
    job: () => ({ kind: 'sources', urls: ['http://192.168.1.2/astlinux/'] }),
  },
];

describe('a card an older astcard cut mid-replace, then the obvious retry and one more add', () => {
  it.each(cases)('$name: $temporary and $final on one chain', async ({ final, temporary, job }) => {
    const card = base.slice();
    const config = 'DEFAULT loader\nLABEL loader\n  KERNEL bzImage\n  INITRD loader.img\n';
    const data = final === 'kd.img' ? imported : new TextEncoder().encode(config);
    await cutOldReplace(card, final, temporary, data);
    const before = fsckVolume(card, dir);
    expect(before.join('\n')).toMatch(/share clusters/);

    await runJobOn(card, job());
    await runJobOn(card, { kind: 'add', images: [join(images, 'AstLinux-2.1.0.img')] });

    expect(fsckVolume(card, dir)).toEqual([]);
    const disk = new MemoryBlockDevice(card);
    const boot = await predictBoot(disk);
    expect(boot).toMatchObject({ image: 'AstLinux-2.1.0.img', missing: [] });
    expect(boot.config?.boots).toBe(true);
    if (temporary === 'kd.img.part') {
      const { volume } = await openCardVolume(disk, { readOnly: true });
      expect(Buffer.from(await volume.readFile('kd.img')).equals(Buffer.from(imported))).toBe(true);
    }
  });
});
