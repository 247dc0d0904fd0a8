/**
 * A writer session: the one way anything in astcard changes a card. It is opened for the targets the user
 * chose (one card, a batch's cards, or a station that takes cards as they are inserted) and runs jobs on
 * them. Image files run in this process — nothing to elevate, the same checks; drives run in one helper
 * process for the whole session, elevated only when this process could not write them itself, so a batch
 * asks for the administrator password once and the app never runs as root.
 */
import { stat } from 'node:fs/promises';
import type { DriveIdentity } from '../drives/identity.js';
import { admitTarget } from './admit.js';
import { type DeviceOpener, type Executed, executeJob } from './execute.js';
import { executeProvision } from './execute-provision.js';
import { type HelperConnection, type JobHooks, startHelper } from './helper-connection.js';
import type { HelperSpec, StationRules, TargetSpec } from './helper-spec.js';
import type { JobOf, JobResult, ProvisionOutcome } from './jobs.js';
import { type HelperCommand, needsElevation } from './launch.js';
import type { SingleJob } from './prepare-job.js';

export type { JobHooks } from './helper-connection.js';

/** A card the user chose: its path and who it was when they chose it. */
export interface CardTarget {
  device: string;
  /** The identity read when the user chose the device (readIdentity); it is re-read and compared. */
  identity: DriveIdentity;
  /** The drive's name as the user typed it, for a drive that requires it. */
  typedName?: string | null;
  /** The user answered yes to a confirmation (a drive over 128 GB). */
  confirmed?: boolean;
  /** Eject the drive once a job on it finished (default true for drives; image files are never ejected). */
  eject?: boolean;
}

export type { SingleJob } from './prepare-job.js';

export interface WriterSession {
  /** Runs a one-card job on the session's target `slot`. */
  run<J extends SingleJob>(slot: number, job: J, hooks?: JobHooks): Promise<Executed<JobResult<J>>>;
  /** Runs a batch's cards at once: one outcome per slot, in order; a card's failure is its own. */
  provision(slots: number[], job: JobOf<'provision'>, hooks?: JobHooks): Promise<ProvisionOutcome[]>;
  /** A station's newly inserted card: checked by the station's rules, then a slot of its own. */
  admit(target: CardTarget): Promise<number>;
  close(): Promise<void>;
}

export type WriterMode = 'auto' | 'in-process' | 'helper' | 'elevated-helper';

export interface SessionOptions {
  /** Set for a station: the rules new cards are admitted by; `drives` says they arrive as drives. */
  station?: (StationRules & { drives: boolean }) | null;
  /** auto: in-process for image files, a helper for drives (elevated if needed). */
  mode?: WriterMode;
  /** How to start the helper; the default runs this build's helper script. */
  helper?: HelperCommand;
  /** How long to wait for the helper to connect (the user may be typing a password). */
  connectTimeoutMs?: number;
  /** Tests only: the in-process runner opens devices through this (a failing or counting device). */
  openDevice?: DeviceOpener;
  /** Tests and benchmarks: how far a card may lag behind a provision's shared reader. */
  maxBufferedBytes?: number;
}

interface Placed {
  runner: 'local' | 'helper';
  /** The target's number in its runner. */
  index: number;
}

