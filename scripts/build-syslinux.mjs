#!/usr/bin/env node
// Builds assets/syslinux/: a matching set of SYSLINUX pieces taken from Debian's packages, so the app can make
// a card bootable on any OS without a syslinux program. Debian ships ldlinux.sys and the boot sector only
// inside /usr/bin/syslinux, so we let that (unpacked, never installed) program install onto a scratch FAT
// image and read the pieces back. See /work/shared/reference/syslinux-install.md.
// For UEFI it also takes syslinux.efi (package syslinux-efi) and the ldlinux.e64 built with it (syslinux-common),
// which a card carries in EFI/BOOT/ (docs/card-format.md, "UEFI").
//
//   node scripts/build-syslinux.mjs [--force]
//
// Needs apt-get, dpkg-deb, mkfs.vfat (dosfstools) and mtools on the build host; no root.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fetchPackage } from './lib/debian-packages.mjs';
import { extractSyslinuxEfiPieces } from './lib/syslinux-efi-extract.mjs';
import { extractSyslinuxPieces } from './lib/syslinux-extract.mjs';

const root = resolve(import.meta.dirname, '..');
const cacheDir = join(root, '.cache', 'debian');
const outDir = join(root, 'assets', 'syslinux');
const manifestPath = join(outDir, 'manifest.json');
const force = process.argv.includes('--force');
/** Files a complete build has; an older manifest without the UEFI pieces is rebuilt. */
const REQUIRED_FILES = [
  'ldlinux.bin',
  'ldlinux.c32',
  'bootsect.bin',
  'mbr.bin',
  'efi64/syslinux.efi',
  'efi64/ldlinux.e64',
];

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when every file the manifest lists is present with its recorded digest. */
function alreadyBuilt() {
  if (!existsSync(manifestPath)) return false;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!REQUIRED_FILES.every((name) => manifest.files?.[name])) return false;
    return Object.entries(manifest.files).every(([name, entry]) => {
      const path = join(outDir, name);
      return existsSync(path) && sha256(readFileSync(path)) === entry.sha256;
    });
  } catch {
    return false;
  }
}

function main() {
  if (!force && alreadyBuilt()) {
    console.log(`build-syslinux: ${manifestPath} is up to date (use --force to rebuild)`);
    return;
  }
  const started = Date.now();
  const syslinux = fetchPackage('syslinux', cacheDir);
  const common = fetchPackage('syslinux-common', cacheDir);
  const efi = fetchPackage('syslinux-efi', cacheDir);
  const pieces = extractSyslinuxPieces({
    syslinuxProgram: join(syslinux.root, 'usr', 'bin', 'syslinux'),
    mbrFile: join(common.root, 'usr', 'lib', 'syslinux', 'mbr', 'mbr.bin'),
  });
  const efiPieces = extractSyslinuxEfiPieces({ efiPackage: efi, commonPackage: common });

  mkdirSync(outDir, { recursive: true });
  const files = {};
  for (const [name, bytes] of Object.entries({ ...pieces.files, ...efiPieces.files })) {
    const path = join(outDir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    files[name] = { size: bytes.length, sha256: sha256(bytes) };
  }
  const manifest = {
    syslinuxVersion: pieces.version,
    instance: pieces.instance,
    efiVersion: efiPieces.version,
    debian: {
      syslinux: { version: syslinux.version, sha256: syslinux.sha256 },
      'syslinux-common': { version: common.version, sha256: common.sha256 },
      'syslinux-efi': { version: efi.version, sha256: efi.sha256 },
    },
    files,
  };
  // Written last: its presence with matching digests is what marks the build complete.
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `build-syslinux: SYSLINUX ${pieces.version} (instance ${pieces.instance}) from syslinux ${syslinux.version}, ` +
      `efi64 ${efiPieces.version} from syslinux-efi ${efi.version} → ${outDir} in ${Date.now() - started} ms`,
  );
}

try {
  main();
} catch (error) {
  console.error(`build-syslinux: ${error?.message ?? error}`);
  if (error?.cause?.stderr) console.error(String(error.cause.stderr).trim());
  process.exit(1);
}
