import type { ReadImageBytes } from './content-judgement.js';
import { CannotCheck, DamagedStructure } from './content-outcomes.js';
import { ImageContentError } from './image-content-error.js';

/**
 * A judgement normally reads a few dozen kilobytes. These caps keep a damaged or hostile image (a directory
 * claiming gigabytes, a chain of tiny metadata blocks) from turning the check into a full read of a card.
 */
export const READ_BUDGET = { bytes: 32 * 1024 * 1024, reads: 4096 } as const;

/** The image's bytes, read only inside [0, size), counted, and within the budget. */
export class ImageReader {
  bytesRead = 0;
  reads = 0;

  constructor(
    private readonly readBytes: ReadImageBytes,
    readonly size: number,
  ) {}

  /** Exactly `length` bytes at `offset`; a range past the end is damage in the structure that pointed there. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new DamagedStructure(`a pointer to byte ${offset} (+${length}) is not a valid position`);
    }
    if (offset + length > this.size) {
      throw new DamagedStructure(
        `bytes ${offset}..${offset + length} lie past the end of the image (${this.size})`,
      );
    }
    if (length === 0) return new Uint8Array(0);
    this.bytesRead += length;
    this.reads += 1;
    if (this.bytesRead > READ_BUDGET.bytes || this.reads > READ_BUDGET.reads) {
      throw new CannotCheck(
        'needs more reading than a quick check allows',
        `read budget exhausted after ${this.reads} reads, ${this.bytesRead} bytes`,
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.readBytes(offset, length);
    } catch (error) {
      throw new ImageContentError(
        'read-failed',
        'The image could not be read, so its content was not checked.',
        {
          cause: error,
          detail: `reading ${length} bytes at ${offset}: ${(error as Error)?.message ?? String(error)}`,
        },
      );
    }
    if (bytes.length !== length) {
      throw new ImageContentError(
        'read-failed',
        'The image could not be read, so its content was not checked.',
        {
          detail: `asked for ${length} bytes at ${offset}, got ${bytes.length}`,
        },
      );
    }
    return bytes;
  }
}
