/**
 * Putting right what volume-check.ts finds. Two scopes:
 *
 * - `interrupted`: only what a cut in our own operations leaves, and only on a volume with no damage at
 *   all — freeing "lost" clusters is safe only when every directory was read whole, or a file in an
 *   unreadable folder would lose its data. This runs by itself before a volume's first write.
 * - `all`: everything a repair can do, as `astcard repair` asks for, in fsck.fat's spirit but never losing
 *   a byte that is still readable: two files sharing clusters each keep their content (the later one gets
 *   its own copy), a broken chain is cut where it stops being sound, a size is set to what is really there.
 *
 * Every fix keeps the write ordering of fat-volume.ts, so a cut during a repair leaves a volume the next
 * repair finishes: data before chains, chains before entries, entries before freeing; FAT copies are
 * brought in step first, and lost clusters are freed only after a fresh scan has seen every entry's new
 * state. The volume is scanned again after each pass; what a pass could not fix is reported, not retried
 * forever.
 */
import { setU32, u8 } from '../block/little-endian.js';
import { BPB, EBPB16, EBPB32, EXTENDED_BOOT_SIGNATURE } from './boot-sector.js';
import { clusterOffset, type Directory } from './directory.js';
import { DIR, type DirectoryEntry, LFN, setStartCluster } from './directory-entry.js';
import { finishOperation, type VolumeParts } from './fat-parts.js';
import { readClusters, writeClusters } from './file-data.js';
import { lfnChecksum, makeShortName, shortKey } from './names.js';
import { type CheckOptions, checkVolume, type VolumeCheck, type VolumeProblem } from './volume-check.js';
import type { ScannedItem } from './volume-scan.js';

export type RepairScope = 'interrupted' | 'all';

export interface RepairOutcome {
  /** What was wrong before and is right now. */
  repaired: VolumeProblem[];
  /** What is still wrong: out of the scope asked for, or beyond what a repair can do. */
  remaining: VolumeProblem[];
}

const MAX_PASSES = 6;

export async function repairVolume(
  parts: VolumeParts,
  options: CheckOptions & { scope: RepairScope },
): Promise<RepairOutcome> {
  const first = await checkVolume(parts, options);
  let check = first;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const damaged = check.problems.some((problem) => problem.severity === 'damaged');
    if (options.scope === 'interrupted' && damaged) break;
    const wanted = check.problems.filter((problem) => inScope(problem, options.scope));
    if (wanted.length === 0) break;
    const before = fingerprint(check.problems);
    await applyPass(parts, check, options.scope);
    check = await checkVolume(parts, options);
    if (fingerprint(check.problems) === before) break;
  }
  const still = new Set(check.problems.map(problemKey));
  return {
    repaired: first.problems.filter((problem) => !still.has(problemKey(problem))),
    remaining: check.problems,
  };
}

function inScope(problem: VolumeProblem, scope: RepairScope): boolean {
  return scope === 'all' || problem.severity === 'interrupted';
}

function problemKey(problem: VolumeProblem): string {
  return `${problem.code} ${problem.paths.join('\u0000')}`;
}

function fingerprint(problems: VolumeProblem[]): string {
  return problems.map(problemKey).sort().join('\n');
}

