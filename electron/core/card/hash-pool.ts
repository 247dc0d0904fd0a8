/**
 * Digests off the main thread: when several cards are read back at once (a batch), each one's hashing runs
 * on its own worker, so the cards' read-backs overlap on every core instead of queueing on one thread.
 * Workers are kept between digests, and never keep the process alive while idle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DigestAlgorithm } from '../../../shared/checksums.js';
import { readAhead } from './read-ahead.js';

/** Chunks posted to a worker and not yet hashed: bounds the memory a fast read can pin. */
const IN_FLIGHT = 4;

// Plain JavaScript, evaluated by the worker: no build step or loader is needed to start it.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let hash = null;
parentPort.on('message', (message) => {
  try {
    if (message.type === 'start') hash = createHash(message.algo);
    else if (message.type === 'update') { hash.update(message.chunk); parentPort.postMessage({ type: 'ack' }); }
    else if (message.type === 'end') { parentPort.postMessage({ type: 'digest', digest: hash.digest('hex') }); hash = null; }
  } catch (error) {
    hash = null;
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
  }
});
`;

type Reply = { type: 'ack' } | { type: 'digest'; digest: string } | { type: 'error'; message: string };

const idle: Worker[] = [];
const waiting: Array<(worker: Worker) => void> = [];
let started = 0;
const poolSize = () => Math.max(2, availableParallelism());

function spawn(): Worker {
  started++;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  // A worker that ends (replaced after a failed digest) leaves the pool; a new one serves whoever waits.
  worker.once('exit', () => {
    started--;
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    const next = waiting.shift();
    if (next) next(spawn());
  });
  return worker;
}

function claim(): Promise<Worker> {
  const worker = idle.pop();
  if (worker) {
    worker.ref();
    return Promise.resolve(worker);
  }
  if (started < poolSize()) return Promise.resolve(spawn());
  return new Promise((resolve) => waiting.push(resolve));
}

function giveBack(worker: Worker): void {
  const next = waiting.shift();
  if (next) {
    next(worker);
    return;
  }
  worker.unref();
  idle.push(worker);
}

/** Same result as `digestChunks`, with the hashing done on a pooled worker thread. */
export async function digestChunksInPool(
  chunks: AsyncIterable<Uint8Array>,
  algo: DigestAlgorithm,
  onBytes?: (done: number) => void,
): Promise<{ digest: string; bytes: number }> {
  const worker = await claim();
  let inFlight = 0;
  let wake: (() => void) | null = null;
  let failed: Error | null = null;
  let result: ((digest: string) => void) | null = null;
  const onMessage = (reply: Reply) => {
    if (reply.type === 'ack') inFlight--;
    else if (reply.type === 'digest') result?.(reply.digest);
    else failed = new Error(`hashing failed: ${reply.message}`);
    wake?.();
  };
  const onError = (error: Error) => {
    failed = error;
    wake?.();
  };
  const onExit = () => {
    failed ??= new Error('the hashing worker stopped');
    wake?.();
  };
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  const until = (ready: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (failed || ready()) {
          wake = null;
          resolve();
        } else wake = check;
      };
      check();
    });
  let healthy = true;
  try {
    worker.postMessage({ type: 'start', algo });
    let bytes = 0;
    for await (const chunk of readAhead(chunks)) {
      await until(() => inFlight < IN_FLIGHT);
      if (failed) throw failed;
      // A private copy of exactly the chunk (Buffer#slice would share memory): the chunk may be a view
      // into a larger buffer its reader keeps, and the copy's own buffer is handed over to the worker.
      const copy = new Uint8Array(chunk);
      inFlight++;
      worker.postMessage({ type: 'update', chunk: copy }, [copy.buffer]);
      bytes += chunk.length;
      onBytes?.(bytes);
    }
    const done: { digest: string | null } = { digest: null };
    result = (value) => {
      done.digest = value;
    };
    worker.postMessage({ type: 'end' });
    await until(() => done.digest !== null);
    if (failed || done.digest === null) throw failed ?? new Error('the hashing worker gave no digest');
    return { digest: done.digest, bytes };
  } catch (error) {
    healthy = false;
    throw error;
  } finally {
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    // A worker left mid-digest (the reader failed or was cancelled) holds a half-fed hash: replace it.
    if (healthy) giveBack(worker);
    else void worker.terminate();
  }
}
