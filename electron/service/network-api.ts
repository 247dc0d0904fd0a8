/**
 * Network boot in the window: a card's sources and static address (read here; written by a writer job,
 * like every other Card view change), and publishing a folder to serve.
 */
import { resolve } from 'node:path';
import type { AstcardApi, CardSummary, NetworkSettings, PublishOutcome } from '../../shared/api.js';
import { CardError } from '../core/card/card-error.js';
import type { ImageSource } from '../core/card/image-source.js';
import { readCardSources } from '../core/card/network-source.js';
import { byteProgress, type ProgressListener } from '../core/card/progress.js';
import { publishImages } from '../core/card/publish.js';
import { resolveImageSources } from '../core/card/sources.js';
import { openTarget } from '../core/card/target.js';
import { AppError } from './app-error.js';
import type { CardWork } from './card-work.js';
import type { Jobs } from './jobs.js';

export interface NetworkApiDeps {
  jobs: Jobs;
  /** The card as listed, or the card-gone refusal. */
  card(id: string): Promise<CardSummary>;
  work: CardWork;
}

/** The progress events of a publish carry this as their cardId: it belongs to no card. */
export const PUBLISH_PROGRESS_ID = 'publish';

export function networkApi(
  deps: NetworkApiDeps,
): Pick<AstcardApi, 'readNetwork' | 'setNetwork' | 'publishImages'> {
  const read = (id: string) =>
    deps.work.queue(id, async () => {
      await deps.card(id);
      const disk = await openTarget(id, { readOnly: true });
      try {
        return await readCardSources(disk);
      } finally {
        await disk.close();
      }
    });

  return {
    readNetwork: read,
    async setNetwork(id, settings: NetworkSettings) {
      const urls = settings.urls.map((url) => url.trim()).filter((url) => url !== '');
      await deps.work.change(id, {
        kind: 'sources',
        urls,
        cardFallback: settings.cardFallback,
        ip: settings.ip,
      });
      // What the card says now, read back: the window shows what was written, not what was asked.
      return read(id);
    },
    publishImages: (request) =>
      deps.jobs.run(request.jobId, async ({ signal, progressFor, plan }): Promise<PublishOutcome> => {
        if (request.images.length === 0) {
          throw new AppError('nothing-chosen', 'Choose at least one AstLinux image to publish.');
        }
        if (request.folder.trim() === '') {
          throw new AppError('nothing-chosen', 'Choose the folder to publish into.');
        }
        const folder = resolve(request.folder.trim());
        const sources = await resolveImageSources(request.images, { signal });
        plan([{ phase: 'write', bytes: sources.reduce((sum, source) => sum + source.size, 0) }]);
        const onProgress = progressFor(PUBLISH_PROGRESS_ID);
        try {
          const result = await publishImages(
            folder,
            sources.map((source) => counted(source, onProgress, signal)),
          );
          return { folder, published: result.published, index: result.index };
        } catch (error) {
          if (signal.aborted) {
            throw new CardError(
              'cancelled',
              `Publishing was stopped. ${folder} still lists only the images completed before.`,
              { cause: error },
            );
          }
          throw error;
        }
      }),
  };
}

/** The same source, reporting bytes as they are copied and stopping between chunks when cancelled. */
function counted(source: ImageSource, onProgress: ProgressListener, signal: AbortSignal): ImageSource {
  const report = byteProgress(onProgress, 'write', source.size, source.name);
  return {
    name: source.name,
    size: source.size,
    expected: source.expected,
    origin: source.origin,
    async *chunks() {
      let done = 0;
      report(0);
      for await (const chunk of source.chunks()) {
        if (signal.aborted) throw new Error('cancelled');
        done += chunk.length;
        report(done);
        yield chunk;
      }
    },
  };
}
