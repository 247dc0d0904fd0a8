// The try console's way to the window is bounded: however fast a console prints, the window gets a few
// slices a second of at most TRY_CONSOLE_MAX_LINES lines, the loader's own lines always among them, and
// the count of what was left out.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConsoleFeed } from '../../../electron/service/console-feed.js';
import { TRY_CONSOLE_MAX_CHARS, TRY_CONSOLE_MAX_LINES, type TryConsole } from '../../../shared/api.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const ids = { jobId: 'try-1', cardId: '/tmp/card.img' };

describe('the try console feed', () => {
  test('a flood of 100 000 lines in one burst reaches the window as one slice of the newest lines, loader lines kept', () => {
    const slices: TryConsole[] = [];
    const feed = new ConsoleFeed(ids, (slice) => slices.push(slice), 100);
    feed.reached('loader');
    feed.line('[    1.50] astcard: AstLinux-2.1.0.img: checksum ok');
    for (let i = 0; i < 100_000; i++) feed.line(`noise ${i}`);
    feed.line('[    2.00] astcard: kexec -e AstLinux-2.1.0.img');
    expect(slices).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(slices).toHaveLength(1);
    const [slice] = slices as [TryConsole];
    expect(slice.lines).toHaveLength(TRY_CONSOLE_MAX_LINES);
    expect(slice.lines.filter((line) => line.loader).map((line) => line.text)).toEqual([
      '[    1.50] astcard: AstLinux-2.1.0.img: checksum ok',
      '[    2.00] astcard: kexec -e AstLinux-2.1.0.img',
    ]);
    // Every line is either sent or counted.
    expect(slice.lines.length + slice.dropped).toBe(100_002);
    expect(slice.lines.at(-2)?.text).toBe('noise 99999');
    expect(slice.stage).toBe('loader');
  });

  test('slices come at most every interval, however the lines are spread', () => {
    const slices: Array<{ at: number; slice: TryConsole }> = [];
    const feed = new ConsoleFeed(ids, (slice) => slices.push({ at: Date.now(), slice }), 100);
    const start = Date.now();
    for (let ms = 0; ms < 2000; ms++) {
      feed.line(`line at ${ms} ms`);
      vi.advanceTimersByTime(1);
    }
    feed.close();
    expect(slices.length).toBeLessThanOrEqual(21);
    for (let i = 1; i < slices.length - 1; i++) {
      expect((slices[i]?.at ?? 0) - (slices[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(100);
    }
    expect(slices.reduce((sum, each) => sum + each.slice.lines.length + each.slice.dropped, 0)).toBe(2000);
    expect(Date.now() - start).toBe(2000);
  });

  test('lines are clipped and cleaned of terminal escapes; after the decision nothing passes for a loader line', () => {
    const slices: TryConsole[] = [];
    const feed = new ConsoleFeed(ids, (slice) => slices.push(slice), 100);
    feed.line(`\x1b[2J\x1b[1;1H${'x'.repeat(5000)}`);
    feed.reached('decided');
    feed.line('[    9.00] astcard: FAILED: printed by the started system, not the loader');
    feed.close();
    const lines = slices.flatMap((slice) => slice.lines);
    expect(lines[0]?.text).toHaveLength(TRY_CONSOLE_MAX_CHARS);
    expect(lines[0]?.text.startsWith('xxx')).toBe(true);
    expect(lines[1]?.loader).toBe(false);
    expect(slices.at(-1)?.stage).toBe('decided');
    // Closed: nothing more is sent.
    feed.line('late');
    vi.advanceTimersByTime(1000);
    expect(slices.flatMap((slice) => slice.lines).map((line) => line.text)).not.toContain('late');
  });

  test('a new stage is sent even without new lines', () => {
    const slices: TryConsole[] = [];
    const feed = new ConsoleFeed(ids, (slice) => slices.push(slice), 100);
    feed.reached('firmware');
    vi.advanceTimersByTime(100);
    expect(slices).toEqual([{ ...ids, lines: [], dropped: 0, stage: 'firmware' }]);
  });
});
