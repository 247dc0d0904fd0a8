import type { BlockDevice } from '../block/block-device.js';
import { emptyAdv } from './adv.js';
import type { SyslinuxBinaries } from './binaries.js';
import { checkBootableVolume, mergeBootSector } from './boot-sector.js';
import { sectorsToExtents } from './extents.js';
import { openFatVolumeAccess } from './fat-volume-access.js';
import { locateVolume } from './locate-volume.js';
import { installMbrCode } from './mbr-boot.js';
import { SECTOR_SIZE } from './patch-area.js';
import { patchLdlinux } from './patch-ldlinux.js';
import { SyslinuxError } from './syslinux-error.js';
import { ATTRIBUTE, type SyslinuxVolumeAccess } from './volume-access.js';

export const LDLINUX_SYS = 'ldlinux.sys';
export const LDLINUX_C32 = 'ldlinux.c32';
const SYSTEM_FILE = ATTRIBUTE.readOnly | ATTRIBUTE.hidden | ATTRIBUTE.system | ATTRIBUTE.archive;

export interface InstallSyslinuxOptions {
  binaries: SyslinuxBinaries;
  /** Opens the FAT volume on a device (the whole disk or a partition window); default our FAT code. */
  openVolume?: (volume: BlockDevice) => Promise<SyslinuxVolumeAccess>;
  /** On an MBR disk: the 0-based table entry to make bootable; default the only FAT partition. */
  partition?: number;
}

export interface InstallSyslinuxResult {
  layout: 'superfloppy' | 'mbr';
  /** Byte offset of the FAT volume on the disk. */
  volumeOffset: number;
  /** ldlinux.sys's sectors, relative to the filesystem start. */
  sectors: number[];
  /** How many extents the loader reads its image in (1 when ldlinux.sys is contiguous). */
  extents: number;
}

/**
 * Makes a FAT volume bootable with SYSLINUX: writes ldlinux.sys (patched for where it landed) and
 * ldlinux.c32, merges the boot code into the volume's boot sector and, on an MBR disk, installs the MBR
 * boot program and marks the partition as the only active one. Boot code is written only once ldlinux.sys
 * is complete and patched, so it never points at a half-written loader.
 */
export async function installSyslinux(
  disk: BlockDevice,
  options: InstallSyslinuxOptions,
): Promise<InstallSyslinuxResult> {
  const { binaries } = options;
  const located = await locateVolume(disk, options.partition);
  const volumeSector = await located.volume.read(0, SECTOR_SIZE);
  const geometry = checkBootableVolume(volumeSector);
  if (geometry.hiddenSectors !== located.startSector) {
    throw new SyslinuxError(
      'hidden-sectors-mismatch',
      `the boot sector says the volume starts at sector ${geometry.hiddenSectors}, it starts at ${located.startSector}`,
    );
  }

  const fs = await (options.openVolume ?? openFatVolumeAccess)(located.volume);
  const unpatched = concat(binaries.ldlinuxImage, emptyAdv());
  await fs.writeFile(LDLINUX_SYS, unpatched, { contiguous: true, attributes: SYSTEM_FILE });
  await fs.writeFile(LDLINUX_C32, binaries.ldlinuxC32, { contiguous: false, attributes: SYSTEM_FILE });
  await fs.flush();
  const sectors = await fs.fileSectors(LDLINUX_SYS);
  const patched = patchLdlinux(binaries.ldlinuxImage, sectors);
  await writeSectors(located.volume, sectors, patched.image);
  await disk.flush();

  const merged = mergeBootSector(volumeSector, binaries.bootSector, patched.patchArea, patched.firstSector);
  await located.volume.write(0, merged);
  if (located.layout === 'mbr') {
    const mbr = await disk.read(0, SECTOR_SIZE);
    await disk.write(0, installMbrCode(mbr, binaries.mbr, located.partitionIndex));
  }
  await disk.flush();
  const imageSectors = patched.image.length / SECTOR_SIZE;
  return {
    layout: located.layout,
    volumeOffset: located.startSector * SECTOR_SIZE,
    sectors,
    extents: sectorsToExtents(sectors.slice(1, imageSectors)).length,
  };
}

/** Writes `data` sector by sector at `sectors` (one device write per contiguous run). */
async function writeSectors(
  volume: BlockDevice,
  sectors: readonly number[],
  data: Uint8Array,
): Promise<void> {
  const count = data.length / SECTOR_SIZE;
  let runStart = 0;
  for (let i = 1; i <= count; i++) {
    if (i < count && sectors[i] === (sectors[i - 1] ?? 0) + 1) continue;
    const first = sectors[runStart] ?? 0;
    await volume.write(first * SECTOR_SIZE, data.subarray(runStart * SECTOR_SIZE, i * SECTOR_SIZE));
    runStart = i;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
