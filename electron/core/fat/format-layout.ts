/**
 * Choosing a layout for a new volume: cluster size from Microsoft's fatgen103 tables, FAT size, and
 * padding of the reserved area so the data area (and so every cluster) starts cluster-aligned.
 *
 * Cluster counts are kept CLUSTER_MARGIN away from the FAT12/16 and FAT16/32 boundaries: tools that
 * count clusters slightly differently (SYSLINUX among them) would otherwise pick the wrong FAT type.
 */
import { FAT12_MAX_CLUSTERS, FAT16_MAX_CLUSTERS } from './boot-sector.js';
import { FatError } from './fat-error.js';

export const CLUSTER_MARGIN = 64;
export const FAT16_ROOT_ENTRIES = 512;
export const FAT32_RESERVED_SECTORS = 32;
/** FAT16 volumes above 2 GiB would need 64 KiB clusters, which many systems refuse. */
export const FAT16_MAX_BYTES = 2 * 1024 * 1024 * 1024;

/** [up to this many 512-byte sectors, use this many bytes per cluster] */
const FAT16_TABLE: Array<[number, number]> = [
  [32680, 1024],
  [262144, 2048],
  [524288, 4096],
  [1048576, 8192],
  [2097152, 16384],
  [4194304, 32768],
];
const FAT32_TABLE: Array<[number, number]> = [
  [532480, 512],
  [16777216, 4096],
  [33554432, 8192],
  [67108864, 16384],
  [Number.POSITIVE_INFINITY, 32768],
];

export interface FormatLayout {
  type: 16 | 32;
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  fatCount: number;
  fatSectors: number;
  rootEntryCount: number;
  totalSectors: number;
  clusterCount: number;
  firstDataSector: number;
}

export function chooseLayout(totalBytes: number, bytesPerSector: number, requested?: 16 | 32): FormatLayout {
  const type = requested ?? (totalBytes <= FAT16_MAX_BYTES ? 16 : 32);
  if (type !== 16 && type !== 32) throw new FatError('invalid-option', `FAT type ${String(type)}`);
  const totalSectors = Math.floor(totalBytes / bytesPerSector);
  if (totalSectors > 0xffffffff) throw new FatError('unsupported-size', `${totalBytes} bytes`);
  const sectors512 = totalBytes / 512;
  const table = type === 16 ? FAT16_TABLE : FAT32_TABLE;
  const row = table.find(([limit]) => sectors512 <= limit);
  if (!row) throw new FatError('unsupported-size', `${totalBytes} bytes is too large for FAT16`);
  let sectorsPerCluster = Math.max(1, row[1] / bytesPerSector);
  const minClusters =
    type === 16 ? FAT12_MAX_CLUSTERS + 1 + CLUSTER_MARGIN : FAT16_MAX_CLUSTERS + 1 + CLUSTER_MARGIN;
  const maxClusters = type === 16 ? FAT16_MAX_CLUSTERS - CLUSTER_MARGIN : 0x0ffffff5 - CLUSTER_MARGIN;
  // A few halvings or doublings at most; bounded so bad input cannot spin.
  for (let attempt = 0; attempt < 16; attempt++) {
    const layout = layoutFor(type, totalSectors, bytesPerSector, sectorsPerCluster);
    if (layout && layout.clusterCount < minClusters && sectorsPerCluster > 1) sectorsPerCluster /= 2;
    else if (layout && layout.clusterCount > maxClusters && sectorsPerCluster * bytesPerSector < 65536)
      sectorsPerCluster *= 2;
    else if (layout && layout.clusterCount >= minClusters && layout.clusterCount <= maxClusters)
      return layout;
    else break;
  }
  throw new FatError('unsupported-size', `${totalBytes} bytes cannot hold a FAT${type} volume`);
}

function layoutFor(
  type: 16 | 32,
  totalSectors: number,
  bytesPerSector: number,
  sectorsPerCluster: number,
): FormatLayout | undefined {
  const rootEntryCount = type === 16 ? FAT16_ROOT_ENTRIES : 0;
  const rootSectors = Math.ceil((rootEntryCount * 32) / bytesPerSector);
  const baseReserved = type === 32 ? FAT32_RESERVED_SECTORS : 1;
  const fatCount = 2;
  // Sized for every cluster the space could hold before the FATs take their share: slightly generous.
  const estimate = Math.floor((totalSectors - baseReserved - rootSectors) / sectorsPerCluster);
  const entryBytes = type === 16 ? 2 : 4;
  const fatSectors = Math.ceil(((estimate + 2) * entryBytes) / bytesPerSector);
  const metadata = baseReserved + fatCount * fatSectors + rootSectors;
  const padding = (sectorsPerCluster - (metadata % sectorsPerCluster)) % sectorsPerCluster;
  const reservedSectors = baseReserved + padding;
  const firstDataSector = metadata + padding;
  if (firstDataSector >= totalSectors) return undefined;
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  return {
    type,
    bytesPerSector,
    sectorsPerCluster,
    reservedSectors,
    fatCount,
    fatSectors,
    rootEntryCount,
    totalSectors,
    clusterCount,
    firstDataSector,
  };
}
