import type { BlockDevice } from './block-device.js';

/**
 * A device whose flushes wait until the caller says the work is done (`flushNow`). The file system's
 * write barriers — data, then FAT, then directory entry, each flushed — keep a card that is cut off
 * mid-change readable; a card being prepared from nothing has nothing to keep, and a cut prepare is
 * prepared again either way, so its dozens of barriers only cost time. What was written still reaches the
 * medium before any read-back (uncachedView calls `flushNow` first) and at `flushNow`.
 */
export class DeferredFlushView implements BlockDevice {
  private dirty = false;
  declare readonly readInto?: (offset: number, target: Uint8Array) => Promise<void>;

  constructor(readonly inner: BlockDevice) {
    const readInto = inner.readInto?.bind(inner);
    if (readInto) this.readInto = readInto;
  }

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

  async write(offset: number, data: Uint8Array): Promise<void> {
    this.dirty = true;
    await this.inner.write(offset, data);
    // Again once it is done: a flush that began while the write was under way may not have covered it.
    this.dirty = true;
  }

  /** A barrier: deferred to `flushNow`. */
  async flush(): Promise<void> {}

  /** Makes every write so far durable on the medium. */
  async flushNow(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await this.inner.flush();
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  /** The view borrows the device: whoever opened it closes it. */
  async close(): Promise<void> {}
}
