/**
 * Our patcher against Debian's `syslinux --install`: on the same mkfs.vfat volume, syslinux installs, then
 * we patch the shipped image for the sectors syslinux's ldlinux.sys occupies (read with mshowfat) and merge
 * our boot sector into the pre-install one. Every byte must equal what syslinux wrote.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyAdv } from '../../../electron/core/syslinux/adv.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import { mergeBootSector } from '../../../electron/core/syslinux/boot-sector.js';
import { sectorsToExtents } from '../../../electron/core/syslinux/extents.js';
import { patchLdlinux } from '../../../electron/core/syslinux/patch-ldlinux.js';
import { shippedBinaries } from './binaries-fixture.js';
import {
  fragmentFreeSpace,
  makeOracleVolume,
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
  work = mkdtempSync(join(tmpdir(), 'syslinux-patch-'));
  binaries = await shippedBinaries();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function volumeBytes(volume: OracleVolume, sector: number, count = 1): Uint8Array {
  const start = volume.offset + sector * SECTOR;
  return new Uint8Array(readFileSync(volume.path).subarray(start, start + count * SECTOR));
}

interface Case {
  name: string;
  options: OracleVolumeOptions;
  fragment?: boolean;
}

const cases: Case[] = [
  { name: 'FAT16 superfloppy', options: { sizeMiB: 32, fatType: 16 } },
  { name: 'FAT32 superfloppy', options: { sizeMiB: 64, fatType: 32 } },
  { name: 'FAT12 superfloppy', options: { sizeMiB: 4, fatType: 12 } },
  { name: 'FAT16 in an MBR partition at 2048', options: { sizeMiB: 32, fatType: 16, partitionStart: 2048 } },
  { name: 'FAT32 in an MBR partition at 63', options: { sizeMiB: 64, fatType: 32, partitionStart: 63 } },
  { name: 'FAT16, fragmented', options: { sizeMiB: 16, fatType: 16, sectorsPerCluster: 1 }, fragment: true },
  {
    name: 'FAT32 in a partition, fragmented',
    options: { sizeMiB: 64, fatType: 32, sectorsPerCluster: 1, partitionStart: 2048 },
    fragment: true,
  },
];

describe('patchLdlinux + mergeBootSector reproduce syslinux --install', () => {
  it.each(cases)('$name', ({ name, options, fragment }) => {
    const volume = makeOracleVolume(join(work, `${name.replace(/\W+/g, '-')}.img`), options);
    if (fragment) fragmentFreeSpace(volume, work, 600);
    const bootBefore = volumeBytes(volume, 0);
    syslinuxInstall(volume);

    const installed = mread(volume, 'ldlinux.sys');
    const sectors = oracleFileSectors(volume, 'ldlinux.sys', installed.length);
    const imageLength = binaries.ldlinuxImage.length;
    expect(installed.length).toBe(imageLength + 2 * SECTOR);
    // What mtools reads through the FAT is what lies in those sectors.
    expect(Buffer.from(volumeBytes(volume, sectors[0] as number))).toEqual(
      Buffer.from(installed.subarray(0, SECTOR)),
    );

    const patched = patchLdlinux(binaries.ldlinuxImage, sectors);
    expect(Buffer.from(patched.image)).toEqual(Buffer.from(installed.subarray(0, imageLength)));
    expect(Buffer.from(installed.subarray(imageLength))).toEqual(Buffer.from(emptyAdv()));
    expect(Buffer.from(mread(volume, 'ldlinux.c32'))).toEqual(Buffer.from(binaries.ldlinuxC32));

    const merged = mergeBootSector(bootBefore, binaries.bootSector, patched.patchArea, patched.firstSector);
    expect(Buffer.from(merged)).toEqual(Buffer.from(volumeBytes(volume, 0)));

    const extents = sectorsToExtents(sectors.slice(1, imageLength / SECTOR)).length;
    if (fragment) expect(extents).toBeGreaterThan(20);
    else expect(extents).toBe(1);
  });
});
