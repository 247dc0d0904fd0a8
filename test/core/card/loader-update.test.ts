import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import {
  type LoaderAssets,
  loadLoaderAssets,
  loadSyslinuxAssets,
} from '../../../electron/core/card/assets.js';
import { CardError } from '../../../electron/core/card/card-error.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { type UpdateLoaderResult, updateLoader } from '../../../electron/core/card/loader-update.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
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
import { FaultyBlockDevice } from './faulty-device.js';
import { analyseFsck } from './fsck-analysis.js';

const dir = scratch('loader-update');
let loader: LoaderAssets;
let syslinux: SyslinuxBinaries;
let base: string;

/** A different loader build: same kernel, the initramfs padded (cpio readers skip trailing zeros). */
function newerLoader(version: string, padding: number): LoaderAssets {
  const initramfs = new Uint8Array(loader.initramfs.length + padding);
  initramfs.set(loader.initramfs);
  return { ...loader, version, initramfs };
}

async function update(card: string, assets: LoaderAssets, writesBeforeFailure = Number.POSITIVE_INFINITY) {
  const file = await FileBlockDevice.open(card);
  const disk = new FaultyBlockDevice(file, writesBeforeFailure);
  try {
    const result = await updateLoader(disk, { loader: assets, syslinux });
    return { result, writes: disk.writes, failed: false };
  } catch (error) {
    if (!disk.failed) throw error;
    return { result: null, writes: disk.writes, failed: true };
  } finally {
    await file.close();
  }
}

function copyOf(name: string): string {
  const card = join(dir, name);
  writeFileSync(card, readFileSync(base));
  return card;
}

function expectClean(card: string) {
  const fsck = fsckCard(card, 'mbr');
  expect(fsck.status, fsck.output).toBe(0);
}

afterAll(removeScratch);

beforeAll(async () => {
  loader = await loadLoaderAssets();
  syslinux = await loadSyslinuxAssets();
  base = join(dir, 'base.img');
  await preparedCard(base, 64 * 1024 * 1024, [fakeImage(scratch('lu-images'), '1.0.0', 500_000)]);
});

