/** A checked job, run by the card operations on the opened device. Knows nothing of processes or sockets. */
import { readFile, stat } from 'node:fs/promises';

import type { BlockDevice } from '../block/block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../card/assets.js';
import { imageFromFile } from '../card/image-source.js';
import { addImages, removeImages } from '../card/images.js';
import { inspectCard } from '../card/inspect.js';
import { checkKeydisk, createKeydiskImage, putKeydiskOnCard } from '../card/keydisk.js';
import { updateLoader } from '../card/loader-update.js';
import { setCardSources } from '../card/network-source.js';
import { prepareCard, requiredBytes } from '../card/prepare.js';
import type { ProgressListener } from '../card/progress.js';
import type { WriterJob } from './jobs.js';
import { WriterError } from './writer-error.js';

export interface JobContext {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** A job ready to run: its sources read, and what it needs on the card known before anything is touched. */
export interface PreparedJob {
  plannedBytes?: number;
  run(disk: BlockDevice, context: JobContext): Promise<unknown>;
}

export async function prepareJob(job: WriterJob): Promise<PreparedJob> {
  switch (job.kind) {
    case 'prepare': {
      const images = await Promise.all(job.images.map((path) => imageFromFile(path)));
      const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
      const keydiskBytes = job.keydisk ? (await stat(job.keydisk)).size : 0;
      return {
        plannedBytes: requiredBytes({ images, loader, syslinux }, keydiskBytes),
        run: (disk, context) =>
          prepareCard(disk, {
            layout: job.layout ?? 'mbr',
            images,
            keydisk: job.keydisk ? { path: job.keydisk } : null,
            loader,
            syslinux,
            ...(job.console ? { console: job.console } : {}),
            loaderOptions: { onfail: job.onfail ?? 'shell' },
            ...context,
          }),
      };
    }
    case 'add': {
      const sources = await Promise.all(job.images.map((path) => imageFromFile(path)));
      return {
        run: (disk, context) =>
          addImages(disk, sources, { ...(job.keep === undefined ? {} : { keep: job.keep }), ...context }),
      };
    }
    case 'remove':
      return { run: async (disk) => ({ removed: await removeImages(disk, job.images) }) };
    case 'verify':
      return {
        run: async (disk, context) => {
          const report = await inspectCard(
            disk,
            context.onProgress ? { onProgress: context.onProgress } : {},
          );
          return {
            images: report.images,
            boot: report.boot,
            ok: report.astlinux && report.images.every((image) => image.checksum === 'ok'),
          };
        },
      };
    case 'loader-update': {
      const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
      return {
        run: (disk, context) =>
          updateLoader(disk, { loader, syslinux, ...(job.force ? { force: true } : {}), ...context }),
      };
    }
    case 'sources':
      return {
        run: (disk) =>
          setCardSources(disk, job.urls, {
            ...(job.cardFallback === undefined ? {} : { cardFallback: job.cardFallback }),
            ...(job.ip === undefined ? {} : { ip: job.ip }),
          }),
      };
    case 'keydisk-place': {
      const data = job.keydisk === null ? createKeydiskImage() : await readKeydiskFile(job.keydisk);
      checkKeydisk(data, job.keydisk ?? 'The new keydisk');
      return {
        run: (disk, context) =>
          putKeydiskOnCard(disk, data, { ...(job.replace ? { replace: true } : {}), ...context }),
      };
    }
  }
}

/** Keydisks are a few MiB; a file far larger is refused before it is read into memory. */
const MAX_KEYDISK_FILE = 64 * 1024 * 1024;

async function readKeydiskFile(path: string): Promise<Uint8Array> {
  if ((await stat(path)).size > MAX_KEYDISK_FILE) {
    throw new WriterError('source-refused', `${path} is far too large to be a keydisk. Nothing was written.`);
  }
  return readFile(path);
}
