import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import type { Progress } from '../../../electron/core/card/progress.js';
import { summariseDevice } from '../../../electron/core/drives/card-summary.js';
import { readIdentity } from '../../../electron/core/drives/identity.js';
import { isCardRemoval } from '../../../electron/core/writer/card-removed.js';
import { executeJob } from '../../../electron/core/writer/execute.js';
import type { SingleJob } from '../../../electron/core/writer/prepare-job.js';
import type { WriterStep } from '../../../electron/core/writer/protocol.js';
import { type JobTarget, type RunJobOptions, runJob } from '../../../electron/core/writer/run-job.js';
import { fakeImage, fsckCard, mtoolsNames, scratch } from '../card/card-fixtures.js';

/** The one-card writer call these tests were written against, on top of runJob. */
function runWriterJob<J extends SingleJob>(options: { target: JobTarget; job: J } & RunJobOptions) {
  const { target, job, ...rest } = options;
  return runJob(target, job, rest);
}

const CARD_BYTES = 64 * 1024 * 1024;
const dir = scratch('writer');
const image = fakeImage(dir, '1.5.4', 3 * 1024 * 1024 + 123);

function newCard(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, CARD_BYTES);
  return path;
}

/** Content hash and mtime: "nothing written" means both unchanged. */
function fingerprint(path: string): { sha: string; mtimeMs: number } {
  return {
    sha: createHash('sha256').update(readFileSync(path)).digest('hex'),
    mtimeMs: statSync(path).mtimeMs,
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('the writer accepted a job it should have refused');
}

describe('writer helper — a good job on an image file', () => {
  it('prepares the card in a helper process, streaming steps and progress', async () => {
    const card = newCard('good.img');
    const progress: Progress[] = [];
    const steps: WriterStep[] = [];
    const { result, ejected } = await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: { kind: 'prepare', images: [image] },
      mode: 'helper',
      onProgress: (event) => progress.push(event),
      onStep: (step) => steps.push(step),
    });
    expect(steps).toEqual(['checking', 'writing', 'syncing']);
    expect(ejected).toBe(false);
    expect((result as { images: Array<{ name: string }> }).images.map((entry) => entry.name)).toEqual([
      'AstLinux-1.5.4.img',
    ]);
    const writes = progress.filter((event) => event.phase === 'write');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.at(-1)?.done).toBe(writes.at(-1)?.total);
    expect(fsckCard(card, 'mbr').status).toBe(0);
    expect(mtoolsNames(card, 'mbr')).toEqual(
      expect.arrayContaining(['AstLinux-1.5.4.img', 'AstLinux-1.5.4.img.sha1']),
    );

    const disk = await FileBlockDevice.open(card, { readOnly: true });
    try {
      const summary = await summariseDevice(disk);
      expect(summary?.images).toEqual(['AstLinux-1.5.4.img']);
      expect(summary?.boots).toBe('AstLinux-1.5.4.img');
    } finally {
      await disk.close();
    }
    const keydisk = await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: { kind: 'keydisk-place', keydisk: null },
      mode: 'helper',
    });
    expect((keydisk.result as { label: string }).label).toBe('ASTKD');
    expect(mtoolsNames(card, 'mbr')).toContain('kd.img');
    const loader = await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: { kind: 'loader-update' },
      mode: 'helper',
    });
    expect((loader.result as { changed: boolean }).changed).toBe(false);
    expect(fsckCard(card, 'mbr').status).toBe(0);
    const verified = await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: { kind: 'verify' },
    });
    expect((verified.result as { ok: boolean }).ok).toBe(true);
  });
});

describe('writer helper — cancelling', () => {
  it('stops a copy at the next safe point when the user cancels, leaving a clean card', async () => {
    const card = newCard('cancel.img');
    await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: { kind: 'prepare', images: [] },
    });
    const big = fakeImage(scratch('cancel-src'), '1.6.0', 24 * 1024 * 1024);
    const abort = new AbortController();
    const error = await refusal(
      runWriterJob({
        target: { device: card, identity: await readIdentity(card) },
        job: { kind: 'add', images: [big] },
        mode: 'helper',
        signal: abort.signal,
        onProgress: () => abort.abort(),
      }),
    );
    expect(error, JSON.stringify(error)).toMatchObject({ code: 'cancelled' });
    expect(fsckCard(card, 'mbr').status).toBe(0);
    expect(mtoolsNames(card, 'mbr')).not.toContain('AstLinux-1.6.0.img.sha1');
  });
});

