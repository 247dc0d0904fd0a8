/**
 * The batch report: one JSON line and one CSV line per card, appended (and synced) the moment the card is
 * done, so a crash loses no finished card. `rows-used.txt` beside them lists the CSV rows that must not go
 * onto another card; a restarted batch pointed at the same folder skips them.
 *
 * A crash between a card getting its row and its report line must not free the row: the row is claimed in
 * `rows-claimed.jsonl` (synced) before its keydisk is made. A claim that no report line answers is a card
 * whose result was lost — it may be a good card carrying that row — so the row stays used, and opening the
 * report again writes that card down as "result lost" (reconcile). The JSON lines are the record of truth:
 * they are written first, and the CSV is rebuilt from them when a crash left it behind.
 */

import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchCardRecord } from '../../../shared/api.js';

export const REPORT_CSV = 'batch-report.csv';
export const REPORT_JSONL = 'batch-report.jsonl';
export const ROWS_USED = 'rows-used.txt';
export const ROWS_CLAIMED = 'rows-claimed.jsonl';

/** The error of a card whose row was claimed but whose result never reached the report (a crash). */
export const RESULT_LOST =
  'The batch stopped before this card was written down: its result is unknown. Check the card with astcard inspect before shipping it; its CSV row is not used again.';

/** A CSV row taken for a card, written down before the card gets its keydisk. */
export interface RowClaim {
  batch: string;
  slot: string;
  target: string;
  keydiskRow: number;
  keydiskId: string;
  at: string;
}

/** One card's line in a batch report: the API contract's record, so the app shows exactly what is written. */
export type CardRecord = BatchCardRecord;

const COLUMNS: (keyof CardRecord)[] = [
  'batch',
  'slot',
  'target',
  'model',
  'serial',
  'size',
  'fatSerial',
  'versions',
  'digests',
  'keydiskRow',
  'keydiskId',
  'keydiskSha1',
  'startedAt',
  'endedAt',
  'verified',
  'error',
];

function csvField(value: CardRecord[keyof CardRecord]): string {
  const text = value === null ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  // A leading = + - @ would make a spreadsheet run the cell as a formula.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function recordToCsv(record: CardRecord): string {
  return COLUMNS.map((column) => csvField(record[column])).join(',');
}

export const REPORT_HEADER = COLUMNS.join(',');

export class BatchReport {
  private queue: Promise<void> = Promise.resolve();

  private constructor(readonly dir: string) {}

  /** Opens (or starts) the report in `dir`, first reconciling what a crashed run left behind. */
  static async open(dir: string): Promise<BatchReport> {
    await mkdir(dir, { recursive: true });
    await reconcileReport(dir);
    return new BatchReport(dir);
  }

  /** Records that a row goes onto a card, before it does; resolves once that is on disk. */
  claimRow(claim: RowClaim): Promise<void> {
    return this.serialised(() => appendSynced(join(this.dir, ROWS_CLAIMED), `${JSON.stringify(claim)}\n`));
  }

  /** Appends one card; calls are serialised so lines of two cards never interleave. */
  append(record: CardRecord): Promise<void> {
    return this.serialised(async () => {
      await appendSynced(join(this.dir, REPORT_JSONL), `${JSON.stringify(record)}\n`);
      await appendSynced(join(this.dir, REPORT_CSV), `${recordToCsv(record)}\n`);
      if (holdsRow(record)) await appendSynced(join(this.dir, ROWS_USED), `${record.keydiskId}\n`);
    });
  }

  async usedRows(): Promise<Set<string>> {
    return readUsedRows(this.dir);
  }

  private serialised(write: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(write, write);
    return this.queue;
  }
}

/** A card that may be out there carrying its row: verified, or its result lost in a crash. */
function holdsRow(record: CardRecord): record is CardRecord & { keydiskId: string } {
  return record.keydiskId !== null && (record.verified || record.error === RESULT_LOST);
}

