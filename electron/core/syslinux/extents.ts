import { SECTOR_SIZE } from './patch-area.js';

/** A run of consecutive sectors ldlinux.sys's early loader reads with one BIOS call. */
export interface Extent {
  lba: number;
  sectors: number;
}

/**
 * Groups sector numbers into extents. A run grows while the next sector follows on and the run stays
 * below 64 KiB, which is what one BIOS read into a real-mode segment can take.
 */
export function sectorsToExtents(sectors: readonly number[]): Extent[] {
  const maxSectors = Math.floor((0x10000 - 1) / SECTOR_SIZE);
  const extents: Extent[] = [];
  let current: Extent | undefined;
  for (const lba of sectors) {
    if (current && lba === current.lba + current.sectors && current.sectors < maxSectors) {
      current.sectors++;
    } else {
      current = { lba, sectors: 1 };
      extents.push(current);
    }
  }
  return extents;
}

/** The sector numbers an extent list covers, in load order (the inverse of sectorsToExtents). */
export function extentsToSectors(extents: readonly Extent[]): number[] {
  const sectors: number[] = [];
  for (const extent of extents) for (let i = 0; i < extent.sectors; i++) sectors.push(extent.lba + i);
  return sectors;
}
