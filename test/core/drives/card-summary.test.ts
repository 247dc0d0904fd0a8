import { execFileSync, spawnSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summariseMountedCard } from '../../../electron/core/drives/card-summary.js';
import { scanDrives } from '../../../electron/core/drives/drive-list.js';
import { readIdentity } from '../../../electron/core/drives/identity.js';
import { readLinuxDrive } from '../../../electron/core/drives/linux-lsblk.js';
import type { SingleJob } from '../../../electron/core/writer/prepare-job.js';
import { type JobTarget, type RunJobOptions, runJob } from '../../../electron/core/writer/run-job.js';
import { fakeImage, scratch } from '../card/card-fixtures.js';

/** The one-card writer call these tests were written against, on top of runJob. */
function runWriterJob<J extends SingleJob>(options: { target: JobTarget; job: J } & RunJobOptions) {
  const { target, job, ...rest } = options;
  return runJob(target, job, rest);
}

describe('card summaries', () => {
  it('reads a mounted card through its files with the shared boot plan', async () => {
    const root = scratch('mounted-card');
    fakeImage(root, '1.5.4', 4096);
    fakeImage(root, '1.6.0', 4096, false);
    writeFileSync(join(root, 'loader.json'), JSON.stringify({ version: '2.1.0' }));
    writeFileSync(join(root, 'notes.txt'), 'not part of the card');
    const summary = await summariseMountedCard(root, 'ASTLINUX');
    expect(summary).toMatchObject({
      label: 'ASTLINUX',
      loaderVersion: '2.1.0',
      images: ['AstLinux-1.5.4.img', 'AstLinux-1.6.0.img'],
      boots: 'AstLinux-1.5.4.img',
      source: 'mounted-files',
    });
    expect(summary?.problems).toHaveLength(1);
    expect(summary?.problems[0]).toMatch(/^AstLinux-1\.6\.0\.img: /);
    expect(await summariseMountedCard(scratch('not-a-card'))).toBeNull();
  });

  it.skipIf(process.getuid?.() !== 0)(
    'finds AstLinux cards on real loop devices, mounted and not (needs root for losetup and mount)',
    async () => {
      const dir = scratch('summary-loops');
      const files = ['raw.img', 'mounted.img'].map((name) => {
        const path = join(dir, name);
        writeFileSync(path, '');
        truncateSync(path, 32 * 1024 * 1024);
        return path;
      });
      const [rawLoop, mountedLoop] = files.map((file) =>
        execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim(),
      ) as [string, string];
      const mountpoint = scratch('summary-mount');
      try {
        const image = fakeImage(dir, '1.5.4', 256 * 1024);
        await runWriterJob({
          target: { device: rawLoop, identity: await readIdentity(rawLoop) },
          job: { kind: 'prepare', images: [image] },
          mode: 'in-process',
        });
        execFileSync('mkfs.ext2', ['-q', mountedLoop]);
        execFileSync('mount', [mountedLoop, mountpoint]);
        fakeImage(mountpoint, '1.4.0', 4096);
        const records = await Promise.all(
          [rawLoop, mountedLoop].map(async (device) => (await readLinuxDrive(device)).record),
        );
        const drives = await scanDrives({}, records);
        const [raw, mounted] = drives;
        expect(raw?.card).toMatchObject({
          images: ['AstLinux-1.5.4.img'],
          boots: 'AstLinux-1.5.4.img',
          source: 'device',
        });
        expect(mounted?.card).toMatchObject({ images: ['AstLinux-1.4.0.img'], source: 'mounted-files' });
        expect(raw?.reasons.map((reason) => reason.code)).toContain('astlinux-card');
      } finally {
        spawnSync('umount', [mountpoint]);
        for (const loop of [rawLoop, mountedLoop]) spawnSync('losetup', ['-d', loop]);
      }
    },
  );
});
