/**
 * The jobs the writer runs — one table of every kind, the fields it takes and the result it returns — and
 * the strict check every job passes before it is run. A job never names the device: the writer is given
 * its targets when it starts (or, in a station, admits them by its own rules) and a job only points at
 * one of them by number. Paths a job may name are sources to read (images, a keydisk), and each is checked
 * as a regular file the user can read.
 */

import type { KeyOnCard } from '../card/card-keys.js';
import type { ChangedSettings } from '../card/card-settings.js';
import type { AddImagesResult } from '../card/images.js';
import type { PlacedKeydisk, WholeKeydisk } from '../card/keydisk.js';
import type { UpdateLoaderResult } from '../card/loader-update.js';
import type { CardSources } from '../card/network-source.js';
import type { AstlinuxPartitionSizes, PrepareResult } from '../card/prepare.js';
import type { ProvisionedCard } from '../card/provision.js';
import type { RepairCardResult } from '../card/repair-card.js';
import type { RevertResult } from '../card/revert.js';
import type { VerifyResult } from '../card/verify.js';
import type { ErrorData } from '../errors.js';
import { WriterError } from './writer-error.js';

export type OnFail = 'shell' | 'poweroff' | 'reboot';

/** Every job kind: the fields its job carries besides `kind`, and what it returns when it succeeds. */
export interface JobTable {
  prepare: {
    fields: {
      images: string[];
      layout?: 'mbr' | 'superfloppy';
      keydisk?: string | null;
      console?: string[];
      onfail?: OnFail;
      /** AstLinux's ASTURW and ASTKD ext2 partitions after the FAT one, in bytes (the keydisk goes into ASTKD). */
      partitions?: AstlinuxPartitionSizes;
    };
    result: PrepareResult;
  };
  add: { fields: { images: string[]; keep?: number }; result: AddImagesResult };
  remove: { fields: { images: string[] }; result: { removed: string[] } };
  verify: { fields: Record<never, never>; result: VerifyResult };
  /** Puts right a damaged volume, which every other job refuses to write to (issue 17). */
  repair: { fields: Record<never, never>; result: RepairCardResult };
  /** Back to the release the card ran before its last upgrade (os/Xver), once that release checks out. */
  revert: { fields: Record<never, never>; result: RevertResult };
  'loader-update': { fields: { force?: boolean }; result: UpdateLoaderResult };
  /** keydisk: a kd.img file to place, or null for a new, empty keydisk. */
  'keydisk-place': { fields: { keydisk: string | null; replace?: boolean }; result: PlacedKeydisk };
  /** The whole target becomes a keydisk (no FAT, no card): a kd.img file, or a new one of `size` bytes. */
  'keydisk-whole': { fields: { keydisk: string | null; size?: number }; result: WholeKeydisk };
  /**
   * The card's network sources: urls in order (none clears them), the card's own images as the last resort
   * unless cardFallback is false, and a static address (null: DHCP; left out: keep the card's).
   */
  sources: { fields: { urls: string[]; cardFallback?: boolean; ip?: string | null }; result: CardSources };
  /** The keys the card trusts for signed images: public key files to add, key numbers or names to remove. */
  keys: { fields: { add?: string[]; remove?: string[] }; result: KeyOnCard[] };
  /** The PBX's settings in its keydisk's user.conf: values to set and variables to unset, checked there. */
  settings: { fields: { set?: Record<string, string>; unset?: string[] }; result: ChangedSettings };
  /**
   * A batch's cards: the same images onto every target the job names (each image read once for all of
   * them), each card with its own keydisk, then each read back and checked. One card failing fails that
   * card alone: the result has one outcome per card, in the order the job named them.
   */
  provision: {
    fields: { images: string[]; cards: Array<{ keydisk: string | null }>; layout?: 'mbr' | 'superfloppy' };
    result: ProvisionOutcome[];
  };
}

export type JobKind = keyof JobTable;

export type JobOf<K extends JobKind> = { kind: K } & JobTable[K]['fields'];

export type WriterJob = { [K in JobKind]: JobOf<K> }[JobKind];

/** What a job returns: the result type of its kind, so a caller reading the wrong shape does not compile. */
export type JobResult<J extends { kind: JobKind }> = JobTable[J['kind']]['result'];

/** One card of a provision job: what was written and checked, or why that card failed. */
export type ProvisionOutcome =
  | { ok: true; card: ProvisionedCard; ejected: boolean }
  | { ok: false; error: ErrorData };

/** Field names that would point a job at a device; refused by name so the refusal says why. */
const DEVICE_FIELDS = ['device', 'target', 'drive', 'disk', 'raw', 'output', 'destination'];

/** The most targets one job may name; far above any card reader's slot count. */
export const MAX_JOB_TARGETS = 64;

