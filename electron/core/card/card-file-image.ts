/**
 * An image file on a card, readable at any offset the way a loop device reads it: the file's clusters are
 * found once, then each read goes straight to the sectors that hold those bytes. The image-content judge
 * reads a few scattered blocks (superblock, inode table, a directory), so streaming the file would waste
 * the time it takes to read hundreds of megabytes.
 */
import type { BlockDevice } from '../block/block-device.js';
import type { FileExtent as Extent } from '../fat/fat-reads.js';
import type { FatVolume } from '../fat/fat-volume.js';
import type { ReadImageBytes } from '../image-content/index.js';

export async function cardFileImage(
  volume: FatVolume,
  device: BlockDevice,
  path: string,
  size: number,
): Promise<{ read: ReadImageBytes; size: number }> {
  const extents = await volume.fileExtents(path);
  const read: ReadImageBytes = async (offset, length) => {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new RangeError(`read of ${length} bytes at ${offset} is outside ${path} (${size} bytes)`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    let at = findExtent(extents, offset);
    while (done < length) {
      const extent = extents[at] as Extent;
      const within = offset + done - extent.fileOffset;
      const count = Math.min(length - done, extent.length - within);
      out.set(await device.read(extent.deviceOffset + within, count), done);
      done += count;
      at++;
    }
    return out;
  };
  return { read, size };
}

/** The extent holding `offset`: the last one starting at or before it. */
function findExtent(extents: readonly Extent[], offset: number): number {
  let low = 0;
  let high = extents.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((extents[middle] as Extent).fileOffset <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
