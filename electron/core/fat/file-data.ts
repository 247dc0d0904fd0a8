/** Moving file contents between memory and clusters in large, contiguous device I/O. */
import type { BlockDevice } from '../block/block-device.js';
import type { FatGeometry } from './boot-sector.js';
import { clusterOffset, clusterRuns } from './directory.js';

/** Chunk size for streaming: large enough for the device, small enough to never hold a whole file. */
export const IO_CHUNK = 4 * 1024 * 1024;

/**
 * Writes `bytes`, which start at cluster `clusters[firstIndex]`, one device write per contiguous run
 * (split at IO_CHUNK). The tail of a partly used last cluster keeps whatever it held before.
 */
export async function writeClusters(
  device: BlockDevice,
  geometry: FatGeometry,
  clusters: readonly number[],
  firstIndex: number,
  bytes: Uint8Array,
): Promise<void> {
  const count = Math.ceil(bytes.length / geometry.clusterSize);
  for (const [index, run] of clusterRuns(clusters.slice(firstIndex, firstIndex + count))) {
    const from = index * geometry.clusterSize;
    const to = Math.min(bytes.length, (index + run.length) * geometry.clusterSize);
    const base = clusterOffset(geometry, run.first);
    for (let at = from; at < to; at += IO_CHUNK) {
      await device.write(base + (at - from), bytes.subarray(at, Math.min(to, at + IO_CHUNK)));
    }
  }
}

/** Yields a file's `size` bytes from its clusters, in chunks of at most IO_CHUNK. */
export async function* readClusters(
  device: BlockDevice,
  geometry: FatGeometry,
  clusters: readonly number[],
  size: number,
): AsyncGenerator<Uint8Array> {
  let remaining = size;
  for (const [, run] of clusterRuns(clusters)) {
    const base = clusterOffset(geometry, run.first);
    const runBytes = Math.min(remaining, run.length * geometry.clusterSize);
    for (let at = 0; at < runBytes; at += IO_CHUNK) {
      yield await device.read(base + at, Math.min(IO_CHUNK, runBytes - at));
    }
    remaining -= runBytes;
    if (remaining <= 0) return;
  }
}

/**
 * Re-chunks any byte stream into pieces of exactly `chunk` bytes (the last one shorter). Pieces are
 * views of the source's chunks or of one reused buffer: a consumer must be done with a piece before
 * asking for the next.
 */
export async function* rechunk(source: AsyncIterable<Uint8Array>, chunk: number): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(chunk);
  let filled = 0;
  for await (const piece of source) {
    let offset = 0;
    // Whole chunks straight from the source, uncopied, while nothing is buffered.
    while (filled === 0 && piece.length - offset >= chunk) {
      yield piece.subarray(offset, offset + chunk);
      offset += chunk;
    }
    while (offset < piece.length) {
      const take = Math.min(chunk - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === chunk) {
        yield buffer;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
