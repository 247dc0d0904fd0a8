/**
 * Work on one card from the window, one piece at a time per card: a look (the card doctor's report) and a
 * change, which is a writer job like every change astcard makes — in this process for an image file,
 * through the privileged helper for a drive (runJob decides). Afterwards the card list learns it changed.
 */
import type { CardView } from '../../shared/api.js';
import { builtLoaderVersion } from '../core/card/assets.js';
import { inspectCard } from '../core/card/inspect.js';
import type { ProgressListener } from '../core/card/progress.js';
import { openTarget } from '../core/card/target.js';
import type { JobResult } from '../core/writer/jobs.js';
import type { SingleJob } from '../core/writer/prepare-job.js';
import { runJob } from '../core/writer/run-job.js';
import { AppError } from './app-error.js';
import type { CardList } from './card-list.js';
import { stateOf, viewOf } from './card-status.js';
import { perKeyQueue } from './per-key-queue.js';

export interface ChangeOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** A system drive is only changed with its name typed by the user (Prepare asks for it). */
  typedName?: string;
}

export class CardWork {
  private readonly oneAtATime = perKeyQueue();
  private loaderVersion: Promise<string | null> | undefined;

  constructor(private readonly list: CardList) {}

  /** This app's loader version, to tell a card with an older one. */
  appLoader(): Promise<string | null> {
    this.loaderVersion ??= builtLoaderVersion();
    return this.loaderVersion;
  }

  /** Anything else that must not overlap with a change of the same card. */
  queue<T>(id: string, work: () => Promise<T>): Promise<T> {
    return this.oneAtATime(id, work);
  }

  /**
   * The card doctor's report as the Card view; quick skips hashing. A full look tells `onPlan` first how
   * many bytes it is going to hash (from a quick look, which reads no image), for its progress figure.
   */
  look(
    id: string,
    quick: boolean,
    onProgress?: ProgressListener,
    onPlan?: (bytesToHash: number) => void,
  ): Promise<CardView> {
    return this.oneAtATime(id, async () => {
      const summary = await this.list.card(id);
      const disk = await openTarget(id, { readOnly: true });
      try {
        if (!quick && onPlan) {
          const glance = await inspectCard(disk, { quick: true });
          onPlan(
            glance.images
              .filter((image) => image.checksum === 'unverified')
              .reduce((sum, image) => sum + image.size, 0),
          );
        }
        const report = await inspectCard(disk, {
          quick,
          appLoaderVersion: await this.appLoader(),
          ...(onProgress ? { onProgress } : {}),
        });
        this.list.registry.setState(id, stateOf(report), quick);
        await this.list.publish();
        return viewOf((await this.list.registry.summary(id)) ?? summary, report);
      } finally {
        await disk.close();
      }
    });
  }

  /** Runs one writer job on the card and returns its typed result. */
  change<J extends SingleJob>(id: string, job: J, options: ChangeOptions = {}): Promise<JobResult<J>> {
    return this.oneAtATime(id, async () => {
      const summary = await this.list.card(id);
      if (summary.system && options.typedName === undefined) {
        throw new AppError(
          'system-drive',
          `${summary.location} is a system drive; astcard will not change it.`,
        );
      }
      const { registry } = this.list;
      registry.invalidate(id);
      try {
        const { result } = await runJob(
          {
            device: id,
            identity: await registry.identity(id),
            typedName: options.typedName ?? null,
            // The window asked before anything destructive (a dialog for every erase, the typed name where
            // the rules want it); the window has its own Eject button.
            confirmed: true,
            eject: false,
          },
          job,
          {
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          },
        );
        return result;
      } finally {
        registry.invalidate(id);
        await this.list.publish();
      }
    });
  }
}
