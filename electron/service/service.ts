/**
 * The API the window talks to, implemented over the core. It knows nothing of Electron: main.ts gives it
 * the system's file dialog; `astcard ui` (ui-server.ts) gives it none, and the window lists folders through
 * file-browser.ts instead. Both carry it to the window unchanged.
 * Each part of the contract lives in its own module; this one puts them together.
 */
import { resolve } from 'node:path';
import type { AppInfo, AstcardApi, JobProgress, PickPurpose, TryConsole } from '../../shared/api.js';
import { AppError } from './app-error.js';
import { batchApi } from './batch.js';
import { cardApi } from './card-api.js';
import { CardList } from './card-list.js';
import { CardWork } from './card-work.js';
import { type DriveSource, drivelistSource, recordOf } from './drive-source.js';
import { createFileBrowser, type FileBrowserOptions } from './file-browser.js';
import { createFileImage } from './image-file.js';
import { Jobs } from './jobs.js';
import { networkApi } from './network-api.js';
import { prepareApi } from './prepare-api.js';
import { settingsApi } from './settings-api.js';
import { trustApi } from './trust-api.js';
import { tryApi } from './try-api.js';

export interface ServiceOptions {
  appVersion: string;
  /** The system's file dialog (Electron); without one the window shows its own file browser. */
  pickPath?: (purpose: PickPurpose, suggestedName?: string) => Promise<string[] | null>;
  /** Where the window's own file browser starts and keeps its recent folders. */
  files?: FileBrowserOptions;
  drives?: DriveSource;
  /** How often the drive list is polled while someone listens; hotplug shows within this. */
  pollMs?: number;
  /** How often a running station looks for newly inserted cards (1 s by default). */
  stationPollMs?: number;
  /** Where "Try this card" keeps its console logs (~/.astcard/try-logs by default). */
  tryLogDir?: string;
}

export interface AstcardService {
  api: AstcardApi;
  close(): void;
  /** Jobs running now (writing or reading cards). */
  runningJobs(): number;
  /** Cancels every running job, waits until each has stopped at its next safe point, then closes. */
  shutdown(): Promise<void>;
}

export function createAstcardService(options: ServiceOptions): AstcardService {
  const progressListeners = new Set<(progress: JobProgress) => void>();
  const consoleListeners = new Set<(slice: TryConsole) => void>();
  const jobs: Jobs = new Jobs(
    (progress) => {
      for (const listener of progressListeners) listener(progress);
    },
    // A job took a card or let it go: every window's Cards list says so.
    () => void list.publish().catch(() => undefined),
  );
  const list = new CardList(options.drives ?? drivelistSource, options.pollMs ?? 1000, (id) =>
    jobs.onCard(id),
  );
  const { registry } = list;
  const work = new CardWork(list);

  const api: AstcardApi = {
    async appInfo(): Promise<AppInfo> {
      return {
        version: options.appVersion,
        loaderVersion: await work.appLoader(),
        nativeDialogs: options.pickPath !== undefined,
        platform: process.platform,
      };
    },
    async listCards() {
      await registry.refreshDrives();
      return list.publish();
    },
    async openCardImage(path) {
      const id = await registry.addImageFile(resolve(path));
      const summary = await list.card(id);
      if (summary.state.kind === 'file-missing') {
        registry.removeImageFile(id);
        throw new AppError(
          'file-missing',
          `There is no file at ${path}. Check the name, or make a new card image.`,
        );
      }
      await list.publish();
      return summary;
    },
    async createCardImage(path, size) {
      await createFileImage(resolve(path), size);
      return api.openCardImage(path);
    },
    async closeCardImage(id) {
      registry.removeImageFile(id);
      await list.publish();
    },
    ...cardApi(list, work, jobs),
    ...prepareApi(list, work, jobs),
    async cancelJob(jobId) {
      jobs.cancel(jobId);
    },
    async pickPath(purpose, suggestedName) {
      return options.pickPath ? options.pickPath(purpose, suggestedName) : null;
    },
    ...createFileBrowser(options.files),
    ...batchApi({
      jobs,
      card: (id) => list.card(id),
      changed: () => list.publish(),
      forget: (ids) => list.forget(ids),
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
    ...networkApi({ jobs, card: (id) => list.card(id), work }),
    ...settingsApi({ card: (id) => list.card(id), work }),
    ...trustApi({ card: (id) => list.card(id), work }),
    ...tryApi({
      jobs,
      work,
      card: (id) => list.card(id),
      // A drive is tried only while it is the one chosen; an image file has no identity to check.
      identity: async (id) => (registry.drive(id) ? registry.identity(id) : undefined),
      emit: (slice) => {
        for (const listener of consoleListeners) listener(slice);
      },
      ...(options.tryLogDir ? { logDir: options.tryLogDir } : {}),
    }),
    onCardsChanged: (listener) => list.listen(listener),
    onProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
    onTryConsole(listener) {
      consoleListeners.add(listener);
      return () => consoleListeners.delete(listener);
    },
  };
  return {
    api,
    close: () => list.close(),
    runningJobs: () => jobs.count,
    async shutdown() {
      await jobs.stopAll();
      list.close();
    },
  };
}
