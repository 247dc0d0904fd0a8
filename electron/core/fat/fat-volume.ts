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
 * Before its first write, a volume opened for writing is checked whole (volume-check.ts): what a cut in
 * one of these operations can leave (lost clusters, FAT copies out of step, a temporary name still on its
 * final name's chain, orphaned long-name parts) is put right first (volume-repair.ts); any other damage
 * refuses the write with a VolumeDamagedError, since a write to crossed or broken chains hands live data
 * to the new file. test/core/card/cut-retry.test.ts cuts every card command before each write and retries.
 *
 * Reading never writes: opening and walking a damaged volume issues no device writes at all. Every
 * loop over on-disk data is bounded (by the cluster count or the 65536-entry directory limit).
 * Operations are serialised: one runs at a time, in call order. The operations themselves live beside
 * this file: fat-reads.ts, fat-writes.ts, fat-rename.ts and fat-entries.ts (directory slots).
 */
import { Readable } from 'node:stream';
import type { BlockDevice } from '../block/block-device.js';
import { u32 } from '../block/little-endian.js';
import { type FatGeometry, FSINFO, parseBootSector } from './boot-sector.js';
import { FatError, VolumeDamagedError } from './fat-error.js';
import type { VolumeParts } from './fat-parts.js';
import {
  describeVolume,
  type FileExtent,
  fileExtent,
  fileExtentList,
  fileSectorList,
  readWholeFile,
  type VolumeInfo,
} from './fat-reads.js';
import { type RenameOptions, renameEntry } from './fat-rename.js';
import { type FatAttributes, type FatStat, rootStat, toStat } from './fat-stat.js';
import { FatTable } from './fat-table.js';
import {
  changeAttributes,
  deleteDirectory,
  deleteFile,
  makeDirectory,
  type WriteFileOptions,
  writeFileTo,
} from './fat-writes.js';
import { readClusters, readClustersAhead } from './file-data.js';
import { PathResolver } from './path-resolver.js';
import { type CheckOptions, checkVolume, type VolumeProblem } from './volume-check.js';
import { type RepairOutcome, type RepairScope, repairVolume } from './volume-repair.js';

export type { VolumeInfo } from './fat-reads.js';
export type { RenameOptions } from './fat-rename.js';
export type { FatAttributes, FatStat } from './fat-stat.js';
export type { WriteFileOptions } from './fat-writes.js';
export type { VolumeProblem, VolumeProblemCode } from './volume-check.js';
export type { RepairOutcome, RepairScope } from './volume-repair.js';

export interface OpenFatOptions {
  readOnly?: boolean;
  /** Which names are temporary copies renamed over a final name (see CheckOptions). */
  temporaryOf?: CheckOptions['temporaryOf'];
  /**
   * Check the volume before its first write (default). Off only for a volume just formatted, which is
   * sound by construction.
   */
  checkBeforeWriting?: boolean;
}

export async function openFat(device: BlockDevice, options: OpenFatOptions = {}): Promise<FatVolume> {
  return FatVolume.open(device, options);
}

export class FatVolume {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly parts: VolumeParts;
  private readonly checkOptions: CheckOptions;
  private checkedForWriting: boolean;

  private constructor(
    readonly device: BlockDevice,
    readonly geometry: FatGeometry,
    fat: FatTable,
    fsInfo: Uint8Array | undefined,
    readonly readOnly: boolean,
    options: OpenFatOptions,
  ) {
    this.parts = {
      device,
      geometry,
      fat,
      fsInfo,
      paths: new PathResolver(device, geometry, fat, { cacheDirectories: readOnly }),
    };
    this.checkOptions = options.temporaryOf ? { temporaryOf: options.temporaryOf } : {};
    this.checkedForWriting = options.checkBeforeWriting === false;
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
    return new FatVolume(device, geometry, fat, fsInfo, options.readOnly ?? false, options);
  }

  // ---- reading ---------------------------------------------------------------------------------

  readdir(path: string): Promise<FatStat[]> {
    return this.exclusive(async () => {
      const directory = await this.parts.paths.directoryAt(path);
      return directory.parsed.entries
        .filter((entry) => entry.name !== '.' && entry.name !== '..')
        .map(toStat);
    });
  }

  stat(path: string): Promise<FatStat> {
    return this.exclusive(async () => {
      const { entry } = await this.parts.paths.locate(path);
      return entry ? toStat(entry) : rootStat();
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.exclusive(() => readWholeFile(this.parts, path));
  }

  /** The file's bytes in chunks of up to 4 MiB. Do not modify the file while iterating. */
  async *chunks(path: string): AsyncGenerator<Uint8Array> {
    const { clusters, size } = await this.exclusive(() => fileExtent(this.parts, path));
    yield* readClusters(this.device, this.geometry, clusters, size);
  }

  /**
   * The file's bytes read ahead into a few reused buffers (see readClustersAhead): for a consumer that is
   * done with each chunk before asking for the next, and does no read-ahead of its own — a hash.
   */
  async *chunksAhead(path: string): AsyncGenerator<Uint8Array> {
    const { clusters, size } = await this.exclusive(() => fileExtent(this.parts, path));
    yield* readClustersAhead(this.device, this.geometry, clusters, size);
  }

  createReadStream(path: string): Readable {
    return Readable.from(this.chunks(path), { objectMode: false });
  }

  /** The 512-byte sectors holding the file's data, in order (see fat-reads.ts). */
  fileSectors(path: string): Promise<number[]> {
    return this.exclusive(() => fileSectorList(this.parts, path));
  }

  /** Where the file's bytes lie on this volume's device, run by run (see fat-reads.ts). */
  fileExtents(path: string): Promise<FileExtent[]> {
    return this.exclusive(() => fileExtentList(this.parts, path));
  }

  async freeBytes(): Promise<number> {
    return this.parts.fat.freeCount * this.geometry.clusterSize;
  }

  volumeInfo(): Promise<VolumeInfo> {
    return this.exclusive(() => describeVolume(this.parts));
  }

  /**
   * What the check before a first write would find (volume-check.ts), without putting anything right:
   * reads only, so a volume opened read-only can say it is damaged before anyone tries to write to it.
   */
  check(): Promise<VolumeProblem[]> {
    return this.exclusive(async () => (await checkVolume(this.parts, this.checkOptions)).problems);
  }

  // ---- writing ---------------------------------------------------------------------------------

  /**
   * Makes the volume fit to write to now rather than at its first write: puts right what an interrupted
   * operation left and returns what that was, or throws VolumeDamagedError.
   */
  prepareForWriting(): Promise<RepairOutcome> {
    return this.exclusive(() => this.recoverOrRefuse());
  }

  /**
   * Repairs the volume: `interrupted` puts right only what a cut of ours leaves; `all` everything a repair
   * can (see volume-repair.ts). Returns what was put right and what is still wrong.
   */
  repair(scope: RepairScope): Promise<RepairOutcome> {
    return this.exclusive(async () => {
      if (this.readOnly) throw new FatError('read-only', this.device.name);
      const outcome = await repairVolume(this.parts, { ...this.checkOptions, scope });
      this.checkedForWriting = !outcome.remaining.some((problem) => problem.severity !== 'harmless');
      return outcome;
    });
  }

  writeFile(
    path: string,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options: WriteFileOptions = {},
  ): Promise<void> {
    return this.writing(() => writeFileTo(this.parts, path, data, options));
  }

  mkdir(path: string): Promise<void> {
    return this.writing(() => makeDirectory(this.parts, path));
  }

  unlink(path: string): Promise<void> {
    return this.writing(() => deleteFile(this.parts, path));
  }

  rmdir(path: string): Promise<void> {
    return this.writing(() => deleteDirectory(this.parts, path));
  }

  /**
   * Moves or renames a file or directory. An existing target is an error unless `replace` is set and
   * both are files: then the target's entry is switched to the source's data in one sector write.
   */
  rename(from: string, to: string, options: RenameOptions = {}): Promise<void> {
    return this.writing(() => renameEntry(this.parts, from, to, options));
  }

  setAttributes(path: string, attributes: Partial<FatAttributes>): Promise<void> {
    return this.writing(() => changeAttributes(this.parts, path, attributes));
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

  /** A write, in turn like every operation, refused on a volume opened read-only or found damaged. */
  private writing<T>(operation: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      if (this.readOnly) throw new FatError('read-only', this.device.name);
      if (!this.checkedForWriting) await this.recoverOrRefuse();
      return operation();
    });
  }

  private async recoverOrRefuse(): Promise<RepairOutcome> {
    if (this.readOnly) throw new FatError('read-only', this.device.name);
    const outcome = await repairVolume(this.parts, { ...this.checkOptions, scope: 'interrupted' });
    const blocking = outcome.remaining.filter((problem) => problem.severity !== 'harmless');
    if (blocking.length > 0) throw new VolumeDamagedError(blocking);
    this.checkedForWriting = true;
    return outcome;
  }
}
