/**
 * The targets the Cards list shows: the drives plugged in (polled) and the image files the user opened,
 * each with its one-line status. Statuses come from a quick, read-only look at the card and are kept
 * until the card changes; hidden (system) drives are never read.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { CardSummary } from '../../shared/api.js';
import { inspectCard } from '../core/card/inspect.js';
import { openTarget } from '../core/card/target.js';
import { type StatusLine, statusOf } from './card-status.js';
import { type DriveInfo, type DriveSource, driveName } from './drive-source.js';

const LARGE_DRIVE_BYTES = 128e9;

export class CardRegistry {
  private readonly imageFiles = new Set<string>();
  private drives: DriveInfo[] = [];
  private readonly statuses = new Map<string, StatusLine>();

  constructor(private readonly driveSource: DriveSource) {}

  /** Re-reads the drive list; true when a drive came or went. */
  async refreshDrives(): Promise<boolean> {
    const drives = await this.driveSource.list().catch(() => this.drives);
    const key = (list: DriveInfo[]) => list.map((drive) => `${drive.device}:${drive.size}`).join('|');
    const changed = key(drives) !== key(this.drives);
    const present = new Set(drives.map((drive) => drive.device));
    for (const drive of this.drives) if (!present.has(drive.device)) this.statuses.delete(drive.device);
    this.drives = drives;
    return changed;
  }

  async addImageFile(path: string): Promise<string> {
    const id = resolve(path);
    this.imageFiles.add(id);
    this.statuses.delete(id);
    return id;
  }

  removeImageFile(id: string): boolean {
    this.statuses.delete(id);
    return this.imageFiles.delete(id);
  }

  drive(id: string): DriveInfo | undefined {
    return this.drives.find((drive) => drive.device === id);
  }

  isImageFile(id: string): boolean {
    return this.imageFiles.has(id);
  }

  /** Forget what we knew: the card changed. */
  invalidate(id: string): void {
    this.statuses.delete(id);
  }

  setStatus(id: string, line: StatusLine): void {
    this.statuses.set(id, line);
  }

  async summaries(): Promise<CardSummary[]> {
    const cards: CardSummary[] = [];
    for (const drive of this.drives) cards.push(await this.driveSummary(drive));
    for (const path of this.imageFiles) {
      const summary = await this.imageSummary(path);
      if (summary) cards.push(summary);
    }
    return cards;
  }

  async summary(id: string): Promise<CardSummary | undefined> {
    const drive = this.drive(id);
    if (drive) return this.driveSummary(drive);
    if (this.imageFiles.has(id)) return (await this.imageSummary(id)) ?? undefined;
    return undefined;
  }

  private async driveSummary(drive: DriveInfo): Promise<CardSummary> {
    const hidden = drive.system || drive.virtual;
    const warnings: string[] = [];
    if (drive.system)
      warnings.push('This is a system drive: erasing it could leave this computer unable to start.');
    if (drive.virtual) warnings.push('This is a virtual drive, not a card.');
    if (drive.size > LARGE_DRIVE_BYTES)
      warnings.push('It is larger than 128 GB: make sure it really is the card you mean.');
    if (drive.mountpoints.length > 0)
      warnings.push(`It is in use (open at ${drive.mountpoints.join(', ')}): close its files first.`);
    if (drive.readOnly) warnings.push('It is write-protected: slide its lock switch to write to it.');
    const status = hidden
      ? {
          status: drive.system ? 'System drive — hidden' : 'Virtual drive — hidden',
          tone: 'neutral' as const,
        }
      : await this.status(drive.device);
    return {
      id: drive.device,
      kind: 'drive',
      title: driveName(drive.description, drive.device),
      location: drive.device,
      size: drive.size,
      system: drive.system,
      hidden,
      warnings,
      ...status,
    };
  }

  private async imageSummary(path: string): Promise<CardSummary | null> {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return {
        id: path,
        kind: 'image-file',
        title: basename(path),
        location: dirname(path),
        size: 0,
        system: false,
        hidden: false,
        warnings: [],
        status: 'The file is gone',
        tone: 'bad',
      };
    }
    return {
      id: path,
      kind: 'image-file',
      title: basename(path),
      location: dirname(path),
      size,
      system: false,
      hidden: false,
      warnings: [],
      ...(await this.status(path)),
    };
  }

  private async status(id: string): Promise<StatusLine> {
    const known = this.statuses.get(id);
    if (known) return known;
    let line: StatusLine;
    try {
      const disk = await openTarget(id, { readOnly: true });
      try {
        line = statusOf(await inspectCard(disk, { quick: true }));
      } finally {
        await disk.close();
      }
    } catch {
      line = { status: 'Cannot be read', tone: 'bad' };
    }
    this.statuses.set(id, line);
    return line;
  }
}
