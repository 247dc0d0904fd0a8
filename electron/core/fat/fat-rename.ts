/**
 * Renaming and moving, and replacing one file by another, in the write order fat-volume.ts documents: the
 * entry under the new name, then the old entry deleted, then a moved directory's `..`; a replace switches
 * the target's 8.3 entry to the source's data in one sector write before anything is deleted or freed.
 */

import type { Directory } from './directory.js';
import { ATTR, DIR, type DirectoryEntry, setStartCluster } from './directory-entry.js';
import { addEntry, slotsFor } from './fat-entries.js';
import { FatError } from './fat-error.js';
import { finishOperation, unsharedClusters, type VolumeParts } from './fat-parts.js';
import { nameKey } from './names.js';

export interface RenameOptions {
  /** Replace an existing file at the target (files only). Default: fail with `already-exists`. */
  replace?: boolean;
  /**
   * For a file renamed within its directory: delete the old entry before writing the new one, so that a
   * power cut in between leaves lost clusters rather than two names sharing them. The file itself is then
   * lost on such a cut: meant for temporary files renamed into place, which are worthless half-renamed.
   * Ignored (the default order is used) when the new name needs more directory slots than the old one
   * freed, since the new entry must never need space the volume may not have.
   */
  loseRatherThanShare?: boolean;
}

export async function renameEntry(
  parts: VolumeParts,
  from: string,
  to: string,
  options: RenameOptions,
): Promise<void> {
  const { device, paths } = parts;
  const source = await paths.locate(from);
  if (!source.parent || !source.entry)
    throw new FatError('invalid-name', 'the root directory cannot be renamed');
  const sourceParent = source.parent;
  const sourceEntry = source.entry;
  const target = await paths.locateForCreate(to, sourceParent);
  const sameDirectory = target.parent === sourceParent;
  const isDirectory = (sourceEntry.attributes & ATTR.directory) !== 0;
  if (target.entry && !(sameDirectory && target.entry.shortSlot === sourceEntry.shortSlot)) {
    if (!options.replace) throw new FatError('already-exists', to);
    if (target.entry.attributes & ATTR.directory) throw new FatError('is-a-directory', to);
    if (isDirectory) throw new FatError('not-a-directory', to);
    await replaceEntry(parts, sourceParent, sourceEntry, target.parent, target.entry, to);
    return;
  }
  if (isDirectory) {
    const into = target.canonicalParent.map(nameKey);
    const moved = source.canonical.map(nameKey);
    if (moved.every((segment, i) => into[i] === segment))
      throw new FatError('rename-into-self', `${from} -> ${to}`);
  }
  if (target.name === sourceEntry.name && sameDirectory) return;
  const oldSlot = sourceParent.slot(sourceEntry.shortSlot).slice();
  const fields = {
    attributes: sourceEntry.attributes,
    startCluster: sourceEntry.startCluster,
    size: sourceEntry.size,
    created: sourceEntry.created,
    modified: sourceEntry.modified,
  };
  const freedSlots = sourceEntry.shortSlot - sourceEntry.firstSlot + 1;
  if (
    options.loseRatherThanShare &&
    sameDirectory &&
    !isDirectory &&
    slotsFor(sourceParent, target.name, sourceEntry) <= freedSlots
  ) {
    await sourceParent.deleteEntry(device, sourceEntry.firstSlot, sourceEntry.shortSlot);
    await device.flush();
    await addEntry(parts, sourceParent, target.name, fields, undefined, oldSlot);
    await finishOperation(parts);
    return;
  }
  await addEntry(parts, target.parent, target.name, fields, sameDirectory ? sourceEntry : undefined, oldSlot);
  await sourceParent.deleteEntry(device, sourceEntry.firstSlot, sourceEntry.shortSlot);
  await device.flush();
  if (isDirectory && !sameDirectory) {
    const moved = await paths.loadDirectory(sourceEntry, from);
    const dotDot = moved.parsed.entries.find((child) => child.name === '..');
    if (dotDot) {
      setStartCluster(moved.slot(dotDot.shortSlot), target.parent.clusterForDotDot);
      await moved.writeSlots(device, dotDot.shortSlot, dotDot.shortSlot);
      await device.flush();
    }
  }
  await finishOperation(parts); // the target directory may have grown
}

/**
 * rename with replace, ordered so that no cut ever leaves two names on one chain (a retry that deletes the
 * temporary name would then free the final name's data):
 * - when the source's entries and the target's 8.3 entry lie in one sector of one directory, that sector
 *   is written once: the source deleted and the target switched together;
 * - otherwise the source's entries are deleted first (its 8.3 entry, then its long-name parts), then the
 *   target switched. A cut in between leaves the old target whole and the new data as lost clusters,
 *   which recovery frees: the replace did not happen, and running it again is safe.
 * The replaced file's clusters are freed last, those another entry of the directory still uses excepted.
 */
async function replaceEntry(
  parts: VolumeParts,
  sourceParent: Directory,
  source: DirectoryEntry,
  targetParent: Directory,
  target: DirectoryEntry,
  path: string,
): Promise<void> {
  const { device, fat } = parts;
  const oldChain = parts.paths.chainOf(target, path);
  const switched = sourceParent.slot(source.shortSlot).slice();
  const switchTarget = () => {
    const slot = targetParent.slot(target.shortSlot);
    slot[DIR.attributes] = switched[DIR.attributes] as number;
    slot.set(switched.subarray(DIR.createTimeTenth), DIR.createTimeTenth); // times, start cluster, size
  };
  if (
    sourceParent === targetParent &&
    sourceParent.sameSector(source.firstSlot, source.shortSlot, target.shortSlot)
  ) {
    sourceParent.markDeleted(source.firstSlot, source.shortSlot);
    switchTarget();
    const first = Math.min(source.firstSlot, target.shortSlot);
    const last = Math.max(source.shortSlot, target.shortSlot);
    await sourceParent.writeSlots(device, first, last);
    await device.flush();
  } else {
    await sourceParent.deleteEntry(device, source.firstSlot, source.shortSlot);
    await device.flush();
    switchTarget();
    await targetParent.writeSlots(device, target.shortSlot, target.shortSlot);
    await device.flush();
  }
  fat.release(unsharedClusters(parts, targetParent, oldChain));
  await fat.writeBack(device);
  await finishOperation(parts);
}
