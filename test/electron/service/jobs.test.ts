// A job's progress as one figure per card: it follows the job's plan across phases without ever going
// back (each phase starts again at 0 % of itself), sizes downloads as they announce themselves, and the
// cards a job works on are known while it runs. The phases come in the order and shape the core reports
// them for a prepare from a web address (stage-images, prepare, copy-image).
import { describe, expect, test } from 'vitest';
import { Jobs } from '../../../electron/service/jobs.js';
import type { CardJob, JobProgress } from '../../../shared/api.js';
import { type PhaseWeight, type Progress, preparePhases } from '../../../shared/progress.js';

const MiB = 1024 * 1024;
const image = 2 * MiB;
// The plan the app makes for a prepare from one web address with a new keydisk (job-plans.ts measures these).
const prepare = preparePhases({
  localImages: 0,
  downloads: 1,
  archives: 0,
  loader: 12 * MiB,
  bootloader: 200_000,
  keydisk: 4 * MiB,
});

/** A byte phase reported in quarters, as byteProgress does (first, a few, last). */
function quarters(phase: Progress['phase'], total: number, item?: string): Progress[] {
  return [0, 0.25, 0.5, 0.75, 1].map((share) => ({
    phase,
    done: Math.round(total * share),
    total,
    ...(item ? { item } : {}),
  }));
}

const prepareFromUrl: Progress[] = [
  ...quarters('download', image, 'AstLinux-1.3.0.img'),
  { phase: 'format', done: 0, total: 1 },
  { phase: 'format', done: 1, total: 1 },
  { phase: 'bootloader', done: 0, total: 1 },
  { phase: 'bootloader', done: 1, total: 1 },
  { phase: 'loader', done: 0, total: 1 },
  { phase: 'loader', done: 1, total: 1 },
  ...quarters('write', image, 'AstLinux-1.3.0.img'),
  ...quarters('verify', image, 'AstLinux-1.3.0.img'),
  { phase: 'keydisk', done: 0, total: 4 * MiB },
  { phase: 'keydisk', done: 4 * MiB, total: 4 * MiB },
  { phase: 'finish', done: 1, total: 1 },
];

async function run(
  reports: Array<Progress | { phase: 'done' | 'failed' | 'refused'; done: number; total: number }>,
  plan: PhaseWeight[],
): Promise<JobProgress[]> {
  const seen: JobProgress[] = [];
  const jobs = new Jobs((progress) => seen.push(progress));
  await jobs.run('job-1', async ({ progressFor, plan: setPlan }) => {
    setPlan(plan);
    for (const report of reports) progressFor('card.img')(report);
  });
  return seen;
}

describe('one overall figure per job', () => {
  test('never goes back across the phases of a prepare, and reaches the end with the last phase', async () => {
    const seen = await run(prepareFromUrl, prepare);
    const figures = seen.map((progress) => progress.overall);
    for (const [index, figure] of figures.entries()) {
      if (index > 0) expect(figure).toBeGreaterThanOrEqual(figures[index - 1] as number);
    }
    expect(figures.at(-1)).toBeCloseTo(1, 6);
    // Each phase still says where it is itself, beside the figure.
    expect(seen.find((progress) => progress.phase === 'format')).toMatchObject({ done: 0, total: 1 });
    // The download is its share of the bytes the job moves (2 of about 25 MiB), not the whole bar…
    const afterDownload = seen.filter((progress) => progress.phase === 'download').at(-1)?.overall ?? 1;
    const moved = image + MiB + 200_000 + 12 * MiB + 2 * image + 4 * MiB + 64 * 1024;
    expect(afterDownload).toBeCloseTo(image / moved, 3);
    // …and the write and read-back of what was downloaded count the downloaded size.
    const afterWrite = seen.filter((progress) => progress.phase === 'write').at(-1)?.overall ?? 0;
    expect(afterWrite).toBeCloseTo((2 * image + MiB + 200_000 + 12 * MiB) / moved, 3);
  });

  test('a step reported twice counts once, and a phase outside the plan only names what happens', async () => {
    const seen = await run(
      [
        { phase: 'write', done: MiB, total: 2 * MiB, item: 'a' },
        { phase: 'write', done: MiB, total: 2 * MiB, item: 'a' },
        { phase: 'hash', done: 5, total: 10, item: 'a' },
        { phase: 'write', done: 2 * MiB, total: 2 * MiB, item: 'a' },
      ],
      [{ phase: 'write', bytes: 4 * MiB }],
    );
    expect(seen.map((progress) => progress.overall)).toEqual([0.25, 0.25, 0.25, 0.5]);
    expect(seen[2]).toMatchObject({ phase: 'hash', done: 5, total: 10 });
  });

  test('a second download counts as the first until it says its size; the figure never goes back', async () => {
    const seen = await run(
      [...quarters('download', MiB, 'one.img'), ...quarters('download', 3 * MiB, 'two.img')],
      [{ phase: 'download', bytes: 0, items: 2 }],
    );
    const figures = seen.map((progress) => progress.overall);
    // Half of the two downloads, as far as anyone knows while the first one runs.
    expect(figures.slice(0, 5)).toEqual([0, 0.125, 0.25, 0.375, 0.5]);
    // The second is three times larger: 1 MiB of 4 done. The bar holds at half until that is true again.
    expect(figures.slice(5, 7)).toEqual([0.5, 0.5]);
    expect(figures.slice(7)).toEqual([0.625, 0.8125, 1]);
  });

  test('a card of a batch: done is the whole, failed stays where it got, refused never started', async () => {
    const seen = await run(
      [
        ...quarters('download', image, 'x').slice(0, 3),
        { phase: 'failed', done: 1, total: 1 },
        { phase: 'done', done: 1, total: 1 },
        { phase: 'refused', done: 0, total: 1 },
      ],
      [],
    );
    expect(seen.map((progress) => progress.overall)).toEqual([0, 0.25, 0.5, 0.5, 1, 0]);
  });
});

describe('the cards a job works on', () => {
  test('are known while it runs, and let go when it ends, well or not', async () => {
    let changes = 0;
    const jobs = new Jobs(
      () => {},
      () => {
        changes += 1;
      },
    );
    let during: Array<CardJob | undefined> = [];
    await expect(
      jobs.run(
        'add-1',
        async ({ claim, release }) => {
          claim('b.img');
          during = ['a.img', 'b.img', 'c.img'].map((id) => jobs.onCard(id));
          release('b.img');
          expect(jobs.onCard('b.img')).toBeUndefined();
          throw new Error('the write failed');
        },
        { kind: 'add', cards: ['a.img'] },
      ),
    ).rejects.toThrow('the write failed');
    expect(during).toEqual([{ jobId: 'add-1', kind: 'add' }, { jobId: 'add-1', kind: 'add' }, undefined]);
    expect(jobs.onCard('a.img')).toBeUndefined();
    // Taken a, taken b, let go b, let go a: the card list heard each.
    expect(changes).toBe(4);
  });
});
