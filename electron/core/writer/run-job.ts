/**
 * `runJob`: one job on one card, the way the app, the CLI and the batch all change a card — in this
 * process for an image file, through the privileged helper for a drive (see session.ts), with the same
 * checks either way. A new card image is created here first when asked, never over a file the user did not
 * say may go, and never over one of the job's own sources.
 */
import { lstat, realpath, rm, stat } from 'node:fs/promises';
import { FileBlockDevice } from '../block/file-block-device.js';
import type { Progress } from '../card/progress.js';
import { DriveError } from '../drives/drive-error.js';
import { type DriveIdentity, readIdentity } from '../drives/identity.js';
import type { Executed } from './execute.js';
import { type JobResult, jobSourcePaths } from './jobs.js';
import type { SingleJob } from './prepare-job.js';
import type { WriterStep } from './protocol.js';
import { type CardTarget, openWriterSession, type SessionOptions } from './session.js';

export interface RunJobOptions extends Omit<SessionOptions, 'station'> {
  onProgress?: (progress: Progress) => void;
  onStep?: (step: WriterStep) => void;
  signal?: AbortSignal;
  /**
   * Make the target a new card image of `size` bytes first (sparse). An existing file is only replaced
   * when `replace` says so; a file that is one of the job's sources never is.
   */
  create?: { size: number; replace?: boolean };
}

/** The card: its identity may be left out, and is then read now — the moment the user named it. */
export type JobTarget = Omit<CardTarget, 'identity'> & { identity?: DriveIdentity };

export async function runJob<J extends SingleJob>(
  target: JobTarget,
  job: J,
  options: RunJobOptions = {},
): Promise<Executed<JobResult<J>>> {
  // A card image this run brings into being goes again if the job fails: a refused or broken new image
  // is nothing the user had, and left behind it would only block the retry ("already exists").
  const madeNew = options.create !== undefined && !(await exists(target.device));
  if (options.create) await createCardImage(target.device, options.create, jobSourcePaths(job));
  try {
    const identity = target.identity ?? (await readIdentity(target.device));
    const session = await openWriterSession([{ ...target, identity }], options);
    try {
      return await session.run(0, job, {
        ...(options.onStep ? { onStep: (_card, step) => options.onStep?.(step) } : {}),
        ...(options.onProgress ? { onProgress: (_card, progress) => options.onProgress?.(progress) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } finally {
      await session.close();
    }
  } catch (error) {
    if (madeNew) await rm(target.device, { force: true });
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

export async function createCardImage(
  path: string,
  create: NonNullable<RunJobOptions['create']>,
  sources: string[],
): Promise<void> {
  await checkNewCardImage(path, create, sources);
  const disk = await FileBlockDevice.create(path, create.size);
  await disk.close();
}

/**
 * Every reason not to make a new card image at `path`, checked before anything is read or written: a
 * file that is one of the sources under any name (a symlink, a hard link: the same inode), something
 * other than a file, or a file with contents the user did not say may go. An empty file has nothing to
 * lose, so it is taken as it is.
 */
export async function checkNewCardImage(
  path: string,
  create: NonNullable<RunJobOptions['create']>,
  sources: string[],
): Promise<void> {
  const existing = await stat(path).catch(() => null);
  if (!existing) return;
  const target = await realpath(path);
  for (const source of sources) {
    const same =
      (await realpath(source).catch(() => source)) === target ||
      (await stat(source).then(
        (found) => found.dev === existing.dev && found.ino === existing.ino,
        () => false,
      ));
    if (same) {
      throw new DriveError(
        'drive-refused',
        `${path} is also one of the sources (${source}); making a new card image there would destroy it. Nothing was written. Choose another file name.`,
      );
    }
  }
  if (!existing.isFile()) {
    throw new DriveError('drive-refused', `${path} is not a file; a new card image can only be a file.`);
  }
  if (existing.size > 0 && !create.replace) {
    throw new DriveError(
      'target-exists',
      `${path} already exists and is not empty; a new card image there would replace everything in it. Nothing was written. Give another file name, or add --yes to replace it (its contents are lost).`,
    );
  }
}
