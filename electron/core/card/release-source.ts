/**
 * Real AstLinux releases as astcard takes them: `astlinux-1.5.10.tar.gz` (checked against the
 * `.tar.gz.sha1` published beside it, then unpacked) or the release's own files in a folder
 * (`astlinux-1.5.10.run`, `.run.sha1`, `.run.conf`, `.initrd.img`). On a card they go into `os/`, where
 * AstLinux's own initrd looks for them (see docs/card-format.md, "Real AstLinux releases").
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseReleaseFileName, releaseFiles } from '../../../shared/release-names.js';
import type { Version } from '../../../shared/versions.js';
import { IO_CHUNK } from '../block/io-chunk.js';
import { damagedArchive, damagedArchiveChunks, openArchive } from './archive-source.js';
import { CardError } from './card-error.js';
import { reusedFileChunks } from './file-chunks.js';
import { expectedFromSidecar, type ImageSource, MAX_SIDECAR_BYTES } from './image-source.js';

/** A release ready to go onto a card: its .run as an image source, and the files that travel with it. */
export interface ReleaseSource {
  /** `astlinux-1.5.10`. */
  release: string;
  version: Version;
  /** The `.run`, with the digest its `.run.sha1` promises. */
  run: ImageSource;
  /** The `.run.conf` text (RUNNIX's settings for it: KCMD, FSTYPE, KERN, INITRD). */
  conf: string;
  /** The release's own initrd. */
  initrd: { path: string; size: number };
  origin: string;
}

/** A `.run.conf` or a checksum file is a few lines; anything far larger is not one. */
const MAX_SMALL_FILE = 64 * 1024;

export function isReleaseRun(path: string): boolean {
  const parsed = parseReleaseFileName(basename(path));
  return parsed.ok && parsed.kind === 'run';
}

export function isReleaseArchive(pathOrUrl: string): boolean {
  const parsed = parseReleaseFileName(posix.basename(pathOrUrl));
  return parsed.ok && parsed.kind === 'archive';
}

/** The release whose `.run` is at `path`, with its other files beside it; each one is required. */
export async function releaseFromRunFile(path: string): Promise<ReleaseSource> {
  const parsed = parseReleaseFileName(basename(path));
  if (!parsed.ok || parsed.kind !== 'run') {
    throw new CardError(
      'bad-image-name',
      `${basename(path)} is not an AstLinux release (astlinux-1.5.10.run).`,
    );
  }
  const names = releaseFiles(parsed.release);
  const folder = dirname(path);
  const missing: string[] = [];
  const sizeOf = async (name: string) => {
    try {
      const info = await stat(join(folder, name));
      return info.isFile() ? info.size : null;
    } catch {
      return null;
    }
  };
  const runSize = await sizeOf(names.run);
  const initrdSize = await sizeOf(names.initrd);
  const sha1Size = await sizeOf(names.runSha1);
  const confSize = await sizeOf(names.runConf);
  if (runSize === null) missing.push(names.run);
  if (sha1Size === null) missing.push(names.runSha1);
  if (confSize === null) missing.push(names.runConf);
  if (initrdSize === null) missing.push(names.initrd);
  if (missing.length > 0) {
    throw new CardError(
      'incomplete-release',
      `The release ${parsed.release} is incomplete: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing from ${folder}. Use the release archive (${names.archive}) as AstLinux publishes it.`,
    );
  }
  if ((sha1Size ?? 0) > MAX_SMALL_FILE || (confSize ?? 0) > MAX_SMALL_FILE) {
    throw new CardError(
      'incomplete-release',
      `The release ${parsed.release} has a damaged checksum or settings file.`,
    );
  }
  const sha1Text = await readFile(join(folder, names.runSha1), 'utf8');
  const runPath = join(folder, names.run);
  return {
    release: parsed.release,
    version: parsed.version,
    run: {
      name: names.run,
      size: runSize as number,
      expected: expectedFromSidecar(sha1Text, names.run, 'sha1', names.runSha1),
      origin: runPath,
      chunks: () => createReadStream(runPath, { highWaterMark: IO_CHUNK }) as AsyncIterable<Uint8Array>,
      reusedChunks: () => reusedFileChunks(runPath, runSize as number),
    },
    conf: await readFile(join(folder, names.runConf), 'utf8'),
    initrd: { path: join(folder, names.initrd), size: initrdSize as number },
    origin: runPath,
  };
}

/**
 * Unpacks a release archive into `into`, after checking the whole archive against its published
 * checksum (when one came with it). Only the release's own files are taken out of its `<release>/`
 * folder. Returns the path of the unpacked `.run`.
 */
export async function unpackReleaseArchive(
  archive: string,
  expectedSha1: string | null,
  into: string,
  signal?: AbortSignal,
): Promise<string> {
  const parsed = parseReleaseFileName(basename(archive));
  if (!parsed.ok || parsed.kind !== 'archive') {
    throw new CardError('bad-archive', `${basename(archive)} is not an AstLinux release archive.`);
  }
  if (expectedSha1) {
    const hash = createHash('sha1');
    for await (const chunk of createReadStream(archive, { highWaterMark: IO_CHUNK })) {
      if (signal?.aborted)
        throw new CardError('cancelled', `Checking ${basename(archive)} was cancelled; nothing was written.`);
      hash.update(chunk as Buffer);
    }
    const actual = hash.digest('hex');
    if (actual !== expectedSha1) {
      throw new CardError(
        'source-checksum-mismatch',
        `${basename(archive)} does not match its checksum file: it is damaged or incomplete. Nothing was written; download it again.`,
        { detail: `expected ${expectedSha1}, got ${actual}` },
      );
    }
  }
  const names = releaseFiles(parsed.release);
  const wanted = new Set(
    [names.run, names.runSha1, names.runConf, names.initrd].map((name) => name.toLowerCase()),
  );
  const reader = openArchive(archive);
  const found = new Map<string, string>();
  await damagedArchive(archive, async () => {
    for await (const entry of reader.entries()) {
      const base = posix.basename(entry.path);
      if (wanted.has(base.toLowerCase()) && !found.has(base.toLowerCase()))
        found.set(base.toLowerCase(), entry.path);
    }
  });
  const missing = [...wanted].filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new CardError(
      'incomplete-release',
      `${basename(archive)} does not hold the whole release (${missing.join(', ')} missing). Download it again from AstLinux.`,
    );
  }
  for (const [name, entryPath] of found) {
    const target = join(
      into,
      [names.run, names.runSha1, names.runConf, names.initrd].find((n) => n.toLowerCase() === name) as string,
    );
    await pipeline(
      damagedArchiveChunks(archive, reader.contents(entryPath)),
      createWriteStream(target, { mode: 0o600 }),
      signal ? { signal } : {},
    );
  }
  return join(into, names.run);
}

/** The `.tar.gz.sha1` beside a local release archive, read and parsed; null when there is none. */
export async function archiveChecksumBeside(archive: string): Promise<string | null> {
  const path = `${archive}.sha1`;
  let text: string;
  try {
    if ((await stat(path)).size > MAX_SIDECAR_BYTES) {
      throw new CardError('source-checksum-malformed', `${path} is far too large to be a checksum file.`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return expectedFromSidecar(text, basename(archive), 'sha1', basename(path)).digest;
}
