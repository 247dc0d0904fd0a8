/**
 * Station mode on real readers: cards inserted into any slot, as the DriveWatcher sees them appear, are
 * offered to runStation if the station's rules let them through. The rules are strict on purpose — a
 * station writes without asking, so anything that would need a confirmation in the app is turned away.
 * A card the desktop mounted on insertion is unmounted first; only one that will not unmount is refused.
 */

import type { CardSummary } from '../drives/card-summary.js';
import { summariseDrive } from '../drives/card-summary.js';
import { type ClassifiedDrive, type ClassifyContext, classifyDrive } from '../drives/classify.js';
import type { DriveRecord } from '../drives/drive-record.js';
import type { DriveWatcher } from '../drives/drive-watcher.js';
import { errorData } from '../errors.js';
import { unmountDrive } from '../writer/unmount.js';
import type { BatchTarget } from './batch-job.js';
import { driveBatchTarget } from './open-drive.js';

export interface StationRules {
  minBytes?: number;
  maxBytes?: number;
  /** Only cards that are not AstLinux cards yet (fresh or foreign). */
  onlyEmpty?: boolean;
  /** Only cards that already are AstLinux cards (re-provisioning returned stock). */
  onlyAstlinux?: boolean;
}

/** Why a drive may not be written by the station, or null when it may. */
export function stationRefusal(drive: ClassifiedDrive, rules: StationRules): string | null {
  const name = drive.description || drive.device;
  const blocking = drive.reasons.find((reason) => reason.severity !== 'note');
  if (drive.system || !drive.removable) return `${name} is not a removable card`;
  if (drive.access !== 'ok') return blocking ? blocking.message : `${name} needs a confirmation`;
  if (drive.size === null) return `${name} has no card in it`;
  if (rules.minBytes !== undefined && drive.size < rules.minBytes)
    return `${name} is smaller than the station's minimum`;
  if (rules.maxBytes !== undefined && drive.size > rules.maxBytes)
    return `${name} is larger than the station's maximum`;
  if (rules.onlyEmpty && drive.card) return `${name} is already an AstLinux card`;
  if (rules.onlyAstlinux && !drive.card) return `${name} is not an AstLinux card`;
  return null;
}

/**
 * A desktop mounts each card as it goes in: the station takes it off again, as the app does before
 * writing a card. A card that cannot be unmounted (a window has its files open) is turned away: the
 * reason is returned; null once nothing of the card is mounted.
 */
export async function unmountForStation(
  drive: DriveRecord,
  unmount: (drive: DriveRecord) => Promise<void> = (d) => unmountDrive(d),
): Promise<string | null> {
  if (drive.mountpoints.length === 0) return null;
  try {
    await unmount(drive);
    return null;
  } catch (error) {
    const { message, detail } = errorData(error);
    return detail ? `${message} (${detail})` : message;
  }
}

export interface DriveArrivalOptions {
  rules: StationRules;
  context: ClassifyContext;
  /** The card summary of a drive (quick inspect); defaults to reading the drive. */
  summarise?: (drive: DriveRecord) => Promise<CardSummary | null>;
  onRejected?: (drive: DriveRecord, reason: string) => void;
  /** Unmounts a card's volumes (a desktop mounts every card inserted); defaults to the writer's unmount. */
  unmount?: (drive: DriveRecord) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Drives that appear (or whose empty slot gets a card) while the station runs, as batch targets. Drives
 * present when it starts are not taken: the station only writes cards inserted for it.
 */
export async function* driveArrivals(
  watcher: DriveWatcher,
  options: DriveArrivalOptions,
): AsyncGenerator<BatchTarget> {
  const queue: DriveRecord[] = [];
  let wake: (() => void) | null = null;
  // Subscribing after the first poll: what was already there then is not "inserted for the station".
  await watcher.start();
  const unsubscribe = watcher.subscribe((event) => {
    const arrived =
      event.type === 'added'
        ? event.drive
        : event.type === 'changed' && event.previous.size === null && event.drive.size !== null
          ? event.drive
          : null;
    if (arrived) {
      queue.push(arrived);
      wake?.();
    }
  });
  const abort = () => wake?.();
  options.signal?.addEventListener('abort', abort);
  try {
    while (!options.signal?.aborted) {
      const drive = queue.shift();
      if (!drive) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        continue;
      }
      const summarise = options.summarise ?? ((d: DriveRecord) => summariseDrive(d.raw, d.size ?? undefined));
      const card = await summarise(drive).catch(() => null);
      const classified = classifyDrive(drive, { ...options.context, cards: { [drive.device]: card } });
      const refusal = stationRefusal(classified, options.rules);
      if (refusal) {
        options.onRejected?.(drive, refusal);
        continue;
      }
      const unmountRefusal = await unmountForStation(drive, options.unmount);
      if (unmountRefusal) {
        options.onRejected?.(drive, unmountRefusal);
        continue;
      }
      yield await driveBatchTarget(drive.device, drive.device, drive.raw, drive.description || null);
    }
  } finally {
    unsubscribe();
    options.signal?.removeEventListener('abort', abort);
  }
}
