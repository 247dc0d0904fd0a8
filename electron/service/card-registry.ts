/**
 * The targets the Cards list shows: the drives plugged in (polled) and the image files the user opened,
 * each with its one-line status. Statuses come from a quick, read-only look at the card and are kept
 * until the card changes; hidden (system) drives are never read.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { CardState, CardSummary } from '../../shared/api.js';
import { inspectCard } from '../core/card/inspect.js';
import { openTarget } from '../core/card/target.js';
import {
  type ClassifiedDrive,
  type ClassifyContext,
  classifyDrive,
  type DriveReason,
} from '../core/drives/classify.js';
import { currentPlatform } from '../core/drives/drive-list.js';
import { type DriveIdentity, readIdentity } from '../core/drives/identity.js';
import { keepVerified, stateOf } from './card-status.js';
import { type DriveInfo, type DriveSource, driveName, recordOf } from './drive-source.js';
import { sourceIsCardMessage } from './prepare-checks.js';

/** What the planned job reads and needs: drives too small for it, or holding its sources, are flagged. */
export type DrivePlan = Pick<ClassifyContext, 'plannedBytes' | 'sourcePaths'>;

/** Reasons whose words would repeat the status line. */
const UNSAID = new Set(['astlinux-card']);

export class CardRegistry {
  private readonly imageFiles = new Set<string>();
  private drives: DriveInfo[] = [];
  private readonly states = new Map<string, CardState>();
  /** Who each drive was when it appeared: the writer refuses it if another card answers to its name. */
  private readonly identities = new Map<string, Promise<DriveIdentity | null>>();
  private plan: DrivePlan = {};
  /** Counts forgettings, so a look that began before one is not kept as what the card holds now. */
  private changes = 0;

  constructor(private readonly driveSource: DriveSource) {}

  /** Classify drives against this plan from now on (the Prepare page's chosen images). */
  setPlan(plan: DrivePlan): void {
    this.plan = plan;
  }

  /** The drive by the core's rules (the same words as `astcard drives`). */
  classified(id: string, plan: DrivePlan = this.plan): ClassifiedDrive | undefined {
    const drive = this.drive(id);
    if (!drive) return undefined;
    const systemDrive = process.env.SystemDrive;
    return classifyDrive(recordOf(drive), {
      ...plan,
      platform: currentPlatform(),
      ...(systemDrive ? { systemDrive } : {}),
    });
  }

  /**
   * What stops the plan going onto a card, drive or image file, by the same rule and in the same words
   * as the drive rules (a card image too small for the images is refused like a card too small).
   */
  async blockers(id: string, plan: DrivePlan = this.plan): Promise<DriveReason[]> {
    if (this.drive(id)) {
      return (this.classified(id, plan)?.reasons ?? []).filter((reason) => reason.severity === 'blocked');
    }
    if (!this.imageFiles.has(id)) return [];
    const size = await stat(id).then(
      (info) => info.size,
      () => null,
    );
    return size === null ? [] : imageFileBlockers(id, size, plan);
  }

  /** The identity read when the drive was first listed — what the user saw when they chose it. */
  async identity(id: string): Promise<DriveIdentity> {
    const known = await this.identities.get(id);
    return known ?? readIdentity(id);
  }

  /** Re-reads the drive list; true when a drive came or went. */
  async refreshDrives(): Promise<boolean> {
    const drives = await this.driveSource.list().catch(() => this.drives);
    const key = (list: DriveInfo[]) => list.map((drive) => `${drive.device}:${drive.size}`).join('|');
    const changed = key(drives) !== key(this.drives);
    const present = new Set(drives.map((drive) => drive.device));
    for (const drive of this.drives) {
      if (present.has(drive.device)) continue;
      this.states.delete(drive.device);
      this.identities.delete(drive.device);
    }
    for (const drive of drives) {
      const before = this.drives.find((known) => known.device === drive.device);
      // A different size under the same name is another card: its identity is read again.
      if (!this.identities.has(drive.device) || before?.size !== drive.size) {
        this.identities.set(
          drive.device,
          readIdentity(drive.device).catch(() => null),
        );
      }
    }
    this.drives = drives;
    return changed;
  }

  async addImageFile(path: string): Promise<string> {
    const id = resolve(path);
    this.imageFiles.add(id);
    this.states.delete(id);
    return id;
  }

  removeImageFile(id: string): boolean {
    this.states.delete(id);
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
    this.states.delete(id);
    this.changes += 1;
  }

  /** What a look at the card found; a quick look keeps the verification a full check established. */
  setState(id: string, state: CardState, quick: boolean): void {
    this.states.set(id, quick ? keepVerified(this.states.get(id), state) : state);
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
    const rules = this.classified(drive.device) as ClassifiedDrive;
    const warnings = rules.reasons
      .filter((reason) => !UNSAID.has(reason.code))
      .map((reason) => reason.message);
    const state: CardState = rules.hidden
      ? { kind: 'hidden', why: hiddenKind(rules) }
      : await this.state(drive.device);
    return {
      id: drive.device,
      kind: 'drive',
      title: driveName(drive.description, drive.device),
      location: drive.device,
      size: drive.size,
      // "system" is what the window asks the typed name for; the core decides which drives need it.
      system: rules.access === 'type-name',
      hidden: rules.hidden,
      warnings,
      access: rules.access,
      confirmName: rules.confirmName,
      state,
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
        state: { kind: 'file-missing' },
      };
    }
    const blocked = imageFileBlockers(path, size, this.plan);
    return {
      id: path,
      kind: 'image-file',
      title: basename(path),
      location: dirname(path),
      size,
      system: false,
      hidden: false,
      warnings: blocked.map((reason) => reason.message),
      ...(blocked.length > 0 ? { access: 'blocked' as const } : {}),
      state: await this.state(path),
    };
  }

  private async state(id: string): Promise<CardState> {
    const known = this.states.get(id);
    if (known) return known;
    const changesBefore = this.changes;
    let state: CardState;
    try {
      const disk = await openTarget(id, { readOnly: true });
      try {
        state = stateOf(await inspectCard(disk, { quick: true }));
      } finally {
        await disk.close();
      }
    } catch {
      state = { kind: 'unreadable' };
    }
    if (this.changes === changesBefore) this.states.set(id, state);
    return state;
  }
}

/**
 * The drive rules that apply to a card image file: it must not be one of the plan's sources, and its size
 * must hold the plan. (A file that is a source is always too small for it as well: the first says why.)
 */
function imageFileBlockers(path: string, size: number, plan: DrivePlan): DriveReason[] {
  if ((plan.sourcePaths ?? []).includes(path)) {
    return [{ code: 'holds-source', severity: 'blocked', message: sourceIsCardMessage(basename(path)) }];
  }
  const rules = classifyDrive(
    recordOf({
      device: path,
      description: basename(path),
      size,
      removable: true,
      system: false,
      virtual: false,
      mountpoints: [],
      readOnly: false,
    }),
    { ...plan, platform: currentPlatform() },
  );
  return rules.reasons.filter((reason) => reason.code === 'too-small');
}

function hiddenKind(drive: ClassifiedDrive): 'system' | 'virtual' | 'empty-slot' | 'unreadable' {
  const codes = new Set(drive.reasons.map((reason) => reason.code));
  if (codes.has('system') || codes.has('running-system')) return 'system';
  if (codes.has('virtual')) return 'virtual';
  if (codes.has('no-media')) return 'empty-slot';
  return 'unreadable';
}
