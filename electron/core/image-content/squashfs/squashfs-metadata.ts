/**
 * Squashfs metadata: inodes, directories and the lookup tables live in blocks of at most 8 KiB, each
 * preceded by a 16-bit header (bit 15 set: stored uncompressed; the rest: its stored length). A structure
 * may continue from one block into the next, which follows the first directly on disk.
 */

import { CannotCheck, DamagedStructure } from '../content-outcomes.js';
import type { ImageReader } from '../image-reader.js';
import type { SquashfsCompression } from './squashfs-compression.js';
import { METADATA_SIZE } from './squashfs-superblock.js';

interface MetadataBlock {
  data: Uint8Array;
  /** Where the next block starts. */
  next: number;
}

export class MetadataBlocks {
  private readonly cache = new Map<number, Promise<MetadataBlock>>();

  constructor(
    private readonly reader: ImageReader,
    /** The kernel reads nothing at or past bytes_used. */
    private readonly bytesUsed: number,
    private readonly compression: SquashfsCompression,
  ) {}

  get(position: number): Promise<MetadataBlock> {
    let block = this.cache.get(position);
    if (!block) {
      block = this.load(position);
      this.cache.set(position, block);
    }
    return block;
  }

  private async load(position: number): Promise<MetadataBlock> {
    if (!Number.isSafeInteger(position) || position < 0 || position + 2 > this.bytesUsed) {
      throw new DamagedStructure(
        `metadata block at ${position} lies past the filesystem's end (${this.bytesUsed})`,
      );
    }
    // Header and body in one read: the body is at most 8 KiB.
    const bytes = await this.reader.read(position, Math.min(2 + METADATA_SIZE, this.bytesUsed - position));
    const header = (bytes[0] as number) | ((bytes[1] as number) << 8);
    const stored = header & 0x7fff;
    const compressed = (header & 0x8000) === 0;
    if (stored === 0 || stored > METADATA_SIZE || 2 + stored > bytes.length) {
      throw new DamagedStructure(`metadata block at ${position} has a bad length ${stored}`);
    }
    const body = bytes.subarray(2, 2 + stored);
    let data: Uint8Array;
    if (!compressed) {
      data = body;
    } else if (this.compression.decompress) {
      data = await this.compression.decompress(body, METADATA_SIZE);
    } else {
      throw new CannotCheck(
        `is a squashfs compressed with ${this.compression.name}, which astcard cannot check (the loader can mount it)`,
        `no ${this.compression.name} decoder`,
      );
    }
    if (data.length === 0) throw new DamagedStructure(`metadata block at ${position} is empty`);
    return { data, next: position + 2 + stored };
  }
}

/** A read position in a metadata stream: absolute position of a block, and an offset in its content. */
export class MetadataCursor {
  constructor(
    private readonly blocks: MetadataBlocks,
    public block: number,
    public offset: number,
  ) {}

  /** The next `length` bytes, crossing into following blocks as the kernel's squashfs_read_metadata does. */
  async take(length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { data, next } = await this.blocks.get(this.block);
      if (this.offset >= data.length) {
        throw new DamagedStructure(
          `offset ${this.offset} past the ${data.length} bytes of metadata block ${this.block}`,
        );
      }
      const count = Math.min(length - filled, data.length - this.offset);
      out.set(data.subarray(this.offset, this.offset + count), filled);
      filled += count;
      this.offset += count;
      if (this.offset === data.length) {
        this.block = next;
        this.offset = 0;
      }
    }
    return out;
  }
}
