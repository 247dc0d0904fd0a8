/**
 * `runJob`: one job on one card, the way the app, the CLI and the batch all change a card — in this
 * process for an image file, through the privileged helper for a drive (see session.ts), with the same
 * checks either way. A new card image is created here first when asked, never over a file the user did not
 * say may go, never over one of the job's own sources, and over a file that may go only once the job has
 * succeeded.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, readdir, realpath, rename, rm, stat, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileBlockDevice } from '../block/file-block-device.js';
import { lockCard } from '../card/card-lock.js';
import type { Progress } from '../card/progress.js';
import { DriveError } from '../drives/drive-error.js';
import { assertSameIdentity, type DriveIdentity, readIdentity } from '../drives/identity.js';
import type { Executed } from './execute.js';
import { type JobResult, jobSourcePaths } from './jobs.js';
import type { SingleJob } from './prepare-job.js';
import type { WriterStep } from './protocol.js';
import { type CardTarget, openWriterSession, type SessionOptions } from './session.js';

/** The name a replacing card image is made under, beside the file it replaces: hidden, its tag never guessed. */
function newImageName(file: string, tag: string): string {
  return join(dirname(file), `.${basename(file)}.${tag}.astcard-new`);
}
const NEW_IMAGE_TAG = /^[0-9a-f]{8}$/;

export interface RunJobOptions extends Omit<SessionOptions, 'station'> {
  onProgress?: (progress: Progress) => void;
  onStep?: (step: WriterStep) => void;
  signal?: AbortSignal;
  /**
   * Make the target a new card image of `size` bytes first (sparse). An existing file is only replaced
   * when `replace` says so, and only when the job succeeds; a file that is one of the job's sources never is.
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
  if (!options.create) return runOnTarget(target, job, options);
  if (target.identity) await assertSameIdentity(target.identity);
  const image = await newCardImage(target.device, options.create, jobSourcePaths(job));
  try {
    const { identity: _chosen, ...rest } = target;
    const executed = await runOnTarget({ ...rest, device: image.device }, job, options);
    await image.keep();
    return executed;
  } catch (error) {
    // The job's own failure is the news; a new image that could not be removed as well is only logged.
    await image.discard().catch((cleanup: unknown) => console.error(cleanup));
    throw asUserNamed(error, image.device, target.device);
  }
}

/** A new card image being made for a job; `keep` or `discard` it when the job has ended. */
export interface NewCardImage {
  /** Where the job writes: the path itself, or a new file beside the file it is to replace. */
  readonly device: string;
  /** The job succeeded: the new image takes the path (renamed over a file it replaces). */
  keep(): Promise<void>;
  /** The job failed: the new image goes, and a file it was to replace stays as it was. */
  discard(): Promise<void>;
}

/**
 * Makes a new card image of `create.size` for `path`, after `checkNewCardImage`. A path with nothing there
 * (or an empty file: nothing to lose) gets it directly, and loses it again when the job fails: a refused or
 * broken new image is nothing the user had, and left behind it would only block the retry ("already
 * exists"). A file with contents the user said may go is replaced only once the job has succeeded: the
 * image is made beside it and renamed over it, so a refused source, a failed write or an interruption leaves
 * the old file as it was. The old file is locked meanwhile, so no other astcard starts on what is about to go.
 */
export async function newCardImage(
  path: string,
  create: NonNullable<RunJobOptions['create']>,
  sources: string[],
): Promise<NewCardImage> {
  await checkNewCardImage(path, create, sources);
  const existing = await realpath(path).catch(() => null);
  const contents = existing === null ? null : await stat(existing);
  if (existing === null || contents?.size === 0) {
    await createFileImage(path, create.size);
    // Through a link, what was made is the file at its end: that is what goes again, never the link.
    const made = await realpath(path);
    return {
      device: path,
      keep: async () => {},
      discard: () => (existing === null ? rm(made, { force: true }) : truncate(made, 0)),
    };
  }
  const lock = await lockCard(existing, 'replacing it with a new card image');
  await removeLeftoverNewImages(existing);
  const device = newImageName(existing, randomBytes(4).toString('hex'));
  try {
    await createFileImage(device, create.size, { exclusive: true });
  } catch (error) {
    await lock.release();
    throw asUserNamed(error, device, path);
  }
  const settle = async (work: () => Promise<void>) => {
    try {
      await work();
    } finally {
      await rm(device, { force: true });
      await lock.release();
    }
  };
  return {
    device,
    keep: () =>
      settle(async () => {
        // The file locked is the one to replace: one moved there meanwhile is not the user's to lose.
        await lock.checkStillSame('before-writing');
        await chmod(device, (contents as { mode: number }).mode & 0o7777);
        await rename(device, existing);
      }),
    discard: () => settle(async () => {}),
  };
}

/**
 * A run killed before it could clean up (SIGKILL, a power cut) leaves its new image beside the file, hidden
 * and as large as the card. With the file's lock held no other astcard is making one for it, so any found
 * now are leftovers: removed. Only regular files named exactly as `newCardImage` names them.
 */
async function removeLeftoverNewImages(existing: string): Promise<void> {
  const folder = dirname(existing);
  for (const name of await readdir(folder).catch(() => [])) {
    const leftover = join(folder, name);
    const tag = name.split('.').at(-2) ?? '';
    if (!NEW_IMAGE_TAG.test(tag) || leftover !== newImageName(existing, tag)) continue;
    // One that cannot be removed stays; it is in no one's way but the disk's.
    if ((await lstat(leftover).catch(() => null))?.isFile())
      await rm(leftover, { force: true }).catch(() => {});
  }
}

/** Text naming a new card image's temporary name names the user's file instead: that is what they gave. */
export function namingUserFile(text: string, temporary: string | undefined, path: string): string {
  return temporary && temporary !== path ? text.split(temporary).join(path) : text;
}

function asUserNamed(error: unknown, device: string, path: string): unknown {
  if (error instanceof Error) error.message = namingUserFile(error.message, device, path);
  return error;
}

async function runOnTarget<J extends SingleJob>(
  target: JobTarget,
  job: J,
  options: RunJobOptions,
): Promise<Executed<JobResult<J>>> {
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
}

async function createFileImage(path: string, size: number, options: { exclusive?: boolean } = {}) {
  const disk = await FileBlockDevice.create(path, size, options);
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
