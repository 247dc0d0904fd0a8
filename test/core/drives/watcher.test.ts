import { describe, expect, it } from 'vitest';
import type { DriveRecord } from '../../../electron/core/drives/drive-record.js';
import { type DriveEvent, DriveWatcher } from '../../../electron/core/drives/drive-watcher.js';
import { loadFixture } from './fixtures.js';

const reader = loadFixture('linux-multislot-reader').drives;
const [systemDisk, cf, sdSlot] = reader as [DriveRecord, DriveRecord, DriveRecord, DriveRecord, DriveRecord];

/** A scripted sequence of drive lists, as successive polls would see them. */
function scripted(lists: Array<DriveRecord[] | Error>) {
  let index = 0;
  return async () => {
    const next = lists[Math.min(index, lists.length - 1)];
    index += 1;
    if (next instanceof Error) throw next;
    return next as DriveRecord[];
  };
}

describe('DriveWatcher', () => {
  it('reports added, changed and removed drives between polls', async () => {
    const sdInserted = { ...sdSlot, size: 1_000_000_000 };
    const watcher = new DriveWatcher({
      intervalMs: 10_000,
      list: scripted([
        [systemDisk, sdSlot],
        [systemDisk, sdSlot, cf],
        [systemDisk, sdInserted, cf],
        [systemDisk, sdInserted],
      ]),
    });
    const events: DriveEvent[] = [];
    watcher.subscribe((event) => events.push(event));
    await watcher.start();
    expect(events.map((event) => event.type)).toEqual(['added', 'added']);
    events.length = 0;
    await watcher.pollOnce();
    expect(events).toEqual([{ type: 'added', drive: cf }]);
    events.length = 0;
    await watcher.pollOnce();
    expect(events).toEqual([{ type: 'changed', drive: sdInserted, previous: sdSlot }]);
    events.length = 0;
    await watcher.pollOnce();
    expect(events).toEqual([{ type: 'removed', drive: cf }]);
    expect(watcher.drives.map((drive) => drive.device)).toEqual(['/dev/sda', '/dev/sdc']);
    await watcher.stop();
  });

  it('reports a failing poll once, keeps the last good list, and recovers', async () => {
    const watcher = new DriveWatcher({
      intervalMs: 10_000,
      list: scripted([[systemDisk], new Error('lsblk died'), new Error('lsblk died'), [systemDisk, cf]]),
    });
    const events: DriveEvent[] = [];
    watcher.subscribe((event) => events.push(event));
    await watcher.start();
    await watcher.pollOnce();
    await watcher.pollOnce();
    expect(events.filter((event) => event.type === 'error')).toHaveLength(1);
    expect(watcher.drives).toEqual([systemDisk]);
    await watcher.pollOnce();
    expect(events.at(-1)).toEqual({ type: 'added', drive: cf });
    await watcher.stop();
  });

  it('polls the real drivelist over and over, and goes quiet after stop()', async () => {
    let polls = 0;
    const watcher = new DriveWatcher({
      intervalMs: 100,
      list: async () => {
        polls += 1;
        const { listDrives } = await import('../../../electron/core/drives/drive-list.js');
        return listDrives();
      },
    });
    const seen: DriveEvent[] = [];
    const unsubscribe = watcher.subscribe((event) => seen.push(event));
    await watcher.start();
    expect(watcher.drives.some((drive) => drive.isSystem)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    await watcher.stop();
    const atStop = polls;
    expect(atStop).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(polls).toBe(atStop);
    expect(seen.every((event) => event.type === 'added')).toBe(true);
    unsubscribe();
  });
});
