/**
 * installSyslinux (our FAT code, our patcher) against Debian's `syslinux --install` on twin mkfs.vfat
 * volumes, and checked independently with mtools and fsck.fat.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/index.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import { inspectSyslinux } from '../../../electron/core/syslinux/inspect.js';
import { installSyslinux } from '../../../electron/core/syslinux/install.js';
import { patchLdlinux } from '../../../electron/core/syslinux/patch-ldlinux.js';
import { shippedBinaries } from './binaries-fixture.js';
import {
  fragmentFreeSpace,
  fsckClean,
  makeOracleVolume,
  mattrib,
  mdirAll,
  mread,
  type OracleVolume,
  type OracleVolumeOptions,
  oracleFileSectors,
  SECTOR,
  syslinuxInstall,
} from './fat-oracle.js';

let work: string;
let binaries: SyslinuxBinaries;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'syslinux-install-'));
  binaries = await shippedBinaries();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sectorAt(volume: OracleVolume, sector: number): Buffer {
  return readFileSync(volume.path).subarray(
    volume.offset + sector * SECTOR,
    volume.offset + (sector + 1) * SECTOR,
  );
}

function clearActiveFlag(path: string): void {
  const bytes = readFileSync(path);
  bytes[446] = 0;
  writeFileSync(path, bytes);
}

function differingBytes(a: string, b: string): number[] {
  const left = readFileSync(a);
  const right = readFileSync(b);
  expect(left.length).toBe(right.length);
  const offsets: number[] = [];
  for (let start = 0; start < left.length; start += SECTOR) {
    const end = start + SECTOR;
    if (left.subarray(start, end).equals(right.subarray(start, end))) continue;
    for (let i = start; i < end; i++) if (left[i] !== right[i]) offsets.push(i);
  }
  return offsets;
}

/** Directory-entry timestamp fields (creation tenths/time/date, access date, write time/date). */
const TIMESTAMP_FIELDS = new Set([13, 14, 15, 16, 17, 18, 19, 22, 23, 24, 25]);

/**
 * Byte offsets in the image where two correct installs may differ: the MBR boot code and active flags
 * (syslinux --install does not write them), root-directory timestamps, FAT32's FSInfo next-free hint.
 */
function allowedDifferences(volume: OracleVolume): (offset: number) => boolean {
  const bpb = sectorAt(volume, 0);
  const perCluster = bpb.readUInt8(13);
  const reserved = bpb.readUInt16LE(14);
  const fatSize = bpb.readUInt16LE(22) || bpb.readUInt32LE(36);
  const rootSectors = Math.ceil((bpb.readUInt16LE(17) * 32) / SECTOR);
  const fatEnd = reserved + bpb.readUInt8(16) * fatSize;
  const isFat32 = bpb.readUInt16LE(22) === 0;
  const rootStart = isFat32 ? fatEnd + rootSectors + (bpb.readUInt32LE(44) - 2) * perCluster : fatEnd;
  const rootLength = isFat32 ? perCluster : rootSectors;
  const fsInfo = isFat32 ? bpb.readUInt16LE(48) : -1;
  return (offset) => {
    if (volume.offset > 0 && (offset < 440 || (offset >= 446 && offset < 510 && (offset - 446) % 16 === 0)))
      return true;
    const inVolume = offset - volume.offset;
    const sector = Math.floor(inVolume / SECTOR);
    if (sector === fsInfo && inVolume % SECTOR >= 492 && inVolume % SECTOR < 496) return true;
    return sector >= rootStart && sector < rootStart + rootLength && TIMESTAMP_FIELDS.has(inVolume % 32);
  };
}

async function ourInstall(volume: OracleVolume) {
  const disk = await FileBlockDevice.open(volume.path);
  try {
    return await installSyslinux(disk, { binaries });
  } finally {
    await disk.close();
  }
}

