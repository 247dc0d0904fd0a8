/**
 * Finding a name in an ext directory. Entries are inode u32, record length u16, name length u8 (u16 without
 * the filetype feature), file type u8, name. A linear scan of every block finds what the kernel's hashed
 * (dir_index) lookup finds: index blocks hide inside entries that cover them, and the kernel itself falls back
 * to this scan when an index is bad. Like the kernel's search_dir, only the matching entry is fully checked.
 *
 * Directories with inline data keep their entries in i_block (after the parent's inode number) and in the
 * "system.data" extended attribute stored inside the inode.
 */

import { DamagedStructure } from '../content-outcomes.js';
import { sameBytes, u8, u16, u32 } from '../fields.js';
import { dataRuns } from './ext-block-map.js';
import type { ExtBlocks } from './ext-blocks.js';
import { type ExtInode, INODE_FLAGS } from './ext-inode.js';
import { INCOMPAT } from './ext-superblock.js';

/** Directory blocks read at once: a run of a large directory costs one read per 64 blocks. */
const BLOCKS_PER_READ = 64;
const XATTR_MAGIC = 0xea02_0000;
const XATTR_INDEX_SYSTEM = 7;

/** Searches one buffer of entries; the inode number of `name`, or null. */
function searchEntries(blocks: ExtBlocks, area: Uint8Array, name: Uint8Array): number | null {
  const hasFileType = (blocks.sb.incompat & INCOMPAT.filetype) !== 0;
  let offset = 0;
  while (offset + 8 <= area.length) {
    const inode = u32(area, offset);
    const recordLength = u16(area, offset + 4);
    const nameLength = hasFileType ? u8(area, offset + 6) : u16(area, offset + 6);
    const nameEnd = offset + 8 + nameLength;
    if (inode !== 0 && nameLength === name.length && nameEnd <= area.length) {
      if (sameBytes(area.subarray(offset + 8, nameEnd), name)) {
        // ext4_check_dir_entry, made on the match only.
        const needed = (8 + nameLength + 3) & ~3;
        if (
          recordLength < 12 ||
          recordLength % 4 ||
          recordLength < needed ||
          offset + recordLength > area.length
        ) {
          throw new DamagedStructure(`directory entry "${new TextDecoder().decode(name)}" has a bad length`);
        }
        if (inode > blocks.sb.inodesCount) throw new DamagedStructure(`directory entry names inode ${inode}`);
        return inode;
      }
    }
    if (recordLength === 0) throw new DamagedStructure('directory entry of length 0');
    offset += recordLength;
  }
  return null;
}

/** The value of the in-inode extended attribute "system.data", or null. */
function inlineDataAttribute(inode: ExtInode, inodeSize: number): Uint8Array | null {
  if (inodeSize <= 128) return null;
  const start = 128 + u16(inode.raw, 128);
  if (start + 4 > inodeSize || u32(inode.raw, start) !== XATTR_MAGIC) return null;
  const first = start + 4;
  let at = first;
  while (at + 16 <= inodeSize && u32(inode.raw, at) !== 0) {
    const nameLength = u8(inode.raw, at);
    const name = inode.raw.subarray(at + 16, at + 16 + nameLength);
    if (u8(inode.raw, at + 1) === XATTR_INDEX_SYSTEM && sameBytes(name, new TextEncoder().encode('data'))) {
      const valueAt = first + u16(inode.raw, at + 2);
      const valueSize = u32(inode.raw, at + 8);
      if (valueAt + valueSize > inodeSize)
        throw new DamagedStructure(`inode ${inode.number}: inline data overflows`);
      return inode.raw.subarray(valueAt, valueAt + valueSize);
    }
    at += (16 + nameLength + 3) & ~3;
  }
  return null;
}

/** Inline content: i_block, then the system.data attribute (files and symlinks use both, in that order). */
export function inlineContent(inode: ExtInode, inodeSize: number): Uint8Array {
  const extra = inlineDataAttribute(inode, inodeSize);
  if (!extra || extra.length === 0) return inode.iBlock;
  const all = new Uint8Array(inode.iBlock.length + extra.length);
  all.set(inode.iBlock);
  all.set(extra, inode.iBlock.length);
  return all;
}

export async function findInExtDirectory(
  blocks: ExtBlocks,
  directory: ExtInode,
  name: Uint8Array,
): Promise<number | null> {
  if (name.length === 0 || name.length > 255) return null;
  if (directory.flags & INODE_FLAGS.inlineData) {
    // The first 4 bytes of an inline directory are its parent's inode number, not an entry.
    const found = searchEntries(blocks, directory.iBlock.subarray(4), name);
    if (found !== null) return found;
    const extra = inlineDataAttribute(directory, blocks.sb.inodeSize);
    return extra ? searchEntries(blocks, extra, name) : null;
  }
  const { blockSize } = blocks.sb;
  const blockCount = Math.ceil(directory.size / blockSize);
  const extents = (directory.flags & INODE_FLAGS.extents) !== 0;
  for await (const run of dataRuns(blocks, directory.iBlock, extents, blockCount)) {
    const end = Math.min(run.count, blockCount - run.logical);
    for (let done = 0; done < end; done += BLOCKS_PER_READ) {
      const count = Math.min(BLOCKS_PER_READ, end - done);
      const bytes = await blocks.readRun(run.physical + done, count);
      for (let i = 0; i < count; i++) {
        const found = searchEntries(blocks, bytes.subarray(i * blockSize, (i + 1) * blockSize), name);
        if (found !== null) return found;
      }
    }
  }
  return null;
}
