/**
 * An ext2 formatter for keydisks and AstLinux's partitions: 4 KiB blocks in groups of 32768 (128 MiB),
 * revision 1 with 128-byte inodes, typed directory entries and sparse superblock backups, a root directory
 * and lost+found — the shape `mke2fs -t ext2 -b 4096` gives, so AstLinux and e2fsck take it as their own.
 *
 * Why our own: the ext2fs wasm package reads and writes files on an existing filesystem but cannot make
 * one, and a keydisk must be creatable on Windows and macOS too, where there is no mke2fs.
 */
import { randomBytes } from 'node:crypto';
import type { BlockDevice } from '../block/block-device.js';
import { CardError } from './card-error.js';

export const EXT2_BLOCK = 4096;
export const EXT2_MIN_BYTES = 256 * 1024;
/** Block numbers are 32 bits. */
export const EXT2_MAX_BYTES = 2 ** 32 * EXT2_BLOCK - EXT2_BLOCK;

const BLOCKS_PER_GROUP = 8 * EXT2_BLOCK;
const INODE_SIZE = 128;
const INODES_PER_BLOCK = EXT2_BLOCK / INODE_SIZE;
const BYTES_PER_INODE = 16 * 1024;
const DESCRIPTOR_SIZE = 32;
const FIRST_INODE = 11;
const ROOT_INODE = 2;
const LOST_FOUND_INODE = 11;
const S_IFDIR = 0o040000;
const FILETYPE_DIR = 2;
const FEATURE_INCOMPAT_FILETYPE = 0x0002;
const FEATURE_RO_COMPAT_SPARSE_SUPER = 0x0001;
const EXT2_MAGIC = 0xef53;
/** mke2fs drops a last group too small to be worth its own bitmaps and inode table. */
const SMALLEST_LAST_GROUP_DATA = 64;

export interface Ext2Options {
  /** Bytes; rounded down to whole 4 KiB blocks. */
  size: number;
  /** Up to 16 bytes of ASCII. */
  label: string;
  /** Seconds since the epoch for every timestamp (default: now). */
  time?: number;
  uuid?: Uint8Array;
}

/** What makes the filesystem: metadata blocks to write, in order; blocks not named may hold anything. */
export interface Ext2Plan {
  /** Bytes the filesystem covers (whole blocks). */
  bytes: number;
  blocks: number;
  groups: number;
  /** The writes, the superblock's own block (block 0) last. */
  writes: Array<{ offset: number; data: Uint8Array }>;
}

