/**
 * The drive rules: for each drive, every reason it is dangerous, unsuitable or notable, and what the
 * user must do to write to it. Pure: the live list, the helper's own re-check and the recorded fixtures
 * of other OSes all go through here.
 */
import { posix, win32 } from 'node:path';
import type { CardSummary } from './card-summary.js';
import type { DriveRecord } from './drive-record.js';

/** Etcher's and RPi Imager's threshold: above this a "card" is more likely someone's backup disk. */
export const LARGE_DRIVE_BYTES = 128e9;

/**
 * How hard it is to write to a drive, weakest first:
 * ok — pick and go; confirm — a yes/no question; type-name — the user types the drive's name exactly;
 * blocked — never, whatever the user says.
 */
export type DriveAccess = 'ok' | 'confirm' | 'type-name' | 'blocked';

export type DriveReasonCode =
  /** drivelist could not read the drive. */
  | 'error'
  /** No medium: an empty slot of a card reader. */
  | 'no-media'
  /** The disk the running system lives on (its root, boot or system volume is mounted from it). */
  | 'running-system'
  /** The OS calls it a fixed/internal disk — or it is a CF card in an internal IDE/SATA adapter. */
  | 'system'
  /** Over 128 GB. */
  | 'large'
  /** Smaller than what is planned to go on it. */
  | 'too-small'
  /** Write-protected: the lock switch, or a read-only device. */
  | 'read-only'
  /** A source image lives on it. */
  | 'holds-source'
  /** Some of its volumes are mounted: they are unmounted before writing. */
  | 'mounted'
  /** Already an AstLinux card: images can be added without erasing it. */
  | 'astlinux-card'
  /** A RAM or loop-style virtual disk. */
  | 'virtual';

export type ReasonSeverity = 'note' | 'confirm' | 'type-name' | 'blocked';

export interface DriveReason {
  code: DriveReasonCode;
  severity: ReasonSeverity;
  message: string;
}

export interface ClassifiedDrive {
  device: string;
  raw: string;
  description: string;
  size: number | null;
  busType: string;
  removable: boolean;
  /** The OS calls it a system (fixed, internal) drive. */
  system: boolean;
  readOnly: boolean;
  mountpoints: string[];
  access: DriveAccess;
  /** Not shown unless the user asks for every drive (system disks, empty slots, virtual disks). */
  hidden: boolean;
  reasons: DriveReason[];
  card: CardSummary | null;
  /** What the user must type, exactly, to write to it when access is type-name. */
  confirmName: string;
}

export interface ClassifyContext {
  platform: 'linux' | 'darwin' | 'win32';
  /** Bytes the planned job needs on the drive (prepare: images, loader, overhead). */
  plannedBytes?: number;
  /** Files the job reads: image files, sidecars, a keydisk. */
  sourcePaths?: string[];
  /** Quick inspect summaries by device, for drives that could be read. */
  cards?: { [device: string]: CardSummary | null };
  /** Windows: the drive letter Windows runs from (%SystemDrive%); C: when not given. */
  systemDrive?: string;
}

const SEVERITY_RANK: Record<ReasonSeverity, number> = { note: 0, confirm: 1, 'type-name': 2, blocked: 3 };
const ACCESS_BY_RANK: DriveAccess[] = ['ok', 'confirm', 'type-name', 'blocked'];

/** Mount points that belong to the running system; a drive holding one is never written. */
const RUNNING_SYSTEM_MOUNTS: Record<'linux' | 'darwin', RegExp> = {
  linux: /^(\/(boot(\/efi)?|usr|var|home)?|\[SWAP\])$/,
  darwin: /^\/(System\/Volumes\/(Data|Preboot|VM|Update))?$/,
};

