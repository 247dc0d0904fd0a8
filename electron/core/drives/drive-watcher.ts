/**
 * Polls the drive list (about once a second, like Etcher) and tells subscribers what changed. Polls never
 * overlap: the next one is scheduled when the previous finishes. stop() waits for a poll in flight, so
 * nothing fires after it resolves.
 */

import { listDrives } from './drive-list.js';
import type { DriveRecord } from './drive-record.js';

export type DriveEvent =
  | { type: 'added'; drive: DriveRecord }
  | { type: 'removed'; drive: DriveRecord }
  | { type: 'changed'; drive: DriveRecord; previous: DriveRecord }
  | { type: 'error'; error: unknown };

export type DriveListener = (event: DriveEvent, drives: DriveRecord[]) => void;

export interface DriveWatcherOptions {
  intervalMs?: number;
  /** Where records come from: drivelist by default. */
  list?: () => Promise<DriveRecord[]>;
}

export class DriveWatcher {
  private readonly listeners = new Set<DriveListener>();
  private readonly intervalMs: number;
  private readonly list: () => Promise<DriveRecord[]>;
  private known = new Map<string, DriveRecord>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private lastError: string | undefined;

  constructor(options: DriveWatcherOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.list = options.list ?? listDrives;
  }

  /** The drives as of the last poll. */
  get drives(): DriveRecord[] {
    return [...this.known.values()];
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: DriveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts polling; resolves after the first poll, so `drives` is filled. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.pollOnce();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One poll now (also used by start); emits the differences from the previous poll. */
  pollOnce(): Promise<void> {
    this.inFlight ??= this.poll().finally(() => {
      this.inFlight = undefined;
      if (this.running) this.timer = setTimeout(() => void this.pollOnce(), this.intervalMs);
    });
    return this.inFlight;
  }

  private async poll(): Promise<void> {
    let records: DriveRecord[];
    try {
      records = await this.list();
    } catch (error) {
      // One failing poll (a drive vanishing mid-listing) is common; report each distinct failure once.
      const text = String((error as Error)?.message ?? error);
      if (text !== this.lastError && this.running) this.emit({ type: 'error', error });
      this.lastError = text;
      return;
    }
    this.lastError = undefined;
    if (!this.running) return;
    const next = new Map(records.map((record) => [record.device, record]));
    const events: DriveEvent[] = [];
    for (const [device, previous] of this.known) {
      const drive = next.get(device);
      if (!drive) events.push({ type: 'removed', drive: previous });
      else if (JSON.stringify(drive) !== JSON.stringify(previous))
        events.push({ type: 'changed', drive, previous });
    }
    for (const [device, drive] of next) if (!this.known.has(device)) events.push({ type: 'added', drive });
    this.known = next;
    for (const event of events) this.emit(event);
  }

  private emit(event: DriveEvent): void {
    const drives = this.drives;
    for (const listener of this.listeners) {
      try {
        listener(event, drives);
      } catch {
        // A listener's bug must not stop the polling for everyone else.
      }
    }
  }
}
