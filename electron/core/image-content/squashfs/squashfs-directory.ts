/**
 * Finding a name in a squashfs directory the way the kernel's squashfs_lookup does (fs/squashfs/namei.c).
 *
 * A listing is a run of headers (count-1 u32, inode metadata block u32, base inode number u32), each
 * followed by up to 256 entries (offset u16, inode number delta s16, type u16, name length-1 u16, name).
 * Names are sorted, so the walk stops at the first entry whose first byte is past the name's. Extended
 * directories also index their listing (listing offset u32, directory block u32, name length-1 u32, the first
 * name in that block), which lets a lookup start near its name instead of at the top.
 */

import { DamagedStructure } from '../content-outcomes.js';
import { sameBytes, u16, u32 } from '../fields.js';
import type { SquashfsNode } from './squashfs-inode.js';
import { type MetadataBlocks, MetadataCursor } from './squashfs-metadata.js';
import { METADATA_SIZE } from './squashfs-superblock.js';

const MAX_NAME = 256;
const MAX_ENTRIES_PER_HEADER = 256;
/** The kernel counts "." and "..", which are not stored, as the first 3 bytes of every listing. */
const INVENTED_DOTS = 3;

/** strcmp on byte strings. */
function compareNames(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** Where to start reading the listing: the last index entry whose name is not past `name`. */
async function startOfSearch(
  blocks: MetadataBlocks,
  directoryTable: number,
  directory: SquashfsNode & { kind: 'directory' },
  name: Uint8Array,
): Promise<{ cursor: MetadataCursor; consumed: number }> {
  let listingOffset = 0;
  let block = directory.listing.block;
  if (directory.index) {
    const indexCursor = new MetadataCursor(blocks, directory.index.block, directory.index.offset);
    try {
      for (let i = 0; i < directory.index.count; i++) {
        const entry = await indexCursor.take(12);
        const size = u32(entry, 8) + 1;
        if (size > MAX_NAME) break;
        const first = await indexCursor.take(size);
        if (compareNames(first, name) > 0) break;
        listingOffset = u32(entry, 0);
        block = directoryTable + u32(entry, 4);
      }
    } catch (error) {
      // The kernel treats an unreadable index as "no index" and searches from where it got to.
      if (!(error instanceof DamagedStructure)) throw error;
    }
  }
  const offset = (listingOffset + directory.listing.offset) % METADATA_SIZE;
  return { cursor: new MetadataCursor(blocks, block, offset), consumed: listingOffset + INVENTED_DOTS };
}

/** The inode reference of `name` in `directory`, or null. */
export async function findInSquashfsDirectory(
  blocks: MetadataBlocks,
  directoryTable: number,
  directory: SquashfsNode & { kind: 'directory' },
  name: Uint8Array,
): Promise<number | null> {
  if (name.length === 0 || name.length > MAX_NAME) return null;
  const { cursor, consumed } = await startOfSearch(blocks, directoryTable, directory, name);
  let length = consumed;
  while (length < directory.size) {
    const header = await cursor.take(12);
    length += 12;
    const count = u32(header, 0) + 1;
    if (count > MAX_ENTRIES_PER_HEADER) throw new DamagedStructure(`directory header with ${count} entries`);
    for (let i = 0; i < count; i++) {
      const entry = await cursor.take(8);
      const size = u16(entry, 6) + 1;
      if (size > MAX_NAME) throw new DamagedStructure(`directory entry name of ${size} bytes`);
      const entryName = await cursor.take(size);
      length += 8 + size;
      if ((name[0] as number) < (entryName[0] as number)) return null;
      if (sameBytes(entryName, name)) return u32(header, 4) * 0x1_0000 + u16(entry, 0);
    }
  }
  return null;
}
