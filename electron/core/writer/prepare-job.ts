/**
 * A checked job made ready to run: its sources read and what it needs on the card known before anything
 * is touched, then run by the card operations on the opened device. One entry per job kind, typed by the
 * job table, so each kind's result is what the table promises. Knows nothing of processes or sockets.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';

import type { BlockDevice } from '../block/block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../card/assets.js';
import { changeCardKeys } from '../card/card-keys.js';
import { changeSettingsOnCard } from '../card/card-settings.js';
import { type ImageSource, imageFromFile } from '../card/image-source.js';
import { addImages, removeImages } from '../card/images.js';
import {
  checkKeydisk,
  createKeydiskImage,
  createKeydiskOnCard,
  DEFAULT_KEYDISK_BYTES,
  putKeydiskOnCard,
  writeKeydiskToDevice,
} from '../card/keydisk.js';
import { updateLoader } from '../card/loader-update.js';
import { setCardSources } from '../card/network-source.js';
import { prepareCard, requiredBytes } from '../card/prepare.js';
import type { ProgressListener } from '../card/progress.js';
import { isReleaseRun, type ReleaseSource, releaseFromRunFile } from '../card/release-source.js';
import { repairCard } from '../card/repair-card.js';
import { revertCard } from '../card/revert.js';
import { checkImageContent, verifyBeforeErase } from '../card/source-checks.js';
import { verifyCard } from '../card/verify.js';
import type { JobKind, JobOf, JobResult, JobTable } from './jobs.js';
import { WriterError } from './writer-error.js';

export interface JobContext {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** A job ready to run: its sources read, and what it needs on the card known before anything is touched. */
export interface PreparedJob<Result> {
  plannedBytes?: number;
  run(disk: BlockDevice, context: JobContext): Promise<Result>;
}

/** Every kind that runs on one target (a provision job runs on many; see execute-provision.ts). */
export type SingleTargetKind = Exclude<JobKind, 'provision'>;

/** A job that runs on one target. */
export type SingleJob = { [K in SingleTargetKind]: JobOf<K> }[SingleTargetKind];

type Preparers = {
  [K in SingleTargetKind]: (job: JobOf<K>) => Promise<PreparedJob<JobTable[K]['result']>>;
};

