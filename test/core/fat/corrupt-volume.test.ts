/**
 * Damaged volumes: named corruptions give the FatError code naming the problem; random mutations of
 * boot sector, FAT and directories give only typed errors, in a bounded number of steps, and never a
 * single device write.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockDeviceError } from '../../../electron/core/block/block-device-error.js';
import { setU16, setU32, u16 } from '../../../electron/core/block/little-endian.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { parseBootSector } from '../../../electron/core/fat/boot-sector.js';
import { FatError } from '../../../electron/core/fat/fat-error.js';
import { type FatVolume, openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { CountingBlockDevice } from './counting-block-device.js';
import { makeTempDir, mkfsVfat, mtoolsMkdir, mtoolsWrite, pseudoRandomBytes } from './fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('corrupt');
afterAll(() => temp.remove());

/** Builds a populated volume and returns its bytes. */
async function ourVolume(fatType: 16 | 32, size: number): Promise<Uint8Array> {
  const device = new MemoryBlockDevice(size);
  const volume = await formatFat(device, { fatType, label: 'FUZZ' });
  await populate(volume);
  return device.bytes;
}

async function populate(volume: FatVolume): Promise<void> {
  await volume.mkdir('/dir one');
  await volume.mkdir('/dir one/nested directory');
  await volume.writeFile('/dir one/nested directory/file with long name.bin', pseudoRandomBytes(9000, 1));
  await volume.writeFile('/ldlinux.sys', pseudoRandomBytes(3000, 2));
  await volume.writeFile('/AstLinux-1.5.2.img', pseudoRandomBytes(40_000, 3));
  for (let i = 0; i < 20; i++) await volume.writeFile(`/dir one/f${i}.txt`, pseudoRandomBytes(100 * i, i));
}

function foreignFat12(): Uint8Array {
  const image = join(temp.dir, 'fat12.img');
  mkfsVfat(image, 2 * MiB, 12);
  mtoolsMkdir(image, '/sub');
  mtoolsWrite(image, '/sub/A long name here.txt', pseudoRandomBytes(5000, 4));
  mtoolsWrite(image, '/README.TXT', pseudoRandomBytes(700, 5));
  return new Uint8Array(readFileSync(image));
}

type Outcome = 'ok' | string;

/** Everything a reader can do, bounded: depth ≤ 6 and ≤ 500 entries. Returns error codes met. */
async function readEverything(device: CountingBlockDevice): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const attempt = async (what: () => Promise<unknown>) => {
    try {
      await what();
      outcomes.push('ok');
    } catch (error) {
      if (error instanceof FatError || error instanceof BlockDeviceError) outcomes.push(error.code);
      else throw error;
    }
  };
  let volume: FatVolume | undefined;
  await attempt(async () => {
    volume = await openFat(device, { readOnly: true });
  });
  if (!volume) return outcomes;
  const opened = volume;
  await attempt(() => opened.volumeInfo());
  let budget = 500;
  const walk = async (path: string, depth: number): Promise<void> => {
    let names: Array<{ name: string; isDirectory: boolean }> = [];
    await attempt(async () => {
      names = await opened.readdir(path);
    });
    for (const entry of names) {
      if (--budget < 0) return;
      const child = `${path === '/' ? '' : path}/${entry.name}`;
      await attempt(() => opened.stat(child));
      if (entry.isDirectory && depth < 6) await walk(child, depth + 1);
      else if (!entry.isDirectory) {
        await attempt(() => opened.readFile(child));
        await attempt(() => opened.fileSectors(child));
      }
    }
  };
  await walk('/', 0);
  return outcomes;
}

function regionsOf(bytes: Uint8Array): Array<[number, number]> {
  const g = parseBootSector(bytes, bytes.length);
  const bps = g.bytesPerSector;
  const fatStart = g.reservedSectors * bps;
  const dataStart = g.firstDataSector * bps;
  const regions: Array<[number, number]> = [
    [0, 512], // boot sector
    [fatStart, fatStart + Math.min(g.fatSectors * bps, 2048)], // the FAT's used head
    [dataStart, dataStart + 16 * g.clusterSize], // the first clusters: directories and files
  ];
  if (g.type !== 32) regions.push([g.rootDirSector * bps, g.rootDirSector * bps + 1024]);
  return regions;
}

function mutate(bytes: Uint8Array, seed: number): Array<[number, number]> {
  const random = pseudoRandomBytes(64, seed);
  let at = 0;
  const next = () => random[at++ % random.length] as number;
  const regions = regionsOf(bytes);
  const undo: Array<[number, number]> = [];
  const count = 1 + (next() % 6);
  for (let i = 0; i < count; i++) {
    const [start, end] = regions[next() % regions.length] as [number, number];
    const offset = start + (((next() << 16) | (next() << 8) | next()) % (end - start));
    const width = [1, 1, 2, 4][next() % 4] as number;
    for (let b = 0; b < width && offset + b < bytes.length; b++) {
      undo.push([offset + b, bytes[offset + b] as number]);
      const interesting = [0x00, 0xff, 0xe5, 0x0f, 0x10, 0x2e, 0x41, 0x80, 0x7f];
      bytes[offset + b] = next() % 3 === 0 ? (interesting[next() % interesting.length] as number) : next();
    }
  }
  return undo;
}

