import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { CLUSTER_MARGIN, chooseLayout } from '../../../electron/core/fat/format-layout.js';
import { PARTITION_TYPE, partitionDevice, writePartitionTable } from '../../../electron/core/mbr/mbr.js';
import {
  fsck,
  fsckPartition,
  isRoot,
  makeTempDir,
  mtoolsDir,
  mtoolsList,
  mtoolsRead,
  pseudoRandomBytes,
} from './fat-tools.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const temp = makeTempDir('format');
afterAll(() => temp.remove());

/** A small but varied tree: long names, an 8.3 name, nesting, a multi-cluster file, an empty file. */
const TREE: Array<[string, Uint8Array | 'dir']> = [
  ['/syslinux.cfg', new TextEncoder().encode('DEFAULT astlinux\n')],
  ['/AstLinux-1.5.2.img', pseudoRandomBytes(300_000, 1)],
  [
    '/AstLinux-1.5.2.img.sha1',
    new TextEncoder().encode('0123456789abcdef0123456789abcdef01234567  AstLinux-1.5.2.img\n'),
  ],
  ['/os', 'dir'],
  ['/os/A rather long directory name for testing', 'dir'],
  ['/os/A rather long directory name for testing/empty.bin', new Uint8Array(0)],
  ['/os/A rather long directory name for testing/Mixed Case.Txt', pseudoRandomBytes(5000, 2)],
];

async function fill(
  device: FileBlockDevice | ReturnType<typeof partitionDevice>,
  options: Parameters<typeof formatFat>[1],
) {
  const volume = await formatFat(device, options);
  for (const [path, content] of TREE) {
    if (content === 'dir') await volume.mkdir(path);
    else await volume.writeFile(path, content);
  }
  return volume;
}

function expectMtoolsSeesTree(image: string, offset: number): void {
  const listed = mtoolsList(image, offset);
  for (const [path, content] of TREE) {
    expect(listed).toContain(content === 'dir' ? `${path}/` : path);
    if (content !== 'dir')
      expect(Buffer.from(mtoolsRead(image, path, offset)).equals(Buffer.from(content))).toBe(true);
  }
  expect(listed).toHaveLength(TREE.length);
}

describe('formatFat on a superfloppy image', () => {
  for (const [label, size, fatType] of [
    ['64 MiB FAT16', 64 * MiB, 16],
    ['64 MiB FAT32', 64 * MiB, 32],
    ['1 GiB default (FAT16)', GiB, undefined],
    ['1 GiB FAT32', GiB, 32],
  ] as const) {
    it(`${label}: passes fsck.fat -n and mtools reads every file back`, async () => {
      const image = join(temp.dir, `${label.replace(/\W/g, '_')}.img`);
      const device = await FileBlockDevice.create(image, size);
      const volume = await fill(device, { fatType, label: 'ASTLINUX', serial: 0xdeadbeef });
      const info = await volume.volumeInfo();
      await device.close();
      expect(info.type).toBe(fatType ?? 16);
      expect(info.label).toBe('ASTLINUX');
      expect(info.serial).toBe('DEAD-BEEF');
      const result = fsck(image);
      expect(result.complaints, result.output).toEqual([]);
      expect(result.status).toBe(0);
      expectMtoolsSeesTree(image, 0);
      expect(mtoolsDir(image, '/')).toContain('Volume in drive : is ASTLINUX');
      expect(mtoolsDir(image, '/')).toContain('Volume Serial Number is DEAD-BEEF');
    });
  }

  it('a sparse 8 GiB image becomes FAT32 without writing 8 GiB, and fsck.fat accepts it', async () => {
    const image = join(temp.dir, 'sparse8g.img');
    const device = await FileBlockDevice.create(image, 8 * GiB);
    const volume = await fill(device, { label: 'BIG' });
    const info = await volume.volumeInfo();
    await device.close();
    expect(info.type).toBe(32);
    expect(info.clusterSize).toBe(4096); // fatgen103: up to 8 GiB → 4 KiB clusters
    expect(statSync(image).blocks * 512).toBeLessThan(64 * MiB);
    const result = fsck(image);
    expect(result.complaints, result.output).toEqual([]);
    expect(result.status).toBe(0);
    expectMtoolsSeesTree(image, 0);
  });
});

