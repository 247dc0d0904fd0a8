/**
 * Puts one AstLinux image on a card so that no interruption can make a broken image bootable:
 *
 *   1. the image goes under a temporary name (`….img.part`), which the boot plan never considers;
 *   2. the source's SHA-1 must equal the one its own sidecar promised, if it had one; the copy is flushed
 *      and read back from the card, and every block must match what was written (block-fingerprint.ts);
 *   3. an image of the same name already on the card loses its sidecars first (so it stops being a
 *      candidate), then the image itself; the temporary file is renamed into place;
 *   4. where its checksum came from is noted (checksum-record.ts), then the `.sha1` sidecar is written last: only from that moment can the loader boot the image; a signed
 *      list that came with the image (`.sha256.sig`, checked against the bytes copied) follows it, so on a
 *      card that requires signatures the image becomes bootable only then.
 *
 * A cut before step 4 leaves at most an image without a sidecar (skipped by the loader) and lost clusters.
 */
import { createHash } from 'node:crypto';
import { formatSidecar, sidecarFileName } from '../../../shared/checksums.js';
import { parseSignedList } from '../../../shared/signify.js';
import { uncachedView } from '../block/uncached-view.js';
import { FatError } from '../fat/fat-error.js';
import { type FatVolume, openFat } from '../fat/fat-volume.js';
import { type BlockFingerprint, BlockFingerprinter, FingerprintCheck } from './block-fingerprint.js';
import { CardError } from './card-error.js';
import { noteChecksumOrigin } from './checksum-record.js';
import type { ImageSource } from './image-source.js';
import { byteProgress, cancellableChunks, checkCancelled, type ProgressListener } from './progress.js';
import { readAhead } from './read-ahead.js';
import { removeIfPresent } from './small-files.js';

export { removeIfPresent };

export const PARTIAL_SUFFIX = '.part';

export interface CopyImageOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * The folder the image goes into, with its trailing slash (`os/` for a real AstLinux release); the card's
   * root by default. Its checksum file names it without the folder, as sha1sum run inside the folder would.
   */
  folder?: string;
  /**
   * The SHA-1 and block fingerprint of exactly the bytes `source.chunks()` yields, known once they have
   * all been yielded (null before). A fan-out already digested the one source read it hands to every card,
   * so the copy need not digest the same bytes again on the way in; the read-back is still checked,
   * block by block, against the fingerprint.
   */
  vouched?: () => SourceDigests | null;
}

/** What a source's bytes digest to: SHA-1 for the sidecar, a block fingerprint for the read-back. */
export interface SourceDigests {
  sha1: string;
  fingerprint: BlockFingerprint;
}

/** A source that vouches for the digests of what it yields (a fan-out's per-card view); see `vouched`. */
export interface VouchedImageSource extends ImageSource {
  vouched?: () => SourceDigests | null;
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
  const vouched = options.vouched ?? source.vouched;
  const folder = options.folder ?? '';
  const onCard = `${folder}${source.name}`;
  const partial = `${onCard}${PARTIAL_SUFFIX}`;
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

