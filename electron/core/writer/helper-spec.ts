/**
 * What the helper is told when it starts: where to connect, where its token is, and the one device it
 * may touch — with that device's identity as the user chose it and the confirmation they gave. It travels
 * on the command line (visible to `ps`, so it holds no secret); the token travels in a file only the
 * user (and root) can read, because an elevated process on Windows inherits no pipes and pkexec clears
 * the environment.
 */
import { type DriveIdentity, parseIdentity } from '../drives/identity.js';
import { WriterError } from './writer-error.js';

export interface HelperSpec {
  /** Loopback port the client listens on. */
  port: number;
  tokenFile: string;
  device: string;
  identity: DriveIdentity;
  /** The name the user typed for a system drive, or null. */
  typedName: string | null;
  /** The user said yes to a confirmation (a drive over 128 GB). */
  confirmed: boolean;
  eject: boolean;
  /** The unprivileged user the helper acts for; sources must be readable by them. Null on Windows. */
  user: { uid: number; gids: number[] } | null;
}

export function encodeSpec(spec: HelperSpec): string {
  return Buffer.from(JSON.stringify(spec), 'utf8').toString('base64url');
}

export function decodeSpec(text: string): HelperSpec {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new WriterError('helper-failed', 'The writer was started without a valid description of its job.', {
      cause: error,
    });
  }
  const identity = parseIdentity(value.identity);
  const user = value.user as { uid?: unknown; gids?: unknown } | null;
  const userOk =
    user === null ||
    (typeof user === 'object' &&
      Number.isInteger(user.uid) &&
      Array.isArray(user.gids) &&
      user.gids.every((gid) => Number.isInteger(gid)));
  if (
    !Number.isInteger(value.port) ||
    typeof value.tokenFile !== 'string' ||
    typeof value.device !== 'string' ||
    identity === null ||
    identity.device !== value.device ||
    !(value.typedName === null || typeof value.typedName === 'string') ||
    typeof value.confirmed !== 'boolean' ||
    typeof value.eject !== 'boolean' ||
    !userOk
  ) {
    throw new WriterError('helper-failed', 'The writer was started without a valid description of its job.');
  }
  return value as unknown as HelperSpec;
}
