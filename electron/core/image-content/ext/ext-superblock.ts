/**
 * The ext2/3/4 superblock (1024 bytes at byte 1024) and the checks Linux's ext4 driver makes on it before a
 * read-only mount (fs/ext4/super.c): features it knows, a block size it can use, a geometry that adds up and
 * fits in the device, and — with metadata_csum — a matching checksum. The loader's kernel mounts ext2 and
 * ext3 with the ext4 driver too, so one set of rules covers all three.
 */

import { createRequire } from 'node:module';
import { MountRefused } from '../content-outcomes.js';
import { u8, u16, u32 } from '../fields.js';

interface Crc32c {
  buf(data: Uint8Array, seed?: number): number;
}

let crc32cModule: Crc32c | undefined;

/** Loaded on the first metadata_csum superblock: the package builds its tables as it loads, at every start. */
function crc32c(): Crc32c {
  crc32cModule ??= createRequire(import.meta.url)('crc-32/crc32c.js') as Crc32c;
  return crc32cModule;
}

export const EXT_SUPERBLOCK_OFFSET = 1024;
export const EXT_MAGIC = 0xef53;

export const COMPAT = { hasJournal: 0x4, sparseSuper2: 0x200 } as const;
export const RO_COMPAT = {
  sparseSuper: 0x1,
  largeFile: 0x2,
  btreeDir: 0x4,
  hugeFile: 0x8,
  bigalloc: 0x200,
  metadataCsum: 0x400,
} as const;
export const INCOMPAT = {
  compression: 0x1,
  filetype: 0x2,
  recover: 0x4,
  journalDev: 0x8,
  metaBg: 0x10,
  extents: 0x40,
  is64bit: 0x80,
  mmp: 0x100,
  flexBg: 0x200,
  eaInode: 0x400,
  dirData: 0x1000,
  csumSeed: 0x2000,
  largeDir: 0x4000,
  inlineData: 0x8000,
  encrypt: 0x10000,
  casefold: 0x20000,
} as const;

/** What Linux 6.1's ext4 driver mounts (EXT4_FEATURE_INCOMPAT_SUPP); any other incompat bit refuses the mount. */
const KERNEL_INCOMPAT =
  INCOMPAT.filetype |
  INCOMPAT.recover |
  INCOMPAT.metaBg |
  INCOMPAT.extents |
  INCOMPAT.is64bit |
  INCOMPAT.flexBg |
  INCOMPAT.eaInode |
  INCOMPAT.mmp |
  INCOMPAT.inlineData |
  INCOMPAT.encrypt |
  INCOMPAT.casefold |
  INCOMPAT.csumSeed |
  INCOMPAT.largeDir;

/** What blkid still calls ext3 (anything more makes it ext4). */
const EXT3_INCOMPAT = INCOMPAT.filetype | INCOMPAT.recover | INCOMPAT.metaBg;
const EXT3_RO_COMPAT = RO_COMPAT.sparseSuper | RO_COMPAT.largeFile | RO_COMPAT.btreeDir;

/** x86 pages are 4 KiB, and Linux 6.1 cannot mount ext4 blocks larger than a page. */
const MAX_BLOCK_SIZE = 4096;

export interface ExtSuperblock {
  filesystem: 'ext2' | 'ext3' | 'ext4';
  inodesCount: number;
  blocksCount: number;
  firstDataBlock: number;
  blockSize: number;
  clusterSize: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  inodeSize: number;
  groupCount: number;
  descriptorSize: number;
  firstMetaBg: number;
  backupGroups: [number, number];
  journalInode: number;
  compat: number;
  incompat: number;
  roCompat: number;
}

function refuse(reason: string, detail: string): never {
  throw new MountRefused(reason, detail);
}

/** ext2, ext3 or ext4 by blkid's rule, from the 1024-byte superblock. */
export function extFilesystemOf(bytes: Uint8Array): ExtSuperblock['filesystem'] {
  if (u32(bytes, 96) & ~EXT3_INCOMPAT || u32(bytes, 100) & ~EXT3_RO_COMPAT) return 'ext4';
  return u32(bytes, 92) & COMPAT.hasJournal ? 'ext3' : 'ext2';
}