  const sha1 = vouched ? null : createHash('sha1');
  const fingerprint = vouched ? null : new BlockFingerprinter();
  const promised =
    source.expected && source.expected.algo !== 'sha1' ? createHash(source.expected.algo) : null;
  const signedDigest = source.signedList ? signedSha256(source) : null;
  const sha256 = signedDigest && source.expected?.algo !== 'sha256' ? createHash('sha256') : null;
  const written = byteProgress(onProgress, 'write', source.size, source.name);
  let done = 0;
  // Each piece is hashed and written before the next is asked for, so a local file's reused buffers are safe
  // here; they read ahead themselves. Other sources are asked ahead instead, which is why `chunks()` must hand
  // out pieces the consumer owns.
  const pieces = source.reusedChunks ? source.reusedChunks() : readAhead(source.chunks());
  async function* hashedSource(): AsyncGenerator<Uint8Array> {
    for await (const chunk of pieces) {
      checkCancelled(signal, cancelled);
      sha1?.update(chunk);
      fingerprint?.update(chunk);
      promised?.update(chunk);
      sha256?.update(chunk);
      done += chunk.length;
      written(done);
      yield chunk;
    }
  }
  try {
    await volume.writeFile(partial, hashedSource(), { size: source.size });
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
  const digests =
    sha1 && fingerprint ? { sha1: sha1.digest('hex'), fingerprint: fingerprint.digest() } : vouched?.();
  if (!digests) {
    // The voucher never saw the whole source: without a digest the read-back cannot be checked.
    await removeIfPresent(volume, partial);
    throw new CardError(
      'source-unreadable',
      `${source.origin} could not be read to the end for ${source.name}. Try again.`,
      { detail: 'the source digest was not known after the copy' },
    );
  }
  const sourceSha1 = digests.sha1;
  const sourcePromised = promised ? promised.digest('hex') : sourceSha1;
  if (source.expected && source.expected.digest !== sourcePromised) {
    await removeIfPresent(volume, partial);
    throw new CardError(
      'source-checksum-mismatch',
      `${source.name} does not match its checksum file ${source.expected.sidecar}: the download is damaged or incomplete. Download it again.`,
      { detail: `expected ${source.expected.digest}, got ${sourcePromised}` },
    );
  }

  if (signedDigest) {
    const actual = sha256 ? sha256.digest('hex') : sourcePromised;
    if (actual !== signedDigest) {
      await removeIfPresent(volume, partial);
      throw new CardError(
        'source-checksum-mismatch',
        `${source.name} does not match the SHA-256 its signed list gives: it is not the image that was signed. Get the image again from its publisher.`,
        { detail: `signed ${signedDigest}, got ${actual}` },
      );
    }
  }

  await dropIfCancelled();
  // Read back what the card holds, not what the OS cache remembers of our writes.
  const verifier = await openFat(uncachedView(volume.device), { readOnly: true });
  // Checked on this thread: CRC-32 keeps up with several cards reading back at once (a batch).
  const check = new FingerprintCheck(digests.fingerprint);
  const verified = byteProgress(onProgress, 'verify', source.size, source.name);
  try {
    // Read ahead into reused buffers: the check is done with each chunk before it asks for the next.
    for await (const chunk of cancellableChunks(verifier.chunksAhead(partial), signal, cancelled)) {
      // A failing card is not read to the end: the first bad block decides.
      if (!check.update(chunk)) break;
      verified(check.bytes);
    }
  } catch (error) {
    await dropIfCancelled();
    throw error;
  }
  const differsAt = check.finish();
  if (differsAt !== null || digests.fingerprint.bytes !== source.size) {
    await removeIfPresent(volume, partial);
    throw new CardError(
      'verify-failed',
      `What was written for ${source.name} reads back differently: the card may be failing. Try another card.`,
      {
        detail: `${source.size} bytes written (SHA-1 ${sourceSha1}); the card's copy first differs in the ${digests.fingerprint.blockSize}-byte block at byte ${differsAt ?? digests.fingerprint.bytes}`,
      },
    );
  }

  await dropIfCancelled();
  await removeIfPresent(volume, signedListName(onCard));
  for (const algo of ['sha256', 'sha1'] as const)
    await removeIfPresent(volume, sidecarFileName(onCard, algo));
  await removeIfPresent(volume, onCard);
  await volume.rename(partial, onCard, { loseRatherThanShare: true });
  await noteChecksumOrigin(volume, onCard, source.expected ? null : sourceSha1);
  await volume.writeFile(
    sidecarFileName(onCard, 'sha1'),
    new TextEncoder().encode(formatSidecar(sourceSha1, source.name)),
  );
  if (source.signedList) {
    await volume.writeFile(signedListName(onCard), new TextEncoder().encode(source.signedList.text));
  }
  await volume.flush();
  return { name: source.name, size: source.size, sha1: sourceSha1 };
}

/** The signed list that travels with an image: `AstLinux-1.5.10.img.sha256.sig`. */
export function signedListName(image: string): string {
  return `${image}.sha256.sig`;
}

/** The SHA-256 an image's own signed list gives it, or the refusal saying the list does not name it. */
function signedSha256(source: ImageSource): string {
  const parsed = parseSignedList(source.signedList?.text ?? '');
  const entry = parsed.ok
    ? parsed.entries.find(
        (candidate) =>
          candidate.algo === 'sha256' && candidate.name.toLowerCase() === source.name.toLowerCase(),
      )
    : undefined;
  if (!entry) {
    throw new CardError(
      'source-checksum-malformed',
      `The signed list ${signedListName(source.name)} that came with ${source.name} does not give its SHA-256${parsed.ok ? '' : ` (${parsed.reason})`}. Get both again from the image's publisher.`,
    );
  }
  return entry.digest;
}
