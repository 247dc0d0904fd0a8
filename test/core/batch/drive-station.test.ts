import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchTarget } from '../../../electron/core/batch/batch-job.js';
import { driveArrivals } from '../../../electron/core/batch/drive-station.js';
import type { DriveRecord } from '../../../electron/core/drives/drive-record.js';
import { DriveWatcher } from '../../../electron/core/drives/drive-watcher.js';
import { GB, reader } from './reader-slots.js';

describe('driveArrivals', () => {
  it('offers only cards inserted while the station runs that pass its rules, unmounting them first', async () => {
    // What the drive list reports at each poll: slot sdb empty, then cards arrive one after another.
    const polls: DriveRecord[][] = [
      [
        reader('/dev/sda', 500 * GB, { isSystem: true, isRemovable: false }),
        reader('/dev/sdb', null),
        reader('/dev/sdc', 4 * GB),
      ],
      [reader('/dev/sdb', 2 * GB), reader('/dev/sdc', 4 * GB)],
      [reader('/dev/sdb', 2 * GB), reader('/dev/sdc', 4 * GB), reader('/dev/sdd', 64 * GB)],
      [
        reader('/dev/sdb', 2 * GB),
        reader('/dev/sdc', 4 * GB),
        reader('/dev/sdd', 64 * GB),
        reader('/dev/sde', 1 * GB),
      ],
      [
        reader('/dev/sdb', 2 * GB),
        reader('/dev/sdh', 1 * GB, { mountpoints: [{ path: '/media/busy', label: null }] }),
        reader('/dev/sdf', 1 * GB, { mountpoints: [{ path: '/media/x', label: null }] }),
      ],
      [reader('/dev/sdb', 2 * GB), reader('/dev/sdg', 1 * GB)],
    ];
    let poll = 0;
    const watcher = new DriveWatcher({
      intervalMs: 10,
      list: async () => polls[Math.min(poll++, polls.length - 1)] as DriveRecord[],
    });
    const controller = new AbortController();
    const rejected: string[] = [];
    const offered: BatchTarget[] = [];
    const astlinux = new Set(['/dev/sde']);
    const unmounted: string[] = [];
    for await (const target of driveArrivals(watcher, {
      rules: { minBytes: 512e6, maxBytes: 32 * GB, onlyEmpty: true },
      context: { platform: 'linux' },
      summarise: async (drive) =>
        astlinux.has(drive.device)
          ? { label: 'ASTLINUX', loaderVersion: '1', images: [], boots: null, problems: [], source: 'device' }
          : null,
      onRejected: (drive, reason) => rejected.push(`${drive.device}: ${reason}`),
      // As a desktop leaves them: every card mounted; one has a window open on it.
      unmount: async (drive) => {
        if (drive.device === '/dev/sdh') throw new Error('umount: /media/busy: target is busy.');
        unmounted.push(drive.device);
      },
      signal: controller.signal,
    })) {
      offered.push(target);
      if (offered.length === 3) controller.abort();
    }
    await watcher.stop();
    expect(offered.map((t) => t.target)).toEqual(['/dev/sdb', '/dev/sdf', '/dev/sdg']);
    expect(unmounted).toEqual(['/dev/sdf']);
    expect(rejected).toEqual([
      "/dev/sdd: Reader /dev/sdd is larger than the station's maximum",
      '/dev/sde: Reader /dev/sde is already an AstLinux card',
      '/dev/sdh: umount: /media/busy: target is busy.',
    ]);
  });
});

const isRoot = process.getuid?.() === 0;
const hasLoop =
  spawnSync('losetup', ['--version']).status === 0 && spawnSync('mkfs.ext2', ['-V']).status === 0;

describe.skipIf(!isRoot || !hasLoop)(
  'driveArrivals on a mounted loop device (skipped unless root with losetup and mkfs.ext2)',
  () => {
    // The host kernel has no vfat driver: the "automounted card" carries ext2, which it can mount.
    function mountedLoop(): { device: string; mount: string; done: () => void } {
      const dir = mkdtempSync(join(tmpdir(), 'astcard-station-'));
      const file = join(dir, 'card.img');
      execFileSync('truncate', ['-s', '8M', file]);
      execFileSync('mkfs.ext2', ['-q', '-F', file]);
      const device = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
      const mount = join(dir, 'media');
      mkdirSync(mount);
      execFileSync('mount', [device, mount]);
      return {
        device,
        mount,
        done: () => {
          spawnSync('umount', [mount]);
          spawnSync('losetup', ['-d', device]);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    const mounted = (mount: string) => readFileSync('/proc/mounts', 'utf8').includes(` ${mount} `);

    async function arrive(device: string, mount: string) {
      const record = reader(device, 8 * 1024 * 1024, { mountpoints: [{ path: mount, label: null }] });
      let poll = 0;
      const watcher = new DriveWatcher({
        intervalMs: 10,
        list: async () => (poll++ === 0 ? [] : [record]),
      });
      const controller = new AbortController();
      const rejected: string[] = [];
      const offered: string[] = [];
      const timer = setTimeout(() => controller.abort(), 3000);
      for await (const target of driveArrivals(watcher, {
        rules: {},
        context: { platform: 'linux' },
        summarise: async () => null,
        onRejected: (_drive, reason) => {
          rejected.push(reason);
          controller.abort();
        },
        signal: controller.signal,
      })) {
        offered.push(target.target);
        controller.abort();
      }
      clearTimeout(timer);
      await watcher.stop();
      return { offered, rejected };
    }

    it('unmounts a card the desktop mounted and offers it', async () => {
      const loop = mountedLoop();
      try {
        expect(mounted(loop.mount)).toBe(true);
        const { offered, rejected } = await arrive(loop.device, loop.mount);
        expect(rejected).toEqual([]);
        expect(offered).toEqual([loop.device]);
        expect(mounted(loop.mount)).toBe(false);
      } finally {
        loop.done();
      }
    });

    it('refuses a card that will not unmount, saying why', async () => {
      const loop = mountedLoop();
      // A program with a file open on the card, as a file manager window would have.
      const holder = spawn('sh', ['-c', 'exec sleep 30 < "$0"', join(loop.mount, 'lost+found')], {
        stdio: 'ignore',
        cwd: loop.mount,
      });
      try {
        const { offered, rejected } = await arrive(loop.device, loop.mount);
        expect(offered).toEqual([]);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]).toMatch(/could not be unmounted.*busy/s);
        expect(mounted(loop.mount)).toBe(true);
      } finally {
        holder.kill();
        await new Promise((resolve) => holder.once('exit', resolve));
        loop.done();
      }
    });
  },
);
