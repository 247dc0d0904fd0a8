/**
 * Station mode for multi-slot readers: every target that appears and passes the rules is provisioned on
 * its own as soon as it appears, until `count` cards are verified. A failed card does not count; its slot
 * shows the failure until another card appears there. The counter and per-slot state go to `onStation`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readIdentity } from '../drives/identity.js';
import { errorData } from '../errors.js';
import { openWriterSession } from '../writer/session.js';
import {
  type BatchOptions,
  type BatchTarget,
  type CardStatus,
  cardTarget,
  provisionCards,
} from './batch-job.js';
import type { CardRecord } from './batch-report.js';

export interface StationStatus {
  done: number;
  failed: number;
  count: number;
  slots: Record<string, CardStatus>;
}

export interface StationOptions extends BatchOptions {
  /** Verified cards to make before stopping. */
  count: number;
  /**
   * What the writer itself checks before it takes an inserted card: drives (not image files standing in
   * for cards) and their size bounds. The writer refuses anything its drive rules would ask about.
   */
  arrivals: { drives: boolean; minBytes?: number; maxBytes?: number };
  /** Decides whether an appearing target may be written; returns why not, or null to accept. */
  accept?: (target: BatchTarget) => Promise<string | null> | string | null;
  onStation?: (status: StationStatus) => void;
  /** A target turned away by the rules. */
  onRejected?: (target: BatchTarget, reason: string) => void;
}

export async function runStation(
  arrivals: AsyncIterable<BatchTarget>,
  options: StationOptions,
): Promise<CardRecord[]> {
  const status: StationStatus = { done: 0, failed: 0, count: options.count, slots: {} };
  const records: CardRecord[] = [];
  const running = new Set<Promise<void>>();
  const publish = () => options.onStation?.({ ...status, slots: { ...status.slots } });
  let finished = false;
  const iterator = arrivals[Symbol.asyncIterator]();
  // A pending next() is kept across loop turns: dropping it would lose the target it resolves to.
  let pending: Promise<IteratorResult<BatchTarget>> | null = null;

  const cardOptions: BatchOptions = {
    ...options,
    onStatus: (card) => {
      status.slots[card.slot] = card;
      options.onStatus?.(card);
      publish();
    },
  };
  // One writer for the whole station: drives are taken by the (elevated) helper as they arrive, by its rules.
  const writer = await openWriterSession([], {
    ...options.writer,
    station: {
      drives: options.arrivals.drives,
      minBytes: options.arrivals.minBytes ?? null,
      maxBytes: options.arrivals.maxBytes ?? null,
    },
  });
  const provision = async (target: BatchTarget): Promise<CardRecord | null> => {
    let slot: number;
    let identity: Awaited<ReturnType<typeof readIdentity>>;
    try {
      identity = target.identity ?? (await readIdentity(target.device ?? target.target));
      slot = await writer.admit(cardTarget(target, identity));
    } catch (error) {
      const { message, detail } = errorData(error);
      options.onRejected?.(target, detail ? `${message} (${detail})` : message);
      return null;
    }
    const [record] = await provisionCards(writer, [{ target, slot, identity }], cardOptions);
    return record ?? null;
  };

  while (!finished && !options.signal?.aborted) {
    // Never start more cards than are still needed.
    if (status.done + running.size >= options.count) {
      await Promise.race(running);
      continue;
    }
    pending ??= iterator.next();
    const next = await Promise.race([
      pending,
      ...(running.size > 0 ? [Promise.race(running).then(() => null)] : []),
    ]);
    if (next === null) continue;
    pending = null;
    if (next.done) break;
    const target = next.value;
    const refusal = options.accept ? await options.accept(target) : null;
    if (refusal) {
      options.onRejected?.(target, refusal);
      continue;
    }
    status.slots[target.slot] = { slot: target.slot, target: target.target, state: 'waiting' };
    publish();
    const job: Promise<void> = provision(target).then((record) => {
      if (!record) return;
      records.push(record);
      if (record.verified) status.done++;
      else status.failed++;
      if (status.done >= options.count) finished = true;
      publish();
    });
    running.add(job);
    void job.finally(() => running.delete(job));
  }
  await Promise.all(running);
  await writer.close();
  // With a next() still pending, return() would wait for another arrival: the caller's signal stops the source.
  if (!pending) await iterator.return?.();
  return records;
}

/**
 * Targets as files appearing in a folder (image files standing in for cards, for tests and demos): a file
 * is offered once its size has stayed the same for one poll, so a file still being created is not taken.
 */
export async function* watchFolderTargets(
  dir: string,
  options: { pattern?: RegExp; pollMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<BatchTarget> {
  const pattern = options.pattern ?? /\.(card|img|bin|raw)$/i;
  const pollMs = options.pollMs ?? 200;
  const offered = new Set<string>();
  const sizes = new Map<string, number>();
  while (!options.signal?.aborted) {
    for (const name of (await readdir(dir)).sort()) {
      if (offered.has(name) || !pattern.test(name)) continue;
      const path = join(dir, name);
      const size = await stat(path).then(
        (info) => (info.isFile() ? info.size : -1),
        () => -1,
      );
      if (size <= 0) continue;
      if (sizes.get(name) !== size) {
        sizes.set(name, size);
        continue;
      }
      offered.add(name);
      yield { slot: name, target: path, model: 'image file', serial: name };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
