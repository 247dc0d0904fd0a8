import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import {
  type LoaderAssets,
  loadLoaderAssets,
  loadSyslinuxAssets,
} from '../../../electron/core/card/assets.js';
import { CardError } from '../../../electron/core/card/card-error.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { createKeydiskImage } from '../../../electron/core/card/keydisk.js';
import { prepareCard } from '../../../electron/core/card/prepare.js';
import type { Progress } from '../../../electron/core/card/progress.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import {
  fakeImage,
  fsckCard,
  mtoolsImage,
  mtoolsNames,
  mtoolsRead,
  removeScratch,
  scratch,
} from './card-fixtures.js';

let loader: LoaderAssets;
let syslinux: SyslinuxBinaries;
const dir = scratch('prepare');

afterAll(removeScratch);

beforeAll(async () => {
  loader = await loadLoaderAssets();
  syslinux = await loadSyslinuxAssets();
});

async function prepareImageFile(
  card: string,
  size: number,
  images: string[],
  options: { layout?: 'mbr' | 'superfloppy'; keydisk?: string; onProgress?: (p: Progress) => void } = {},
) {
  const disk = await FileBlockDevice.create(card, size);
  try {
    return await prepareCard(disk, {
      layout: options.layout ?? 'mbr',
      images: await Promise.all(images.map((path) => imageFromFile(path))),
      keydisk: options.keydisk ? { path: options.keydisk } : null,
      loader,
      syslinux,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await disk.close();
  }
}

async function inspectFile(card: string, quick = false) {
  const disk = await FileBlockDevice.open(card, { readOnly: true });
  try {
    return await inspectCard(disk, { quick, appLoaderVersion: loader.version });
  } finally {
    await disk.close();
  }
}

describe.each(['mbr', 'superfloppy'] as const)('prepare on a %s card', (layout) => {
  const card = join(dir, `${layout}.img`);
  let old: string;
  let newest: string;
  let keydisk: string;
  const phases = new Set<string>();

  beforeAll(async () => {
    const sources = scratch(`sources-${layout}`);
    old = fakeImage(sources, '0.4.1', 3_000_001);
    newest = fakeImage(sources, '0.10.0', 2_500_000, false);
    keydisk = join(sources, 'kd.img');
    writeFileSync(keydisk, createKeydiskImage(512 * 1024));
    await prepareImageFile(card, 64 * 1024 * 1024, [old, newest], {
      layout,
      keydisk,
      onProgress: (p) => phases.add(p.phase),
    });
  });

  it('leaves a volume fsck.fat -n finds nothing wrong with', () => {
    const fsck = fsckCard(card, layout);
    expect(fsck.status, fsck.output).toBe(0);
    expect(fsck.output).not.toMatch(/Free cluster summary|differ|lost|Dirty|invalid|Reclaim/i);
  });

  it('puts files mtools reads back byte for byte, under their long names', () => {
    const names = mtoolsNames(card, layout);
    for (const name of ['bzImage', 'loader.img', 'syslinux.cfg', 'ldlinux.sys', 'ldlinux.c32', 'kd.img']) {
      expect(names).toContain(name);
    }
    expect(names).toContain('AstLinux-0.4.1.img.sha1');
    expect(names).toContain('AstLinux-0.10.0.img.sha1');
    expect(names.some((name) => name.endsWith('.part'))).toBe(false);
    expect(mtoolsRead(card, layout, 'AstLinux-0.4.1.img').equals(readFileSync(old))).toBe(true);
    expect(mtoolsRead(card, layout, 'AstLinux-0.10.0.img').equals(readFileSync(newest))).toBe(true);
    expect(mtoolsRead(card, layout, 'bzImage').equals(Buffer.from(loader.kernel))).toBe(true);
    expect(mtoolsRead(card, layout, 'kd.img').equals(readFileSync(keydisk))).toBe(true);
    const sidecar = mtoolsRead(card, layout, 'AstLinux-0.10.0.img.sha1').toString();
    const expected = execFileSync('sha1sum', [newest], { encoding: 'utf8' }).split(' ')[0];
    expect(sidecar).toBe(`${expected}  AstLinux-0.10.0.img\n`);
  });

  it('writes a syslinux.cfg naming the volume for the loader', () => {
    const config = mtoolsRead(card, layout, 'syslinux.cfg').toString();
    const serial = execFileSync('minfo', ['-i', mtoolsImage(card, layout), '::'], { encoding: 'utf8' }).match(
      /serial number: ([0-9A-F]{8})/i,
    )?.[1];
    expect(serial).toBeDefined();
    const uuid = `${serial?.slice(0, 4)}-${serial?.slice(4)}`.toUpperCase();
    expect(config).toMatch(/^DEFAULT loader$/m);
    expect(config).toMatch(/LINUX bzImage/);
    expect(config).toMatch(/INITRD loader\.img/);
    expect(config).toContain(`astlinux.card=${uuid}`);
    // The loader's kernel skips its crypto self-tests (LOADER_KERNEL_OPTIONS): ~0.4 s of each emulated boot.
    expect(config).toMatch(
      /^ {2}APPEND console=ttyS0,115200 console=tty0 panic=10 cryptomgr\.notests astlinux\./m,
    );
  });

  it('is inspected as an AstLinux card that boots the newest image', async () => {
    const report = await inspectFile(card);
    expect(report.astlinux).toBe(true);
    expect(report.layout).toBe(layout);
    expect(report.label).toBe('ASTLINUX');
    expect(report.loader).toMatchObject({ present: true, version: loader.version });
    expect(report.syslinux).toMatchObject({ bootable: true, version: '6.04' });
    expect(report.images.map((image) => [image.name, image.checksum])).toEqual([
      ['AstLinux-0.10.0.img', 'ok'],
      ['AstLinux-0.4.1.img', 'ok'],
    ]);
    expect(report.boot).toEqual({
      image: 'AstLinux-0.10.0.img',
      version: '0.10.0',
      verified: true,
      by: 'astcard',
    });
    expect(report.keydisk).toMatchObject({ present: true, location: 'card:/kd.img' });
    expect(report.problems).toEqual([]);
    expect(phases).toEqual(
      new Set(['format', 'bootloader', 'loader', 'write', 'verify', 'keydisk', 'finish']),
    );
  });
});

describe('inspect on damaged and foreign cards', () => {
  it('sees a corrupted newest image and names the fallback; --quick cannot know', async () => {
    const card = join(dir, 'corrupt.img');
    const old = fakeImage(dir, '1.5.9', 1_000_000);
    const newest = fakeImage(dir, '1.5.10', 1_200_000);
    await prepareImageFile(card, 48 * 1024 * 1024, [old, newest]);
    const damaged = Buffer.from(readFileSync(newest));
    damaged[600_000] = (damaged[600_000] ?? 0) ^ 0x01;
    const damagedPath = join(scratch('damaged'), 'AstLinux-1.5.10.img');
    writeFileSync(damagedPath, damaged);
    execFileSync('mcopy', ['-o', '-i', mtoolsImage(card, 'mbr'), damagedPath, '::/AstLinux-1.5.10.img']);

    const report = await inspectFile(card);
    expect(report.images.map((image) => [image.name, image.checksum])).toEqual([
      ['AstLinux-1.5.10.img', 'mismatch'],
      ['AstLinux-1.5.9.img', 'ok'],
    ]);
    expect(report.boot).toEqual({
      image: 'AstLinux-1.5.9.img',
      version: '1.5.9',
      verified: true,
      by: 'astcard',
    });
    expect(report.problems.map((problem) => problem.code)).toEqual(['image-damaged']);
    expect(report.bootLines).toContain('AstLinux-1.5.10.img: sha1 checksum mismatch, skipping');

    const quick = await inspectFile(card, true);
    expect(quick.boot).toEqual({
      image: 'AstLinux-1.5.10.img',
      version: '1.5.10',
      verified: false,
      by: 'astcard',
    });
    expect(quick.images.every((image) => image.checksum === 'unverified')).toBe(true);
  });

  it('reports a blank drive and a plain FAT stick as not AstLinux cards', async () => {
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, Buffer.alloc(8 * 1024 * 1024));
    const blankReport = await inspectFile(blank);
    expect(blankReport.astlinux).toBe(false);
    expect(blankReport.problems[0]?.code).toBe('not-an-astlinux-card');

    const stick = join(dir, 'stick.img');
    execFileSync('mkfs.vfat', ['-C', stick, '16384'], { stdio: 'ignore' });
    const stickReport = await inspectFile(stick);
    expect(stickReport.astlinux).toBe(false);
    expect(stickReport.layout).toBe('superfloppy');
    expect(stickReport.filesystem).toBe('FAT16');
  });

  it('reads a card made by mkfs.vfat + syslinux + mcopy, without our loader', async () => {
    const card = join(dir, 'toolchain.img');
    execFileSync('mkfs.vfat', ['-C', card, '32768'], { stdio: 'ignore' });
    execFileSync('syslinux', ['--install', card]);
    const image = fakeImage(dir, '0.9.0', 700_000);
    execFileSync('mcopy', ['-i', card, image, `${image}.sha1`, '::/']);
    const report = await inspectFile(card);
    expect(report.astlinux).toBe(true);
    expect(report.boot?.image).toBe('AstLinux-0.9.0.img');
    expect(report.syslinux?.bootable).toBe(true);
    expect(report.problems.map((problem) => problem.code)).toContain('loader-missing');
  });
});

describe('prepare refuses before writing anything', () => {
  it('refuses a target too small, saying how much is missing, and leaves it untouched', async () => {
    const card = join(dir, 'small.img');
    writeFileSync(card, Buffer.alloc(16 * 1024 * 1024, 0xa5));
    const big = fakeImage(dir, '2.0.0', 12 * 1024 * 1024);
    const disk = await FileBlockDevice.open(card);
    const attempt = prepareCard(disk, { images: [await imageFromFile(big)], loader, syslinux });
    await expect(attempt).rejects.toMatchObject({
      code: 'too-small',
      message: expect.stringMatching(/MiB more/),
    });
    await disk.close();
    expect(readFileSync(card).every((byte) => byte === 0xa5)).toBe(true);
  });

  it('refuses a source that does not match its own checksum file, and leaves no partial copy', async () => {
    const card = join(dir, 'mismatch.img');
    const bad = fakeImage(dir, '3.0.0', 400_000);
    writeFileSync(`${bad}.sha1`, `${'0'.repeat(40)}  AstLinux-3.0.0.img\n`);
    await expect(prepareImageFile(card, 40 * 1024 * 1024, [bad])).rejects.toMatchObject({
      code: 'source-checksum-mismatch',
    });
    expect(mtoolsNames(card, 'mbr').filter((name) => name.startsWith('AstLinux'))).toEqual([]);
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });

  it('refuses a malformed source checksum file and a name without a version', async () => {
    const broken = fakeImage(dir, '3.1.0', 1000);
    writeFileSync(`${broken}.sha1`, 'not a checksum at all\n');
    await expect(imageFromFile(broken)).rejects.toBeInstanceOf(CardError);
    await expect(imageFromFile(broken)).rejects.toMatchObject({ code: 'source-checksum-malformed' });
    const odd = join(dir, 'firmware.img');
    writeFileSync(odd, 'x');
    await expect(imageFromFile(odd)).rejects.toMatchObject({ code: 'bad-image-name' });
  });

  it('makes a sparse image file for a large new card', async () => {
    const card = join(dir, 'large.img');
    await prepareImageFile(card, 4 * 1024 ** 3, [fakeImage(dir, '4.0.0', 100_000)]);
    const report = await inspectFile(card);
    expect(report.filesystem).toBe('FAT32');
    expect(report.boot?.image).toBe('AstLinux-4.0.0.img');
    expect(statSync(card).blocks * 512).toBeLessThan(64 * 1024 * 1024);
  });
});
