import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { CardError } from '../../../electron/core/card/card-error.js';
import { formatExt2, formatExt2Device } from '../../../electron/core/card/ext2-format.js';
import {
  createKeydiskImage,
  putKeydiskOnCard,
  readKeydiskFromCard,
  writeKeydiskToDevice,
} from '../../../electron/core/card/keydisk.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from './card-fixtures.js';

const dir = scratch('keydisk');

/** `e2fsck -fn`: exit status and output (0 means nothing at all to fix). */
function e2fsck(path: string) {
  const run = spawnSync('e2fsck', ['-fn', path], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function blkid(path: string): Record<string, string> {
  const out = execFileSync('blkid', ['-o', 'export', '-p', path], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

afterAll(removeScratch);

describe('the ext2 keydisk formatter', () => {
  it('makes volumes e2fsck -fn finds nothing wrong with, labelled ASTKD, at any size it accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 32768 }), (blocks) => {
        const path = join(dir, `fmt-${blocks}.img`);
        writeFileSync(path, formatExt2({ size: blocks * 4096, label: 'ASTKD' }));
        const fsck = e2fsck(path);
        expect(fsck.status, fsck.output).toBe(0);
        expect(fsck.output).toMatch(new RegExp(`ASTKD: 11/\\d+ files .*, \\d+/${blocks} blocks`));
      }),
      { numRuns: 12 },
    );
    const smallest = join(dir, 'smallest.img');
    writeFileSync(smallest, formatExt2({ size: 256 * 1024, label: 'ASTKD' }));
    expect(e2fsck(smallest).status).toBe(0);
    expect(blkid(smallest)).toMatchObject({ TYPE: 'ext2', LABEL: 'ASTKD' });
  });

  it('makes a filesystem debugfs can write files into, still clean afterwards', () => {
    const path = join(dir, 'writable.img');
    writeFileSync(path, createKeydiskImage(2 * 1024 * 1024));
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'key material\n'.repeat(1000));
    execFileSync('debugfs', ['-w', '-R', `write ${secret} secret.txt`, path], { stdio: 'ignore' });
    execFileSync('debugfs', ['-w', '-R', 'mkdir ssh', path], { stdio: 'ignore' });
    const fsck = e2fsck(path);
    expect(fsck.status, fsck.output).toBe(0);
    const listing = execFileSync('debugfs', ['-R', 'ls -l /', path], { encoding: 'utf8' });
    expect(listing).toMatch(/lost\+found/);
    expect(listing).toMatch(/secret\.txt/);
    const back = execFileSync('debugfs', ['-R', 'cat secret.txt', path], { encoding: 'utf8' });
    expect(back).toBe(readFileSync(secret, 'utf8'));
  });

  it('refuses sizes outside what one block group holds, in plain words', () => {
    for (const size of [100 * 1024, 129 * 1024 * 1024]) {
      expect(() => createKeydiskImage(size)).toThrow(/A keydisk is between 256 KiB and 128 MiB/);
    }
  });
});

describe('the ext2 formatter on partitions of any size', () => {
  // Sizes around the edges of block groups: a last group too small to keep (dropped, as mke2fs does), a
  // last group with a backup superblock (3, 5², 7) or without one, and partitions of several GiB.
  const cases: Array<[string, number, number]> = [
    ['one group and a sliver', 32768 + 40, 32768],
    ['two groups, the second short', 32768 + 300, 32768 + 300],
    ['four groups, the last a backup group', 3 * 32768 + 5000, 3 * 32768 + 5000],
    ['ten groups', 9 * 32768 + 20000, 9 * 32768 + 20000],
    ['26 groups (group 25 keeps a backup)', 25 * 32768 + 9000, 25 * 32768 + 9000],
  ];
  for (const [name, blocks, expected] of cases) {
    it(`${name}: e2fsck -fn clean, labelled, over old data`, async () => {
      const path = join(dir, `part-${blocks}.img`);
      writeFileSync(path, '');
      truncateSync(path, blocks * 4096);
      // Old bytes where the new metadata goes: the formatter must not rely on zeros it did not write.
      const fd = openSync(path, 'r+');
      const junk = Buffer.alloc(256 * 1024, 0xa5);
      for (const group of [0, 1, 3, 9, 25]) {
        if (group * 32768 < blocks) writeSync(fd, junk, 0, junk.length, group * 32768 * 4096);
      }
      closeSync(fd);
      const device = await FileBlockDevice.open(path);
      try {
        const plan = await formatExt2Device(device, { label: 'ASTURW' });
        expect(plan.blocks).toBe(expected);
      } finally {
        await device.close();
      }
      const fsck = e2fsck(path);
      expect(fsck.status, fsck.output).toBe(0);
      expect(fsck.output).toMatch(new RegExp(`ASTURW: 11/\\d+ files .*, \\d+/${expected} blocks`));
      expect(blkid(path)).toMatchObject({ TYPE: 'ext2', LABEL: 'ASTURW' });
    });
  }

  it('makes a filesystem whose backup superblocks e2fsck accepts in place of the primary', async () => {
    const path = join(dir, 'backup.img');
    writeFileSync(path, '');
    truncateSync(path, 4 * 32768 * 4096);
    const device = await FileBlockDevice.open(path);
    try {
      await formatExt2Device(device, { label: 'ASTKD' });
    } finally {
      await device.close();
    }
    for (const group of [1, 3]) {
      const run = spawnSync('e2fsck', ['-fn', '-b', String(group * 32768), '-B', '4096', path], {
        encoding: 'utf8',
      });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/ASTKD: 11\/32768 files/);
    }
  });
});