async function applyPass(parts: VolumeParts, check: VolumeCheck, scope: RepairScope): Promise<void> {
  const { device, fat } = parts;
  const { scan, problems } = check;
  const all = scope === 'all';
  const of = (code: VolumeProblem['code']) => problems.filter((problem) => problem.code === code);
  const item = (index: number | undefined) => (index === undefined ? undefined : scan.items[index]);
  const done = new Set<number>();

  // 1. FAT copies in step first, so that every later FAT write lands alike in all of them.
  for (const { sectors } of scan.differingCopies) fat.markSectorsDirty(sectors);
  await fat.writeBack(device);
  await device.flush();

  if (all) {
    await repairHeaderAndFlags(parts, problems);
    await repairLabel(parts, of('label-mismatch').length > 0, scan.labels.root);
  }

  // 2. An interrupted replace: the temporary name goes, its clusters stay with the final name.
  for (const problem of of('interrupted-replace')) {
    const temporary = item(problem.items[0]);
    if (!temporary?.entry || !temporary.holder) continue;
    await temporary.holder.deleteEntry(device, temporary.entry.firstSlot, temporary.entry.shortSlot);
    await device.flush();
    done.add(temporary.index);
  }

  // 3. Orphaned long-name parts: invisible to every reader, cleared so that fsck has nothing to say.
  for (const { directory, parsed } of scan.directories) {
    if (parsed.orphans.length === 0) continue;
    for (const slot of parsed.orphans) directory.markDeleted(slot, slot);
    for (const slot of parsed.orphans) await directory.writeSlots(device, slot, slot);
    await device.flush();
  }

  if (all) {
    for (const problem of of('cross-linked')) {
      const joined = item(problem.items[0]);
      if (joined && !done.has(joined.index)) await separate(parts, joined);
      if (joined) done.add(joined.index);
    }
    for (const code of ['chain-loop', 'chain-broken', 'entry-out-of-range'] as const) {
      for (const problem of of(code)) {
        const broken = item(problem.items[0]);
        if (broken && !done.has(broken.index)) await cutAtLastSound(parts, broken);
        if (broken) done.add(broken.index);
      }
    }
    for (const problem of of('size-mismatch')) {
      const file = item(problem.items[0]);
      if (file && !done.has(file.index)) await matchSizeToChain(parts, file);
    }
    for (const problem of [...of('directory-size'), ...of('directory-too-large')]) {
      const folder = item(problem.items[0]);
      if (folder && !done.has(folder.index)) await fixFolderSize(parts, folder);
    }
    for (const problem of [...of('bad-short-name'), ...of('duplicate-name'), ...of('unusable-long-name')]) {
      const named = item(problem.items[0]);
      if (!named || done.has(named.index)) continue;
      await rename(parts, named, problem.code !== 'unusable-long-name', problem.code !== 'bad-short-name');
      done.add(named.index);
    }
    for (const problem of of('dot-entries')) {
      const folder = item(problem.items[0]);
      if (folder && !done.has(folder.index)) await fixDotEntries(parts, folder, scan.items);
    }
    for (const problem of of('leftover-temporary')) {
      const leftover = item(problem.items[0]);
      if (!leftover?.entry || !leftover.holder || done.has(leftover.index)) continue;
      await leftover.holder.deleteEntry(device, leftover.entry.firstSlot, leftover.entry.shortSlot);
      await device.flush();
      done.add(leftover.index);
    }
  }

  // 4. Lost clusters last, from this scan only if it saw every entry whole; otherwise the next pass,
  //    after the damage is put right, finds them again.
  // Nothing above makes an unowned cluster owned again (copies go into free clusters), so what the scan
  // found lost is still lost.
  const sound = !problems.some((problem) => problem.severity === 'damaged');
  if (sound && scan.lost.length > 0) {
    fat.release(scan.lost);
    await fat.writeBack(device);
    await device.flush();
  }
  await finishOperation(parts);
}

/** Writes FAT[0] from the boot sector's media byte and clears the "not cleanly unmounted" flags. */
async function repairHeaderAndFlags(parts: VolumeParts, problems: VolumeProblem[]): Promise<void> {
  const { device, geometry, fat } = parts;
  const has = (code: VolumeProblem['code']) => problems.some((problem) => problem.code === code);
  if (!has('fat-header') && !has('dirty')) return;
  if (has('fat-header')) {
    const high = geometry.type === 12 ? 0xf00 : geometry.type === 16 ? 0xff00 : 0x0fffff00;
    fat.setReserved(0, high | geometry.media);
  }
  if (has('dirty')) {
    const clean = geometry.type === 16 ? 0x8000 : geometry.type === 32 ? 0x08000000 : 0;
    fat.setReserved(1, fat.get(1) | clean);
    const boot = await device.read(0, 512);
    const at = geometry.type === 32 ? EBPB32.reserved : EBPB16.reserved;
    boot[at] = u8(boot, at) & ~0x01;
    await fat.writeBack(device);
    await device.flush();
    await device.write(0, boot);
  }
  await fat.writeBack(device);
  await device.flush();
}

