/**
 * The helper's own look at its device, right before it touches it: still the drive the user chose
 * (identity), and still allowed by the rules (classification) given what this job reads and needs.
 * The client checked all of this too; the helper does not take its word for it.
 */
import { realpath, stat } from 'node:fs/promises';
import { type ClassifiedDrive, classifyDrive, writeAllowed } from '../drives/classify.js';
import { DriveError } from '../drives/drive-error.js';
import { currentPlatform, listDrives } from '../drives/drive-list.js';
import type { DriveRecord } from '../drives/drive-record.js';
import { type DriveIdentity, identityChanges, isWindowsDrivePath, readIdentity } from '../drives/identity.js';
import { readLinuxDrive } from '../drives/linux-lsblk.js';
import type { TargetSpec } from './helper-spec.js';

export type CheckedTarget =
  | { kind: 'image-file'; identity: DriveIdentity }
  | { kind: 'block-device'; identity: DriveIdentity; record: DriveRecord; drive: ClassifiedDrive };

export interface TargetCheckContext {
  sourcePaths: string[];
  plannedBytes?: number;
  /** Read-only jobs (verify) may look at locked and system drives; they still never touch the running system. */
  writes: boolean;
}

export async function checkTarget(spec: TargetSpec, context: TargetCheckContext): Promise<CheckedTarget> {
  const info = isWindowsDrivePath(spec.device)
    ? null
    : await stat(spec.device).catch((error: unknown) => {
        throw new DriveError(
          'drive-gone',
          `${spec.device} is no longer there. Put the card back in and choose it again.`,
          { cause: error },
        );
      });
  if (info?.isFile()) {
    const identity = await readIdentity(spec.device);
    assertUnchanged(spec, identity);
    const target = await realpath(spec.device);
    for (const source of context.sourcePaths) {
      if ((await realpath(source).catch(() => source)) === target) {
        throw new DriveError(
          'drive-refused',
          `${spec.device} is also one of the sources; choose another card image.`,
        );
      }
    }
    return { kind: 'image-file', identity };
  }
  const platform = currentPlatform();
  let record: DriveRecord;
  let identity: DriveIdentity;
  if (platform === 'linux') {
    ({ record, identity } = await readLinuxDrive(spec.device));
  } else {
    identity = await readIdentity(spec.device);
    const found = (await listDrives()).find(
      (drive) => drive.device === spec.device || drive.raw === spec.device,
    );
    if (!found)
      throw new DriveError(
        'drive-gone',
        `${spec.device} is no longer there. Put the card back in and choose it again.`,
      );
    record = found;
  }
  assertUnchanged(spec, identity);
  const drive = classifyDrive(record, {
    platform,
    sourcePaths: context.sourcePaths,
    ...(context.plannedBytes === undefined ? {} : { plannedBytes: context.plannedBytes }),
  });
  const blocking = drive.reasons.filter((reason) =>
    context.writes
      ? reason.severity === 'blocked'
      : reason.code === 'running-system' || reason.code === 'no-media',
  );
  if (blocking.length > 0) {
    throw new DriveError('drive-refused', blocking.map((reason) => reason.message).join(' '), {
      detail: blocking.map((reason) => reason.code).join(','),
    });
  }
  if (
    context.writes &&
    !writeAllowed(drive, {
      confirmed: spec.confirmed,
      ...(spec.typedName === null ? {} : { typedName: spec.typedName }),
    })
  ) {
    const asks = drive.reasons.filter(
      (reason) => reason.severity === 'confirm' || reason.severity === 'type-name',
    );
    throw new DriveError('confirmation-needed', asks.map((reason) => reason.message).join(' '), {
      detail: asks.map((reason) => reason.code).join(','),
    });
  }
  return { kind: 'block-device', identity, record, drive };
}

function assertUnchanged(spec: TargetSpec, now: DriveIdentity): void {
  const changed = identityChanges(spec.identity, now);
  if (changed.length > 0) {
    throw new DriveError(
      'identity-changed',
      `${spec.device} is not the drive you chose any more (its ${changed.join(', ')} changed). Nothing was written. Choose the drive again.`,
      {
        detail: changed
          .map((field) => `${field}: ${String(spec.identity[field])} -> ${String(now[field])}`)
          .join('; '),
      },
    );
  }
}
