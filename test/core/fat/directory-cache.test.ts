import { describe, expect, it } from 'vitest';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { openFat } from '../../../electron/core/fat/fat-volume.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { CountingBlockDevice } from './counting-block-device.js';

const MiB = 1024 * 1024;
const text = (value: string) => new TextEncoder().encode(value);

/** A FAT32 card with a nested folder: every lookup under it passes through the root and `os`. */
async function card(): Promise<MemoryBlockDevice> {
  const device = new MemoryBlockDevice(64 * MiB);
  const volume = await formatFat(device, { fatType: 32, label: 'CACHE' });
  await volume.mkdir('/os');
  for (const name of ['ver', 'astflag', 'a.run', 'a.run.sha1'])
    await volume.writeFile(`/os/${name}`, text(name));
  await volume.flush();
  return device;
}

describe('directories read once on a volume opened read-only', () => {
  it('answers many lookups through the same folders with one read of each folder', async () => {
    const device = await card();
    const counted = new CountingBlockDevice(device);
    const volume = await openFat(counted, { readOnly: true });
    const opened = counted.reads;
    for (let round = 0; round < 5; round++) {
      for (const name of ['ver', 'astflag', 'a.run', 'a.run.sha1'])
        expect((await volume.stat(`/os/${name}`)).size).toBe(name.length);
      expect((await volume.readdir('/os')).map((entry) => entry.name).sort()).toEqual([
        'a.run',
        'a.run.sha1',
        'astflag',
        'ver',
      ]);
    }
    // The root and /os, each read once, for 25 lookups.
    expect(counted.reads - opened).toBe(2);
    expect(counted.writes).toBe(0);
  });

  it('a missing name stays missing without a read, and a read that failed is tried again', async () => {
    const device = await card();
    let failNext = false;
    const flaky = new (class extends CountingBlockDevice {
      override read(offset: number, length: number): Promise<Uint8Array> {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('the card went away'));
        }
        return super.read(offset, length);
      }
    })(device);
    const volume = await openFat(flaky, { readOnly: true });
    failNext = true;
    await expect(volume.stat('/os/ver')).rejects.toThrow(/went away/);
    expect((await volume.stat('/os/ver')).size).toBe(3);
    const before = flaky.reads;
    await expect(volume.stat('/os/nothing')).rejects.toThrow(/nothing/);
    expect(flaky.reads).toBe(before);
  });

  it('a writable volume reads afresh, so it sees what another writer changed', async () => {
    const device = await card();
    const counted = new CountingBlockDevice(device);
    const reader = await openFat(counted);
    expect((await reader.stat('/os/ver')).size).toBe(3);
    const reads = counted.reads;
    expect((await reader.stat('/os/ver')).size).toBe(3);
    expect(counted.reads).toBeGreaterThan(reads);
    const writer = await openFat(device);
    await writer.writeFile('/os/new.txt', text('new'));
    await writer.flush();
    expect((await reader.stat('/os/new.txt')).size).toBe(3);
  });
});
