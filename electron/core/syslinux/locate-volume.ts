import type { BlockDevice } from '../block/block-device.js';
import { detectLayout, MbrError, partitionDevice } from '../mbr/index.js';
import { choosePartition } from './mbr-boot.js';
import { SECTOR_SIZE } from './patch-area.js';
import { SyslinuxError } from './syslinux-error.js';

/** Where the FAT volume lies on the disk. */
export type LocatedVolume =
  | { layout: 'superfloppy'; volume: BlockDevice; startSector: 0 }
  | { layout: 'mbr'; volume: BlockDevice; partitionIndex: number; startSector: number };

/** Finds the FAT volume: a boot sector at sector 0 (superfloppy), else the MBR's FAT partition. */
export async function locateVolume(disk: BlockDevice, partition?: number): Promise<LocatedVolume> {
  if (disk.sectorSize !== SECTOR_SIZE) {
    throw new SyslinuxError('unsupported-sector-size', `${disk.name} has ${disk.sectorSize}-byte sectors`);
  }
  let layout: Awaited<ReturnType<typeof detectLayout>>;
  try {
    layout = await detectLayout(disk);
  } catch (error) {
    if (error instanceof MbrError) throw new SyslinuxError('no-fat-volume', error.message, { cause: error });
    throw error;
  }
  if (layout.kind === 'superfloppy' && partition === undefined) {
    return { layout: 'superfloppy', volume: disk, startSector: 0 };
  }
  if (layout.kind !== 'mbr') {
    throw new SyslinuxError('no-fat-volume', `${disk.name} has no partition table and no FAT boot sector`);
  }
  const chosen = choosePartition(layout.table, partition);
  return {
    layout: 'mbr',
    volume: partitionDevice(disk, chosen),
    partitionIndex: chosen.index,
    startSector: chosen.firstLba,
  };
}
