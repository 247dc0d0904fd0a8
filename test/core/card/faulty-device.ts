import type { BlockDevice } from '../../../electron/core/block/block-device.js';
import { PassThroughBlockDevice } from '../block/pass-through-device.js';

/**
 * A device that dies like a pulled card: the first `writesBeforeFailure` writes land, every write and
 * flush after that throws, and nothing further reaches the medium. Reads keep working, as a process's
 * cache would serve them until the crash.
 */
export class FaultyBlockDevice extends PassThroughBlockDevice {
  writes = 0;
  failed = false;

  constructor(
    inner: BlockDevice,
    private readonly writesBeforeFailure: number,
  ) {
    super(inner);
  }

  override async write(offset: number, data: Uint8Array) {
    if (this.writes >= this.writesBeforeFailure) {
      this.failed = true;
      throw new Error(`injected I/O failure after ${this.writes} writes`);
    }
    this.writes++;
    await this.inner.write(offset, data);
  }

  override async flush() {
    if (this.failed) throw new Error('injected I/O failure: device gone');
    await this.inner.flush();
  }
}
