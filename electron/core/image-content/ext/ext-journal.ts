/**
 * The journal, as the ext4 driver loads it on every mount of a filesystem that has one (ext3, ext4): the
 * journal inode must be a live regular file, and its first block a jbd2 superblock matching the filesystem.
 * A journal that still needs replaying cannot be replayed on the loader's read-only loop device, so the
 * kernel refuses that mount (ext4_load_journal: "write access unavailable, cannot proceed").
 */

import { DamagedStructure, MountRefused } from '../content-outcomes.js';
import { dataRuns } from './ext-block-map.js';
import type { ExtBlocks } from './ext-blocks.js';
import type { ExtGroupDescriptors } from './ext-group-descriptors.js';
import { INODE_FLAGS, readExtInode } from './ext-inode.js';
import { COMPAT, INCOMPAT } from './ext-superblock.js';

const JBD2_MAGIC = 0xc03b3998;
const JBD2_SUPERBLOCK_V1 = 3;
const JBD2_SUPERBLOCK_V2 = 4;

function bigEndian32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

export async function checkExtJournal(blocks: ExtBlocks, descriptors: ExtGroupDescriptors): Promise<void> {
  const { sb } = blocks;
  if (!(sb.compat & COMPAT.hasJournal)) return;
  if (sb.incompat & INCOMPAT.recover) {
    throw new MountRefused(
      `is an ${sb.filesystem} filesystem whose journal still needs replaying, which cannot happen on the loader's read-only card (run e2fsck on the image)`,
      'needs_recovery set',
    );
  }
  if (sb.journalInode === 0) {
    throw new MountRefused(
      `is an ${sb.filesystem} filesystem whose journal is on another device`,
      'has_journal with journal inode 0 (external journal)',
    );
  }
  const damaged = (detail: string) =>
    new MountRefused(`is a damaged ${sb.filesystem} filesystem`, `journal: ${detail}`);
  try {
    const inode = await readExtInode(blocks, descriptors, sb.journalInode);
    if (inode.kind !== 'file' || inode.flags & INODE_FLAGS.inlineData) throw damaged('not a regular file');
    const journalBlocks = Math.floor(inode.size / sb.blockSize);
    let first: number | null = null;
    for await (const run of dataRuns(blocks, inode.iBlock, (inode.flags & INODE_FLAGS.extents) !== 0, 1)) {
      if (run.logical === 0) first = run.physical;
      break;
    }
    if (first === null) throw damaged('first block not mapped');
    const header = await blocks.get(first);
    const type = bigEndian32(header, 4);
    if (
      bigEndian32(header, 0) !== JBD2_MAGIC ||
      (type !== JBD2_SUPERBLOCK_V1 && type !== JBD2_SUPERBLOCK_V2)
    ) {
      throw damaged('no jbd2 superblock');
    }
    if (bigEndian32(header, 12) !== sb.blockSize) throw damaged(`block size ${bigEndian32(header, 12)}`);
    const maxLength = bigEndian32(header, 16);
    const firstLogBlock = bigEndian32(header, 20);
    if (maxLength > journalBlocks) throw damaged(`${maxLength} blocks in a ${journalBlocks}-block file`);
    if (firstLogBlock === 0 || firstLogBlock >= Math.min(maxLength, journalBlocks)) {
      throw damaged(`first log block ${firstLogBlock}`);
    }
  } catch (error) {
    if (error instanceof DamagedStructure) throw damaged(error.detail);
    throw error;
  }
}
