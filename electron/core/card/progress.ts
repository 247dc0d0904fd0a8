import type { Progress, ProgressPhase } from '../../../shared/progress.js';

export type { Progress, ProgressPhase } from '../../../shared/progress.js';

export type ProgressListener = (progress: Progress) => void;

const REPORT_INTERVAL_MS = 250;
const SPEED_WINDOW_MS = 2000;

/**
 * Turns byte counts into throttled progress events (4 a second, plus the first and the last) with a speed
 * averaged over a two-second window, so a bar neither floods a terminal nor jumps around.
 */
export function byteProgress(
  listener: ProgressListener | undefined,
  phase: ProgressPhase,
  total: number,
  item?: string,
): (done: number) => void {
  if (!listener) return () => {};
  const samples: Array<{ at: number; done: number }> = [];
  let lastReport = -Infinity;
  return (done) => {
    const now = Date.now();
    samples.push({ at: now, done });
    while (samples.length > 2 && (samples[0]?.at ?? now) < now - SPEED_WINDOW_MS) samples.shift();
    if (now - lastReport < REPORT_INTERVAL_MS && done < total && done > 0) return;
    lastReport = now;
    const first = samples[0] ?? { at: now, done };
    const seconds = (now - first.at) / 1000;
    const event: Progress = { phase, done, total };
    if (item !== undefined) event.item = item;
    if (seconds > 0.2) {
      event.speed = (done - first.done) / seconds;
      if (event.speed > 0) event.etaSeconds = (total - done) / event.speed;
    }
    listener(event);
  };
}

/** Throws the cancellation error when the signal has fired: called between steps that leave the card consistent. */
export function checkCancelled(signal: AbortSignal | undefined, makeError: () => Error): void {
  if (signal?.aborted) throw makeError();
}

/** The chunks of a read, stopping with the cancellation error between two chunks once the signal fires. */
export async function* cancellableChunks<T>(
  chunks: AsyncIterable<T>,
  signal: AbortSignal | undefined,
  makeError: () => Error,
): AsyncGenerator<T> {
  for await (const chunk of chunks) {
    checkCancelled(signal, makeError);
    yield chunk;
  }
}
