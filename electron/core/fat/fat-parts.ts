/**
 * What every operation on an open FAT volume works with: the device, its geometry, the in-memory FAT,
 * the path resolver over them, and FSInfo (FAT32). FatVolume owns them and serialises the operations; the
 * reading, writing and renaming modules each take them as one value.
 */
import type { BlockDevice } from '../block/block-device.js';
import { setU32 } from '../block/little-endian.js';
import { type FatGeometry, FSINFO } from './boot-sector.js';
import type { FatTable } from './fat-table.js';
import type { PathResolver } from './path-resolver.js';

export interface VolumeParts {
  readonly device: BlockDevice;
  readonly geometry: FatGeometry;
  readonly fat: FatTable;
  readonly paths: PathResolver;
  /** FAT32's FSInfo sector as read at open, when it was valid. */
  readonly fsInfo: Uint8Array | undefined;
}

/** Brings FSInfo up to date and flushes: the last step of every allocating operation. */
export async function finishOperation(parts: VolumeParts): Promise<void> {
  const { device, geometry, fat, fsInfo } = parts;
  if (fsInfo) {
    setU32(fsInfo, FSINFO.freeCount, fat.freeCount);
    setU32(fsInfo, FSINFO.nextFree, fat.nextFreeHint);
    await device.write(geometry.fsInfoSector * geometry.bytesPerSector, fsInfo);
  }
  await device.flush();
}
