/**
 * The jobs the writer runs, and the strict check every job passes before it is run. A job never names the
 * device: the helper is started for one device and everything it writes goes there. Paths a job may name
 * are sources to read (images, a keydisk), and each is checked as a regular file the user can read.
 */
import { WriterError } from './writer-error.js';

export type WriterJob =
  | {
      kind: 'prepare';
      images: string[];
      layout?: 'mbr' | 'superfloppy';
      keydisk?: string | null;
      console?: string[];
      onfail?: 'shell' | 'poweroff' | 'reboot';
    }
  | { kind: 'add'; images: string[]; keep?: number }
  | { kind: 'remove'; images: string[] }
  | { kind: 'verify' }
  | { kind: 'loader-update'; force?: boolean }
  /** keydisk: a kd.img file to place, or null for a new, empty keydisk. */
  | { kind: 'keydisk-place'; keydisk: string | null; replace?: boolean }
  /**
   * The card's network sources: urls in order (none clears them), the card's own images as the last resort
   * unless cardFallback is false, and a static address (null: DHCP; left out: keep the card's).
   */
  | { kind: 'sources'; urls: string[]; cardFallback?: boolean; ip?: string | null };

export type WriterJobKind = WriterJob['kind'];

/** Field names that would point a job at a device; refused by name so the refusal says why. */
const DEVICE_FIELDS = ['device', 'target', 'drive', 'disk', 'raw', 'output', 'destination'];

type FieldCheck = (value: unknown) => boolean;
const isString: FieldCheck = (value) => typeof value === 'string' && value.length > 0 && value.length < 4096;
const isStringList: FieldCheck = (value) =>
  Array.isArray(value) && value.length <= 64 && value.every(isString);
const optional =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === undefined || check(value);
const oneOf =
  (...allowed: string[]): FieldCheck =>
  (value) =>
    typeof value === 'string' && allowed.includes(value);

const FIELDS: Record<WriterJobKind, Record<string, FieldCheck>> = {
  prepare: {
    images: isStringList,
    layout: optional(oneOf('mbr', 'superfloppy')),
    keydisk: (value) => value === undefined || value === null || isString(value),
    console: optional(isStringList),
    onfail: optional(oneOf('shell', 'poweroff', 'reboot')),
  },
  add: {
    images: (value) => isStringList(value) && (value as string[]).length > 0,
    keep: optional((value) => Number.isInteger(value) && (value as number) >= 1),
  },
  remove: { images: (value) => isStringList(value) && (value as string[]).length > 0 },
  verify: {},
  'loader-update': { force: optional((value) => typeof value === 'boolean') },
  'keydisk-place': {
    keydisk: (value) => value === null || isString(value),
    replace: optional((value) => typeof value === 'boolean'),
  },
  // The addresses themselves are checked by the card operation, with the loader's own rules.
  sources: {
    urls: (value) => Array.isArray(value) && value.length <= 64 && value.every(isString),
    cardFallback: optional((value) => typeof value === 'boolean'),
    ip: (value) => value === undefined || value === null || isString(value),
  },
};

/** Checks a job that arrived over the wire; throws a WriterError naming what is wrong. */
export function parseJob(value: unknown): WriterJob {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WriterError('malformed-job', 'The job sent to the writer is not a job.');
  }
  const job = value as Record<string, unknown>;
  const kind = job.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) {
    throw new WriterError(
      'unknown-job',
      'The writer was asked to do something it does not do; nothing was written.',
      {
        detail: `kind ${JSON.stringify(kind)}`,
      },
    );
  }
  const named = DEVICE_FIELDS.find((field) => Object.hasOwn(job, field));
  if (named !== undefined) {
    throw new WriterError(
      'job-names-device',
      'The job tried to choose a drive itself; the writer only writes to the drive you chose. Nothing was written.',
      { detail: `field ${named}: ${JSON.stringify(job[named])}` },
    );
  }
  const checks = FIELDS[kind as WriterJobKind];
  for (const field of Object.keys(job)) {
    if (field === 'kind') continue;
    const check = checks[field];
    if (!check)
      throw new WriterError('malformed-job', 'The job sent to the writer has a field it does not take.', {
        detail: field,
      });
  }
  for (const [field, check] of Object.entries(checks)) {
    if (!check(job[field])) {
      throw new WriterError('malformed-job', 'The job sent to the writer is incomplete or malformed.', {
        detail: field,
      });
    }
  }
  return job as unknown as WriterJob;
}

/** The files a job reads (not `remove`, whose entries are names on the card). */
export function jobSourcePaths(job: WriterJob): string[] {
  switch (job.kind) {
    case 'prepare':
      return [...job.images, ...(job.keydisk ? [job.keydisk] : [])];
    case 'add':
      return job.images;
    case 'keydisk-place':
      return job.keydisk === null ? [] : [job.keydisk];
    default:
      return [];
  }
}

/** Jobs that only read the card: no unmount, no write access needed… but still exclusive access. */
export function jobWrites(job: WriterJob): boolean {
  return job.kind !== 'verify';
}
