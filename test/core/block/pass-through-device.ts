import type { BlockDevice } from '../../../electron/core/block/block-device.js';

/** A device that hands every call to the one it wraps: tests override what they inject or count. */
export class PassThroughBlockDevice implements BlockDevice {
  constructor(protected readonly inner: BlockDevice) {}

  get size(): number {
    return this.inner.size;
  }
  get sectorSize(): number {
    return this.inner.sectorSize;
  }
  get name(): string {
    return this.inner.name;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    return this.inner.read(offset, length);
  }
  write(offset: number, data: Uint8Array): Promise<void> {
    return this.inner.write(offset, data);
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
