/** A directory loaded whole into memory, with the mapping from its slots back to device offsets. */
import type { BlockDevice } from '../block/block-device.js';
import type { FatGeometry } from './boot-sector.js';
import {
  ATTR,
  DELETED,
  END_OF_DIRECTORY,
  ENTRY_SIZE,
  encodeEntries,
  type ParsedDirectory,
  parseDirectory,
} from './directory-entry.js';
import { FatError } from './fat-error.js';
import type { FatTable } from './fat-table.js';

/** FAT's own limit: a directory holds at most 65536 entries (2 MiB). */
const MAX_DIRECTORY_BYTES = 65536 * ENTRY_SIZE;

export class Directory {
  parsed: ParsedDirectory;

  private constructor(
    /** First cluster; 0 for the fixed FAT12/16 root. */
    readonly cluster: number,
    public bytes: Uint8Array,
    /** The directory's clusters in order; empty for the fixed root. */
    readonly clusters: number[],
    private readonly geometry: FatGeometry,
  ) {
    this.parsed = parseDirectory(bytes);
  }

  get isFixedRoot(): boolean {
    return this.clusters.length === 0;
  }

  get slotCount(): number {
    return this.bytes.length / ENTRY_SIZE;
  }

  static async loadRoot(device: BlockDevice, geometry: FatGeometry, fat: FatTable): Promise<Directory> {
    if (geometry.type === 32) return Directory.load(device, geometry, fat, geometry.rootCluster, '/');
    const bytes = await device.read(
      geometry.rootDirSector * geometry.bytesPerSector,
      geometry.rootEntryCount * ENTRY_SIZE,
    );
    return new Directory(0, bytes, [], geometry);
  }

  static async load(
    device: BlockDevice,
    geometry: FatGeometry,
    fat: FatTable,
    cluster: number,
    path: string,
  ): Promise<Directory> {
    const clusters = fat.chain(cluster, path);
    if (clusters.length * geometry.clusterSize > MAX_DIRECTORY_BYTES) {
      throw new FatError('directory-too-large', `${path}: ${clusters.length} clusters`);
    }
    const bytes = new Uint8Array(clusters.length * geometry.clusterSize);
    for (const [index, run] of clusterRuns(clusters)) {
      bytes.set(
        await device.read(clusterOffset(geometry, run.first), run.length * geometry.clusterSize),
        index * geometry.clusterSize,
      );
    }
    return new Directory(cluster, bytes, clusters, geometry);
  }

  /**
   * A directory read from clusters the caller has already followed (the volume check, which follows chains
   * itself so that a damaged one yields what is sound of it rather than an error). At most FAT's 65536
   * entries are read.
   */
  static async fromClusters(
    device: BlockDevice,
    geometry: FatGeometry,
    cluster: number,
    clusters: number[],
  ): Promise<Directory> {
    const kept = clusters.slice(0, Math.floor(MAX_DIRECTORY_BYTES / geometry.clusterSize));
    const bytes = new Uint8Array(kept.length * geometry.clusterSize);
    for (const [index, run] of clusterRuns(kept)) {
      bytes.set(
        await device.read(clusterOffset(geometry, run.first), run.length * geometry.clusterSize),
        index * geometry.clusterSize,
      );
    }
    return new Directory(cluster, bytes, kept, geometry);
  }

  /** The 32 bytes of `slot`, as a view: changes land in `bytes` and go out with writeSlots. */
  slot(slot: number): Uint8Array {
    return this.bytes.subarray(slot * ENTRY_SIZE, (slot + 1) * ENTRY_SIZE);
  }

  /** What a child directory's `..` entry records for this one: 0 stands for the root, on every FAT type. */
  get clusterForDotDot(): number {
    return this.isFixedRoot || this.cluster === this.geometry.rootCluster ? 0 : this.cluster;
  }

  /** Byte offset on the device of `slot`. */
  slotOffset(slot: number): number {
    const byte = slot * ENTRY_SIZE;
    if (this.isFixedRoot) return this.geometry.rootDirSector * this.geometry.bytesPerSector + byte;
    const cluster = this.clusters[Math.floor(byte / this.geometry.clusterSize)] as number;
    return clusterOffset(this.geometry, cluster) + (byte % this.geometry.clusterSize);
  }

  /** First slot of `count` consecutive free slots, or undefined when the directory must grow. */
  findFreeSlots(count: number): number | undefined {
    let run = 0;
    for (let slot = 0; slot < this.slotCount; slot++) {
      const first = this.bytes[slot * ENTRY_SIZE];
      const free = slot >= this.parsed.endSlot || first === 0xe5 || first === END_OF_DIRECTORY;
      run = free ? run + 1 : 0;
      if (run === count) return slot - count + 1;
    }
    return undefined;
  }

  /** Whether one more cluster keeps the directory within FAT's 65536 entries. */
  canGrow(): boolean {
    return !this.isFixedRoot && this.bytes.length + this.geometry.clusterSize <= MAX_DIRECTORY_BYTES;
  }

