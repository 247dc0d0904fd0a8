import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { readCardSources, setCardSources } from '../../../electron/core/card/network-source.js';
import { publishImages } from '../../../electron/core/card/publish.js';
import { parseLoaderOptions } from '../../../shared/loader-config.js';
import { parseIndex } from '../../../shared/remote-source.js';
import {
  fakeImage,
  fsckCard,
  mtoolsNames,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from './card-fixtures.js';

afterAll(removeScratch);

describe('publishImages', () => {
  it('writes images, .sha1 files and an index that sha1sum -c accepts, newest first, adding to what is there', async () => {
    const from = scratch('publish-src');
    const folder = join(scratch('publish'), 'served');
    const old = fakeImage(from, '1.0.0', 70_000);
    const mid = fakeImage(from, '1.0.10', 90_000, false);
    const first = await publishImages(folder, [await imageFromFile(old), await imageFromFile(mid)]);
    expect(first.published).toEqual(['AstLinux-1.0.0.img', 'AstLinux-1.0.10.img']);

    const newest = fakeImage(from, '1.1.0-rc1', 50_000);
    const second = await publishImages(folder, [await imageFromFile(newest)]);
    expect(second.index.map((entry) => entry.name)).toEqual([
      'AstLinux-1.1.0-rc1.img',
      'AstLinux-1.0.10.img',
      'AstLinux-1.0.0.img',
    ]);
    expect(readdirSync(folder).filter((name) => name.endsWith('.part'))).toEqual([]);

    // The real oracle: coreutils checks every image the index lists, skipping the size comments.
    const check = execFileSync('sha1sum', ['-c', '--strict', 'astlinux.index'], {
      cwd: folder,
      encoding: 'utf8',
    });
    expect(check.trim().split('\n').sort()).toEqual([
      'AstLinux-1.0.0.img: OK',
      'AstLinux-1.0.10.img: OK',
      'AstLinux-1.1.0-rc1.img: OK',
    ]);
    const parsed = parseIndex(readFileSync(join(folder, 'astlinux.index'), 'utf8'));
    expect(parsed.ok && parsed.entries.find((e) => e.name === 'AstLinux-1.0.10.img')?.size).toBe(90_000);
    execFileSync('sha1sum', ['-c', 'AstLinux-1.0.10.img.sha1'], { cwd: folder });
  });

  it('refuses an image that does not match its own checksum file and leaves nothing behind', async () => {
    const from = scratch('publish-bad');
    const folder = scratch('publish-out');
    const image = fakeImage(from, '2.0.0', 40_000);
    writeFileSync(`${image}.sha1`, `${'0'.repeat(40)}  AstLinux-2.0.0.img\n`);
    await expect(publishImages(folder, [await imageFromFile(image)])).rejects.toMatchObject({
      code: 'source-checksum-mismatch',
    });
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('setCardSources', () => {
  it('writes astlinux.source on the booting label, keeps every other option, and clears it again', async () => {
    const dir = scratch('source');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, [fakeImage(dir, '1.0.0', 10_000)]);
    const before = mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8');
    const disk = await FileBlockDevice.open(card);
    try {
      const set = await setCardSources(disk, ['HTTP://10.0.2.2:8000/os', 'tftp://10.0.2.2/os/'], {
        cardFallback: false,
      });
      expect(set).toEqual({
        urls: ['http://10.0.2.2:8000/os/', 'tftp://10.0.2.2/os/'],
        cardFallback: false,
        ip: null,
      });
      expect(await readCardSources(disk)).toEqual(set);
      await expect(setCardSources(disk, ['gopher://x/'])).rejects.toMatchObject({ code: 'invalid-option' });
      await disk.flush();
    } finally {
      await disk.close();
    }
    const after = mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8');
    expect(after).toMatch(
      /APPEND .*astlinux\.source=http:\/\/10\.0\.2\.2:8000\/os\/,tftp:\/\/10\.0\.2\.2\/os\/,card=no/,
    );
    const options = (text: string) => parseLoaderOptions(/APPEND (.*)/.exec(text)?.[1] ?? '').options;
    expect({ ...options(after), sources: [] }).toEqual(options(before));
    expect(fsckCard(card, 'mbr').status).toBe(0);
    expect(mtoolsNames(card, 'mbr').map((name) => name.toLowerCase())).not.toContain('syslinux.src');

    const again = await FileBlockDevice.open(card);
    try {
      expect(await setCardSources(again, [])).toEqual({ urls: [], cardFallback: true, ip: null });
      await again.flush();
    } finally {
      await again.close();
    }
    expect(mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8')).toBe(before);
  });
});
