import type { BlockDevice } from './block-device.js';

/** `length` bytes at `offset` of a device. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Reads `ranges` in order, `depth` reads ahead of the consumer, into `depth + 1` buffers of `bufferSize`
 * used in turn: a gigabyte is read with three allocations instead of hundreds (each a fresh mapping whose
 * pages fault in), and the reads overlap the consumer's work. Each chunk is valid only until the consumer
 * asks for the next one — a hash is done with it by then — and the consumer must not read ahead again.
 * A device without readInto is read the plain way, one new buffer per range.
 */
export async function* readRangesAhead(
  device: BlockDevice,
  ranges: Iterable<ByteRange>,
  bufferSize: number,
  depth = 2,
): AsyncGenerator<Uint8Array> {
  const iterator = ranges[Symbol.iterator]();
  const ring = device.readInto ? Array.from({ length: depth + 1 }, () => new Uint8Array(bufferSize)) : [];
  const pending: Array<Promise<Uint8Array>> = [];
  let issued = 0;
  const issue = () => {
    const next = iterator.next();
    if (next.done) return;
    const { offset, length } = next.value;
    if (length > bufferSize)
      throw new RangeError(`a read of ${length} bytes exceeds the ${bufferSize}-byte buffers`);
    let read: Promise<Uint8Array>;
    if (device.readInto) {
      const target = (ring[issued++ % ring.length] as Uint8Array).subarray(0, length);
      read = device.readInto(offset, target).then(() => target);
    } else {
      read = device.read(offset, length);
    }
    // A read made ahead may fail before it is awaited; it is awaited (and rethrown) in its turn.
    read.catch(() => {});
    pending.push(read);
  };
  try {
    for (let i = 0; i < depth; i++) issue();
    while (pending.length > 0) {
      const chunk = await (pending.shift() as Promise<Uint8Array>);
      yield chunk;
      // The consumer is done with `chunk`: its buffer takes the next read.
      issue();
    }
  } finally {
    await Promise.allSettled(pending);
  }
}

/** Consecutive ranges of at most `chunk` bytes covering `size` bytes from `start`. */
export function* consecutiveRanges(size: number, chunk: number, start = 0): Generator<ByteRange> {
  for (let at = 0; at < size; at += chunk) yield { offset: start + at, length: Math.min(chunk, size - at) };
}
