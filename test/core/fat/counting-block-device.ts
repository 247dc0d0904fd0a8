import { PassThroughBlockDevice } from '../block/pass-through-device.js';

/** Wraps a device and counts what is asked of it: the proof that reading a volume never writes. */
export class CountingBlockDevice extends PassThroughBlockDevice {
  writes = 0;
  flushes = 0;
  reads = 0;

  override get name(): string {
    return `counting(${this.inner.name})`;
  }
  override read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    return this.inner.read(offset, length);
  }
  override write(offset: number, data: Uint8Array): Promise<void> {
    this.writes++;
    return this.inner.write(offset, data);
  }
  override flush(): Promise<void> {
    this.flushes++;
    return this.inner.flush();
  }
}