describe('writer helper — refusals leave the card untouched', () => {
  let card: string;
  let before: { sha: string; mtimeMs: number };
  beforeAll(async () => {
    card = newCard('guarded.img');
    await runWriterJob({
      target: { device: card, identity: await readIdentity(card) },
      job: { kind: 'prepare', images: [] },
    });
    before = fingerprint(card);
  });

  it('refuses a job of an unknown kind', async () => {
    const error = await refusal(
      runWriterJob({
        target: { device: card, identity: await readIdentity(card) },
        job: { kind: 'format-everything' } as unknown as SingleJob,
        mode: 'helper',
      }),
    );
    expect(error.code).toBe('unknown-job');
    expect(fingerprint(card)).toEqual(before);
  });

  it('refuses a job that names a device, even the chosen one or another card', async () => {
    const other = newCard('other.img');
    const otherBefore = fingerprint(other);
    for (const job of [
      { kind: 'add', images: [image], target: other },
      { kind: 'verify', device: '/dev/vda' },
      { kind: 'remove', images: ['1.5.4'], device: card },
    ]) {
      const error = await refusal(
        runWriterJob({
          target: { device: card, identity: await readIdentity(card) },
          job: job as unknown as SingleJob,
          mode: 'helper',
        }),
      );
      expect(error.code).toBe('job-names-device');
    }
    expect(fingerprint(card)).toEqual(before);
    expect(fingerprint(other)).toEqual(otherBefore);
  });

  it('refuses when the target is no longer the one chosen (swapped for another of the same size)', async () => {
    const identity = await readIdentity(card);
    const swapped = join(dir, 'swapped.img');
    writeFileSync(swapped, readFileSync(card));
    renameSync(swapped, card);
    const swappedBefore = fingerprint(card);
    const error = await refusal(
      runWriterJob({
        target: { device: card, identity },
        job: { kind: 'add', images: [image] },
        mode: 'helper',
      }),
    );
    expect(error.code).toBe('identity-changed');
    expect(error.message).toContain('serial');
    expect(fingerprint(card)).toEqual(swappedBefore);
    before = swappedBefore;
  });

  it('refuses a size change just the same', async () => {
    const identity = { ...(await readIdentity(card)), size: CARD_BYTES * 2 };
    const error = await refusal(
      runWriterJob({
        target: { device: card, identity },
        job: { kind: 'add', images: [image] },
        mode: 'helper',
      }),
    );
    expect(error.code).toBe('identity-changed');
    expect(fingerprint(card)).toEqual(before);
  });

  it('never sends the job to a peer without the token', async () => {
    const log = join(dir, 'impostor.log');
    const error = await refusal(
      runWriterJob({
        target: { device: card, identity: await readIdentity(card) },
        job: { kind: 'add', images: [image] },
        mode: 'helper',
        helper: {
          command: process.execPath,
          args: ['--import', 'tsx', join(import.meta.dirname, 'impostor-helper.ts')],
          env: { ASTCARD_IMPOSTOR_LOG: log },
        },
      }),
    );
    expect(error.code).toBe('helper-unauthenticated');
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(fingerprint(card)).toEqual(before);
  });

  it('gives up on a helper that never connects, and ends it', async () => {
    const started = Date.now();
    const error = await refusal(
      runWriterJob({
        target: { device: card, identity: await readIdentity(card) },
        job: { kind: 'verify' },
        mode: 'helper',
        connectTimeoutMs: 500,
        helper: { command: process.execPath, args: ['-e', 'setTimeout(() => {}, 20000)', '--'], env: {} },
      }),
    );
    expect(error.code).toBe('helper-failed');
    expect(error.message).toContain('did not start in time');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fingerprint(card)).toEqual(before);
  });

  it('refuses a source the user could not read themselves (the helper may be root)', async () => {
    const secret = fakeImage(scratch('secret'), '1.6.0', 4096);
    chmodSync(secret, 0o600);
    const identity = await readIdentity(card);
    const target = { device: card, identity, typedName: null, confirmed: false, eject: false };
    const nobody = { uid: 65534, gids: [65534] };
    const error = await refusal(executeJob(target, nobody, { kind: 'add', images: [secret] }));
    expect(error.code).toBe('source-refused');
    const relative = await refusal(executeJob(target, null, { kind: 'add', images: ['AstLinux-1.5.4.img'] }));
    expect(relative.code).toBe('source-refused');
    // Elevated by sudo for uid 1000, but the spec claims root: the tool's word wins.
    process.env.SUDO_UID = '1000';
    try {
      const claimed = await refusal(
        executeJob(target, { uid: 0, gids: [0] }, { kind: 'add', images: [image] }),
      );
      expect(claimed.code).toBe('source-refused');
    } finally {
      delete process.env.SUDO_UID;
    }
    expect(fingerprint(card)).toEqual(before);
  });
});

const isRoot = process.getuid?.() === 0;
const hasLosetup = spawnSync('losetup', ['--version']).status === 0;

