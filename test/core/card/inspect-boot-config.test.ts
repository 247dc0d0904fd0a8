/**
 * Issue 17, item 2: inspect judges /syslinux.cfg the way SYSLINUX reads it. A menu SYSLINUX starts
 * nothing from (empty, random bytes, NULs, no DEFAULT) leaves the loader "present but not started" and no
 * boot predicted, however the loader files and images look; a config over 64 KiB is read and judged like
 * any other, not taken for a missing loader. Temporary files an interrupted copy left are reported with
 * the command that clears them. Every card is made by the core and altered with mtools, as another
 * computer would alter it; fsck.fat -n shows the alteration left a sound volume, so what inspect reports
 * comes from the config alone.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../../electron/core/card/assets.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { addImages } from '../../../electron/core/card/images.js';
import { LOADER_NOT_STARTED } from '../../../electron/core/card/inspect.js';
import { updateLoader } from '../../../electron/core/card/loader-update.js';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsImage,
  mtoolsNames,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from './card-fixtures.js';

const dir = scratch('inspect-config');
const base = join(dir, 'base.img');
const IMAGE = 'AstLinux-1.0.0.img';
let goodConfig: string;
let image: string;

afterAll(removeScratch);

beforeAll(async () => {
  image = fakeImage(dir, '1.0.0', 300_000);
  await preparedCard(base, 40 * 1024 * 1024, [image]);
  goodConfig = mtoolsRead(base, 'mbr', 'syslinux.cfg').toString('utf8');
});

let cards = 0;

/** A copy of the prepared card with `files` put into its root by mtools (`-o`: over what is there). */
function cardWith(files: Record<string, Uint8Array | string>): string {
  const card = join(dir, `card-${++cards}.img`);
  copyFileSync(base, card);
  for (const [name, content] of Object.entries(files)) {
    const local = join(dir, `put-${cards}-${name}`);
    writeFileSync(local, content);
    execFileSync('mcopy', ['-o', '-i', mtoolsImage(card, 'mbr'), local, `::/${name}`]);
  }
  expect(fsckCard(card, 'mbr').status).toBe(0);
  return card;
}

/** Bytes from a fixed seed, so a failure names the same file every run. */
function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** Comment lines: SYSLINUX reads and ignores them, so they only make the file large. */
function padding(bytes: number): string {
  const line = `# ${'padding '.repeat(12)}\n`;
  return line.repeat(Math.ceil(bytes / line.length));
}

