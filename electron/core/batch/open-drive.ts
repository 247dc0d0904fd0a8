import type { BlockDevice } from '../block/block-device.js';
import { BlockDeviceError } from '../block/block-device-error.js';
import { openTarget } from '../card/target.js';
import { assertSameIdentity, readIdentity } from '../drives/identity.js';
import { BatchError } from './batch-error.js';
import type { BatchTarget } from './batch-job.js';

/**
 * Opens a drive for a batch. A batch writes drives from this process (the privileged helper takes one
 * card per job, which would mean one password prompt per card), so a drive this user may not open is a
 * batch-wide matter: the message says how to allow it, not just that access was denied.
 */
export async function openBatchDrive(
  path: string,
  open: (path: string) => Promise<BlockDevice> = openTarget,
): Promise<BlockDevice> {
  try {
    return await open(path);
  } catch (error) {
    if (error instanceof BlockDeviceError && error.code === 'permission-denied') {
      throw new BatchError(
        'no-drive-access',
        `astcard may not write ${path} directly, and a batch writes its cards directly. Run the batch as a user allowed to write removable drives (on Linux, a member of the "disk" group), or with sudo astcard batch --drives. Single cards work without this.`,
        { cause: error, detail: error.detail },
      );
    }
    throw error;
  }
}

/**
 * A drive as a batch target: its model and serial for the report, read now and checked again right
 * before writing, because card readers reuse device names and the card written must be the one let through.
 */
export async function driveBatchTarget(
  slot: string,
  device: string,
  target: string,
  fallbackModel: string | null,
): Promise<BatchTarget> {
  const identity = await readIdentity(device).catch(() => null);
  return {
    slot,
    target,
    model: identity?.model ?? fallbackModel,
    serial: identity?.serial ?? null,
    open: async () => {
      if (identity) await assertSameIdentity(identity);
      return openBatchDrive(target);
    },
  };
}
