/**
 * The writer helper's entry point: `node helper-main.js --spec <base64>` (under Electron: the app's own
 * executable with ELECTRON_RUN_AS_NODE=1). It may run elevated. It connects back to the client on
 * loopback, proves itself with the one-time token, takes one job for its one device, streams what it
 * does, and exits. Exit code 0 when the job succeeded, 1 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { errorData } from '../errors.js';
import { executeJob } from './execute.js';
import { decodeSpec, type HelperSpec } from './helper-spec.js';
import { encodeMessage, type HelperMessage, PROTOCOL_VERSION, readMessages } from './protocol.js';
import { WriterError } from './writer-error.js';

/** The client sends the job as soon as we are accepted; a silent peer is not worth waiting for. */
const JOB_TIMEOUT_MS = 30_000;

export async function runHelper(argv: string[]): Promise<number> {
  const index = argv.indexOf('--spec');
  const spec = decodeSpec(argv[index + 1] ?? '');
  const token = (await readFile(spec.tokenFile, 'utf8')).trim();
  const socket = await connectTo(spec.port);
  const send = (message: HelperMessage) => {
    if (!socket.destroyed) socket.write(encodeMessage(message));
  };
  send({ type: 'hello', protocol: PROTOCOL_VERSION, token, pid: process.pid });
  const ok = await serve(socket, spec, send);
  await new Promise<void>((resolve) => socket.end(resolve));
  return ok ? 0 : 1;
}

function serve(socket: Socket, spec: HelperSpec, send: (message: HelperMessage) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const abort = new AbortController();
    let started = false;
    let finished = false;
    const finish = (ok: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const fail = (error: unknown) => {
      send({ type: 'failed', error: errorData(error) });
      finish(false);
    };
    const timer = setTimeout(
      () => fail(new WriterError('protocol', 'No job arrived; the writer stopped.')),
      JOB_TIMEOUT_MS,
    );
    readMessages(
      socket,
      (message) => {
        if (message.type === 'cancel') {
          abort.abort();
          return;
        }
        if (message.type !== 'job' || started) {
          fail(
            new WriterError('protocol', 'The writer takes exactly one job.', {
              detail: String(message.type),
            }),
          );
          return;
        }
        started = true;
        clearTimeout(timer);
        executeJob(spec, message.job, {
          onStep: (step) => send({ type: 'step', step }),
          onProgress: (progress) => send({ type: 'progress', progress }),
          signal: abort.signal,
        }).then(({ result, ejected }) => {
          send({ type: 'done', result, ejected });
          finish(true);
        }, fail);
      },
      fail,
    );
    // The client went away (closed the app, or refused our token): stop the job at its next safe point.
    socket.on('close', () => {
      abort.abort();
      if (!started) finish(false);
    });
    socket.on('error', () => abort.abort());
  });
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}