describe('keydisks on cards and drives', () => {
  it('puts a new keydisk on a card, refuses to replace it unasked, exports it byte for byte', async () => {
    const card = join(dir, 'card.img');
    await preparedCard(card, 32 * 1024 * 1024, [fakeImage(scratch('kd-images'), '1.0.0', 300_000)]);
    const first = createKeydiskImage(1024 * 1024);
    const disk = await FileBlockDevice.open(card);
    try {
      expect(await putKeydiskOnCard(disk, first)).toMatchObject({ size: first.length, label: 'ASTKD' });
      const again = await putKeydiskOnCard(disk, createKeydiskImage()).catch((error: unknown) => error);
      expect(again).toBeInstanceOf(CardError);
      expect((again as CardError).code).toBe('keydisk-exists');
      expect(Buffer.from(await readKeydiskFromCard(disk)).equals(Buffer.from(first))).toBe(true);

      const second = createKeydiskImage(2 * 1024 * 1024);
      await putKeydiskOnCard(disk, second, { replace: true });
      expect(Buffer.from(await readKeydiskFromCard(disk)).equals(Buffer.from(second))).toBe(true);

      const notExt2 = await putKeydiskOnCard(disk, new Uint8Array(1024 * 1024).fill(7), {
        replace: true,
      }).catch((error: unknown) => error);
      expect((notExt2 as CardError).code).toBe('bad-keydisk');
    } finally {
      await disk.close();
    }
    const onCard = join(dir, 'exported.img');
    writeFileSync(onCard, mtoolsRead(card, 'mbr', 'kd.img'));
    expect(e2fsck(onCard).status).toBe(0);
    expect(fsckCard(card, 'mbr').status).toBe(0);
    const report = await inspectImageFile(card, true);
    expect(report.keydisk).toEqual({
      present: true,
      location: 'card:/kd.img',
      size: 2 * 1024 * 1024,
      label: 'ASTKD',
    });
    expect(report.boot?.image).toBe('AstLinux-1.0.0.img');
    expect(report.problems).toEqual([]);

    // A kd.img that is not a filesystem is reported, with what to do.
    const junk = join(dir, 'junk.img');
    writeFileSync(junk, Buffer.alloc(64 * 1024, 9));
    execFileSync('mcopy', ['-o', '-i', `${card}@@1M`, junk, '::/kd.img']);
    const damaged = await inspectImageFile(card, true);
    expect(damaged.keydisk).toMatchObject({ present: true, label: null });
    expect(damaged.problems).toEqual([
      { code: 'keydisk-damaged', message: expect.stringMatching(/not a keydisk .* Import a good keydisk/) },
    ]);
  });

  it('makes a whole image file a keydisk of its own', async () => {
    const path = join(dir, 'whole-drive.img');
    const disk = await FileBlockDevice.create(path, 8 * 1024 * 1024);
    try {
      await writeKeydiskToDevice(disk, createKeydiskImage(8 * 1024 * 1024));
    } finally {
      await disk.close();
    }
    expect(e2fsck(path).status).toBe(0);
    expect(blkid(path)).toMatchObject({ TYPE: 'ext2', LABEL: 'ASTKD' });
  });
});
