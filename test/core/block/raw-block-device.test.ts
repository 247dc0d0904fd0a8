/** RawBlockDevice against a real Linux block device: a loop device over a temporary file. */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawBlockDevice } from '../../../electron/core/block/raw-block-device.js';
import { openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { PARTITION_TYPE, partitionDevice, writePartitionTable } from '../../../electron/core/mbr/mbr.js';
import { fsckPartition, isRoot, makeTempDir, mtoolsRead, pseudoRandomBytes } from '../fat/fat-tools.js';

const MiB = 1024 * 1024;
const canLoop = isRoot && process.platform === 'linux' && spawnSync('losetup', ['-f']).status === 0;
const temp = makeTempDir('raw');
const backing = join(temp.dir, 'backing.img');
let loop = '';

beforeAll(() => {
  if (!canLoop) return;
  execFileSync('truncate', ['-s', String(64 * MiB), backing]);
  loop = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
});
afterAll(() => {
  if (loop) execFileSync('losetup', ['-d', loop]);
  temp.remove();
});

describe.skipIf(!canLoop)('RawBlockDevice on a loop device (skipped: needs root and losetup)', () => {
  it('reports size and sector size from sysfs, and holds the device exclusively', async () => {
    const device = await RawBlockDevice.open(loop);
    expect(device.size).toBe(64 * MiB);
    expect(device.sectorSize).toBe(512);
    await expect(RawBlockDevice.open(loop)).rejects.toEqual(expect.objectContaining({ code: 'busy' }));
    await device.close();
  });

  it('partitions, formats and fills the device; fsck.fat and mtools agree through the backing file', async () => {
    const device = await RawBlockDevice.open(loop);
    const table = await writePartitionTable(device, { type: PARTITION_TYPE.fat16 });
    const entry = table.partitions[0];
    if (!entry) throw new Error('no partition');
    const volume = await formatFat(partitionDevice(device, entry), {
      fatType: 16,
      label: 'RAW',
      hiddenSectors: entry.firstLba,
    });
    const data = pseudoRandomBytes(3 * MiB + 5, 21);
    await volume.writeFile('/AstLinux-1.5.2.img', data);
    const sectors = await volume.fileSectors('/AstLinux-1.5.2.img');
    const first = entry.firstLba * 512 + (sectors[0] as number) * 512;
    expect(
      Buffer.from(await device.readDirect(first, 4096)).equals(Buffer.from(data.subarray(0, 4096))),
    ).toBe(true);
    await device.close();
    const result = fsckPartition(backing, MiB, entry.sectorCount * 512);
    expect(result.complaints, result.output).toEqual([]);
    expect(Buffer.from(mtoolsRead(backing, '/AstLinux-1.5.2.img', MiB)).equals(Buffer.from(data))).toBe(true);
    const reopened = await RawBlockDevice.open(loop, { readOnly: true });
    const again = await openFat(partitionDevice(reopened, entry), { readOnly: true });
    expect((await again.volumeInfo()).label).toBe('RAW');
    await reopened.close();
  });

  it('readDirect bypasses the page cache: it sees a change the cached read path does not know about', async () => {
    const device = await RawBlockDevice.open(loop);
    const offset = 40 * MiB + 512;
    await device.write(offset - 512, new Uint8Array(8192).fill(0xaa));
    await device.flush();
    expect((await device.read(offset, 16))[0]).toBe(0xaa); // now in the loop device's page cache
    // Change the medium behind the loop device's back: its page cache still holds 0xAA.
    const fd = openSync(backing, 'r+');
    writeSync(fd, new Uint8Array(5000).fill(0x55), 0, 5000, offset);
    fsyncSync(fd);
    closeSync(fd);
    const direct = await device.readDirect(offset + 1, 4999); // unaligned on purpose
    expect(direct.every((byte) => byte === 0x55)).toBe(true);
    expect(direct.length).toBe(4999);
    const edge = await device.readDirect(offset - 3, 6);
    expect([...edge]).toEqual([0xaa, 0xaa, 0xaa, 0x55, 0x55, 0x55]);
    await device.close();
  });
});