const cases: { name: string; options: OracleVolumeOptions; fragment?: boolean }[] = [
  { name: 'FAT16 superfloppy', options: { sizeMiB: 32, fatType: 16 } },
  { name: 'FAT32 superfloppy', options: { sizeMiB: 64, fatType: 32 } },
  { name: 'FAT16 in an MBR partition', options: { sizeMiB: 32, fatType: 16, partitionStart: 2048 } },
  { name: 'FAT32 in an MBR partition', options: { sizeMiB: 64, fatType: 32, partitionStart: 63 } },
  { name: 'FAT16, fragmented', options: { sizeMiB: 16, fatType: 16, sectorsPerCluster: 1 }, fragment: true },
  {
    name: 'FAT32 in a partition, fragmented',
    options: { sizeMiB: 64, fatType: 32, sectorsPerCluster: 1, partitionStart: 2048 },
    fragment: true,
  },
];

describe('installSyslinux on mkfs.vfat volumes', () => {
  it.each(cases)(
    '$name: same bytes as syslinux --install where it matters',
    async ({ name, options, fragment }) => {
      const base = join(work, name.replace(/\W+/g, '-'));
      const theirs = makeOracleVolume(`${base}-theirs.img`, options);
      if (options.partitionStart) clearActiveFlag(theirs.path);
      if (fragment) fragmentFreeSpace(theirs, work, 600);
      copyFileSync(theirs.path, `${base}-ours.img`);
      const ours: OracleVolume = {
        ...theirs,
        path: `${base}-ours.img`,
        mtoolsImage: theirs.mtoolsImage.replace(theirs.path, `${base}-ours.img`),
      };
      syslinuxInstall(theirs);
      const result = await ourInstall(ours);

      const ldlinux = mread(ours, 'ldlinux.sys');
      const sectors = oracleFileSectors(ours, 'ldlinux.sys', ldlinux.length);
      // mtools' view of where our ldlinux.sys lies is what we patched in.
      expect(result.sectors).toEqual(sectors);
      expect(Buffer.from(ldlinux.subarray(0, binaries.ldlinuxImage.length))).toEqual(
        Buffer.from(patchLdlinux(binaries.ldlinuxImage, sectors).image),
      );
      expect(Buffer.from(mread(ours, 'ldlinux.c32'))).toEqual(Buffer.from(binaries.ldlinuxC32));
      expect(mattrib(ours, 'ldlinux.sys')).toMatch(/^\s*A?\s*SHR\s/);
      fsckClean(ours);
      if (fragment) {
        // No free run is long enough: the file is spread over the holes and still patched right.
        expect(result.extents).toBeGreaterThan(20);
        return;
      }

      // Both allocators take the first free clusters, so the two images agree byte for byte, except
      // for what mtools and we legitimately write differently (timestamps, the FSInfo hint) and the MBR,
      // which `syslinux --install` leaves alone.
      expect(Buffer.from(ldlinux)).toEqual(Buffer.from(mread(theirs, 'ldlinux.sys')));
      expect(sectorAt(ours, 0)).toEqual(sectorAt(theirs, 0));
      const allowed = allowedDifferences(ours);
      const unexpected = differingBytes(theirs.path, ours.path).filter((offset) => !allowed(offset));
      expect(unexpected).toEqual([]);
      if (options.partitionStart) {
        const mbr = readFileSync(ours.path).subarray(0, SECTOR);
        expect(mbr.subarray(0, 440)).toEqual(readFileSync('/usr/lib/syslinux/mbr/mbr.bin').subarray(0, 440));
        expect(mbr[446]).toBe(0x80);
      }
    },
  );

  it('reinstalls over an existing install (Debian’s, then ours again) leaving one clean, bootable copy', async () => {
    const volume = makeOracleVolume(join(work, 'reinstall.img'), {
      sizeMiB: 32,
      fatType: 16,
      partitionStart: 2048,
    });
    syslinuxInstall(volume);
    await ourInstall(volume);
    const second = await ourInstall(volume);
    fsckClean(volume);
    const listing = mdirAll(volume);
    expect(listing.match(/ldlinux\s+sys/gi)?.length).toBe(1);
    expect(listing.match(/ldlinux\s+c32/gi)?.length).toBe(1);
    const ldlinux = mread(volume, 'ldlinux.sys');
    const sectors = oracleFileSectors(volume, 'ldlinux.sys', ldlinux.length);
    expect(second.sectors).toEqual(sectors);
    const disk = await FileBlockDevice.open(volume.path, { readOnly: true });
    try {
      expect((await inspectSyslinux(disk, { knownBuilds: [binaries] })).problems).toEqual([]);
    } finally {
      await disk.close();
    }
  });
});
