import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkBinaries,
  loadSyslinuxBinaries,
  type SyslinuxBinaries,
} from '../../../electron/core/syslinux/binaries.js';
import { isEfi64Module, syslinuxEfiVersion } from '../../../electron/core/syslinux/efi-program.js';
import { readPatchArea } from '../../../electron/core/syslinux/patch-area.js';
import { SyslinuxError } from '../../../electron/core/syslinux/syslinux-error.js';
import { SYSLINUX_ASSETS, shippedBinaries } from './binaries-fixture.js';

let work: string;
let binaries: SyslinuxBinaries;
beforeAll(async () => {
  binaries = await shippedBinaries();
  work = mkdtempSync(join(tmpdir(), 'syslinux-binaries-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function loadError(dir: string): Promise<string | undefined> {
  try {
    await loadSyslinuxBinaries(dir);
  } catch (error) {
    return error instanceof SyslinuxError ? error.code : `unexpected ${String(error)}`;
  }
  return undefined;
}

describe('loadSyslinuxBinaries', () => {
  it('loads the shipped set, whose pieces match the manifest and each other', () => {
    const manifest = JSON.parse(readFileSync(join(SYSLINUX_ASSETS, 'manifest.json'), 'utf8'));
    expect(binaries.version).toBe(manifest.syslinuxVersion);
    expect(`0x${readPatchArea(binaries.ldlinuxImage).instance.toString(16).padStart(8, '0')}`).toBe(
      manifest.instance,
    );
    expect(binaries.ldlinuxImage.length).toBe(manifest.files['ldlinux.bin'].size);
    expect(manifest.debian.syslinux.version).toMatch(/^\d+:6\.04/);
  });

  it('refuses a set whose file does not match its manifest digest', async () => {
    const dir = join(work, 'tampered');
    cpSync(SYSLINUX_ASSETS, dir, { recursive: true });
    const c32 = readFileSync(join(dir, 'ldlinux.c32'));
    c32[100] = (c32[100] ?? 0) ^ 1;
    writeFileSync(join(dir, 'ldlinux.c32'), c32);
    expect(await loadError(dir)).toBe('binaries-missing');
  });

  it('refuses a missing directory with a hint to build it', async () => {
    await expect(loadSyslinuxBinaries(join(work, 'nowhere'))).rejects.toThrow(/build:syslinux/);
  });

  it('refuses a boot sector from another build than ldlinux.sys', () => {
    const instance = readPatchArea(binaries.ldlinuxImage).instance;
    const other = binaries.bootSector.slice();
    const view = new DataView(other.buffer);
    for (let i = 0; i + 4 <= other.length; i++)
      if (view.getUint32(i, true) === instance) view.setUint32(i, instance ^ 1, true);
    expect(() => checkBinaries({ ...binaries, bootSector: other })).toThrow(/another SYSLINUX build/);
  });

  it('carries SYSLINUX for UEFI: an x86-64 syslinux.efi and the ldlinux.e64 from the same Debian build', () => {
    const manifest = JSON.parse(readFileSync(join(SYSLINUX_ASSETS, 'manifest.json'), 'utf8'));
    expect(binaries.efi.version).toBe('6.04');
    expect(manifest.debian['syslinux-efi'].version).toBe(manifest.debian['syslinux-common'].version);
    expect(binaries.efi.bootx64.length).toBe(manifest.files['efi64/syslinux.efi'].size);
    expect(syslinuxEfiVersion(binaries.efi.bootx64)).toBe('6.04');
    expect(isEfi64Module(binaries.efi.ldlinuxE64)).toBe(true);
    // The BIOS pieces are no UEFI program, and the UEFI program is no module.
    expect(syslinuxEfiVersion(binaries.ldlinuxImage)).toBeNull();
    expect(isEfi64Module(binaries.efi.bootx64)).toBe(false);
  });

  it('refuses a UEFI pair that is not SYSLINUX for x86-64, or not the version its manifest says', () => {
    const renamed = Buffer.from(binaries.efi.bootx64);
    renamed.write('Elsewhere', renamed.indexOf('Syslinux/'), 'latin1');
    expect(() => checkBinaries({ ...binaries, efi: { ...binaries.efi, bootx64: renamed } })).toThrow(
      /not SYSLINUX for x86-64 UEFI/,
    );
    const ia32 = Buffer.from(binaries.efi.bootx64);
    ia32.writeUInt16LE(0x014c, ia32.readUInt32LE(0x3c) + 4);
    expect(() => checkBinaries({ ...binaries, efi: { ...binaries.efi, bootx64: ia32 } })).toThrow(
      /x86-64 UEFI/,
    );
    expect(() => checkBinaries({ ...binaries, efi: { ...binaries.efi, version: '6.03' } })).toThrow(/6\.03/);
    expect(() =>
      checkBinaries({ ...binaries, efi: { ...binaries.efi, ldlinuxE64: binaries.ldlinuxC32 } }),
    ).toThrow(/ldlinux\.e64/);
  });
});
