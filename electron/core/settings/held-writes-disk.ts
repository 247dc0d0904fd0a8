/**
 * A BlockDevice as file-disk sees it for libext2fs: read-only with recorded writes, so reads fall through
 * to the device and writes stay in memory until the caller applies them (keydisk-fs.ts).
 */
import { BufferDiskChunk, Disk, type ReadResult, type WriteResult } from 'file-disk';
import type { BlockDevice } from '../block/block-device.js';

/** A BlockDevice seen by file-disk as read-only with recorded writes: reads fall through, writes stay here. */
export class HeldWritesDisk extends Disk {
  constructor(private readonly device: BlockDevice) {
    // readOnly: never _write; recordWrites: keep what libext2fs writes; discards do not read back as zeros.
    super(true, true, false, false);
  }

  protected async _getCapacity(): Promise<number> {
    return this.device.size;
  }

  protected async _read(
    buffer: Buffer,
    bufferOffset: number,
    length: number,
    fileOffset: number,
  ): Promise<ReadResult> {
    const available = Math.max(0, Math.min(length, this.device.size - fileOffset));
    if (available > 0) buffer.set(await this.device.read(fileOffset, available), bufferOffset);
    buffer.fill(0, bufferOffset + available, bufferOffset + length);
    return { bytesRead: length, buffer };
  }

  protected async _write(): Promise<WriteResult> {
    throw new Error('HeldWritesDisk never writes through');
  }

  protected async _flush(): Promise<void> {}

  /** What libext2fs wrote, as non-overlapping byte ranges. */
  heldWrites(): Array<{ offset: number; data: Uint8Array }> {
    return this.knownChunks
      .filter((chunk) => chunk instanceof BufferDiskChunk)
      .map((chunk) => ({ offset: chunk.start, data: new Uint8Array(chunk.data()) }));
  }
}
