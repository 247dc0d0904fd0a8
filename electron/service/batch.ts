/**
 * The batch screen's side of the API: runs a batch over the cards the window chose, reports each card's
 * progress under its own card id (and "done"/"failed" when it is over), and keeps one report folder per
 * batch under the app's batch folder (ASTCARD_BATCH_DIR, or ~/.astcard/batches).
 */
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import {
  type AstcardApi,
  type BatchCheck,
  type BatchHistoryEntry,
  type BatchRequest,
  type CardSummary,
  STATION_COUNTER,
  STATION_IMAGES,
  type StationRequest,
} from '../../shared/api.js';
import { type CardStepPhase, type Progress, preparePhases, stagedPhases } from '../../shared/progress.js';
import { type BatchOptions, type BatchTarget, type CardStatus, runBatch } from '../core/batch/batch-job.js';
import { BatchReport, REPORT_CSV, readReport, readUsedRows } from '../core/batch/batch-report.js';
import { parseCardValues } from '../core/batch/card-values.js';
import { driveBatchTarget } from '../core/batch/open-drive.js';
import { RowPool } from '../core/batch/row-pool.js';
import { runStation } from '../core/batch/station.js';
import { type StationDrives, stationArrivals } from '../core/batch/station-arrivals.js';
import { createKeydiskImage } from '../core/card/keydisk.js';
import { stageImages } from '../core/card/stage-images.js';
import { AppError } from './app-error.js';
import { jobSizes } from './job-plans.js';
import type { Jobs } from './jobs.js';
import { readKeydiskFile } from './keydisk.js';

export interface BatchDeps {
  jobs: Jobs;
  card(id: string): Promise<CardSummary>;
  /** Tells the card list its cards changed. */
  changed(): Promise<unknown>;
  /** Tells the card list these cards were written: what it knew of them is gone, and read again. */
  forget(ids: string[]): Promise<unknown>;
  /** Where batch reports live; ASTCARD_BATCH_DIR or ~/.astcard/batches by default. */
  reportRoot?: string;
  /** The drives plugged in now (re-read on each call): where a station's cards appear. */
  drives: StationDrives;
  /** How often a station looks for newly inserted cards. */
  stationPollMs?: number;
}

type BatchApi = Pick<
  AstcardApi,
  'runBatch' | 'checkBatch' | 'batchHistory' | 'exportBatchReport' | 'runStation'
>;

