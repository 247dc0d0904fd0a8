/**
 * The helper may run as root, so a job's source paths are the one way a job could make it read something
 * the user cannot: they must be absolute paths to regular files the user could read themselves — the
 * file readable and every folder above it searchable by the user's uid or groups. Decided this way
 * (rather than streaming every source from the unprivileged side) because the copy code reads a source
 * twice (hash, then copy) and re-reading a local file is free, while checking the permission bits is a
 * few stat calls. On Windows the helper cannot evaluate ACLs this way; there it requires the files to be
 * regular files outside the system folders, and the user chose them in a file dialog.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import type { HelperSpec } from './helper-spec.js';
import { WriterError } from './writer-error.js';

const READ = { owner: 0o400, group: 0o040, other: 0o004 };
const SEARCH = { owner: 0o100, group: 0o010, other: 0o001 };

export async function checkSources(paths: string[], user: HelperSpec['user']): Promise<void> {
  assertClaimedUser(user);
  for (const path of paths) await checkSource(path, user);
}

/**
 * The spec's user comes from the unprivileged side. Where the elevation tool says who asked (pkexec's
 * PKEXEC_UID, sudo's SUDO_UID), the two must agree, so a tampered spec cannot claim to be root.
 */
function assertClaimedUser(user: HelperSpec['user']): void {
  const asked = process.env.PKEXEC_UID ?? process.env.SUDO_UID;
  if (asked === undefined || user === null) return;
  if (Number(asked) !== user.uid) {
    throw new WriterError(
      'source-refused',
      'The writer was started for a different user than the one who asked. Nothing was written.',
      {
        detail: `spec uid ${user.uid}, elevated by uid ${asked}`,
      },
    );
  }
}

async function checkSource(path: string, user: HelperSpec['user']): Promise<void> {
  const refuse = (why: string, cause?: unknown) =>
    new WriterError('source-refused', `${path} cannot be used as a source: ${why}. Nothing was written.`, {
      ...(cause === undefined ? {} : { cause }),
      detail: path,
    });
  if (!isAbsolute(path)) throw refuse('the writer takes full paths only');
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw refuse('it does not exist or cannot be read', error);
  }
  const info = await stat(real);
  if (!info.isFile()) throw refuse('it is not a regular file');
  if (user === null) {
    if (process.platform === 'win32' && /^[A-Za-z]:\\Windows\\/i.test(real))
      throw refuse('it is a system file');
    return;
  }
  if (process.getuid?.() === user.uid) {
    try {
      await access(real, constants.R_OK);
    } catch (error) {
      throw refuse('you cannot read it', error);
    }
    return;
  }
  if (!allows(info, user, READ)) throw refuse('you cannot read it');
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    if (!allows(await stat(dir), user, SEARCH)) throw refuse(`you cannot open the folder ${dir}`);
    if (dirname(dir) === dir) break;
  }
}

function allows(
  info: { mode: number; uid: number; gid: number },
  user: { uid: number; gids: number[] },
  bits: { owner: number; group: number; other: number },
): boolean {
  if (user.uid === 0) return true;
  if (info.uid === user.uid) return (info.mode & bits.owner) !== 0;
  if (user.gids.includes(info.gid)) return (info.mode & bits.group) !== 0;
  return (info.mode & bits.other) !== 0;
}