/** Copies the top folder's label into the boot sector (and its FAT32 backup), or clears it there. */
async function repairLabel(parts: VolumeParts, wanted: boolean, root: string | null): Promise<void> {
  if (!wanted) return;
  const { device, geometry } = parts;
  const ext = geometry.type === 32 ? EBPB32 : EBPB16;
  const label = (root ?? 'NO NAME').padEnd(11, ' ').slice(0, 11);
  const sectors = [
    0,
    ...(geometry.type === 32 && geometry.backupBootSector > 0 ? [geometry.backupBootSector] : []),
  ];
  for (const sector of sectors) {
    const offset = sector * geometry.bytesPerSector;
    const boot = await device.read(offset, 512);
    if (u8(boot, ext.bootSignature) !== EXTENDED_BOOT_SIGNATURE || u8(boot, BPB.signature) !== 0x55) continue;
    for (let i = 0; i < 11; i++) boot[ext.volumeLabel + i] = label.charCodeAt(i) & 0xff;
    await device.write(offset, boot);
    await device.flush();
  }
}

/**
 * A file whose chain runs into another's gets its own copy of everything it reads now (its own clusters
 * and the shared tail): data into free clusters, their chain, then its entry switched in one sector
 * write. Its old clusters are left for the lost-cluster pass. Without room for the copy, or for a folder,
 * it is cut where the sharing begins, as fsck.fat does.
 */
async function separate(parts: VolumeParts, joined: ScannedItem): Promise<void> {
  const { device, geometry, fat } = parts;
  const entry = joined.entry;
  if (!entry || !joined.holder) return;
  const bytes = joined.isDirectory ? 0 : Math.min(entry.size, joined.reach * geometry.clusterSize);
  const count = Math.ceil(bytes / geometry.clusterSize);
  if (joined.isDirectory || count > fat.freeCount) {
    await cutAtLastSound(parts, joined);
    return;
  }
  const source = followChain(parts, entry.startCluster, count);
  const fresh = fat.allocate(count);
  let at = 0;
  for await (const chunk of readClusters(device, geometry, source, bytes)) {
    await writeClusters(device, geometry, fresh, at / geometry.clusterSize, chunk);
    at += chunk.length;
  }
  await device.flush();
  await fat.writeBack(device);
  await device.flush();
  setStartCluster(joined.holder.slot(entry.shortSlot), fresh[0] ?? 0);
  await joined.holder.writeSlots(device, entry.shortSlot, entry.shortSlot);
  await device.flush();
}

/** The first `count` clusters of the chain from `start`, which the scan found sound that far. */
function followChain(parts: VolumeParts, start: number, count: number): number[] {
  const clusters: number[] = [];
  let cluster = start;
  while (clusters.length < count) {
    clusters.push(cluster);
    cluster = parts.fat.get(cluster);
  }
  return clusters;
}

/**
 * A chain cut after its last sound cluster (end-of-chain written there), then the entry's size brought
 * down to what is left. With nothing sound left, a file is emptied and a folder's entry removed.
 */
async function cutAtLastSound(parts: VolumeParts, broken: ScannedItem): Promise<void> {
  const { device, geometry, fat } = parts;
  const last = broken.clusters[broken.clusters.length - 1];
  const entry = broken.entry;
  if (last === undefined) {
    if (!entry || !broken.holder) return; // a root folder with no sound cluster: beyond repair
    if (broken.isDirectory) {
      await broken.holder.deleteEntry(device, entry.firstSlot, entry.shortSlot);
    } else {
      await writeEntry(parts, broken.holder, entry, { start: 0, size: 0 });
    }
    await device.flush();
    return;
  }
  fat.set(last, fat.endOfChain);
  await fat.writeBack(device);
  await device.flush();
  if (entry && broken.holder && !broken.isDirectory) {
    const size = Math.min(entry.size, broken.clusters.length * geometry.clusterSize);
    if (size !== entry.size) await writeEntry(parts, broken.holder, entry, { size });
  }
}

/** A file's size brought to its chain: recorded as what is there, or the chain's tail past it freed. */
async function matchSizeToChain(parts: VolumeParts, file: ScannedItem): Promise<void> {
  const { device, geometry, fat } = parts;
  const entry = file.entry;
  if (!entry || !file.holder || file.joins) return;
  const needed = Math.ceil(entry.size / geometry.clusterSize);
  if (file.reach < needed) {
    await writeEntry(parts, file.holder, entry, { size: file.reach * geometry.clusterSize });
  } else if (needed === 0) {
    await writeEntry(parts, file.holder, entry, { start: 0 });
  } else {
    fat.set(file.clusters[needed - 1] as number, fat.endOfChain);
    await fat.writeBack(device);
    await device.flush();
  }
}

