/**
 * Who a drive is: what must not change between the moment the user picked it and the first write.
 * A different size, removable flag, bus, model or serial means another card (or another disk) now answers
 * to the same name — card readers reuse /dev/sdX and PhysicalDriveN as cards come and go.
 */
import { stat } from 'node:fs/promises';
import { DriveError } from './drive-error.js';
import { listDrives } from './drive-list.js';
import { readLinuxDrive } from './linux-lsblk.js';

export interface DriveIdentity {
  device: string;
  size: number | null;
  removable: boolean;
  bus: string;
  model: string | null;
  serial: string | null;
}

export const IDENTITY_FIELDS = ['size', 'removable', 'bus', 'model', 'serial'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** Reads a target's identity now. An image file's "serial" is its inode, so a replaced file is noticed too. */
export async function readIdentity(
  device: string,
  platform: NodeJS.Platform = process.platform,
): Promise<DriveIdentity> {
  if (!isWindowsDrivePath(device, platform)) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(device);
    } catch (error) {
      throw new DriveError(
        'drive-gone',
        `${device} is no longer there. Put the card back in and choose it again.`,
        {
          cause: error,
        },
      );
    }
    if (info.isFile()) {
      return {
        device,
        size: info.size,
        removable: false,
        bus: 'FILE',
        model: null,
        serial: `${info.dev}:${info.ino}`,
      };
    }
  }
  if (platform === 'linux') return (await readLinuxDrive(device)).identity;
  // macOS and Windows: drivelist is the only describer we have; it gives no serial, so the description
  // (vendor and model) stands in for the model and the serial stays null on both sides.
  const record = (await listDrives()).find((drive) => drive.device === device || drive.raw === device);
  if (!record)
    throw new DriveError(
      'drive-gone',
      `${device} is no longer there. Put the card back in and choose it again.`,
    );
  return {
    device,
    size: record.size,
    removable: record.isRemovable,
    bus: record.busType,
    model: record.description || null,
    serial: null,
  };
}

export function identityChanges(chosen: DriveIdentity, now: DriveIdentity): IdentityField[] {
  return IDENTITY_FIELDS.filter((field) => chosen[field] !== now[field]);
}

/** Re-reads the drive and throws unless it is the one the user chose. Called right before writing. */
export async function assertSameIdentity(chosen: DriveIdentity): Promise<DriveIdentity> {
  const now = await readIdentity(chosen.device);
  const changed = identityChanges(chosen, now);
  if (changed.length > 0) {
    throw new DriveError(
      'identity-changed',
      `${chosen.device} is not the drive you chose any more (its ${changed.join(', ')} changed). Nothing was written. Choose the drive again.`,
      {
        detail: changed
          .map((field) => `${field}: ${String(chosen[field])} -> ${String(now[field])}`)
          .join('; '),
      },
    );
  }
  return now;
}

/** A value that crossed a process boundary, checked field by field. */
export function parseIdentity(value: unknown): DriveIdentity | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const nullableString = (x: unknown) => x === null || typeof x === 'string';
  if (
    typeof v.device !== 'string' ||
    !(v.size === null || (typeof v.size === 'number' && Number.isFinite(v.size))) ||
    typeof v.removable !== 'boolean' ||
    typeof v.bus !== 'string' ||
    !nullableString(v.model) ||
    !nullableString(v.serial)
  )
    return null;
  return {
    device: v.device,
    size: v.size as number | null,
    removable: v.removable,
    bus: v.bus,
    model: v.model as string | null,
    serial: v.serial as string | null,
  };
}

/** `\\.\PhysicalDriveN`: Windows cannot stat these; they are drives by their name. */
export function isWindowsDrivePath(path: string, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32' && /^\\\\\.\\PhysicalDrive\d+$/i.test(path);
}