export function planExt2(options: Ext2Options): Ext2Plan {
  const { size, label } = options;
  if (!Number.isSafeInteger(size) || size < EXT2_MIN_BYTES || size > EXT2_MAX_BYTES) {
    throw new CardError(
      'invalid-option',
      `An ext2 volume is between ${EXT2_MIN_BYTES / 1024} KiB and 16 TiB; ${size} bytes was asked.`,
    );
  }
  if (!/^[\x20-\x7e]{0,16}$/.test(label))
    throw new CardError(
      'invalid-option',
      `"${label}" cannot be an ext2 label (16 plain characters at most).`,
    );
  const time = options.time ?? Math.floor(Date.now() / 1000);
  const geometry = chooseGeometry(Math.floor(size / EXT2_BLOCK));
  const { blocks, groups, inodesPerGroup, descriptorBlocks, inodeTableBlocks } = geometry;
  const inodes = inodesPerGroup * groups;

  const groupLayout = Array.from({ length: groups }, (_, group) => {
    const first = group * BLOCKS_PER_GROUP;
    const length = Math.min(BLOCKS_PER_GROUP, blocks - first);
    const backup = hasSuperblock(group);
    const blockBitmap = first + (backup ? 1 + descriptorBlocks : 0);
    return {
      first,
      length,
      backup,
      blockBitmap,
      inodeBitmap: blockBitmap + 1,
      inodeTable: blockBitmap + 2,
      metadataEnd: blockBitmap + 2 + inodeTableBlocks,
    };
  });
  const group0 = groupLayout[0];
  if (!group0) throw new Error('ext2: no block group');
  const rootBlock = group0.metadataEnd;
  const lostFoundBlock = rootBlock + 1;
  if (lostFoundBlock >= group0.first + group0.length) {
    throw new CardError('invalid-option', `An ext2 volume of ${size} bytes is too small.`);
  }
  const used = groupLayout.map((group, index) => group.metadataEnd - group.first + (index === 0 ? 2 : 0));
  const freeBlocks = groupLayout.reduce((sum, group, index) => sum + group.length - (used[index] ?? 0), 0);

  const superblock = new Uint8Array(1024);
  const sb = new DataView(superblock.buffer);
  const u16 = (view: DataView, at: number, value: number) => view.setUint16(at, value, true);
  const u32 = (view: DataView, at: number, value: number) => view.setUint32(at, value, true);
  u32(sb, 0, inodes);
  u32(sb, 4, blocks);
  u32(sb, 8, 0); // reserved blocks: neither a keydisk nor a writable layer is a root filesystem
  u32(sb, 12, freeBlocks);
  u32(sb, 16, inodes - FIRST_INODE);
  u32(sb, 20, 0); // first data block: 0 with blocks over 1 KiB
  u32(sb, 24, 2); // log2(block size) - 10
  u32(sb, 28, 2);
  u32(sb, 32, BLOCKS_PER_GROUP);
  u32(sb, 36, BLOCKS_PER_GROUP);
  u32(sb, 40, inodesPerGroup);
  u32(sb, 48, time); // last write
  u16(sb, 54, 0xffff); // no mount-count check
  u16(sb, 56, EXT2_MAGIC);
  u16(sb, 58, 1); // clean
  u16(sb, 60, 1); // on errors: continue
  u32(sb, 64, time); // last check
  u32(sb, 76, 1); // dynamic revision
  u32(sb, 84, FIRST_INODE);
  u16(sb, 88, INODE_SIZE);
  u32(sb, 96, FEATURE_INCOMPAT_FILETYPE);
  u32(sb, 100, FEATURE_RO_COMPAT_SPARSE_SUPER);
  superblock.set(options.uuid ?? uuidV4(), 104);
  superblock.set(new TextEncoder().encode(label), 120);
  u32(sb, 264, time); // made

  const descriptors = new Uint8Array(descriptorBlocks * EXT2_BLOCK);
  const gd = new DataView(descriptors.buffer);
  groupLayout.forEach((group, index) => {
    const at = index * DESCRIPTOR_SIZE;
    u32(gd, at + 0, group.blockBitmap);
    u32(gd, at + 4, group.inodeBitmap);
    u32(gd, at + 8, group.inodeTable);
    u16(gd, at + 12, group.length - (used[index] ?? 0));
    u16(gd, at + 14, inodesPerGroup - (index === 0 ? FIRST_INODE : 0));
    u16(gd, at + 16, index === 0 ? 2 : 0); // directories: root and lost+found
  });

  const writes: Ext2Plan['writes'] = [];
  const at = (block: number) => block * EXT2_BLOCK;
  // One shared block of zeros for every inode table; nothing writes into it.
  const zeroTable = new Uint8Array(inodeTableBlocks * EXT2_BLOCK);
  groupLayout.forEach((group, index) => {
    if (group.backup && index > 0) {
      const copy = new Uint8Array(EXT2_BLOCK);
      copy.set(superblock);
      new DataView(copy.buffer).setUint16(90, index, true); // which group this backup is in
      writes.push({ offset: at(group.first), data: copy });
      writes.push({ offset: at(group.first + 1), data: descriptors });
    }
    if (index === 0) writes.push({ offset: at(1), data: descriptors });
    const blockBitmap = new Uint8Array(EXT2_BLOCK);
    setBits(blockBitmap, 0, used[index] ?? 0);
    setBits(blockBitmap, group.length, BLOCKS_PER_GROUP); // past the volume's end: e2fsck wants them set
    writes.push({ offset: at(group.blockBitmap), data: blockBitmap });
    const inodeBitmap = new Uint8Array(EXT2_BLOCK);
    if (index === 0) setBits(inodeBitmap, 0, FIRST_INODE);
    setBits(inodeBitmap, inodesPerGroup, 8 * EXT2_BLOCK);
    writes.push({ offset: at(group.inodeBitmap), data: inodeBitmap });
    if (index > 0) writes.push({ offset: at(group.inodeTable), data: zeroTable });
  });

  const table0 = new Uint8Array(inodeTableBlocks * EXT2_BLOCK);
  const t0 = new DataView(table0.buffer);
  const inodeAt = (number: number) => (number - 1) * INODE_SIZE;
  const directoryInode = (number: number, block: number, links: number, mode: number) => {
    const where = inodeAt(number);
    u16(t0, where + 0, S_IFDIR | mode);
    u32(t0, where + 4, EXT2_BLOCK);
    u32(t0, where + 8, time);
    u32(t0, where + 12, time);
    u32(t0, where + 16, time);
    u16(t0, where + 26, links);
    u32(t0, where + 28, EXT2_BLOCK / 512);
    u32(t0, where + 40, block);
  };
  directoryInode(ROOT_INODE, rootBlock, 3, 0o755);
  // lost+found is only for fsck's use; it is owner-only, as mke2fs makes it.
  directoryInode(LOST_FOUND_INODE, lostFoundBlock, 2, 0o700);
  writes.push({ offset: at(group0.inodeTable), data: table0 });
  writes.push({
    offset: at(rootBlock),
    data: directoryBlock([
      [ROOT_INODE, '.'],
      [ROOT_INODE, '..'],
      [LOST_FOUND_INODE, 'lost+found'],
    ]),
  });
  writes.push({
    offset: at(lostFoundBlock),
    data: directoryBlock([
      [LOST_FOUND_INODE, '.'],
      [ROOT_INODE, '..'],
    ]),
  });
  // Block 0 last: until the primary superblock is in place nothing takes the volume for ext2.
  const block0 = new Uint8Array(EXT2_BLOCK);
  block0.set(superblock, 1024);
  writes.push({ offset: 0, data: block0 });
  return { bytes: blocks * EXT2_BLOCK, blocks, groups, writes };
}

