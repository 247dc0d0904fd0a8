/**
 * What can be known about an image before anything is written for it: that the file is an AstLinux image
 * the loader can mount and start (its filesystem and /boot/bzImage, judged from its bytes the way the
 * loader's kernel would — image-content/), and, before a card is erased, that its bytes match the checksum
 * it was published with. The digests of that first read are handed to the copy, which then need not hash
 * the same bytes again (it still reads back what it wrote and checks every block).
 */
import { createHash } from 'node:crypto';
import { FileBlockDevice } from '../block/file-block-device.js';
import { IO_CHUNK } from '../block/io-chunk.js';
import { consecutiveRanges, readRangesAhead } from '../block/read-ranges-ahead.js';
import { blockDeviceImage, judgeImageContent } from '../image-content/index.js';
import { BlockFingerprinter } from './block-fingerprint.js';
import { CardError } from './card-error.js';
import type { VouchedImageSource } from './copy-image.js';
import type { ImageSource } from './image-source.js';
import { byteProgress, type ProgressListener } from './progress.js';

/**
 * Refuses an image the loader would not boot whatever its checksum says: not a filesystem it can mount,
 * or no kernel at /boot/bzImage. An image whose compression astcard cannot read is let through: the loader
 * may well boot it, and saying otherwise would be untrue.
 */
export async function checkImageContent(path: string, name: string): Promise<void> {
  const file = await FileBlockDevice.open(path, { readOnly: true });
  try {
    const image = blockDeviceImage(file);
    const judged = await judgeImageContent(image.read, image.size);
    if (judged.ok || judged.verdict === 'unchecked') return;
    throw new CardError(
      judged.verdict === 'no-kernel' ? 'image-has-no-kernel' : 'image-not-bootable',
      `${name} cannot boot: the image ${judged.reason}. Nothing was written. Check that this is an AstLinux image, and download it again.`,
      ...(judged.detail ? [{ detail: judged.detail }] : []),
    );
  } finally {
    await file.close();
  }
}

/**
 * Reads a local image whole before a card is erased for it: its bytes must match its published checksum.
 * Returns the same source, vouching for the SHA-1 and block fingerprint this read found.
 */
export async function verifyBeforeErase(
  source: ImageSource,
  path: string,
  onProgress?: ProgressListener,
): Promise<VouchedImageSource> {
  const sha1 = createHash('sha1');
  const fingerprint = new BlockFingerprinter();
  const promised =
    source.expected && source.expected.algo !== 'sha1' ? createHash(source.expected.algo) : null;
  const report = byteProgress(onProgress, 'hash', source.size, source.name);
  const file = await FileBlockDevice.open(path, { readOnly: true });
  try {
    if (file.size !== source.size) {
      throw new CardError(
        'source-unreadable',
        `${path} changed size while it was being checked. Nothing was written.`,
      );
    }
    let done = 0;
    // The digests stay on this thread. SHA-1 on a worker thread beside the fingerprint was measured (256 MiB
    // from the page cache, two cores): 262–306 ms against 252–285 ms here — starting the worker costs
    // 60–80 ms, and SHA-1 then competes with the reads for the two cores.
    for await (const chunk of readRangesAhead(file, consecutiveRanges(file.size, IO_CHUNK), IO_CHUNK)) {
      sha1.update(chunk);
      fingerprint.update(chunk);
      promised?.update(chunk);
      done += chunk.length;
      report(done);
    }
  } finally {
    await file.close();
  }
  const digests = { sha1: sha1.digest('hex'), fingerprint: fingerprint.digest() };
  const actual = promised ? promised.digest('hex') : digests.sha1;
  if (source.expected && actual !== source.expected.digest) {
    throw new CardError(
      'source-checksum-mismatch',
      `${source.name} does not match its checksum file ${source.expected.sidecar}: the file is damaged or incomplete. Nothing was written; the card is as it was. Download the image again.`,
      { detail: `expected ${source.expected.digest}, got ${actual}` },
    );
  }
  return { ...source, vouched: () => digests };
}
