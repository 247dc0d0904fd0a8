/**
 * ext inodes, read with the checks the kernel's __ext4_iget makes before it lets a path walk use one:
 * an in-range number, a sane extra size, not deleted, a size that is not negative, and block references
 * inside the filesystem.
 */

import { DamagedStructure } from '../content-outcomes.js';
import { u16, u32 } from '../fields.js';
import type { ImageNode, NodeKind } from '../path-lookup.js';
import { checkInodeBlockReferences } from './ext-block-map.js';
import type { ExtBlocks } from './ext-blocks.js';
import type { ExtGroupDescriptors } from './ext-group-descriptors.js';
import { INCOMPAT, RO_COMPAT } from './ext-superblock.js';

export const INODE_FLAGS = {
  immutable: 0x10,
  append: 0x20,
  hugeFile: 0x40000,
  extents: 0x80000,
  inlineData: 0x1000_0000,
} as const;

export interface ExtInode extends ImageNode {
  number: number;
  mode: number;
  links: number;
  /** i_blocks as stored (512-byte units unless the huge_file flag says filesystem blocks). */
  storedBlocks: number;
  flags: number;
  /** i_block: extent root, block pointers, inline data or a fast symlink's target. */
  iBlock: Uint8Array;
  /** The whole on-disk inode (in-inode extended attributes follow its extra fields). */
  raw: Uint8Array;
  fileAcl: number;
}

function kindOf(mode: number): NodeKind {
  switch (mode & 0xf000) {
    case 0x4000:
      return 'directory';
    case 0x8000:
      return 'file';
    case 0xa000:
      return 'symlink';
    default:
      return 'other';
  }
}

export async function readExtInode(
  blocks: ExtBlocks,
  descriptors: ExtGroupDescriptors,
  number: number,
): Promise<ExtInode> {
  const { sb } = blocks;
  if (number < 1 || number > sb.inodesCount)
    throw new DamagedStructure(`inode ${number} of ${sb.inodesCount}`);
  const group = Math.floor((number - 1) / sb.inodesPerGroup);
  const byte = ((number - 1) % sb.inodesPerGroup) * sb.inodeSize;
  const { inodeTable } = await descriptors.get(group);
  const block = await blocks.get(inodeTable + Math.floor(byte / sb.blockSize));
  const at = byte % sb.blockSize;
  const raw = block.subarray(at, at + sb.inodeSize);

  const mode = u16(raw, 0);
  const kind = kindOf(mode);
  if (sb.inodeSize > 128) {
    const extra = u16(raw, 128);
    if (128 + extra > sb.inodeSize || extra & 3)
      throw new DamagedStructure(`inode ${number}: extra size ${extra}`);
  }
  const links = u16(raw, 26);
  if (links === 0) throw new DamagedStructure(`inode ${number} is deleted`);
  // The high half of i_size counts for files always, for directories only with largedir.
  const sizeHigh = kind === 'file' || sb.incompat & INCOMPAT.largeDir ? u32(raw, 108) : 0;
  if (sizeHigh >= 0x8000_0000) throw new DamagedStructure(`inode ${number}: negative size`);
  const flags = u32(raw, 32);
  const hugeFile = (sb.roCompat & RO_COMPAT.hugeFile) !== 0;
  const inode: ExtInode = {
    number,
    mode,
    kind,
    size: u32(raw, 4) + sizeHigh * 0x1_0000_0000,
    links,
    storedBlocks: u32(raw, 28) + (hugeFile ? u16(raw, 116) * 0x1_0000_0000 : 0),
    flags,
    iBlock: raw.subarray(40, 100),
    raw,
    fileAcl: u32(raw, 104) + (sb.incompat & INCOMPAT.is64bit ? u16(raw, 118) * 0x1_0000_0000 : 0),
  };

  if (inode.fileAcl !== 0 && !blocks.isDataRange(inode.fileAcl)) {
    throw new DamagedStructure(`inode ${number}: xattr block ${inode.fileAcl}`);
  }
  if (kind === 'symlink' && flags & (INODE_FLAGS.immutable | INODE_FLAGS.append)) {
    throw new DamagedStructure(`symlink inode ${number} is immutable or append-only`);
  }
  const inline = (flags & INODE_FLAGS.inlineData) !== 0;
  const hasBlocks =
    kind === 'file' || kind === 'directory' || (kind === 'symlink' && !isFastSymlink(blocks, inode));
  if (!inline && hasBlocks) {
    checkInodeBlockReferences(blocks, inode.iBlock, (flags & INODE_FLAGS.extents) !== 0);
  }
  return inode;
}

/** A symlink whose target sits in i_block: it owns no blocks besides an xattr block (ext4_inode_is_fast_symlink). */
export function isFastSymlink(blocks: ExtBlocks, inode: ExtInode): boolean {
  if (inode.flags & INODE_FLAGS.inlineData) return false;
  const xattrSectors = inode.fileAcl ? blocks.sb.clusterSize / 512 : 0;
  return inode.storedBlocks - xattrSectors === 0;
}