/** A whole ext2 volume in memory (for kd.img files, which are a few MiB). */
export function formatExt2(options: Ext2Options): Uint8Array {
  const plan = planExt2(options);
  const image = new Uint8Array(plan.bytes);
  for (const { offset, data } of plan.writes) image.set(data, offset);
  return image;
}

/**
 * Formats a device (an ext2 partition) in place. The old superblock is cleared first, so a cut part-way
 * leaves a partition nothing recognises rather than an old filesystem over half-new metadata.
 */
export async function formatExt2Device(
  device: BlockDevice,
  options: Omit<Ext2Options, 'size'>,
): Promise<Ext2Plan> {
  const plan = planExt2({ ...options, size: device.size });
  await device.write(0, new Uint8Array(EXT2_BLOCK));
  await device.flush();
  for (const { offset, data } of plan.writes) await device.write(offset, data);
  await device.flush();
  return plan;
}

function chooseGeometry(totalBlocks: number) {
  let blocks = totalBlocks;
  for (;;) {
    const groups = Math.ceil(blocks / BLOCKS_PER_GROUP);
    const descriptorBlocks = Math.ceil((groups * DESCRIPTOR_SIZE) / EXT2_BLOCK);
    const wanted = Math.ceil((blocks * EXT2_BLOCK) / BYTES_PER_INODE / groups);
    const inodesPerGroup = Math.min(
      BLOCKS_PER_GROUP,
      Math.max(2 * INODES_PER_BLOCK, roundUp(wanted, INODES_PER_BLOCK)),
    );
    const inodeTableBlocks = inodesPerGroup / INODES_PER_BLOCK;
    const last = groups - 1;
    const lastLength = blocks - last * BLOCKS_PER_GROUP;
    const lastOverhead = (hasSuperblock(last) ? 1 + descriptorBlocks : 0) + 2 + inodeTableBlocks;
    if (groups > 1 && lastLength < lastOverhead + SMALLEST_LAST_GROUP_DATA) {
      blocks = last * BLOCKS_PER_GROUP;
      continue;
    }
    return { blocks, groups, inodesPerGroup, descriptorBlocks, inodeTableBlocks };
  }
}

/** sparse_super: groups 0 and 1 and the powers of 3, 5 and 7 keep a superblock and descriptor copy. */
function hasSuperblock(group: number): boolean {
  if (group <= 1) return true;
  for (const base of [3, 5, 7]) {
    let power = base;
    while (power < group) power *= base;
    if (power === group) return true;
  }
  return false;
}

export interface Ext2Summary {
  label: string;
  blocks: number;
  blockSize: number;
}

/** The label and size of an ext2/3/4 volume, or null when the bytes are not one. */
export function readExt2Summary(head: Uint8Array): Ext2Summary | null {
  if (head.length < 2048) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint16(1024 + 56, true) !== EXT2_MAGIC) return null;
  const labelBytes = head.subarray(1024 + 120, 1024 + 136);
  const end = labelBytes.indexOf(0);
  return {
    label: new TextDecoder().decode(end < 0 ? labelBytes : labelBytes.subarray(0, end)),
    blocks: view.getUint32(1024 + 4, true),
    blockSize: 1024 << view.getUint32(1024 + 24, true),
  };
}

function directoryBlock(entries: Array<[number, string]>): Uint8Array {
  const block = new Uint8Array(EXT2_BLOCK);
  const view = new DataView(block.buffer);
  let offset = 0;
  entries.forEach(([inode, name], index) => {
    const length = roundUp(8 + name.length, 4);
    const recordLength = index === entries.length - 1 ? EXT2_BLOCK - offset : length;
    view.setUint32(offset, inode, true);
    view.setUint16(offset + 4, recordLength, true);
    block[offset + 6] = name.length;
    block[offset + 7] = FILETYPE_DIR;
    block.set(new TextEncoder().encode(name), offset + 8);
    offset += recordLength;
  });
  return block;
}

function setBits(bitmap: Uint8Array, from: number, to: number): void {
  for (let bit = from; bit < to; bit++) bitmap[bit >> 3] = (bitmap[bit >> 3] ?? 0) | (1 << (bit & 7));
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

function uuidV4(): Uint8Array {
  const uuid = new Uint8Array(randomBytes(16));
  uuid[6] = ((uuid[6] ?? 0) & 0x0f) | 0x40;
  uuid[8] = ((uuid[8] ?? 0) & 0x3f) | 0x80;
  return uuid;
}
