/** Adding and removing images on a prepared card. Sidecars go last on the way in and first on the way out. */
import { planBoot } from '../../../shared/boot-plan.js';
import { sidecarAlgorithm, sidecarFileName } from '../../../shared/checksums.js';
import { compareVersionRank, formatVersion, parseImageName, parseVersion } from '../../../shared/versions.js';
import type { BlockDevice } from '../block/block-device.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { CARD_FILES } from './assets.js';
import { CardError } from './card-error.js';
import { type IncomingSignature, judgeIncoming } from './card-signatures.js';
import { openCardVolume } from './card-volume.js';
import { noteChecksumOrigin } from './checksum-record.js';
import { type CopiedImage, copyImageToCard, removeIfPresent, signedListName } from './copy-image.js';
import type { ImageSource } from './image-source.js';
import { defaultLabel } from './loader-files.js';
import { setLoaderPin } from './loader-pin.js';
import type { ProgressListener } from './progress.js';
import type { ReleaseSource } from './release-source.js';
import {
  copyReleaseToCard,
  newestGoodRelease,
  readVer,
  removeRelease,
  runningRelease,
  switchVer,
} from './releases-on-card.js';

/** Directory entries, cluster rounding of image and sidecar: a margin so a card is never filled to the last byte. */
const SLACK_BYTES = 256 * 1024;

