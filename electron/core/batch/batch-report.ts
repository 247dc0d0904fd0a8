/**
 * The batch report: one CSV line and one JSON line per card, appended (and synced) the moment the card is
 * done, so a crash loses no finished card. `rows-used.txt` beside them lists the CSV rows that went onto a
 * verified card; a restarted batch pointed at the same folder skips them.
 */

import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchCardRecord } from '../../../shared/api.js';

export const REPORT_CSV = 'batch-report.csv';
export const REPORT_JSONL = 'batch-report.jsonl';
export const ROWS_USED = 'rows-used.txt';

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

  static async open(dir: string): Promise<BatchReport> {
    await mkdir(dir, { recursive: true });
    const report = new BatchReport(dir);
    const csv = join(dir, REPORT_CSV);
    const existing = await readFile(csv, 'utf8').catch(() => '');
    if (existing === '') await appendSynced(csv, `${REPORT_HEADER}\n`);
    return report;
  }

  /** Appends one card; calls are serialised so lines of two cards never interleave. */
  append(record: CardRecord): Promise<void> {
    const write = async () => {
      await appendSynced(join(this.dir, REPORT_CSV), `${recordToCsv(record)}\n`);
      await appendSynced(join(this.dir, REPORT_JSONL), `${JSON.stringify(record)}\n`);
      if (record.verified && record.keydiskId !== null)
        await appendSynced(join(this.dir, ROWS_USED), `${record.keydiskId}\n`);
    };
    this.queue = this.queue.then(write, write);
    return this.queue;
  }

  async usedRows(): Promise<Set<string>> {
    return readUsedRows(this.dir);
  }
}

export async function readUsedRows(dir: string): Promise<Set<string>> {
  const text = await readFile(join(dir, ROWS_USED), 'utf8').catch(() => '');
  return new Set(text.split('\n').filter((line) => line !== ''));
}

/** Every card the report holds, oldest first; a line cut by a crash is skipped. */
export async function readReport(dir: string): Promise<CardRecord[]> {
  const text = await readFile(join(dir, REPORT_JSONL), 'utf8').catch(() => '');
  const records: CardRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as CardRecord);
    } catch {
      // The last line of a crashed run may be cut short.
    }
  }
  return records;
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
