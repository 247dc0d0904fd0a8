/**
 * A minimal ext2 formatter for keydisks: one block group of 4 KiB blocks (so up to 128 MiB), revision 1
 * with 128-byte inodes and typed directory entries, a root directory and lost+found — the same shape
 * `mke2fs -t ext2 -b 4096` gives a small volume, so AstLinux and e2fsck take it as their own.
 *
 * Why our own: the ext2fs wasm package reads and writes files on an existing filesystem but cannot make
 * one, and a keydisk must be creatable on Windows and macOS too, where there is no mke2fs.
 */
import { randomBytes } from 'node:crypto';
import { CardError } from './card-error.js';

export const EXT2_BLOCK = 4096;
export const EXT2_MIN_BYTES = 256 * 1024;
/** One block group: a 4 KiB block bitmap covers 32768 blocks. */
export const EXT2_MAX_BYTES = 8 * EXT2_BLOCK * EXT2_BLOCK;

const INODE_SIZE = 128;
const INODES_PER_BLOCK = EXT2_BLOCK / INODE_SIZE;
const BYTES_PER_INODE = 16 * 1024;
const FIRST_INODE = 11;
const ROOT_INODE = 2;
const LOST_FOUND_INODE = 11;
const S_IFDIR = 0o040000;
const FILETYPE_DIR = 2;
const FEATURE_INCOMPAT_FILETYPE = 0x0002;
const EXT2_MAGIC = 0xef53;

export interface Ext2Options {
  /** Bytes; rounded down to whole 4 KiB blocks. */
  size: number;
  /** Up to 16 bytes of ASCII. */
  label: string;
  /** Seconds since the epoch for every timestamp (default: now). */
  time?: number;
  uuid?: Uint8Array;
}

