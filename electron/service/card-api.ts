/**
 * The Card view's side of the API: look at a card, verify it, and change it — images, keydisk, loader —
 * each change a writer job (card-work.ts), each answered with a fresh look at the card; and repair a card
 * whose file system is damaged, which every other change refuses.
 */
import { resolve } from 'node:path';
import type { AddImagesRequest, AstcardApi, VolumeDamage } from '../../shared/api.js';
import { addPhases, loaderUpdatePhases, verifyPhases } from '../../shared/progress.js';
import { exportKeydisk } from '../core/card/keydisk.js';
import { stageSources } from '../core/card/stage-images.js';
import { openTarget } from '../core/card/target.js';
import { ejectDrive } from '../core/writer/eject.js';
import { AppError } from './app-error.js';
import type { CardList } from './card-list.js';
import type { CardWork } from './card-work.js';
import { assetSizesOnce, jobSizes } from './job-plans.js';
import type { Jobs } from './jobs.js';
import { readKeydiskFile } from './keydisk.js';

export type CardApi = Pick<
  AstcardApi,
  | 'inspectCard'
  | 'verifyCard'
  | 'addImages'
  | 'removeImage'
  | 'createKeydisk'
  | 'importKeydisk'
  | 'exportKeydisk'
  | 'updateLoader'
  | 'repairCard'
  | 'revertCard'
  | 'eject'
>;

export function cardApi(list: CardList, work: CardWork, jobs: Jobs): CardApi {
  return {
    inspectCard: (id) => work.look(id, true),
    verifyCard: (id, jobId) =>
      jobs.run(
        jobId,
        ({ progressFor, plan }) =>
          work.look(id, false, progressFor(id), (bytes) => plan(verifyPhases(bytes))),
        { kind: 'verify', cards: [id] },
      ),
    async addImages(request: AddImagesRequest) {
      await list.card(request.cardId);
      await jobs.run(
        request.jobId,
        async ({ signal, progressFor, plan }) => {
          plan(addPhases(await jobSizes(request.sources)));
          const onProgress = progressFor(request.cardId);
          const staged = await stageSources(request.sources, null, { signal, onProgress });
          try {
            await work.change(request.cardId, { kind: 'add', images: staged.paths }, { onProgress, signal });
          } finally {
            await staged.cleanup();
          }
        },
        { kind: 'add', cards: [request.cardId] },
      );
      return work.look(request.cardId, true);
    },
    async removeImage(id, name) {
      await work.change(id, { kind: 'remove', images: [name] });
      return work.look(id, true);
    },
    async createKeydisk(id, replace) {
      await work.change(id, { kind: 'keydisk-place', keydisk: null, replace });
      return work.look(id, true);
    },
    async importKeydisk(id, path, replace) {
      // Read here first: an unreadable file is the user's to fix, said in their words, before any card work.
      await readKeydiskFile(path);
      await work.change(id, { kind: 'keydisk-place', keydisk: resolve(path), replace });
      return work.look(id, true);
    },
    async exportKeydisk(id, path) {
      await list.card(id);
      const disk = await openTarget(id, { readOnly: true });
      try {
        await exportKeydisk(disk, path);
      } finally {
        await disk.close();
      }
    },
    async updateLoader(id, jobId) {
      await jobs.run(
        jobId,
        async ({ signal, progressFor, plan }) => {
          plan(loaderUpdatePhases(await assetSizesOnce()));
          return work.change(id, { kind: 'loader-update' }, { onProgress: progressFor(id), signal });
        },
        { kind: 'loader-update', cards: [id] },
      );
      return work.look(id, true);
    },
    async repairCard(id, jobId) {
      // A writer job like every change: the helper for a drive, this process for an image file. Not
      // cancellable from the window: each fix is short and written in the safe order, so it runs to the end.
      const result = await jobs.run(jobId, () => work.change(id, { kind: 'repair' }), {
        kind: 'repair',
        cards: [id],
      });
      const shown = ({ code, message, fix }: VolumeDamage) => ({ code, message, fix });
      return {
        repaired: result.repaired.map(shown),
        remaining: result.remaining.map(shown),
        writable: result.writable,
        view: await work.look(id, true),
      };
    },
    async revertCard(id, jobId) {
      await jobs.run(
        jobId,
        ({ signal, progressFor }) =>
          work.change(id, { kind: 'revert' }, { onProgress: progressFor(id), signal }),
        { kind: 'revert', cards: [id] },
      );
      return work.look(id, true);
    },
    async eject(id) {
      const summary = await list.card(id);
      if (summary.kind === 'image-file') {
        list.registry.removeImageFile(id);
      } else {
        const record = list.registry.drive(id)?.record;
        if (!record || !(await ejectDrive(record))) {
          throw new AppError(
            'eject-failed',
            `${summary.location} could not be ejected. Close any window showing its files and try again, or just unplug it.`,
          );
        }
        list.registry.invalidate(id);
      }
      await list.publish(true);
    },
  };
}
