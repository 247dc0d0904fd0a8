/**
 * An open FAT12/16/32 volume: paths, files and directories on any BlockDevice.
 *
 * Write ordering, chosen so that a power cut at any moment leaves either the old or the new state of
 * the operation, plus at worst some lost clusters (allocated in the FAT but reachable from no entry;
 * `fsck.fat` reclaims them). Each step below ends with a device flush before the next begins:
 *
 * - New file: 1. data into free clusters; 2. the cluster chain into every FAT copy; 3. the directory
 *   entry (after growing the directory, whose new cluster is zeroed and chained first).
 * - Overwrite: 1. data into *new* clusters; 2. their chain; 3. the existing 8.3 entry switched to the
 *   new chain and size in one sector write; 4. the old chain freed. The volume therefore needs room
 *   for the old and the new contents at once.
 * - Delete (unlink, rmdir): 1. the directory entries marked deleted, the 8.3 entry before its LFN
 *   parts (a cut between leaves orphaned LFN parts, which readers ignore); 2. the chain freed.
 * - mkdir: 1. the new directory's cluster (with `.` and `..`); 2. its chain; 3. the entry.
 * - rename: 1. the entry under the new name; 2. the old entry deleted; 3. a moved directory's `..`.
 *   A cut between 1 and 2 leaves the file under both names, sharing clusters (fsck splits them).
 *   With `loseRatherThanShare` (temporary files renamed into place) 1 and 2 swap: a cut leaves lost clusters.
 * - FSInfo's free count is written last; it is only a hint and fsck recomputes it.
 * - The FAT copies are written one after the other, so a cut can leave them differing; fsck then
 *   uses the first, which is always written first.
 *
 * test/core/fat/power-cut.test.ts replays every prefix of each operation's writes to prove this.
 *
 * Reading never writes: opening and walking a damaged volume issues no device writes at all. Every
 * loop over on-disk data is bounded (by the cluster count or the 65536-entry directory limit).
 * Operations are serialised: one runs at a time, in call order.
 */
import { Readable } from 'node:stream';
import type { BlockDevice } from '../block/block-device.js';
import { setU16, setU32, u32 } from '../block/little-endian.js';
import { type FatGeometry, FSINFO, parseBootSector } from './boot-sector.js';
import { clusterOffset, type Directory, newDirectoryCluster } from './directory.js';
import {
  ATTR,
  DIR,
  type DirectoryEntry,
  ENTRY_SIZE,
  encodeEntries,
  setStartCluster,
  toDosDateTime,
} from './directory-entry.js';
import { FatError } from './fat-error.js';
import { applyAttributes, type FatAttributes, type FatStat, rootStat, toStat } from './fat-stat.js';
import { FatTable } from './fat-table.js';
import { readClusters, writeNewClusters } from './file-data.js';
import { makeShortName, nameKey, shortKey } from './names.js';
import { PathResolver } from './path-resolver.js';

export type { FatAttributes, FatStat } from './fat-stat.js';

const MAX_FILE_SIZE = 0xffffffff;

export interface WriteFileOptions {
  /** Byte count of a streamed source; lets us allocate (contiguously) up front. */
  size?: number;
  /** Fail with `no-contiguous-space` rather than fragment the file (SYSLINUX's files want this). */
  contiguous?: boolean;
  /** Attributes for a new file (default: archive); for an overwrite, replaces the existing ones. */
  attributes?: Partial<FatAttributes>;
}

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

export interface OpenFatOptions {
  readOnly?: boolean;
}

export async function openFat(device: BlockDevice, options: OpenFatOptions = {}): Promise<FatVolume> {
  return FatVolume.open(device, options);
}

export class FatVolume {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly paths: PathResolver;

  private constructor(
    readonly device: BlockDevice,
    readonly geometry: FatGeometry,
    private readonly fat: FatTable,
    private readonly fsInfo: Uint8Array | undefined,
    readonly readOnly: boolean,
  ) {
    this.paths = new PathResolver(device, geometry, fat);
  }

