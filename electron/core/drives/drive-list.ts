/**
 * The live drive list: drivelist's records, classified. drivelist is a native addon loaded at require
 * time, so it is required lazily: code that only classifies (tests, the renderer's contract) never loads it.
 */
import { createRequire } from 'node:module';
import { type CardSummary, summariseDrive, summariseMountedCard } from './card-summary.js';
import { type ClassifiedDrive, type ClassifyContext, classifyDrives } from './classify.js';
import { DriveError } from './drive-error.js';
import { type DriveRecord, toDriveRecord } from './drive-record.js';

type DrivelistModule = { list(): Promise<Array<Record<string, unknown>>> };
let drivelist: DrivelistModule | undefined;

export async function listDrives(): Promise<DriveRecord[]> {
  try {
    drivelist ??= createRequire(import.meta.url)('drivelist') as DrivelistModule;
    return (await drivelist.list()).map(toDriveRecord);
  } catch (error) {
    throw new DriveError(
      'list-failed',
      'The list of drives could not be read from the system. Try again; if it keeps failing, restart astcard.',
      {
        cause: error,
      },
    );
  }
}

export type ScanContext = Omit<ClassifyContext, 'platform' | 'cards'> & {
  platform?: ClassifyContext['platform'];
  /** Quick-inspect drives that could be cards (removable, unmounted, with media). Default true. */
  inspect?: boolean;
};

/** Lists and classifies every drive, with an inspect summary for those that are AstLinux cards. */
export async function scanDrives(
  context: ScanContext = {},
  records?: DriveRecord[],
): Promise<ClassifiedDrive[]> {
  const drives = records ?? (await listDrives());
  const cards: { [device: string]: CardSummary | null } = {};
  if (context.inspect !== false) {
    for (const drive of drives.filter(worthInspecting)) cards[drive.device] = await summariseRecord(drive);
  }
  const { inspect: _inspect, ...rest } = context;
  const systemDrive = process.env.SystemDrive;
  return classifyDrives(drives, {
    ...rest,
    platform: context.platform ?? currentPlatform(),
    cards,
    ...(systemDrive ? { systemDrive } : {}),
  });
}

/** A system disk or an empty slot is never an AstLinux card worth reading. */
export function worthInspecting(drive: DriveRecord): boolean {
  return !drive.isSystem && drive.size !== null;
}

/**
 * A card's summary, read the least intrusive way that works: a mounted card through its files (the
 * exclusive raw open would fail, and unprivileged apps cannot read raw drives on macOS and Windows),
 * an unmounted one through the card doctor's quick inspect of the raw device.
 */
export async function summariseRecord(drive: DriveRecord): Promise<CardSummary | null> {
  for (const mount of drive.mountpoints) {
    const summary = await summariseMountedCard(mount.path, mount.label ?? null);
    if (summary) return summary;
  }
  if (drive.mountpoints.length > 0) return null;
  return summariseDrive(drive.raw || drive.device, drive.size ?? undefined);
}

export function currentPlatform(): ClassifyContext['platform'] {
  const platform = process.platform;
  return platform === 'win32' || platform === 'darwin' ? platform : 'linux';
}
