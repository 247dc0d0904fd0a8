import { describe, expect, test } from 'vitest';
import { perKeyQueue } from '../../../electron/service/per-key-queue.js';

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('perKeyQueue', () => {
  test('runs work for one card one after another, other cards alongside', async () => {
    const queue = perKeyQueue();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await pause(ms);
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      queue('card-a', step('a1', 30)),
      queue('card-a', step('a2', 1)),
      queue('card-b', step('b1', 1)),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 end')).toBeLessThan(log.indexOf('a1 end'));
  });

  test('a failure ends only its own turn', async () => {
    const queue = perKeyQueue();
    const failing = queue('card', async () => {
      throw new Error('card pulled out');
    });
    const next = queue('card', async () => 'still works');
    await expect(failing).rejects.toThrow('card pulled out');
    await expect(next).resolves.toBe('still works');
  });
});
