import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { FatError } from '../../../electron/core/fat/fat-error.js';
import { type FatVolume, openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import {
  fsck,
  makeTempDir,
  mtoolsAttributes,
  mtoolsDir,
  mtoolsList,
  mtoolsRead,
  pseudoRandomBytes,
} from './fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('ops');
afterAll(() => temp.remove());
let counter = 0;

async function freshImage(
  fatType: 16 | 32,
  size = 64 * MiB,
): Promise<{ image: string; device: FileBlockDevice; volume: FatVolume }> {
  const image = join(temp.dir, `ops-${counter++}.img`);
  const device = await FileBlockDevice.create(image, size);
  const volume = await formatFat(device, { fatType, label: 'OPS' });
  return { image, device, volume };
}

function expectFsckClean(image: string): void {
  const result = fsck(image);
  expect(result.complaints, result.output).toEqual([]);
  expect(result.status).toBe(0);
}

function expectCode(code: string) {
  return expect.objectContaining({ name: 'FatError', code });
}

async function sectorsContent(
  device: FileBlockDevice | MemoryBlockDevice,
  sectors: number[],
  size: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(sectors.length * 512);
  // Consecutive sectors are read as one run; the order of the list is kept.
  for (let i = 0; i < sectors.length; ) {
    let run = 1;
    while (i + run < sectors.length && sectors[i + run] === (sectors[i] as number) + run) run++;
    out.set(await device.read((sectors[i] as number) * 512, run * 512), i * 512);
    i += run;
  }
  return out.subarray(0, size);
}

async function* pieces(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

for (const fatType of [16, 32] as const) {
  describe(`FAT${fatType} operations`, () => {
    it('fileSectors lists exactly the sectors holding the data, also for a fragmented file', async () => {
      const { image, device, volume } = await freshImage(fatType);
      const clusterSize = (await volume.volumeInfo()).clusterSize;
      await volume.writeFile('/a', pseudoRandomBytes(clusterSize * 3, 1));
      await volume.writeFile('/b', pseudoRandomBytes(clusterSize * 2, 2));
      await volume.writeFile('/c', pseudoRandomBytes(clusterSize, 3));
      await volume.unlink('/b');
      const free = await volume.freeBytes();
      const data = pseudoRandomBytes(free - clusterSize, 4); // one cluster more than the largest free run
      await expect(volume.writeFile('/ldlinux.sys', data, { contiguous: true })).rejects.toEqual(
        expectCode('no-contiguous-space'),
      );
      expect(await volume.freeBytes()).toBe(free);
      await volume.writeFile('/ldlinux.sys', data);
      const sectors = await volume.fileSectors('/ldlinux.sys');
      expect(sectors).toHaveLength(Math.ceil(data.length / 512));
      const jumps = sectors.filter((sector, i) => i > 0 && sector !== (sectors[i - 1] as number) + 1).length;
      expect(jumps).toBeGreaterThan(0); // it really is fragmented
      expect(Buffer.from(await sectorsContent(device, sectors, data.length)).equals(Buffer.from(data))).toBe(
        true,
      );
      await device.close();
      expectFsckClean(image);
    });

    it('a contiguous write on a fresh volume occupies one run of sectors', async () => {
      const { device, volume } = await freshImage(fatType);
      const data = pseudoRandomBytes(150_000, 5);
      await volume.writeFile('/ldlinux.sys', data, {
        contiguous: true,
        attributes: { readOnly: true, hidden: true, system: true },
      });
      const sectors = await volume.fileSectors('/ldlinux.sys');
      expect(sectors.every((sector, i) => i === 0 || sector === (sectors[i - 1] as number) + 1)).toBe(true);
      expect(Buffer.from(await sectorsContent(device, sectors, data.length)).equals(Buffer.from(data))).toBe(
        true,
      );
      await device.close();
    });

    it('streams a source of unknown length, and one of announced length, without a size mismatch slipping through', async () => {
      const { image, device, volume } = await freshImage(fatType);
      const data = pseudoRandomBytes(5 * MiB + 777, 6);
      await volume.writeFile('/streamed without size.bin', pieces(data, 65536 + 3));
      await volume.writeFile('/streamed with size.bin', pieces(data, 1000_003), { size: data.length });
      const free = await volume.freeBytes();
      await expect(
        volume.writeFile('/short.bin', pieces(data, 4096), { size: data.length + 1 }),
      ).rejects.toEqual(expectCode('size-mismatch'));
      await expect(
        volume.writeFile('/long.bin', pieces(data, 4096), { size: data.length - 1 }),
      ).rejects.toEqual(expectCode('size-mismatch'));
      expect(await volume.freeBytes()).toBe(free);
      const chunks: Uint8Array[] = [];
      for await (const chunk of volume.createReadStream('/streamed without size.bin')) chunks.push(chunk);
      expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
      await device.close();
      expectFsckClean(image);
      expect(mtoolsList(image)).not.toContain('/short.bin');
      expect(Buffer.from(mtoolsRead(image, '/streamed with size.bin')).equals(Buffer.from(data))).toBe(true);
    });

    it('overwrite swaps in new clusters and frees the old ones; unlink frees everything', async () => {
      const { image, device, volume } = await freshImage(fatType);
      const clusterSize = (await volume.volumeInfo()).clusterSize;
      const empty = await volume.freeBytes();
      await volume.writeFile('/File.bin', pseudoRandomBytes(clusterSize * 5, 7));
      await volume.writeFile('/FILE.BIN', pseudoRandomBytes(clusterSize * 2 + 1, 8)); // same file, other case
      expect((await volume.readdir('/')).map((entry) => entry.name)).toEqual(['File.bin']);
      expect(await volume.freeBytes()).toBe(empty - clusterSize * 3);
      expect(
        Buffer.from(await volume.readFile('/file.bin')).equals(
          Buffer.from(pseudoRandomBytes(clusterSize * 2 + 1, 8)),
        ),
      ).toBe(true);
      await volume.unlink('/file.bin');
      expect(await volume.freeBytes()).toBe(empty);
      await expect(volume.stat('/File.bin')).rejects.toEqual(expectCode('not-found'));
      await device.close();
      expectFsckClean(image);
    });

    it('refuses a write that does not fit without changing anything', async () => {
      const { image, device, volume } = await freshImage(fatType);
      const free = await volume.freeBytes();
      await expect(
        volume.writeFile('/huge.bin', pieces(new Uint8Array(0), 1), { size: free + 1 }),
      ).rejects.toEqual(expectCode('no-space'));
      await expect(
        volume.writeFile('/huge.bin', pieces(new Uint8Array(1), 1), { size: 2 ** 32 }),
      ).rejects.toEqual(expectCode('file-too-large'));
      expect(await volume.freeBytes()).toBe(free);
      await device.close();
      expectFsckClean(image);
    });

    it('renames files and directories across directories, fixing ".." (fsck checks it)', async () => {
      const { image, device, volume } = await freshImage(fatType);
      await volume.mkdir('/one');
      await volume.mkdir('/one/two');
      await volume.mkdir('/three');
      await volume.writeFile('/one/two/payload.dat', pseudoRandomBytes(10_000, 9));
      await volume.rename('/one/two', '/three/Two Renamed');
      await volume.rename('/three/Two Renamed/payload.dat', '/payload moved.dat');
      await volume.rename('/three', '/one/three');
      await volume.rename('/payload moved.dat', '/PAYLOAD MOVED.DAT'); // case-only rename in place
      await expect(volume.rename('/one', '/one/three/inside')).rejects.toEqual(
        expectCode('rename-into-self'),
      );
      await expect(volume.rename('/one/three', '/PAYLOAD moved.dat')).rejects.toEqual(
        expectCode('already-exists'),
      );
      expect((await volume.readdir('/')).map((entry) => entry.name).sort()).toEqual([
        'PAYLOAD MOVED.DAT',
        'one',
      ]);
      await device.close();
      expectFsckClean(image);
      expect(mtoolsList(image).sort()).toEqual(
        ['/PAYLOAD MOVED.DAT', '/one/', '/one/three/', '/one/three/Two Renamed/'].sort(),
      );
      expect(
        Buffer.from(mtoolsRead(image, '/PAYLOAD MOVED.DAT')).equals(
          Buffer.from(pseudoRandomBytes(10_000, 9)),
        ),
      ).toBe(true);
    });

    it('rename with replace swaps a file in for another and frees the replaced data', async () => {
      const { image, device, volume } = await freshImage(fatType);
      const clusterSize = (await volume.volumeInfo()).clusterSize;
      await volume.mkdir('/tmp');
      await volume.writeFile('/AstLinux.img', pseudoRandomBytes(clusterSize * 4, 31));
      const empty = (await volume.freeBytes()) + clusterSize * 4;
      await volume.writeFile('/tmp/AstLinux.img.partial', pseudoRandomBytes(clusterSize * 2, 32));
      await expect(volume.rename('/tmp/AstLinux.img.partial', '/AstLinux.img')).rejects.toEqual(
        expectCode('already-exists'),
      );
      await expect(volume.rename('/AstLinux.img', '/tmp', { replace: true })).rejects.toEqual(
        expectCode('is-a-directory'),
      );
      await volume.rename('/tmp/AstLinux.img.partial', '/astlinux.IMG', { replace: true });
      expect(await volume.freeBytes()).toBe(empty - clusterSize * 2);
      expect((await volume.readdir('/')).map((entry) => entry.name).sort()).toEqual(['AstLinux.img', 'tmp']);
      expect(await volume.readdir('/tmp')).toEqual([]);
      await volume.writeFile('/other.bin', pseudoRandomBytes(100, 33));
      await volume.rename('/other.bin', '/AstLinux.img', { replace: true }); // same directory
      await device.close();
      expectFsckClean(image);
      expect(mtoolsList(image).sort()).toEqual(['/AstLinux.img', '/tmp/']);
      expect(
        Buffer.from(mtoolsRead(image, '/AstLinux.img')).equals(Buffer.from(pseudoRandomBytes(100, 33))),
      ).toBe(true);
    });

    it('grows a subdirectory over many clusters and mtools lists every long name with its ~N alias', async () => {
      const { image, device, volume } = await freshImage(fatType);
      await volume.mkdir('/many');
      const names = Array.from({ length: 150 }, (_, i) => `Long File Name Number ${i}.txt`);
      for (const name of names) await volume.writeFile(`/many/${name}`, new TextEncoder().encode(name));
      await volume.writeFile('/ldlinux.sys', new Uint8Array(10));
      await device.close();
      expectFsckClean(image);
      const listed = mtoolsList(image);
      for (const name of names) expect(listed).toContain(`/many/${name}`);
      const dir = mtoolsDir(image, '/many');
      expect(dir).toMatch(/LONGFI~1 TXT +\d+ .* Long File Name Number 0\.txt/);
      expect(dir).toMatch(/LONGFI~4 TXT +\d+ .* Long File Name Number 3\.txt/);
      expect(dir).toMatch(/LONGF~10 TXT +\d+ .* Long File Name Number 9\.txt/);
      expect(mtoolsDir(image, '/')).toMatch(/ldlinux +sys +10 /); // 8.3 in lower case: NT case flags, no LFN
      expect(new TextDecoder().decode(mtoolsRead(image, '/many/Long File Name Number 149.txt'))).toBe(
        'Long File Name Number 149.txt',
      );
    });

    it('sets attributes that mattrib reports', async () => {
      const { image, device, volume } = await freshImage(fatType);
      await volume.writeFile('/ldlinux.sys', new Uint8Array(100));
      await volume.setAttributes('/ldlinux.sys', {
        readOnly: true,
        hidden: true,
        system: true,
        archive: false,
      });
      expect((await volume.stat('/ldlinux.sys')).attributes).toEqual({
        readOnly: true,
        hidden: true,
        system: true,
        archive: false,
      });
      await device.close();
      expect(mtoolsAttributes(image, '/ldlinux.sys').split('').sort()).toEqual(['H', 'R', 'S']);
      expectFsckClean(image);
    });
  });
}

describe('names and the fixed root', () => {
  it('rejects hostile and FAT-invalid names with a typed error', async () => {
    const volume = await formatFat(new MemoryBlockDevice(8 * MiB), { fatType: 16 });
    for (const bad of [
      '/..',
      '/.',
      '/a\u0001b',
      '/what?',
      '/star*',
      '/x:y',
      '/pipe|',
      '/back\\slash',
      '/trailing.',
      '/trailing ',
      `/${'n'.repeat(256)}`,
      '/',
    ]) {
      await expect(volume.writeFile(bad, new Uint8Array(1))).rejects.toBeInstanceOf(FatError);
      await expect(volume.writeFile(bad, new Uint8Array(1))).rejects.toEqual(expectCode('invalid-name'));
    }
    await expect(volume.mkdir('/sub/..')).rejects.toEqual(expectCode('invalid-name'));
    expect(await volume.readdir('/')).toEqual([]);
  });

  it('reports a full FAT16 root directory as root-directory-full, leaving a clean volume', async () => {
    const { image, device, volume } = await freshImage(16, 8 * MiB);
    let written = 0;
    let failure: unknown;
    for (let i = 0; i < 600 && !failure; i++) {
      try {
        await volume.writeFile(`/F${i}.TXT`, new Uint8Array(1));
        written++;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toEqual(expectCode('root-directory-full'));
    expect(written).toBe(511); // 512 slots, one holds the volume label
    await device.close();
    expectFsckClean(image);
  });

  it('serialises concurrent calls and refuses writes on a read-only open', async () => {
    const device = new MemoryBlockDevice(8 * MiB);
    const volume = await formatFat(device, { fatType: 16 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        volume.writeFile(`/parallel ${i}.bin`, pseudoRandomBytes(3000, i)),
      ),
    );
    expect((await volume.readdir('/')).length).toBe(20);
    const readOnly = await openFat(device, { readOnly: true });
    await expect(readOnly.writeFile('/x', new Uint8Array(1))).rejects.toEqual(expectCode('read-only'));
    await expect(readOnly.unlink('/parallel 1.bin')).rejects.toEqual(expectCode('read-only'));
    expect(
      Buffer.from(await readOnly.readFile('/parallel 7.bin')).equals(Buffer.from(pseudoRandomBytes(3000, 7))),
    ).toBe(true);
  });
});