const PREPARERS: Preparers = {
  async prepare(job) {
    const { images, releases } = await checkedSources(job.images);
    const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
    const keydiskBytes = job.keydisk ? (await stat(job.keydisk)).size : 0;
    return {
      plannedBytes: requiredBytes(
        { images, releases, loader, syslinux, ...(job.partitions ? { partitions: job.partitions } : {}) },
        keydiskBytes,
      ),
      run: async (disk, context) =>
        prepareCard(disk, {
          layout: job.layout ?? 'mbr',
          // Erasing comes next: every image's bytes are checked against its published checksum first.
          images: await verifyAll(images, context.onProgress),
          releases: await verifyReleases(releases, context.onProgress),
          keydisk: job.keydisk ? { path: job.keydisk } : null,
          ...(job.partitions ? { partitions: job.partitions } : {}),
          loader,
          syslinux,
          ...(job.console ? { console: job.console } : {}),
          loaderOptions: { onfail: job.onfail ?? 'shell' },
          ...context,
        }),
    };
  },
  async add(job) {
    const { images, releases } = await checkedSources(job.images);
    return {
      run: (disk, context) =>
        addImages(disk, images, {
          releases,
          ...(job.keep === undefined ? {} : { keep: job.keep }),
          ...context,
        }),
    };
  },
  async remove(job) {
    return { run: async (disk) => ({ removed: await removeImages(disk, job.images) }) };
  },
  async verify() {
    return { run: (disk, context) => verifyCard(disk, context) };
  },
  async repair() {
    return { run: (disk) => repairCard(disk) };
  },
  async revert() {
    return { run: (disk, context) => revertCard(disk, context) };
  },
  async 'loader-update'(job) {
    const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
    return {
      run: (disk, context) =>
        updateLoader(disk, { loader, syslinux, ...(job.force ? { force: true } : {}), ...context }),
    };
  },
  async sources(job) {
    return {
      run: (disk) =>
        setCardSources(disk, job.urls, {
          ...(job.cardFallback === undefined ? {} : { cardFallback: job.cardFallback }),
          ...(job.ip === undefined ? {} : { ip: job.ip }),
        }),
    };
  },
  async keys(job) {
    const add = await Promise.all(
      (job.add ?? []).map(async (path) => ({ name: basename(path), text: await readSmallText(path) })),
    );
    return { run: (disk) => changeCardKeys(disk, { add, ...(job.remove ? { remove: job.remove } : {}) }) };
  },
  async settings(job) {
    const changes = { ...(job.set ? { set: job.set } : {}), ...(job.unset ? { unset: job.unset } : {}) };
    return { run: (disk, context) => changeSettingsOnCard(disk, changes, context) };
  },
  async 'keydisk-place'(job) {
    const replace = job.replace ? { replace: true } : {};
    if (job.keydisk === null) {
      // Made on the card: a kd.img, or the whole ASTKD partition formatted when the card keeps it there.
      return { run: (disk, context) => createKeydiskOnCard(disk, { ...replace, ...context }) };
    }
    const data = await readKeydiskFile(job.keydisk);
    checkKeydisk(data, job.keydisk);
    return { run: (disk, context) => putKeydiskOnCard(disk, data, { ...replace, ...context }) };
  },
  async 'keydisk-whole'(job) {
    const data =
      job.keydisk === null
        ? createKeydiskImage(job.size ?? DEFAULT_KEYDISK_BYTES)
        : await readKeydiskFile(job.keydisk);
    checkKeydisk(data, job.keydisk ?? 'The new keydisk');
    return { plannedBytes: data.length, run: (disk, context) => writeKeydiskToDevice(disk, data, context) };
  },
};

export function prepareJob<J extends SingleJob>(job: J): Promise<PreparedJob<JobResult<J>>> {
  const preparer = PREPARERS[job.kind] as (job: J) => Promise<PreparedJob<JobResult<J>>>;
  return preparer(job);
}

/** A key file is two short lines; a file far larger is refused before it is read. */
async function readSmallText(path: string): Promise<string> {
  if ((await stat(path)).size > 4096) {
    throw new WriterError(
      'source-refused',
      `${path} is far too large to be a public key. Nothing was written.`,
    );
  }
  return readFile(path, 'utf8');
}

/**
 * The images and real AstLinux releases (their `.run`) a job names, each read and judged as the loader
 * will judge its content.
 */
export async function checkedSources(
  paths: string[],
): Promise<{ images: ImageSource[]; releases: ReleaseSource[] }> {
  const images: ImageSource[] = [];
  const releases: ReleaseSource[] = [];
  for (const path of paths) {
    if (isReleaseRun(path)) {
      const release = await releaseFromRunFile(path);
      await checkImageContent(path, release.run.name);
      releases.push(release);
    } else {
      const image = await imageFromFile(path);
      await checkImageContent(path, image.name);
      images.push(image);
    }
  }
  return { images, releases };
}

async function verifyAll(images: ImageSource[], onProgress?: ProgressListener) {
  const verified = [];
  for (const image of images) verified.push(await verifyBeforeErase(image, image.origin, onProgress));
  return verified;
}

export async function verifyReleases(releases: ReleaseSource[], onProgress?: ProgressListener) {
  const verified: ReleaseSource[] = [];
  for (const release of releases)
    verified.push({ ...release, run: await verifyBeforeErase(release.run, release.origin, onProgress) });
  return verified;
}

/** Keydisks are a few MiB; a file far larger is refused before it is read into memory. */
const MAX_KEYDISK_FILE = 64 * 1024 * 1024;

export async function readKeydiskFile(path: string): Promise<Uint8Array> {
  if ((await stat(path)).size > MAX_KEYDISK_FILE) {
    throw new WriterError('source-refused', `${path} is far too large to be a keydisk. Nothing was written.`);
  }
  return readFile(path);
}