describe('inspect reads syslinux.cfg as SYSLINUX does', () => {
  it('predicts the verified boot on the card as prepared', async () => {
    const report = await inspectImageFile(base);
    expect(report.loader.present).toBe(true);
    expect(report.boot).toMatchObject({ image: IMAGE, verified: true });
    expect(report.problems).toEqual([]);
  });

  const unstartable: Array<[string, () => Uint8Array | string, RegExp]> = [
    ['an empty file', () => '', /holds nothing SYSLINUX can use/],
    ['random bytes', () => seededBytes(4096, 17), /holds nothing SYSLINUX can use|reads differently/],
    ['nothing but NULs', () => new Uint8Array(4096), /holds nothing SYSLINUX can use/],
    // A NUL ends what SYSLINUX sees of a line, so the DEFAULT line is empty to it though an editor shows it.
    [
      'a NUL before DEFAULT',
      () => goodConfig.replace('DEFAULT loader', '\u0000DEFAULT loader'),
      /no DEFAULT/,
    ],
    ['no DEFAULT line', () => goodConfig.replace(/^DEFAULT .*\n/m, ''), /no DEFAULT/],
    [
      'no DEFAULT, over 64 KiB',
      () => padding(70 * 1024) + goodConfig.replace(/^DEFAULT .*\n/m, ''),
      /no DEFAULT/,
    ],
    // Past what astcard reads, it says it cannot tell rather than guess either way.
    ['a good menu padded past 16 MiB', () => goodConfig + padding(17 * 1024 * 1024), /larger than 16 MiB/],
  ];

  it.each(unstartable)(
    'with %s: the loader is present, SYSLINUX would not start it, nothing boots',
    async (_, content, why) => {
      const card = cardWith({ 'syslinux.cfg': content() });
      const report = await inspectImageFile(card);
      expect(report.loader.present).toBe(true);
      expect(report.boot).toBeNull();
      expect(report.images.map((entry) => [entry.name, entry.checksum, entry.boots])).toEqual([
        [IMAGE, 'ok', false],
      ]);
      expect(report.firmware.bios).toBe(false);
      const problem = report.problems.find((found) => found.code === LOADER_NOT_STARTED);
      expect(problem?.message).toMatch(/^The loader is on this card, but SYSLINUX would not start it: /);
      expect(problem?.message).toMatch(why);
      expect(problem?.message).toMatch(/Update the loader/);
      // Not the loader's own rescue shell, which is what a started loader with no good image shows.
      expect(report.problems.map((found) => found.code)).not.toContain('nothing-boots');
      expect(report.problems.map((found) => found.code)).not.toContain('loader-missing');
    },
  );

  it('judges a config over 64 KiB that SYSLINUX boots as booting, not as a missing loader', async () => {
    const card = cardWith({ 'syslinux.cfg': goodConfig + padding(80 * 1024) });
    expect(mtoolsRead(card, 'mbr', 'syslinux.cfg').length).toBeGreaterThan(80 * 1024);
    const report = await inspectImageFile(card);
    expect(report.loader.present).toBe(true);
    expect(report.firmware.bios).toBe(true);
    expect(report.boot).toMatchObject({ image: IMAGE, verified: true });
    expect(report.problems).toEqual([]);
  });

  it('says SYSLINUX would not start a kernel the card does not hold', async () => {
    // SYSLINUX matches DEFAULT to a LABEL with case counting, then takes it for a file name: no such file.
    const card = cardWith({ 'syslinux.cfg': goodConfig.replace('DEFAULT loader', 'DEFAULT Loader') });
    const report = await inspectImageFile(card);
    expect(report.loader.present).toBe(true);
    expect(report.boot).toBeNull();
    expect(report.problems.find((found) => found.code === LOADER_NOT_STARTED)?.message).toMatch(
      /starts Loader, which is not on the card/,
    );
  });

  it('is put right by a loader update, which the card as it reads would otherwise take as current', async () => {
    // The labels are all there, so only SYSLINUX's reading shows that this menu starts nothing.
    const card = cardWith({ 'syslinux.cfg': goodConfig.replace(/^DEFAULT .*\n/m, '') });
    const disk = await FileBlockDevice.open(card);
    try {
      const result = await updateLoader(disk, {
        loader: await loadLoaderAssets(),
        syslinux: await loadSyslinuxAssets(),
      });
      expect(result.changed).toBe(true);
    } finally {
      await disk.close();
    }
    expect(fsckCard(card, 'mbr').status).toBe(0);
    expect(mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8')).toMatch(/^DEFAULT /m);
    const report = await inspectImageFile(card);
    expect(report.boot).toMatchObject({ image: IMAGE, verified: true });
    expect(report.problems).toEqual([]);
  });
});

describe('inspect reports what an interrupted copy left', () => {
  it('names each leftover with its size and the command that clears it, and still predicts the boot', async () => {
    const card = cardWith({
      'AstLinux-2.0.0.img.part': seededBytes(200_000, 3),
      'kd.img.part': seededBytes(5000, 4),
      'syslinux.new': goodConfig.slice(0, 40),
    });
    const report = await inspectImageFile(card);
    expect(report.boot).toMatchObject({ image: IMAGE, verified: true });
    const leftovers = report.problems.filter((found) => found.code === 'leftover-temporary-file');
    expect(leftovers.map((found) => found.message)).toEqual([
      expect.stringMatching(
        /^AstLinux-2\.0\.0\.img\.part \(196 KiB\) is left over .* Add AstLinux-2\.0\.0\.img again/,
      ),
      expect.stringMatching(/^kd\.img\.part \(5 KiB\) is left over .* Import the keydisk again/),
      expect.stringMatching(/^syslinux\.new \(1 KiB\) is left over .* Update the loader/),
    ]);
    // The leftover is never taken for an image: only the real one is listed.
    expect(report.images.map((entry) => entry.name)).toEqual([IMAGE]);

    // The fix named is real: adding that image again takes the leftover away.
    const second = fakeImage(dir, '2.0.0', 250_000);
    const disk = await FileBlockDevice.open(card);
    try {
      await addImages(disk, [await imageFromFile(second)]);
    } finally {
      await disk.close();
    }
    expect(fsckCard(card, 'mbr').status).toBe(0);
    expect(mtoolsNames(card, 'mbr')).not.toContain('AstLinux-2.0.0.img.part');
    const after = await inspectImageFile(card);
    expect(after.boot).toMatchObject({ image: 'AstLinux-2.0.0.img', verified: true });
    expect(after.problems.filter((found) => found.code === 'leftover-temporary-file')).toHaveLength(2);
  });
});