/** `bytes` is the 1024-byte superblock; `imageSize` the whole image's size. */
export function parseExtSuperblock(bytes: Uint8Array, imageSize: number): ExtSuperblock {
  const compat = u32(bytes, 92);
  const incompat = u32(bytes, 96);
  const roCompat = u32(bytes, 100);
  const filesystem = extFilesystemOf(bytes);
  const damaged = `is a damaged ${filesystem} filesystem`;

  if (roCompat & RO_COMPAT.metadataCsum) {
    if (u8(bytes, 0x175) !== 1) refuse(damaged, `unknown checksum type ${u8(bytes, 0x175)}`);
    // The kernel's crc32c is seeded with ~0 and not inverted at the end: the stored value is ~crc32c.
    const expected = ~crc32c().buf(bytes.subarray(0, 0x3fc)) >>> 0;
    if (expected !== u32(bytes, 0x3fc)) {
      refuse(damaged, `superblock checksum ${u32(bytes, 0x3fc).toString(16)} != ${expected.toString(16)}`);
    }
  }
  if (incompat & INCOMPAT.journalDev) {
    refuse('is an ext3/ext4 journal device, not a filesystem', 'journal_dev feature');
  }
  const unknown = incompat & ~KERNEL_INCOMPAT;
  if (unknown) {
    refuse(
      `is an ${filesystem} filesystem with features Linux cannot mount (0x${unknown.toString(16)})`,
      `incompat features 0x${incompat.toString(16)}`,
    );
  }
  if (roCompat & RO_COMPAT.bigalloc && !(incompat & INCOMPAT.extents)) {
    refuse(damaged, 'bigalloc without extents');
  }

  const logBlockSize = u32(bytes, 24);
  if (logBlockSize > 6) refuse(damaged, `block size log ${logBlockSize}`);
  const blockSize = 1024 << logBlockSize;
  if (blockSize > MAX_BLOCK_SIZE) {
    refuse(
      `is an ${filesystem} filesystem with ${blockSize}-byte blocks, larger than Linux on a PC mounts (4096 at most)`,
      `block size ${blockSize}`,
    );
  }
  const revision = u32(bytes, 76);
  const inodeSize = revision === 0 ? 128 : u16(bytes, 88);
  const firstInode = revision === 0 ? 11 : u32(bytes, 84);
  if (inodeSize < 128 || inodeSize > blockSize || inodeSize & (inodeSize - 1)) {
    refuse(damaged, `inode size ${inodeSize}`);
  }
  if (firstInode < 11) refuse(damaged, `first inode ${firstInode}`);

  const clusterSize = roCompat & RO_COMPAT.bigalloc ? 1024 << u32(bytes, 28) : blockSize;
  const blocksPerGroup = u32(bytes, 32);
  const inodesPerGroup = u32(bytes, 40);
  if (blocksPerGroup === 0 || blocksPerGroup > blockSize * 8 * (clusterSize / blockSize)) {
    refuse(damaged, `${blocksPerGroup} blocks per group`);
  }
  if (inodesPerGroup < blockSize / inodeSize || inodesPerGroup > blockSize * 8) {
    refuse(damaged, `${inodesPerGroup} inodes per group`);
  }

  const is64bit = (incompat & INCOMPAT.is64bit) !== 0;
  const blocksCount = u32(bytes, 4) + (is64bit ? u32(bytes, 0x150) * 0x1_0000_0000 : 0);
  const firstDataBlock = u32(bytes, 20);
  if (firstDataBlock >= blocksCount) refuse(damaged, `first data block ${firstDataBlock} of ${blocksCount}`);
  if (firstDataBlock === 0 && blockSize === 1024) refuse(damaged, 'first data block 0 with 1 KiB blocks');
  const deviceBlocks = Math.floor(imageSize / blockSize);
  if (blocksCount > deviceBlocks) {
    refuse(
      `is shorter than its ${filesystem} filesystem says (${imageSize} of ${blocksCount * blockSize} bytes): it may have been cut off while copying`,
      `block count ${blocksCount} exceeds the ${deviceBlocks} blocks of the image`,
    );
  }

  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  const inodesCount = u32(bytes, 0);
  if (groupCount * inodesPerGroup !== inodesCount) {
    refuse(damaged, `${inodesCount} inodes != ${groupCount} groups x ${inodesPerGroup}`);
  }
  const descriptorSize = is64bit ? u16(bytes, 0xfe) : 32;
  if (is64bit && (descriptorSize < 64 || descriptorSize > 1024 || descriptorSize & (descriptorSize - 1))) {
    refuse(damaged, `group descriptor size ${descriptorSize}`);
  }
  if (u16(bytes, 0xce) > blockSize / 4) refuse(damaged, `${u16(bytes, 0xce)} reserved GDT blocks`);
  const descriptorBlocks = Math.ceil(groupCount / (blockSize / descriptorSize));
  const firstMetaBg = u32(bytes, 0x104);
  if (incompat & INCOMPAT.metaBg && firstMetaBg > descriptorBlocks) {
    refuse(damaged, `first meta block group ${firstMetaBg} of ${descriptorBlocks}`);
  }

  return {
    filesystem,
    inodesCount,
    blocksCount,
    firstDataBlock,
    blockSize,
    clusterSize,
    blocksPerGroup,
    inodesPerGroup,
    inodeSize,
    groupCount,
    descriptorSize,
    firstMetaBg,
    backupGroups: [u32(bytes, 0x24c), u32(bytes, 0x250)],
    journalInode: u32(bytes, 0xe0),
    compat,
    incompat,
    roCompat,
  };
}
