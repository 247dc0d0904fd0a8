/**
 * The client's end of a helper process: start it (elevated when asked), wait for it to prove itself, then
 * send it jobs and follow them. The helper connects back to a loopback port that only lives until it has
 * connected and must present the one-time token, read from a file only this user (and root) can read;
 * anything else that connects is dropped without a word and never sees a job. One helper serves a whole
 * batch or station, so the administrator password is asked for once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../card/progress.js';
import { AstcardError } from '../errors.js';
import { encodeSpec, type HelperSpec, type StationRules, type TargetSpec } from './helper-spec.js';
import type { ProvisionOutcome, WriterJob } from './jobs.js';
import { defaultHelperCommand, type HelperCommand, type HelperProcess, spawnHelper } from './launch.js';
import { encodeMessage, PROTOCOL_VERSION, readMessages, type WriterStep } from './protocol.js';
import { WriterError } from './writer-error.js';

/** What a job reports as it goes; `card` is the card's place in the job (always 0 for one-card jobs). */
export interface JobHooks {
  onStep?: (card: number, step: WriterStep) => void;
  onProgress?: (card: number, progress: Progress) => void;
  onOutcome?: (card: number, outcome: ProvisionOutcome) => void;
  signal?: AbortSignal;
}

export interface HelperConnection {
  run(slots: number[], job: WriterJob, hooks?: JobHooks): Promise<{ result: unknown; ejected: boolean }>;
  /** A station's newly inserted drive: the helper checks it by the station's rules and gives it a slot. */
  admit(target: TargetSpec): Promise<number>;
  /** No more jobs: waits for the helper to finish what runs and exit. */
  close(): Promise<void>;
}

export interface StartHelperOptions {
  targets: TargetSpec[];
  station: StationRules | null;
  user: HelperSpec['user'];
  elevated: boolean;
  /** How to start the helper; the default runs this build's helper script. */
  helper?: HelperCommand;
  /** How long to wait for the helper to connect (the user may be typing a password). */
  connectTimeoutMs?: number;
}

export async function startHelper(options: StartHelperOptions): Promise<HelperConnection> {
  const token = randomBytes(32).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'astcard-writer-'));
  const tokenFile = join(dir, 'token');
  const server = createServer();
  try {
    await writeFile(tokenFile, token, { mode: 0o600 });
    const port = await listen(server);
    const spec: HelperSpec = {
      port,
      tokenFile,
      targets: options.targets,
      station: options.station,
      user: options.user,
    };
    const helper = spawnHelper(
      options.helper ?? defaultHelperCommand(),
      ['--spec', encodeSpec(spec)],
      options.elevated,
    );
    const socket = await acceptHelper(
      server,
      token,
      helper,
      options.connectTimeoutMs ?? (options.elevated ? 300_000 : 30_000),
    );
    return follow(socket, helper);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Waits for the one connection that says hello with the right token; everything else is dropped. */
function acceptHelper(
  server: Server,
  token: string,
  helper: HelperProcess,
  timeoutMs: number,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let refused = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => {
      helper.kill();
      settle(() => reject(new WriterError('helper-failed', 'The writer did not start in time. Try again.')));
    }, timeoutMs);
    server.on('connection', (socket) => {
      if (settled) {
        socket.destroy();
        return;
      }
      socket.on('error', () => {});
      let greeted = false;
      readMessages(
        socket,
        (message) => {
          if (greeted) return;
          greeted = true;
          if (
            message.type !== 'hello' ||
            message.protocol !== PROTOCOL_VERSION ||
            !sameToken(message.token, token)
          ) {
            refused += 1;
            socket.destroy();
            return;
          }
          // The helper proved itself: no one else gets in, even after it leaves.
          server.close();
          socket.removeAllListeners('data');
          settle(() => resolve(socket));
        },
        () => {},
      );
    });
    helper.exited.then(
      ({ code, stderr }) =>
        settle(() =>
          reject(
            refused > 0
              ? new WriterError(
                  'helper-unauthenticated',
                  'The writer could not prove it was the one astcard started, so it was given nothing to do. Nothing was written.',
                  { detail: `${refused} connection(s) refused` },
                )
              : new WriterError(
                  'helper-failed',
                  'The writer stopped before it started. Nothing was written.',
                  {
                    detail: `exit ${code}: ${stderr.trim()}`,
                  },
                ),
          ),
        ),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

interface Pending {
  hooks: JobHooks;
  resolve(value: { result: unknown; ejected: boolean; slot?: number }): void;
  reject(error: unknown): void;
}

function follow(socket: Socket, helper: HelperProcess): HelperConnection {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: AstcardError | null = null;
  const send = (message: Parameters<typeof encodeMessage>[0]) => {
    if (!socket.destroyed) socket.write(encodeMessage(message));
  };
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));

  readMessages(
    socket,
    (message) => {
      const entry = pending.get(typeof message.id === 'number' ? message.id : -1);
      if (!entry) return;
      const card = typeof message.card === 'number' ? message.card : 0;
      if (message.type === 'step') entry.hooks.onStep?.(card, message.step as WriterStep);
      else if (message.type === 'progress') entry.hooks.onProgress?.(card, message.progress as Progress);
      else if (message.type === 'outcome') entry.hooks.onOutcome?.(card, message.outcome as ProvisionOutcome);
      else if (message.type === 'done')
        entry.resolve({ result: message.result, ejected: message.ejected === true });
      else if (message.type === 'admitted')
        entry.resolve({ result: null, ejected: false, slot: Number(message.slot) });
      else if (message.type === 'failed') entry.reject(remoteError(message.error));
    },
    (error) => {
      gone = error;
      socket.destroy();
    },
  );

  // The helper's last messages can still be in flight when its exit is reported: the socket's close ends it.
  void Promise.all([helper.exited, closed]).then(([{ code, stderr }]) => {
    const error =
      gone ??
      new WriterError(
        'helper-failed',
        'The writer stopped before finishing. Nothing more was written; check the card before using it.',
        { detail: `exit ${code}: ${stderr.trim()}` },
      );
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  });
  void closed.then(() => {
    if (!gone) return;
    for (const entry of pending.values()) entry.reject(gone);
    pending.clear();
  });

  const request = (
    message: (id: number) => Parameters<typeof encodeMessage>[0],
    hooks: JobHooks,
  ): Promise<{ result: unknown; ejected: boolean; slot?: number }> => {
    if (socket.destroyed) {
      return Promise.reject(
        gone ?? new WriterError('helper-failed', 'The writer has stopped; start the job again.'),
      );
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const cancel = () => send({ type: 'cancel', id });
      hooks.signal?.addEventListener('abort', cancel);
      const done = () => {
        pending.delete(id);
        hooks.signal?.removeEventListener('abort', cancel);
      };
      pending.set(id, {
        hooks,
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      send(message(id));
      if (hooks.signal?.aborted) cancel();
    });
  };

  return {
    run: (slots, job, hooks = {}) => request((id) => ({ type: 'job', id, slots, job }), hooks),
    admit: async (target) => {
      const { slot } = await request((id) => ({ type: 'admit', id, target }), {});
      return slot ?? -1;
    },
    async close() {
      send({ type: 'end' });
      socket.end();
      await helper.exited;
    },
  };
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
