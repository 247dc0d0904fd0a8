/**
 * A read-only walk of a whole volume, recording facts for volume-check.ts to judge: every directory and
 * entry, each cluster chain followed as far as it is sound, which entry owns each cluster, the clusters
 * nobody owns, the FAT copies compared, the volume's flags and labels. It never throws on damage (that is
 * what it is looking for) and never writes.
 *
 * Bounded on any input: a cluster is claimed by one entry at most, so chains and directories are walked
 * once each; a chain that reaches a cluster already claimed stops there ("joined"), which also keeps a
 * directory tree that loops through shared clusters from being entered twice.
 */
import type { BlockDevice } from '../block/block-device.js';
import { u8, u32 } from '../block/little-endian.js';
import { bpbLabelOf, EBPB16, EBPB32, type FatGeometry, FSINFO } from './boot-sector.js';
import { Directory } from './directory.js';
import { ATTR, type DirectoryEntry, type ParsedDirectory } from './directory-entry.js';
import type { VolumeParts } from './fat-parts.js';
import { type FatTable, FREE } from './fat-table.js';

/** How a chain ended: at an end-of-chain mark, or where it stopped being sound, or in another's chain. */
export type ChainEnd = 'end' | 'free' | 'bad' | 'out-of-range' | 'loop' | 'joined';

export interface ScannedItem {
  index: number;
  /** `/` for the root, else `/dir/name` with the names as read. */
  path: string;
  /** The item of the directory holding this entry; -1 for the root. */
  parent: number;
  /** The directory holding this entry, as read (its slots are what a repair rewrites); null for the root. */
  holder: Directory | null;
  entry: DirectoryEntry | null;
  isDirectory: boolean;
  /** The clusters this item owns, in chain order. */
  clusters: number[];
  end: ChainEnd;
  /** For a chain that runs into another's: that item and the cluster where they meet. */
  joins: { owner: number; cluster: number } | null;
  /** Clusters the chain passes through in all, its joined tail included (what its size is checked against). */
  reach: number;
  /** How the whole chain ends, its joined tail included. */
  finalEnd: Exclude<ChainEnd, 'joined'>;
}

export interface ScannedDirectory {
  item: number;
  directory: Directory;
  parsed: ParsedDirectory;
}

export interface VolumeScan {
  geometry: FatGeometry;
  items: ScannedItem[];
  directories: ScannedDirectory[];
  /** Allocated clusters (neither free nor bad) that no entry's chain reaches. */
  lost: number[];
  /** FAT copies (by number, the first is 0) whose bytes differ from the first's, with the sectors that do. */
  differingCopies: Array<{ copy: number; sectors: number[] }>;
  /** FAT[0] carries the media byte and all-ones above it; anything else marks a damaged table. */
  fatHeaderValid: boolean;
  /** The boot sector's or FAT[1]'s "not cleanly unmounted" flag. */
  dirty: { bootSector: boolean; fat: boolean };
  /** The 11-byte label in the boot sector ("NO NAME    " when it has none) and in the root directory. */
  labels: { boot: string; root: string | null };
  /** FSInfo's free count, when the volume has a valid FSInfo that states one, and the true count. */
  freeCount: { recorded: number | null; actual: number };
}

const NO_NAME = 'NO NAME    ';

/** The bits FAT[0] must have set above the media byte, per FAT type. */
function fatHeaderBits(geometry: FatGeometry): number {
  return geometry.type === 12 ? 0xf00 : geometry.type === 16 ? 0xff00 : 0x0fffff00;
}

/** FAT[1]'s "cleanly unmounted" bit; FAT12 has none. */
function cleanShutdownBit(geometry: FatGeometry): number {
  return geometry.type === 16 ? 0x8000 : geometry.type === 32 ? 0x08000000 : 0;
}

class ChainWalker {
  readonly owner: Int32Array;
  readonly position: Int32Array;

  constructor(private readonly fat: FatTable) {
    this.owner = new Int32Array(fat.maxCluster + 1);
    this.position = new Int32Array(fat.maxCluster + 1);
  }

  /** Follows the chain from `start`, claiming each sound cluster for item `me`. */
  walk(start: number, me: number): Pick<ScannedItem, 'clusters' | 'end' | 'joins'> {
    const clusters: number[] = [];
    if (start === FREE) return { clusters, end: 'end', joins: null };
    const { fat, owner, position } = this;
    let cluster = start;
    for (;;) {
      if (cluster < 2 || cluster > fat.maxCluster) return { clusters, end: 'out-of-range', joins: null };
      const claimed = owner[cluster] as number;
      if (claimed === me + 1) return { clusters, end: 'loop', joins: null };
      if (claimed !== 0) return { clusters, end: 'joined', joins: { owner: claimed - 1, cluster } };
      const next = fat.get(cluster);
      if (next === FREE) return { clusters, end: 'free', joins: null };
      if (fat.isBad(next)) return { clusters, end: 'bad', joins: null };
      owner[cluster] = me + 1;
      position[cluster] = clusters.length;
      clusters.push(cluster);
      if (fat.isEndOfChain(next)) return { clusters, end: 'end', joins: null };
      cluster = next;
    }
  }
}

