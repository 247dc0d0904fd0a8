import type { BlockDevice } from './block-device.js';
import { BlockDeviceError } from './block-device-error.js';
import { DeferredFlushView } from './deferred-flush-view.js';
import { PartitionBlockDevice } from './partition-block-device.js';

/** A device that can read what the medium holds, past the OS cache (RawBlockDevice on a drive). */
interface DirectReader extends BlockDevice {
  readDirect(offset: number, length: number): Promise<Uint8Array>;
}

function canReadDirect(device: BlockDevice): device is DirectReader {
  return typeof (device as Partial<DirectReader>).readDirect === 'function';
}

/**
 * A read-only view of `device` for verification: on a drive, every read bypasses the OS cache, because a
 * read-back served from the cache proves nothing about the card. A partition window keeps its window over
 * the uncached parent. Image files and memory have no cache to get past: they are returned as they are.
 */
export function uncachedView(device: BlockDevice): BlockDevice {
  // What the medium holds includes every write made so far: flushes held back are made before a read.
  if (device instanceof DeferredFlushView) return flushedFirst(device);
  if (device instanceof PartitionBlockDevice) {
    const parent = uncachedView(device.parent);
    return parent === device.parent ? device : new PartitionBlockDevice(parent, device.start, device.size);
  }
  if (!canReadDirect(device)) return device;
  return verificationView(device, { read: (offset, length) => device.readDirect(offset, length) });
}

function flushedFirst(device: DeferredFlushView): BlockDevice {
  const past = uncachedView(device.inner);
  const readInto = past.readInto?.bind(past);
  return verificationView(device, {
    read: async (offset, length) => {
      await device.flushNow();
      return past.read(offset, length);
    },
    ...(readInto && {
      readInto: async (offset: number, target: Uint8Array) => {
        await device.flushNow();
        return readInto(offset, target);
      },
    }),
  });
}

/** `device` seen through `reads` only: writes are refused, and the view borrows the device. */
function verificationView(device: BlockDevice, reads: Pick<BlockDevice, 'read' | 'readInto'>): BlockDevice {
  return {
    name: device.name,
    size: device.size,
    sectorSize: device.sectorSize,
    ...reads,
    write: async () => {
      throw new BlockDeviceError('read-only', `${device.name}: the verification view is read-only`);
    },
    flush: async () => {},
    // Whoever opened the device closes it.
    close: async () => {},
  };
}
