/**
 * The API the window talks to, implemented over the core. It knows nothing of Electron: main.ts gives it
 * the system's file dialog, the dev/test bridge gives it none, and both carry it to the window unchanged.
 */
import { resolve } from 'node:path';
import type {
  AddImagesRequest,
  AppInfo,
  AstcardApi,
  CardSummary,
  CardView,
  JobProgress,
  PickPurpose,
  PreparedCard,
  PrepareRequest,
} from '../../shared/api.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../core/card/assets.js';
import { addImages, removeImages } from '../core/card/images.js';
import { inspectCard } from '../core/card/inspect.js';
import {
  createKeydiskImage,
  putKeydiskOnCard,
  readKeydiskFromCard,
  saveKeydisk,
} from '../core/card/keydisk.js';
import { updateLoader } from '../core/card/loader-update.js';
import { type PrepareOptions, type PrepareResult, prepareCard } from '../core/card/prepare.js';
import type { ProgressListener } from '../core/card/progress.js';
import { resolveImageSources } from '../core/card/sources.js';
import { openTarget } from '../core/card/target.js';
import { errorData } from '../core/errors.js';
import { ejectDrive } from '../core/writer/eject.js';
import type { WriterJob } from '../core/writer/jobs.js';
import { AppError } from './app-error.js';
import { batchApi } from './batch.js';
import { CardRegistry } from './card-registry.js';
import { statusOf, viewOf } from './card-status.js';
import { type DriveSource, drivelistSource, recordOf } from './drive-source.js';
import { type DriveWriteOptions, prepareDrivePlan, stageForDrive, writeDrive } from './drive-writer.js';
import { createFileImage } from './image-file.js';
import { Jobs } from './jobs.js';
import { keydiskFor, readKeydiskFile } from './keydisk.js';
import { networkApi } from './network-api.js';
import { perKeyQueue } from './per-key-queue.js';
import { refusePrepare } from './prepare-checks.js';

export interface ServiceOptions {
  appVersion: string;
  /** The system's file dialog (Electron); without one the window asks for a path. */
  pickPath?: (purpose: PickPurpose) => Promise<string[] | null>;
  drives?: DriveSource;
  /** How often the drive list is polled while someone listens; hotplug shows within this. */
  pollMs?: number;
  /** How often a running station looks for newly inserted cards (1 s by default). */
  stationPollMs?: number;
}

export interface AstcardService {
  api: AstcardApi;
  close(): void;
}

