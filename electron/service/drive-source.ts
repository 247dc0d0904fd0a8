/**
 * The drives plugged into this machine, behind a small interface: the core's drive list on a real
 * machine, a scripted list in tests of the hotplug path.
 */
import { listDrives } from '../core/drives/drive-list.js';
import type { DriveRecord } from '../core/drives/drive-record.js';

export interface DriveInfo {
  /** `/dev/sdb`, `\\.\PHYSICALDRIVE2`… */
  device: string;
  description: string;
  size: number;
  removable: boolean;
  /** Holds the running system (or drivelist could not rule it out). */
  system: boolean;
  virtual: boolean;
  mountpoints: string[];
  readOnly: boolean;
  /** The core's record of the drive, for the operations that take one (eject). */
  record?: DriveRecord;
}

export interface DriveSource {
  list(): Promise<DriveInfo[]>;
}

/** The core's drive list (drivelist underneath), in the shape the card list needs. */
export const drivelistSource: DriveSource = {
  async list() {
    const drives = await listDrives();
    return drives
      .filter((drive) => typeof drive.size === 'number' && drive.size > 0)
      .map((drive) => ({
        device: drive.device,
        description: drive.description || drive.device,
        size: drive.size ?? 0,
        removable: drive.isRemovable,
        system: drive.isSystem || !drive.isRemovable,
        virtual: drive.isVirtual === true,
        mountpoints: drive.mountpoints.map((mount) => mount.path),
        readOnly: drive.isReadOnly,
        record: drive,
      }));
  },
};

/** The core's record of a drive; scripted drives (tests) get one built from what they state. */
export function recordOf(drive: DriveInfo): DriveRecord {
  if (drive.record) return drive.record;
  return {
    device: drive.device,
    raw: drive.device,
    description: drive.description,
    size: drive.size,
    mountpoints: drive.mountpoints.map((path) => ({ path })),
    isReadOnly: drive.readOnly,
    isSystem: drive.system,
    isVirtual: drive.virtual,
    isRemovable: drive.removable,
    isCard: null,
    isUSB: null,
    busType: 'UNKNOWN',
    error: null,
  };
}

/** What to call a drive: its model, or "Disk sdb" where the system gives only an id (0x1af4). */
export function driveName(description: string, device: string): string {
  const text = description.trim();
  if (text && !/^(0x)?[0-9a-f]+$/i.test(text)) return text;
  return `Disk ${device.split(/[\\/]/).pop() ?? device}`;
}
