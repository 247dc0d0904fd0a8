/**
 * The file allocation table, cached whole in memory (a few MiB even on large cards). Changes stay in
 * the cache and mark their sectors dirty until `writeBack`, which writes the dirty sectors, coalesced
 * into runs, to every FAT copy — so callers decide when the chain reaches the disk (see write ordering
 * in fat-volume.ts).
 */
import type { BlockDevice } from '../block/block-device.js';
import type { FatGeometry } from './boot-sector.js';
import { FatError } from './fat-error.js';

export const FREE = 0;

export class FatTable {
  /** Clusters not in use, kept exact so FSInfo can be written without a rescan. */
  freeCount = 0;
  /** Where the next allocation search starts (FSInfo's next-free hint). */
  nextFreeHint = 2;
  private readonly dirty = new Set<number>();
  readonly maxCluster: number;
  readonly endOfChain: number;
  private readonly badCluster: number;

  private constructor(
    private readonly geometry: FatGeometry,
    private readonly bytes: Uint8Array,
  ) {
    this.maxCluster = geometry.clusterCount + 1;
    this.endOfChain = geometry.type === 12 ? 0xfff : geometry.type === 16 ? 0xffff : 0x0fffffff;
    this.badCluster = this.endOfChain - 8;
    for (let cluster = 2; cluster <= this.maxCluster; cluster++)
      if (this.get(cluster) === FREE) this.freeCount++;
  }

  /** Reads the first FAT copy, offset `volumeOffset` bytes into `device`. */
  static async load(device: BlockDevice, geometry: FatGeometry): Promise<FatTable> {
    const bytes = await device.read(
      geometry.reservedSectors * geometry.bytesPerSector,
      geometry.fatSectors * geometry.bytesPerSector,
    );
    return new FatTable(geometry, bytes);
  }

  /** For the formatter: a zeroed table with the two reserved entries set. */
  static fresh(geometry: FatGeometry): FatTable {
    const table = new FatTable(geometry, new Uint8Array(geometry.fatSectors * geometry.bytesPerSector));
    table.setRaw(0, (table.endOfChain & ~0xff) | geometry.media);
    table.setRaw(1, table.endOfChain);
    table.freeCount = geometry.clusterCount;
    return table;
  }

