// A batch writes drives from its own process: a drive this user may not open must say how to allow it,
// once, plainly — not "access denied" on every card. Other failures pass through unchanged.
import { describe, expect, it } from 'vitest';
import { BatchError } from '../../../electron/core/batch/batch-error.js';
import { openBatchDrive } from '../../../electron/core/batch/open-drive.js';
import { BlockDeviceError } from '../../../electron/core/block/block-device-error.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';

describe('openBatchDrive', () => {
  it('turns a permission refusal into a batch error that says how to allow it', async () => {
    const refused = openBatchDrive('/dev/sdz', async () => {
      throw new BlockDeviceError('permission-denied', 'opening /dev/sdz: EACCES');
    });
    await expect(refused).rejects.toBeInstanceOf(BatchError);
    await expect(refused).rejects.toMatchObject({
      code: 'no-drive-access',
      message: expect.stringContaining('"disk" group'),
      detail: 'opening /dev/sdz: EACCES',
    });
  });

  it('passes other failures through and returns the device when it opens', async () => {
    const gone = openBatchDrive('/dev/sdz', async () => {
      throw new BlockDeviceError('not-found', '/dev/sdz');
    });
    await expect(gone).rejects.toMatchObject({ name: 'BlockDeviceError', code: 'not-found' });
    const device = new MemoryBlockDevice(1024 * 1024);
    await expect(openBatchDrive('/dev/sdz', async () => device)).resolves.toBe(device);
  });
});
