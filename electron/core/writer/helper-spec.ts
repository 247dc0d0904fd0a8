/**
 * What a writer is told when it starts: where to connect, where its token is, and the targets it may
 * touch — each device with its identity as the user chose it and the confirmation they gave. A station
 * also carries its arrival rules, the only way a target can join later (see admit.ts). The spec travels
 * on the command line (visible to `ps`, so it holds no secret); the token travels in a file only the user
 * (and root) can read, because an elevated process on Windows inherits no pipes and pkexec clears the
 * environment.
 */
import { type DriveIdentity, parseIdentity } from '../drives/identity.js';
import { MAX_JOB_TARGETS } from './jobs.js';
import { WriterError } from './writer-error.js';

/** One device the writer may touch, as the user chose it. */
export interface TargetSpec {
  device: string;
  identity: DriveIdentity;
  /** The name the user typed for a system drive, or null. */
  typedName: string | null;
  /** The user said yes to a confirmation (a drive over 128 GB). */
  confirmed: boolean;
  /** Eject the drive once a job on it has finished (never image files or loop devices). */
  eject: boolean;
}

/**
 * A station's rules: cards inserted while it runs may join, each checked by the writer itself — a
 * removable drive the drive rules let through without any question, its size inside these bounds.
 */
export interface StationRules {
  minBytes: number | null;
  maxBytes: number | null;
}

export interface HelperSpec {
  /** Loopback port the client listens on. */
  port: number;
  tokenFile: string;
  targets: TargetSpec[];
  station: StationRules | null;
  /** The unprivileged user the writer acts for; sources must be readable by them. Null on Windows. */
  user: { uid: number; gids: number[] } | null;
}

export function encodeSpec(spec: HelperSpec): string {
  return Buffer.from(JSON.stringify(spec), 'utf8').toString('base64url');
}

export function decodeSpec(text: string): HelperSpec {
  const invalid = (cause?: unknown) =>
    new WriterError('helper-failed', 'The writer was started without a valid description of its job.', {
      ...(cause === undefined ? {} : { cause }),
    });
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw invalid(error);
  }
  const targets = Array.isArray(value.targets) ? value.targets.map(parseTargetSpec) : null;
  if (
    !Number.isInteger(value.port) ||
    typeof value.tokenFile !== 'string' ||
    targets === null ||
    targets.length > MAX_JOB_TARGETS ||
    targets.some((target) => target === null) ||
    !isStationRules(value.station) ||
    !isUser(value.user)
  ) {
    throw invalid();
  }
  return value as unknown as HelperSpec;
}

/** One target that crossed a process boundary, checked field by field (null when anything is off). */
export function parseTargetSpec(value: unknown): TargetSpec | null {
  if (typeof value !== 'object' || value === null) return null;
  const target = value as Record<string, unknown>;
  const identity = parseIdentity(target.identity);
  if (
    typeof target.device !== 'string' ||
    identity === null ||
    identity.device !== target.device ||
    !(target.typedName === null || typeof target.typedName === 'string') ||
    typeof target.confirmed !== 'boolean' ||
    typeof target.eject !== 'boolean'
  ) {
    return null;
  }
  return {
    device: target.device,
    identity,
    typedName: target.typedName,
    confirmed: target.confirmed,
    eject: target.eject,
  };
}

function isStationRules(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const rules = value as Record<string, unknown>;
  const bound = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x) && x >= 0);
  return bound(rules.minBytes) && bound(rules.maxBytes);
}

function isUser(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const user = value as { uid?: unknown; gids?: unknown };
  return (
    Number.isInteger(user.uid) && Array.isArray(user.gids) && user.gids.every((gid) => Number.isInteger(gid))
  );
}
