/**
 * The images and releases on a card and the loader's exact decision about them: the shared boot plan over
 * the card's listing (root and os/), its signatures under the card's policy, every checksum computed (not
 * in a quick look), and each candidate's content judged from its bytes the way the loader's mount and
 * kernel check would judge it.
 */

import type { ChecksumSource, ChecksumState } from '../../../shared/api.js';
import {
  type BootCandidate,
  type BootPlan,
  decideBoot,
  type ImageContent,
  planBoot,
  type Verdict,
} from '../../../shared/boot-plan.js';
import { sidecarFileName } from '../../../shared/checksums.js';
import type { SignaturePolicy, SignatureStatus } from '../../../shared/signed-images.js';
import { formatVersion } from '../../../shared/versions.js';
import type { BlockDevice } from '../block/block-device.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { judgeImageContent, KERNEL_PATH } from '../image-content/index.js';
import { CardError } from './card-error.js';
import { cardFileImage } from './card-file-image.js';
import type { CardListing } from './card-listing.js';
import { readCardSignatures } from './card-signatures.js';
import { checksumProvenance, readChecksumRecord } from './checksum-record.js';
import { digestChunks } from './hash.js';
import { byteProgress, cancellableChunks, type ProgressListener } from './progress.js';

/** The checksum state of an image as the CLI's --json and the app show it: the contract's own type. */
/** Where an image's checksum came from: the contract's own type. */
export type { ChecksumSource, ChecksumState };

export interface ImageSignature {
  status: 'signed' | 'unsigned' | 'bad-signature' | 'unknown-key';
  /** Who signed it (the trusted key's comment), for a signed image. */
  signer: string | null;
  /** Why a signature did not count. */
  reason: string | null;
}

export interface InspectedImage {
  /** As the boot plan lists it: `AstLinux-1.5.10.img`, or `os/astlinux-1.5.10.run` for a release. */
  name: string;
  /** `image`: astcard's format at the root; `release`: a real AstLinux release in os/. */
  kind: 'image' | 'release';
  version: string | null;
  size: number;
  checksum: ChecksumState;
  /** Null when the image has no usable checksum to be checked against. */
  checksumSource: ChecksumSource | null;
  /** Null when the card's policy leaves signatures out (`off`, or a card that trusts no key). */
  signature: ImageSignature | null;
  /** What its bytes hold, as far as booting goes; null when it was not judged (rejected before). */
  content: 'ok' | 'mount-failed' | 'no-kernel' | 'not-partition-1' | null;
  /** The boot plan's own verdict, finer than `checksum` (zero-length, not-a-version…). */
  verdict: Verdict;
  /** The loader's console line for this image. */
  line: string;
  boots: boolean;
}

export interface ImagesReport {
  images: InspectedImage[];
  /** What astcard's loader boots; `verified`: its checksum was computed here and matched. */
  boot: { image: string; version: string | null; verified: boolean } | null;
  bootLines: string[];
  signatures: { policy: SignaturePolicy; keys: number; notes: string[] };
  /** SHA-1s computed for `.sha1`-checked candidates, by name: RUNNIX's prediction reuses them. */
  sha1s: { [name: string]: string };
}

