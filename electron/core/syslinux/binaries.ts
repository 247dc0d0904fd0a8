import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isEfi64Module, syslinuxEfiVersion } from './efi-program.js';
import { readPatchArea, SECTOR_SIZE } from './patch-area.js';
import { SyslinuxError } from './syslinux-error.js';

/** One matching SYSLINUX build, as scripts/build-syslinux.mjs writes it to assets/syslinux/. */
export interface SyslinuxBinaries {
  /** "6.04" */
  version: string;
  /** The ldlinux.sys loader image without its ADV, as shipped (patch fields are rewritten at install). */
  ldlinuxImage: Uint8Array;
  /** The ldlinux.c32 built together with that image. */
  ldlinuxC32: Uint8Array;
  /** A boot sector holding SYSLINUX's jump, OEM name and boot code (its BPB is ignored). */
  bootSector: Uint8Array;
  /** The MBR boot program (at most 440 bytes). */
  mbr: Uint8Array;
  /** SYSLINUX for x86-64 UEFI firmware, which a card carries in EFI/BOOT/. */
  efi: SyslinuxEfiBinaries;
}

/** One matching efi64 pair: syslinux.efi links the ldlinux.e64 it finds beside it against itself. */
export interface SyslinuxEfiBinaries {
  /** "6.04", from syslinux.efi's own version string. */
  version: string;
  /** syslinux.efi, written to a card as EFI/BOOT/BOOTX64.EFI (the name UEFI firmware starts). */
  bootx64: Uint8Array;
  /** The ldlinux.e64 built with it. */
  ldlinuxE64: Uint8Array;
}

const FILES = {
  ldlinuxImage: 'ldlinux.bin',
  ldlinuxC32: 'ldlinux.c32',
  bootSector: 'bootsect.bin',
  mbr: 'mbr.bin',
  bootx64: 'efi64/syslinux.efi',
  ldlinuxE64: 'efi64/ldlinux.e64',
} as const;

interface Manifest {
  syslinuxVersion: string;
  efiVersion?: string;
  files: Record<string, { sha256: string; size: number }>;
}

async function readOrExplain(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new SyslinuxError('binaries-missing', `cannot read ${path}; run npm run build:syslinux`, {
      cause: error,
    });
  }
}

/** Loads and verifies the binaries in `dir` (normally assets/syslinux/) against its manifest.json. */
export async function loadSyslinuxBinaries(dir: string): Promise<SyslinuxBinaries> {
  const manifestPath = join(dir, 'manifest.json');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readOrExplain(manifestPath))) as Manifest;
  } catch (error) {
    if (error instanceof SyslinuxError) throw error;
    throw new SyslinuxError('binaries-missing', `${manifestPath} is not valid JSON`, { cause: error });
  }
  const loaded: Partial<Record<keyof typeof FILES, Uint8Array>> = {};
  for (const [key, name] of Object.entries(FILES) as [keyof typeof FILES, string][]) {
    const bytes = await readOrExplain(join(dir, name));
    const expected = manifest.files?.[name]?.sha256;
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (expected !== actual) {
      throw new SyslinuxError('binaries-missing', `${name} does not match manifest.json (sha256 ${actual})`);
    }
    loaded[key] = bytes;
  }
  return checkBinaries({
    version: manifest.syslinuxVersion,
    ldlinuxImage: loaded.ldlinuxImage as Uint8Array,
    ldlinuxC32: loaded.ldlinuxC32 as Uint8Array,
    bootSector: loaded.bootSector as Uint8Array,
    mbr: loaded.mbr as Uint8Array,
    efi: {
      version: manifest.efiVersion ?? '',
      bootx64: loaded.bootx64 as Uint8Array,
      ldlinuxE64: loaded.ldlinuxE64 as Uint8Array,
    },
  });
}

/** Refuses a set whose pieces cannot work: wrong sizes, no patch area, boot sector of another build. */
export function checkBinaries(binaries: SyslinuxBinaries): SyslinuxBinaries {
  const area = readPatchArea(binaries.ldlinuxImage);
  if (area.dwords * 4 !== binaries.ldlinuxImage.length || binaries.ldlinuxImage.length % SECTOR_SIZE !== 0) {
    throw new SyslinuxError('binaries-invalid', `ldlinux image is ${binaries.ldlinuxImage.length} bytes`);
  }
  if (binaries.bootSector.length !== SECTOR_SIZE) {
    throw new SyslinuxError('binaries-invalid', `boot sector is ${binaries.bootSector.length} bytes`);
  }
  if (binaries.mbr.length === 0 || binaries.mbr.length > 440) {
    throw new SyslinuxError('binaries-invalid', `MBR code is ${binaries.mbr.length} bytes`);
  }
  if (findDword(binaries.bootSector, area.instance) === undefined) {
    throw new SyslinuxError(
      'binaries-invalid',
      'the boot sector belongs to another SYSLINUX build than ldlinux.sys',
    );
  }
  const efiVersion = syslinuxEfiVersion(binaries.efi.bootx64);
  if (efiVersion === null) {
    throw new SyslinuxError('binaries-invalid', 'syslinux.efi is not SYSLINUX for x86-64 UEFI');
  }
  if (efiVersion !== binaries.efi.version) {
    throw new SyslinuxError(
      'binaries-invalid',
      `syslinux.efi is version ${efiVersion}, its manifest says ${binaries.efi.version || 'nothing'}`,
    );
  }
  if (!isEfi64Module(binaries.efi.ldlinuxE64)) {
    throw new SyslinuxError('binaries-invalid', 'ldlinux.e64 is not an x86-64 SYSLINUX module');
  }
  return binaries;
}

/** Offset of a little-endian dword in `bytes` at any alignment. */
export function findDword(bytes: Uint8Array, value: number): number | undefined {
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (
      bytes[i] === (value & 0xff) &&
      bytes[i + 1] === ((value >>> 8) & 0xff) &&
      bytes[i + 2] === ((value >>> 16) & 0xff) &&
      bytes[i + 3] === value >>> 24
    ) {
      return i;
    }
  }
  return undefined;
}
