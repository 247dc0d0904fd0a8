/**
 * Every image a job writes is a local file before the job starts: the writer reads only local files (it
 * checks each as a file the user could read), and nothing should touch a card while a download can still
 * stall or fail. Plain files pass as they are; web addresses and archives are copied, with the checksum
 * they came with, into a private temporary folder — checked against that checksum as they arrive, so a
 * damaged download is refused before any card is touched — and removed afterwards.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatSidecar, sidecarFileName } from '../../../shared/checksums.js';
import { archiveKind } from './archive-source.js';
import { CardError } from './card-error.js';
import type { ImageSource } from './image-source.js';
import { byteProgress, type ProgressListener } from './progress.js';
import { archiveChecksumBeside, isReleaseArchive, unpackReleaseArchive } from './release-source.js';
import { resolveImageSource } from './sources.js';
import { fileFromUrl, isUrl } from './url-source.js';

export interface StagedImages {
  /** Local image files the writer can read, in the order they were named. */
  paths: string[];
  cleanup(): Promise<void>;
}

export interface StageOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export async function stageImages(wheres: string[], options: StageOptions = {}): Promise<StagedImages> {
  const { signal } = options;
  let dir: string | undefined;
  const cleanup = async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const paths: string[] = [];
    for (const where of wheres) {
      if (isReleaseArchive(where)) {
        dir ??= await mkdtemp(join(tmpdir(), 'astcard-images-'));
        paths.push(await stageReleaseArchive(where, dir, options));
        continue;
      }
      if (!isUrl(where) && !archiveKind(where)) {
        paths.push(resolve(where));
        continue;
      }
      dir ??= await mkdtemp(join(tmpdir(), 'astcard-images-'));
      for (const source of await resolveImageSource(where, signal ? { signal } : {})) {
        const path = join(dir, source.name);
        await stageOne(source, path, isUrl(where) ? 'download' : 'unpack', options);
        if (source.expected) {
          await writeFile(
            join(dir, sidecarFileName(source.name, source.expected.algo)),
            formatSidecar(source.expected.digest, source.name),
          );
        }
        if (source.signedList)
          await writeFile(join(dir, `${source.name}.sha256.sig`), source.signedList.text);
        paths.push(path);
      }
    }
    return { paths, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * A release archive, local or downloaded, checked whole against its published checksum and unpacked into
 * a folder of its own in `dir`; returns the unpacked `.run` (its files beside it).
 */
async function stageReleaseArchive(where: string, dir: string, options: StageOptions): Promise<string> {
  const into = await mkdtemp(join(dir, 'release-'));
  if (!isUrl(where)) {
    const archive = resolve(where);
    return unpackReleaseArchive(archive, await archiveChecksumBeside(archive), into, options.signal);
  }
  const name = decodeURIComponent(posix.basename(new URL(where).pathname));
  const source = await fileFromUrl(where, name, options.signal ? { signal: options.signal } : {});
  const archive = join(into, name);
  // Checked against <url>.sha1 as it arrives, so the unpacking needs no second pass.
  await stageOne(source, archive, 'download', options);
  return unpackReleaseArchive(archive, null, into, options.signal);
}

async function stageOne(
  source: ImageSource,
  path: string,
  phase: 'download' | 'unpack',
  options: StageOptions,
): Promise<void> {
  const report = byteProgress(options.onProgress, phase, source.size, source.name);
  const hash = source.expected ? createHash(source.expected.algo) : null;
  let done = 0;
  async function* counted() {
    report(0);
    for await (const chunk of source.chunks()) {
      hash?.update(chunk);
      done += chunk.length;
      report(done);
      yield chunk;
    }
  }
  try {
    await pipeline(
      counted(),
      createWriteStream(path, { mode: 0o600 }),
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    if (options.signal?.aborted) {
      throw new CardError(
        'cancelled',
        `Getting ${source.name} was cancelled; nothing was written to the card.`,
        { cause: error },
      );
    }
    throw error;
  }
  if (source.expected && hash) {
    const actual = hash.digest('hex');
    if (actual !== source.expected.digest) {
      throw new CardError(
        'source-checksum-mismatch',
        `${source.name} from ${source.origin} does not match its checksum file ${source.expected.sidecar}: the copy is damaged. Nothing was written to the card; get the image again.`,
        { detail: `expected ${source.expected.digest}, got ${actual}` },
      );
    }
  }
}

/** A keydisk for a job: a file the user has, the bytes of a new one, or none. */
export type KeydiskSource = { path: string } | { data: Uint8Array } | null;

export interface StagedSources extends StagedImages {
  /** The keydisk as a file the writer can read, or null. */
  keydisk: string | null;
}

/** The images staged as above, and a new keydisk written to a private temporary file. */
export async function stageSources(
  images: string[],
  keydisk: KeydiskSource,
  options: StageOptions = {},
): Promise<StagedSources> {
  const staged = await stageImages(images, options);
  let dir: string | null = null;
  const cleanup = async () => {
    await staged.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    let keydiskPath: string | null = null;
    if (keydisk && 'path' in keydisk) keydiskPath = resolve(keydisk.path);
    else if (keydisk) {
      dir = await mkdtemp(join(tmpdir(), 'astcard-keydisk-'));
      keydiskPath = join(dir, 'kd.img');
      await writeFile(keydiskPath, keydisk.data, { mode: 0o600 });
    }
    return { paths: staged.paths, keydisk: keydiskPath, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
