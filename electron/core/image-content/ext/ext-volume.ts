/**
 * An ext2/3/4 image opened as the loader's kernel mounts it read-only — superblock, group descriptors,
 * journal, root directory, in that order — and then walked as an ImageTree.
 *
 * Our own reader rather than the `ext2fs` package (libext2fs in WebAssembly, already a dependency), which
 * works over a callback too but: opens a filesystem by e2fsprogs' rules, not the kernel's (it knows nothing
 * of read-only devices, page-size limits or which features Linux 6.1 mounts), so it cannot predict a refused
 * mount; installs process-wide uncaughtException/unhandledRejection handlers when loaded; keeps one
 * WebAssembly instance per process, which an abort inside libext2fs (emscripten's ABORT) would leave unusable
 * for every later caller; and takes ~70 ms to start. A path lookup needs a dozen blocks and a few checks.
 */

import { DamagedStructure, MountRefused } from '../content-outcomes.js';
import { cString } from '../fields.js';
import type { ImageReader } from '../image-reader.js';
import type { ImageTree } from '../path-lookup.js';
import { dataRuns } from './ext-block-map.js';
import { ExtBlocks } from './ext-blocks.js';
import { findInExtDirectory, inlineContent } from './ext-directory.js';
import { ExtGroupDescriptors } from './ext-group-descriptors.js';
import { type ExtInode, INODE_FLAGS, isFastSymlink, readExtInode } from './ext-inode.js';
import { checkExtJournal } from './ext-journal.js';
import { EXT_SUPERBLOCK_OFFSET, type ExtSuperblock, parseExtSuperblock } from './ext-superblock.js';

const ROOT_INODE = 2;
/** The 60-byte i_block holds a fast symlink's target, NUL-terminated. */
const FAST_SYMLINK_MAX = 59;

export class ExtVolume implements ImageTree<ExtInode> {
  private constructor(
    readonly superblock: ExtSuperblock,
    private readonly blocks: ExtBlocks,
    private readonly descriptors: ExtGroupDescriptors,
    private readonly rootInode: ExtInode,
  ) {}

  /** `head`: the image's first bytes if already read (saves reading the superblock again). */
  static async open(reader: ImageReader, head?: Uint8Array): Promise<ExtVolume> {
    const end = EXT_SUPERBLOCK_OFFSET + 1024;
    const superblock =
      head && head.length >= end
        ? head.subarray(EXT_SUPERBLOCK_OFFSET, end)
        : await reader.read(EXT_SUPERBLOCK_OFFSET, 1024);
    const sb = parseExtSuperblock(superblock, reader.size);
    const blocks = new ExtBlocks(reader, sb);
    const descriptors = new ExtGroupDescriptors(blocks, sb);
    await descriptors.checkAll();
    await checkExtJournal(blocks, descriptors);
    let root: ExtInode;
    try {
      root = await readExtInode(blocks, descriptors, ROOT_INODE);
    } catch (error) {
      if (!(error instanceof DamagedStructure)) throw error;
      throw new MountRefused(`is a damaged ${sb.filesystem} filesystem`, `root inode: ${error.detail}`);
    }
    // ext4_fill_super: "corrupt root inode, run e2fsck".
    if (root.kind !== 'directory' || root.storedBlocks === 0 || root.size === 0) {
      throw new MountRefused(
        `is a damaged ${sb.filesystem} filesystem`,
        'root inode is not a usable directory',
      );
    }
    return new ExtVolume(sb, blocks, descriptors, root);
  }

  async root(): Promise<ExtInode> {
    return this.rootInode;
  }

  async lookup(directory: ExtInode, name: Uint8Array): Promise<ExtInode | null> {
    const number = await findInExtDirectory(this.blocks, directory, name);
    return number === null ? null : readExtInode(this.blocks, this.descriptors, number);
  }

  async readLink(link: ExtInode): Promise<Uint8Array> {
    const { blockSize, inodeSize } = this.superblock;
    if (link.flags & INODE_FLAGS.inlineData)
      return cString(inlineContent(link, inodeSize)).subarray(0, link.size);
    if (isFastSymlink(this.blocks, link))
      return cString(link.iBlock.subarray(0, Math.min(link.size, FAST_SYMLINK_MAX)));
    const extents = (link.flags & INODE_FLAGS.extents) !== 0;
    for await (const run of dataRuns(this.blocks, link.iBlock, extents, 1)) {
      const block = await this.blocks.get(run.physical);
      return cString(block.subarray(0, Math.min(link.size, blockSize - 1)));
    }
    return new Uint8Array(0);
  }
}
