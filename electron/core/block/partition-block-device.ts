import type { BlockDevice } from './block-device.js';
import { checkRange } from './check-range.js';

/**
 * A window onto another device (a partition): offsets are relative to `start`. Closing the window
 * leaves the underlying device open — whoever opened it closes it.
 */
export class PartitionBlockDevice implements BlockDevice {
  readonly name: string;
  readonly sectorSize: number;

  constructor(
    readonly parent: BlockDevice,
    readonly start: number,
    readonly size: number,
  ) {
    checkRange(parent.name, parent.size, start, size);
    this.sectorSize = parent.sectorSize;
    this.name = `${parent.name}@${start}`;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length);
    return this.parent.read(this.start + offset, length);
  }

  async readInto(offset: number, target: Uint8Array): Promise<void> {
    checkRange(this.name, this.size, offset, target.length);
    if (this.parent.readInto) return this.parent.readInto(this.start + offset, target);
    target.set(await this.parent.read(this.start + offset, target.length));
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    checkRange(this.name, this.size, offset, data.length);
    return this.parent.write(this.start + offset, data);
  }

  flush(): Promise<void> {
    return this.parent.flush();
  }

  async close(): Promise<void> {}
}