export async function scanVolume(parts: VolumeParts): Promise<VolumeScan> {
  const { device, geometry, fat } = parts;
  const walker = new ChainWalker(fat);
  const items: ScannedItem[] = [];
  const directories: ScannedDirectory[] = [];

  const add = (item: Omit<ScannedItem, 'index' | 'reach' | 'finalEnd'>): ScannedItem => {
    const index = items.length;
    let reach = item.clusters.length;
    let finalEnd: ScannedItem['finalEnd'] = item.end === 'joined' ? 'end' : item.end;
    if (item.joins) {
      const owner = items[item.joins.owner] as ScannedItem;
      reach += owner.reach - (walker.position[item.joins.cluster] as number);
      finalEnd = owner.finalEnd;
    }
    const full: ScannedItem = { ...item, index, reach, finalEnd };
    items.push(full);
    return full;
  };

  const rootCluster = geometry.type === 32 ? geometry.rootCluster : 0;
  const rootChain =
    geometry.type === 32 ? walker.walk(rootCluster, 0) : { clusters: [], end: 'end' as const, joins: null };
  const root = add({ path: '/', parent: -1, holder: null, entry: null, isDirectory: true, ...rootChain });
  const rootDirectory =
    geometry.type === 32
      ? await Directory.fromClusters(device, geometry, rootCluster, root.clusters)
      : await Directory.loadRoot(device, geometry, fat);

  const pending: Array<{ item: ScannedItem; directory: Directory }> = [
    { item: root, directory: rootDirectory },
  ];
  while (pending.length > 0) {
    const { item, directory } = pending.pop() as { item: ScannedItem; directory: Directory };
    const parsed = directory.parsed;
    directories.push({ item: item.index, directory, parsed });
    for (const entry of parsed.entries) {
      if (entry.name === '.' || entry.name === '..') continue;
      const isDirectory = (entry.attributes & ATTR.directory) !== 0;
      const path = `${item.path === '/' ? '' : item.path}/${entry.name}`;
      const me = items.length;
      // A subdirectory always has a cluster: start 0 would make it the root again.
      const chain =
        isDirectory && entry.startCluster === FREE
          ? { clusters: [], end: 'out-of-range' as const, joins: null }
          : walker.walk(entry.startCluster, me);
      const child = add({ path, parent: item.index, holder: directory, entry, isDirectory, ...chain });
      if (isDirectory && child.clusters.length > 0 && child.joins?.cluster !== entry.startCluster) {
        pending.push({
          item: child,
          directory: await Directory.fromClusters(device, geometry, entry.startCluster, child.clusters),
        });
      }
    }
  }

  const lost: number[] = [];
  let free = 0;
  for (let cluster = 2; cluster <= fat.maxCluster; cluster++) {
    const value = fat.get(cluster);
    if (value === FREE) free++;
    else if (!fat.isBad(value) && walker.owner[cluster] === 0) lost.push(cluster);
  }

  const boot = await device.read(0, 512);
  // From the sector as it is now: a repair rewrites the label, and the geometry was read at open.
  const bootLabel = bpbLabelOf(boot, geometry.type);
  const flags = u8(boot, geometry.type === 32 ? EBPB32.reserved : EBPB16.reserved);
  const cleanBit = cleanShutdownBit(geometry);
  return {
    geometry,
    items,
    directories,
    lost,
    differingCopies: await compareFatCopies(device, geometry),
    fatHeaderValid: (fat.get(0) & fatHeaderBits(geometry)) === fatHeaderBits(geometry),
    dirty: { bootSector: (flags & 0x01) !== 0, fat: cleanBit !== 0 && (fat.get(1) & cleanBit) === 0 },
    labels: {
      boot: bootLabel === undefined ? NO_NAME : bootLabel.padEnd(11, ' '),
      root: rootDirectory.parsed.label === undefined ? null : rootDirectory.parsed.label.padEnd(11, ' '),
    },
    freeCount: { recorded: await recordedFreeCount(device, geometry, parts.fsInfo), actual: free },
  };
}

/** The sectors in which each further FAT copy differs from the first, over the entries the volume has. */
async function compareFatCopies(
  device: BlockDevice,
  geometry: FatGeometry,
): Promise<Array<{ copy: number; sectors: number[] }>> {
  if (geometry.fatCount < 2) return [];
  const bits = geometry.type;
  const used = Math.ceil(((geometry.clusterCount + 2) * bits) / 8);
  const sectorSize = geometry.bytesPerSector;
  const sectors = Math.ceil(used / sectorSize);
  const chunk = 2048;
  const base = (copy: number) => (geometry.reservedSectors + copy * geometry.fatSectors) * sectorSize;
  const differing: Array<{ copy: number; sectors: number[] }> = [];
  for (let copy = 1; copy < geometry.fatCount; copy++) {
    const found: number[] = [];
    for (let first = 0; first < sectors; first += chunk) {
      const count = Math.min(chunk, sectors - first);
      const a = await device.read(base(0) + first * sectorSize, count * sectorSize);
      const b = await device.read(base(copy) + first * sectorSize, count * sectorSize);
      for (let sector = 0; sector < count; sector++) {
        const end = Math.min(sectorSize, used - (first + sector) * sectorSize);
        for (let at = sector * sectorSize; at < sector * sectorSize + end; at++) {
          if (a[at] !== b[at]) {
            found.push(first + sector);
            break;
          }
        }
      }
    }
    if (found.length > 0) differing.push({ copy, sectors: found });
  }
  return differing;
}

async function recordedFreeCount(
  device: BlockDevice,
  geometry: FatGeometry,
  fsInfo: Uint8Array | undefined,
): Promise<number | null> {
  if (!fsInfo) return null;
  const sector = await device.read(geometry.fsInfoSector * geometry.bytesPerSector, 512);
  if (u32(sector, FSINFO.leadSignature) !== FSINFO.LEAD) return null;
  const count = u32(sector, FSINFO.freeCount);
  return count === FSINFO.UNKNOWN || count > geometry.clusterCount ? null : count;
}
