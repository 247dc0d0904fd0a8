import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { PartitionBlockDevice } from '../../../electron/core/block/partition-block-device.js';
import { makeTempDir, pseudoRandomBytes } from '../fat/fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('block');
afterAll(() => temp.remove());
const code = (value: string) => expect.objectContaining({ name: 'BlockDeviceError', code: value });

async function contractChecks(device: BlockDevice): Promise<void> {
  const data = pseudoRandomBytes(10_000, 1);
  await device.write(12_345, data);
  expect(Buffer.from(await device.read(12_345, data.length)).equals(Buffer.from(data))).toBe(true);
  await expect(device.read(device.size - 10, 11)).rejects.toEqual(code('out-of-range'));
  await expect(device.write(device.size - 1, new Uint8Array(2))).rejects.toEqual(code('out-of-range'));
  await expect(device.read(-1, 1)).rejects.toEqual(code('invalid-argument'));
  await expect(device.read(0.5, 1)).rejects.toEqual(code('invalid-argument'));
  expect((await device.read(device.size - 1, 1)).length).toBe(1);
  await device.flush();
}

describe('MemoryBlockDevice', () => {
  it('keeps the device contract and refuses use after close', async () => {
    const device = new MemoryBlockDevice(MiB);
    await contractChecks(device);
    await device.close();
    await expect(device.read(0, 1)).rejects.toEqual(code('closed'));
  });
});

describe('FileBlockDevice', () => {
  it('creates a sparse image: full size, almost no blocks', async () => {
    const path = join(temp.dir, 'sparse.img');
    const device = await FileBlockDevice.create(path, 4096 * MiB);
    await device.write(2048 * MiB, new Uint8Array(4096).fill(1));
    await device.close();
    expect(statSync(path).size).toBe(4096 * MiB);
    expect(statSync(path).blocks * 512).toBeLessThan(MiB);
  });

  it('keeps the device contract, and reopens an existing image at its size', async () => {
    const path = join(temp.dir, 'contract.img');
    const device = await FileBlockDevice.create(path, 2 * MiB);
    await contractChecks(device);
    await device.close();
    const again = await FileBlockDevice.open(path);
    expect(again.size).toBe(2 * MiB);
    expect(
      Buffer.from(await again.read(12_345, 10_000)).equals(Buffer.from(pseudoRandomBytes(10_000, 1))),
    ).toBe(true);
    await again.close();
    await expect(again.read(0, 1)).rejects.toEqual(code('closed'));
  });

  it('reads small (synchronous) and large ranges alike, zeros past a shortened end, and reports errors', async () => {
    const path = join(temp.dir, 'short.img');
    const data = pseudoRandomBytes(512 * 1024, 2);
    writeFileSync(path, data);
    const device = await FileBlockDevice.open(path, { readOnly: true });
    expect(Buffer.from(await device.read(1000, 4096)).equals(Buffer.from(data.subarray(1000, 5096)))).toBe(
      true,
    );
    expect(Buffer.from(await device.read(7, 300_000)).equals(Buffer.from(data.subarray(7, 300_007)))).toBe(
      true,
    );
    // The file shrinks under an open device: what is gone reads as zeros, at either size.
    truncateSync(path, 100_000);
    const small = await device.read(99_000, 2000);
    expect(Buffer.from(small.subarray(0, 1000)).equals(Buffer.from(data.subarray(99_000, 100_000)))).toBe(
      true,
    );
    expect(small.subarray(1000).every((byte) => byte === 0)).toBe(true);
    const large = await device.read(50_000, 200_000);
    expect(large.subarray(50_000).every((byte) => byte === 0)).toBe(true);
    await device.close();
    const folder = await FileBlockDevice.open(temp.dir, { readOnly: true });
    await expect(folder.read(0, 512)).rejects.toEqual(expect.objectContaining({ name: 'BlockDeviceError' }));
    await expect(folder.read(0, 128 * 1024)).rejects.toEqual(
      expect.objectContaining({ name: 'BlockDeviceError' }),
    );
    await folder.close();
  });

  it('read-only opens refuse writes; missing files are not-found', async () => {
    const path = join(temp.dir, 'ro.img');
    writeFileSync(path, new Uint8Array(4096));
    const device = await FileBlockDevice.open(path, { readOnly: true });
    await expect(device.write(0, new Uint8Array(1))).rejects.toEqual(code('read-only'));
    await device.close();
    await expect(FileBlockDevice.open(join(temp.dir, 'missing.img'))).rejects.toEqual(code('not-found'));
    await expect(FileBlockDevice.create(join(temp.dir, 'odd.img'), 1000)).rejects.toEqual(
      code('invalid-argument'),
    );
  });
});

describe('PartitionBlockDevice', () => {
  it('is a window: offsets shift by start, and the window edge is the end', async () => {
    const disk = new MemoryBlockDevice(4 * MiB);
    const partition = new PartitionBlockDevice(disk, MiB, 2 * MiB);
    await contractChecks(partition);
    expect(
      Buffer.from(await disk.read(MiB + 12_345, 10_000)).equals(Buffer.from(pseudoRandomBytes(10_000, 1))),
    ).toBe(true);
    expect(() => new PartitionBlockDevice(disk, 3 * MiB, 2 * MiB)).toThrow(
      expect.objectContaining({ code: 'out-of-range' }),
    );
  });
});
