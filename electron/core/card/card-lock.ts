/**
 * One writer per card, across every astcard process on the machine (the app, the CLI, the privileged
 * helper): two jobs writing the same card at once interleave their FAT updates and damage it.
 *
 * Node has no flock(), and a lock file outlives a process killed with SIGKILL. The lock is instead a
 * listening socket whose name is the card's identity — an image file's (device, inode), so that every path,
 * symlink or hard link to it meets the same lock; a drive's device number. Binding a name is atomic, a
 * second bind fails with EADDRINUSE, and the kernel drops the socket the moment its process ends however
 * it ends. On Linux it lives in the abstract namespace: no file anywhere, no permissions in the way between
 * the app and its root helper (both in one network namespace — a sandboxed copy in another would not see
 * it). On Windows a named pipe behaves the same; elsewhere a socket file in the temporary folder, which a
 * later process finds stale when nothing answers on it. The holder answers a connection with who it is,
 * so the refusal can say which process has the card. Drives are also opened O_EXCL, which keeps out other
 * programs; this lock is what names astcard as the one in the way.
 */
import { createHash } from 'node:crypto';
import { stat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AstcardError } from '../errors.js';

export type CardLockErrorCode =
  /** Another astcard process is working on the card. */
  | 'card-in-use'
  /** The image file was replaced by another while a job worked on it. */
  | 'card-replaced';

export class CardLockError extends AstcardError {
  declare readonly code: CardLockErrorCode;

  constructor(code: CardLockErrorCode, message: string, options: { cause?: unknown; detail?: string } = {}) {
    super(code, message, options);
  }
}

export interface CardLock {
  /** The card's identity the lock is held on. */
  readonly key: string;
  /**
   * Throws `card-replaced` when the path no longer names the locked image file (a file moved over it):
   * before writing, nothing was written; after, what was written went to a file no longer at that path.
   */
  checkStillSame(when: 'before-writing' | 'after-writing'): Promise<void>;
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  doing: string;
  since: string;
}

/** Takes the card at `path` for this process, or refuses with who holds it. `doing` tells others why. */
export async function lockCard(path: string, doing: string): Promise<CardLock> {
  const key = await identityOf(path);
  const name = socketName(key);
  const holder: Holder = { pid: process.pid, doing, since: new Date().toISOString() };
  const server = createServer((socket) => {
    // An asker that gave up waiting (this process was busy or stopped) has closed its end: the EPIPE that
    // answering it raises must not end this process in the middle of its writes.
    socket.on('error', () => {});
    socket.end(`${JSON.stringify(holder)}\n`);
  });
  server.unref();
  try {
    await listen(server, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const other = await askHolder(name);
    if (other === 'stale' && !isAbstract(name) && process.platform !== 'win32') {
      await unlink(name).catch(() => {});
      return lockCard(path, doing);
    }
    const who =
      other && other !== 'stale'
        ? ` (process ${other.pid}, ${other.doing} since ${other.since.slice(11, 19)})`
        : '';
    throw new CardLockError(
      'card-in-use',
      `${path} is in use by another astcard${who}. Wait for it to finish, then try again. Nothing was written.`,
      { detail: key },
    );
  }
  let released = false;
  return {
    key,
    async checkStillSame(when) {
      const now = await identityOf(path).catch(() => 'gone');
      if (now === key) return;
      const what =
        when === 'before-writing'
          ? 'Nothing was written.'
          : 'What was written went to the file that was there before, which is no longer at that path.';
      throw new CardLockError(
        'card-replaced',
        `${path} was replaced by another file while astcard was working on it. ${what} Check ${path} and run the command again.`,
        { detail: `${key} became ${now}` },
      );
    },
    async release() {
      if (released) return;
      released = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What identifies the card behind `path`, symlinks followed. */
async function identityOf(path: string): Promise<string> {
  const info = await stat(path, { bigint: true });
  if (info.isBlockDevice()) return `drive-${info.rdev}`;
  return `file-${info.dev}-${info.ino}`;
}

function socketName(key: string): string {
  if (process.platform === 'linux') return `\0astcard/card-lock/${key}`;
  if (process.platform === 'win32') return `\\\\?\\pipe\\astcard-card-lock-${key}`;
  // Unix socket paths are short (104 bytes on macOS): a digest of the key, in the temporary folder.
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 24);
  return join(tmpdir(), `astcard-lock-${digest}.sock`);
}

function isAbstract(name: string): boolean {
  return name.startsWith('\0');
}

function listen(server: Server, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Who holds the lock (as it says itself), 'stale' when nothing answers, null when it does not say. */
function askHolder(name: string): Promise<Holder | 'stale' | null> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(name);
    const done = (value: Holder | 'stale' | null) => {
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), 1000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        done(JSON.parse(text) as Holder);
      } catch {
        done(null);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'stale' : null);
    });
  });
}
