/**
 * Where an inode's blocks are: an extent tree (ext4) or the classic 12 direct + single, double and triple
 * indirect pointers (ext2/3). Both are checked the way the kernel checks them when it reads an inode or
 * walks its tree: headers that make sense, extents in order, every block inside the filesystem.
 */

import { DamagedStructure } from '../content-outcomes.js';
import { u16, u32 } from '../fields.js';
import type { ExtBlocks } from './ext-blocks.js';

export interface BlockRun {
  logical: number;
  physical: number;
  count: number;
}

const EXTENT_MAGIC = 0xf30a;
/** EXT4_MAX_EXTENT_DEPTH. */
const MAX_DEPTH = 5;
/** An ee_len above this marks an unwritten (preallocated, reads as zeros) extent of ee_len - 32768 blocks. */
const MAX_INITIALIZED_LENGTH = 32768;
/** The extent tree's root lives in the inode's 60-byte i_block: a 12-byte header and 4 entries. */
const ROOT_ENTRIES = 4;
const DIRECT_POINTERS = 12;

interface ExtentNode {
  depth: number;
  /** depth 0: extents; otherwise the child blocks, each with the first logical block it covers. */
  entries: { logical: number; physical: number; count: number; unwritten: boolean }[];
}

function parseExtentNode(
  blocks: ExtBlocks,
  bytes: Uint8Array,
  maxEntries: number,
  expectedDepth: number | null,
): ExtentNode {
  if (u16(bytes, 0) !== EXTENT_MAGIC) throw new DamagedStructure('bad extent header magic');
  const count = u16(bytes, 2);
  const max = u16(bytes, 4);
  const depth = u16(bytes, 6);
  if (max === 0 || max > maxEntries || count > max) throw new DamagedStructure(`extent node ${count}/${max}`);
  if (depth > MAX_DEPTH || (expectedDepth !== null && depth !== expectedDepth)) {
    throw new DamagedStructure(`extent depth ${depth}`);
  }
  if (count === 0 && depth > 0) throw new DamagedStructure('empty extent index node');
  const entries: ExtentNode['entries'] = [];
  let nextLogical = 0;
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 12;
    const logical = u32(bytes, at);
    if (depth === 0) {
      const raw = u16(bytes, at + 4);
      const length = raw > MAX_INITIALIZED_LENGTH ? raw - MAX_INITIALIZED_LENGTH : raw;
      const physical = u32(bytes, at + 8) + u16(bytes, at + 6) * 0x1_0000_0000;
      if (length === 0 || logical < nextLogical || !blocks.isDataRange(physical, length)) {
        throw new DamagedStructure(`extent ${logical}+${length} at block ${physical}`);
      }
      nextLogical = logical + length;
      entries.push({ logical, physical, count: length, unwritten: raw > MAX_INITIALIZED_LENGTH });
    } else {
      const physical = u32(bytes, at + 4) + u16(bytes, at + 8) * 0x1_0000_0000;
      if (logical < nextLogical || !blocks.isDataRange(physical)) {
        throw new DamagedStructure(`extent index ${logical} at block ${physical}`);
      }
      nextLogical = logical + 1;
      entries.push({ logical, physical, count: 0, unwritten: false });
    }
  }
  return { depth, entries };
}

/** The checks the kernel makes on an inode's own block references when it reads the inode. */
export function checkInodeBlockReferences(blocks: ExtBlocks, iBlock: Uint8Array, extents: boolean): void {
  if (extents) {
    parseExtentNode(blocks, iBlock, ROOT_ENTRIES, null);
    return;
  }
  for (let i = 0; i < 15; i++) {
    const pointer = u32(iBlock, i * 4);
    if (pointer !== 0 && !blocks.isDataRange(pointer)) throw new DamagedStructure(`block pointer ${pointer}`);
  }
}

async function* extentRuns(
  blocks: ExtBlocks,
  node: ExtentNode,
  logicalEnd: number,
): AsyncGenerator<BlockRun> {
  const childEntries = Math.floor((blocks.sb.blockSize - 12) / 12);
  for (const entry of node.entries) {
    if (entry.logical >= logicalEnd) return;
    if (node.depth === 0) {
      if (!entry.unwritten) yield { logical: entry.logical, physical: entry.physical, count: entry.count };
      continue;
    }
    const child = parseExtentNode(blocks, await blocks.get(entry.physical), childEntries, node.depth - 1);
    yield* extentRuns(blocks, child, logicalEnd);
  }
}

/** Logical → physical pairs below one (possibly indirect) pointer. */
async function* indirectBlocks(
  blocks: ExtBlocks,
  pointer: number,
  level: number,
  firstLogical: number,
  logicalEnd: number,
): AsyncGenerator<[number, number]> {
  if (pointer === 0 || firstLogical >= logicalEnd) return;
  if (level === 0) {
    yield [firstLogical, pointer];
    return;
  }
  const perBlock = blocks.sb.blockSize / 4;
  const bytes = await blocks.get(pointer);
  // The kernel checks every pointer of an indirect block when it reads it (ext4_check_indirect_blockref).
  for (let i = 0; i < perBlock; i++) {
    const child = u32(bytes, i * 4);
    if (child !== 0 && !blocks.isDataRange(child)) throw new DamagedStructure(`indirect pointer ${child}`);
  }
  const span = perBlock ** (level - 1);
  for (let i = 0; i < perBlock; i++) {
    yield* indirectBlocks(blocks, u32(bytes, i * 4), level - 1, firstLogical + i * span, logicalEnd);
  }
}

async function* pointerRuns(
  blocks: ExtBlocks,
  iBlock: Uint8Array,
  logicalEnd: number,
): AsyncGenerator<BlockRun> {
  const perBlock = blocks.sb.blockSize / 4;
  const tops: [number, number, number][] = [];
  for (let i = 0; i < DIRECT_POINTERS; i++) tops.push([u32(iBlock, i * 4), 0, i]);
  tops.push([u32(iBlock, 48), 1, DIRECT_POINTERS]);
  tops.push([u32(iBlock, 52), 2, DIRECT_POINTERS + perBlock]);
  tops.push([u32(iBlock, 56), 3, DIRECT_POINTERS + perBlock + perBlock ** 2]);
  let run: BlockRun | null = null;
  for (const [pointer, level, first] of tops) {
    for await (const [logical, physical] of indirectBlocks(blocks, pointer, level, first, logicalEnd)) {
      if (run && run.logical + run.count === logical && run.physical + run.count === physical) {
        run.count += 1;
        continue;
      }
      if (run) yield run;
      run = { logical, physical, count: 1 };
    }
  }
  if (run) yield run;
}

/** The written runs of blocks below logical block `logicalEnd`, in logical order; holes are left out. */
export function dataRuns(
  blocks: ExtBlocks,
  iBlock: Uint8Array,
  extents: boolean,
  logicalEnd: number,
): AsyncGenerator<BlockRun> {
  if (!extents) return pointerRuns(blocks, iBlock, logicalEnd);
  return extentRuns(blocks, parseExtentNode(blocks, iBlock, ROOT_ENTRIES, null), logicalEnd);
}