export function createAstcardService(options: ServiceOptions): AstcardService {
  const registry = new CardRegistry(options.drives ?? drivelistSource);
  const cardListeners = new Set<(cards: CardSummary[]) => void>();
  const progressListeners = new Set<(progress: JobProgress) => void>();
  const jobs = new Jobs((progress) => {
    for (const listener of progressListeners) listener(progress);
  });
  let lastSent = '';
  let loaderVersion: string | null | undefined;

  async function publish(force = false): Promise<CardSummary[]> {
    const cards = await registry.summaries();
    const text = JSON.stringify(cards);
    if (force || text !== lastSent) {
      lastSent = text;
      for (const listener of cardListeners) listener(cards);
    }
    return cards;
  }

  let polling = false;
  const timer = setInterval(() => {
    if (cardListeners.size === 0 || polling) return;
    polling = true;
    registry
      .refreshDrives()
      .then((changed) => (changed ? publish() : undefined))
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      });
  }, options.pollMs ?? 1000);
  timer.unref();

  async function card(id: string): Promise<CardSummary> {
    const found = await registry.summary(id);
    if (!found) {
      throw new AppError(
        'card-gone',
        'That card is no longer here. Plug it back in or open its image again.',
      );
    }
    return found;
  }

  async function appLoader(): Promise<string | null> {
    if (loaderVersion === undefined)
      loaderVersion = await loadLoaderAssets().then(
        (l) => l.version,
        () => null,
      );
    return loaderVersion;
  }

  const oneAtATime = perKeyQueue();

  function look(id: string, quick: boolean, onProgress?: ProgressListener): Promise<CardView> {
    return oneAtATime(id, () => lookNow(id, quick, onProgress));
  }

  async function lookNow(id: string, quick: boolean, onProgress?: ProgressListener): Promise<CardView> {
    const summary = await card(id);
    const disk = await openTarget(id, { readOnly: true });
    try {
      const report = await inspectCard(disk, {
        quick,
        appLoaderVersion: await appLoader(),
        ...(onProgress ? { onProgress } : {}),
      });
      // A quick look must not take away the ✓ an earlier full check earned.
      if (!quick || !summary.status.endsWith('✓') || statusOf(report).tone !== 'good') {
        registry.setStatus(id, statusOf(report));
      }
      await publish();
      return viewOf((await registry.summary(id)) ?? summary, report);
    } finally {
      await disk.close();
    }
  }

  /** Opens a card for writing, runs `change`, and makes sure the list learns it changed. */
  function change<T>(
    id: string,
    work: (disk: Awaited<ReturnType<typeof openTarget>>) => Promise<T>,
    systemConfirmed = false,
  ): Promise<T> {
    return oneAtATime(id, () => changeNow(id, work, systemConfirmed));
  }

  async function changeNow<T>(
    id: string,
    work: (disk: Awaited<ReturnType<typeof openTarget>>) => Promise<T>,
    systemConfirmed: boolean,
  ): Promise<T> {
    const summary = await card(id);
    if (summary.system && !systemConfirmed) {
      throw new AppError(
        'system-drive',
        `${summary.location} is a system drive; astcard will not change it.`,
      );
    }
    registry.invalidate(id);
    const disk = await openTarget(id);
    try {
      const value = await work(disk);
      await disk.flush();
      return value;
    } finally {
      await disk.close();
      await publish();
    }
  }

  /** Runs a writer job on a drive, one job per card at a time, and makes sure the list learns it changed. */
  function onDrive(
    id: string,
    job: WriterJob,
    options: DriveWriteOptions,
    typedName?: string,
  ): Promise<unknown> {
    return oneAtATime(id, async () => {
      registry.invalidate(id);
      try {
        return await writeDrive(
          { device: id, identity: await registry.identity(id), ...(typedName ? { typedName } : {}) },
          job,
          options,
        );
      } finally {
        registry.invalidate(id);
        await publish();
      }
    });
  }

  /**
   * A Card view change: drives through the writer (a system drive is never changed from here), image
   * files in this process.
   */
  async function changeCard<T>(
    id: string,
    job: WriterJob,
    work: (disk: Awaited<ReturnType<typeof openTarget>>) => Promise<T>,
    options: DriveWriteOptions = {},
  ): Promise<void> {
    const summary = await card(id);
    if (summary.kind !== 'drive') {
      await change(id, work);
      return;
    }
    if (summary.system) {
      throw new AppError(
        'system-drive',
        `${summary.location} is a system drive; astcard will not change it.`,
      );
    }
    await onDrive(id, job, options);
  }

  const api: AstcardApi = {
    async appInfo(): Promise<AppInfo> {
      return {
        version: options.appVersion,
        loaderVersion: await appLoader(),
        nativeDialogs: options.pickPath !== undefined,
        platform: process.platform,
      };
    },
    async listCards() {
      await registry.refreshDrives();
      return publish();
    },
    async openCardImage(path) {
      const id = await registry.addImageFile(resolve(path));
      const summary = await card(id);
      if (summary.status === 'The file is gone') {
        registry.removeImageFile(id);
        throw new AppError(
          'file-missing',
          `There is no file at ${path}. Check the name, or make a new card image.`,
        );
      }
      await publish();
      return summary;
    },
    async createCardImage(path, size) {
      await createFileImage(resolve(path), size);
      return api.openCardImage(path);
    },
    async closeCardImage(id) {
      registry.removeImageFile(id);
      await publish();
    },
    inspectCard: (id) => look(id, true),
    verifyCard: (id, jobId) => jobs.run(jobId, ({ progressFor }) => look(id, false, progressFor(id))),
    async prepareCards(request: PrepareRequest): Promise<PreparedCard[]> {
      const targets = await Promise.all(request.cards.map((id) => card(id)));
      const plan = await prepareDrivePlan(request.images, request.keydisk);
      refusePrepare(
        request,
        targets,
        (id) => registry.drive(id)?.mountpoints ?? [],
        (id) => registry.classified(id, plan)?.reasons ?? [],
      );
      return jobs.run(request.jobId, async ({ signal, progressFor }) => {
        // Image files are written here; drives by the writer, which reads local files only.
        let inProcess: Promise<Pick<PrepareOptions, 'images' | 'loader' | 'syslinux'>> | undefined;
        const inProcessInputs = () => {
          inProcess ??= (async () => {
            const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
            return { loader, syslinux, images: await resolveImageSources(request.images, { signal }) };
          })();
          return inProcess;
        };
        const staged = targets.some((target) => target.kind === 'drive')
          ? await stageForDrive(request.images, request.keydisk, signal)
          : null;
        const outcomes: PreparedCard[] = [];
        try {
          // One card after another: a card that fails is recorded beside it and never stops the others.
          for (const target of targets) {
            try {
              const result =
                staged && target.kind === 'drive'
                  ? await onDrive(
                      target.id,
                      {
                        kind: 'prepare',
                        images: staged.images,
                        layout: request.layout,
                        keydisk: staged.keydisk,
                      },
                      { onProgress: progressFor(target.id), signal },
                      request.typedNames?.[target.id],
                    ).then((value) => value as PrepareResult)
                  : await change(
                      target.id,
                      async (disk) =>
                        prepareCard(disk, {
                          ...(await inProcessInputs()),
                          layout: request.layout,
                          keydisk: keydiskFor(request.keydisk),
                          onProgress: progressFor(target.id),
                          signal,
                        }),
                      true,
                    );
              outcomes.push({
                cardId: target.id,
                ok: true,
                images: result.images,
                keydisk: result.keydisk,
                loaderVersion: result.loaderVersion,
                fatType: result.fatType,
                label: result.label,
              });
            } catch (error) {
              outcomes.push({ cardId: target.id, ok: false, error: errorData(error) });
            }
          }
        } finally {
          await staged?.cleanup();
        }
        return outcomes;
      });
    },
    async planPrepare(images, keydisk) {
      registry.setPlan(images.length > 0 ? await prepareDrivePlan(images, keydisk) : {});
      return publish();
    },
    async addImages(request: AddImagesRequest) {
      await jobs.run(request.jobId, async ({ signal, progressFor }) => {
        if ((await card(request.cardId)).kind === 'drive') {
          const staged = await stageForDrive(request.sources, { mode: 'none' }, signal);
          try {
            const job: WriterJob = { kind: 'add', images: staged.images };
            await changeCard(request.cardId, job, async () => undefined, {
              onProgress: progressFor(request.cardId),
              signal,
            });
          } finally {
            await staged.cleanup();
          }
          return;
        }
        const sources = await resolveImageSources(request.sources, { signal });
        await change(request.cardId, (disk) =>
          addImages(disk, sources, { onProgress: progressFor(request.cardId), signal }),
        );
      });
      return look(request.cardId, true);
    },
    async removeImage(id, name) {
      await changeCard(id, { kind: 'remove', images: [name] }, (disk) => removeImages(disk, [name]));
      return look(id, true);
    },
    async createKeydisk(id, replace) {
      await changeCard(id, { kind: 'keydisk-place', keydisk: null, replace }, (disk) =>
        putKeydiskOnCard(disk, createKeydiskImage(), { replace }),
      );
      return look(id, true);
    },
    async importKeydisk(id, path, replace) {
      const data = await readKeydiskFile(path);
      await changeCard(id, { kind: 'keydisk-place', keydisk: resolve(path), replace }, (disk) =>
        putKeydiskOnCard(disk, data, { replace }),
      );
      return look(id, true);
    },
    async exportKeydisk(id, path) {
      await card(id);
      const disk = await openTarget(id, { readOnly: true });
      try {
        await saveKeydisk(await readKeydiskFromCard(disk), path);
      } finally {
        await disk.close();
      }
    },
    async updateLoader(id, jobId) {
      await jobs.run(jobId, async ({ signal, progressFor }) => {
        await changeCard(
          id,
          { kind: 'loader-update' },
          async (disk) => {
            const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
            return updateLoader(disk, { loader, syslinux, onProgress: progressFor(id), signal });
          },
          { onProgress: progressFor(id), signal },
        );
      });
      return look(id, true);
    },
    async eject(id) {
      const summary = await card(id);
      if (summary.kind === 'image-file') {
        registry.removeImageFile(id);
      } else {
        const record = registry.drive(id)?.record;
        if (!record || !(await ejectDrive(record))) {
          throw new AppError(
            'eject-failed',
            `${summary.location} could not be ejected. Close any window showing its files and try again, or just unplug it.`,
          );
        }
        registry.invalidate(id);
      }
      await publish(true);
    },
    async cancelJob(jobId) {
      jobs.cancel(jobId);
    },
    async pickPath(purpose) {
      return options.pickPath ? options.pickPath(purpose) : null;
    },
    ...batchApi({
      jobs,
      card,
      changed: () => publish(),
      // The station looks at the same drive list as the Cards screen, re-read on each look.
      drives: async () => {
        await registry.refreshDrives();
        const cards = await registry.summaries();
        return cards.flatMap((summary) => {
          const drive = summary.kind === 'drive' ? registry.drive(summary.id) : undefined;
          return drive ? [recordOf(drive)] : [];
        });
      },
      ...(options.stationPollMs !== undefined ? { stationPollMs: options.stationPollMs } : {}),
    }),
    ...networkApi({ jobs, card, changeCard: (id, job, work) => changeCard(id, job, work), oneAtATime }),
    onCardsChanged(listener) {
      cardListeners.add(listener);
      return () => cardListeners.delete(listener);
    },
    onProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
  };
  return { api, close: () => clearInterval(timer) };
}
