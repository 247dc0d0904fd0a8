import type { BlockDevice } from './block-device.js';
import { BlockDeviceError } from './block-device-error.js';
import { checkRange } from './check-range.js';

/** A device held in memory: fast tests, and scratch volumes built before they are written out. */
export class MemoryBlockDevice implements BlockDevice {
  readonly name: string;
  readonly sectorSize: number;
  readonly bytes: Uint8Array;
  private closed = false;

  constructor(sizeOrBytes: number | Uint8Array, options: { sectorSize?: number; name?: string } = {}) {
    this.bytes = typeof sizeOrBytes === 'number' ? new Uint8Array(sizeOrBytes) : sizeOrBytes;
    this.sectorSize = options.sectorSize ?? 512;
    this.name = options.name ?? 'memory';
  }

  get size(): number {
    return this.bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.checkOpen();
    checkRange(this.name, this.size, offset, length);
    return this.bytes.slice(offset, offset + length);
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    this.checkOpen();
    checkRange(this.name, this.size, offset, data.length);
    this.bytes.set(data, offset);
  }

  async flush(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new BlockDeviceError('closed', this.name);
  }
}
