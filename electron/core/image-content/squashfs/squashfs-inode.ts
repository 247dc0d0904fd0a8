/**
 * Squashfs inodes, read as the kernel's squashfs_read_inode does, with its checks: a known type, uid/gid
 * indexes inside the id table, a fragment inside the fragment table, a symlink no longer than a page, an
 * xattr index inside the xattr table. Every inode starts with the same 16 bytes:
 * type u16, mode u16, uid index u16, gid index u16, mtime u32, inode number u32.
 */

import { DamagedStructure } from '../content-outcomes.js';
import { u16, u32, u64 } from '../fields.js';
import type { ImageNode } from '../path-lookup.js';
import { type MetadataBlocks, MetadataCursor } from './squashfs-metadata.js';
import { METADATA_SIZE, type SquashfsSuperblock } from './squashfs-superblock.js';
import type { SquashfsTables } from './squashfs-tables.js';

/** A position in a metadata stream. */
export interface MetadataPosition {
  block: number;
  offset: number;
}

export type SquashfsNode = ImageNode &
  (
    | {
        kind: 'directory';
        listing: MetadataPosition;
        /** Extended directories carry an index of their listing's blocks, right after the inode. */
        index: (MetadataPosition & { count: number }) | null;
      }
    | { kind: 'file' }
    | { kind: 'symlink'; target: MetadataPosition }
    | { kind: 'other' }
  );

const NO_FRAGMENT = 0xffff_ffff;
const NO_XATTR = 0xffff_ffff;
const PAGE_SIZE = 4096;

const TYPE = {
  dir: 1,
  file: 2,
  symlink: 3,
  blockDevice: 4,
  charDevice: 5,
  fifo: 6,
  socket: 7,
  longDir: 8,
  longFile: 9,
  longSymlink: 10,
  longBlockDevice: 11,
  longCharDevice: 12,
  longFifo: 13,
  longSocket: 14,
} as const;

export class SquashfsInodes {
  constructor(
    private readonly blocks: MetadataBlocks,
    private readonly sb: SquashfsSuperblock,
    private readonly tables: SquashfsTables,
  ) {}

  /** A reference is (metadata block relative to the inode table) << 16 | offset in its content. */
  async read(reference: number): Promise<SquashfsNode> {
    const cursor = new MetadataCursor(
      this.blocks,
      this.sb.inodeTableStart + (Math.floor(reference / 0x1_0000) % 0x1_0000_0000),
      reference % 0x1_0000,
    );
    const base = await cursor.take(16);
    const type = u16(base, 0);
    await this.checkId(u16(base, 4));
    await this.checkId(u16(base, 6));
    switch (type) {
      case TYPE.dir: {
        const body = await cursor.take(16);
        const listing = { block: this.sb.directoryTableStart + u32(body, 0), offset: u16(body, 10) };
        return { kind: 'directory', size: u16(body, 8), listing, index: null };
      }
      case TYPE.longDir: {
        const body = await cursor.take(24);
        await this.checkXattr(u32(body, 20));
        const listing = { block: this.sb.directoryTableStart + u32(body, 8), offset: u16(body, 18) };
        const index = { block: cursor.block, offset: cursor.offset, count: u16(body, 16) };
        return { kind: 'directory', size: u32(body, 4), listing, index };
      }
      case TYPE.file: {
        const body = await cursor.take(16);
        await this.checkFragment(u32(body, 4));
        return { kind: 'file', size: u32(body, 12) };
      }
      case TYPE.longFile: {
        const body = await cursor.take(40);
        await this.checkFragment(u32(body, 28));
        await this.checkXattr(u32(body, 36));
        return { kind: 'file', size: u64(body, 8) };
      }
      case TYPE.symlink:
      case TYPE.longSymlink: {
        const body = await cursor.take(8);
        const size = u32(body, 4);
        if (size > PAGE_SIZE) throw new DamagedStructure(`symlink of ${size} bytes`);
        const target = { block: cursor.block, offset: cursor.offset };
        if (type === TYPE.longSymlink) {
          await cursor.take(size);
          await this.checkXattr(u32(await cursor.take(4), 0));
        }
        return { kind: 'symlink', size, target };
      }
      case TYPE.blockDevice:
      case TYPE.charDevice:
        await cursor.take(8);
        return { kind: 'other', size: 0 };
      case TYPE.fifo:
      case TYPE.socket:
        await cursor.take(4);
        return { kind: 'other', size: 0 };
      case TYPE.longBlockDevice:
      case TYPE.longCharDevice:
        await this.checkXattr(u32(await cursor.take(12), 8));
        return { kind: 'other', size: 0 };
      case TYPE.longFifo:
      case TYPE.longSocket:
        await this.checkXattr(u32(await cursor.take(8), 4));
        return { kind: 'other', size: 0 };
      default:
        throw new DamagedStructure(`unknown inode type ${type}`);
    }
  }

  async readLink(node: SquashfsNode & { kind: 'symlink' }): Promise<Uint8Array> {
    return new MetadataCursor(this.blocks, node.target.block, node.target.offset).take(node.size);
  }

  /** uid and gid are indexes into the id table, which the kernel looks up for every inode it reads. */
  private async checkId(index: number): Promise<void> {
    if (index >= this.sb.ids) throw new DamagedStructure(`uid/gid index ${index} of ${this.sb.ids}`);
    await this.tableEntry(this.tables.idBlocks, index, 4, 'id');
  }

  private async checkFragment(fragment: number): Promise<void> {
    if (fragment === NO_FRAGMENT) return;
    if (fragment >= this.sb.fragments) {
      throw new DamagedStructure(`fragment ${fragment} of ${this.sb.fragments}`);
    }
    await this.tableEntry(this.tables.fragmentBlocks, fragment, 16, 'fragment');
  }

  private async checkXattr(index: number): Promise<void> {
    if (index === NO_XATTR || this.tables.xattrBlocks.length === 0) return;
    if (index >= this.tables.xattrIds)
      throw new DamagedStructure(`xattr index ${index} of ${this.tables.xattrIds}`);
    await this.tableEntry(this.tables.xattrBlocks, index, 16, 'xattr id');
  }

  private async tableEntry(blocks: number[], index: number, size: number, name: string): Promise<Uint8Array> {
    const block = blocks[Math.floor((index * size) / METADATA_SIZE)];
    if (block === undefined) throw new DamagedStructure(`${name} entry ${index} beyond its table`);
    return new MetadataCursor(this.blocks, block, (index * size) % METADATA_SIZE).take(size);
  }
}