describe('loader update', () => {
  it('writes the new loader beside the old, switches to it, and keeps the old as "previous"', async () => {
    const card = copyOf('update.img');
    const before = mtoolsRead(card, 'mbr', 'syslinux.cfg').toString();
    const v2 = newerLoader('9.0.0', 4096);
    const { result } = await update(card, v2);
    expect(result).toMatchObject({
      changed: true,
      loaderVersion: '9.0.0',
      previousVersion: loader.version,
      kernel: 'bzImage-b',
      initrd: 'loader-b.img',
      fallback: { kernel: 'bzImage', initrd: 'loader.img' },
      syslinuxRepaired: [],
    });
    expectClean(card);
    expect(mtoolsRead(card, 'mbr', 'loader-b.img').equals(Buffer.from(v2.initramfs))).toBe(true);
    expect(mtoolsRead(card, 'mbr', 'bzImage-b').equals(Buffer.from(v2.kernel))).toBe(true);
    expect(mtoolsRead(card, 'mbr', 'loader.img').equals(Buffer.from(loader.initramfs))).toBe(true);
    expect(mtoolsNames(card, 'mbr')).not.toContain('syslinux.new');

    const config = mtoolsRead(card, 'mbr', 'syslinux.cfg').toString();
    expect(config).toMatch(/^DEFAULT loader$/m);
    expect(config).toMatch(/LABEL loader\n {2}LINUX bzImage-b\n {2}INITRD loader-b\.img\n {2}APPEND /);
    expect(config).toMatch(/LABEL previous\n {2}LINUX bzImage\n {2}INITRD loader\.img\n/);
    // Serial line, consoles and the card's volume id are carried over.
    const append = (text: string) => /APPEND (.*)/.exec(text)?.[1];
    expect(append(config)).toBe(append(before));
    expect(config).toMatch(/^SERIAL 0 115200$/m);

    const report = await inspectImageFile(card);
    expect(report.loader).toMatchObject({ present: true, version: '9.0.0' });
    expect(report.boot).toMatchObject({ image: 'AstLinux-1.0.0.img', verified: true });
    expect(report.problems).toEqual([]);

    // The same loader again: nothing to do. A newer one goes back into slot A, keeping slot B.
    expect((await update(card, v2)).result?.changed).toBe(false);
    const v3 = newerLoader('9.1.0', 8192);
    expect((await update(card, v3)).result).toMatchObject({
      changed: true,
      previousVersion: '9.0.0',
      kernel: 'bzImage',
      initrd: 'loader.img',
      fallback: { kernel: 'bzImage-b', initrd: 'loader-b.img' },
    });
    expect(mtoolsRead(card, 'mbr', 'loader.img').equals(Buffer.from(v3.initramfs))).toBe(true);
    expect((await inspectImageFile(card)).loader.version).toBe('9.1.0');
    expectClean(card);
  });

  it('repairs a damaged SYSLINUX that inspect reports', async () => {
    const card = copyOf('damaged-syslinux.img');
    execFileSync('mattrib', ['-i', mtoolsImage(card, 'mbr'), '-r', '-s', '-h', '::/ldlinux.c32']);
    execFileSync('mdel', ['-i', mtoolsImage(card, 'mbr'), '::/ldlinux.c32']);
    const damaged = await inspectImageFile(card, true);
    expect(damaged.problems.map((problem) => problem.code)).toContain('syslinux-no-ldlinux-c32');

    const { result } = await update(card, loader);
    expect(result?.syslinuxRepaired).toContain('no-ldlinux-c32');
    const repaired = await inspectImageFile(card, true);
    expect(repaired.syslinux).toMatchObject({ bootable: true, version: '6.04' });
    expect(repaired.problems).toEqual([]);
    expectClean(card);
  });

  it('takes over a card made with mkfs.vfat and syslinux, keeping its own kernel as the fallback', async () => {
    const card = join(dir, 'toolchain.img');
    execFileSync('truncate', ['-s', '32M', card]);
    execFileSync('mkfs.vfat', ['-n', 'ASTLINUX', card], { stdio: 'ignore' });
    execFileSync('syslinux', ['--install', card]);
    const files = scratch('toolchain-files');
    writeFileSync(join(files, 'vmlinuz'), Buffer.alloc(100_000, 3));
    writeFileSync(join(files, 'initrd.gz'), Buffer.alloc(50_000, 4));
    writeFileSync(
      join(files, 'syslinux.cfg'),
      'DEFAULT linux\nTIMEOUT 30\nLABEL linux\n  KERNEL /vmlinuz\n  INITRD /initrd.gz\n  APPEND console=tty0 astlinux.onfail=reboot\n',
    );
    const image = fakeImage(files, '1.0.0', 300_000);
    for (const file of [
      'vmlinuz',
      'initrd.gz',
      'syslinux.cfg',
      'AstLinux-1.0.0.img',
      'AstLinux-1.0.0.img.sha1',
    ])
      execFileSync('mcopy', [
        '-i',
        card,
        file === 'AstLinux-1.0.0.img' ? image : join(files, file),
        `::/${file}`,
      ]);

    const disk = await FileBlockDevice.open(card);
    let result: UpdateLoaderResult;
    try {
      result = await updateLoader(disk, { loader, syslinux });
    } finally {
      await disk.close();
    }
    expect(result).toMatchObject({ kernel: 'bzImage', fallback: { kernel: 'vmlinuz', initrd: 'initrd.gz' } });
    const config = mtoolsRead(card, 'superfloppy', 'syslinux.cfg').toString();
    expect(config).toMatch(/^TIMEOUT 30$/m);
    const append = /LABEL loader\n.*\n.*\n {2}APPEND (.*)\n/.exec(config)?.[1]?.split(' ');
    expect(append).toHaveLength(3);
    expect(append).toEqual(
      expect.arrayContaining([
        'console=tty0',
        'astlinux.onfail=reboot',
        expect.stringMatching(/^astlinux\.card=[0-9A-F]{4}-[0-9A-F]{4}$/),
      ]),
    );
    const fsck = fsckCard(card, 'superfloppy');
    expect(fsck.status, fsck.output).toBe(0);
    const read = await FileBlockDevice.open(card, { readOnly: true });
    try {
      const report = await inspectCard(read, { knownSyslinuxBuilds: [syslinux] });
      expect(report.loader).toMatchObject({ present: true, version: loader.version });
      expect(report.boot?.image).toBe('AstLinux-1.0.0.img');
    } finally {
      await read.close();
    }
  });

  it('refuses a drive that is not an AstLinux card without writing to it', async () => {
    const blank = join(dir, 'blank.img');
    writeFileSync(blank, Buffer.alloc(8 * 1024 * 1024));
    const disk = await FileBlockDevice.open(blank);
    try {
      const error = await updateLoader(disk, { loader, syslinux }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CardError);
      expect((error as CardError).code).toBe('not-a-card');
    } finally {
      await disk.close();
    }
    expect(readFileSync(blank).every((byte) => byte === 0)).toBe(true);
  });

  it('cut off at any write, the card boots either the old loader or the new one, whole', async () => {
    const v2 = newerLoader('9.0.0', 4096);
    const complete = await update(copyOf('count.img'), v2);
    expect(complete.failed).toBe(false);
    let renameWindows = 0;
    const versions = new Set<string | null>();
    for (let cut = 0; cut < complete.writes; cut++) {
      const card = copyOf(`cut-${cut}.img`);
      expect((await update(card, v2, cut)).failed).toBe(true);
      const report = await inspectImageFile(card, true);
      expect(report.loader.present, `cut ${cut}`).toBe(true);
      expect(report.syslinux?.bootable).toBe(true);
      versions.add(report.loader.version);
      const booted = report.loader.version === '9.0.0' ? v2 : loader;
      const slot =
        report.loader.version === '9.0.0' ? ['bzImage-b', 'loader-b.img'] : ['bzImage', 'loader.img'];
      expect(
        mtoolsRead(card, 'mbr', slot[0] as string).equals(Buffer.from(booted.kernel)),
        `cut ${cut}`,
      ).toBe(true);
      expect(mtoolsRead(card, 'mbr', slot[1] as string).equals(Buffer.from(booted.initramfs))).toBe(true);
      const found = analyseFsck(fsckCard(card, 'mbr').output, /syslinux\.new/, /syslinux\.cfg/);
      expect(found.bad, `cut ${cut}`).toEqual([]);
      if (found.renameWindow) renameWindows++;
      rmSync(card);
    }
    expect([...versions].sort()).toEqual([loader.version, '9.0.0'].sort());
    expect(renameWindows).toBeLessThanOrEqual(1);
  });
});
