/**
 * Changes to real drives go through the privileged writer (a helper process, elevated only when needed),
 * never through this process: the helper re-reads the drive, compares it with the identity read when the
 * user chose it, and applies the drive rules itself. Image files keep running in-process.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KeydiskChoice } from '../../shared/api.js';
import { archiveKind } from '../core/card/archive-source.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../core/card/assets.js';
import { imageFromFile } from '../core/card/image-source.js';
import { createKeydiskImage } from '../core/card/keydisk.js';
import { requiredBytes } from '../core/card/prepare.js';
import type { ProgressListener } from '../core/card/progress.js';
import { stageImages } from '../core/card/stage-images.js';
import { isUrl } from '../core/card/url-source.js';
import type { DriveIdentity } from '../core/drives/identity.js';
import type { WriterJob } from '../core/writer/jobs.js';
import { runWriterJob } from '../core/writer/writer-client.js';
import type { DrivePlan } from './card-registry.js';

export interface DriveChoice {
  device: string;
  identity: DriveIdentity;
  /** The name the user typed for a drive that needs it. */
  typedName?: string;
}

export interface DriveWriteOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * Runs one job on the drive. The window asked before anything destructive (a confirmation dialog for
 * every erase, the typed name where the rules want it), so the writer is told the user confirmed.
 */
export async function writeDrive(
  drive: DriveChoice,
  job: WriterJob,
  options: DriveWriteOptions = {},
): Promise<unknown> {
  const { result } = await runWriterJob({
    target: {
      device: drive.device,
      identity: drive.identity,
      typedName: drive.typedName ?? null,
      confirmed: true,
    },
    job,
    // The window has its own Eject button on the result page.
    eject: false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return result;
}

/** Local files the writer can read for a job: downloads and archives staged, a new keydisk written out. */
export interface StagedFiles {
  images: string[];
  keydisk: string | null;
  cleanup(): Promise<void>;
}

export async function stageForDrive(
  images: string[],
  keydisk: KeydiskChoice,
  signal?: AbortSignal,
): Promise<StagedFiles> {
  const staged = await stageImages(images, signal);
  let dir: string | null = null;
  const cleanup = async () => {
    await staged.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    let keydiskPath: string | null = null;
    if (keydisk.mode === 'import') keydiskPath = resolve(keydisk.path);
    if (keydisk.mode === 'new') {
      dir = await mkdtemp(join(tmpdir(), 'astcard-keydisk-'));
      keydiskPath = join(dir, 'kd.img');
      await writeFile(keydiskPath, createKeydiskImage(), { mode: 0o600 });
    }
    return { images: staged.paths, keydisk: keydiskPath, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * What a prepare of these images needs, for the drive rules (too small, holds a source). Cheap: local
 * files are only looked at; web addresses count as sources of unknown size and give no planned size.
 */
export async function prepareDrivePlan(images: string[], keydisk: KeydiskChoice): Promise<DrivePlan> {
  const local = images.filter((image) => !isUrl(image)).map((image) => resolve(image));
  const sourcePaths = [...local, ...(keydisk.mode === 'import' ? [resolve(keydisk.path)] : [])];
  if (local.length !== images.length || local.some((image) => archiveKind(image) !== null)) {
    return { sourcePaths };
  }
  try {
    const [sources, loader, syslinux] = await Promise.all([
      Promise.all(local.map((image) => imageFromFile(image))),
      loadLoaderAssets(),
      loadSyslinuxAssets(),
    ]);
    const keydiskBytes =
      keydisk.mode === 'import'
        ? (await stat(keydisk.path)).size
        : keydisk.mode === 'new'
          ? createKeydiskImage().length
          : 0;
    return { sourcePaths, plannedBytes: requiredBytes({ images: sources, loader, syslinux }, keydiskBytes) };
  } catch {
    // An unreadable image is reported by the prepare itself, in its own words.
    return { sourcePaths };
  }
}