  static async open(device: BlockDevice, options: OpenFatOptions = {}): Promise<FatVolume> {
    const boot = await device.read(0, Math.min(device.size, 512));
    const geometry = parseBootSector(boot, device.size);
    const fat = await FatTable.load(device, geometry);
    let fsInfo: Uint8Array | undefined;
    if (geometry.type === 32 && geometry.fsInfoSector > 0) {
      const sector = await device.read(geometry.fsInfoSector * geometry.bytesPerSector, 512);
      const valid =
        u32(sector, FSINFO.leadSignature) === FSINFO.LEAD &&
        u32(sector, FSINFO.structSignature) === FSINFO.STRUCT &&
        u32(sector, FSINFO.trailSignature) === FSINFO.TRAIL;
      if (valid) {
        fsInfo = sector;
        const hint = u32(sector, FSINFO.nextFree);
        if (hint >= 2 && hint <= fat.maxCluster) fat.nextFreeHint = hint;
      }
    }
    return new FatVolume(device, geometry, fat, fsInfo, options.readOnly ?? false);
  }

  // ---- reading ---------------------------------------------------------------------------------

  readdir(path: string): Promise<FatStat[]> {
    return this.exclusive(async () => {
      const directory = await this.paths.directoryAt(path);
      return directory.parsed.entries
        .filter((entry) => entry.name !== '.' && entry.name !== '..')
        .map(toStat);
    });
  }

  stat(path: string): Promise<FatStat> {
    return this.exclusive(async () => {
      const { entry } = await this.paths.locate(path);
      return entry ? toStat(entry) : rootStat();
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.exclusive(async () => {
      const { clusters, size } = await this.fileExtent(path);
      const out = new Uint8Array(size);
      let at = 0;
      for await (const chunk of readClusters(this.device, this.geometry, clusters, size)) {
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    });
  }

  /** The file's bytes in chunks of up to 4 MiB. Do not modify the file while iterating. */
  async *chunks(path: string): AsyncGenerator<Uint8Array> {
    const { clusters, size } = await this.exclusive(() => this.fileExtent(path));
    yield* readClusters(this.device, this.geometry, clusters, size);
  }

  createReadStream(path: string): Readable {
    return Readable.from(this.chunks(path), { objectMode: false });
  }

  /**
   * The 512-byte sectors, relative to the start of the filesystem, holding the file's data in order:
   * exactly ceil(size / 512) of them. SYSLINUX patches this list into its boot sector and ldlinux.sys.
   */
  fileSectors(path: string): Promise<number[]> {
    return this.exclusive(async () => {
      const { clusters, size } = await this.fileExtent(path);
      const perSector = this.geometry.bytesPerSector / 512;
      const perCluster = this.geometry.sectorsPerCluster * perSector;
      const wanted = Math.ceil(size / 512);
      const sectors: number[] = [];
      for (const cluster of clusters) {
        const first = (clusterOffset(this.geometry, cluster) / 512) | 0;
        for (let i = 0; i < perCluster && sectors.length < wanted; i++) sectors.push(first + i);
        if (sectors.length === wanted) break;
      }
      return sectors;
    });
  }

  async freeBytes(): Promise<number> {
    return this.fat.freeCount * this.geometry.clusterSize;
  }

  volumeInfo(): Promise<VolumeInfo> {
    return this.exclusive(async () => {
      const g = this.geometry;
      const root = await this.paths.root();
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
        freeClusters: this.fat.freeCount,
        totalSectors: g.totalSectors,
        hiddenSectors: g.hiddenSectors,
        reservedSectors: g.reservedSectors,
        fatCount: g.fatCount,
        fatSectors: g.fatSectors,
        firstDataSector: g.firstDataSector,
        rootCluster: g.rootCluster,
      };
    });
  }

  // ---- writing ---------------------------------------------------------------------------------

  writeFile(
    path: string,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options: WriteFileOptions = {},
  ): Promise<void> {
    return this.exclusive(async () => {
      this.checkWritable();
      const { parent, entry: existing, name } = await this.paths.locateForCreate(path);
      if (existing && existing.attributes & ATTR.directory) throw new FatError('is-a-directory', path);
      const size = data instanceof Uint8Array ? data.length : options.size;
      if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
        throw new FatError('invalid-option', `size ${size}`);
      }
      if (size !== undefined && size > MAX_FILE_SIZE)
        throw new FatError('file-too-large', `${path}: ${size} bytes`);
      const oldChain = existing ? this.paths.chainOf(existing, path) : [];
      const cs = this.geometry.clusterSize;
      const dirClusters = existing ? 0 : this.slotClustersNeeded(parent, name);
      if (size !== undefined && Math.ceil(size / cs) + dirClusters > this.fat.freeCount) {
        throw new FatError('no-space', `${path}: ${size} bytes, ${this.fat.freeCount * cs} free`);
      }
      const { clusters, total } = await writeNewClusters(this.device, this.geometry, this.fat, data, {
        size,
        contiguous: options.contiguous ?? false,
        path,
        maxSize: MAX_FILE_SIZE,
      });
      await this.device.flush();
      await this.fat.writeBack(this.device);
      await this.device.flush();
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
        await parent.writeSlots(this.device, existing.shortSlot, existing.shortSlot);
        await this.device.flush();
        this.fat.release(oldChain);
        await this.fat.writeBack(this.device);
      } else {
        await this.addEntry(parent, name, {
          attributes,
          startCluster: clusters[0] ?? 0,
          size: total,
          created: now,
          modified: now,
        });
      }
      await this.finish();
    });
  }