export function batchApi(deps: BatchDeps): BatchApi {
  const root = () =>
    deps.reportRoot ?? process.env.ASTCARD_BATCH_DIR ?? join(homedir(), '.astcard', 'batches');
  const folder = (name: string) => {
    const safe = name
      .trim()
      .replace(/[^\w.-]+/g, '-')
      .replace(/^[.-]+/, '');
    if (!safe) throw new AppError('nothing-chosen', 'Give the batch a name (an order number, a date…).');
    return join(root(), safe);
  };
  const check = async (name: string, csvPath?: string): Promise<BatchCheck> => {
    const dir = folder(name);
    const cards = await readReport(dir);
    const verified = cards.filter((card) => card.verified).length;
    let rows: number | null = null;
    let rowsLeft: number | null = null;
    if (csvPath?.trim()) {
      const values = parseCardValues(await readCsv(csvPath.trim()));
      const used = await readUsedRows(dir);
      rows = values.length;
      rowsLeft = values.filter((row) => !used.has(row.id)).length;
    }
    return { folder: basename(dir), verified, failed: cards.length - verified, rows, rowsLeft };
  };
  /**
   * Refused before any card is touched: a name whose report would be added to without the user saying
   * so, and a CSV with fewer rows left than cards to make (each of them would fail for want of a row).
   */
  const refuseStart = async (request: BatchRequest | StationRequest, cards: number) => {
    const found = await check(request.name, request.csvPath);
    if (found.verified + found.failed > 0 && !request.addToReport) {
      throw new AppError(
        'batch-exists',
        `There is a report of a batch named "${found.folder}" already (${found.verified} verified, ${found.failed} failed). Give this batch another name, or choose to add these cards to that report.`,
      );
    }
    if (found.rowsLeft !== null && found.rowsLeft < cards) {
      throw new AppError('not-enough-rows', rowsShortMessage(found, cards));
    }
  };
  /** The report folder, and where each card's keydisk comes from: a template, its CSV rows, or nothing. */
  const keydisksFor = async (request: BatchRequest | StationRequest) => {
    const dir = folder(request.name);
    const template = request.keydisk.mode === 'none' ? null : await templateBytes(request);
    const rows = request.csvPath
      ? new RowPool(parseCardValues(await readCsv(request.csvPath)), await readUsedRows(dir))
      : null;
    const keydisk: BatchOptions['keydisk'] = template
      ? rows
        ? { template, rows }
        : { data: template }
      : null;
    return { dir, keydisk, keydiskBytes: template?.length ?? 0 };
  };

  return {
    async runBatch(request: BatchRequest) {
      if (request.cards.length === 0) throw new AppError('nothing-chosen', 'Choose the cards to write.');
      if (request.images.length === 0) throw new AppError('nothing-chosen', 'Choose the images to write.');
      if (request.csvPath && request.keydisk.mode === 'none') {
        throw new AppError('keydisk', 'Per-card values need a keydisk: choose a template or a new keydisk.');
      }
      const cards = await Promise.all(request.cards.map((id) => deps.card(id)));
      const system = cards.find((card) => card.system);
      if (system) {
        throw new AppError('system-drive', `${system.location} is a system drive; a batch never writes one.`);
      }
      await refuseStart(request, cards.length);
      const { dir, keydisk, keydiskBytes } = await keydisksFor(request);
      const ids = cards.map((card) => card.id);
      return deps.jobs
        .run(
          request.jobId,
          async ({ signal, progressFor, plan, release }) => {
            plan(preparePhases(await jobSizes(request.images, keydiskBytes)));
            const targets: BatchTarget[] = await Promise.all(
              cards.map((card, index) => batchTarget(card, index)),
            );
            const images = await stageImages(request.images, {
              signal,
              onProgress: (progress) => {
                for (const card of cards) progressFor(card.id)(progress);
              },
            });
            try {
              return await runBatch(targets, {
                batch: request.name,
                images: images.paths,
                keydisk,
                report: await BatchReport.open(dir),
                signal,
                onStatus: (status) => {
                  progressFor(status.target)(cardProgress(status));
                  if (status.state === 'done' || status.state === 'failed') {
                    release(status.target);
                    void deps.forget([status.target]);
                  }
                },
              });
            } finally {
              await images.cleanup();
            }
          },
          { kind: 'batch', cards: ids },
        )
        .finally(() => deps.forget(ids));
    },

    checkBatch: (name, csvPath) => check(name, csvPath),

    async batchHistory() {
      const names = await readdir(root()).catch(() => [] as string[]);
      const entries: BatchHistoryEntry[] = [];
      for (const name of names) {
        const cards = await readReport(join(root(), name));
        if (cards.length > 0) entries.push({ name, cards });
      }
      const last = (entry: BatchHistoryEntry) => entry.cards.at(-1)?.endedAt ?? '';
      return entries.sort((a, b) => last(b).localeCompare(last(a)));
    },

    async exportBatchReport(name, path, format) {
      const dir = folder(name);
      const cards = await readReport(dir);
      if (cards.length === 0)
        throw new AppError('nothing-chosen', `There is no report for the batch "${name}".`);
      if (format === 'csv') await copyFile(join(dir, REPORT_CSV), path);
      else await writeFile(path, `${JSON.stringify({ batch: name, cards }, null, 2)}\n`);
    },

    async runStation(request: StationRequest) {
      if (request.images.length === 0) throw new AppError('nothing-chosen', 'Choose the images to write.');
      if (!Number.isInteger(request.count) || request.count < 1) {
        throw new AppError('nothing-chosen', 'Say how many cards the station should make (1 or more).');
      }
      if (request.csvPath && request.keydisk.mode === 'none') {
        throw new AppError('keydisk', 'Per-card values need a keydisk: choose a template or a new keydisk.');
      }
      await refuseStart(request, request.count);
      const { dir, keydisk, keydiskBytes } = await keydisksFor(request);
      const written = new Set<string>();
      return deps.jobs.run(
        request.jobId,
        async ({ signal, progressFor, plan, claim, release }) => {
          const sizes = await jobSizes(request.images, keydiskBytes);
          const cardPlan = preparePhases(sizes);
          // Getting the images ready is downloading and unpacking; each slot's card gets the card plan when
          // it arrives; the counter's figure is the share of the count made.
          plan(stagedPhases(sizes));
          const images = await stageImages(request.images, {
            signal,
            onProgress: progressFor(STATION_IMAGES),
          });
          const report = progressFor(STATION_COUNTER);
          let said = '';
          // The station's status comes with every card event: the counter is sent only when it moves.
          const counter = (done: number, failed: number) => {
            if (said === `${done}/${failed}`) return;
            said = `${done}/${failed}`;
            report({ phase: 'station', done, total: request.count, item: String(failed) });
          };
          const options: BatchOptions = {
            batch: request.name,
            images: images.paths,
            keydisk,
            report: await BatchReport.open(dir),
            signal,
            onStatus: (status) => {
              if (status.state === 'writing' && !written.has(status.target)) {
                // A card arrived in this slot: its figure starts afresh, and the Cards list shows it busy.
                written.add(status.target);
                plan(cardPlan, status.target);
                claim(status.target);
              }
              progressFor(status.target)(cardProgress(status));
              if (status.state === 'done' || status.state === 'failed') {
                written.delete(status.target);
                release(status.target);
                void deps.forget([status.target]);
              }
            },
          };
          const refused = (drive: string, reason: string) =>
            progressFor(drive)({ phase: 'refused', done: 0, total: 1, item: reason });
          const arrivals = stationArrivals(deps.drives, {
            rules: {
              ...(request.minBytes !== undefined ? { minBytes: request.minBytes } : {}),
              ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}),
              onlyEmpty: request.only === 'empty',
              onlyAstlinux: request.only === 'astlinux',
            },
            signal,
            // From this moment an inserted card is taken: only now does the window say "insert cards".
            onWatching: () => counter(0, 0),
            ...(deps.stationPollMs !== undefined ? { pollMs: deps.stationPollMs } : {}),
            onRejected: refused,
            unmount: leaveToWriter,
          });
          try {
            return await runStation(arrivals, {
              ...options,
              count: request.count,
              arrivals: {
                drives: true,
                ...(request.minBytes !== undefined ? { minBytes: request.minBytes } : {}),
                ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}),
              },
              onStation: (station) => counter(station.done, station.failed),
              // The writer's own check of an inserted card (its rules, unmounting it) can turn it away too.
              onRejected: (target, reason) => refused(target.target, reason),
            });
          } finally {
            await images.cleanup();
            await deps.changed();
          }
        },
        { kind: 'station' },
      );
    },
  };
}

