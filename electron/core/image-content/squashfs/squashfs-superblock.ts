/**
 * The squashfs 4.0 superblock (96 bytes at offset 0, little-endian) and the checks Linux makes on it before
 * anything else (fs/squashfs/super.c, squashfs_fill_super): magic, version, a compression the kernel has,
 * a filesystem that fits in its device, a sane block size.
 */

import { MountRefused } from '../content-outcomes.js';
import { isAllOnes64, u16, u32, u64 } from '../fields.js';
import { compressionOf, type SquashfsCompression } from './squashfs-compression.js';

export const SQUASHFS_MAGIC = 0x73717368; // "hsqs"
export const SUPERBLOCK_SIZE = 96;
/** Uncompressed size of every metadata block but a table's last. */
export const METADATA_SIZE = 8192;
/** Linux refuses blocks smaller than a page (4 KiB on x86) and larger than 1 MiB. */
const PAGE_SIZE = 4096;
const MAX_BLOCK_LOG = 20;

export const FLAG_COMPRESSOR_OPTIONS = 0x0400;

export interface SquashfsSuperblock {
  compression: SquashfsCompression;
  inodes: number;
  blockSize: number;
  fragments: number;
  flags: number;
  ids: number;
  /** Inode reference of the root directory: metadata block (relative to the inode table) << 16 | offset. */
  rootInode: number;
  bytesUsed: number;
  idTableStart: number;
  /** null when the image has no xattr table (the field is all ones). */
  xattrIdTableStart: number | null;
  inodeTableStart: number;
  directoryTableStart: number;
  fragmentTableStart: number;
  /** null when the image is not exportable (no inode lookup table). */
  lookupTableStart: number | null;
}

export function parseSquashfsSuperblock(bytes: Uint8Array, imageSize: number): SquashfsSuperblock {
  const major = u16(bytes, 28);
  const minor = u16(bytes, 30);
  if (major !== 4 || minor !== 0) {
    throw new MountRefused(
      major < 4
        ? `is a squashfs version ${major}.${minor}, which Linux no longer reads (rebuild it with mksquashfs 4)`
        : `is a squashfs version ${major}.${minor}, newer than Linux reads`,
      `squashfs major ${major} minor ${minor}`,
    );
  }
  const superblock: SquashfsSuperblock = {
    compression: compressionOf(u16(bytes, 20)),
    inodes: u32(bytes, 4),
    blockSize: u32(bytes, 12),
    fragments: u32(bytes, 16),
    flags: u16(bytes, 24),
    ids: u16(bytes, 26),
    rootInode: u64(bytes, 32),
    bytesUsed: u64(bytes, 40),
    idTableStart: u64(bytes, 48),
    xattrIdTableStart: isAllOnes64(bytes, 56) ? null : u64(bytes, 56),
    inodeTableStart: u64(bytes, 64),
    directoryTableStart: u64(bytes, 72),
    fragmentTableStart: u64(bytes, 80),
    lookupTableStart: isAllOnes64(bytes, 88) ? null : u64(bytes, 88),
  };
  // A loop device is a whole number of 512-byte sectors: a tail shorter than that is invisible to the kernel.
  const deviceSize = Math.floor(imageSize / 512) * 512;
  if (superblock.bytesUsed > deviceSize) {
    throw new MountRefused(
      `is shorter than its squashfs filesystem says (${imageSize} of ${superblock.bytesUsed} bytes): it may have been cut off while copying`,
      `bytes_used ${superblock.bytesUsed} > device size ${deviceSize}`,
    );
  }
  const blockLog = u16(bytes, 22);
  if (superblock.blockSize > 1 << MAX_BLOCK_LOG || blockLog > MAX_BLOCK_LOG) {
    throw new MountRefused(
      'is a damaged squashfs',
      `block size ${superblock.blockSize}, block log ${blockLog}`,
    );
  }
  if (superblock.blockSize < PAGE_SIZE) {
    throw new MountRefused(
      `is a squashfs with ${superblock.blockSize}-byte blocks, smaller than Linux reads (4 KiB at least)`,
      `block size ${superblock.blockSize} < page size`,
    );
  }
  if (superblock.blockSize !== 2 ** blockLog) {
    throw new MountRefused('is a damaged squashfs', `block size ${superblock.blockSize} != 2^${blockLog}`);
  }
  if (superblock.rootInode % 0x1_0000 > 8192) {
    throw new MountRefused('is a damaged squashfs', `root inode offset ${superblock.rootInode % 0x1_0000}`);
  }
  return superblock;
}