  /** Appends a zeroed cluster in memory (the caller has allocated it and writes it out). */
  grow(cluster: number): void {
    if (!this.canGrow()) {
      throw new FatError('directory-too-large', `directory at cluster ${this.cluster} is full`);
    }
    const bigger = new Uint8Array(this.bytes.length + this.geometry.clusterSize);
    bigger.set(this.bytes);
    this.bytes = bigger;
    this.clusters.push(cluster);
  }

  /** Puts encoded entries at `slot` in memory; returns the slot range to write. */
  place(slot: number, encoded: Uint8Array): [number, number] {
    const count = encoded.length / ENTRY_SIZE;
    this.bytes.set(encoded, slot * ENTRY_SIZE);
    let last = slot + count - 1;
    // Past the old end marker, later slots may hold stale bytes from another tool: end the directory again.
    if (slot + count - 1 >= this.parsed.endSlot && slot + count < this.slotCount) {
      this.bytes.fill(0, (slot + count) * ENTRY_SIZE, (slot + count + 1) * ENTRY_SIZE);
      last++;
    }
    this.parsed = parseDirectory(this.bytes);
    return [slot, last];
  }

  /**
   * Deletes the entries `firstSlot..shortSlot` (LFN parts, then the 8.3 entry) on the device. The 8.3
   * entry goes first: it is the entry that makes the file exist, so a cut between the writes leaves
   * the file gone plus orphaned LFN parts (ignored by every reader), never a file under its 8.3 alias.
   */
  async deleteEntry(device: BlockDevice, firstSlot: number, shortSlot: number): Promise<void> {
    this.markDeleted(firstSlot, shortSlot);
    if (this.sameSector(firstSlot, shortSlot)) {
      await this.writeSlots(device, firstSlot, shortSlot);
      return;
    }
    await this.writeSlots(device, shortSlot, shortSlot);
    await this.writeSlots(device, firstSlot, shortSlot - 1);
  }

  /** Marks slots `first..last` deleted in memory only; the caller writes them. */
  markDeleted(first: number, last: number): void {
    for (let slot = first; slot <= last; slot++) this.bytes[slot * ENTRY_SIZE] = DELETED;
    this.parsed = parseDirectory(this.bytes);
  }

  /** Whether all these slots lie in one sector, which one device write changes all at once. */
  sameSector(...slots: number[]): boolean {
    const sectorOf = (slot: number) => Math.floor((slot * ENTRY_SIZE) / this.geometry.bytesPerSector);
    return slots.every((slot) => sectorOf(slot) === sectorOf(slots[0] as number));
  }

  /** Writes slots `first..last` to the device, whole sectors, one write per cluster touched. */
  async writeSlots(device: BlockDevice, first: number, last: number): Promise<void> {
    const sectorSize = this.geometry.bytesPerSector;
    const startByte = Math.floor((first * ENTRY_SIZE) / sectorSize) * sectorSize;
    const endByte = Math.ceil(((last + 1) * ENTRY_SIZE) / sectorSize) * sectorSize;
    const piece = this.isFixedRoot ? endByte - startByte : this.geometry.clusterSize;
    let byte = startByte;
    while (byte < endByte) {
      const stop = Math.min(endByte, (Math.floor(byte / piece) + 1) * piece);
      await device.write(this.slotOffset(byte / ENTRY_SIZE), this.bytes.subarray(byte, stop));
      byte = stop;
    }
  }
}

export function clusterOffset(geometry: FatGeometry, cluster: number): number {
  return (geometry.firstDataSector + (cluster - 2) * geometry.sectorsPerCluster) * geometry.bytesPerSector;
}

/** Groups consecutive clusters: yields [index of the run's first cluster in the list, run]. */
export function* clusterRuns(
  clusters: readonly number[],
): Generator<[number, { first: number; length: number }]> {
  let index = 0;
  while (index < clusters.length) {
    const first = clusters[index] as number;
    let length = 1;
    while (index + length < clusters.length && clusters[index + length] === first + length) length++;
    yield [index, { first, length }];
    index += length;
  }
}

/** The first cluster of a new, empty directory: its `.` and `..` entries, the rest zero (end of directory). */
export function newDirectoryCluster(
  geometry: FatGeometry,
  cluster: number,
  parent: Directory,
  now: Date,
): Uint8Array {
  const body = new Uint8Array(geometry.clusterSize);
  const dot = new Uint8Array(11).fill(0x20);
  dot[0] = 0x2e;
  const dotDot = dot.slice();
  dotDot[1] = 0x2e;
  const common = {
    longName: undefined,
    caseFlags: 0,
    attributes: ATTR.directory,
    size: 0,
    created: now,
    modified: now,
  };
  body.set(encodeEntries({ ...common, shortRaw: dot, startCluster: cluster }), 0);
  body.set(encodeEntries({ ...common, shortRaw: dotDot, startCluster: parent.clusterForDotDot }), ENTRY_SIZE);
  return body;
}
