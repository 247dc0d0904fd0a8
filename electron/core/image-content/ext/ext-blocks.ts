import { DamagedStructure } from '../content-outcomes.js';
import type { ImageReader } from '../image-reader.js';
import type { ExtSuperblock } from './ext-superblock.js';

/** Filesystem blocks of an ext image, cached: inode tables and index blocks are read more than once. */
export class ExtBlocks {
  private readonly cache = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly reader: ImageReader,
    readonly sb: ExtSuperblock,
  ) {}

  /**
   * Whether `count` blocks from `block` may hold file data, as the kernel's ext4_inode_block_valid judges
   * (past the first data block, inside the filesystem; its finer "not metadata" check is not repeated).
   */
  isDataRange(block: number, count = 1): boolean {
    return block > this.sb.firstDataBlock && count > 0 && block + count <= this.sb.blocksCount;
  }

  get(block: number): Promise<Uint8Array> {
    let bytes = this.cache.get(block);
    if (!bytes) {
      bytes = this.readRun(block, 1);
      this.cache.set(block, bytes);
    }
    return bytes;
  }

  /** `count` consecutive blocks in one read. */
  async readRun(block: number, count: number): Promise<Uint8Array> {
    if (block < 0 || block + count > this.sb.blocksCount) {
      throw new DamagedStructure(`blocks ${block}+${count} outside the filesystem's ${this.sb.blocksCount}`);
    }
    return this.reader.read(block * this.sb.blockSize, count * this.sb.blockSize);
  }
}
