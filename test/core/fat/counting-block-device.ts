import type { BlockDevice } from '../../../electron/core/block/block-device.js';

/** Wraps a device and counts what is asked of it: the proof that reading a volume never writes. */
export class CountingBlockDevice implements BlockDevice {
  writes = 0;
  flushes = 0;
  reads = 0;

  constructor(private readonly inner: BlockDevice) {}

  get size(): number {
    return this.inner.size;
  }
  get sectorSize(): number {
    return this.inner.sectorSize;
  }
  get name(): string {
    return `counting(${this.inner.name})`;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    return this.inner.read(offset, length);
  }
  write(offset: number, data: Uint8Array): Promise<void> {
    this.writes++;
    return this.inner.write(offset, data);
  }
  flush(): Promise<void> {
    this.flushes++;
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
