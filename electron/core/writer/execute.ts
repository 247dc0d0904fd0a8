/**
 * One job on the helper's one device, start to finish: check the job, check its sources, check the
 * device (identity and rules), unmount, re-check identity, open, run, sync, eject. Used by the helper
 * process and, for targets that need no elevation, in-process — the same rules either way.
 */
import type { BlockDevice } from '../block/block-device.js';
import { FileBlockDevice } from '../block/file-block-device.js';
import { RawBlockDevice } from '../block/raw-block-device.js';
import type { Progress } from '../card/progress.js';
import { DriveError } from '../drives/drive-error.js';
import { identityChanges, readIdentity } from '../drives/identity.js';
import { cardRemovedError, isCardRemoval } from './card-removed.js';
import { ejectDrive } from './eject.js';
import type { HelperSpec } from './helper-spec.js';
import { jobSourcePaths, jobWrites, parseJob } from './jobs.js';
import type { WriterStep } from './protocol.js';
import { prepareJob } from './run-job.js';
import { checkSources } from './source-check.js';
import { checkTarget } from './target-check.js';
import { unmountDrive } from './unmount.js';

export interface ExecuteHooks {
  onStep?: (step: WriterStep) => void;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

export interface ExecuteResult {
  result: unknown;
  ejected: boolean;
}

export async function executeJob(
  spec: HelperSpec,
  rawJob: unknown,
  hooks: ExecuteHooks = {},
): Promise<ExecuteResult> {
  const job = parseJob(rawJob);
  const writes = jobWrites(job);
  const sourcePaths = jobSourcePaths(job);
  hooks.onStep?.('checking');
  await checkSources(sourcePaths, spec.user);
  const prepared = await prepareJob(job);
  const target = await checkTarget(spec, {
    sourcePaths,
    writes,
    ...(prepared.plannedBytes === undefined ? {} : { plannedBytes: prepared.plannedBytes }),
  });
  if (target.kind === 'block-device' && target.record.mountpoints.length > 0) {
    hooks.onStep?.('unmounting');
    await unmountDrive(target.record);
  }
  // Right before the first write: the same drive still? (Unmounting can take seconds; cards get swapped.)
  const now = await readIdentity(spec.device);
  const changed = identityChanges(spec.identity, now);
  if (changed.length > 0) {
    throw new DriveError(
      'identity-changed',
      `${spec.device} changed (${changed.join(', ')}) while it was being prepared for writing. Nothing was written. Choose the drive again.`,
    );
  }
  let disk: BlockDevice | undefined;
  try {
    disk =
      target.kind === 'image-file'
        ? await FileBlockDevice.open(spec.device, { readOnly: !writes })
        : await RawBlockDevice.open(spec.device, { readOnly: !writes });
    hooks.onStep?.('writing');
    const result = await prepared.run(disk, {
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    hooks.onStep?.('syncing');
    await disk.flush();
    await disk.close();
    disk = undefined;
    let ejected = false;
    if (spec.eject && target.kind === 'block-device') {
      hooks.onStep?.('ejecting');
      ejected = await ejectDrive(target.record);
    }
    return { result, ejected };
  } catch (error) {
    if (isCardRemoval(error)) throw cardRemovedError(spec.device, job.kind, error);
    throw error;
  } finally {
    await disk?.close().catch(() => {});
  }
}