function rowsShortMessage(found: BatchCheck, cards: number): string {
  const left =
    found.rowsLeft === 0
      ? 'no row of the CSV is left'
      : `only ${found.rowsLeft} row${found.rowsLeft === 1 ? ' is' : 's are'} left`;
  const used = (found.rows ?? 0) - (found.rowsLeft ?? 0);
  const why = used > 0 ? ` (${used} went onto cards of the batch "${found.folder}" before)` : '';
  return `Each card takes its own row of the CSV, and ${left}${why}, for ${cards} card${cards === 1 ? '' : 's'}. Add rows to the CSV or make fewer cards.`;
}

/** A card's state as a progress event: its write progress while writing, else its state as the phase. */
function cardProgress(
  status: CardStatus,
): Progress | { phase: CardStepPhase; done: number; total: number; item?: string } {
  return (
    status.progress ?? {
      phase: status.state,
      done: status.state === 'done' || status.state === 'failed' ? 1 : 0,
      total: 1,
      ...(status.keydiskId ? { item: status.keydiskId } : {}),
    }
  );
}

/** A card the desktop mounted on insertion is unmounted by the writer when it takes the card, not here. */
async function leaveToWriter(): Promise<void> {}

/** A chosen card as a batch target: a drive's model and serial for the report, checked again before writing. */
async function batchTarget(card: CardSummary, index: number): Promise<BatchTarget> {
  const slot = `${index + 1}`;
  if (card.kind === 'image-file') {
    return { slot, target: card.id, model: 'image file', serial: card.title };
  }
  return driveBatchTarget(slot, card.id, card.id, card.title);
}

async function templateBytes(request: Pick<BatchRequest, 'keydisk'>): Promise<Uint8Array> {
  if (request.keydisk.mode === 'import') return readKeydiskFile(request.keydisk.path);
  return createKeydiskImage();
}

async function readCsv(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError('file-missing', `Cannot read the CSV ${path}. Check the file name.`, { cause: error });
  }
}