describe.skipIf(!isRoot || !hasLosetup)(
  'writer helper — a loop device (skipped unless root with losetup)',
  () => {
    let loop = '';
    const backing = join(dir, 'loop-backing.img');
    beforeAll(() => {
      writeFileSync(backing, '');
      truncateSync(backing, CARD_BYTES);
      loop = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
    });
    afterAll(() => {
      if (loop) spawnSync('losetup', ['-d', loop]);
    });

    it('prepares a card on the loop device in a helper, with progress, and does not "eject" it', async () => {
      const identity = await readIdentity(loop);
      expect(identity.size).toBe(CARD_BYTES);
      const progress: Progress[] = [];
      const { ejected } = await runWriterJob({
        target: { device: loop, identity },
        job: { kind: 'prepare', images: [image], layout: 'superfloppy' },
        onProgress: (event) => progress.push(event),
      });
      expect(ejected).toBe(false);
      expect(progress.some((event) => event.phase === 'write' && event.done === event.total)).toBe(true);
      expect(fsckCard(backing, 'superfloppy').status).toBe(0);
      expect(mtoolsNames(backing, 'superfloppy')).toContain('AstLinux-1.5.4.img');
    });

    it('unmounts a mounted drive before writing, and refuses one that holds the source image', async () => {
      const file = join(dir, 'mounted-backing.img');
      writeFileSync(file, '');
      truncateSync(file, CARD_BYTES);
      const device = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
      const mountpoint = scratch('mounted');
      try {
        execFileSync('mkfs.ext2', ['-q', device]);
        execFileSync('mount', [device, mountpoint]);
        const inside = fakeImage(mountpoint, '1.7.0', 64 * 1024);
        const sourceError = await refusal(
          runWriterJob({
            target: { device, identity: await readIdentity(device) },
            job: { kind: 'prepare', images: [inside] },
            mode: 'helper',
          }),
        );
        expect(sourceError.code).toBe('drive-refused');
        expect(sourceError.message).toContain('AstLinux-1.7.0.img');
        expect(spawnSync('findmnt', ['-n', '-o', 'TARGET', device], { encoding: 'utf8' }).stdout.trim()).toBe(
          mountpoint,
        );

        const steps: WriterStep[] = [];
        await runWriterJob({
          target: { device, identity: await readIdentity(device) },
          job: { kind: 'prepare', images: [image] },
          mode: 'helper',
          onStep: (step) => steps.push(step),
        });
        expect(steps).toEqual(['checking', 'unmounting', 'writing', 'syncing', 'ejecting']);
        expect(spawnSync('findmnt', ['-n', '-o', 'TARGET', device], { encoding: 'utf8' }).stdout.trim()).toBe(
          '',
        );
        expect(fsckCard(file, 'mbr').status).toBe(0);
      } finally {
        spawnSync('umount', [mountpoint]);
        spawnSync('losetup', ['-d', device]);
      }
    });

    it('asks for confirmation of a drive over 128 GB itself, even if the client did not', async () => {
      const file = join(dir, 'huge-backing.img');
      writeFileSync(file, '');
      truncateSync(file, 200e9 - (200e9 % 4096));
      const device = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
      try {
        const error = await refusal(
          runWriterJob({
            target: { device, identity: await readIdentity(device) },
            job: { kind: 'prepare', images: [image] },
            mode: 'helper',
          }),
        );
        expect(error.code).toBe('confirmation-needed');
        expect(error.message).toContain('200 GB');
        expect(statSync(file).blocks).toBe(0);
      } finally {
        spawnSync('losetup', ['-d', device]);
      }
    });

    it('says "the card was removed or failed" when the device stops taking writes mid-job', async () => {
      // A loop device over a sparse file on a 2 MiB tmpfs: the first writes land, then the medium fails
      // with real ENOSPC/EIO from the kernel — the same errors a pulled or dying card produces.
      const small = scratch('failing');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]);
      let failing = '';
      try {
        const file = join(small, 'card.img');
        writeFileSync(file, '');
        truncateSync(file, CARD_BYTES);
        failing = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
        const error = await refusal(
          runWriterJob({
            target: { device: failing, identity: await readIdentity(failing) },
            job: { kind: 'prepare', images: [image] },
            mode: 'helper',
          }),
        );
        expect(error.code).toBe('card-removed');
        expect(error.message).toMatch(
          /^The card was removed or failed while astcard was using it .*prepare it again\.$/,
        );
        expect(isCardRemoval(Object.assign(new Error('x'), { code: 'ENXIO' }))).toBe(true);
        expect(isCardRemoval(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(false);
      } finally {
        if (failing) spawnSync('losetup', ['-d', failing]);
        spawnSync('umount', [small]);
      }
    });
  },
);
