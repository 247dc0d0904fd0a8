/**
 * A batch: one image set onto several cards at once, through the writer like every other change to a
 * card — one writer session for the whole batch (one administrator prompt for all its drives), one
 * provision job whose cards share one read of each image. This side keeps what belongs to the person
 * running the batch: the CSV rows each card takes (claimed before its keydisk exists), the keydisks made
 * from the template, and the report, where each card's line goes the moment that card is done. One card
 * failing — a write error, a failed read-back, a bad CSV value, a row too few — fails that card alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../card/progress.js';
import { type DriveIdentity, readIdentity } from '../drives/identity.js';
import { type ErrorData, errorData } from '../errors.js';
import type { ProvisionOutcome } from '../writer/jobs.js';
import { namingUserFile } from '../writer/run-job.js';
import {
  type CardTarget,
  openWriterSession,
  type SessionOptions,
  type WriterSession,
} from '../writer/session.js';
import { BatchError } from './batch-error.js';
import type { BatchReport, CardRecord } from './batch-report.js';
import type { CardValues } from './card-values.js';
import { keydiskForCard } from './keydisk-template.js';
import type { RowPool } from './row-pool.js';

export interface BatchTarget {
  /** The slot or reader it sits in, as people see it ("slot 2", "/dev/sdc"). */
  slot: string;
  /** Its path: an image file or a drive. */
  target: string;
  /** Where the writer writes, when not at `target`: a new card image made beside the file it will replace. */
  device?: string;
  model?: string | null;
  serial?: string | null;
  /** Who the card was when it was chosen or inserted; read when the batch starts if not given. */
  identity?: DriveIdentity;
}

export type CardState = 'waiting' | 'writing' | 'done' | 'failed';

export interface CardStatus {
  slot: string;
  target: string;
  state: CardState;
  progress?: Progress;
  keydiskId?: string | null;
  record?: CardRecord;
}

export interface BatchOptions {
  /** Names this batch in the report (e.g. a timestamp or an order number). */
  batch: string;
  /** Local image files (downloads and archives staged first; see card/stage-images.ts). */
  images: string[];
  layout?: 'mbr' | 'superfloppy';
  /** Per-card keydisks: the template plus the pool of CSV rows; a plain keydisk for all cards otherwise. */
  keydisk?: { template: Uint8Array; rows: RowPool } | { data: Uint8Array } | null;
  report: BatchReport;
  onStatus?: (status: CardStatus) => void;
  signal?: AbortSignal;
  /** How the writer runs (tests choose in-process with a failing device, or a helper). */
  writer?: SessionOptions;
}

export async function runBatch(targets: BatchTarget[], options: BatchOptions): Promise<CardRecord[]> {
  if (targets.length === 0) return [];
  const read = await Promise.all(
    targets.map(async (target) => {
      try {
        return { identity: target.identity ?? (await readIdentity(target.device ?? target.target)) };
      } catch (error) {
        return { error: errorData(error) };
      }
    }),
  );
  const known = targets.flatMap((target, index) => {
    const { identity } = read[index] as { identity?: DriveIdentity };
    return identity ? [cardTarget(target, identity)] : [];
  });
  const writer = await openWriterSession(known, options.writer ?? {});
  try {
    let slot = 0;
    return await provisionCards(
      writer,
      targets.map((target, index) => {
        const { identity, error } = read[index] as { identity?: DriveIdentity; error?: ErrorData };
        return identity ? { target, slot: slot++, identity } : { target, slot: -1, identity: null, error };
      }),
      options,
    );
  } finally {
    await writer.close();
  }
}

/** A card of a batch as the writer takes it: the identity it had when chosen, confirmed by starting. */
export function cardTarget(target: BatchTarget, identity: DriveIdentity): CardTarget {
  return { device: target.device ?? target.target, identity, confirmed: true, eject: false };
}

export interface WriterCard {
  target: BatchTarget;
  /** Its number in the writer session (-1: it never got there, see `error`). */
  slot: number;
  identity: DriveIdentity | null;
  /** Why the card failed before any job (it could not even be looked at). */
  error?: ErrorData | undefined;
}

/**
 * Provisions the cards through the writer as one job and reports each as it finishes. Never throws for a
 * card's own failure; does throw when the report itself cannot be written (the caller must know).
 */