  mkdir(path: string): Promise<void> {
    return this.exclusive(async () => {
      this.checkWritable();
      const { parent, entry, name } = await this.paths.locateForCreate(path);
      if (entry) throw new FatError('already-exists', path);
      if (1 + this.slotClustersNeeded(parent, name) > this.fat.freeCount)
        throw new FatError('no-space', path);
      const [cluster] = this.fat.allocate(1) as [number];
      const now = new Date();
      const body = newDirectoryCluster(this.geometry, cluster, parent, now);
      await this.device.write(clusterOffset(this.geometry, cluster), body);
      await this.device.flush();
      await this.fat.writeBack(this.device);
      await this.device.flush();
      await this.addEntry(parent, name, {
        attributes: ATTR.directory,
        startCluster: cluster,
        size: 0,
        created: now,
        modified: now,
      });
      await this.finish();
    });
  }

  unlink(path: string): Promise<void> {
    return this.exclusive(async () => {
      this.checkWritable();
      const { parent, entry } = await this.paths.locate(path);
      if (!parent || !entry || entry.attributes & ATTR.directory) throw new FatError('is-a-directory', path);
      await this.removeEntry(parent, entry, this.paths.chainOf(entry, path));
    });
  }

  rmdir(path: string): Promise<void> {
    return this.exclusive(async () => {
      this.checkWritable();
      const { parent, entry } = await this.paths.locate(path);
      if (!parent || !entry) throw new FatError('invalid-name', 'the root directory cannot be removed');
      if (!(entry.attributes & ATTR.directory)) throw new FatError('not-a-directory', path);
      const directory = await this.paths.loadDirectory(entry, path);
      if (directory.parsed.entries.some((child) => child.name !== '.' && child.name !== '..')) {
        throw new FatError('directory-not-empty', path);
      }
      await this.removeEntry(parent, entry, directory.clusters);
    });
  }

