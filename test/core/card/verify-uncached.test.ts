import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { PartitionBlockDevice } from '../../../electron/core/block/partition-block-device.js';
import { uncachedView } from '../../../electron/core/block/uncached-view.js';
import {
  type LoaderAssets,
  loadLoaderAssets,
  loadSyslinuxAssets,
} from '../../../electron/core/card/assets.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { addImages } from '../../../electron/core/card/images.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { prepareCard } from '../../../electron/core/card/prepare.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import { fakeImage, removeScratch, scratch } from './card-fixtures.js';

const MiB = 1024 * 1024;

/**
 * A drive whose OS cache remembers our writes but whose medium lost a bit of the first large write after
 * `arm()`: `read` answers from the "cache", `readDirect` from the "medium" — like RawBlockDevice on Linux.
 */
class ForgetfulDrive implements BlockDevice {
  private damagedAt: number | null = null;
  private armed = false;
  directReads = 0;
  constructor(private readonly cache: MemoryBlockDevice) {}
  get name() {
    return 'forgetful drive';
  }
  get size() {
    return this.cache.size;
  }
  get sectorSize() {
    return this.cache.sectorSize;
  }
  arm() {
    this.armed = true;
  }
  read(offset: number, length: number) {
    return this.cache.read(offset, length);
  }
  async readDirect(offset: number, length: number) {
    this.directReads += 1;
    const bytes = (await this.cache.read(offset, length)).slice();
    const at = this.damagedAt;
    if (at !== null && at >= offset && at < offset + length)
      bytes[at - offset] = (bytes[at - offset] ?? 0) ^ 0x10;
    return bytes;
  }
  async write(offset: number, data: Uint8Array) {
    if (this.armed && this.damagedAt === null && data.length >= MiB) this.damagedAt = offset + 1234;
    return this.cache.write(offset, data);
  }
  flush() {
    return this.cache.flush();
  }
  close() {
    return this.cache.close();
  }
}

let loader: LoaderAssets;
let syslinux: SyslinuxBinaries;
const dir = scratch('uncached');
beforeAll(async () => {
  [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
  return () => removeScratch();
});

async function preparedDrive(): Promise<ForgetfulDrive> {
  const drive = new ForgetfulDrive(new MemoryBlockDevice(48 * MiB));
  await prepareCard(drive, {
    images: [await imageFromFile(fakeImage(dir, '1.0.0', 300_000))],
    loader,
    syslinux,
  });
  return drive;
}

describe('verification reads past the OS cache', () => {
  it('refuses an image the medium did not keep, although the cache holds it intact', async () => {
    const drive = await preparedDrive();
    drive.arm();
    const newer = await imageFromFile(fakeImage(dir, '1.1.0', 3 * MiB));
    await expect(addImages(drive, [newer])).rejects.toMatchObject({ code: 'verify-failed' });
    const report = await inspectCard(drive);
    expect(report.boot?.image).toBe('AstLinux-1.0.0.img');
    expect(report.images.map((image) => image.name)).toEqual(['AstLinux-1.0.0.img']);
  });

  it('accepts the same copy when the medium kept it, reading back through readDirect', async () => {
    const drive = await preparedDrive();
    const before = drive.directReads;
    const newer = await imageFromFile(fakeImage(dir, '1.1.0', 3 * MiB));
    await addImages(drive, [newer]);
    expect(drive.directReads).toBeGreaterThan(before);
    expect((await inspectCard(drive)).boot).toMatchObject({ image: 'AstLinux-1.1.0.img', verified: true });
  });

  it('keeps a partition window over the uncached parent, and leaves image files alone', async () => {
    const drive = new ForgetfulDrive(new MemoryBlockDevice(4 * MiB));
    const window = uncachedView(new PartitionBlockDevice(drive, MiB, 2 * MiB));
    await window.read(0, 512);
    expect(drive.directReads).toBe(1);
    await expect(window.write(0, new Uint8Array(512))).rejects.toMatchObject({ code: 'read-only' });
    const memory = new MemoryBlockDevice(MiB);
    expect(uncachedView(memory)).toBe(memory);
  });
});
