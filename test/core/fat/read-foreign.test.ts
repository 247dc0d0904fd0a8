/** Volumes made by mkfs.vfat and filled by mcopy/mmd must read back byte-identically. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { openFat } from '../../../electron/core/fat/fat-volume.js';
import { fsck, makeTempDir, mkfsVfat, mtoolsMkdir, mtoolsWrite, pseudoRandomBytes } from './fat-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('foreign');
afterAll(() => temp.remove());

const FILES: Array<[string, Uint8Array]> = [
  ['/README.TXT', new TextEncoder().encode('plain 8.3 upper case\n')],
  ['/lower.txt', new TextEncoder().encode('8.3 in lower case\n')],
  ['/A file with a long name and spaces.data', pseudoRandomBytes(70_000, 11)],
  ['/sub/nested/Deep File Ünïcödé.bin', pseudoRandomBytes(12_345, 12)],
  ['/sub/nested/empty', new Uint8Array(0)],
  ['/sub/two.dots.in.name', pseudoRandomBytes(4096, 13)],
];

for (const [fatBits, size, extra] of [
  [12, 4 * MiB, []],
  [16, 64 * MiB, []],
  [32, 64 * MiB, []],
  [32, 300 * MiB, ['-S', '4096']], // 4096-byte logical sectors
] as const) {
  describe(`a FAT${fatBits} volume made by mkfs.vfat ${extra.join(' ')}`, () => {
    it('reads every file byte-identically, with long names and subdirectories', async () => {
      const image = join(temp.dir, `fat${fatBits}${extra.join('')}.img`);
      mkfsVfat(image, size, fatBits, [...extra]);
      mtoolsMkdir(image, '/sub');
      mtoolsMkdir(image, '/sub/nested');
      for (const [path, data] of FILES) mtoolsWrite(image, path, data);
      expect(fsck(image).complaints).toEqual([]);

      const device = await FileBlockDevice.open(image, { readOnly: true });
      const volume = await openFat(device, { readOnly: true });
      const info = await volume.volumeInfo();
      expect(info.type).toBe(fatBits);
      expect(info.bytesPerSector).toBe(extra.length ? 4096 : 512);
      expect(info.label).toBe('FOREIGN');
      for (const [path, data] of FILES) {
        const read = await volume.readFile(path);
        expect(Buffer.from(read).equals(Buffer.from(data)), path).toBe(true);
        expect((await volume.stat(path)).size).toBe(data.length);
        const sectors = await volume.fileSectors(path);
        expect(sectors).toHaveLength(Math.ceil(data.length / 512));
        const fromSectors = new Uint8Array(sectors.length * 512);
        for (const [i, sector] of sectors.entries())
          fromSectors.set(await device.read(sector * 512, 512), i * 512);
        expect(
          Buffer.from(fromSectors.subarray(0, data.length)).equals(Buffer.from(data)),
          `${path} sectors`,
        ).toBe(true);
      }
      expect((await volume.readdir('/')).map((entry) => entry.name).sort()).toEqual(
        ['A file with a long name and spaces.data', 'README.TXT', 'lower.txt', 'sub'].sort(),
      );
      expect((await volume.readdir('/SUB/NESTED')).map((entry) => entry.name).sort()).toEqual([
        'Deep File Ünïcödé.bin',
        'empty',
      ]);
      // Case-insensitive lookup, and the 8.3 alias works as a name too.
      expect((await volume.stat('/readme.txt')).name).toBe('README.TXT');
      const alias = (await volume.stat('/A file with a long name and spaces.data')).shortName;
      expect(alias).toMatch(/^AFILEW~1\.DAT$/);
      expect((await volume.stat(`/${alias}`)).size).toBe(70_000);
      await device.close();
    });

    it('writes into it so that fsck.fat stays silent and a fresh open sees the change', async () => {
      const image = join(temp.dir, `fat${fatBits}${extra.join('')}-write.img`);
      mkfsVfat(image, size, fatBits, [...extra]);
      mtoolsMkdir(image, '/sub');
      mtoolsWrite(image, '/sub/old.bin', pseudoRandomBytes(9000, 3));
      const device = await FileBlockDevice.open(image);
      const volume = await openFat(device);
      await volume.writeFile('/sub/old.bin', pseudoRandomBytes(20_000, 4));
      await volume.writeFile('/New Long Name.bin', pseudoRandomBytes(33_333, 5));
      await volume.rename('/sub/old.bin', '/moved.bin');
      await volume.rmdir('/sub');
      await device.close();
      const result = fsck(image);
      expect(result.complaints, result.output).toEqual([]);
      const again = await openFat(await FileBlockDevice.open(image, { readOnly: true }));
      expect(
        Buffer.from(await again.readFile('/moved.bin')).equals(Buffer.from(pseudoRandomBytes(20_000, 4))),
      ).toBe(true);
      await again.device.close();
    });
  });
}
