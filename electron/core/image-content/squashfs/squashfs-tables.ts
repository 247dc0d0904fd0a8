/**
 * The lookup tables Linux reads while mounting a squashfs, with the same sanity checks (fs/squashfs/
 * xattr_id.c, id.c, export.c, fragment.c): each table is an array of 64-bit pointers to metadata blocks,
 * stored raw; the tables sit back to back at the end of the image, each ending where the next begins.
 */

import { DamagedStructure, MountRefused } from '../content-outcomes.js';
import { u32, u64 } from '../fields.js';
import type { ImageReader } from '../image-reader.js';
import { METADATA_SIZE, type SquashfsSuperblock } from './squashfs-superblock.js';

/** A block may be its 8 KiB plus its 2-byte header apart from the next. */
const MAX_BLOCK_SPAN = METADATA_SIZE + 2;

export interface SquashfsTables {
  /** Metadata block positions of the uid/gid table, 2048 ids (4 bytes each) per block. */
  idBlocks: number[];
  /** Of the fragment table, 512 entries (16 bytes each) per block. */
  fragmentBlocks: number[];
  /** Of the xattr id table, 512 entries (16 bytes each) per block; empty when there are no xattrs. */
  xattrBlocks: number[];
  xattrIds: number;
}

function indexBytes(entries: number, entrySize: number): number {
  return Math.ceil((entries * entrySize) / METADATA_SIZE) * 8;
}

async function readPointers(
  reader: ImageReader,
  bytesUsed: number,
  start: number,
  length: number,
): Promise<number[]> {
  if (start + length > bytesUsed)
    throw new DamagedStructure(`table at ${start} (+${length}) past bytes_used`);
  const bytes = await reader.read(start, length);
  const pointers: number[] = [];
  for (let at = 0; at < length; at += 8) pointers.push(u64(bytes, at));
  return pointers;
}

/** Blocks in increasing order, each at most one full block after the previous, the last just before `end`. */
function checkBlockChain(name: string, pointers: number[], end: number): void {
  for (let i = 0; i + 1 < pointers.length; i++) {
    const start = pointers[i] as number;
    const next = pointers[i + 1] as number;
    if (start >= next || next - start > MAX_BLOCK_SPAN) {
      throw new DamagedStructure(`${name} table blocks ${start} and ${next} are out of order`);
    }
  }
  const last = pointers[pointers.length - 1] as number;
  if (last >= end || end - last > MAX_BLOCK_SPAN) {
    throw new DamagedStructure(`${name} table's last block ${last} does not end at ${end}`);
  }
}

export async function readSquashfsTables(
  reader: ImageReader,
  sb: SquashfsSuperblock,
): Promise<SquashfsTables> {
  const tables: SquashfsTables = { idBlocks: [], fragmentBlocks: [], xattrBlocks: [], xattrIds: 0 };
  let nextTable = sb.bytesUsed;

  if (sb.xattrIdTableStart !== null) {
    const start = sb.xattrIdTableStart;
    if (start + 16 > sb.bytesUsed) throw new DamagedStructure(`xattr id table at ${start} past bytes_used`);
    const header = await reader.read(start, 16);
    const xattrTableStart = u64(header, 0);
    tables.xattrIds = u32(header, 8);
    if (tables.xattrIds === 0) throw new DamagedStructure('xattr id table with no ids');
    const length = indexBytes(tables.xattrIds, 16);
    if (length !== sb.bytesUsed - (start + 16)) {
      throw new DamagedStructure(`xattr id index of ${length} bytes does not end at bytes_used`);
    }
    tables.xattrBlocks = await readPointers(reader, sb.bytesUsed, start + 16, length);
    checkBlockChain('xattr id', tables.xattrBlocks, start);
    if (xattrTableStart >= (tables.xattrBlocks[0] as number)) {
      throw new DamagedStructure(`xattr table start ${xattrTableStart} after its id blocks`);
    }
    nextTable = xattrTableStart;
  }

  if (sb.ids === 0) throw new DamagedStructure('no uid/gid table entries');
  const idLength = indexBytes(sb.ids, 4);
  if (idLength !== nextTable - sb.idTableStart) {
    throw new DamagedStructure(
      `id index at ${sb.idTableStart} (${idLength} bytes) does not end at ${nextTable}`,
    );
  }
  tables.idBlocks = await readPointers(reader, sb.bytesUsed, sb.idTableStart, idLength);
  checkBlockChain('id', tables.idBlocks, sb.idTableStart);
  nextTable = tables.idBlocks[0] as number;

  if (sb.lookupTableStart !== null) {
    if (sb.inodes === 0) throw new DamagedStructure('inode lookup table with no inodes');
    const length = indexBytes(sb.inodes, 8);
    if (length !== nextTable - sb.lookupTableStart) {
      throw new DamagedStructure(`inode lookup index at ${sb.lookupTableStart} does not end at ${nextTable}`);
    }
    const lookupBlocks = await readPointers(reader, sb.bytesUsed, sb.lookupTableStart, length);
    checkBlockChain('inode lookup', lookupBlocks, sb.lookupTableStart);
    nextTable = lookupBlocks[0] as number;
  }

  if (sb.fragments > 0) {
    const length = indexBytes(sb.fragments, 16);
    if (sb.fragmentTableStart + length > nextTable) {
      throw new DamagedStructure(
        `fragment index at ${sb.fragmentTableStart} runs into the next table at ${nextTable}`,
      );
    }
    tables.fragmentBlocks = await readPointers(reader, sb.bytesUsed, sb.fragmentTableStart, length);
    if ((tables.fragmentBlocks[0] as number) >= sb.fragmentTableStart) {
      throw new DamagedStructure('fragment table block after its index');
    }
    nextTable = tables.fragmentBlocks[0] as number;
  }

  if (sb.directoryTableStart > nextTable) {
    throw new MountRefused(
      'is a damaged squashfs (its directory table lies past its other tables)',
      `directory table ${sb.directoryTableStart} > next table ${nextTable}`,
    );
  }
  if (sb.inodeTableStart >= sb.directoryTableStart) {
    throw new MountRefused(
      'is a damaged squashfs (its inode table does not come before its directory table)',
      `inode table ${sb.inodeTableStart} >= directory table ${sb.directoryTableStart}`,
    );
  }
  return tables;
}
