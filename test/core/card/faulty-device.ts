import type { BlockDevice } from '../../../electron/core/block/block-device.js';

/**
 * A device that dies like a pulled card: the first `writesBeforeFailure` writes land, every write and
 * flush after that throws, and nothing further reaches the medium. Reads keep working, as a process's
 * cache would serve them until the crash.
 */
export class FaultyBlockDevice implements BlockDevice {
  writes = 0;
  failed = false;

  constructor(
    private readonly inner: BlockDevice,
    private readonly writesBeforeFailure: number,
  ) {}

  get size() {
    return this.inner.size;
  }
  get sectorSize() {
    return this.inner.sectorSize;
  }
  get name() {
    return this.inner.name;
  }

  read(offset: number, length: number) {
    return this.inner.read(offset, length);
  }

  async write(offset: number, data: Uint8Array) {
    if (this.writes >= this.writesBeforeFailure) {
      this.failed = true;
      throw new Error(`injected I/O failure after ${this.writes} writes`);
    }
    this.writes++;
    await this.inner.write(offset, data);
  }

  async flush() {
    if (this.failed) throw new Error('injected I/O failure: device gone');
    await this.inner.flush();
  }

  close() {
    return this.inner.close();
  }
}
