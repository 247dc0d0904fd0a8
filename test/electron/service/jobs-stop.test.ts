// Stopping the app (Ctrl-C on `astcard ui`): every running job is cancelled, and the stop waits until each
// has left its work — its safe point — rather than hanging up on a card half-written.
import { describe, expect, test } from 'vitest';
import { Jobs } from '../../../electron/service/jobs.js';

describe('stopping every job', () => {
  test('cancels each running job and resolves only once every one has finished its clean-up', async () => {
    const jobs = new Jobs(() => {});
    const finished: string[] = [];
    const job = (id: string, cleanUpMs: number) =>
      jobs
        .run(id, async ({ signal }) => {
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          // The safe point is a little way off: a flush, a checksum file not yet written.
          await new Promise((resolve) => setTimeout(resolve, cleanUpMs));
          finished.push(id);
          throw new Error(`${id} cancelled`);
        })
        .catch((error: Error) => error.message);
    const outcomes = [job('a', 150), job('b', 50)];
    expect(jobs.count).toBe(2);
    await jobs.stopAll();
    expect(finished.sort()).toEqual(['a', 'b']);
    expect(jobs.count).toBe(0);
    expect(await Promise.all(outcomes)).toEqual(['a cancelled', 'b cancelled']);
  });

  test('with nothing running, stops at once', async () => {
    const jobs = new Jobs(() => {});
    await jobs.run('done', async () => 1);
    await expect(jobs.stopAll()).resolves.toBeUndefined();
    expect(jobs.count).toBe(0);
  });
});
