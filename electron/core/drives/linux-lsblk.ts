/**
 * One Linux drive, described by lsblk the way drivelist describes it, plus the model and serial that
 * drivelist leaves out. drivelist hides loop devices; the helper and the identity check need them, and
 * need a fresh answer for exactly one device, so they ask lsblk directly.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DriveError } from './drive-error.js';
import type { DriveRecord } from './drive-record.js';
import type { DriveIdentity } from './identity.js';

const run = promisify(execFile);

const COLUMNS =
  'NAME,KNAME,SIZE,RM,HOTPLUG,TRAN,MODEL,SERIAL,VENDOR,RO,TYPE,SUBSYSTEMS,MOUNTPOINT,LABEL,PHY-SEC,LOG-SEC';

interface LsblkDevice {
  name: string;
  kname?: string | null;
  size?: number | string | null;
  rm?: boolean | string | number | null;
  hotplug?: boolean | string | number | null;
  tran?: string | null;
  model?: string | null;
  serial?: string | null;
  vendor?: string | null;
  ro?: boolean | string | number | null;
  type?: string | null;
  subsystems?: string | null;
  mountpoint?: string | null;
  label?: string | null;
  'phy-sec'?: number | string | null;
  'log-sec'?: number | string | null;
  children?: LsblkDevice[];
}

export interface LinuxDrive {
  record: DriveRecord;
  identity: DriveIdentity;
}

/** lsblk's JSON (old versions print "0"/"1" strings, new ones booleans). */
export function parseLsblkDrive(json: string): LinuxDrive {
  const parsed = JSON.parse(json) as { blockdevices?: LsblkDevice[] };
  const device = parsed.blockdevices?.[0];
  if (!device) throw new Error('lsblk listed no device');
  const flag = (value: unknown) => value === true || value === 1 || value === '1';
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
  const isVirtual = typeof device.subsystems === 'string' ? /^block$/i.test(device.subsystems) : null;
  const isRemovable = flag(device.rm) || flag(device.hotplug) || isVirtual === true;
  const size = Number(device.size) || null;
  const bus = (text(device.tran) ?? 'UNKNOWN').toUpperCase();
  const mounted = [
    device,
    ...(device.children ?? []),
    ...(device.children ?? []).flatMap((child) => child.children ?? []),
  ]
    .filter((entry) => text(entry.mountpoint) !== null)
    .map((entry) => ({ path: entry.mountpoint as string, label: text(entry.label) }));
  const model = [text(device.vendor), text(device.model)].filter((part) => part !== null).join(' ') || null;
  const record: DriveRecord = {
    device: device.name,
    raw: device.kname ?? device.name,
    description: model ?? '',
    size,
    blockSize: Number(device['phy-sec']) || 512,
    logicalBlockSize: Number(device['log-sec']) || 512,
    mountpoints: mounted,
    isReadOnly: flag(device.ro),
    isSystem: !isRemovable,
    isVirtual,
    isRemovable,
    isCard: null,
    isUSB: text(device.tran) === null ? null : /^usb$/i.test(device.tran as string),
    busType: bus,
    error: null,
    enumerator: 'lsblk:astcard',
  };
  return {
    record,
    identity: { device: device.name, size, removable: isRemovable, bus, model, serial: text(device.serial) },
  };
}

export async function readLinuxDrive(device: string): Promise<LinuxDrive> {
  let stdout: string;
  try {
    ({ stdout } = await run('lsblk', ['--bytes', '--json', '--paths', '--output', COLUMNS, device]));
  } catch (error) {
    const message = String((error as { stderr?: unknown }).stderr ?? (error as Error).message);
    throw new DriveError(
      'drive-gone',
      `${device} is no longer there. Put the card back in and choose it again.`,
      {
        cause: error,
        detail: message.trim(),
      },
    );
  }
  return parseLsblkDrive(stdout);
}
