// The UEFI side of a card (EFI/BOOT/): what prepare writes, what inspect says about old, stale and foreign
// UEFI files, how loader update and source set keep the two boot menus in step, and a RUNNIX card's EFI
// files kept. Oracles: mtools reads the files back, Debian's installed syslinux-efi package is what
// BOOTX64.EFI must equal, fsck.fat -n checks the volume. QEMU + OVMF boots are in e2e/uefi/.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import {
  type LoaderAssets,
  loadLoaderAssets,
  loadSyslinuxAssets,
} from '../../../electron/core/card/assets.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { updateLoader } from '../../../electron/core/card/loader-update.js';
import { setCardSources } from '../../../electron/core/card/network-source.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import { type BootMenu, bootMenuDifferences, renderEfiConfig } from '../../../shared/boot-menu.js';
import { readBootMenu } from '../../../shared/boot-menu-read.js';
import { fakeImage, fsckCard, mtoolsImage, preparedCard, removeScratch, scratch } from './card-fixtures.js';
import { FaultyBlockDevice } from './faulty-device.js';
import { analyseFsck } from './fsck-analysis.js';

type Layout = 'mbr' | 'superfloppy';
const dir = scratch('uefi-card');
const DEBIAN_SYSLINUX_EFI = '/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi';
const DEBIAN_LDLINUX_E64 = '/usr/lib/syslinux/modules/efi64/ldlinux.e64';
let loader: LoaderAssets;
let syslinux: SyslinuxBinaries;
let base: string;

afterAll(removeScratch);

beforeAll(async () => {
  loader = await loadLoaderAssets();
  syslinux = await loadSyslinuxAssets();
  base = join(dir, 'base.img');
  await preparedCard(base, 40 * 1024 * 1024, [fakeImage(scratch('uefi-images'), '1.0.0', 200_000)]);
});

function copyOf(name: string): string {
  const card = join(dir, name);
  writeFileSync(card, readFileSync(base));
  return card;
}

function mtools(card: string, layout: Layout, command: string, ...args: string[]): string {
  return execFileSync(command, ['-i', mtoolsImage(card, layout), ...args], { encoding: 'latin1' });
}

/** A file copied out of the card by mtools, subfolders allowed. */
function get(card: string, path: string, layout: Layout = 'mbr'): Buffer {
  const out = join(scratch('uefi-get'), 'file');
  execFileSync('mcopy', ['-n', '-i', mtoolsImage(card, layout), `::/${path}`, out]);
  return readFileSync(out);
}

function put(card: string, path: string, data: string | Uint8Array, layout: Layout = 'mbr'): void {
  const file = join(scratch('uefi-put'), 'file');
  writeFileSync(file, data);
  execFileSync('mcopy', ['-o', '-i', mtoolsImage(card, layout), file, `::/${path}`]);
}

function menus(card: string, layout: Layout = 'mbr'): { bios: BootMenu; efi: BootMenu } {
  const bios = readBootMenu(get(card, 'syslinux.cfg', layout).toString('utf8'));
  const efi = readBootMenu(get(card, 'EFI/BOOT/syslinux.cfg', layout).toString('utf8'), 'EFI/BOOT');
  if (!bios || !efi) throw new Error('a boot menu boots nothing');
  return { bios, efi };
}

async function inspect(card: string) {
  const disk = await FileBlockDevice.open(card, { readOnly: true });
  try {
    return await inspectCard(disk, { quick: true, knownSyslinuxBuilds: [syslinux] });
  } finally {
    await disk.close();
  }
}

async function update(card: string, assets = loader, force = false) {
  const disk = await FileBlockDevice.open(card);
  try {
    return await updateLoader(disk, { loader: assets, syslinux, force });
  } finally {
    await disk.close();
  }
}

function expectClean(card: string, layout: Layout = 'mbr'): void {
  const fsck = fsckCard(card, layout);
  expect(fsck.status, fsck.output).toBe(0);
}

