// What the API tells the window is true, over the real core on image-file cards: cards a batch wrote are
// read again for the Cards list; a batch name with a report, or a CSV with too few rows left, is refused
// before any card is touched; a card image too small for images only sized once downloaded or unpacked is
// refused with the words its warning uses, untouched; and a job's cards are listed with the job while it
// runs. Every claim is checked on the cards (the card doctor, sha1 of the untouched ones).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type AstcardService, createAstcardService } from '../../../electron/service/service.js';
import type { ApiError, CardSummary } from '../../../shared/api.js';
import { fakeImage, inspectImageFile, removeScratch, scratch } from '../../core/card/card-fixtures.js';

const MiB = 1024 * 1024;
const dir = scratch('honest-service');
const image = fakeImage(dir, '2.0.1', 2 * MiB);
const csv = join(dir, 'cards.csv');
const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

let service: AstcardService | undefined;

beforeAll(() => {
  process.env.ASTCARD_BATCH_DIR = join(dir, 'batches');
  writeFileSync(csv, 'hostname\nshop-1\nshop-2\n');
});
afterEach(() => service?.close());
afterAll(() => {
  delete process.env.ASTCARD_BATCH_DIR;
  removeScratch();
});

function card(name: string, size = '64M'): string {
  const path = join(dir, name);
  execFileSync('truncate', ['-s', size, path]);
  return path;
}

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('the API says what is so', () => {
  test('cards a batch wrote are read again; a used name and a CSV out of rows are refused first', async () => {
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
    const { api } = service;
    const [a, b, c] = [card('a.img'), card('b.img'), card('c.img')];
    for (const path of [a, b, c]) await api.openCardImage(path);
    const lists: CardSummary[][] = [];
    api.onCardsChanged((cards) => lists.push(cards));
    expect(await api.checkBatch('order 7', csv)).toEqual({
      folder: 'order-7',
      verified: 0,
      failed: 0,
      rows: 2,
      rowsLeft: 2,
    });

    const records = await api.runBatch({
      jobId: 'batch-1',
      name: 'order 7',
      cards: [a, b],
      images: [image],
      keydisk: { mode: 'new' },
      csvPath: csv,
    });
    expect(records.map((record) => record.verified)).toEqual([true, true]);
    // The list the window holds, without opening either card: what the card doctor finds on them.
    const listed = lists.at(-1) ?? [];
    for (const path of [a, b]) {
      expect(listed.find((each) => each.id === path)?.state).toMatchObject({
        kind: 'astlinux',
        boot: { version: '2.0.1' },
      });
      expect((await inspectImageFile(path)).boot?.version).toBe('2.0.1');
    }
    // While it ran, the window was told which cards it had: none is left marked once it is over.
    expect(lists.some((cards) => cards.find((each) => each.id === a)?.job?.kind === 'batch')).toBe(true);
    expect(listed.every((each) => each.job === undefined)).toBe(true);

    expect(await api.checkBatch('order 7', csv)).toEqual({
      folder: 'order-7',
      verified: 2,
      failed: 0,
      rows: 2,
      rowsLeft: 0,
    });
    const before = sha1(c);
    const again = {
      jobId: 'batch-2',
      name: 'order-7',
      cards: [c],
      images: [image],
      keydisk: { mode: 'new' },
    };
    const used = await refusal(api.runBatch({ ...again, csvPath: csv } as never));
    expect(used.code).toBe('batch-exists');
    expect(used.message).toContain(
      'There is a report of a batch named "order-7" already (2 verified, 0 failed)',
    );
    const noRows = await refusal(api.runBatch({ ...again, csvPath: csv, addToReport: true } as never));
    expect(noRows.code).toBe('not-enough-rows');
    expect(noRows.message).toBe(
      'Each card takes its own row of the CSV, and no row of the CSV is left (2 went onto cards of the batch "order-7" before), for 1 card. Add rows to the CSV or make fewer cards.',
    );
    const station = await refusal(
      api.runStation({ ...again, csvPath: csv, addToReport: true, count: 1 } as never),
    );
    expect(station.code).toBe('not-enough-rows');
    expect(sha1(c)).toBe(before);
    expect((await api.batchHistory()).map((entry) => entry.cards.length)).toEqual([2]);
  });

  test('a card image too small for an image sized only when unpacked: refused untouched, in its warning’s words', async () => {
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
    const { api } = service;
    const archiveDir = scratch('honest-service-archive');
    const big = fakeImage(archiveDir, '3.0.0', 24 * MiB);
    const archive = join(archiveDir, 'astlinux.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', archiveDir, 'AstLinux-3.0.0.img', 'AstLinux-3.0.0.img.sha1']);
    const small = card('small.img', '32M');
    await api.openCardImage(small);
    const before = sha1(small);
    // Random bytes do not compress: the archive is as large as the image, but nobody knows it until unpacked.
    const [result] = await api.prepareCards({
      jobId: 'prepare-1',
      cards: [small],
      images: [archive],
      keydisk: { mode: 'none' },
      layout: 'mbr',
    });
    expect(result?.ok).toBe(false);
    expect(result?.error?.message).toMatch(
      /^small\.img is too small: it holds 34 MB, the card needs \d+ MB\. Use a larger card or fewer images\.$/,
    );
    // The same rule and words the Cards step flags it with, once the image is known.
    await api.planPrepare([big], { mode: 'none' });
    const flagged = (await api.listCards()).find((each) => each.id === small);
    expect(flagged?.access).toBe('blocked');
    expect(flagged?.warnings).toEqual([result?.error?.message]);
    expect(sha1(small)).toBe(before);
  });
});
