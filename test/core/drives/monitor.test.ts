import { describe, expect, it } from 'vitest';
import type { CardSummary } from '../../../electron/core/drives/card-summary.js';
import type { ClassifiedDrive } from '../../../electron/core/drives/classify.js';
import { DriveMonitor } from '../../../electron/core/drives/drive-monitor.js';
import type { DriveRecord } from '../../../electron/core/drives/drive-record.js';
import { loadFixture } from './fixtures.js';

const reader = loadFixture('linux-multislot-reader').drives;
const [systemDisk, cf, , , micro] = reader as [
  DriveRecord,
  DriveRecord,
  DriveRecord,
  DriveRecord,
  DriveRecord,
];

describe('DriveMonitor', () => {
  it('pushes classified lists, reads each card once per state, and follows the planned job', async () => {
    const polls: DriveRecord[][] = [
      [systemDisk, micro],
      [systemDisk, micro, cf],
      [systemDisk, micro, cf],
      [systemDisk, cf],
    ];
    let poll = 0;
    const summarised: string[] = [];
    const monitor = new DriveMonitor({
      intervalMs: 60_000,
      platform: 'linux',
      list: async () => polls[Math.min(poll++, polls.length - 1)] as DriveRecord[],
      summarise: async (drive): Promise<CardSummary | null> => {
        summarised.push(drive.device);
        return drive.device === micro.device
          ? {
              label: 'ASTLINUX',
              loaderVersion: '1.0.0',
              images: ['AstLinux-1.5.4.img'],
              boots: 'AstLinux-1.5.4.img',
              problems: [],
              source: 'device',
            }
          : null;
      },
    });
    const pushed: ClassifiedDrive[][] = [];
    monitor.subscribe((drives) => pushed.push(drives));
    await monitor.start();
    expect(monitor.drives.find((drive) => drive.device === micro.device)?.card?.boots).toBe(
      'AstLinux-1.5.4.img',
    );

    await monitor.pollNow();
    await monitor.pollNow();
    expect(monitor.drives.map((drive) => drive.device)).toEqual(['/dev/sda', '/dev/sde', '/dev/sdb']);
    // The microSD was read once although it sat through three polls; the CF once when it appeared.
    expect(summarised).toEqual(['/dev/sde', '/dev/sdb']);

    await monitor.setContext({ plannedBytes: 200e6 });
    expect(monitor.drives.find((drive) => drive.device === micro.device)?.access).toBe('blocked');
    await monitor.pollNow();
    expect(monitor.drives.map((drive) => drive.device)).toEqual(['/dev/sda', '/dev/sdb']);
    expect(pushed.length).toBeGreaterThanOrEqual(4);
    await monitor.stop();
  });
});
