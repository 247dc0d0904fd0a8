import { PassThroughBlockDevice } from '../block/pass-through-device.js';

/**
 * Records every write as it passes through: `replay(before, n)` is the medium as a power cut after the
 * n-th write leaves it (what the power-cut tests replay, prefix by prefix).
 */
export class RecordingBlockDevice extends PassThroughBlockDevice {
  readonly writes: Array<{ offset: number; data: Uint8Array }> = [];

  override get name(): string {
    return 'recording';
  }

  override write(offset: number, data: Uint8Array): Promise<void> {
    this.writes.push({ offset, data: data.slice() });
    return this.inner.write(offset, data);
  }

  /** `before` (left untouched) with the first `count` recorded writes applied. */
  replay(before: Uint8Array, count: number): Uint8Array {
    const bytes = before.slice();
    for (const { offset, data } of this.writes.slice(0, count)) bytes.set(data, offset);
    return bytes;
  }
}
