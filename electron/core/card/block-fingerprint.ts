/**
 * A fast fingerprint of a byte stream for read-back verification: the CRC-32 of every 64 KiB block.
 *
 * Why not SHA-1 again: a read-back asks "does the card hold the bytes we wrote?", not "are these bytes the
 * ones a publisher signed?" — the image's SHA-1 (computed once, from the source) still goes into the
 * sidecar the loader checks at every boot. CRC-32 runs several times faster than SHA-1 on one core, so a
 * batch of cards reads back at disk speed instead of queueing on the cores. What it catches: any change
 * of up to 32 consecutive bits within a block (every flipped byte, every torn sector edge) and any two
 * flipped bits, always; a block that holds other data altogether (a lost or misplaced write) slips
 * through with odds of 1 in 2^32 per block.
 *
 * The blocks are cut by offset in the stream, not by how it was chunked: the source and the read-back
 * may arrive in chunks of any size and still compare block for block.
 */
import { crc32 } from 'node:zlib';

export const FINGERPRINT_BLOCK = 64 * 1024;

export interface BlockFingerprint {
  blockSize: number;
  /** Bytes fingerprinted in all. */
  bytes: number;
  /** CRC-32 of each block in order; the last block may be short. */
  blocks: Uint32Array;
}

/** Fingerprints a stream chunk by chunk. */
export class BlockFingerprinter {
  private readonly done: number[] = [];
  private current = 0;
  private inBlock = 0;
  private total = 0;

  constructor(readonly blockSize = FINGERPRINT_BLOCK) {}

  update(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(this.blockSize - this.inBlock, chunk.length - at);
      this.current = crc32(chunk.subarray(at, at + take), this.current);
      this.inBlock += take;
      at += take;
      if (this.inBlock === this.blockSize) this.closeBlock();
    }
    this.total += chunk.length;
  }

  /** Blocks completed so far, and the running CRC of the one under way. */
  get completedBlocks(): number {
    return this.done.length;
  }

  blockAt(index: number): number | undefined {
    return this.done[index];
  }

  get bytes(): number {
    return this.total;
  }

  digest(): BlockFingerprint {
    const blocks = this.inBlock > 0 ? [...this.done, this.current >>> 0] : this.done;
    return { blockSize: this.blockSize, bytes: this.total, blocks: Uint32Array.from(blocks) };
  }

  private closeBlock(): void {
    this.done.push(this.current >>> 0);
    this.current = 0;
    this.inBlock = 0;
  }
}

export function fingerprintOf(data: Uint8Array, blockSize = FINGERPRINT_BLOCK): BlockFingerprint {
  const fingerprinter = new BlockFingerprinter(blockSize);
  fingerprinter.update(data);
  return fingerprinter.digest();
}

/**
 * Where a stream first differs from an expected fingerprint: the byte offset of the first block that does
 * not match (or where one of them ends early), or null when they are the same.
 */
export function firstDifference(expected: BlockFingerprint, actual: BlockFingerprint): number | null {
  if (expected.blockSize !== actual.blockSize) return 0;
  const blocks = Math.min(expected.blocks.length, actual.blocks.length);
  for (let index = 0; index < blocks; index++) {
    if (expected.blocks[index] !== actual.blocks[index]) return index * expected.blockSize;
  }
  if (expected.bytes !== actual.bytes) return Math.min(expected.bytes, actual.bytes);
  return null;
}

/**
 * Checks a stream against an expected fingerprint as it arrives, so a read-back can stop at the first bad
 * block instead of reading a failing card to the end.
 */
export class FingerprintCheck {
  private readonly running: BlockFingerprinter;
  private checked = 0;
  /** Byte offset of the first block found different, once one is. */
  mismatchAt: number | null = null;

  constructor(readonly expected: BlockFingerprint) {
    this.running = new BlockFingerprinter(expected.blockSize);
  }

  /** Takes the next chunk; false once the stream is known to differ. */
  update(chunk: Uint8Array): boolean {
    if (this.mismatchAt !== null) return false;
    this.running.update(chunk);
    if (this.running.bytes > this.expected.bytes) {
      this.mismatchAt = this.expected.bytes;
      return false;
    }
    for (; this.checked < this.running.completedBlocks; this.checked++) {
      if (this.running.blockAt(this.checked) !== this.expected.blocks[this.checked]) {
        this.mismatchAt = this.checked * this.expected.blockSize;
        return false;
      }
    }
    return true;
  }

  /** The verdict once the stream ended: null if it matched in full, else where it first differs. */
  finish(): number | null {
    return this.mismatchAt ?? firstDifference(this.expected, this.running.digest());
  }

  get bytes(): number {
    return this.running.bytes;
  }
}
