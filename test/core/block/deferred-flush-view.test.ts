import { describe, expect, it } from 'vitest';
import { DeferredFlushView } from '../../../electron/core/block/deferred-flush-view.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { uncachedView } from '../../../electron/core/block/uncached-view.js';
import { formatFat } from '../../../electron/core/fat/format.js';
import { CountingBlockDevice } from '../fat/counting-block-device.js';

const MiB = 1024 * 1024;

/** A drive as the view sees one: it can read past the cache, and says in what order things happened. */
class Drive extends CountingBlockDevice {
  readonly events: string[] = [];
  failFlush = false;

  override write(offset: number, data: Uint8Array): Promise<void> {
    this.events.push('write');
    return super.write(offset, data);
  }
  override async flush(): Promise<void> {
    if (this.failFlush) throw new Error('the card went away');
    this.events.push('flush');
    return super.flush();
  }
  readDirect(offset: number, length: number): Promise<Uint8Array> {
    this.events.push('direct');
    return super.read(offset, length);
  }
}

describe('a device whose flushes wait for the end', () => {
  it('makes a whole volume with no flush until flushNow, then one', async () => {
    const drive = new Drive(new MemoryBlockDevice(64 * MiB));
    const view = new DeferredFlushView(drive);
    const volume = await formatFat(view, { fatType: 32, label: 'DEFER' });
    for (let i = 0; i < 10; i++) await volume.writeFile(`/file-${i}.txt`, new Uint8Array(5000).fill(i));
    await volume.flush();
    expect(drive.writes).toBeGreaterThan(20);
    expect(drive.flushes).toBe(0);
    await view.flushNow();
    await view.flushNow();
    expect(drive.flushes).toBe(1);
    expect(drive.events.at(-1)).toBe('flush');
  });

  it('flushes before reading past the cache, so a read-back sees what the medium holds', async () => {
    const drive = new Drive(new MemoryBlockDevice(MiB));
    const view = new DeferredFlushView(drive);
    await view.write(4096, new Uint8Array(512).fill(7));
    const direct = uncachedView(view);
    expect(direct).not.toBe(view);
    expect(Array.from(await direct.read(4096, 4))).toEqual([7, 7, 7, 7]);
    expect(drive.events).toEqual(['write', 'flush', 'direct']);
    await direct.read(0, 512);
    expect(drive.events).toEqual(['write', 'flush', 'direct', 'direct']);
  });

  it('a flush that failed is owed again', async () => {
    const drive = new Drive(new MemoryBlockDevice(MiB));
    const view = new DeferredFlushView(drive);
    await view.write(0, new Uint8Array(512));
    drive.failFlush = true;
    await expect(view.flushNow()).rejects.toThrow(/went away/);
    drive.failFlush = false;
    await view.flushNow();
    expect(drive.flushes).toBe(1);
  });

  it('an image file, with no cache to get past, is still flushed before it is read back', async () => {
    // Like FileBlockDevice, it can read into a caller's buffer: the read-back's ring of buffers keeps that.
    const file = new (class extends CountingBlockDevice {
      async readInto(offset: number, target: Uint8Array): Promise<void> {
        target.set(await this.read(offset, target.length));
      }
    })(new MemoryBlockDevice(MiB));
    const view = new DeferredFlushView(file);
    await view.write(512, Uint8Array.of(1, 2, 3));
    const back = uncachedView(view);
    expect('readDirect' in view).toBe(false);
    expect(Array.from(await back.read(512, 3))).toEqual([1, 2, 3]);
    expect(file.flushes).toBe(1);
    const target = new Uint8Array(3);
    expect(back.readInto).toBeTypeOf('function');
    await back.readInto?.(512, target);
    expect(Array.from(target)).toEqual([1, 2, 3]);
    expect(file.flushes).toBe(1);
    await expect(back.write(0, new Uint8Array(1))).rejects.toThrow(/read-only/);
  });
});
