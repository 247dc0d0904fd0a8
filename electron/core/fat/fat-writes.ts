/**
 * Creating, overwriting and deleting files and directories, in the write order fat-volume.ts documents:
 * data before chain, chain before entry, entry before freeing, every step flushed before the next.
 */
import { setU16, setU32 } from '../block/little-endian.js';
import { clusterOffset, newDirectoryCluster } from './directory.js';
import { ATTR, DIR, ENTRY_SIZE, setStartCluster, toDosDateTime } from './directory-entry.js';
import { addEntry, removeEntry, slotClustersNeeded } from './fat-entries.js';
import { FatError } from './fat-error.js';
import { finishOperation, unsharedClusters, type VolumeParts } from './fat-parts.js';
import { applyAttributes, type FatAttributes } from './fat-stat.js';
import { writeNewClusters } from './file-data.js';

const MAX_FILE_SIZE = 0xffffffff;

export interface WriteFileOptions {
  /** Byte count of a streamed source; lets us allocate (contiguously) up front. */
  size?: number;
  /** Fail with `no-contiguous-space` rather than fragment the file (SYSLINUX's files want this). */
  contiguous?: boolean;
  /** Attributes for a new file (default: archive); for an overwrite, replaces the existing ones. */
  attributes?: Partial<FatAttributes>;
}

export async function writeFileTo(
  parts: VolumeParts,
  path: string,
  data: Uint8Array | AsyncIterable<Uint8Array>,
  options: WriteFileOptions,
): Promise<void> {
  const { device, geometry, fat, paths } = parts;
  const { parent, entry: existing, name } = await paths.locateForCreate(path);
  if (existing && existing.attributes & ATTR.directory) throw new FatError('is-a-directory', path);
  const size = data instanceof Uint8Array ? data.length : options.size;
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
    throw new FatError('invalid-option', `size ${size}`);
  }
  if (size !== undefined && size > MAX_FILE_SIZE)
    throw new FatError('file-too-large', `${path}: ${size} bytes`);
  const oldChain = existing ? paths.chainOf(existing, path) : [];
  const cs = geometry.clusterSize;
  const dirClusters = existing ? 0 : slotClustersNeeded(parts, parent, name);
  if (size !== undefined && Math.ceil(size / cs) + dirClusters > fat.freeCount) {
    throw new FatError('no-space', `${path}: ${size} bytes, ${fat.freeCount * cs} free`);
  }
  const { clusters, total } = await writeNewClusters(device, geometry, fat, data, {
    size,
    contiguous: options.contiguous ?? false,
    path,
    maxSize: MAX_FILE_SIZE,
  });
  await device.flush();
  await fat.writeBack(device);
  await device.flush();
  const now = new Date();
  const attributes = applyAttributes(existing?.attributes ?? ATTR.archive, options.attributes);
  if (existing) {
    const slot = parent.slot(existing.shortSlot);
    setStartCluster(slot, clusters[0] ?? 0);
    setU32(slot, DIR.fileSize, total);
    const stamp = toDosDateTime(now);
    setU16(slot, DIR.writeTime, stamp.time);
    setU16(slot, DIR.writeDate, stamp.date);
    setU16(slot, DIR.accessDate, stamp.date);
    slot[DIR.attributes] = attributes;
    await parent.writeSlots(device, existing.shortSlot, existing.shortSlot);
    await device.flush();
    fat.release(unsharedClusters(parts, parent, oldChain));
    await fat.writeBack(device);
  } else {
    await addEntry(parts, parent, name, {
      attributes,
      startCluster: clusters[0] ?? 0,
      size: total,
      created: now,
      modified: now,
    });
  }
  await finishOperation(parts);
}

export async function makeDirectory(parts: VolumeParts, path: string): Promise<void> {
  const { device, geometry, fat, paths } = parts;
  const { parent, entry, name } = await paths.locateForCreate(path);
  if (entry) throw new FatError('already-exists', path);
  if (1 + slotClustersNeeded(parts, parent, name) > fat.freeCount) throw new FatError('no-space', path);
  const [cluster] = fat.allocate(1) as [number];
  const now = new Date();
  const body = newDirectoryCluster(geometry, cluster, parent, now);
  await device.write(clusterOffset(geometry, cluster), body);
  await device.flush();
  await fat.writeBack(device);
  await device.flush();
  await addEntry(parts, parent, name, {
    attributes: ATTR.directory,
    startCluster: cluster,
    size: 0,
    created: now,
    modified: now,
  });
  await finishOperation(parts);
}

export async function deleteFile(parts: VolumeParts, path: string): Promise<void> {
  const { parent, entry } = await parts.paths.locate(path);
  if (!parent || !entry || entry.attributes & ATTR.directory) throw new FatError('is-a-directory', path);
  await removeEntry(parts, parent, entry, parts.paths.chainOf(entry, path));
}

export async function deleteDirectory(parts: VolumeParts, path: string): Promise<void> {
  const { parent, entry } = await parts.paths.locate(path);
  if (!parent || !entry) throw new FatError('invalid-name', 'the root directory cannot be removed');
  if (!(entry.attributes & ATTR.directory)) throw new FatError('not-a-directory', path);
  const directory = await parts.paths.loadDirectory(entry, path);
  if (directory.parsed.entries.some((child) => child.name !== '.' && child.name !== '..')) {
    throw new FatError('directory-not-empty', path);
  }
  await removeEntry(parts, parent, entry, directory.clusters);
}

export async function changeAttributes(
  parts: VolumeParts,
  path: string,
  attributes: Partial<FatAttributes>,
): Promise<void> {
  const { parent, entry } = await parts.paths.locate(path);
  if (!parent || !entry) throw new FatError('invalid-name', 'the root directory has no attributes');
  parent.bytes[entry.shortSlot * ENTRY_SIZE + DIR.attributes] = applyAttributes(entry.attributes, attributes);
  await parent.writeSlots(parts.device, entry.shortSlot, entry.shortSlot);
  await parts.device.flush();
}
