import { describe, expect, it } from 'vitest';
import type { BatchTarget } from '../../../electron/core/batch/batch-job.js';
import { driveArrivals } from '../../../electron/core/batch/drive-station.js';
import type { DriveRecord } from '../../../electron/core/drives/drive-record.js';
import { DriveWatcher } from '../../../electron/core/drives/drive-watcher.js';
import { GB, reader } from './reader-slots.js';

describe('driveArrivals', () => {
  it('offers only cards inserted while the station runs that pass its rules', async () => {
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
    for await (const target of driveArrivals(watcher, {
      rules: { minBytes: 512e6, maxBytes: 32 * GB, onlyEmpty: true },
      context: { platform: 'linux' },
      summarise: async (drive) =>
        astlinux.has(drive.device)
          ? { label: 'ASTLINUX', loaderVersion: '1', images: [], boots: null, problems: [], source: 'device' }
          : null,
      onRejected: (drive, reason) => rejected.push(`${drive.device}: ${reason}`),
      signal: controller.signal,
    })) {
      offered.push(target);
      if (offered.length === 2) controller.abort();
    }
    await watcher.stop();
    expect(offered.map((t) => t.target)).toEqual(['/dev/sdb', '/dev/sdg']);
    expect(rejected).toEqual([
      "/dev/sdd: Reader /dev/sdd is larger than the station's maximum",
      '/dev/sde: Reader /dev/sde is already an AstLinux card',
      expect.stringMatching(/^\/dev\/sdf: .*mounted/),
    ]);
  });
});
