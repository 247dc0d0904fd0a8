/** Reading a FAT volume: files, their sectors, and what the volume says about itself. Never writes. */

import { clusterOffset, clusterRuns } from './directory.js';
import { ATTR } from './directory-entry.js';
import { FatError } from './fat-error.js';
import type { VolumeParts } from './fat-parts.js';
import { readClusters } from './file-data.js';

export interface VolumeInfo {
  type: 12 | 16 | 32;
  /** The label from the root directory entry, else the boot sector; '' when there is none. */
  label: string;
  /** Serial as Windows prints it, "XXXX-XXXX". */
  serial: string;
  bytesPerSector: number;
  sectorsPerCluster: number;
  clusterSize: number;
  clusterCount: number;
  freeClusters: number;
  totalSectors: number;
  hiddenSectors: number;
  reservedSectors: number;
  fatCount: number;
  fatSectors: number;
  firstDataSector: number;
  /** FAT32 root directory cluster; 0 on FAT12/16. */
  rootCluster: number;
}

/** A file's clusters and size, refusing a directory and a chain too short for the size its entry gives. */
export async function fileExtent(
  parts: VolumeParts,
  path: string,
): Promise<{ clusters: number[]; size: number }> {
  const { entry } = await parts.paths.locate(path);
  if (!entry || entry.attributes & ATTR.directory) throw new FatError('is-a-directory', path);
  const clusters = parts.paths.chainOf(entry, path);
  if (clusters.length * parts.geometry.clusterSize < entry.size) {
    throw new FatError('chain-too-short', `${path}: ${entry.size} bytes in ${clusters.length} clusters`);
  }
  return { clusters, size: entry.size };
}

export async function readWholeFile(parts: VolumeParts, path: string): Promise<Uint8Array> {
  const { clusters, size } = await fileExtent(parts, path);
  const out = new Uint8Array(size);
  let at = 0;
  for await (const chunk of readClusters(parts.device, parts.geometry, clusters, size)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The 512-byte sectors, relative to the start of the filesystem, holding the file's data in order:
 * exactly ceil(size / 512) of them. SYSLINUX patches this list into its boot sector and ldlinux.sys.
 */
export async function fileSectorList(parts: VolumeParts, path: string): Promise<number[]> {
  const { geometry } = parts;
  const { clusters, size } = await fileExtent(parts, path);
  const perSector = geometry.bytesPerSector / 512;
  const perCluster = geometry.sectorsPerCluster * perSector;
  const wanted = Math.ceil(size / 512);
  const sectors: number[] = [];
  for (const cluster of clusters) {
    const first = (clusterOffset(geometry, cluster) / 512) | 0;
    for (let i = 0; i < perCluster && sectors.length < wanted; i++) sectors.push(first + i);
    if (sectors.length === wanted) break;
  }
  return sectors;
}

/** A run of a file's bytes lying contiguously on the volume's device. */
export interface FileExtent {
  fileOffset: number;
  deviceOffset: number;
  length: number;
}

/** Where the file's bytes lie on the volume's device, one extent per contiguous run of clusters. */
export async function fileExtentList(parts: VolumeParts, path: string): Promise<FileExtent[]> {
  const { geometry } = parts;
  const { clusters, size } = await fileExtent(parts, path);
  const extents: FileExtent[] = [];
  for (const [index, run] of clusterRuns(clusters)) {
    const fileOffset = index * geometry.clusterSize;
    if (fileOffset >= size) break;
    const length = Math.min(run.length * geometry.clusterSize, size - fileOffset);
    extents.push({ fileOffset, deviceOffset: clusterOffset(geometry, run.first), length });
  }
  return extents;
}

export async function describeVolume(parts: VolumeParts): Promise<VolumeInfo> {
  const g = parts.geometry;
  const root = await parts.paths.root();
  const serial = g.serial ?? 0;
  const hex = (value: number) => value.toString(16).toUpperCase().padStart(4, '0');
  const bpbLabel = g.bpbLabel === 'NO NAME' ? '' : (g.bpbLabel ?? '');
  return {
    type: g.type,
    label: root.parsed.label ?? bpbLabel,
    serial: `${hex(serial >>> 16)}-${hex(serial & 0xffff)}`,
    bytesPerSector: g.bytesPerSector,
    sectorsPerCluster: g.sectorsPerCluster,
    clusterSize: g.clusterSize,
    clusterCount: g.clusterCount,
    freeClusters: parts.fat.freeCount,
    totalSectors: g.totalSectors,
    hiddenSectors: g.hiddenSectors,
    reservedSectors: g.reservedSectors,
    fatCount: g.fatCount,
    fatSectors: g.fatSectors,
    firstDataSector: g.firstDataSector,
    rootCluster: g.rootCluster,
  };
}
