/**
 * Prepare a new card, from the window: the chosen images (and keydisk) are staged once as checked local
 * files — downloads finished, archives unpacked — before any card is touched; then each card in turn gets
 * one prepare job. A card that fails is recorded beside its id and never stops the others.
 */
import type { AstcardApi, PreparedCard, PrepareRequest } from '../../shared/api.js';
import { stageSources } from '../core/card/stage-images.js';
import { errorData } from '../core/errors.js';
import type { CardList } from './card-list.js';
import type { CardWork } from './card-work.js';
import type { Jobs } from './jobs.js';
import { keydiskFor } from './keydisk.js';
import { refusePrepare } from './prepare-checks.js';
import { prepareDrivePlan } from './prepare-plan.js';

export function prepareApi(
  list: CardList,
  work: CardWork,
  jobs: Jobs,
): Pick<AstcardApi, 'prepareCards' | 'planPrepare'> {
  const { registry } = list;
  return {
    async prepareCards(request: PrepareRequest): Promise<PreparedCard[]> {
      const targets = await Promise.all(request.cards.map((id) => list.card(id)));
      const plan = await prepareDrivePlan(request.images, request.keydisk);
      refusePrepare(
        request,
        targets,
        (id) => registry.drive(id)?.mountpoints ?? [],
        (id) => registry.classified(id, plan)?.reasons ?? [],
      );
      return jobs.run(request.jobId, async ({ signal, progressFor }) => {
        // A download shows on every card it is for: each of them waits for it.
        const staged = await stageSources(request.images, keydiskFor(request.keydisk), {
          signal,
          onProgress: (progress) => {
            for (const target of targets) progressFor(target.id)(progress);
          },
        });
        const outcomes: PreparedCard[] = [];
        try {
          for (const target of targets) {
            try {
              const typedName = request.typedNames?.[target.id];
              const result = await work.change(
                target.id,
                { kind: 'prepare', images: staged.paths, layout: request.layout, keydisk: staged.keydisk },
                { onProgress: progressFor(target.id), signal, ...(typedName ? { typedName } : {}) },
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
          await staged.cleanup();
        }
        return outcomes;
      });
    },
    async planPrepare(images, keydisk) {
      registry.setPlan(images.length > 0 ? await prepareDrivePlan(images, keydisk) : {});
      return list.publish();
    },
  };
}
