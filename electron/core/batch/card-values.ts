/**
 * The per-card values a reseller provides as CSV: one row per card, a header naming the columns. Columns
 * that name AstLinux settings become that card's settings, checked by the same model as a single card's
 * (electron/core/settings): a column headed with a variable name in capitals (HOSTNAME, EXTIP, FWVERS…),
 * the common ones in any case (hostname, extip), and the older names ip, netmask, gateway, ntp_server and
 * timezone. Other columns (serial label, notes) only describe the card. Every row gets a stable id so a restart can
 * tell which rows were already used.
 */
import { checkChanges } from '../settings/changes.js';
import { settingDefinition } from '../settings/model.js';
import { BatchError } from './batch-error.js';

export interface CardValues {
  /** 1-based row number in the CSV (header excluded), shown to people. */
  row: number;
  /** What identifies the row across restarts: its hostname, else its serial label, else its number. */
  id: string;
  /** Every column by its header in lower case with underscores ("Serial Label" → serial_label). */
  values: Record<string, string>;
  /** The AstLinux settings the row gives, checked and as they will be written. */
  settings: Record<string, string>;
}

/** Column names from before the settings model, kept so existing CSVs keep working. */
const OLDER_COLUMNS: Record<string, string> = {
  ip: 'EXTIP',
  ip_address: 'EXTIP',
  netmask: 'EXTNM',
  gateway: 'EXTGW',
  ntp_server: 'NTPSERVS',
  ntp_servers: 'NTPSERVS',
  timezone: 'TIMEZONE',
  time_zone: 'TIMEZONE',
};

/** Columns the batch itself reads to name a card, never written as settings. */
const DESCRIBING_COLUMNS = new Set(['serial', 'serial_label']);

/** The AstLinux variable a column header names, or null for a column that only describes the card. */
export function settingForColumn(header: string): string | null {
  const raw = header.trim();
  const key = normalizeColumn(raw);
  if (DESCRIBING_COLUMNS.has(key)) return null;
  if (/^[A-Z_][A-Z0-9_]*$/.test(raw)) return raw;
  if (settingDefinition(key.toUpperCase())) return key.toUpperCase();
  return OLDER_COLUMNS[key] ?? null;
}

function normalizeColumn(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
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
  const columns = header.map(normalizeColumn);
  const seen = new Set<string>();
  for (const column of columns) {
    if (!column) throw new BatchError('bad-csv', 'A column in the CSV header has no name.');
    if (seen.has(column)) throw new BatchError('bad-csv', `The CSV header names "${column}" twice.`);
    seen.add(column);
  }
  const settingColumns = new Map<string, number>();
  header.forEach((name, index) => {
    const variable = settingForColumn(name);
    if (!variable) return;
    const other = settingColumns.get(variable);
    if (other !== undefined) {
      throw new BatchError(
        'bad-csv',
        `The CSV columns "${header[other]?.trim()}" and "${name.trim()}" both set ${variable}; keep one of them.`,
      );
    }
    settingColumns.set(variable, index);
  });
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
    return { row, id, values, settings: rowSettings(header, cells, settingColumns, row) };
  });
}

/** The row's settings, checked now so that a typo stops the batch before any card is written. */
function rowSettings(
  header: string[],
  cells: string[],
  columns: Map<string, number>,
  row: number,
): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [variable, index] of columns) {
    const value = (cells[index] ?? '').trim();
    // An empty cell leaves the template's value (or AstLinux's default) in place.
    if (value !== '') set[variable] = value;
  }
  const checked = checkChanges({ set });
  const [error] = checked.errors;
  if (error) {
    const column = error.names.map((name) => header[columns.get(name) ?? -1]?.trim()).find(Boolean);
    throw new BatchError(
      'bad-value',
      `CSV line ${row + 1}${column ? `, column "${column}"` : ''}: ${error.message} Correct the CSV and start again.`,
    );
  }
  return checked.set;
}