/** The version of a Debian package installed on this machine; null when it is not installed. */
function installedVersion(name: string): string | null {
  try {
    // `dpkg-query -W` prints "<package>\t<version>".
    return (
      execFileSync('dpkg-query', ['-W', name], { encoding: 'utf8', stdio: 'pipe' }).split('\t')[1]?.trim() ??
      null
    );
  } catch {
    return null;
  }
}

const codes = (report: Awaited<ReturnType<typeof inspect>>) => report.problems.map((problem) => problem.code);

describe.each<Layout>(['mbr', 'superfloppy'])('prepare (%s)', (layout) => {
  it('puts SYSLINUX for UEFI in EFI/BOOT beside the BIOS one, booting the same menu', async () => {
    const card = join(dir, `prepared-${layout}.img`);
    await preparedCard(card, 40 * 1024 * 1024, [fakeImage(scratch('uefi-prep'), '1.0.0', 100_000)], layout);
    const listing = mtools(card, layout, 'mdir', '-b', '::/EFI/BOOT')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace('::/EFI/BOOT/', ''))
      .sort();
    expect(listing).toEqual(['BOOTX64.EFI', 'ldlinux.e64', 'syslinux.cfg']);
    expect(get(card, 'EFI/BOOT/BOOTX64.EFI', layout).equals(Buffer.from(syslinux.efi.bootx64))).toBe(true);
    expect(get(card, 'EFI/BOOT/ldlinux.e64', layout).equals(Buffer.from(syslinux.efi.ldlinuxE64))).toBe(true);
    // The same bytes as Debian's package installs, when this machine has that version installed.
    const installed = installedVersion('syslinux-efi');
    const manifest = JSON.parse(readFileSync(join('assets/syslinux/manifest.json'), 'utf8'));
    if (installed === manifest.debian['syslinux-efi'].version && existsSync(DEBIAN_SYSLINUX_EFI)) {
      expect(get(card, 'EFI/BOOT/BOOTX64.EFI', layout).equals(readFileSync(DEBIAN_SYSLINUX_EFI))).toBe(true);
      expect(get(card, 'EFI/BOOT/ldlinux.e64', layout).equals(readFileSync(DEBIAN_LDLINUX_E64))).toBe(true);
    }
    const text = get(card, 'EFI/BOOT/syslinux.cfg', layout).toString('utf8');
    for (const line of text.split('\n').filter((l) => /^\s*(LINUX|INITRD) /.test(l)))
      expect(line).toMatch(/^\s*(LINUX|INITRD) \//);
    const { bios, efi } = menus(card, layout);
    expect(bootMenuDifferences(bios, efi)).toEqual([]);
    expect(bios.entries[0]?.append).toMatch(/astlinux\.card=[0-9A-F]{4}-[0-9A-F]{4}/);

    const report = await inspect(card);
    expect(report.firmware).toEqual({ bios: true, uefi: true });
    expect(report.efi).toEqual({
      program: 'EFI/BOOT/BOOTX64.EFI',
      syslinuxVersion: '6.04',
      ldlinuxE64: true,
      shipped: true,
      config: 'same',
      differences: [],
    });
    expect(report.problems).toEqual([]);
    expectClean(card, layout);
  });
});

