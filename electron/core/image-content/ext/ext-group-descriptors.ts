/**
 * Block group descriptors: where each group's bitmaps and inode table are. They follow the superblock's
 * block (or, with meta_bg, sit at the start of each meta group), 32 bytes each, or the superblock's
 * descriptor size on 64-bit filesystems.
 */

import { DamagedStructure, MountRefused } from '../content-outcomes.js';
import { u32 } from '../fields.js';
import type { ExtBlocks } from './ext-blocks.js';
import { COMPAT, type ExtSuperblock, INCOMPAT, RO_COMPAT } from './ext-superblock.js';

export interface GroupDescriptor {
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
}

/** Above this many descriptor bytes the mount-time check of every group is skipped (only terabyte images). */
const CHECK_ALL_LIMIT = 1024 * 1024;

function isPowerOf(group: number, base: number): boolean {
  let n = base;
  while (n < group) n *= base;
  return n === group;
}

export class ExtGroupDescriptors {
  private readonly perBlock: number;

  constructor(
    private readonly blocks: ExtBlocks,
    private readonly sb: ExtSuperblock,
  ) {
    this.perBlock = sb.blockSize / sb.descriptorSize;
  }

  private hasSuperblockBackup(group: number): boolean {
    if (group === 0) return true;
    if (this.sb.compat & COMPAT.sparseSuper2)
      return group === this.sb.backupGroups[0] || group === this.sb.backupGroups[1];
    if (group <= 1 || !(this.sb.roCompat & RO_COMPAT.sparseSuper)) return true;
    if (!(group & 1)) return false;
    return isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
  }

  /** The block holding descriptor block `n` (the kernel's descriptor_loc). */
  private descriptorBlock(n: number): number {
    const superblockBlock = Math.floor(1024 / this.sb.blockSize);
    if (!(this.sb.incompat & INCOMPAT.metaBg) || n < this.sb.firstMetaBg) return superblockBlock + n + 1;
    const group = n * this.perBlock;
    let offset = this.hasSuperblockBackup(group) ? 1 : 0;
    if (this.sb.blockSize === 1024 && n === 0 && this.sb.firstDataBlock === 0) offset += 1;
    return group * this.sb.blocksPerGroup + this.sb.firstDataBlock + offset;
  }

  private parse(block: Uint8Array, at: number): GroupDescriptor {
    const wide = this.sb.descriptorSize >= 64;
    const high = (offset: number) => (wide ? u32(block, at + offset) * 0x1_0000_0000 : 0);
    return {
      blockBitmap: u32(block, at) + high(32),
      inodeBitmap: u32(block, at + 4) + high(36),
      inodeTable: u32(block, at + 8) + high(40),
    };
  }

  async get(group: number): Promise<GroupDescriptor> {
    if (group >= this.sb.groupCount) throw new DamagedStructure(`group ${group} of ${this.sb.groupCount}`);
    const block = await this.blocks.get(this.descriptorBlock(Math.floor(group / this.perBlock)));
    return this.parse(block, (group % this.perBlock) * this.sb.descriptorSize);
  }

  /**
   * The mount-time check (ext4_check_descriptors) that refuses a read-only mount: every group's bitmaps and
   * inode table must lie inside its group (inside the filesystem, with flex_bg).
   */
  async checkAll(): Promise<void> {
    const { sb } = this;
    if (sb.groupCount * sb.descriptorSize > CHECK_ALL_LIMIT) return;
    const tableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / sb.blockSize);
    const flex = (sb.incompat & INCOMPAT.flexBg) !== 0;
    for (let group = 0; group < sb.groupCount; group++) {
      let descriptor: GroupDescriptor;
      try {
        descriptor = await this.get(group);
      } catch (error) {
        if (error instanceof DamagedStructure) {
          throw new MountRefused(
            `is a damaged ${sb.filesystem} filesystem`,
            `group descriptors: ${error.detail}`,
          );
        }
        throw error;
      }
      // With flex_bg a group's metadata may sit in any group: only the filesystem's bounds apply.
      const first = flex ? sb.firstDataBlock : sb.firstDataBlock + group * sb.blocksPerGroup;
      const last = group === sb.groupCount - 1 || flex ? sb.blocksCount - 1 : first + sb.blocksPerGroup - 1;
      const outside = (block: number) => block < first || block > last;
      let problem = '';
      if (outside(descriptor.blockBitmap)) problem = `block bitmap ${descriptor.blockBitmap}`;
      else if (outside(descriptor.inodeBitmap)) problem = `inode bitmap ${descriptor.inodeBitmap}`;
      else if (outside(descriptor.inodeTable) || outside(descriptor.inodeTable + tableBlocks - 1)) {
        problem = `inode table ${descriptor.inodeTable}`;
      }
      if (problem) {
        throw new MountRefused(
          `is a damaged ${sb.filesystem} filesystem`,
          `group ${group}: ${problem} not in blocks ${first}..${last}`,
        );
      }
    }
  }
}
