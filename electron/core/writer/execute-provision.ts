/**
 * A provision job: the batch's cards, all at once. The sources are checked and read once for every card;
 * each card then passes the same checks as any single job (identity, drive rules, unmount, identity again)
 * and is prepared from one shared read of each image (card/prepare-many.ts), read back and checked. One
 * card failing — its checks, a write error, a failed read-back — fails that card alone.
 */
import type { BlockDevice } from '../block/block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../card/assets.js';
import { checkKeydisk } from '../card/keydisk.js';
import { requiredBytes } from '../card/prepare.js';
import { fanOut } from '../card/prepare-many.js';
import type { Progress } from '../card/progress.js';
import { provisionDisk } from '../card/provision.js';
import { verifyBeforeErase } from '../card/source-checks.js';
import { errorData } from '../errors.js';
import { type DeviceOpener, finishOnTarget, type OpenedTarget, openCheckedTarget } from './execute.js';
import type { HelperSpec, TargetSpec } from './helper-spec.js';
import { type JobOf, jobSourcePaths, type ProvisionOutcome } from './jobs.js';
import { checkedSources, readKeydiskFile, verifyReleases } from './prepare-job.js';
import type { WriterStep } from './protocol.js';
import { checkSources } from './source-check.js';

/** What a provision job reports as it goes, per card (the index of the card in the job). */
export interface ProvisionHooks {
  onStep?: (card: number, step: WriterStep) => void;
  onProgress?: (card: number, progress: Progress) => void;
  /** A card is finished, well or not: reported at once, before the slower cards are. */
  onOutcome?: (card: number, outcome: ProvisionOutcome) => void;
  signal?: AbortSignal;
}

export interface ProvisionTuning {
  /** Per card, how far it may lag behind the shared source reader before reading on its own. */
  maxBufferedBytes?: number;
  openDevice?: DeviceOpener;
}

export async function executeProvision(
  targets: TargetSpec[],
  user: HelperSpec['user'],
  job: JobOf<'provision'>,
  hooks: ProvisionHooks = {},
  tuning: ProvisionTuning = {},
): Promise<ProvisionOutcome[]> {
  const sourcePaths = jobSourcePaths(job);
  for (const card of targets.keys()) hooks.onStep?.(card, 'checking');
  await checkSources(sourcePaths, user);
  const sources = await checkedSources(job.images);
  const { images } = sources;
  // Every card of the batch is erased next: the images' bytes are checked against their checksums first.
  for (const image of images) await verifyBeforeErase(image, image.origin);
  // Releases are read by each card from the staged files (their .run is checked here once, for all).
  const releases = await verifyReleases(sources.releases);
  const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
  const keydisks = await readKeydisks(job.cards.map((card) => card.keydisk));
  const plannedBytes = requiredBytes(
    { images, releases, loader, syslinux },
    Math.max(0, ...keydisks.map((data) => data?.length ?? 0)),
  );

  const outcomes: ProvisionOutcome[] = new Array(targets.length);
  const settle = (card: number, outcome: ProvisionOutcome) => {
    outcomes[card] = outcome;
    hooks.onOutcome?.(card, outcome);
  };
  const failed = (error: unknown): ProvisionOutcome => ({ ok: false, error: errorData(error) });

  const opened: Array<{ card: number; target: OpenedTarget }> = [];
  for (const [card, spec] of targets.entries()) {
    try {
      const target = await openCheckedTarget(
        spec,
        { sourcePaths, writes: true, plannedBytes },
        (step) => hooks.onStep?.(card, step),
        tuning.openDevice,
      );
      opened.push({ card, target });
    } catch (error) {
      settle(card, failed(error));
    }
  }

  const fans = images.map((image) =>
    fanOut(
      image,
      opened.length,
      tuning.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: tuning.maxBufferedBytes },
    ),
  );
  await Promise.all(
    opened.map(({ card, target }, reader) =>
      finishOnTarget(
        target,
        'provision',
        { onStep: (step) => hooks.onStep?.(card, step) },
        (disk: BlockDevice) =>
          provisionDisk(disk, {
            images: fans.map((fan) => fan.sources[reader] as (typeof fan.sources)[number]),
            releases,
            keydisk: keydisks[card] ?? null,
            ...(job.layout ? { layout: job.layout } : {}),
            loader,
            syslinux,
            sharedDigest: (index) => fans[index]?.sourceSha1() ?? null,
            onProgress: (progress) => hooks.onProgress?.(card, progress),
            ...(hooks.signal ? { signal: hooks.signal } : {}),
          }),
      )
        .then(
          ({ result, ejected }) => settle(card, { ok: true, card: result, ejected }),
          (error: unknown) => settle(card, failed(error)),
        )
        .finally(() => {
          for (const fan of fans) fan.release(reader);
        }),
    ),
  );
  return outcomes;
}

/** Each card's keydisk, read once per file however many cards share it, and checked as a keydisk. */
async function readKeydisks(paths: Array<string | null>): Promise<Array<Uint8Array | null>> {
  const read = new Map<string, Uint8Array>();
  const keydisks: Array<Uint8Array | null> = [];
  for (const path of paths) {
    if (path === null) {
      keydisks.push(null);
      continue;
    }
    let data = read.get(path);
    if (!data) {
      data = await readKeydiskFile(path);
      checkKeydisk(data, path);
      read.set(path, data);
    }
    keydisks.push(data);
  }
  return keydisks;
}