export async function provisionCards(
  writer: WriterSession,
  cards: WriterCard[],
  options: BatchOptions,
): Promise<CardRecord[]> {
  const records: CardRecord[] = new Array(cards.length);
  const workDir = await mkdtemp(join(tmpdir(), 'astcard-batch-'));
  const finishing: Promise<void>[] = [];
  try {
    const started = await Promise.all(cards.map((card, index) => startCard(card, index, workDir, options)));
    const running = started.filter((card) => card.keydisk !== undefined);
    const finish = (card: StartedCard, outcome: ProvisionOutcome) => {
      finishing.push(
        finishCard(card, outcome, options).then((record) => {
          records[card.index] = record;
        }),
      );
    };
    for (const card of started) if (card.failure) finish(card, { ok: false, error: card.failure });
    if (running.length > 0) {
      for (const card of running) card.status('writing');
      const outcomes = await writer
        .provision(
          running.map((card) => card.writerSlot),
          {
            kind: 'provision',
            images: options.images,
            cards: running.map((card) => ({ keydisk: card.keydisk ?? null })),
            ...(options.layout ? { layout: options.layout } : {}),
          },
          {
            onProgress: (index, progress) => running[index]?.status('writing', { progress }),
            onOutcome: (index, outcome) => {
              const card = running[index];
              if (card && !card.finished) finish(card, outcome);
            },
            ...(options.signal ? { signal: options.signal } : {}),
          },
        )
        .catch((error: unknown) =>
          running.map((): ProvisionOutcome => ({ ok: false, error: errorData(error) })),
        );
      // Outcomes a card did not report on its own (the whole job failed before it started) are final here.
      outcomes.forEach((outcome, index) => {
        const card = running[index];
        if (card && !card.finished) finish(card, outcome);
      });
    }
    await Promise.all(finishing);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return records;
}

interface StartedCard {
  /** Its place in the batch. */
  index: number;
  card: WriterCard;
  writerSlot: number;
  record: CardRecord;
  row: CardValues | null;
  /** The keydisk file for the job (null: none); undefined when the card failed before the job. */
  keydisk?: string | null;
  keydiskBytes: Uint8Array | null;
  failure?: ErrorData;
  finished: boolean;
  status(state: CardState, extra?: Partial<CardStatus>): void;
}

/** Claims the card's CSV row (on disk before the row goes anywhere near a card) and makes its keydisk. */
async function startCard(
  card: WriterCard,
  index: number,
  workDir: string,
  options: BatchOptions,
): Promise<StartedCard> {
  const { target } = card;
  const startedAt = new Date().toISOString();
  const record: CardRecord = {
    batch: options.batch,
    slot: target.slot,
    target: target.target,
    model: target.model ?? null,
    serial: target.serial ?? null,
    size: card.identity?.size ?? 0,
    fatSerial: null,
    versions: [],
    digests: [],
    keydiskRow: null,
    keydiskId: null,
    keydiskSha1: null,
    startedAt,
    endedAt: startedAt,
    verified: false,
    error: null,
  };
  const started: StartedCard = {
    index,
    card,
    writerSlot: card.slot,
    record,
    row: null,
    keydiskBytes: null,
    finished: false,
    status: (state, extra = {}) =>
      options.onStatus?.({
        slot: target.slot,
        target: target.target,
        state,
        keydiskId: started.row?.id ?? null,
        ...extra,
      }),
  };
  if (card.error) {
    started.failure = card.error;
    return started;
  }
  try {
    let keydisk: Uint8Array | null = null;
    if (options.keydisk && 'template' in options.keydisk) {
      const row = options.keydisk.rows.claim();
      if (!row) {
        throw new BatchError(
          'rows-exhausted',
          'Every row of the CSV has gone onto a card already. Add rows to the CSV for more cards.',
        );
      }
      started.row = row;
      record.keydiskRow = row.row;
      record.keydiskId = row.id;
      await options.report.claimRow({
        batch: options.batch,
        slot: target.slot,
        target: target.target,
        keydiskRow: row.row,
        keydiskId: row.id,
        at: startedAt,
      });
      keydisk = await keydiskForCard(options.keydisk.template, row);
    } else if (options.keydisk && 'data' in options.keydisk) keydisk = options.keydisk.data;
    started.keydiskBytes = keydisk;
    if (keydisk) {
      const path = join(workDir, `kd-${index}.img`);
      await writeFile(path, keydisk, { mode: 0o600 });
      started.keydisk = path;
    } else started.keydisk = null;
  } catch (error) {
    started.failure = errorData(error);
  }
  return started;
}

/** The card's report line, its row used or handed back, and its final state. */
async function finishCard(
  started: StartedCard,
  outcome: ProvisionOutcome,
  options: BatchOptions,
): Promise<CardRecord> {
  started.finished = true;
  const { record, row } = started;
  if (outcome.ok) {
    const { prepared, keydiskSha1, size } = outcome.card;
    record.size = size;
    record.fatSerial = prepared.serial;
    record.versions = prepared.images.map((image) => image.name.replace(/^AstLinux-|\.img$/g, ''));
    record.digests = prepared.images.map((image) => `${image.name}=${image.sha1}`);
    record.keydiskSha1 = keydiskSha1;
    record.verified = true;
  } else {
    const { message, detail } = outcome.error;
    const said = detail ? `${message} (${detail})` : message;
    record.error = namingUserFile(said, started.card.target.device, started.card.target.target);
  }
  record.endedAt = new Date().toISOString();
  const rows = options.keydisk && 'rows' in options.keydisk ? options.keydisk.rows : null;
  if (row && rows) {
    if (record.verified) rows.markUsed(row);
    else rows.release(row);
  }
  await options.report.append(record);
  started.status(record.verified ? 'done' : 'failed', { record });
  return record;
}
