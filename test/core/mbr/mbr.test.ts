import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setU32 } from '../../../electron/core/block/little-endian.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import {
  buildPartitionTable,
  chs,
  detectLayout,
  PARTITION_TYPE,
  parseMbr,
  readMbr,
  writeBootCode,
  writePartitionTable,
} from '../../../electron/core/mbr/mbr.js';
import { makeTempDir, mkfsVfat, pseudoRandomBytes } from '../fat/fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('mbr');
afterAll(() => temp.remove());
const code = (value: string) => expect.objectContaining({ name: 'MbrError', code: value });

describe('one-partition table', () => {
  it('starts at 1 MiB, is active, has the FAT type and covers the rest of the disk', async () => {
    const disk = new MemoryBlockDevice(64 * MiB);
    const table = await writePartitionTable(disk, { type: PARTITION_TYPE.fat32Lba });
    expect(table.partitions).toEqual([
      { index: 0, bootable: true, type: 0x0c, firstLba: 2048, sectorCount: 64 * 2048 - 2048 },
    ]);
    expect(table.diskSignature).not.toBe(0);
    const raw = await disk.read(446, 16);
    expect(raw[0]).toBe(0x80);
    expect([...raw.subarray(1, 4)]).toEqual([0x20, 0x21, 0x00]); // CHS 0/32/33: what fdisk writes for LBA 2048
    expect([...(await disk.read(510, 2))]).toEqual([0x55, 0xaa]);
    expect([...(await disk.read(462, 48))].every((byte) => byte === 0)).toBe(true); // entries 2..4 empty
  });

  it('fills CHS from the LBA and uses FE FF FF beyond cylinder 1023', () => {
    expect(chs(0)).toEqual([0, 1, 0]);
    expect(chs(63)).toEqual([1, 1, 0]);
    expect(chs(255 * 63)).toEqual([0, 1, 1]);
    expect(chs(255 * 63 * 1023 + 62)).toEqual([0, 63 | 0xc0, 0xff]);
    expect(chs(255 * 63 * 1024)).toEqual([0xfe, 0xff, 0xff]);
    const tail = buildPartitionTable(16 * 1024 * 2048, { type: 0x0c, diskSignature: 0x11223344 });
    expect([...tail.subarray(446 - 440 + 5, 446 - 440 + 8)]).toEqual([0xfe, 0xff, 0xff]);
    expect(parseMbr(new Uint8Array([...new Uint8Array(440), ...tail])).diskSignature).toBe(0x11223344);
  });

  it('gives each disk a random signature', () => {
    const a = buildPartitionTable(131072, { type: 6 });
    const b = buildPartitionTable(131072, { type: 6 });
    expect(Buffer.from(a.subarray(0, 4)).equals(Buffer.from(b.subarray(0, 4)))).toBe(false);
  });

  it('writes boot code and table independently of each other', async () => {
    const disk = new MemoryBlockDevice(64 * MiB);
    const code440 = pseudoRandomBytes(512, 9); // a whole mbr.bin: only 440 bytes may land
    await writePartitionTable(disk, { type: PARTITION_TYPE.fat16, diskSignature: 0xcafe });
    const tableBefore = await disk.read(440, 72);
    await writeBootCode(disk, code440);
    expect(Buffer.from(await disk.read(0, 440)).equals(Buffer.from(code440.subarray(0, 440)))).toBe(true);
    expect(Buffer.from(await disk.read(440, 72)).equals(Buffer.from(tableBefore))).toBe(true);
    await writePartitionTable(disk, { type: PARTITION_TYPE.fat32Lba });
    expect(Buffer.from(await disk.read(0, 440)).equals(Buffer.from(code440.subarray(0, 440)))).toBe(true);
    expect((await readMbr(disk)).partitions[0]?.type).toBe(0x0c);
  });

  it('refuses impossible partitions', async () => {
    expect(() => buildPartitionTable(1000, { type: 6 })).toThrow(code('invalid-option'));
    expect(() => buildPartitionTable(4096, { type: 6, sectorCount: 4096 })).toThrow(
      code('partition-out-of-range'),
    );
    expect(() => buildPartitionTable(4096, { type: 0 })).toThrow(code('invalid-option'));
  });
});

describe('reading tables', () => {
  function sectorWith(entries: Array<[number, number, number, number]>): Uint8Array {
    const sector = new Uint8Array(512);
    entries.forEach(([status, type, first, count], i) => {
      const at = 446 + i * 16;
      sector[at] = status;
      sector[at + 4] = type;
      setU32(sector, at + 8, first);
      setU32(sector, at + 12, count);
    });
    sector[510] = 0x55;
    sector[511] = 0xaa;
    return sector;
  }

  it('reads all four primary entries and skips empty ones', () => {
    const table = parseMbr(
      sectorWith([
        [0x80, 0x0c, 2048, 1000],
        [0, 0, 0, 0],
        [0, 0x83, 4000, 10],
        [0, 0x06, 5000, 5],
      ]),
      10_000,
    );
    expect(table.partitions.map((p) => [p.index, p.type, p.firstLba, p.bootable])).toEqual([
      [0, 0x0c, 2048, true],
      [2, 0x83, 4000, false],
      [3, 0x06, 5000, false],
    ]);
  });

  it('names what is wrong with a damaged table', () => {
    expect(() => parseMbr(new Uint8Array(512))).toThrow(code('no-signature'));
    expect(() => parseMbr(sectorWith([[0x12, 0x0c, 2048, 10]]))).toThrow(code('bad-partition-entry'));
    expect(() => parseMbr(sectorWith([[0, 0x0c, 0, 10]]))).toThrow(code('bad-partition-entry'));
    expect(() =>
      parseMbr(
        sectorWith([
          [0, 0x0c, 2048, 100],
          [0, 0x0c, 2100, 100],
        ]),
      ),
    ).toThrow(code('overlapping-partitions'));
    expect(() => parseMbr(sectorWith([[0, 0x0c, 2048, 100]]), 2100)).toThrow(code('partition-out-of-range'));
  });
});

describe('detectLayout', () => {
  it('tells a superfloppy (ours or mkfs.vfat) from an MBR disk and from a blank one', async () => {
    const blank = new MemoryBlockDevice(16 * MiB);
    expect(await detectLayout(blank)).toEqual({ kind: 'unrecognised' });
    await formatFat(blank, { fatType: 16 });
    expect(await detectLayout(blank)).toEqual({ kind: 'superfloppy' });
    const image = join(temp.dir, 'vfat.img');
    mkfsVfat(image, 40 * MiB, 32);
    expect(await detectLayout(new MemoryBlockDevice(new Uint8Array(readFileSync(image))))).toEqual({
      kind: 'superfloppy',
    });
    const disk = new MemoryBlockDevice(16 * MiB);
    await writePartitionTable(disk, { type: 6 });
    const layout = await detectLayout(disk);
    expect(layout.kind).toBe('mbr');
    expect(layout.kind === 'mbr' && layout.table.partitions[0]?.firstLba).toBe(2048);
  });
});