export function formatExt2(options: Ext2Options): Uint8Array {
  const { size, label } = options;
  if (!Number.isSafeInteger(size) || size < EXT2_MIN_BYTES || size > EXT2_MAX_BYTES) {
    throw new CardError(
      'invalid-option',
      `A keydisk is between ${EXT2_MIN_BYTES / 1024} KiB and ${EXT2_MAX_BYTES / 1024 ** 2} MiB; ${size} bytes was asked.`,
    );
  }
  if (!/^[\x20-\x7e]{0,16}$/.test(label))
    throw new CardError(
      'invalid-option',
      `"${label}" cannot be an ext2 label (16 plain characters at most).`,
    );
  const time = options.time ?? Math.floor(Date.now() / 1000);
  const blocks = Math.floor(size / EXT2_BLOCK);
  const inodes = Math.min(
    8 * EXT2_BLOCK,
    Math.max(2 * INODES_PER_BLOCK, roundUp(Math.ceil(size / BYTES_PER_INODE), INODES_PER_BLOCK)),
  );
  const inodeTableBlocks = inodes / INODES_PER_BLOCK;

  // Block 0: boot area + superblock; 1: group descriptors; 2: block bitmap; 3: inode bitmap; then inodes.
  const blockBitmap = 2;
  const inodeBitmap = 3;
  const inodeTable = 4;
  const rootBlock = inodeTable + inodeTableBlocks;
  const lostFoundBlock = rootBlock + 1;
  const usedBlocks = lostFoundBlock + 1;
  if (usedBlocks > blocks) throw new CardError('invalid-option', `A keydisk of ${size} bytes is too small.`);
  const usedInodes = FIRST_INODE;

  const image = new Uint8Array(blocks * EXT2_BLOCK);
  const view = new DataView(image.buffer);
  const u16 = (at: number, value: number) => view.setUint16(at, value, true);
  const u32 = (at: number, value: number) => view.setUint32(at, value, true);

  const sb = 1024;
  u32(sb + 0, inodes);
  u32(sb + 4, blocks);
  u32(sb + 8, 0); // reserved blocks: a keydisk is not a root filesystem
  u32(sb + 12, blocks - usedBlocks);
  u32(sb + 16, inodes - usedInodes);
  u32(sb + 20, 0); // first data block: 0 with blocks over 1 KiB
  u32(sb + 24, 2); // log2(block size) - 10
  u32(sb + 28, 2);
  u32(sb + 32, 8 * EXT2_BLOCK);
  u32(sb + 36, 8 * EXT2_BLOCK);
  u32(sb + 40, inodes);
  u32(sb + 48, time); // last write
  u16(sb + 54, 0xffff); // no mount-count check
  u16(sb + 56, EXT2_MAGIC);
  u16(sb + 58, 1); // clean
  u16(sb + 60, 1); // on errors: continue
  u32(sb + 64, time); // last check
  u32(sb + 76, 1); // dynamic revision
  u32(sb + 84, FIRST_INODE);
  u16(sb + 88, INODE_SIZE);
  u32(sb + 96, FEATURE_INCOMPAT_FILETYPE);
  image.set(options.uuid ?? uuidV4(), sb + 104);
  image.set(new TextEncoder().encode(label), sb + 120);
  u32(sb + 264, time); // made

  const gd = EXT2_BLOCK;
  u32(gd + 0, blockBitmap);
  u32(gd + 4, inodeBitmap);
  u32(gd + 8, inodeTable);
  u16(gd + 12, blocks - usedBlocks);
  u16(gd + 14, inodes - usedInodes);
  u16(gd + 16, 2); // directories: root and lost+found

  // Used blocks, then the bits past the end of the volume, which e2fsck wants set.
  setBits(image, blockBitmap * EXT2_BLOCK, 0, usedBlocks);
  setBits(image, blockBitmap * EXT2_BLOCK, blocks, 8 * EXT2_BLOCK);
  setBits(image, inodeBitmap * EXT2_BLOCK, 0, usedInodes);
  setBits(image, inodeBitmap * EXT2_BLOCK, inodes, 8 * EXT2_BLOCK);

  const inodeAt = (number: number) => inodeTable * EXT2_BLOCK + (number - 1) * INODE_SIZE;
  const directoryInode = (number: number, block: number, links: number) => {
    const at = inodeAt(number);
    u16(at + 0, S_IFDIR | 0o755);
    u32(at + 4, EXT2_BLOCK);
    u32(at + 8, time);
    u32(at + 12, time);
    u32(at + 16, time);
    u16(at + 26, links);
    u32(at + 28, EXT2_BLOCK / 512);
    u32(at + 40, block);
  };
  directoryInode(ROOT_INODE, rootBlock, 3);
  directoryInode(LOST_FOUND_INODE, lostFoundBlock, 2);
  // lost+found is only for fsck's use; it is owner-only, as mke2fs makes it.
  u16(inodeAt(LOST_FOUND_INODE), S_IFDIR | 0o700);

  writeDirectory(image, rootBlock * EXT2_BLOCK, [
    [ROOT_INODE, '.'],
    [ROOT_INODE, '..'],
    [LOST_FOUND_INODE, 'lost+found'],
  ]);
  writeDirectory(image, lostFoundBlock * EXT2_BLOCK, [
    [LOST_FOUND_INODE, '.'],
    [ROOT_INODE, '..'],
  ]);
  return image;
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

function writeDirectory(image: Uint8Array, at: number, entries: Array<[number, string]>): void {
  const view = new DataView(image.buffer);
  let offset = at;
  entries.forEach(([inode, name], index) => {
    const length = roundUp(8 + name.length, 4);
    const recordLength = index === entries.length - 1 ? at + EXT2_BLOCK - offset : length;
    view.setUint32(offset, inode, true);
    view.setUint16(offset + 4, recordLength, true);
    image[offset + 6] = name.length;
    image[offset + 7] = FILETYPE_DIR;
    image.set(new TextEncoder().encode(name), offset + 8);
    offset += recordLength;
  });
}

function setBits(image: Uint8Array, at: number, from: number, to: number): void {
  for (let bit = from; bit < to; bit++)
    image[at + (bit >> 3)] = (image[at + (bit >> 3)] ?? 0) | (1 << (bit & 7));
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