/**
 * Every row that must not be used again: those listed in rows-used.txt, those of cards the report holds as
 * verified or lost, and those claimed with no report line to answer the claim. Right whether or not the
 * report has been reconciled since a crash.
 */
export async function readUsedRows(dir: string): Promise<Set<string>> {
  const text = await readFile(join(dir, ROWS_USED), 'utf8').catch(() => '');
  const used = new Set(text.split('\n').filter((line) => line !== ''));
  const records = await readReport(dir);
  for (const record of records) if (holdsRow(record)) used.add(record.keydiskId);
  for (const claim of unansweredClaims(await readClaims(dir), records)) used.add(claim.keydiskId);
  return used;
}

/** Every card the report holds, oldest first; a line cut by a crash is skipped. */
export async function readReport(dir: string): Promise<CardRecord[]> {
  return readJsonLines<CardRecord>(join(dir, REPORT_JSONL));
}

async function readClaims(dir: string): Promise<RowClaim[]> {
  return readJsonLines<RowClaim>(join(dir, ROWS_CLAIMED));
}

async function readJsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines: T[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      lines.push(JSON.parse(line) as T);
    } catch {
      // The last line of a crashed run may be cut short.
    }
  }
  return lines;
}

/** Claims, in order, that no report line answers: each card with a row gets exactly one line. */
function unansweredClaims(claims: RowClaim[], records: CardRecord[]): RowClaim[] {
  const answers = new Map<string, number>();
  for (const record of records)
    if (record.keydiskId !== null) answers.set(record.keydiskId, (answers.get(record.keydiskId) ?? 0) + 1);
  return claims.filter((claim) => {
    const left = answers.get(claim.keydiskId) ?? 0;
    if (left > 0) {
      answers.set(claim.keydiskId, left - 1);
      return false;
    }
    return true;
  });
}

/**
 * Brings a report a crash interrupted back into agreement: a cut last line is closed off, a claim with no
 * card line gets a "result lost" line, the CSV is rebuilt if it lags the JSON lines, and rows-used.txt
 * lists every row a card may carry.
 */
async function reconcileReport(dir: string): Promise<void> {
  const jsonl = join(dir, REPORT_JSONL);
  const jsonText = await readFile(jsonl, 'utf8').catch(() => '');
  if (jsonText !== '' && !jsonText.endsWith('\n')) await appendSynced(jsonl, '\n');
  const records = await readReport(dir);
  const lost = unansweredClaims(await readClaims(dir), records).map(
    (claim): CardRecord => ({
      batch: claim.batch,
      slot: claim.slot,
      target: claim.target,
      model: null,
      serial: null,
      size: 0,
      fatSerial: null,
      versions: [],
      digests: [],
      keydiskRow: claim.keydiskRow,
      keydiskId: claim.keydiskId,
      keydiskSha1: null,
      startedAt: claim.at,
      endedAt: claim.at,
      verified: false,
      error: RESULT_LOST,
    }),
  );
  if (lost.length > 0)
    await appendSynced(jsonl, lost.map((record) => `${JSON.stringify(record)}\n`).join(''));
  const all = [...records, ...lost];

  const csv = join(dir, REPORT_CSV);
  const expected = [REPORT_HEADER, ...all.map(recordToCsv)].map((line) => `${line}\n`).join('');
  if ((await readFile(csv, 'utf8').catch(() => '')) !== expected) await replaceSynced(csv, expected);

  const usedPath = join(dir, ROWS_USED);
  const listed = new Set(
    (await readFile(usedPath, 'utf8').catch(() => '')).split('\n').filter((line) => line !== ''),
  );
  const missing = [...new Set(all.filter(holdsRow).map((record) => record.keydiskId))].filter(
    (id) => !listed.has(id),
  );
  if (missing.length > 0) await appendSynced(usedPath, missing.map((id) => `${id}\n`).join(''));
}

async function replaceSynced(path: string, text: string): Promise<void> {
  const temporary = `${path}.new`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

async function appendSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.appendFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