  /**
   * Moves or renames a file or directory. An existing target is an error unless `replace` is set and
   * both are files: then the target's entry is switched to the source's data in one sector write.
   */
  rename(from: string, to: string, options: RenameOptions = {}): Promise<void> {
    return this.exclusive(async () => {
      this.checkWritable();
      const source = await this.paths.locate(from);
      if (!source.parent || !source.entry)
        throw new FatError('invalid-name', 'the root directory cannot be renamed');
      const sourceParent = source.parent;
      const sourceEntry = source.entry;
      const target = await this.paths.locateForCreate(to, sourceParent);
      const sameDirectory = target.parent === sourceParent;
      const isDirectory = (sourceEntry.attributes & ATTR.directory) !== 0;
      if (target.entry && !(sameDirectory && target.entry.shortSlot === sourceEntry.shortSlot)) {
        if (!options.replace) throw new FatError('already-exists', to);
        if (target.entry.attributes & ATTR.directory) throw new FatError('is-a-directory', to);
        if (isDirectory) throw new FatError('not-a-directory', to);
        await this.replaceEntry(sourceParent, sourceEntry, target.parent, target.entry, to);
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
        this.slotsFor(sourceParent, target.name, sourceEntry) <= freedSlots
      ) {
        await sourceParent.deleteEntry(this.device, sourceEntry.firstSlot, sourceEntry.shortSlot);
        await this.device.flush();
        await this.addEntry(sourceParent, target.name, fields, undefined, oldSlot);
        await this.finish();
        return;
      }
      await this.addEntry(
        target.parent,
        target.name,
        fields,
        sameDirectory ? sourceEntry : undefined,
        oldSlot,
      );
      await sourceParent.deleteEntry(this.device, sourceEntry.firstSlot, sourceEntry.shortSlot);
      await this.device.flush();
      if (isDirectory && !sameDirectory) {
        const moved = await this.paths.loadDirectory(sourceEntry, from);
        const dotDot = moved.parsed.entries.find((child) => child.name === '..');
        if (dotDot) {
          setStartCluster(moved.slot(dotDot.shortSlot), target.parent.clusterForDotDot);
          await moved.writeSlots(this.device, dotDot.shortSlot, dotDot.shortSlot);
          await this.device.flush();
        }
      }
      await this.finish(); // the target directory may have grown
    });
  }

  /**
   * rename with replace: 1. the target's 8.3 entry takes the source's data, attributes and times (one
   * sector: the switch); 2. the source's entries are deleted; 3. the replaced file's chain is freed.
   * A cut after 1 shows the new data under the target name (and still under the source name).
   */
  private async replaceEntry(
    sourceParent: Directory,
    source: DirectoryEntry,
    targetParent: Directory,
    target: DirectoryEntry,
    path: string,
  ): Promise<void> {
    const oldChain = this.paths.chainOf(target, path);
    const from = sourceParent.slot(source.shortSlot);
    const slot = targetParent.slot(target.shortSlot);
    slot[DIR.attributes] = from[DIR.attributes] as number;
    slot.set(from.subarray(DIR.createTimeTenth), DIR.createTimeTenth); // times, start cluster, size
    await targetParent.writeSlots(this.device, target.shortSlot, target.shortSlot);
    await this.device.flush();
    await sourceParent.deleteEntry(this.device, source.firstSlot, source.shortSlot);
    await this.device.flush();
    this.fat.release(oldChain);
    await this.fat.writeBack(this.device);
    await this.finish();
  }

  setAttributes(path: string, attributes: Partial<FatAttributes>): Promise<void> {
    return this.exclusive(async () => {
      this.checkWritable();
      const { parent, entry } = await this.paths.locate(path);
      if (!parent || !entry) throw new FatError('invalid-name', 'the root directory has no attributes');
      parent.bytes[entry.shortSlot * ENTRY_SIZE + DIR.attributes] = applyAttributes(
        entry.attributes,
        attributes,
      );
      await parent.writeSlots(this.device, entry.shortSlot, entry.shortSlot);
      await this.device.flush();
    });
  }