export function classifyDrive(drive: DriveRecord, context: ClassifyContext): ClassifiedDrive {
  const reasons: DriveReason[] = [];
  const add = (code: DriveReasonCode, severity: ReasonSeverity, message: string) =>
    reasons.push({ code, severity, message });
  const name = driveName(drive.device);
  const size = drive.size;
  const mountpoints = drive.mountpoints.map((mount) => mount.path);

  if (drive.error !== null && drive.error !== undefined && drive.error !== '') {
    add('error', 'blocked', `${name} could not be read by the system (${String(drive.error)}).`);
  }
  if (size === null || size <= 0) {
    add('no-media', 'blocked', `${name} has no card in it. Insert a card in this slot.`);
  }
  const runningSystem = mountpoints.some((path) => isRunningSystemMount(path, context));
  const system = drive.isSystem && drive.isCard !== true;
  if (system) {
    // Macs have no IDE/SATA slot a CF adapter could sit in: an internal drive there is the Mac's own.
    const never = runningSystem || context.platform === 'darwin';
    add(
      'system',
      never ? 'blocked' : 'type-name',
      never
        ? `${name} is a system drive.`
        : `${name} is a system (internal) drive. A CF card in an internal IDE/SATA adapter looks like this too; if that is what it is, type ${name} exactly to use it.`,
    );
  }
  if (runningSystem) {
    add(
      'running-system',
      'blocked',
      `${name} holds the system this computer is running; astcard never writes to it.`,
    );
  }
  if (drive.isVirtual === true) add('virtual', 'note', `${name} is a virtual disk, not a physical card.`);
  if (drive.isReadOnly) {
    add(
      'read-only',
      'blocked',
      `${name} is write-protected. Slide the lock switch on the card (or the adapter) away from "Lock" and put it back in.`,
    );
  }
  if (size !== null && size > LARGE_DRIVE_BYTES) {
    add(
      'large',
      'confirm',
      `${name} is ${gigabytes(size)} GB, larger than any usual AstLinux card. Make sure it is not a backup disk.`,
    );
  }
  if (size !== null && context.plannedBytes !== undefined && context.plannedBytes > size) {
    add(
      'too-small',
      'blocked',
      `${name} is too small: it holds ${megabytes(size)} MB, the card needs ${megabytes(context.plannedBytes)} MB. Use a larger card or fewer images.`,
    );
  }
  const source = (context.sourcePaths ?? []).find((path) =>
    mountpoints.some((mount) => isInside(path, mount, context.platform)),
  );
  if (source !== undefined) {
    add(
      'holds-source',
      'blocked',
      `${name} holds ${source}, which is being copied. Copy the image to another disk first.`,
    );
  }
  if (mountpoints.length > 0 && source === undefined && !runningSystem) {
    add(
      'mounted',
      'note',
      `${name} is in use (${mountpoints.join(', ')}); astcard unmounts it before writing. Close any windows showing its files.`,
    );
  }
  const card = context.cards?.[drive.device] ?? null;
  if (card) {
    add(
      'astlinux-card',
      'note',
      `${name} is already an AstLinux card${card.boots ? ` that boots ${card.boots}` : ''}: add images to it instead of erasing it.`,
    );
  }

  const rank = Math.max(0, ...reasons.map((reason) => SEVERITY_RANK[reason.severity]));
  const hidden = reasons.some(
    (reason) =>
      reason.code === 'system' ||
      reason.code === 'running-system' ||
      reason.code === 'no-media' ||
      reason.code === 'virtual' ||
      reason.code === 'error',
  );
  return {
    device: drive.device,
    raw: drive.raw,
    description: drive.description,
    size,
    busType: drive.busType,
    removable: drive.isRemovable,
    system,
    readOnly: drive.isReadOnly,
    mountpoints,
    access: ACCESS_BY_RANK[rank] ?? 'blocked',
    hidden,
    reasons,
    card,
    confirmName: name,
  };
}

export function classifyDrives(drives: DriveRecord[], context: ClassifyContext): ClassifiedDrive[] {
  return drives.map((drive) => classifyDrive(drive, context));
}

/** The short name people see and type: sdb, disk2, PhysicalDrive1. */
export function driveName(device: string): string {
  const parts = device.split(/[\\/]/).filter((part) => part.length > 0);
  return parts[parts.length - 1] ?? device;
}

/** Exact, as typed: no trimming, no case folding — the point is that the user read the name. */
export function confirmationMatches(drive: Pick<ClassifiedDrive, 'confirmName'>, typed: string): boolean {
  return typed === drive.confirmName;
}

/** Whether the user's answers allow writing: what confirmations were given against what the drive needs. */
export function writeAllowed(
  drive: Pick<ClassifiedDrive, 'access' | 'confirmName'>,
  answers: { confirmed?: boolean; typedName?: string },
): boolean {
  switch (drive.access) {
    case 'ok':
      return true;
    case 'confirm':
      return answers.confirmed === true || answers.typedName === drive.confirmName;
    case 'type-name':
      return answers.typedName === drive.confirmName;
    default:
      return false;
  }
}

function isRunningSystemMount(path: string, context: ClassifyContext): boolean {
  if (context.platform !== 'win32') return RUNNING_SYSTEM_MOUNTS[context.platform].test(path);
  const letter = (context.systemDrive ?? 'C:').replace(/\\$/, '').toLowerCase();
  return path.toLowerCase().replace(/\\$/, '') === letter;
}

function isInside(file: string, mount: string, platform: ClassifyContext['platform']): boolean {
  const path = platform === 'win32' ? win32 : posix;
  const fold = (text: string) => (platform === 'win32' ? text.toLowerCase() : text);
  const relative = path.relative(fold(mount), fold(path.resolve(file)));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function gigabytes(bytes: number): string {
  return (bytes / 1e9).toFixed(0);
}

function megabytes(bytes: number): string {
  return Math.ceil(bytes / 1e6).toString();
}