export interface AddImagesOptions {
  /** After success, keep only this many newest good images (never the one that booted before). */
  keep?: number;
  /** Real AstLinux releases to put into os/ beside the images. */
  releases?: ReleaseSource[];
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface AddImagesResult {
  added: CopiedImage[];
  removed: string[];
  /** What RUNNIX boots now (os/ver) and the release it keeps for a revert (os/Xver), when releases went in. */
  runnix: { ver: string; xver: string | null } | null;
  /** What the card makes of each added image's signature (status `no-keys` on a card that trusts none). */
  signatures: Array<{ name: string } & IncomingSignature>;
}

export async function addImages(
  disk: BlockDevice,
  sources: ImageSource[],
  options: AddImagesOptions = {},
): Promise<AddImagesResult> {
  if (options.keep !== undefined && (!Number.isInteger(options.keep) || options.keep < 1)) {
    throw new CardError('invalid-option', '--keep needs a whole number of images, 1 or more.');
  }
  const releases = options.releases ?? [];
  const card = await openCardVolume(disk);
  const { volume } = card;
  try {
    if (releases.length > 0 && (card.layout !== 'mbr' || card.partition?.index !== 0)) {
      throw new CardError(
        'wrong-layout',
        "Real AstLinux releases go only on a card whose FAT volume is partition 1 of an MBR disk: that is where AstLinux's own initrd looks. Prepare the card again with the MBR layout. Nothing was written.",
      );
    }
    const signatures = (await judgeIncoming(volume, sources)).map((judged, index) => ({
      name: (sources[index] as ImageSource).name,
      ...judged,
    }));
    refuseUntrusted(signatures);
    const before = await cardImages(volume);
    const bootedBefore = await bootingImage(volume);
    const replaced = (name: string) =>
      before.find((image) => image.name.toLowerCase() === name.toLowerCase());
    const needed =
      sources.reduce(
        (sum, source) => sum + source.size - (replaced(source.name)?.size ?? 0) + SLACK_BYTES,
        0,
      ) + releases.reduce((sum, release) => sum + release.run.size + release.initrd.size + SLACK_BYTES, 0);
    const free = await volume.freeBytes();
    if (needed > free) {
      const removable = before
        .filter((image) => image.name !== bootedBefore)
        .sort((a, b) => compareImages(a.name, b.name))
        .map((image) => image.name);
      const hint = removable.length > 0 ? ` Remove an older image first: ${removable.join(', ')}.` : '';
      throw new CardError(
        'no-space',
        `Not enough room on the card: ${mib(needed - free)} MiB more is needed.${hint}`,
        { detail: `needed ${needed}, free ${free}` },
      );
    }
    const added: CopiedImage[] = [];
    for (const source of sources) {
      added.push(await copyImageToCard(volume, source, options));
    }
    const runnix = releases.length > 0 ? await addReleases(volume, releases, added, options) : null;
    const removed = options.keep === undefined ? [] : await prune(volume, options.keep, bootedBefore);
    return { added, removed, signatures, runnix };
  } finally {
    await volume.close();
  }
}

/**
 * Releases go in the way AstLinux's own upgrade puts them (upgrade-run-image), made crash-safe: on a card
 * RUNNIX boots, the release os/Xver named goes first (to make room), each new release takes the running
 * one's KCMD additions, and os/ver switches to the newest added, last; on a card astcard's loader boots,
 * os/ver follows what that loader would pick, so RUNNIX (a fallback label) agrees with it.
 */
async function addReleases(
  volume: FatVolume,
  releases: ReleaseSource[],
  added: CopiedImage[],
  options: AddImagesOptions,
): Promise<{ ver: string; xver: string | null }> {
  const byRunnix = await bootsRunnix(volume);
  // Without os/ver RUNNIX boots a .run of its own choosing: that one is what a revert must return to.
  const running = byRunnix ? await runningRelease(volume) : await readVer(volume, 'ver');
  if (byRunnix) {
    const previous = await readVer(volume, 'Xver');
    const incoming = new Set(releases.map((release) => release.release.toLowerCase()));
    if (
      previous &&
      previous.toLowerCase() !== running?.toLowerCase() &&
      !incoming.has(previous.toLowerCase())
    ) {
      await removeRelease(volume, previous);
    }
  }
  for (const release of releases) {
    added.push(
      await copyReleaseToCard(volume, release, {
        carryFrom: running,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }
  const newest = byRunnix
    ? [...releases].sort((a, b) => compareVersionRank(b.version, a.version))[0]?.release
    : await newestGoodRelease(volume);
  // An upgrade means the new release: a pin left by an earlier revert would keep the loader on the old one.
  if (!byRunnix && newest) await setLoaderPin(volume, null);
  return newest
    ? switchVer(volume, newest, running)
    : { ver: running ?? '', xver: await readVer(volume, 'Xver') };
}

/** RUNNIX boots this card: its default label starts the `runnix` kernel (RUNNIX's own file name). */
export async function bootsRunnix(volume: FatVolume): Promise<boolean> {
  const config = (await volume.readdir('/')).find(
    (entry) => entry.isFile && entry.name.toLowerCase() === CARD_FILES.config.toLowerCase(),
  );
  if (!config || config.size > 65536) return false;
  const label = defaultLabel(new TextDecoder().decode(await volume.readFile(`/${config.name}`)));
  return label?.kernel?.toLowerCase() === 'runnix';
}

/**
 * Before anything is written: an image whose signed list fails its signature would never boot on a card
 * that trusts keys, and on a card that requires signatures neither would an unsigned one.
 */
function refuseUntrusted(signatures: Array<{ name: string } & IncomingSignature>): void {
  for (const judged of signatures) {
    if (judged.status === 'bad-signature') {
      throw new CardError(
        'untrusted-image',
        `${judged.name} comes with a signed list whose signature does not check out (${judged.reason}); the card would never boot it. Nothing was written. Get the image and its .sha256.sig again from the publisher.`,
      );
    }
    if (judged.policy === 'required' && judged.status !== 'signed') {
      throw new CardError(
        'untrusted-image',
        `This card boots only images signed by a key it trusts (astlinux.signed=required), and ${judged.name} is ${judged.status === 'unknown-key' ? `signed with another key (${judged.reason})` : 'not signed'}. Nothing was written.`,
      );
    }
  }
}

/** Removes images by version or file name; each image's sidecars go before the image itself. */
export async function removeImages(disk: BlockDevice, which: string[]): Promise<string[]> {
  const { volume } = await openCardVolume(disk);
  try {
    const images = await cardImages(volume);
    const targets = which.map((wanted) => {
      const found = images.find((image) => matches(image.name, wanted));
      if (!found) {
        throw new CardError(
          'image-not-found',
          `There is no image ${wanted} on this card. It holds: ${images.map((image) => image.name).join(', ') || 'no images'}.`,
        );
      }
      return found.name;
    });
    for (const name of targets) await removeImage(volume, name);
    await volume.flush();
    return targets;
  } finally {
    await volume.close();
  }
}

async function removeImage(volume: FatVolume, name: string): Promise<void> {
  await removeIfPresent(volume, signedListName(name));
  for (const algo of ['sha256', 'sha1'] as const) await removeIfPresent(volume, sidecarFileName(name, algo));
  await removeIfPresent(volume, name);
  await noteChecksumOrigin(volume, name, null);
}

interface CardImage {
  name: string;
  size: number;
}

async function cardImages(volume: FatVolume): Promise<CardImage[]> {
  const root = await volume.readdir('/');
  return root
    .filter((entry) => entry.isFile && /^astlinux-.*\.img$/i.test(entry.name))
    .map(({ name, size }) => ({ name, size }));
}

/** Images with a usable sidecar, in boot order (checksums not computed: sidecars are what a copy leaves last). */
async function goodImagesInBootOrder(volume: FatVolume): Promise<string[]> {
  const root = (await volume.readdir('/')).filter((entry) => entry.isFile);
  const sidecars: { [name: string]: string } = {};
  for (const entry of root) {
    if (sidecarAlgorithm(entry.name) !== null && entry.size < 4096) {
      sidecars[entry.name] = new TextDecoder().decode(await volume.readFile(entry.name));
    }
  }
  const plan = planBoot({ files: root.map(({ name, size }) => ({ name, size })), sidecars });
  return plan.candidates
    .filter((candidate) => candidate.rejection === null)
    .map((candidate) => candidate.name);
}

async function bootingImage(volume: FatVolume): Promise<string | null> {
  return (await goodImagesInBootOrder(volume))[0] ?? null;
}

async function prune(volume: FatVolume, keep: number, bootedBefore: string | null): Promise<string[]> {
  const good = await goodImagesInBootOrder(volume);
  // The newest `keep`, and whatever booted before this add: if the new image turns out bad, that one still boots.
  const kept = new Set(good.slice(0, keep));
  if (bootedBefore) kept.add(bootedBefore);
  const removed: string[] = [];
  for (const name of good) {
    if (kept.has(name)) continue;
    await removeImage(volume, name);
    removed.push(name);
  }
  await volume.flush();
  return removed;
}

function compareImages(a: string, b: string): number {
  const va = parseImageName(a);
  const vb = parseImageName(b);
  if (va.ok && vb.ok) return compareVersionRank(va.version, vb.version);
  return a.localeCompare(b);
}

function matches(name: string, wanted: string): boolean {
  if (name.toLowerCase() === wanted.toLowerCase()) return true;
  const parsed = parseImageName(name);
  const version = parseVersion(wanted.replace(/^v/i, ''));
  return parsed.ok && version.ok && formatVersion(parsed.version) === formatVersion(version.version);
}

function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}
