/**
 * Where an image's checksum file came from. An image published with a checksum (`.sha1`, `.sha256`, a
 * signed list) keeps that checksum on the card, and the loader checks the image against what its
 * publisher said. An image that came without one still needs a `.sha1` to boot: astcard computes it while
 * copying and notes the image here, in `astcard-recorded.txt` (sha1sum lines), so nobody is told an image
 * was "verified against its published checksum" when the only checksum is astcard's own.
 *
 * The record is changed before the checksum file is written (copy-image.ts), and a line counts only while
 * the checksum file still gives the same digest: a later copy of the image with a published checksum, by
 * astcard or by hand, makes the line stale by itself.
 */
import { formatSidecar, normalizeDigest, parseSidecar } from '../../../shared/checksums.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { readTextIfPresent, removeIfPresent, replaceSmallFile } from './small-files.js';

export const RECORD_FILE = 'astcard-recorded.txt';

/** The record's lines: the SHA-1 astcard computed, by the image's name on the card (lower-case). */
export type ChecksumRecord = Map<string, string>;

export type ChecksumProvenance = 'published' | 'recorded';

export async function readChecksumRecord(volume: FatVolume): Promise<ChecksumRecord> {
  const text = await readTextIfPresent(volume, `/${RECORD_FILE}`);
  const record: ChecksumRecord = new Map();
  for (const line of (text ?? '').split('\n')) {
    const match = /^([0-9a-fA-F]{40}) [ *](.+?)\r?$/.exec(line);
    const digest = match ? normalizeDigest(match[1] ?? '', 'sha1') : null;
    if (match && digest) record.set((match[2] ?? '').toLowerCase(), digest);
  }
  return record;
}

/**
 * Notes that astcard computed `name`'s SHA-1 (`sha1` given), or that its checksum came with it (null).
 * Nothing is written when the record already says so.
 */
export async function noteChecksumOrigin(
  volume: FatVolume,
  name: string,
  sha1: string | null,
): Promise<void> {
  const record = await readChecksumRecord(volume);
  const key = name.toLowerCase();
  if (sha1 === null ? !record.has(key) : record.get(key) === sha1) return;
  if (sha1 === null) record.delete(key);
  else record.set(key, sha1);
  if (record.size === 0) {
    await removeIfPresent(volume, `/${RECORD_FILE}`);
    return;
  }
  const lines = [...record].map(([onCard, digest]) => formatSidecar(digest, onCard));
  await replaceSmallFile(volume, `/${RECORD_FILE}`, lines.join(''));
}

/** Where the checksum in `sidecarText` came from: recorded only while the record gives the same digest. */
export function checksumProvenance(
  record: ChecksumRecord,
  name: string,
  sidecarText: string | null,
): ChecksumProvenance {
  const recorded = record.get(name.toLowerCase());
  if (!recorded || sidecarText === null) return 'published';
  const base = name.slice(name.lastIndexOf('/') + 1);
  const parsed = parseSidecar(sidecarText, base, 'sha1');
  return parsed.ok && parsed.digest === recorded ? 'recorded' : 'published';
}
