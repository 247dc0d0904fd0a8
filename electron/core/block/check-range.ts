import { BlockDeviceError } from './block-device-error.js';

/** Shared argument check for every device: whole, non-negative, inside the device. */
export function checkRange(deviceName: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new BlockDeviceError('invalid-argument', `${deviceName}: offset ${offset}, length ${length}`);
  }
  if (offset + length > size) {
    throw new BlockDeviceError(
      'out-of-range',
      `${deviceName}: bytes ${offset}..${offset + length} past the end at ${size}`,
    );
  }
}
