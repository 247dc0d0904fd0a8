/**
 * After a job: make sure everything reached the card, then tell the OS it can go, so the user can pull it.
 * Only the chosen device is ejected. Linux without the eject tool: the sysfs delete of that whole disk,
 * only for removable or hot-plugged disks (a SATA disk or a loop device is never deleted that way).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { realpath, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import type { DriveRecord } from '../drives/drive-record.js';

const run = promisify(execFile);

/** True when the drive was ejected; false when it cannot be (loop devices) or the OS would not. */
export async function ejectDrive(
  record: DriveRecord,
  platform: NodeJS.Platform = process.platform,
): Promise<boolean> {
  try {
    if (platform === 'darwin') {
      await run('diskutil', ['eject', record.device]);
      return true;
    }
    if (platform === 'win32') {
      for (const mount of record.mountpoints) {
        const letter = mount.path.replace(/\\$/, '');
        if (!/^[A-Za-z]:$/.test(letter)) continue;
        await run('powershell.exe', [
          '-NoProfile',
          '-Command',
          `(New-Object -ComObject Shell.Application).Namespace(17).ParseName('${letter}').InvokeVerb('Eject')`,
        ]);
      }
      return true;
    }
    return await ejectLinux(record);
  } catch {
    return false;
  }
}

async function ejectLinux(record: DriveRecord): Promise<boolean> {
  const name = basename(await realpath(record.device));
  if (/^(loop|ram|zram|nbd)\d+/.test(name)) return false;
  await run('sync');
  try {
    await run('eject', [record.device]);
    return true;
  } catch {
    // No eject tool, or it declined: fall through to sysfs.
  }
  const sys = `/sys/block/${name}`;
  const removable = readFlag(`${sys}/removable`) || record.isRemovable;
  if (!removable || !existsSync(`${sys}/device/delete`)) return false;
  await writeFile(`${sys}/device/delete`, '1');
  return true;
}

function readFlag(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
