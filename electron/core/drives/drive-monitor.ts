/**
 * What a drive picker needs: the live list, classified, with AstLinux cards recognised — pushed to
 * subscribers whenever anything changes. Card summaries are read once per drive state (device, size,
 * mounts), not on every poll, so a card sitting in a reader is not re-read every second.
 */

import type { CardSummary } from './card-summary.js';
import { type ClassifiedDrive, type ClassifyContext, classifyDrives } from './classify.js';
import { currentPlatform, summariseRecord, worthInspecting } from './drive-list.js';
import type { DriveRecord } from './drive-record.js';
import { DriveWatcher, type DriveWatcherOptions } from './drive-watcher.js';

export type DriveListListener = (drives: ClassifiedDrive[]) => void;

export interface DriveMonitorOptions extends DriveWatcherOptions {
  /** How a drive's card summary is read; the real quick inspect by default. */
  summarise?: (drive: DriveRecord) => Promise<CardSummary | null>;
  platform?: ClassifyContext['platform'];
}

export class DriveMonitor {
  private readonly watcher: DriveWatcher;
  private readonly summarise: (drive: DriveRecord) => Promise<CardSummary | null>;
  private readonly platform: ClassifyContext['platform'];
  private readonly listeners = new Set<DriveListListener>();
  private readonly summaries = new Map<string, { key: string; summary: Promise<CardSummary | null> }>();
  private context: Omit<ClassifyContext, 'platform' | 'cards'> = {};
  private latest: ClassifiedDrive[] = [];
  private pending: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: DriveMonitorOptions = {}) {
    this.watcher = new DriveWatcher(options);
    this.summarise = options.summarise ?? summariseRecord;
    this.platform = options.platform ?? currentPlatform();
  }

  get drives(): ClassifiedDrive[] {
    return this.latest;
  }

  subscribe(listener: DriveListListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the planned job reads and needs: the classification follows it (too small, holds the source). */
  async setContext(context: Omit<ClassifyContext, 'platform' | 'cards'>): Promise<void> {
    this.context = context;
    await this.refresh();
  }

  async start(): Promise<void> {
    // Events of one poll arrive together; one refresh covers them all.
    this.unsubscribe = this.watcher.subscribe(() => {
      this.pending ??= Promise.resolve().then(() => {
        this.pending = undefined;
        return this.refresh();
      });
    });
    await this.watcher.start();
    await this.pending;
    await this.refresh();
  }

  /** Polls now instead of waiting for the timer (a "refresh" button), and resolves once subscribers have the result. */
  async pollNow(): Promise<void> {
    await this.watcher.pollOnce();
    await this.pending;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.watcher.stop();
    await this.pending;
  }

  private async refresh(): Promise<void> {
    const records = this.watcher.drives;
    const cards: { [device: string]: CardSummary | null } = {};
    for (const record of records) {
      if (!worthInspecting(record)) continue;
      const key = JSON.stringify([record.size, record.mountpoints, record.isReadOnly]);
      let cached = this.summaries.get(record.device);
      if (!cached || cached.key !== key) {
        cached = { key, summary: this.summarise(record).catch(() => null) };
        this.summaries.set(record.device, cached);
      }
      cards[record.device] = await cached.summary;
    }
    for (const device of this.summaries.keys()) {
      if (!records.some((record) => record.device === device)) this.summaries.delete(device);
    }
    const systemDrive = process.env.SystemDrive;
    this.latest = classifyDrives(records, {
      ...this.context,
      platform: this.platform,
      cards,
      ...(systemDrive ? { systemDrive } : {}),
    });
    for (const listener of this.listeners) {
      try {
        listener(this.latest);
      } catch {
        // One subscriber's bug must not starve the others.
      }
    }
  }
}
