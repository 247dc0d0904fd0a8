/**
 * One job on one of the writer's targets, start to finish: check its sources, read them, check the
 * device (identity and rules), unmount, re-check identity, open, run, sync, eject. Used by the helper
 * process and, for targets that need no elevation, in-process — the same rules either way.
 */
import type { BlockDevice } from '../block/block-device.js';
import { FileBlockDevice } from '../block/file-block-device.js';
import { RawBlockDevice } from '../block/raw-block-device.js';
import { type CardLock, lockCard } from '../card/card-lock.js';
import type { Progress } from '../card/progress.js';
import { DriveError } from '../drives/drive-error.js';
import { identityChanges, readIdentity } from '../drives/identity.js';
import { cardRemovedError, isCardRemoval } from './card-removed.js';
import { ejectDrive } from './eject.js';
import type { HelperSpec, TargetSpec } from './helper-spec.js';
import { type JobKind, type JobResult, jobSourcePaths, jobWrites } from './jobs.js';
import { prepareJob, type SingleJob } from './prepare-job.js';
import type { WriterStep } from './protocol.js';
import { checkSources } from './source-check.js';
import { type CheckedTarget, checkTarget, type TargetCheckContext } from './target-check.js';
import { unmountDrive } from './unmount.js';

export interface ExecuteHooks {
  onStep?: (step: WriterStep) => void;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

/** What a job returned, and whether its drive was ejected afterwards. */
export interface Executed<Result> {
  result: Result;
  ejected: boolean;
}

export async function executeJob<J extends SingleJob>(
  target: TargetSpec,
  user: HelperSpec['user'],
  job: J,
  hooks: ExecuteHooks = {},
  open: DeviceOpener = openDevice,
): Promise<Executed<JobResult<J>>> {
  const sourcePaths = jobSourcePaths(job);
  hooks.onStep?.('checking');
  await checkSources(sourcePaths, user);
  const prepared = await prepareJob(job);
  const opened = await openCheckedTarget(
    target,
    {
      sourcePaths,
      writes: jobWrites(job),
      ...(prepared.plannedBytes === undefined ? {} : { plannedBytes: prepared.plannedBytes }),
    },
    hooks.onStep,
    open,
  );
  return finishOnTarget(opened, job.kind, hooks, (disk) =>
    prepared.run(disk, {
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    }),
  );
}

/** Opens a checked target's device; tests put a failing or counting device in its place. */
export type DeviceOpener = (
  spec: TargetSpec,
  checked: CheckedTarget,
  readOnly: boolean,
) => Promise<BlockDevice>;

export const openDevice: DeviceOpener = (spec, checked, readOnly) =>
  checked.kind === 'image-file'
    ? FileBlockDevice.open(spec.device, { readOnly })
    : RawBlockDevice.open(spec.device, { readOnly });

/** A target that passed every check, opened for the job, and held against every other astcard process. */
export interface OpenedTarget {
  spec: TargetSpec;
  checked: CheckedTarget;
  disk: BlockDevice;
  lock: CardLock;
}

/**
 * The checks before the first write, in order: identity and drive rules, the card taken for this job
 * (one writer per card: a second astcard is refused by name), unmounting its volumes, the identity once
 * more right before opening (unmounting can take seconds; cards get swapped), and the open — after which
 * an image file must still be the one locked.
 */
export async function openCheckedTarget(
  spec: TargetSpec,
  context: TargetCheckContext,
  onStep?: (step: WriterStep) => void,
  open: DeviceOpener = openDevice,
): Promise<OpenedTarget> {
  const checked = await checkTarget(spec, context);
  const lock = await lockCard(spec.device, context.writes ? 'writing to it' : 'reading it');
  try {
    if (checked.kind === 'block-device' && checked.record.mountpoints.length > 0) {
      onStep?.('unmounting');
      await unmountDrive(checked.record);
    }
    const now = await readIdentity(spec.device);
    const changed = identityChanges(spec.identity, now);
    if (changed.length > 0) {
      throw new DriveError(
        'identity-changed',
        `${spec.device} changed (${changed.join(', ')}) while it was being prepared for writing. Nothing was written. Choose the drive again.`,
      );
    }
    const disk = await open(spec, checked, !context.writes);
    await lock.checkStillSame('before-writing').catch(async (error: unknown) => {
      await disk.close().catch(() => {});
      throw error;
    });
    return { spec, checked, disk, lock };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Runs the work on an opened target, then syncs, closes and (for a drive that asked for it) ejects. A
 * device error on the way means the card went away: it is said in those words, with what is safe next.
 * An image file moved away and replaced meanwhile is a failure too: the job's work is not at that path.
 */
export async function finishOnTarget<Result>(
  opened: OpenedTarget,
  kind: JobKind,
  hooks: Pick<ExecuteHooks, 'onStep'>,
  work: (disk: BlockDevice) => Promise<Result>,
): Promise<Executed<Result>> {
  const { spec, checked } = opened;
  let disk: BlockDevice | undefined = opened.disk;
  try {
    hooks.onStep?.('writing');
    const result = await work(disk);
    hooks.onStep?.('syncing');
    await disk.flush();
    if (checked.kind === 'image-file') await opened.lock.checkStillSame('after-writing');
    await disk.close();
    disk = undefined;
    let ejected = false;
    if (spec.eject && checked.kind === 'block-device') {
      hooks.onStep?.('ejecting');
      ejected = await ejectDrive(checked.record);
    }
    return { result, ejected };
  } catch (error) {
    if (isCardRemoval(error)) throw cardRemovedError(spec.device, kind, error);
    throw error;
  } finally {
    await disk?.close().catch(() => {});
    await opened.lock.release();
  }
}
