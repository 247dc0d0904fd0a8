/**
 * "Try this card" (issue 20): the card doctor's prediction, every checksum computed, then the card booted
 * in a virtual machine behind a copy-on-write layer (core/try), its console sent to the window in bounded
 * slices. The card is held for the whole try, so nothing changes it between the prediction and the boot.
 */
import type { AstcardApi, CardSummary, TryConsole, TryOutcome } from '../../shared/api.js';
import { verifyPhases } from '../../shared/progress.js';
import { parseReleaseFileName } from '../../shared/release-names.js';
import { formatVersion, parseImageName } from '../../shared/versions.js';
import { CardError } from '../core/card/card-error.js';
import { type CardReport, inspectCard } from '../core/card/inspect.js';
import type { ProgressListener } from '../core/card/progress.js';
import { openTarget } from '../core/card/target.js';
import type { DriveIdentity } from '../core/drives/identity.js';
import { type TryResult, tryCard } from '../core/try/index.js';
import { AppError } from './app-error.js';
import type { CardWork } from './card-work.js';
import { ConsoleFeed } from './console-feed.js';
import type { Jobs } from './jobs.js';

export interface TryApiDeps {
  jobs: Jobs;
  work: CardWork;
  /** The card as listed, or the card-gone refusal. */
  card(id: string): Promise<CardSummary>;
  /** The identity the drive had when it was chosen (undefined for an image file). */
  identity(id: string): Promise<DriveIdentity | undefined>;
  /** Every window hears the console. */
  emit(slice: TryConsole): void;
  /** Where console logs are kept (default ~/.astcard/try-logs). */
  logDir?: string;
}

export function tryApi(deps: TryApiDeps): Pick<AstcardApi, 'tryCard'> {
  // One virtual machine at a time: a second would halve the speed of both on a small machine.
  let running: string | null = null;
  return {
    async tryCard(request) {
      const cardId = request.cardId;
      const firmware = request.firmware ?? 'bios';
      if (firmware !== 'bios' && firmware !== 'uefi') {
        throw new AppError('bad-call', 'A card is tried on BIOS or UEFI firmware.');
      }
      const summary = await deps.card(cardId);
      if (running !== null) {
        throw new AppError(
          'busy',
          `${running} is being tried now; try one card at a time (each test machine needs a processor core).`,
        );
      }
      running = summary.title;
      try {
        return await deps.jobs.run(
          request.jobId,
          ({ signal, progressFor, plan }) =>
            deps.work.queue(cardId, async (): Promise<TryOutcome> => {
              const report = await predict(cardId, signal, progressFor(cardId), (bytes) =>
                plan(verifyPhases(bytes)),
              );
              const offlineOnly = report.network !== null && !report.network.cardFallback;
              // The test machine has no network: a card that may only boot from it boots nothing there.
              const predicted = offlineOnly ? null : (report.boot?.image ?? null);
              const notes: string[] = [];
              if (report.network) {
                notes.push(
                  offlineOnly
                    ? 'The test machine has no network, and this card boots from the network only: it is expected to boot nothing here.'
                    : 'The test machine has no network: its network sources fail, and the card boots its own images.',
                );
              }
              const feed = new ConsoleFeed({ jobId: request.jobId, cardId }, deps.emit);
              const identity = await deps.identity(cardId);
              let result: TryResult;
              try {
                feed.reached('firmware');
                result = await tryCard(cardId, {
                  firmware,
                  predicted,
                  signal,
                  ...(identity ? { identity } : {}),
                  ...(deps.logDir ? { logDir: deps.logDir } : {}),
                  onLine: (line) => feed.line(line),
                  onProgress: (progress) => feed.reached(progress.stage),
                });
                feed.reached(result.stage);
              } finally {
                feed.close();
              }
              return outcomeOf(result, report, predicted, notes);
            }),
          { kind: 'try', cards: [cardId] },
        );
      } finally {
        running = null;
      }
    },
  };
}

/** The card doctor's full report: what the loader will start, every checksum computed as it will. */
async function predict(
  cardId: string,
  signal: AbortSignal,
  onProgress: ProgressListener,
  onPlan: (bytesToHash: number) => void,
): Promise<CardReport> {
  const disk = await openTarget(cardId, { readOnly: true });
  try {
    const glance = await inspectCard(disk, { quick: true });
    onPlan(
      glance.images
        .filter((image) => image.checksum === 'unverified')
        .reduce((sum, image) => sum + image.size, 0),
    );
    return await inspectCard(disk, { onProgress, signal });
  } catch (error) {
    if (signal.aborted || (error instanceof CardError && error.code === 'cancelled')) {
      throw new AppError('cancelled', 'Stopped before the test machine started; nothing was booted.', {
        cause: error,
      });
    }
    throw error;
  } finally {
    await disk.close();
  }
}

function outcomeOf(
  result: TryResult,
  report: CardReport,
  predicted: string | null,
  notes: string[],
): TryOutcome {
  return {
    outcome: result.outcome,
    firmware: result.firmware,
    acceleration: { kind: result.acceleration.kind, reason: result.acceleration.reason },
    started: result.started,
    startedVersion: versionOf(result.started, report),
    failed: result.failed,
    stage: result.stage,
    predicted,
    predictedVersion: versionOf(predicted, report),
    asPredicted: result.asPredicted === true,
    loaderLines: result.loaderLines.map((line) => line.text),
    seconds: result.seconds,
    logPath: result.logPath,
    notes,
  };
}

/** The version the card doctor read for this image, or the one its name gives. */
function versionOf(name: string | null, report: CardReport): string | null {
  if (name === null) return null;
  const known = report.images.find((image) => image.name === name)?.version;
  if (known) return known;
  const image = parseImageName(name);
  if (image.ok) return formatVersion(image.version);
  const release = parseReleaseFileName(name.split('/').pop() ?? name);
  return release.ok ? formatVersion(release.version) : null;
}