  /** The raw entry for `cluster` (FAT32's top four bits masked off). */
  get(cluster: number): number {
    const bytes = this.bytes;
    switch (this.geometry.type) {
      case 12: {
        const at = cluster + (cluster >> 1);
        const pair = (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
        return cluster & 1 ? pair >> 4 : pair & 0xfff;
      }
      case 16:
        return (bytes[cluster * 2] ?? 0) | ((bytes[cluster * 2 + 1] ?? 0) << 8);
      default: {
        const at = cluster * 4;
        return (
          ((bytes[at] ?? 0) |
            ((bytes[at + 1] ?? 0) << 8) |
            ((bytes[at + 2] ?? 0) << 16) |
            ((bytes[at + 3] ?? 0) << 24)) &
          0x0fffffff
        );
      }
    }
  }

  isEndOfChain(value: number): boolean {
    return value >= this.endOfChain - 7;
  }

  /** The value that marks a cluster unusable (a bad sector in it). */
  isBad(value: number): boolean {
    return value === this.badCluster;
  }

  /** Sets an entry, tracking the free count and dirty sectors. */
  set(cluster: number, value: number): void {
    const before = this.get(cluster);
    if (before === FREE && value !== FREE) this.freeCount--;
    if (before !== FREE && value === FREE) this.freeCount++;
    this.setRaw(cluster, value);
  }

  private setRaw(cluster: number, value: number): void {
    const bytes = this.bytes;
    let at: number;
    let width = 2;
    switch (this.geometry.type) {
      case 12: {
        at = cluster + (cluster >> 1);
        const pair = (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
        const next =
          cluster & 1 ? (pair & 0x000f) | ((value & 0xfff) << 4) : (pair & 0xf000) | (value & 0xfff);
        bytes[at] = next & 0xff;
        bytes[at + 1] = next >> 8;
        break;
      }
      case 16:
        at = cluster * 2;
        bytes[at] = value & 0xff;
        bytes[at + 1] = (value >> 8) & 0xff;
        break;
      default: {
        at = cluster * 4;
        width = 4;
        const high = (bytes[at + 3] ?? 0) & 0xf0; // reserved bits are preserved, as the spec asks
        bytes[at] = value & 0xff;
        bytes[at + 1] = (value >> 8) & 0xff;
        bytes[at + 2] = (value >> 16) & 0xff;
        bytes[at + 3] = high | ((value >> 24) & 0x0f);
      }
    }
    const sectorSize = this.geometry.bytesPerSector;
    this.dirty.add(Math.floor(at / sectorSize));
    this.dirty.add(Math.floor((at + width - 1) / sectorSize));
  }

  /**
   * The clusters of the chain starting at `start`, in order. Every step is checked, and the walk is
   * bounded by the cluster count, so damaged tables give a FatError, never a hang.
   */
  chain(start: number, what: string): number[] {
    const clusters: number[] = [];
    if (start === FREE) return clusters;
    let cluster = start;
    for (;;) {
      if (cluster < 2 || cluster > this.maxCluster) {
        throw new FatError('chain-broken', `${what}: cluster ${cluster} is outside 2..${this.maxCluster}`);
      }
      if (clusters.length >= this.geometry.clusterCount) throw new FatError('chain-loop', what);
      clusters.push(cluster);
      const next = this.get(cluster);
      if (this.isEndOfChain(next)) return clusters;
      if (next === FREE || next === this.badCluster) {
        throw new FatError(
          'chain-broken',
          `${what}: cluster ${cluster} leads to ${next === FREE ? 'a free' : 'a bad'} cluster`,
        );
      }
      cluster = next;
    }
  }

  /**
   * Reserves `count` clusters and links them into a chain (in the cache only). Prefers continuing
   * right after `after`, then the first free run long enough, then whatever is free.
   */
  allocate(count: number, options: { after?: number; contiguous?: boolean } = {}): number[] {
    if (count === 0) return [];
    if (count > this.freeCount)
      throw new FatError('no-space', `${count} clusters wanted, ${this.freeCount} free`);
    let clusters = options.after !== undefined ? this.runAt(options.after + 1, count) : undefined;
    clusters ??= this.findRun(count);
    if (!clusters) {
      if (options.contiguous) throw new FatError('no-contiguous-space', `no free run of ${count} clusters`);
      clusters = this.findScattered(count);
    }
    for (let i = 0; i < clusters.length; i++)
      this.set(clusters[i] as number, clusters[i + 1] ?? this.endOfChain);
    const last = clusters[clusters.length - 1] as number;
    this.nextFreeHint = last + 1 > this.maxCluster ? 2 : last + 1;
    return clusters;
  }

  /** Sets FAT[0] or FAT[1], which hold the media byte and volume flags rather than a cluster's link. */
  setReserved(index: 0 | 1, value: number): void {
    this.setRaw(index, value);
  }

  /** Marks FAT sectors to be written to every copy by the next writeBack (copies that fell out of step). */
  markSectorsDirty(sectors: readonly number[]): void {
    for (const sector of sectors) this.dirty.add(sector);
  }

  /** Frees every cluster of `clusters` (in the cache only). */
  release(clusters: readonly number[]): void {
    for (const cluster of clusters) this.set(cluster, FREE);
  }

  private runAt(first: number, count: number): number[] | undefined {
    if (first < 2 || first + count - 1 > this.maxCluster) return undefined;
    for (let cluster = first; cluster < first + count; cluster++)
      if (this.get(cluster) !== FREE) return undefined;
    return range(first, count);
  }

  private findRun(count: number): number[] | undefined {
    // Two passes: from the hint to the end, then from the start, so recently freed space is reused last.
    const passes: Array<[number, number]> = [
      [this.nextFreeHint, this.maxCluster],
      [2, Math.min(this.maxCluster, this.nextFreeHint + count - 1)],
    ];
    for (const [from, to] of passes) {
      let runStart = from;
      let runLength = 0;
      for (let cluster = from; cluster <= to; cluster++) {
        if (this.get(cluster) === FREE) {
          if (runLength === 0) runStart = cluster;
          if (++runLength === count) return range(runStart, count);
        } else {
          runLength = 0;
        }
      }
    }
    return undefined;
  }

  private findScattered(count: number): number[] {
    const clusters: number[] = [];
    for (let step = 0; step < this.geometry.clusterCount && clusters.length < count; step++) {
      const cluster = 2 + ((this.nextFreeHint - 2 + step) % this.geometry.clusterCount);
      if (this.get(cluster) === FREE) clusters.push(cluster);
    }
    if (clusters.length < count) throw new FatError('no-space', `${count} clusters wanted`);
    return clusters;
  }

  /** Writes the dirty sectors to every FAT copy, consecutive sectors as one write. */
  async writeBack(device: BlockDevice): Promise<void> {
    if (this.dirty.size === 0) return;
    const sectors = [...this.dirty].sort((a, b) => a - b);
    this.dirty.clear();
    const sectorSize = this.geometry.bytesPerSector;
    const runs: Array<[number, number]> = [];
    for (const sector of sectors) {
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === sector) last[1]++;
      else runs.push([sector, 1]);
    }
    for (let copy = 0; copy < this.geometry.fatCount; copy++) {
      const base = (this.geometry.reservedSectors + copy * this.geometry.fatSectors) * sectorSize;
      for (const [first, length] of runs) {
        await device.write(
          base + first * sectorSize,
          this.bytes.subarray(first * sectorSize, (first + length) * sectorSize),
        );
      }
    }
  }

  /** Whole-table write, for the formatter. */
  async writeAll(device: BlockDevice): Promise<void> {
    this.dirty.clear();
    for (let copy = 0; copy < this.geometry.fatCount; copy++) {
      const base =
        (this.geometry.reservedSectors + copy * this.geometry.fatSectors) * this.geometry.bytesPerSector;
      await writeInChunks(device, base, this.bytes);
    }
  }
}

function range(first: number, count: number): number[] {
  const clusters = new Array<number>(count);
  for (let i = 0; i < count; i++) clusters[i] = first + i;
  return clusters;
}

async function writeInChunks(device: BlockDevice, offset: number, bytes: Uint8Array): Promise<void> {
  const chunk = 4 * 1024 * 1024;
  for (let done = 0; done < bytes.length; done += chunk) {
    await device.write(offset + done, bytes.subarray(done, Math.min(bytes.length, done + chunk)));
  }
}