async function fixFolderSize(parts: VolumeParts, folder: ScannedItem): Promise<void> {
  const { device, geometry, fat } = parts;
  const entry = folder.entry;
  if (!entry || !folder.holder) return;
  const limit = Math.floor((65536 * 32) / geometry.clusterSize);
  if (folder.clusters.length > limit) {
    fat.set(folder.clusters[limit - 1] as number, fat.endOfChain);
    await fat.writeBack(device);
    await device.flush();
  }
  if (entry.size !== 0) await writeEntry(parts, folder.holder, entry, { size: 0 });
}

/**
 * A new 8.3 name unique in its folder (`fresh`), and/or the long name dropped (`dropLong`), so that
 * the entry is left with a name every FAT tool accepts and no other entry has. The 8.3 entry is written
 * before the long-name parts are cleared: a cut in between leaves orphaned parts, which the next repair
 * clears. A kept long name has its checksum moved to the new 8.3 name.
 */
async function rename(
  parts: VolumeParts,
  named: ScannedItem,
  fresh: boolean,
  dropLong: boolean,
): Promise<void> {
  const { device } = parts;
  const entry = named.entry;
  const holder = named.holder;
  if (!entry || !holder) return;
  const slot = holder.slot(entry.shortSlot);
  if (fresh) {
    const taken = new Set(holder.parsed.entries.map((other) => shortKey(other.shortRaw)));
    const basis = entry.shortName.replace(/[^\x21-\x7e]/g, '_').replace(/^\.+/, '_');
    const short = makeShortName(`${basis}~`, taken);
    slot.set(short.raw, DIR.name);
    slot[DIR.caseFlags] = 0;
    for (let lfn = entry.firstSlot; lfn < entry.shortSlot; lfn++)
      holder.slot(lfn)[LFN.checksum] = lfnChecksum(short.raw);
  }
  await holder.writeSlots(device, entry.shortSlot, entry.shortSlot);
  await device.flush();
  if (dropLong && entry.firstSlot < entry.shortSlot) {
    holder.markDeleted(entry.firstSlot, entry.shortSlot - 1);
    await holder.writeSlots(device, entry.firstSlot, entry.shortSlot - 1);
  } else if (entry.firstSlot < entry.shortSlot) {
    await holder.writeSlots(device, entry.firstSlot, entry.shortSlot - 1);
  }
  await device.flush();
}

/** `.` and `..` given the clusters they must have, when they are there to be given them. */
async function fixDotEntries(parts: VolumeParts, folder: ScannedItem, items: ScannedItem[]): Promise<void> {
  const { device, geometry } = parts;
  const entry = folder.entry;
  const parent = items[folder.parent];
  if (!entry || !parent || folder.clusters.length === 0) return;
  const first = await device.read(
    clusterOffset(geometry, folder.clusters[0] as number),
    geometry.clusterSize,
  );
  const isDot = (slot: number, dots: string) =>
    String.fromCharCode(...first.subarray(slot * 32, slot * 32 + 11)) === dots.padEnd(11, ' ');
  if (!isDot(0, '.') || !isDot(1, '..')) return;
  const rootCluster = geometry.type === 32 ? geometry.rootCluster : 0;
  const up =
    parent.entry === null || parent.entry.startCluster === rootCluster ? 0 : parent.entry.startCluster;
  setStartCluster(first.subarray(0, 32), entry.startCluster);
  setStartCluster(first.subarray(32, 64), up);
  first[DIR.attributes] = (first[DIR.attributes] as number) | 0x10;
  first[32 + DIR.attributes] = (first[32 + DIR.attributes] as number) | 0x10;
  await device.write(
    clusterOffset(geometry, folder.clusters[0] as number),
    first.subarray(0, geometry.bytesPerSector),
  );
  await device.flush();
}

/** Rewrites an 8.3 entry's start cluster and/or size in one sector write. */
async function writeEntry(
  parts: VolumeParts,
  holder: Directory,
  entry: DirectoryEntry,
  change: { start?: number; size?: number },
): Promise<void> {
  const slot = holder.slot(entry.shortSlot);
  if (change.start !== undefined) setStartCluster(slot, change.start);
  if (change.size !== undefined) setU32(slot, DIR.fileSize, change.size);
  await holder.writeSlots(parts.device, entry.shortSlot, entry.shortSlot);
  await parts.device.flush();
}
