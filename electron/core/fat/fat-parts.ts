/**
 * What every operation on an open FAT volume works with: the device, its geometry, the in-memory FAT,
 * the path resolver over them, and FSInfo (FAT32). FatVolume owns them and serialises the operations; the
 * reading, writing and renaming modules each take them as one value.
 */
import type { BlockDevice } from '../block/block-device.js';
import { setU32 } from '../block/little-endian.js';
import { type FatGeometry, FSINFO } from './boot-sector.js';
import type { Directory } from './directory.js';
import { parseDirectory } from './directory-entry.js';
import { type FatTable, FREE } from './fat-table.js';
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

/**
 * The clusters of `chain`, a chain about to be freed, that no live entry of `parent` uses. Freeing a
 * cluster that another name still points into hands that file's data to the next allocation, so whatever
 * state a cut left (two names on one chain, in any order), only what nobody else uses is freed. The walk
 * tolerates damaged chains: it stops where a chain leaves the data area, ends, or has gone on too long.
 */
export function unsharedClusters(parts: VolumeParts, parent: Directory, chain: readonly number[]): number[] {
  if (chain.length === 0) return [];
  const { fat } = parts;
  const freeing = new Set(chain);
  const used = new Set<number>();
  for (const entry of parseDirectory(parent.bytes).entries) {
    if (entry.name === '.' || entry.name === '..') continue;
    let cluster = entry.startCluster;
    for (let steps = 0; steps <= fat.maxCluster && cluster >= 2 && cluster <= fat.maxCluster; steps++) {
      if (freeing.has(cluster)) used.add(cluster);
      const next = fat.get(cluster);
      if (next === FREE || fat.isEndOfChain(next)) break;
      cluster = next;
    }
  }
  return used.size === 0 ? [...chain] : chain.filter((cluster) => !used.has(cluster));
}