export interface InspectImagesOptions {
  quick: boolean;
  pin: string | null;
  /**
   * Where the card's FAT volume is, when AstLinux's own initrd would not find it there (it looks only on
   * partition 1): `a superfloppy (no partition table)`, `partition 2`. Null: partition 1, releases can start.
   */
  releasesCannotStart: string | null;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export async function inspectImages(
  volume: FatVolume,
  device: BlockDevice,
  listing: CardListing,
  options: InspectImagesOptions,
): Promise<ImagesReport> {
  const names = planBoot({
    files: listing.files,
    sidecars: listing.sidecars,
    runConfs: listing.runConfs,
  }).candidates.map((candidate) => candidate.name);
  const { policy, judgement } = await readCardSignatures(volume, names, listing.signedLists);
  const plan = planBoot({
    files: listing.files,
    sidecars: listing.sidecars,
    runConfs: listing.runConfs,
    pin: options.pin,
    signatures: policy === 'off' ? null : { policy, byName: judgement.byName },
  });

  const digests: { [name: string]: string } = {};
  const sha1s: { [name: string]: string } = {};
  if (!options.quick) {
    for (const candidate of plan.candidates) {
      if (!candidate.expected) continue;
      const digest = await hashOnCard(volume, candidate, candidate.expected.algo, options);
      digests[candidate.name] = digest;
      if (candidate.expected.algo === 'sha1') sha1s[candidate.name] = digest;
    }
  }
  const contents = await judgeContents(volume, device, plan, digests, options);
  const decision = decideBoot(plan, digests, contents);

  const record = await readChecksumRecord(volume);
  const images: InspectedImage[] = [];
  for (const [index, candidate] of plan.candidates.entries()) {
    const verdict = decision.verdicts[index];
    if (!verdict) continue;
    const content = contents[candidate.name];
    images.push({
      name: candidate.name,
      kind: candidate.kind,
      version: candidate.version ? formatVersion(candidate.version) : null,
      size: candidate.size,
      // An image that fails its mount or kernel check did match its checksum first.
      checksum: content && !content.ok && !options.quick ? 'ok' : checksumState(verdict.verdict),
      checksumSource: checksumSourceOf(candidate, listing, record),
      signature: policy === 'off' ? null : signatureOf(judgement.byName[candidate.name]),
      content: content === undefined ? null : content.ok ? 'ok' : content.verdict,
      verdict: verdict.verdict,
      line: verdict.line,
      boots: false,
    });
  }

  let bootName = decision.boot;
  let verified = true;
  if (options.quick) {
    // Without hashing, the loader would boot the first candidate it can check whose content is sound.
    const first = plan.candidates.find(
      (candidate) => candidate.rejection === null && contents[candidate.name]?.ok !== false,
    );
    bootName = first?.name ?? null;
    verified = false;
  }
  const booting = images.find((image) => image.name === bootName);
  let boot: ImagesReport['boot'] = null;
  if (booting) {
    booting.boots = true;
    boot = { image: booting.name, version: booting.version, verified };
  }
  return {
    images,
    boot,
    bootLines: decision.lines.slice(),
    signatures: { policy, keys: judgement.keys.length, notes: judgement.notes.slice() },
    sha1s,
  };
}

/** The SHA-1 of a `.run` RUNNIX would check, when the boot plan did not already compute it. */
export async function sha1OnCard(
  volume: FatVolume,
  name: string,
  size: number,
  options: Pick<InspectImagesOptions, 'onProgress' | 'signal'>,
): Promise<string> {
  return hashOnCard(volume, { name, size }, 'sha1', options);
}

async function hashOnCard(
  volume: FatVolume,
  file: { name: string; size: number },
  algo: 'sha1' | 'sha256',
  options: Pick<InspectImagesOptions, 'onProgress' | 'signal'>,
): Promise<string> {
  const hashed = await digestChunks(
    cancellableChunks(
      volume.chunksAhead(`/${file.name}`),
      options.signal,
      () => new CardError('cancelled', 'Checking the card was cancelled.'),
    ),
    algo,
    byteProgress(options.onProgress, 'hash', file.size, file.name),
    { readsAhead: true },
  );
  return hashed.digest;
}

/**
 * Each candidate the loader would mount, judged from its bytes: what it could check but not mount, or
 * mount but find no kernel in, it skips. A release is judged when it starts from the image's own
 * /boot/bzImage at offset 0 (the judge knows that path); one whose .run.conf names another kernel or an
 * OFFSET is judged only as far as its filesystem goes. A candidate whose checksum failed is not judged.
 */
async function judgeContents(
  volume: FatVolume,
  device: BlockDevice,
  plan: BootPlan,
  digests: { [name: string]: string },
  options: InspectImagesOptions,
): Promise<{ [name: string]: ImageContent }> {
  const contents: { [name: string]: ImageContent } = {};
  for (const candidate of plan.candidates) {
    if (candidate.rejection !== null || candidate.expected === null) continue;
    if (!options.quick && digests[candidate.name] !== candidate.expected.digest) continue;
    if (candidate.kind === 'release' && options.releasesCannotStart !== null) {
      contents[candidate.name] = {
        ok: false,
        verdict: 'not-partition-1',
        reason: `AstLinux's own initrd finds its card only on partition 1, and this card's FAT volume is ${options.releasesCannotStart}`,
      };
      continue;
    }
    const recipe = candidate.recipe;
    if (recipe && recipe.offset !== 0) continue;
    const image = await cardFileImage(volume, device, `/${candidate.name}`, candidate.size);
    const judged = await judgeImageContent(image.read, image.size);
    if (judged.ok) {
      contents[candidate.name] = { ok: true };
      continue;
    }
    // Content astcard cannot read (a compression it lacks) may well boot: no verdict rather than a wrong one.
    if (judged.verdict === 'unchecked') continue;
    const kernelElsewhere =
      recipe !== null && (recipe.kernel.where !== 'image' || recipe.kernel.path !== KERNEL_PATH);
    if (judged.verdict === 'no-kernel' && kernelElsewhere) continue;
    contents[candidate.name] = { ok: false, verdict: judged.verdict, reason: judged.reason };
  }
  return contents;
}

function checksumSourceOf(
  candidate: BootCandidate,
  listing: CardListing,
  record: Awaited<ReturnType<typeof readChecksumRecord>>,
): ChecksumSource | null {
  if (candidate.signedBy) return 'signed';
  if (!candidate.expected) return null;
  const sidecar = sidecarFileName(candidate.name, candidate.expected.algo);
  const text = Object.entries(listing.sidecars).find(
    ([name]) => name.toLowerCase() === sidecar.toLowerCase(),
  )?.[1];
  return checksumProvenance(record, candidate.name, text ?? null);
}

function signatureOf(status: SignatureStatus | undefined): ImageSignature {
  if (!status || status.status === 'unsigned') return { status: 'unsigned', signer: null, reason: null };
  if (status.status === 'signed') return { status: 'signed', signer: status.signer, reason: null };
  return { status: status.status, signer: null, reason: status.reason };
}

function checksumState(verdict: Verdict): ChecksumState {
  switch (verdict) {
    case 'ok':
      return 'ok';
    case 'mismatch':
    case 'zero-length':
      return 'mismatch';
    case 'missing-sidecar':
      return 'missing';
    case 'malformed-sidecar':
      return 'malformed';
    default:
      return 'unverified';
  }
}
