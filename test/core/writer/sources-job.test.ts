// The writer's `sources` job, run by the real helper process on an image-file card: the card's network
// sources and static address land in its syslinux.cfg (read back with mtools), and an address the loader
// would refuse is refused by the helper before anything is written.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CardSources } from '../../../electron/core/card/network-source.js';
import { readIdentity } from '../../../electron/core/drives/identity.js';
import type { SingleJob } from '../../../electron/core/writer/prepare-job.js';
import { type JobTarget, type RunJobOptions, runJob } from '../../../electron/core/writer/run-job.js';
import { parseLoaderOptions } from '../../../shared/loader-config.js';
import {
  fakeImage,
  fsckCard,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from '../card/card-fixtures.js';

/** The one-card writer call these tests were written against, on top of runJob. */
function runWriterJob<J extends SingleJob>(options: { target: JobTarget; job: J } & RunJobOptions) {
  const { target, job, ...rest } = options;
  return runJob(target, job, rest);
}

afterAll(removeScratch);

const appendOf = (card: string) =>
  /^\s*APPEND (.*)$/m.exec(mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8'))?.[1] ?? '';

describe('writer helper — the sources job', () => {
  it('writes the sources and the static address into syslinux.cfg, and clears them', async () => {
    const dir = scratch('writer-sources');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, [fakeImage(dir, '1.0.0', 10_000)]);
    const { result } = await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: {
        kind: 'sources',
        urls: ['HTTP://10.0.2.2:8000/os', 'nfs://10.0.2.2/srv/astlinux/'],
        cardFallback: false,
        ip: '10.0.2.100/24,10.0.2.2',
      },
      mode: 'helper',
    });
    expect(result as CardSources).toEqual({
      urls: ['http://10.0.2.2:8000/os/', 'nfs://10.0.2.2/srv/astlinux/'],
      cardFallback: false,
      ip: '10.0.2.100/24,10.0.2.2',
    });
    expect(parseLoaderOptions(appendOf(card)).options).toMatchObject({
      sources: ['http://10.0.2.2:8000/os/', 'nfs://10.0.2.2/srv/astlinux/', 'card=no'],
      ip: '10.0.2.100/24,10.0.2.2',
    });
    expect(fsckCard(card, 'mbr').status).toBe(0);

    const cleared = await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: { kind: 'sources', urls: [] },
      mode: 'helper',
    });
    expect(cleared.result).toEqual({ urls: [], cardFallback: true, ip: null });
    expect(appendOf(card)).not.toMatch(/astlinux\.(source|ip)=/);
  });

  it('refuses an unsupported source or a bad address and leaves the card untouched', async () => {
    const dir = scratch('writer-sources-bad');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, []);
    const digest = () => createHash('sha256').update(readFileSync(card)).digest('hex');
    const before = digest();
    for (const job of [
      { kind: 'sources' as const, urls: ['smb://server/share/'] },
      { kind: 'sources' as const, urls: ['http://10.0.2.2/os/'], ip: '10.0.2.100' },
    ]) {
      const error = await runWriterJob({
        target: { device: card, identity: await readIdentity(card) },
        job,
        mode: 'helper',
      }).then(
        () => null,
        (failure: { code: string; message: string }) => failure,
      );
      expect(error?.code).toBe('invalid-option');
      expect(error?.message).toMatch(/not supported|expected an IPv4 address/);
    }
    expect(digest()).toBe(before);
  });
});
