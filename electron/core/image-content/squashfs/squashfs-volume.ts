/**
 * A squashfs image opened the way Linux mounts it — superblock, compressor options, lookup tables, root
 * inode, in the kernel's order — and then walked as an ImageTree. Anything the kernel would refuse while
 * mounting becomes MountRefused; later damage surfaces from the lookups.
 */

import { DamagedStructure, MountRefused } from '../content-outcomes.js';
import type { ImageReader } from '../image-reader.js';
import type { ImageTree } from '../path-lookup.js';
import { checkCompressionOptions } from './squashfs-compression.js';
import { findInSquashfsDirectory } from './squashfs-directory.js';
import { SquashfsInodes, type SquashfsNode } from './squashfs-inode.js';
import { MetadataBlocks } from './squashfs-metadata.js';
import {
  FLAG_COMPRESSOR_OPTIONS,
  parseSquashfsSuperblock,
  type SquashfsSuperblock,
  SUPERBLOCK_SIZE,
} from './squashfs-superblock.js';
import { readSquashfsTables } from './squashfs-tables.js';

const DAMAGED = 'is a damaged squashfs';

async function mountStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof DamagedStructure) throw new MountRefused(DAMAGED, error.detail);
    throw error;
  }
}

export class SquashfsVolume implements ImageTree<SquashfsNode> {
  private constructor(
    readonly superblock: SquashfsSuperblock,
    private readonly blocks: MetadataBlocks,
    private readonly inodes: SquashfsInodes,
    private readonly rootNode: SquashfsNode,
  ) {}

  /** `head`: the image's first bytes if already read (saves reading the superblock again). */
  static async open(reader: ImageReader, head?: Uint8Array): Promise<SquashfsVolume> {
    if (reader.size < SUPERBLOCK_SIZE) {
      throw new MountRefused('is too short to be a squashfs', `${reader.size} bytes`);
    }
    const superblock =
      head && head.length >= SUPERBLOCK_SIZE
        ? head.subarray(0, SUPERBLOCK_SIZE)
        : await reader.read(0, SUPERBLOCK_SIZE);
    const sb = parseSquashfsSuperblock(superblock, reader.size);
    const blocks = new MetadataBlocks(reader, sb.bytesUsed, sb.compression);
    const options =
      sb.flags & FLAG_COMPRESSOR_OPTIONS ? (await mountStep(() => blocks.get(SUPERBLOCK_SIZE))).data : null;
    checkCompressionOptions(sb.compression, options);
    const tables = await mountStep(() => readSquashfsTables(reader, sb));
    const inodes = new SquashfsInodes(blocks, sb, tables);
    const root = await mountStep(() => inodes.read(sb.rootInode));
    return new SquashfsVolume(sb, blocks, inodes, root);
  }

  async root(): Promise<SquashfsNode> {
    return this.rootNode;
  }

  async lookup(directory: SquashfsNode, name: Uint8Array): Promise<SquashfsNode | null> {
    if (directory.kind !== 'directory') return null;
    const reference = await findInSquashfsDirectory(
      this.blocks,
      this.superblock.directoryTableStart,
      directory,
      name,
    );
    return reference === null ? null : this.inodes.read(reference);
  }

  async readLink(link: SquashfsNode): Promise<Uint8Array> {
    if (link.kind !== 'symlink') throw new DamagedStructure('not a symlink');
    return this.inodes.readLink(link);
  }
}