type FieldCheck = (value: unknown) => boolean;
const isString: FieldCheck = (value) => typeof value === 'string' && value.length > 0 && value.length < 4096;
const isStringList: FieldCheck = (value) =>
  Array.isArray(value) && value.length <= 64 && value.every(isString);
const isNonEmptyStringList: FieldCheck = (value) => isStringList(value) && (value as string[]).length > 0;
const isBoolean: FieldCheck = (value) => typeof value === 'boolean';
const isPathOrNull: FieldCheck = (value) => value === null || isString(value);
const optional =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === undefined || check(value);
const oneOf =
  (...allowed: string[]): FieldCheck =>
  (value) =>
    typeof value === 'string' && allowed.includes(value);
const isLayout = optional(oneOf('mbr', 'superfloppy'));

const FIELDS: { [K in JobKind]: Record<keyof JobTable[K]['fields'], FieldCheck> } = {
  prepare: {
    images: isStringList,
    layout: isLayout,
    keydisk: optional(isPathOrNull),
    console: optional(isStringList),
    onfail: optional(oneOf('shell', 'poweroff', 'reboot')),
    partitions: optional(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        Object.entries(value).every(
          ([name, bytes]) =>
            (name === 'writable' || name === 'keydisk') &&
            Number.isSafeInteger(bytes) &&
            (bytes as number) > 0,
        ),
    ),
  },
  add: {
    images: isNonEmptyStringList,
    keep: optional((value) => Number.isInteger(value) && (value as number) >= 1),
  },
  remove: { images: isNonEmptyStringList },
  verify: {},
  repair: {},
  revert: {},
  'loader-update': { force: optional(isBoolean) },
  'keydisk-place': { keydisk: isPathOrNull, replace: optional(isBoolean) },
  'keydisk-whole': {
    keydisk: isPathOrNull,
    size: optional((value) => Number.isSafeInteger(value) && (value as number) > 0),
  },
  // The addresses themselves are checked by the card operation, with the loader's own rules.
  sources: {
    urls: (value) => Array.isArray(value) && value.length <= 64 && value.every(isString),
    cardFallback: optional(isBoolean),
    ip: optional(isPathOrNull),
  },
  keys: {
    add: optional(isStringList),
    remove: optional(isStringList),
  },
  // The names and values themselves are checked by the settings model, with AstLinux's rules.
  settings: {
    set: optional(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length <= 256 &&
        Object.values(value).every((entry) => typeof entry === 'string' && entry.length < 4096),
    ),
    unset: optional((value) => Array.isArray(value) && value.length <= 256 && value.every(isString)),
  },
  provision: {
    images: isNonEmptyStringList,
    cards: (value) =>
      Array.isArray(value) &&
      value.length > 0 &&
      value.length <= MAX_JOB_TARGETS &&
      value.every(
        (card) =>
          typeof card === 'object' &&
          card !== null &&
          Object.keys(card).length === 1 &&
          isPathOrNull((card as { keydisk?: unknown }).keydisk),
      ),
    layout: isLayout,
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
      { detail: `kind ${JSON.stringify(kind)}` },
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
  const checks: Record<string, FieldCheck> = FIELDS[kind as JobKind];
  for (const field of Object.keys(job)) {
    if (field !== 'kind' && !Object.hasOwn(checks, field))
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

/** How many of the writer's targets a job works on: a provision job one per card, every other job one. */
export function jobTargetCount(job: WriterJob): number {
  return job.kind === 'provision' ? job.cards.length : 1;
}

/** A real AstLinux release's `.run` comes with its other files: the writer reads those too. */
function withReleaseFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    const match = /^(.*\/)?(astlinux-[^/]+)\.run$/i.exec(path);
    if (!match) return [path];
    const stem = `${match[1] ?? ''}${match[2]}`;
    return [path, `${stem}.run.sha1`, `${stem}.run.conf`, `${stem}.initrd.img`];
  });
}

/** The files a job reads (not `remove`, whose entries are names on the card). */
export function jobSourcePaths(job: WriterJob): string[] {
  switch (job.kind) {
    case 'prepare':
      return [...withReleaseFiles(job.images), ...(job.keydisk ? [job.keydisk] : [])];
    case 'add':
      return withReleaseFiles(job.images);
    case 'keydisk-place':
    case 'keydisk-whole':
      return job.keydisk === null ? [] : [job.keydisk];
    case 'keys':
      return job.add ?? [];
    case 'provision':
      return [...job.images, ...job.cards.flatMap((card) => (card.keydisk ? [card.keydisk] : []))];
    default:
      return [];
  }
}

/** Jobs that only read the card: no unmount, no write access needed… but still exclusive access. */
export function jobWrites(job: WriterJob): boolean {
  return job.kind !== 'verify';
}
