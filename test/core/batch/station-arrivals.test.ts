import { describe, expect, it } from 'vitest';
import type { BatchTarget } from '../../../electron/core/batch/batch-job.js';
import { stationArrivals } from '../../../electron/core/batch/station-arrivals.js';
import type { CardSummary } from '../../../electron/core/drives/card-summary.js';
import type { DriveRecord } from '../../../electron/core/drives/drive-record.js';
import { GB, reader } from './reader-slots.js';

describe('stationArrivals', () => {
  it('takes only cards inserted after it started watching that pass the rules, each insertion once', async () => {
    // The drive list at each look: sdb holds a card from before; cards then come and go.
    const looks: DriveRecord[][] = [
      [reader('/dev/sdb', 8 * GB), reader('/dev/sdc', null)],
      [reader('/dev/sdb', 8 * GB), reader('/dev/sdc', 4 * GB)],
      [reader('/dev/sdb', 8 * GB), reader('/dev/sdc', 4 * GB), reader('/dev/sdd', 1 * GB)],
      [
        reader('/dev/sdb', 8 * GB),
        reader('/dev/sdc', 4 * GB),
        reader('/dev/sde', 4 * GB, { isSystem: true, isRemovable: false }),
        reader('/dev/sdf', 4 * GB),
      ],
      // sdc taken out and another card put in: a new insertion.
      [reader('/dev/sdb', 8 * GB), reader('/dev/sdc', null)],
      [reader('/dev/sdb', 8 * GB), reader('/dev/sdc', 2 * GB)],
    ];
    let look = 0;
    const controller = new AbortController();
    const astlinux = new Set(['/dev/sdf']);
    const rejected: string[] = [];
    let watching = false;
    const taken: BatchTarget[] = [];
    const drives = async () => {
      const now = looks[Math.min(look, looks.length - 1)] as DriveRecord[];
      look++;
      if (look > looks.length + 1) controller.abort();
      return now;
    };
    for await (const target of stationArrivals(drives, {
      rules: { minBytes: 2 * GB, onlyEmpty: true },
      pollMs: 1,
      signal: controller.signal,
      summarise: async (drive) =>
        astlinux.has(drive.device)
          ? ({
              label: null,
              loaderVersion: '0.4.1',
              images: ['AstLinux-1.5.0.img'],
            } as unknown as CardSummary)
          : null,
      onWatching: () => {
        watching = true;
      },
      onRejected: (device, reason) => rejected.push(`${device}: ${reason}`),
    })) {
      expect(watching).toBe(true);
      taken.push(target);
    }
    expect(taken.map((target) => target.slot)).toEqual(['/dev/sdc', '/dev/sdc']);
    expect(rejected).toHaveLength(3);
    expect(rejected[0]).toMatch(/^\/dev\/sdd: .*smaller/);
    expect(rejected[1]).toMatch(/^\/dev\/sde: .*not a removable card/);
    expect(rejected[2]).toMatch(/^\/dev\/sdf: .*already an AstLinux card/);
  });

  it('unmounts a card the desktop mounted on insertion, and refuses one that will not unmount', async () => {
    const mounted = (device: string, path: string) =>
      reader(device, 4 * GB, { mountpoints: [{ path, label: 'CARD' }] });
    const looks: DriveRecord[][] = [
      [],
      [mounted('/dev/sdc', '/media/CARD'), mounted('/dev/sdd', '/media/BUSY')],
    ];
    let look = 0;
    const controller = new AbortController();
    const unmounted: string[] = [];
    const rejected: string[] = [];
    const taken: string[] = [];
    for await (const target of stationArrivals(
      async () => {
        if (look > looks.length + 1) controller.abort();
        return looks[Math.min(look++, looks.length - 1)] as DriveRecord[];
      },
      {
        rules: {},
        pollMs: 1,
        signal: controller.signal,
        summarise: async () => null,
        unmount: async (drive) => {
          if (drive.device === '/dev/sdd') throw new Error('umount: /media/BUSY: target is busy.');
          unmounted.push(drive.mountpoints[0]?.path ?? '');
        },
        onRejected: (device, reason) => rejected.push(`${device}: ${reason}`),
      },
    )) {
      taken.push(target.slot);
    }
    expect(taken).toEqual(['/dev/sdc']);
    expect(unmounted).toEqual(['/media/CARD']);
    expect(rejected).toEqual(['/dev/sdd: umount: /media/BUSY: target is busy.']);
  });
});