describe('formatFat inside an MBR partition', () => {
  for (const [label, size, fatType] of [
    ['64 MiB FAT16', 64 * MiB, 16],
    ['1 GiB FAT32', GiB, 32],
  ] as const) {
    it(`${label}: partition at 1 MiB passes fsck and mtools @@offset`, async () => {
      const image = join(temp.dir, `mbr-${label.replace(/\W/g, '_')}.img`);
      const disk = await FileBlockDevice.create(image, size);
      const table = await writePartitionTable(disk, {
        type: fatType === 32 ? PARTITION_TYPE.fat32Lba : PARTITION_TYPE.fat16,
      });
      const entry = table.partitions[0];
      if (!entry) throw new Error('no partition');
      const partition = partitionDevice(disk, entry);
      const volume = await fill(partition, { fatType, label: 'ASTLINUX' }); // hiddenSectors from the window
      expect((await volume.volumeInfo()).hiddenSectors).toBe(2048);
      await disk.close();
      const result = fsckPartition(image, entry.firstLba * 512, entry.sectorCount * 512);
      expect(result.complaints, result.output).toEqual([]);
      expect(result.status).toBe(0);
      expectMtoolsSeesTree(image, MiB);
    });
  }

  it.skipIf(!isRoot)(
    'sparse 8 GiB disk, FAT32 partition (needs root for a loop-device fsck: skipped otherwise)',
    async () => {
      const image = join(temp.dir, 'mbr8g.img');
      const disk = await FileBlockDevice.create(image, 8 * GiB);
      const table = await writePartitionTable(disk, { type: PARTITION_TYPE.fat32Lba });
      const entry = table.partitions[0];
      if (!entry) throw new Error('no partition');
      await fill(partitionDevice(disk, entry), { hiddenSectors: entry.firstLba, label: 'CARD' });
      await disk.close();
      expect(statSync(image).blocks * 512).toBeLessThan(64 * MiB);
      const result = fsckPartition(image, MiB, entry.sectorCount * 512);
      expect(result.complaints, result.output).toEqual([]);
      expect(result.status).toBe(0);
      expectMtoolsSeesTree(image, MiB);
    },
  );
});

describe('chooseLayout', () => {
  it('keeps cluster counts clear of the FAT12/16 and FAT16/32 boundaries', () => {
    // Sweep sizes from 3 MiB to 4 GiB (FAT16 where allowed) and 40 MiB up (FAT32).
    for (let bytes = 3 * MiB; bytes <= 2 * GiB; bytes = Math.floor((bytes * 1.07) / 512) * 512) {
      const layout = chooseLayout(bytes, 512, 16);
      expect(layout.clusterCount).toBeGreaterThanOrEqual(4085 + CLUSTER_MARGIN);
      expect(layout.clusterCount).toBeLessThanOrEqual(65524 - CLUSTER_MARGIN);
      expect(layout.firstDataSector % layout.sectorsPerCluster).toBe(0);
    }
    for (let bytes = 40 * MiB; bytes <= 256 * GiB; bytes = Math.floor((bytes * 1.13) / 512) * 512) {
      const layout = chooseLayout(bytes, 512, 32);
      expect(layout.clusterCount).toBeGreaterThanOrEqual(65525 + CLUSTER_MARGIN);
      expect(layout.reservedSectors).toBeGreaterThanOrEqual(32);
      expect(layout.firstDataSector % layout.sectorsPerCluster).toBe(0);
    }
  });

  it('defaults to FAT16 up to 2 GiB and FAT32 above, and refuses sizes no FAT type fits', () => {
    expect(chooseLayout(2 * GiB, 512).type).toBe(16);
    expect(chooseLayout(2 * GiB + MiB, 512).type).toBe(32);
    expect(() => chooseLayout(MiB, 512, 16)).toThrow(expect.objectContaining({ code: 'unsupported-size' }));
    expect(() => chooseLayout(8 * MiB, 512, 32)).toThrow(
      expect.objectContaining({ code: 'unsupported-size' }),
    );
    expect(() => chooseLayout(3 * GiB, 512, 16)).toThrow(
      expect.objectContaining({ code: 'unsupported-size' }),
    );
  });

  it('a volume we format reopens with the label we gave, upper-cased', async () => {
    const image = join(temp.dir, 'reopen.img');
    const device = await FileBlockDevice.create(image, 64 * MiB);
    await formatFat(device, { fatType: 16, label: 'x' });
    const reopened = await openFat(device);
    expect((await reopened.volumeInfo()).label).toBe('X');
    await device.close();
  });
});
