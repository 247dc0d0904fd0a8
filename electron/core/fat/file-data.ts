/** Moving file contents between memory and clusters in large, contiguous device I/O. */
import type { BlockDevice } from '../block/block-device.js';
import { IO_CHUNK } from '../block/io-chunk.js';
import { readRangesAhead } from '../block/read-ranges-ahead.js';
import type { FatGeometry } from './boot-sector.js';
import { clusterOffset, clusterRuns } from './directory.js';
import { FatError } from './fat-error.js';
import type { FatTable } from './fat-table.js';

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
  for (const { offset, length } of clusterReads(geometry, clusters, size))
    yield await device.read(offset, length);
}

/** The device reads that bring a file's `size` bytes in from its clusters, each at most IO_CHUNK. */
function* clusterReads(geometry: FatGeometry, clusters: readonly number[], size: number) {
  let remaining = size;
  for (const [, run] of clusterRuns(clusters)) {
    const base = clusterOffset(geometry, run.first);
    const runBytes = Math.min(remaining, run.length * geometry.clusterSize);
    for (let at = 0; at < runBytes; at += IO_CHUNK) {
      yield { offset: base + at, length: Math.min(IO_CHUNK, runBytes - at) };
    }
    remaining -= runBytes;
    if (remaining <= 0) return;
  }
}

/**
 * A file's bytes as readClusters yields them, read ahead into a few reused buffers (readRangesAhead): each
 * chunk is valid only until the consumer asks for the next one, and the consumer must not read ahead again.
 */
export function readClustersAhead(
  device: BlockDevice,
  geometry: FatGeometry,
  clusters: readonly number[],
  size: number,
): AsyncGenerator<Uint8Array> {
  return readRangesAhead(device, clusterReads(geometry, clusters, size), IO_CHUNK);
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

/**
 * Streams a file's data into newly allocated clusters: all at once when `size` is known (contiguous if
 * asked), else cluster by cluster as data arrives. Only the in-memory FAT changes here; the caller
 * writes it back once the data is on the device. On failure the clusters return to the free pool.
 */
export async function writeNewClusters(
  device: BlockDevice,
  geometry: FatGeometry,
  fat: FatTable,
  data: Uint8Array | AsyncIterable<Uint8Array>,
  options: { size: number | undefined; contiguous: boolean; path: string; maxSize: number },
): Promise<{ clusters: number[]; total: number }> {
  const { size } = options;
  const cs = geometry.clusterSize;
  const clusters: number[] = [];
  let total = 0;
  try {
    if (size !== undefined) {
      for (const cluster of fat.allocate(Math.ceil(size / cs), {
        contiguous: options.contiguous,
      })) {
        clusters.push(cluster);
      }
    }
    const source = data instanceof Uint8Array ? [data] : rechunk(data, IO_CHUNK);
    for await (const chunk of source) {
      if (size === undefined) {
        if (total + chunk.length > options.maxSize) throw new FatError('file-too-large', options.path);
        const last = clusters[clusters.length - 1];
        const more = fat.allocate(Math.ceil(chunk.length / cs), {
          after: last,
          contiguous: options.contiguous,
        });
        if (last !== undefined) {
          if (options.contiguous && more[0] !== last + 1) {
            for (const cluster of more) clusters.push(cluster);
            throw new FatError('no-contiguous-space', options.path);
          }
          fat.set(last, more[0] as number);
        }
        for (const cluster of more) clusters.push(cluster);
      } else if (total + chunk.length > size) {
        throw new FatError('size-mismatch', `${options.path}: more than ${size} bytes`);
      }
      await writeClusters(device, geometry, clusters, total / cs, chunk);
      total += chunk.length;
    }
    if (size !== undefined && total !== size)
      throw new FatError('size-mismatch', `${options.path}: ${total} of ${size} bytes`);
  } catch (error) {
    fat.release(clusters);
    throw error;
  }
  return { clusters, total };
}
