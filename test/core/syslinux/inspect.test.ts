/**
 * inspectSyslinux on volumes Debian's syslinux installed, then damaged the ways real cards get damaged
 * (with mtools, as another OS would).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/index.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import { findDword } from '../../../electron/core/syslinux/binaries.js';
import { inspectSyslinux, type SyslinuxInspection } from '../../../electron/core/syslinux/inspect.js';
import { readPatchArea } from '../../../electron/core/syslinux/patch-area.js';
import { shippedBinaries } from './binaries-fixture.js';
import { makeOracleVolume, mcopyMany, type OracleVolume, SECTOR, syslinuxInstall } from './fat-oracle.js';

let work: string;
let binaries: SyslinuxBinaries;
let counter = 0;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'syslinux-inspect-'));
  binaries = await shippedBinaries();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mtools(volume: OracleVolume, command: string, ...args: string[]): void {
  execFileSync(command, ['-i', volume.mtoolsImage, ...args], { stdio: 'ignore' });
}

function installedVolume(partitionStart?: number): OracleVolume {
  counter++;
  const options =
    partitionStart === undefined
      ? { sizeMiB: 32, fatType: 16 as const }
      : { sizeMiB: 32, fatType: 16 as const, partitionStart };
  const volume = makeOracleVolume(join(work, `card${counter}.img`), options);
  syslinuxInstall(volume);
  // syslinux --install leaves the MBR alone; people add mbr.bin with dd, as here.
  if (partitionStart !== undefined) {
    const bytes = readFileSync(volume.path);
    bytes.set(readFileSync('/usr/lib/syslinux/mbr/mbr.bin').subarray(0, 440), 0);
    writeFileSync(volume.path, bytes);
  }
  return volume;
}

async function inspect(volume: OracleVolume): Promise<SyslinuxInspection> {
  const disk = await FileBlockDevice.open(volume.path, { readOnly: true });
  try {
    return await inspectSyslinux(disk, { knownBuilds: [binaries] });
  } finally {
    await disk.close();
  }
}

const codes = (report: SyslinuxInspection) => report.problems.map((problem) => problem.code).sort();

function patchImage(volume: OracleVolume, offset: number, change: (byte: number) => number): void {
  const bytes = readFileSync(volume.path);
  bytes[offset] = change(bytes[offset] ?? 0);
  writeFileSync(volume.path, bytes);
}

describe('inspectSyslinux', () => {
  it('finds a good install by Debian’s syslinux, with its version and build', async () => {
    for (const volume of [installedVolume(), installedVolume(2048)]) {
      const report = await inspect(volume);
      expect(report.problems).toEqual([]);
      expect(report.bootable).toBe(true);
      expect(report.version).toBe(binaries.version);
      expect(report.instance).toBe(readPatchArea(binaries.ldlinuxImage).instance);
      expect(report.ldlinuxC32Version).toBe(binaries.version);
      // The build time hidden in the instance is the date in ldlinux.sys's banner.
      const banner = /SYSLINUX \S+ (\d{8})/.exec(Buffer.from(binaries.ldlinuxImage).toString('latin1'))?.[1];
      expect(report.buildTime?.toISOString().slice(0, 10).replace(/-/g, '')).toBe(banner);
    }
  });

  it('flags a stale ldlinux.c32 from another build beside ldlinux.sys', async () => {
    const volume = installedVolume();
    mtools(volume, 'mattrib', '-r', '-s', '-h', '::ldlinux.c32');
    mcopyMany(volume, ['/usr/lib/syslinux/modules/bios/ldlinux.c32']);
    const report = await inspect(volume);
    expect(codes(report)).toEqual(['ldlinux-c32-other-build']);
    expect(report.bootable).toBe(false);
  });

  it('flags boot code with no ldlinux.sys behind it', async () => {
    const volume = installedVolume();
    mtools(volume, 'mattrib', '-r', '-s', '-h', '::ldlinux.sys');
    mtools(volume, 'mdel', '::ldlinux.sys');
    expect(codes(await inspect(volume))).toEqual(['no-ldlinux-sys']);
  });

  it('flags an ldlinux.sys that was copied elsewhere after install', async () => {
    const volume = installedVolume();
    mkdirSync(join(work, 'moved'), { recursive: true });
    const saved = join(work, 'moved', 'ldlinux.sys');
    const filler = join(work, 'filler.bin');
    writeFileSync(filler, new Uint8Array(100_000));
    execFileSync('mcopy', ['-n', '-i', volume.mtoolsImage, '::ldlinux.sys', saved]);
    mtools(volume, 'mattrib', '-r', '-s', '-h', '::ldlinux.sys');
    mtools(volume, 'mdel', '::ldlinux.sys');
    mcopyMany(volume, [filler, saved]);
    expect(codes(await inspect(volume))).toEqual(['ldlinux-sys-moved']);
  });

  it('flags a changed ldlinux.sys by its checksum', async () => {
    const volume = installedVolume();
    // Code far from the patch area is the same in every install: find it and change one byte.
    const code = binaries.ldlinuxImage.subarray(4096, 4096 + 256);
    patchImage(volume, volume.offset + findInImage(volume, code) + 17, (byte) => byte ^ 0xff);
    expect(codes(await inspect(volume))).toEqual(['ldlinux-sys-damaged']);
  });

  it('flags a boot sector from another SYSLINUX build', async () => {
    const volume = installedVolume();
    const boot = readFileSync(volume.path).subarray(volume.offset, volume.offset + SECTOR);
    const at = findDword(boot, readPatchArea(binaries.ldlinuxImage).instance);
    expect(at).toBeDefined();
    patchImage(volume, volume.offset + (at as number), (byte) => byte ^ 0x01);
    expect(codes(await inspect(volume))).toEqual(['boot-sector-other-build']);
  });

  it('flags an MBR whose SYSLINUX partition is not active', async () => {
    const volume = installedVolume(2048);
    patchImage(volume, 446, () => 0);
    expect(codes(await inspect(volume))).toContain('mbr-not-bootable');
  });

  it('reports everything missing on a freshly formatted volume', async () => {
    counter++;
    const volume = makeOracleVolume(join(work, `blank${counter}.img`), { sizeMiB: 16, fatType: 16 });
    const report = await inspect(volume);
    expect(codes(report)).toEqual(['no-boot-code', 'no-ldlinux-c32', 'no-ldlinux-sys']);
    expect(report.bootSectorHasSyslinux).toBe(false);
  });

  it('reports a disk with no FAT at all', async () => {
    const path = join(work, 'zeros.img');
    writeFileSync(path, new Uint8Array(1024 * 1024));
    const report = await inspect({ path, offset: 0, mtoolsImage: path });
    expect(codes(report)).toEqual(['no-fat-volume']);
  });
});

/** Byte offset (from the volume start) where `needle` first occurs in the volume. */
function findInImage(volume: OracleVolume, needle: Uint8Array): number {
  const at = readFileSync(volume.path).subarray(volume.offset).indexOf(needle);
  if (at < 0) throw new Error('ldlinux.sys not found in the image');
  return at;
}
