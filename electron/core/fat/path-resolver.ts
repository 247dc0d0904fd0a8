/** From paths to directories and entries: the lookups every volume operation starts with. */
import type { BlockDevice } from '../block/block-device.js';
import type { FatGeometry } from './boot-sector.js';
import { Directory } from './directory.js';
import { ATTR, type DirectoryEntry } from './directory-entry.js';
import { FatError } from './fat-error.js';
import type { FatTable } from './fat-table.js';
import { nameKey, splitPath, validateLongName } from './names.js';

export interface Located {
  parent: Directory | undefined;
  entry: DirectoryEntry | undefined;
  /** The path as stored on disk, one name per level. */
  canonical: string[];
}

export interface CreateTarget {
  parent: Directory;
  entry: DirectoryEntry | undefined;
  name: string;
  canonicalParent: string[];
}

export class PathResolver {
  /**
   * Directories already read, by first cluster (0: the root), on a volume nothing writes to: like the FAT,
   * read once when the volume opens, they are a snapshot. An inspection looks up dozens of paths, each
   * through the root; on a writable volume every lookup reads afresh, so no write can leave a stale copy.
   */
  private readonly cache: Map<number, Promise<Directory>> | null;

  constructor(
    private readonly device: BlockDevice,
    private readonly geometry: FatGeometry,
    private readonly fat: FatTable,
    options: { cacheDirectories?: boolean } = {},
  ) {
    this.cache = options.cacheDirectories ? new Map() : null;
  }

  root(): Promise<Directory> {
    return this.cached(0, () => Directory.loadRoot(this.device, this.geometry, this.fat));
  }

  async loadDirectory(entry: DirectoryEntry, path: string): Promise<Directory> {
    if (entry.startCluster === 0) return this.root();
    this.checkCluster(entry, path);
    return this.cached(entry.startCluster, () =>
      Directory.load(this.device, this.geometry, this.fat, entry.startCluster, path),
    );
  }

  private cached(cluster: number, load: () => Promise<Directory>): Promise<Directory> {
    if (!this.cache) return load();
    let directory = this.cache.get(cluster);
    if (!directory) {
      directory = load();
      this.cache.set(cluster, directory);
      // A failed read is not remembered: the next lookup tries again and reports its own error.
      directory.catch(() => this.cache?.delete(cluster));
    }
    return directory;
  }

  checkCluster(entry: DirectoryEntry, path: string): void {
    if (entry.startCluster !== 0 && (entry.startCluster < 2 || entry.startCluster > this.fat.maxCluster)) {
      throw new FatError('entry-out-of-range', `${path}: start cluster ${entry.startCluster}`);
    }
  }

  chainOf(entry: DirectoryEntry, path: string): number[] {
    this.checkCluster(entry, path);
    return this.fat.chain(entry.startCluster, path);
  }

  async directoryAt(path: string): Promise<Directory> {
    const { entry } = await this.locate(path);
    if (!entry) return this.root();
    if (!(entry.attributes & ATTR.directory)) throw new FatError('not-a-directory', path);
    return this.loadDirectory(entry, path);
  }

  async locate(path: string): Promise<Located> {
    const segments = splitPath(path);
    let directory = await this.root();
    let parent: Directory | undefined;
    let entry: DirectoryEntry | undefined;
    const canonical: string[] = [];
    for (const [index, segment] of segments.entries()) {
      if (index > 0) {
        if (!entry || !(entry.attributes & ATTR.directory))
          throw new FatError('not-a-directory', canonical.join('/'));
        directory = await this.loadDirectory(entry, canonical.join('/'));
      }
      parent = directory;
      entry = findEntry(directory, segment);
      if (!entry) throw new FatError('not-found', `/${[...canonical, segment].join('/')}`);
      canonical.push(entry.name);
    }
    return { parent, entry, canonical };
  }

  /** The parent directory of a path about to be created, and the entry already there, if any. */
  async locateForCreate(
    path: string,
    reuse?: Directory,
  ): Promise<{
    parent: Directory;
    entry: DirectoryEntry | undefined;
    name: string;
    canonicalParent: string[];
  }> {
    const segments = splitPath(path);
    const name = segments.pop();
    if (name === undefined) throw new FatError('invalid-name', 'the root directory');
    validateLongName(name);
    const { entry: parentEntry, canonical } = await this.locate(segments.join('/'));
    let parent: Directory;
    if (parentEntry && !(parentEntry.attributes & ATTR.directory))
      throw new FatError('not-a-directory', segments.join('/'));
    const parentCluster = parentEntry
      ? parentEntry.startCluster
      : this.geometry.type === 32
        ? this.geometry.rootCluster
        : 0;
    if (reuse && reuse.cluster === parentCluster) parent = reuse;
    else if (parentEntry) parent = await this.loadDirectory(parentEntry, segments.join('/'));
    else parent = await this.root();
    return { parent, entry: findEntry(parent, name), name, canonicalParent: canonical };
  }
}

export function findEntry(directory: Directory, name: string): DirectoryEntry | undefined {
  const key = nameKey(name);
  return directory.parsed.entries.find(
    (entry) =>
      entry.name !== '.' &&
      entry.name !== '..' &&
      (nameKey(entry.name) === key || nameKey(entry.shortName) === key),
  );
}
