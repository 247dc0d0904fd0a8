/**
 * Prepare a new card, from the window: the chosen images (and keydisk) are staged once as checked local
 * files — downloads finished, archives unpacked — before any card is touched; then each card in turn gets
 * one prepare job. A card that fails is recorded beside its id and never stops the others.
 */
import { stat } from 'node:fs/promises';
import type { AstcardApi, CardSummary, PreparedCard, PrepareRequest } from '../../shared/api.js';
import { preparePhases } from '../../shared/progress.js';
import { DEFAULT_KEYDISK_BYTES } from '../core/card/keydisk.js';
import { stageSources } from '../core/card/stage-images.js';
import { errorData } from '../core/errors.js';
import { AppError } from './app-error.js';
import type { CardList } from './card-list.js';
import type { DrivePlan } from './card-registry.js';
import type { CardWork } from './card-work.js';
import { jobSizes } from './job-plans.js';
import type { Jobs } from './jobs.js';
import { refusePrepare } from './prepare-checks.js';
import { prepareDrivePlan } from './prepare-plan.js';
import { keydiskWithSettings } from './prepare-settings.js';

export function prepareApi(
  list: CardList,
  work: CardWork,
  jobs: Jobs,
): Pick<AstcardApi, 'prepareCards' | 'planPrepare'> {
  const { registry } = list;
  /** What keeps each card from taking the plan, by the drive rules (too small, holds a source…). */
  const blockersOf = async (targets: CardSummary[], plan: DrivePlan) => {
    const found = await Promise.all(targets.map((target) => registry.blockers(target.id, plan)));
    return (id: string) => found[targets.findIndex((target) => target.id === id)] ?? [];
  };
  return {
    async prepareCards(request: PrepareRequest): Promise<PreparedCard[]> {
      const targets = await Promise.all(request.cards.map((id) => list.card(id)));
      const plan = await prepareDrivePlan(request.images, request.keydisk);
      refusePrepare(
        request,
        targets,
        (id) => registry.drive(id)?.mountpoints ?? [],
        await blockersOf(targets, plan),
      );
      // Sizes known only once downloads and archives are staged are checked again then, by the same rule.
      const sizedLater = plan.plannedBytes === undefined;
      // The PBX settings are checked and put into the keydisk now, before any card is touched.
      const { keydisk, settings } = await keydiskWithSettings(request.keydisk, request.settings);
      return jobs.run(
        request.jobId,
        async ({ signal, progressFor, plan: planProgress, release }) => {
          planProgress(preparePhases(await jobSizes(request.images, await keydiskBytes(request))));
          // A download shows on every card it is for: each of them waits for it.
          const staged = await stageSources(request.images, keydisk, {
            signal,
            onProgress: (progress) => {
              for (const target of targets) progressFor(target.id)(progress);
            },
          });
          const outcomes: PreparedCard[] = [];
          try {
            const blocked = sizedLater
              ? await blockersOf(targets, await prepareDrivePlan(staged.paths, request.keydisk))
              : () => [];
            for (const target of targets) {
              try {
                const reasons = blocked(target.id);
                if (reasons.length > 0) {
                  throw new AppError('drive-refused', reasons.map((reason) => reason.message).join(' '), {
                    detail: reasons.map((reason) => reason.code).join(','),
                  });
                }
                const typedName = request.typedNames?.[target.id];
                const result = await work.change(
                  target.id,
                  {
                    kind: 'prepare',
                    images: staged.paths,
                    layout: request.layout,
                    keydisk: staged.keydisk,
                  },
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
                  ...(settings && result.keydisk ? { settings } : {}),
                });
              } catch (error) {
                outcomes.push({ cardId: target.id, ok: false, error: errorData(error) });
              } finally {
                // Done with this card: the list shows what it holds while the next one is written.
                release(target.id);
              }
            }
          } finally {
            await staged.cleanup();
          }
          return outcomes;
        },
        { kind: 'prepare', cards: targets.map((target) => target.id) },
      );
    },
    async planPrepare(images, keydisk) {
      registry.setPlan(images.length > 0 ? await prepareDrivePlan(images, keydisk) : {});
      return list.publish();
    },
  };
}

async function keydiskBytes(request: PrepareRequest): Promise<number> {
  if (request.keydisk.mode === 'new') return DEFAULT_KEYDISK_BYTES;
  if (request.keydisk.mode === 'none') return 0;
  return stat(request.keydisk.path).then(
    (info) => info.size,
    () => 0,
  );
}
