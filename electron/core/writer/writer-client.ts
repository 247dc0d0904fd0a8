/**
 * The unprivileged side of the writer: runs one job on the device the user chose. Image files run
 * in-process (nothing to elevate, same rules); drives run in a helper process — elevated only when this
 * process could not write the drive itself. The helper connects back to a loopback port that only lives
 * for this job and must present the one-time token, read from a file only this user (and root) can read;
 * anything else that connects is dropped without a word and never sees the job.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../card/progress.js';
import type { DriveIdentity } from '../drives/identity.js';
import { AstcardError } from '../errors.js';
import { type ExecuteResult, executeJob } from './execute.js';
import { encodeSpec, type HelperSpec } from './helper-spec.js';
import type { WriterJob } from './jobs.js';
import { defaultHelperCommand, type HelperCommand, needsElevation, spawnHelper } from './launch.js';
import { encodeMessage, PROTOCOL_VERSION, readMessages, type WriterStep } from './protocol.js';
import { WriterError } from './writer-error.js';

export interface WriterTarget {
  device: string;
  /** The identity read when the user chose the device (readIdentity); the helper re-reads and compares. */
  identity: DriveIdentity;
  /** The drive's name as the user typed it, for a drive that requires it. */
  typedName?: string | null;
  /** The user answered yes to a confirmation (a drive over 128 GB). */
  confirmed?: boolean;
}

export interface RunWriterJobOptions {
  target: WriterTarget;
  job: WriterJob;
  /** Eject the drive afterwards (default true for drives; image files are never ejected). */
  eject?: boolean;
  onProgress?: (progress: Progress) => void;
  onStep?: (step: WriterStep) => void;
  signal?: AbortSignal;
  /** auto: in-process for image files, a helper for drives (elevated if needed). */
  mode?: 'auto' | 'in-process' | 'helper' | 'elevated-helper';
  /** How to start the helper; the default runs this build's helper script. */
  helper?: HelperCommand;
  /** How long to wait for the helper to connect (the user may be typing a password). */
  connectTimeoutMs?: number;
}

export async function runWriterJob(options: RunWriterJobOptions): Promise<ExecuteResult> {
  const { target } = options;
  const isFile = (await stat(target.device).catch(() => null))?.isFile() ?? false;
  const baseSpec = {
    device: target.device,
    identity: target.identity,
    typedName: target.typedName ?? null,
    confirmed: target.confirmed ?? false,
    eject: !isFile && (options.eject ?? true),
    user: currentUser(),
  };
  let mode = options.mode ?? 'auto';
  if (mode === 'auto') {
    if (isFile) mode = 'in-process';
    else mode = (await needsElevation(target.device)) ? 'elevated-helper' : 'helper';
  }
  if (mode === 'in-process') {
    return executeJob({ ...baseSpec, port: 0, tokenFile: '' }, options.job, {
      ...(options.onStep ? { onStep: options.onStep } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  return runInHelper(options, baseSpec, mode === 'elevated-helper');
}

async function runInHelper(
  options: RunWriterJobOptions,
  baseSpec: Omit<HelperSpec, 'port' | 'tokenFile'>,
  elevated: boolean,
): Promise<ExecuteResult> {
  const token = randomBytes(32).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'astcard-writer-'));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, token, { mode: 0o600 });
  const server = createServer();
  try {
    const port = await listen(server);
    const spec: HelperSpec = { ...baseSpec, port, tokenFile };
    const helper = spawnHelper(
      options.helper ?? defaultHelperCommand(),
      ['--spec', encodeSpec(spec)],
      elevated,
    );
    return await converse(server, token, helper, options, elevated);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function converse(
  server: Server,
  token: string,
  helper: ReturnType<typeof spawnHelper>,
  options: RunWriterJobOptions,
  elevated: boolean,
): Promise<ExecuteResult> {
  return new Promise((resolve, reject) => {
    let peer: Socket | undefined;
    let refused = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', cancel);
      outcome();
    };
    const timer = setTimeout(
      () => {
        helper.kill();
        settle(() =>
          reject(new WriterError('helper-failed', 'The writer did not start in time. Try again.')),
        );
      },
      options.connectTimeoutMs ?? (elevated ? 300_000 : 30_000),
    );
    const cancel = () => peer?.write(encodeMessage({ type: 'cancel' }));
    options.signal?.addEventListener('abort', cancel);

    server.on('connection', (socket) => {
      if (peer || settled) {
        socket.destroy();
        return;
      }
      let greeted = false;
      readMessages(
        socket,
        (message) => {
          if (!greeted) {
            if (
              message.type !== 'hello' ||
              message.protocol !== PROTOCOL_VERSION ||
              !sameToken(message.token, token)
            ) {
              refused += 1;
              socket.destroy();
              return;
            }
            greeted = true;
            peer = socket;
            // The timeout is for starting (and the password prompt); the job itself may take many minutes.
            clearTimeout(timer);
            // The helper proved itself: no one else gets in, even after it leaves.
            server.close();
            socket.write(encodeMessage({ type: 'job', job: options.job }));
            if (options.signal?.aborted) cancel();
            return;
          }
          if (message.type === 'step') options.onStep?.(message.step as WriterStep);
          else if (message.type === 'progress') options.onProgress?.(message.progress as Progress);
          else if (message.type === 'done')
            settle(() => resolve({ result: message.result, ejected: message.ejected === true }));
          else if (message.type === 'failed') settle(() => reject(remoteError(message.error)));
        },
        (error) => {
          if (peer === socket) settle(() => reject(error));
        },
      );
      socket.on('error', () => {});
    });

    helper.exited.then(
      async ({ code, stderr }) => {
        // The helper's last message can still be in flight when its exit is reported: drain the socket first.
        const open = peer;
        if (open && !open.destroyed) {
          await new Promise<void>((done) => {
            open.once('close', () => done());
            setTimeout(done, 2000).unref();
          });
        }
        settle(() =>
          reject(
            refused > 0 && !peer
              ? new WriterError(
                  'helper-unauthenticated',
                  'The writer could not prove it was the one astcard started, so it was given nothing to do. Nothing was written.',
                  { detail: `${refused} connection(s) refused` },
                )
              : new WriterError(
                  'helper-failed',
                  'The writer stopped before finishing. Nothing more was written; check the card before using it.',
                  {
                    detail: `exit ${code}: ${stderr.trim()}`,
                  },
                ),
          ),
        );
      },
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

function remoteError(value: unknown): AstcardError {
  const data = (typeof value === 'object' && value !== null ? value : {}) as {
    code?: unknown;
    message?: unknown;
    detail?: unknown;
  };
  return new AstcardError(
    typeof data.code === 'string' ? data.code : 'internal',
    typeof data.message === 'string' ? data.message : 'The writer failed without saying why.',
    typeof data.detail === 'string' ? { detail: data.detail } : {},
  );
}

function sameToken(offered: unknown, token: string): boolean {
  if (typeof offered !== 'string' || offered.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(offered), Buffer.from(token));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function currentUser(): HelperSpec['user'] {
  if (typeof process.getuid !== 'function') return null;
  return { uid: process.getuid(), gids: process.getgroups?.() ?? [process.getgid?.() ?? 0] };
}
