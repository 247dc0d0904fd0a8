/**
 * Directory entries as the write ordering needs them: how many slots a name takes, growing a directory to
 * hold them (its new cluster zeroed and chained before any entry goes in), writing an entry, and removing
 * one (entry first, then its chain).
 */
import { clusterOffset, type Directory } from './directory.js';
import { type DirectoryEntry, ENTRY_SIZE, encodeEntries } from './directory-entry.js';
import { FatError } from './fat-error.js';
import { finishOperation, unsharedClusters, type VolumeParts } from './fat-parts.js';
import { makeShortName, shortKey } from './names.js';

/** The fields of a new directory entry. */
export interface EntryFields {
  attributes: number;
  startCluster: number;
  size: number;
  created: Date;
  modified: Date;
}

/** Directory slots `name` takes (its 8.3 entry and any long-name parts), `exclude` not counting as taken. */
export function slotsFor(parent: Directory, name: string, exclude?: DirectoryEntry): number {
  const taken = new Set(
    parent.parsed.entries.filter((entry) => entry !== exclude).map((entry) => shortKey(entry.shortRaw)),
  );
  return makeShortName(name, taken).needsLongName ? Math.ceil(name.length / 13) + 1 : 1;
}

/** Clusters a directory must grow by to take `name`'s entries (an upper bound), or throws if it cannot. */
export function slotClustersNeeded(parts: VolumeParts, parent: Directory, name: string): number {
  const slots = slotsFor(parent, name);
  if (parent.findFreeSlots(slots) !== undefined) return 0;
  if (parent.isFixedRoot) throw new FatError('root-directory-full', name);
  return Math.ceil((slots * ENTRY_SIZE) / parts.geometry.clusterSize);
}

/**
 * Writes `name`'s entries into `parent`, growing it when no run of free slots is long enough. `copyFrom`
 * is an existing 8.3 slot whose times are kept exactly (a rename).
 */
export async function addEntry(
  parts: VolumeParts,
  parent: Directory,
  name: string,
  fields: EntryFields,
  exclude?: DirectoryEntry,
  copyFrom?: Uint8Array,
): Promise<void> {
  const { device, geometry, fat } = parts;
  const taken = new Set(
    parent.parsed.entries.filter((entry) => entry !== exclude).map((entry) => shortKey(entry.shortRaw)),
  );
  const short = makeShortName(name, taken);
  const encoded = encodeEntries({
    ...fields,
    longName: short.needsLongName ? name : undefined,
    shortRaw: short.raw,
    caseFlags: short.caseFlags,
  });
  const count = encoded.length / ENTRY_SIZE;
  if (copyFrom) encoded.set(copyFrom.subarray(13), encoded.length - ENTRY_SIZE + 13); // keep exact times
  let slot = parent.findFreeSlots(count);
  // Each new cluster adds at least 16 free slots at the end and a name takes at most 21, so this ends
  // after two clusters at most, or at FAT's limit of 65536 entries, checked before anything is allocated.
  while (slot === undefined) {
    if (parent.isFixedRoot) throw new FatError('root-directory-full', name);
    if (!parent.canGrow()) throw new FatError('directory-too-large', `${name}: the directory is full`);
    const last = parent.clusters[parent.clusters.length - 1] as number;
    const [cluster] = fat.allocate(1, { after: last }) as [number];
    fat.set(last, cluster);
    await device.write(clusterOffset(geometry, cluster), new Uint8Array(geometry.clusterSize));
    await device.flush();
    await fat.writeBack(device);
    await device.flush();
    parent.grow(cluster);
    slot = parent.findFreeSlots(count);
  }
  const [first, lastSlot] = parent.place(slot, encoded);
  await parent.writeSlots(device, first, lastSlot);
  await device.flush();
}

/** Deletes the entry (the 8.3 slot before its long-name parts), then frees what of its chain no other entry uses. */
export async function removeEntry(
  parts: VolumeParts,
  parent: Directory,
  entry: DirectoryEntry,
  chain: number[],
): Promise<void> {
  await parent.deleteEntry(parts.device, entry.firstSlot, entry.shortSlot);
  await parts.device.flush();
  parts.fat.release(unsharedClusters(parts, parent, chain));
  await parts.fat.writeBack(parts.device);
  await finishOperation(parts);
}
