/**
 * Unmounting the chosen drive's volumes before writing: the OS must not write its own cached view of the
 * old filesystem over ours. Only the mount points of that drive (from its own record) are touched.
 * The macOS and Windows branches are written to their documented tools but cannot run here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DriveRecord } from '../drives/drive-record.js';
import { WriterError } from './writer-error.js';

const run = promisify(execFile);

export async function unmountDrive(
  record: DriveRecord,
  platform: NodeJS.Platform = process.platform,
): Promise<void> {
  const mounts = record.mountpoints.map((mount) => mount.path).filter((path) => path !== '[SWAP]');
  if (mounts.length === 0) return;
  try {
    if (platform === 'darwin') {
      await run('diskutil', ['unmountDisk', record.device]);
    } else if (platform === 'win32') {
      // fsutil locks each volume and dismounts it; the drive letters stay, so Windows does not offer to
      // "format" the card in the middle of the write.
      for (const mount of mounts) await run('fsutil', ['volume', 'dismount', mount.replace(/\\$/, '')]);
    } else {
      // Deepest first, so a volume mounted inside another comes off before its parent.
      for (const mount of [...mounts].sort((a, b) => b.length - a.length)) await run('umount', [mount]);
    }
  } catch (error) {
    throw new WriterError(
      'unmount-failed',
      `Some files on ${record.device} are still open, so it could not be unmounted. Close any program or window using the card and try again. Nothing was written.`,
      {
        cause: error,
        detail: String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim(),
      },
    );
  }
}