describe('random corruption', () => {
  const images: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    images.fat12 = foreignFat12();
    images.fat16 = await ourVolume(16, 8 * MiB);
    images.fat32 = await ourVolume(32, 34 * MiB);
  });

  for (const name of ['fat12', 'fat16', 'fat32']) {
    it(`${name}: 400 mutated volumes give only FatError/BlockDeviceError and zero writes`, async () => {
      const bytes = images[name] as Uint8Array;
      const pristine = await readEverything(new CountingBlockDevice(new MemoryBlockDevice(bytes)));
      expect(pristine.every((outcome) => outcome === 'ok')).toBe(true);
      const codes = new Set<string>();
      for (let seed = 1; seed <= 400; seed++) {
        const undo = mutate(bytes, seed * 7919 + name.length);
        const device = new CountingBlockDevice(new MemoryBlockDevice(bytes));
        let outcomes: Outcome[];
        try {
          outcomes = await readEverything(device);
        } catch (error) {
          throw new Error(`seed ${seed}: untyped ${String(error)}`, { cause: error });
        }
        for (const outcome of outcomes) codes.add(outcome);
        expect(device.writes, `seed ${seed}`).toBe(0);
        expect(device.flushes, `seed ${seed}`).toBe(0);
        for (const [offset, value] of undo.reverse()) bytes[offset] = value;
      }
      // The mutations really hit: some damage was detected, not just shrugged off.
      expect([...codes].filter((code) => code !== 'ok').length).toBeGreaterThan(1);
    });
  }
});

describe('named corruptions', () => {
  async function openCorrupt(
    edit: (bytes: Uint8Array, g: ReturnType<typeof parseBootSector>) => void,
    size = 8 * MiB,
  ) {
    const bytes = await ourVolume(16, size);
    edit(bytes, parseBootSector(bytes, bytes.length));
    const device = new CountingBlockDevice(new MemoryBlockDevice(bytes));
    return { device, open: () => openFat(device) };
  }
  const fatEntry = (g: ReturnType<typeof parseBootSector>, cluster: number) =>
    g.reservedSectors * g.bytesPerSector + cluster * 2;

  it('a missing 0x55AA or an impossible BPB is bad-boot-sector', async () => {
    for (const edit of [
      (b: Uint8Array) => setU16(b, 510, 0),
      (b: Uint8Array) => setU16(b, 11, 500),
      (b: Uint8Array) => {
        b[13] = 3;
      },
      (b: Uint8Array) => {
        b[16] = 0;
      },
      (b: Uint8Array) => {
        b[0] = 0;
      },
      (b: Uint8Array) => setU16(b, 22, 1), // FAT far too small for the clusters
    ]) {
      const { device, open } = await openCorrupt(edit);
      await expect(open()).rejects.toEqual(expect.objectContaining({ code: 'bad-boot-sector' }));
      expect(device.writes).toBe(0);
    }
  });

  it('a BPB larger than the device is volume-exceeds-device', async () => {
    const { open } = await openCorrupt((b) => {
      setU16(b, 19, 0);
      setU32(b, 32, (b.length / 512) * 2);
    });
    await expect(open()).rejects.toEqual(expect.objectContaining({ code: 'volume-exceeds-device' }));
  });

  it('a chain pointing at itself is chain-loop; one pointing past the volume is chain-broken', async () => {
    let first = 0;
    const looped = await openCorrupt((b, g) => {
      first = findStart(b, g, 'ASTLIN~1IMG');
      setU16(b, fatEntry(g, first + 3), first); // file's 4th cluster links back to its 1st
    });
    await expect((await looped.open()).readFile('/AstLinux-1.5.2.img')).rejects.toEqual(
      expect.objectContaining({ code: 'chain-loop' }),
    );
    const broken = await openCorrupt((b, g) => {
      first = findStart(b, g, 'ASTLIN~1IMG');
      setU16(b, fatEntry(g, first), 0xfff0);
    });
    await expect((await broken.open()).readFile('/AstLinux-1.5.2.img')).rejects.toEqual(
      expect.objectContaining({ code: 'chain-broken' }),
    );
    expect(looped.device.writes + broken.device.writes).toBe(0);
  });

  it('an entry whose start cluster lies beyond the volume is entry-out-of-range; a short chain is chain-too-short', async () => {
    const outside = await openCorrupt((b, g) => setU16(b, findSlot(b, g, 'LDLINUX SYS') + 26, 0xfff0));
    await expect((await outside.open()).readFile('/ldlinux.sys')).rejects.toEqual(
      expect.objectContaining({ code: 'entry-out-of-range' }),
    );
    const short = await openCorrupt((b, g) =>
      setU32(b, findSlot(b, g, 'LDLINUX SYS') + 28, 10 * 1024 * 1024),
    );
    await expect((await short.open()).readFile('/ldlinux.sys')).rejects.toEqual(
      expect.objectContaining({ code: 'chain-too-short' }),
    );
  });

  it('LFN entries with a wrong checksum are ignored: the 8.3 name is used', async () => {
    const { open } = await openCorrupt((b, g) => {
      const slot = findSlot(b, g, 'ASTLIN~1IMG');
      b[slot - 32 + 13] = ((b[slot - 32 + 13] as number) + 1) & 0xff; // the LFN entry right before it
    });
    const names = (await (await open()).readdir('/')).map((entry) => entry.name);
    expect(names).toContain('ASTLIN~1.IMG');
    expect(names).not.toContain('AstLinux-1.5.2.img');
  });
});

/** Root-directory slot (byte offset) of the 8.3 entry with this raw 11-byte name (FAT16 fixed root). */
function findSlot(bytes: Uint8Array, g: ReturnType<typeof parseBootSector>, raw: string): number {
  const base = g.rootDirSector * g.bytesPerSector;
  for (let slot = 0; slot < g.rootEntryCount; slot++) {
    const at = base + slot * 32;
    if (String.fromCharCode(...bytes.subarray(at, at + 11)) === raw) return at;
  }
  throw new Error(`no root entry ${raw}`);
}

function findStart(bytes: Uint8Array, g: ReturnType<typeof parseBootSector>, raw: string): number {
  return u16(bytes, findSlot(bytes, g, raw) + 26);
}
