/**
 * Station arrivals from a polled drive list (the app's card list): a drive that was not there at the
 * previous look — newly inserted, or a card put back into a slot — is a candidate. Drives present at the
 * first look are not taken: the station writes only cards inserted for it. Unlike `driveArrivals`, this
 * needs no DriveWatcher, so the app can feed it the same list its Cards screen shows.
 */

import type { CardSummary } from '../drives/card-summary.js';
import { summariseDrive } from '../drives/card-summary.js';
import { classifyDrive } from '../drives/classify.js';
import { currentPlatform } from '../drives/drive-list.js';
import type { DriveRecord } from '../drives/drive-record.js';
import type { BatchTarget } from './batch-job.js';
import { type StationRules, stationRefusal, unmountForStation } from './drive-station.js';
import { driveBatchTarget } from './open-drive.js';

/** The drives plugged in now, read again on each call. */
export type StationDrives = () => Promise<DriveRecord[]>;

export interface StationArrivalOptions {
  rules: StationRules;
  pollMs?: number;
  signal?: AbortSignal;
  /** The card summary of a drive (quick inspect); defaults to reading the drive. */
  summarise?: (drive: DriveRecord) => Promise<CardSummary | null>;
  /** The drives present at the start are known: from now on an inserted card is taken. */
  onWatching?: () => void;
  /** A drive turned away by the rules, by its device, with the reason in plain words. */
  onRejected?: (device: string, reason: string) => void;
  /** Unmounts a card the desktop mounted on insertion; defaults to the writer's unmount. */
  unmount?: (drive: DriveRecord) => Promise<void>;
}

export async function* stationArrivals(
  drives: StationDrives,
  options: StationArrivalOptions,
): AsyncGenerator<BatchTarget> {
  const pollMs = options.pollMs ?? 1000;
  const summarise = options.summarise ?? ((d: DriveRecord) => summariseDrive(d.raw, d.size ?? undefined));
  const key = (drive: DriveRecord) => `${drive.device}:${drive.size ?? 'empty'}`;
  let seen = new Set((await drives().catch(() => [])).map(key));
  options.onWatching?.();
  while (!options.signal?.aborted) {
    await sleep(pollMs, options.signal);
    if (options.signal?.aborted) return;
    const now = await drives().catch(() => null);
    if (!now) continue;
    const fresh = now.filter((drive) => !seen.has(key(drive)) && drive.size !== null);
    seen = new Set(now.map(key));
    for (const drive of fresh) {
      const card = await summarise(drive).catch(() => null);
      const classified = classifyDrive(drive, {
        platform: currentPlatform(),
        cards: { [drive.device]: card },
      });
      const refusal =
        stationRefusal(classified, options.rules) ?? (await unmountForStation(drive, options.unmount));
      if (refusal) {
        options.onRejected?.(drive.device, refusal);
        continue;
      }
      yield await driveBatchTarget(drive.device, drive.device, drive.raw, drive.description || null);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