export async function openWriterSession(
  targets: CardTarget[],
  options: SessionOptions = {},
): Promise<WriterSession> {
  const user = currentUser();
  const local: TargetSpec[] = [];
  const remote: TargetSpec[] = [];
  const placed: Placed[] = [];
  const mode = options.mode ?? 'auto';
  const specs = await Promise.all(targets.map((target) => targetSpec(target)));
  for (const spec of specs) {
    const runner = mode === 'in-process' || (mode === 'auto' && spec.isFile) ? 'local' : 'helper';
    const list = runner === 'local' ? local : remote;
    placed.push({ runner, index: list.length });
    list.push(spec.spec);
  }
  const stationDrives = options.station?.drives === true && mode !== 'in-process';
  let helper: HelperConnection | null = null;
  if (remote.length > 0 || stationDrives) {
    const elevated =
      mode === 'elevated-helper' ||
      (mode === 'auto' &&
        (await anyNeedsElevation(
          remote.map((spec) => spec.device),
          stationDrives,
        )));
    helper = await startHelper({
      targets: remote,
      station: options.station
        ? { minBytes: options.station.minBytes, maxBytes: options.station.maxBytes }
        : null,
      user,
      elevated,
      ...(options.helper ? { helper: options.helper } : {}),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });
  }
  const connection = () => {
    if (!helper) throw new Error('no helper in this session');
    return helper;
  };
  const where = (slot: number): Placed => {
    const found = placed[slot];
    if (!found) throw new RangeError(`no target ${slot} in this writer session`);
    return found;
  };
  const tuning = {
    ...(options.openDevice ? { openDevice: options.openDevice } : {}),
    ...(options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
  };

  const session: WriterSession = {
    async run(slot, job, hooks = {}) {
      const { runner, index } = where(slot);
      if (runner === 'helper') {
        return (await connection().run([index], job, hooks)) as Executed<JobResult<typeof job>>;
      }
      return executeJob(
        local[index] as TargetSpec,
        user,
        job,
        {
          onStep: (step) => hooks.onStep?.(0, step),
          onProgress: (progress) => hooks.onProgress?.(0, progress),
          ...(hooks.signal ? { signal: hooks.signal } : {}),
        },
        options.openDevice,
      ) as Promise<Executed<JobResult<typeof job>>>;
    },

    async provision(slots, job, hooks = {}) {
      // Cards of each runner go as one job, so each runner reads every image once for all its cards.
      const groups = { local: [] as number[], helper: [] as number[] };
      slots.forEach((slot, card) => {
        groups[where(slot).runner].push(card);
      });
      const outcomes: ProvisionOutcome[] = new Array(slots.length);
      const part = async (runner: 'local' | 'helper', cards: number[]) => {
        if (cards.length === 0) return;
        const partJob: JobOf<'provision'> = {
          ...job,
          cards: cards.map((card) => job.cards[card] as { keydisk: string | null }),
        };
        const partHooks = {
          onStep: (card: number, step: Parameters<NonNullable<JobHooks['onStep']>>[1]) =>
            hooks.onStep?.(cards[card] as number, step),
          onProgress: (card: number, progress: Parameters<NonNullable<JobHooks['onProgress']>>[1]) =>
            hooks.onProgress?.(cards[card] as number, progress),
          onOutcome: (card: number, outcome: ProvisionOutcome) =>
            hooks.onOutcome?.(cards[card] as number, outcome),
          ...(hooks.signal ? { signal: hooks.signal } : {}),
        };
        const indices = cards.map((card) => where(slots[card] as number).index);
        const result =
          runner === 'local'
            ? await executeProvision(
                indices.map((index) => local[index] as TargetSpec),
                user,
                partJob,
                partHooks,
                tuning,
              )
            : ((await connection().run(indices, partJob, partHooks)).result as ProvisionOutcome[]);
        result.forEach((outcome, card) => {
          outcomes[cards[card] as number] = outcome;
        });
      };
      await Promise.all([part('local', groups.local), part('helper', groups.helper)]);
      return outcomes;
    },

    async admit(target) {
      if (!options.station) throw new Error('this writer session is not a station');
      const { spec, isFile } = await targetSpec(target);
      if (isFile || !helper) {
        // A folder of image files standing in for a reader's slots (tests, demos): checked here.
        const accepted = isFile ? spec : await admitTarget(options.station, spec);
        placed.push({ runner: 'local', index: local.length });
        local.push(accepted);
        return placed.length - 1;
      }
      const index = await helper.admit(spec);
      placed.push({ runner: 'helper', index });
      return placed.length - 1;
    },

    async close() {
      await helper?.close();
    },
  };
  return session;
}

async function targetSpec(target: CardTarget): Promise<{ spec: TargetSpec; isFile: boolean }> {
  const isFile = (await stat(target.device).catch(() => null))?.isFile() ?? false;
  return {
    isFile,
    spec: {
      device: target.device,
      identity: target.identity,
      typedName: target.typedName ?? null,
      confirmed: target.confirmed ?? false,
      eject: !isFile && (target.eject ?? true),
    },
  };
}

async function anyNeedsElevation(devices: string[], stationDrives: boolean): Promise<boolean> {
  // Cards a station has not seen yet cannot be asked about: unmounting them takes root in any case.
  if (stationDrives && process.getuid?.() !== 0) return true;
  for (const device of devices) if (await needsElevation(device)) return true;
  return false;
}

function currentUser(): HelperSpec['user'] {
  if (typeof process.getuid !== 'function') return null;
  return { uid: process.getuid(), gids: process.getgroups?.() ?? [process.getgid?.() ?? 0] };
}
