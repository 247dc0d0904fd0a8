/**
 * One card of a batch: prepared like any card, then checked as a reseller needs before shipping it — each
 * image equal to the one source read the whole batch shared, the keydisk read back past the OS cache, and
 * the card doctor finding a card that boots what was written.
 */
import { createHash } from 'node:crypto';
import type { BlockDevice } from '../block/block-device.js';
import { uncachedView } from '../block/uncached-view.js';
import type { SyslinuxBinaries } from '../syslinux/binaries.js';
import { CARD_FILES, type LoaderAssets } from './assets.js';
import { CardError } from './card-error.js';
import { OS_FOLDER } from './card-listing.js';
import { openCardVolume } from './card-volume.js';
import type { ImageSource } from './image-source.js';
import { inspectCard } from './inspect.js';
import { type PrepareResult, prepareCard } from './prepare.js';
import type { ProgressListener } from './progress.js';
import type { ReleaseSource } from './release-source.js';

export interface ProvisionOptions {
  images: ImageSource[];
  /** Real AstLinux releases, each card reading them itself (they go into os/, on an MBR card). */
  releases?: ReleaseSource[];
  keydisk: Uint8Array | null;
  layout?: 'mbr' | 'superfloppy';
  loader: LoaderAssets;
  syslinux: SyslinuxBinaries;
  /** The SHA-1 of image `index` as the batch's one shared read saw it (null when not known). */
  sharedDigest?: (index: number) => string | null;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface ProvisionedCard {
  /** The card's size in bytes. */
  size: number;
  prepared: PrepareResult;
  /** SHA-1 of the keydisk written, null without one. */
  keydiskSha1: string | null;
}

export async function provisionDisk(disk: BlockDevice, options: ProvisionOptions): Promise<ProvisionedCard> {
  const { keydisk } = options;
  const prepared = await prepareCard(disk, {
    images: options.images,
    ...(options.releases ? { releases: options.releases } : {}),
    keydisk: keydisk ? { data: keydisk } : null,
    loader: options.loader,
    syslinux: options.syslinux,
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  prepared.images.forEach((image, index) => {
    const shared = options.sharedDigest?.(index) ?? null;
    if (shared && shared !== image.sha1) {
      throw new CardError(
        'card-check-failed',
        `${image.name} on this card differs from the source read for the batch. Try the card again.`,
        { detail: `source ${shared}, card ${image.sha1}` },
      );
    }
  });
  await checkFinishedCard(
    disk,
    // Releases come after the images, named by their file in os/ as inspect names them.
    prepared.images.map((image, index) =>
      index < options.images.length ? image.name : `${OS_FOLDER}/${image.name}`,
    ),
    keydisk !== null,
  );
  // The images were read back as they were copied; the keydisk is read back here, past the OS cache.
  if (keydisk) await checkKeydiskOnCard(disk, keydisk);
  return {
    size: disk.size,
    prepared,
    keydiskSha1: keydisk ? createHash('sha1').update(keydisk).digest('hex') : null,
  };
}

async function checkKeydiskOnCard(disk: BlockDevice, keydisk: Uint8Array): Promise<void> {
  const { volume } = await openCardVolume(uncachedView(disk), { readOnly: true });
  const onCard = await volume.readFile(CARD_FILES.keydisk);
  if (Buffer.compare(onCard, keydisk) !== 0) {
    throw new CardError(
      'card-check-failed',
      'The keydisk reads back differently from what was written: the card may be failing. Try another card.',
      { detail: `${CARD_FILES.keydisk}: ${onCard.length} bytes read back, ${keydisk.length} written` },
    );
  }
}

/** The card doctor's view of the finished card: what the loader would boot, and nothing it complains of. */
async function checkFinishedCard(disk: BlockDevice, images: string[], keydisk: boolean): Promise<void> {
  const report = await inspectCard(disk, { quick: true });
  const missing = images.filter(
    (name) => !report.images.some((image) => image.name === name && image.checksum !== 'missing'),
  );
  const problems = [
    ...(!report.astlinux ? ['not an AstLinux card'] : []),
    ...(!report.boot ? ['the loader would boot nothing'] : []),
    ...(!report.syslinux?.bootable ? ['not bootable'] : []),
    ...missing.map((name) => `${name} missing`),
    ...(keydisk && !report.keydisk.present ? ['kd.img missing'] : []),
  ];
  if (problems.length > 0) {
    throw new CardError('card-check-failed', 'The finished card does not check out. Try another card.', {
      detail: problems.join('; '),
    });
  }
}