describe('an older card', () => {
  it('without EFI files: inspect says UEFI cannot start it and how to fix it; loader update adds them', async () => {
    const card = copyOf('old.img');
    mtools(card, 'mbr', 'mdeltree', '::/EFI');
    const biosBefore = get(card, 'syslinux.cfg');
    const before = await inspect(card);
    expect(before.firmware).toEqual({ bios: true, uefi: false });
    expect(codes(before)).toEqual(['uefi-no-boot-program']);
    expect(before.problems[0]?.message).toMatch(/does not start on UEFI computers.*Update the loader/);

    const result = await update(card);
    expect(result).toMatchObject({
      changed: true,
      kernel: 'bzImage',
      efiProgram: 'added',
      efiRepaired: ['uefi-no-boot-program', 'uefi-config-missing'],
    });
    // The loader was already this one: it stays in its slot and /syslinux.cfg is not rewritten.
    expect(get(card, 'syslinux.cfg').equals(biosBefore)).toBe(true);
    const after = await inspect(card);
    expect(after.firmware).toEqual({ bios: true, uefi: true });
    expect(after.problems).toEqual([]);
    expectClean(card);
    expect((await update(card)).changed).toBe(false);
  });

  it('with a stale UEFI menu: inspect names the difference; loader update renders it again', async () => {
    const card = copyOf('stale.img');
    const oldEfi = get(card, 'EFI/BOOT/syslinux.cfg');
    const newer = {
      ...loader,
      version: '9.0.0',
      initramfs: new Uint8Array([...loader.initramfs, 0, 0, 0, 0]),
    };
    expect(await update(card, newer)).toMatchObject({
      kernel: 'bzImage-b',
      efiRepaired: [],
      efiProgram: 'kept',
    });
    expect(bootMenuDifferences(menus(card).bios, menus(card).efi)).toEqual([]);
    put(card, 'EFI/BOOT/syslinux.cfg', oldEfi);

    const stale = await inspect(card);
    expect(stale.firmware).toEqual({ bios: true, uefi: true });
    expect(stale.efi?.config).toBe('differs');
    expect(stale.efi?.differences).toEqual([
      'label loader: kernel bzImage-b on BIOS, bzImage on UEFI',
      'label loader: initrd loader-b.img on BIOS, loader.img on UEFI',
      'label previous: only on BIOS',
    ]);
    expect(codes(stale)).toEqual(['uefi-config-differs']);
    expect(stale.problems[0]?.message).toMatch(/would boot differently than on BIOS \(label loader: kernel/);

    expect(await update(card, newer)).toMatchObject({
      changed: true,
      kernel: 'bzImage-b',
      efiRepaired: ['uefi-config-differs'],
      efiProgram: 'kept',
    });
    const { bios, efi } = menus(card);
    expect(bootMenuDifferences(bios, efi)).toEqual([]);
    expect(get(card, 'EFI/BOOT/syslinux.cfg').toString('utf8')).toBe(renderEfiConfig(bios));
    expect((await inspect(card)).problems).toEqual([]);
    expectClean(card);
  });
});

describe('source set', () => {
  it('writes the sources into both menus, and clears them from both', async () => {
    const card = copyOf('sources.img');
    const disk = await FileBlockDevice.open(card);
    try {
      await setCardSources(disk, ['http://10.0.2.100/astlinux/'], { ip: '10.0.2.15/24,10.0.2.2' });
    } finally {
      await disk.close();
    }
    let { bios, efi } = menus(card);
    expect(efi.entries[0]?.append).toContain('astlinux.source=http://10.0.2.100/astlinux/');
    expect(efi.entries[0]?.append).toContain('astlinux.ip=10.0.2.15/24,10.0.2.2');
    expect(bootMenuDifferences(bios, efi)).toEqual([]);

    const again = await FileBlockDevice.open(card);
    try {
      await setCardSources(again, []);
    } finally {
      await again.close();
    }
    ({ bios, efi } = menus(card));
    expect(efi.entries[0]?.append).not.toContain('astlinux.source');
    expect(bootMenuDifferences(bios, efi)).toEqual([]);
    expect((await inspect(card)).problems).toEqual([]);
    expectClean(card);
  });
});

describe('foreign UEFI boot programs', () => {
  it('keeps a RUNNIX card’s SYSLINUX for UEFI and its modules, and points its menu at the loader', async () => {
    const card = copyOf('runnix.img');
    mtools(card, 'mbr', 'mdeltree', '::/EFI');
    mtools(card, 'mbr', 'mmd', '::/EFI', '::/EFI/BOOT');
    // Another build of syslinux.efi than ours, named in lower case as RUNNIX writes it.
    const theirs = Buffer.concat([Buffer.from(syslinux.efi.bootx64), Buffer.alloc(512, 0x52)]);
    put(card, 'EFI/BOOT/bootx64.efi', theirs);
    put(card, 'EFI/BOOT/ldlinux.e64', syslinux.efi.ldlinuxE64);
    put(card, 'EFI/BOOT/menu.c32', readFileSync('/usr/lib/syslinux/modules/efi64/menu.c32'));
    put(card, 'runnix', Buffer.alloc(4096, 1));
    put(card, 'runnix.img', Buffer.alloc(4096, 2));
    put(
      card,
      'EFI/BOOT/syslinux.cfg',
      'UI menu.c32\ndefault runnix\ntimeout 50\nlabel runnix\n  kernel /runnix\n  append initrd=/runnix.img init=/runnix runimg=auto\n',
    );
    const found = await inspect(card);
    expect(found.efi).toMatchObject({
      program: 'EFI/BOOT/bootx64.efi',
      syslinuxVersion: '6.04',
      ldlinuxE64: true,
      shipped: false,
      config: 'differs',
    });
    // It starts on UEFI (RUNNIX's own menu), just not the same loader as on BIOS.
    expect(found.firmware).toEqual({ bios: true, uefi: true });
    expect(codes(found)).toEqual(['uefi-config-differs']);

    const result = await update(card);
    expect(result).toMatchObject({ efiProgram: 'kept', efiRepaired: ['uefi-config-differs'] });
    expect(get(card, 'EFI/BOOT/bootx64.efi').equals(theirs)).toBe(true);
    expect(mtools(card, 'mbr', 'mdir', '-b', '::/EFI/BOOT')).toMatch(/bootx64\.efi[\s\S]*menu\.c32/);
    expect(bootMenuDifferences(menus(card).bios, menus(card).efi)).toEqual([]);
    const after = await inspect(card);
    expect(after.efi).toMatchObject({ shipped: false, config: 'same' });
    expect(after.problems).toEqual([]);
    expectClean(card);
  });

  it('replaces a boot program that is not SYSLINUX, and a SYSLINUX missing its ldlinux.e64', async () => {
    const card = copyOf('other.img');
    const other = Buffer.from(syslinux.efi.bootx64);
    other.write('Elsewhere', other.indexOf('Syslinux/'), 'latin1');
    put(card, 'EFI/BOOT/BOOTX64.EFI', other);
    const found = await inspect(card);
    expect(found.efi).toMatchObject({ program: 'EFI/BOOT/BOOTX64.EFI', syslinuxVersion: null });
    expect(found.firmware.uefi).toBe(false);
    expect(codes(found)).toEqual(['uefi-other-boot-program']);
    expect(await update(card)).toMatchObject({
      efiProgram: 'replaced',
      efiRepaired: ['uefi-other-boot-program'],
    });
    expect(get(card, 'EFI/BOOT/BOOTX64.EFI').equals(Buffer.from(syslinux.efi.bootx64))).toBe(true);

    mtools(card, 'mbr', 'mdel', '::/EFI/BOOT/ldlinux.e64');
    const halfway = await inspect(card);
    expect(halfway.firmware.uefi).toBe(false);
    expect(codes(halfway)).toEqual(['uefi-no-ldlinux-e64']);
    expect(await update(card)).toMatchObject({
      efiProgram: 'replaced',
      efiRepaired: ['uefi-no-ldlinux-e64'],
    });
    expect((await inspect(card)).problems).toEqual([]);
    expectClean(card);
  });
});

describe('loader update cut off at any write', () => {
  /** The loader files a menu boots by default, read back: which of the two loaders, whole, or null. */
  function bootedLoader(card: string, menu: BootMenu | null, loaders: LoaderAssets[]): string | null {
    const entry = menu?.entries.find((e) => e.label.toLowerCase() === menu.defaultLabel.toLowerCase());
    if (!entry?.initrd) return null;
    const kernel = get(card, entry.kernel);
    const initrd = get(card, entry.initrd);
    const whole = loaders.find(
      (l) => kernel.equals(Buffer.from(l.kernel)) && initrd.equals(Buffer.from(l.initramfs)),
    );
    return whole?.version ?? null;
  }

  async function cutEverywhere(start: string, expectUefiAlways: boolean) {
    const newer = {
      ...loader,
      version: '9.0.0',
      initramfs: new Uint8Array([...loader.initramfs, 0, 0, 0, 0]),
    };
    const count = join(dir, 'count.img');
    writeFileSync(count, readFileSync(start));
    const countFile = await FileBlockDevice.open(count);
    const counting = new FaultyBlockDevice(countFile, Number.POSITIVE_INFINITY);
    await updateLoader(counting, { loader: newer, syslinux });
    await countFile.close();
    const seen = new Set<string>();
    let renameWindows = 0;
    for (let cut = 0; cut < counting.writes; cut++) {
      const card = join(dir, `cut-${cut}.img`);
      writeFileSync(card, readFileSync(start));
      const file = await FileBlockDevice.open(card);
      const disk = new FaultyBlockDevice(file, cut);
      await expect(updateLoader(disk, { loader: newer, syslinux })).rejects.toThrow(/injected/);
      await file.close();

      const report = await inspect(card);
      expect(report.firmware.bios, `cut ${cut}`).toBe(true);
      const bios = readBootMenu(get(card, 'syslinux.cfg').toString('utf8'));
      const biosLoader = bootedLoader(card, bios, [loader, newer]);
      expect(biosLoader, `cut ${cut}: BIOS boots a whole loader`).not.toBeNull();
      let uefiLoader = 'none';
      if (report.efi?.program) {
        expect(report.firmware.uefi, `cut ${cut}`).toBe(true);
        const efiText =
          report.efi.config === 'missing' ? null : get(card, 'EFI/BOOT/syslinux.cfg').toString('utf8');
        const menu = efiText === null ? bios : readBootMenu(efiText, 'EFI/BOOT');
        uefiLoader = bootedLoader(card, menu, [loader, newer]) ?? 'broken';
        expect(uefiLoader, `cut ${cut}: UEFI boots a whole loader`).not.toBe('broken');
      } else {
        expect(expectUefiAlways, `cut ${cut}: UEFI lost its boot program`).toBe(false);
      }
      seen.add(`bios ${biosLoader}, uefi ${uefiLoader}`);
      const found = analyseFsck(fsckCard(card, 'mbr').output, /syslinux\.new/, /syslinux\.cfg/);
      expect(found.bad, `cut ${cut}`).toEqual([]);
      if (found.renameWindow) renameWindows++;
    }
    expect(renameWindows).toBeLessThanOrEqual(1);
    return [...seen].sort();
  }

  it('on a card with UEFI files: both firmwares boot a whole loader at every cut, UEFI switching first', async () => {
    expect(await cutEverywhere(base, true)).toEqual([
      `bios ${loader.version}, uefi ${loader.version}`,
      `bios ${loader.version}, uefi 9.0.0`,
      'bios 9.0.0, uefi 9.0.0',
    ]);
  }, 600_000);

  it('on an older card: BIOS boots at every cut, and UEFI, once its boot program is there', async () => {
    const old = copyOf('old-for-cuts.img');
    mtools(old, 'mbr', 'mdeltree', '::/EFI');
    expect(await cutEverywhere(old, false)).toEqual([
      `bios ${loader.version}, uefi 9.0.0`,
      `bios ${loader.version}, uefi none`,
      'bios 9.0.0, uefi 9.0.0',
    ]);
  }, 600_000);
});
