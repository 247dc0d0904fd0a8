/**
 * Puts one AstLinux image on a card so that no interruption can make a broken image bootable:
 *
 *   1. the image goes under a temporary name (`….img.part`), which the boot plan never considers;
 *   2. it is flushed, read back from the card and digested; the digest must equal the one computed while
 *      reading the source, and the one the source's own sidecar promised, if it had one;
 *   3. an image of the same name already on the card loses its sidecars first (so it stops being a
 *      candidate), then the image itself; the temporary file is renamed into place;
 *   4. the `.sha1` sidecar is written last: only from that moment can the loader boot the image.
 *
 * A cut before step 4 leaves at most an image without a sidecar (skipped by the loader) and lost clusters.
 */
import { createHash } from 'node:crypto';
import { formatSidecar, sidecarFileName } from '../../../shared/checksums.js';
import { uncachedView } from '../block/uncached-view.js';
import { FatError } from '../fat/fat-error.js';
import { type FatVolume, openFat } from '../fat/fat-volume.js';
import { CardError } from './card-error.js';
import { digestChunksInPool } from './hash-pool.js';
import type { ImageSource } from './image-source.js';
import { byteProgress, cancellableChunks, checkCancelled, type ProgressListener } from './progress.js';
import { readAhead } from './read-ahead.js';

export const PARTIAL_SUFFIX = '.part';

export interface CopyImageOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * The SHA-1 of exactly the bytes `source.chunks()` yields, known once they have all been yielded
   * (null before). A fan-out already hashed the one source read it hands to every card, so the copy need
   * not hash the same bytes again on the way in; the read-back is still hashed and compared against it.
   */
  knownSha1?: () => string | null;
}

/** A source that vouches for the SHA-1 of what it yields (a fan-out's per-card view); see `knownSha1`. */
export interface VouchedImageSource extends ImageSource {
  knownSha1?: () => string | null;
}

export interface CopiedImage {
  name: string;
  size: number;
  sha1: string;
}

export async function copyImageToCard(
  volume: FatVolume,
  source: VouchedImageSource,
  options: CopyImageOptions = {},
): Promise<CopiedImage> {
  const { onProgress, signal } = options;
  const knownSha1 = options.knownSha1 ?? source.knownSha1;
  const partial = `${source.name}${PARTIAL_SUFFIX}`;
  const cancelled = () =>
    new CardError('cancelled', `Copying ${source.name} was cancelled; the card still boots as before.`);
  // Once the temporary copy exists, a cancellation takes it away again: the card is left as it was.
  const dropIfCancelled = async () => {
    if (!signal?.aborted) return;
    await removeIfPresent(volume, partial).catch(() => {});
    throw cancelled();
  };
  await removeIfPresent(volume, partial);
  checkCancelled(signal, cancelled);

  const sha1 = knownSha1 ? null : createHash('sha1');
  const promised =
    source.expected && source.expected.algo !== 'sha1' ? createHash(source.expected.algo) : null;
  const written = byteProgress(onProgress, 'write', source.size, source.name);
  let done = 0;
  async function* hashedSource(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source.chunks()) {
      checkCancelled(signal, cancelled);
      sha1?.update(chunk);
      promised?.update(chunk);
      done += chunk.length;
      written(done);
      yield chunk;
    }
  }
  try {
    await volume.writeFile(partial, readAhead(hashedSource()), { size: source.size });
  } catch (error) {
    await removeIfPresent(volume, partial).catch(() => {});
    // A download aborted mid-request throws the signal's own reason: say "cancelled" like every other step.
    if (signal?.aborted && !(error instanceof CardError)) throw cancelled();
    if (error instanceof FatError && error.code === 'size-mismatch') {
      throw new CardError('source-unreadable', `${source.origin} changed size while it was being copied.`, {
        cause: error,
      });
    }
    throw error;
  }
  const sourceSha1 = sha1 ? sha1.digest('hex') : knownSha1?.();
  if (!sourceSha1) {
    // The voucher never saw the whole source: without a digest the read-back cannot be checked.
    await removeIfPresent(volume, partial);
    throw new CardError(
      'source-unreadable',
      `${source.origin} could not be read to the end for ${source.name}. Try again.`,
      { detail: 'the source digest was not known after the copy' },
    );
  }
  const sourcePromised = promised ? promised.digest('hex') : sourceSha1;
  if (source.expected && source.expected.digest !== sourcePromised) {
    await removeIfPresent(volume, partial);
    throw new CardError(
      'source-checksum-mismatch',
      `${source.name} does not match its checksum file ${source.expected.sidecar}: the download is damaged or incomplete. Download it again.`,
      { detail: `expected ${source.expected.digest}, got ${sourcePromised}` },
    );
  }

  await dropIfCancelled();
  // Read back what the card holds, not what the OS cache remembers of our writes.
  const verifier = await openFat(uncachedView(volume.device), { readOnly: true });
  // Hashed on a worker: cards read back side by side (a batch) then hash on every core.
  const readBack = await digestChunksInPool(
    cancellableChunks(verifier.chunks(partial), signal, cancelled),
    'sha1',
    byteProgress(onProgress, 'verify', source.size, source.name),
  ).catch(async (error: unknown) => {
    await dropIfCancelled();
    throw error;
  });
  if (readBack.digest !== sourceSha1 || readBack.bytes !== source.size) {
    await removeIfPresent(volume, partial);
    throw new CardError(
      'verify-failed',
      `What was written for ${source.name} reads back differently: the card may be failing. Try another card.`,
      { detail: `wrote ${sourceSha1}, read back ${readBack.digest} (${readBack.bytes} bytes)` },
    );
  }

  await dropIfCancelled();
  for (const algo of ['sha256', 'sha1'] as const)
    await removeIfPresent(volume, sidecarFileName(source.name, algo));
  await removeIfPresent(volume, source.name);
  await volume.rename(partial, source.name, { loseRatherThanShare: true });
  await volume.writeFile(
    sidecarFileName(source.name, 'sha1'),
    new TextEncoder().encode(formatSidecar(sourceSha1, source.name)),
  );
  await volume.flush();
  return { name: source.name, size: source.size, sha1: sourceSha1 };
}

export async function removeIfPresent(volume: FatVolume, path: string): Promise<boolean> {
  try {
    await volume.unlink(path);
    return true;
  } catch (error) {
    if (error instanceof FatError && error.code === 'not-found') return false;
    throw error;
  }
}
