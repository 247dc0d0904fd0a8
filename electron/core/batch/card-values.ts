/**
 * The per-card values a reseller provides as CSV: one row per card, a header naming the columns. Known
 * columns become AstLinux settings (see keydisk-template.ts); every row gets a stable id so a restart can
 * tell which rows were already used.
 */
import { BatchError } from './batch-error.js';

export interface CardValues {
  /** 1-based row number in the CSV (header excluded), shown to people. */
  row: number;
  /** What identifies the row across restarts: its hostname, else its serial label, else its number. */
  id: string;
  values: Record<string, string>;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; blank lines skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    if (row.some((value) => value.trim() !== '')) rows.push(row);
    row = [];
  };
  const body = text.replace(/^\uFEFF/, '');
  while (i < body.length) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
    i++;
  }
  if (quoted) throw new BatchError('bad-csv', 'The CSV ends inside a quoted value: a closing " is missing.');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

export function parseCardValues(text: string): CardValues[] {
  const [header, ...rows] = parseCsv(text);
  if (!header)
    throw new BatchError('bad-csv', 'The CSV is empty: it needs a header line and one line per card.');
  const columns = header.map((name) =>
    name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const seen = new Set<string>();
  for (const column of columns) {
    if (!column) throw new BatchError('bad-csv', 'A column in the CSV header has no name.');
    if (seen.has(column)) throw new BatchError('bad-csv', `The CSV header names "${column}" twice.`);
    seen.add(column);
  }
  const ids = new Set<string>();
  return rows.map((cells, index) => {
    const row = index + 1;
    if (cells.length > columns.length) {
      throw new BatchError('bad-csv', `CSV line ${row + 1} has more values than the header has columns.`);
    }
    const values: Record<string, string> = {};
    columns.forEach((column, i) => {
      values[column] = (cells[i] ?? '').trim();
    });
    const id = values.hostname || values.serial_label || values.serial || `row-${row}`;
    if (ids.has(id)) {
      throw new BatchError('bad-csv', `CSV line ${row + 1} repeats "${id}": every card needs its own row.`);
    }
    ids.add(id);
    return { row, id, values };
  });
}
