/**
 * Revert: go back to the release the card ran before its last upgrade (os/Xver), the way AstLinux's own
 * revert does, made safe.
 *
 * - Nothing is written until the release os/Xver names has been read back from the card and matches its
 *   checksum, complete (`.run.conf` with its KCMD, initrd): RUNNIX boots whatever os/ver names, checked or
 *   not, so a revert onto a damaged release could leave a card that does not start.
 * - On a card RUNNIX boots: os/Xver takes what RUNNIX runs now (os/ver, or its own choice when there is no
 *   os/ver), then os/ver switches to the old release in one rename. A cut leaves os/ver old or new, both
 *   verified releases.
 * - On a card astcard's loader boots, os/ver decides nothing: that loader boots the newest release that
 *   verifies. What a person means by "revert" there is "boot the previous release from now on", so the
 *   previous release is pinned (`astlinux.pin`, which still falls back to the newest good one if the pinned
 *   one ever stops verifying); reverting back to the newest removes the pin, and so does the next `add` of a
 *   release. os/ver and os/Xver are swapped too, last, so RUNNIX (a fallback label there) agrees.
 */
import { findCandidate, judgeCandidate, planBoot } from '../../../shared/boot-plan.js';
import type { BlockDevice } from '../block/block-device.js';
import { uncachedView } from '../block/uncached-view.js';
import type { FatVolume } from '../fat/fat-volume.js';
import { CardError } from './card-error.js';
import { OS_FOLDER, readCardListing } from './card-listing.js';
import { openCardVolume } from './card-volume.js';
import { digestChunks } from './hash.js';
import { bootsRunnix } from './images.js';
import { setLoaderPin } from './loader-pin.js';
import { byteProgress, cancellableChunks, checkCancelled, type ProgressListener } from './progress.js';
import { readVer, runningRelease, sameRelease, switchVer } from './releases-on-card.js';

export interface RevertOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface RevertResult {
  /** The loader the card starts, and so what was changed: os/ver (RUNNIX) or the pin (astcard's loader). */
  by: 'runnix' | 'astcard';
  /** The release the card boots now. */
  boots: string;
  /** The release a further revert would go back to (os/Xver). */
  previous: string | null;
  /** On a card astcard's loader boots: the pin now on it (null: none, it boots the newest that verifies). */
  pin: string | null;
}

export async function revertCard(disk: BlockDevice, options: RevertOptions = {}): Promise<RevertResult> {
  const cancelled = () => new CardError('cancelled', 'The revert was cancelled; nothing was changed.');
  const plan = await planRevert(disk, options, cancelled);
  checkCancelled(options.signal, cancelled);
  const { volume } = await openCardVolume(disk);
  try {
    if (plan.by === 'astcard') {
      const pin =
        plan.newestWithoutPin && sameRelease(plan.newestWithoutPin, plan.target) ? null : plan.target;
      await setLoaderPin(volume, pin);
      const switched = await switchVer(volume, plan.target, plan.running);
      await volume.flush();
      return { by: 'astcard', boots: plan.target, previous: switched.xver, pin };
    }
    const switched = await switchVer(volume, plan.target, plan.running);
    await volume.flush();
    return { by: 'runnix', boots: switched.ver, previous: switched.xver, pin: null };
  } finally {
    await volume.close();
  }
}

interface RevertPlan {
  by: 'runnix' | 'astcard';
  /** The release to go back to: os/Xver's. */
  target: string;
  /** What the card runs now (RUNNIX's choice, or os/ver on a card astcard's loader boots). */
  running: string | null;
  /** What astcard's loader boots without a pin, as far as names and checksum files tell. */
  newestWithoutPin: string | null;
}

/** Everything decided and checked before the first write, reading past any cache. */
async function planRevert(
  disk: BlockDevice,
  options: RevertOptions,
  cancelled: () => CardError,
): Promise<RevertPlan> {
  const card = await openCardVolume(uncachedView(disk), { readOnly: true });
  const { volume } = card;
  try {
    const by = (await bootsRunnix(volume)) ? 'runnix' : 'astcard';
    const target = await readVer(volume, 'Xver');
    const running = by === 'runnix' ? await runningRelease(volume) : await readVer(volume, 'ver');
    if (target === null) {
      throw new CardError(
        'cannot-revert',
        by === 'runnix'
          ? 'There is nothing to revert to: os/Xver, which names the release this card ran before its last upgrade, is not on the card. Nothing was changed. To run another release, add it (astcard add).'
          : "There is nothing to revert to: this card records no previous release (os/Xver). Nothing was changed. astcard's loader boots the newest release that verifies; to go back, remove the newer release (astcard remove) or add the one you want.",
      );
    }
    if (running !== null && sameRelease(running, target)) {
      throw new CardError(
        'cannot-revert',
        `This card already runs ${target}, the release os/Xver names: there is nothing to revert. Nothing was changed.`,
      );
    }
    await checkRelease(volume, target, options, cancelled);
    const listing = await readCardListing(volume);
    const unpinned = planBoot({
      files: listing.files,
      sidecars: listing.sidecars,
      runConfs: listing.runConfs,
    });
    const first = unpinned.candidates.find((candidate) => candidate.rejection === null);
    const newestWithoutPin =
      first?.kind === 'release' ? first.name.replace(/^os\//i, '').replace(/\.run$/i, '') : null;
    return { by, target, running, newestWithoutPin };
  } finally {
    await volume.close();
  }
}

/** Refuses unless `release` is on the card whole: its files in place and its `.run` matching its checksum. */
async function checkRelease(
  volume: FatVolume,
  release: string,
  options: RevertOptions,
  cancelled: () => CardError,
): Promise<void> {
  const listing = await readCardListing(volume);
  const name = `${OS_FOLDER}/${release}.run`;
  const again = `Nothing was changed. Add ${release} again from its archive (astcard add <card> ${release}.tar.gz); adding it switches the card to it.`;
  const plan = planBoot({ files: listing.files, sidecars: listing.sidecars, runConfs: listing.runConfs });
  const candidate = findCandidate(plan, name);
  const file = listing.files.find((entry) => entry.name.toLowerCase() === name.toLowerCase());
  if (!candidate || !file) {
    throw new CardError(
      'cannot-revert',
      `The release to revert to, ${release} (os/Xver), is no longer on the card (${name} is missing). ${again}`,
    );
  }
  if (candidate.rejection) {
    throw new CardError(
      'cannot-revert',
      `The release to revert to, ${release}, cannot start: ${candidate.rejection.reason}. ${again}`,
    );
  }
  const algo = candidate.expected?.algo ?? 'sha1';
  const hashed = await digestChunks(
    cancellableChunks(volume.chunksAhead(`/${file.name}`), options.signal, cancelled),
    algo,
    byteProgress(options.onProgress, 'verify', file.size, file.name),
    { readsAhead: true },
  );
  const verdict = judgeCandidate(candidate, hashed.digest);
  if (verdict.verdict !== 'ok') {
    throw new CardError(
      'cannot-revert',
      `The release to revert to, ${release}, does not match its checksum: it is damaged, and the card might not start with it. ${again}`,
      { detail: verdict.line },
    );
  }
}