  /** Waits for queued operations; every operation already flushes, so nothing else is pending. */
  async flush(): Promise<void> {
    await this.exclusive(async () => this.device.flush());
  }

  /** Waits for queued operations. The device stays open: whoever opened it closes it. */
  async close(): Promise<void> {
    await this.flush();
  }

  // ---- internals -------------------------------------------------------------------------------

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkWritable(): void {
    if (this.readOnly) throw new FatError('read-only', this.device.name);
  }

  private async fileExtent(path: string): Promise<{ clusters: number[]; size: number }> {
    const { entry } = await this.paths.locate(path);
    if (!entry || entry.attributes & ATTR.directory) throw new FatError('is-a-directory', path);
    const clusters = this.paths.chainOf(entry, path);
    if (clusters.length * this.geometry.clusterSize < entry.size) {
      throw new FatError('chain-too-short', `${path}: ${entry.size} bytes in ${clusters.length} clusters`);
    }
    return { clusters, size: entry.size };
  }

  /** Directory slots `name` takes (its 8.3 entry and any long-name parts), `exclude` not counting as taken. */
  private slotsFor(parent: Directory, name: string, exclude?: DirectoryEntry): number {
    const taken = new Set(
      parent.parsed.entries.filter((entry) => entry !== exclude).map((entry) => shortKey(entry.shortRaw)),
    );
    return makeShortName(name, taken).needsLongName ? Math.ceil(name.length / 13) + 1 : 1;
  }

  /** Clusters a directory must grow by to take `name`'s entries (an upper bound), or throws if it cannot. */
  private slotClustersNeeded(parent: Directory, name: string): number {
    const slots = this.slotsFor(parent, name);
    if (parent.findFreeSlots(slots) !== undefined) return 0;
    if (parent.isFixedRoot) throw new FatError('root-directory-full', name);
    return Math.ceil((slots * ENTRY_SIZE) / this.geometry.clusterSize);
  }

  private async addEntry(
    parent: Directory,
    name: string,
    fields: { attributes: number; startCluster: number; size: number; created: Date; modified: Date },
    exclude?: DirectoryEntry,
    copyFrom?: Uint8Array,
  ): Promise<void> {
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
    for (let grown = 0; slot === undefined; grown++) {
      if (parent.isFixedRoot) throw new FatError('root-directory-full', name);
      if (grown > 2) throw new FatError('directory-too-large', name);
      const last = parent.clusters[parent.clusters.length - 1] as number;
      const [cluster] = this.fat.allocate(1, { after: last }) as [number];
      this.fat.set(last, cluster);
      await this.device.write(
        clusterOffset(this.geometry, cluster),
        new Uint8Array(this.geometry.clusterSize),
      );
      await this.device.flush();
      await this.fat.writeBack(this.device);
      await this.device.flush();
      parent.grow(cluster);
      slot = parent.findFreeSlots(count);
    }
    const [first, lastSlot] = parent.place(slot, encoded);
    await parent.writeSlots(this.device, first, lastSlot);
    await this.device.flush();
  }

  private async removeEntry(parent: Directory, entry: DirectoryEntry, chain: number[]): Promise<void> {
    await parent.deleteEntry(this.device, entry.firstSlot, entry.shortSlot);
    await this.device.flush();
    this.fat.release(chain);
    await this.fat.writeBack(this.device);
    await this.finish();
  }

  /** Brings FSInfo up to date and flushes: the last step of every allocating operation. */
  private async finish(): Promise<void> {
    if (this.fsInfo) {
      setU32(this.fsInfo, FSINFO.freeCount, this.fat.freeCount);
      setU32(this.fsInfo, FSINFO.nextFree, this.fat.nextFreeHint);
      await this.device.write(this.geometry.fsInfoSector * this.geometry.bytesPerSector, this.fsInfo);
    }
    await this.device.flush();
  }
}
