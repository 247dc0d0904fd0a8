/**
 * Publishing: a folder ready to be served over HTTP, FTP, TFTP or NFS for network boot — images, their
 * `.sha1` files and the `astlinux.index` the loader reads (see docs/card-format.md).
 *
 * Order matters as on a card: an image lands under a `.part` name and is renamed only once its digest is
 * known (and matches its own checksum file when it came with one); its `.sha1` follows; the index is
 * rewritten last, atomically, from every image in the folder that has a good `.sha1`. A server reading the
 * folder mid-publish therefore never sees an index line for an image that is not complete.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { formatSidecar, parseSidecar, sidecarFileName } from '../../../shared/checksums.js';
import { formatIndex, INDEX_FILE_NAME, type IndexEntry } from '../../../shared/remote-source.js';
import { compareVersions, parseImageName } from '../../../shared/versions.js';
import { CardError } from './card-error.js';
import type { ImageSource } from './image-source.js';
import { MAX_SIDECAR_BYTES } from './image-source.js';

export interface PublishResult {
  /** Images written by this call. */
  published: string[];
  /** Everything the index now lists, newest first. */
  index: IndexEntry[];
}

export async function publishImages(folder: string, sources: readonly ImageSource[]): Promise<PublishResult> {
  const names = new Set<string>();
  for (const source of sources) {
    const key = source.name.toLowerCase();
    if (names.has(key)) throw new CardError('duplicate-image', `${source.name} was given twice.`);
    names.add(key);
  }
  await mkdir(folder, { recursive: true });
  const published: string[] = [];
  for (const source of sources) {
    await publishOne(folder, source);
    published.push(source.name);
  }
  const index = await writeIndex(folder);
  return { published, index };
}

async function publishOne(folder: string, source: ImageSource): Promise<void> {
  const partPath = join(folder, `${source.name}.part`);
  const sha1 = createHash('sha1');
  const own = source.expected && source.expected.algo !== 'sha1' ? createHash(source.expected.algo) : null;
  const out = createWriteStream(partPath);
  let bytes = 0;
  try {
    for await (const chunk of source.chunks()) {
      sha1.update(chunk);
      own?.update(chunk);
      bytes += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.end();
    await finished(out);
  } catch (error) {
    out.destroy();
    await unlink(partPath).catch(() => undefined);
    throw new CardError('source-unreadable', `Could not copy ${source.origin} into ${folder}.`, {
      cause: error,
    });
  }
  const digest = sha1.digest('hex');
  const check = own ? own.digest('hex') : digest;
  if ((source.expected && source.expected.digest !== check) || bytes !== source.size) {
    await unlink(partPath).catch(() => undefined);
    throw new CardError(
      'source-checksum-mismatch',
      `${source.origin} does not match its checksum file; it is damaged — get it again.`,
      { detail: `${bytes} bytes, ${source.expected?.algo ?? 'sha1'} ${check}` },
    );
  }
  // The old sidecar goes first so a stale digest never sits beside the new image.
  await unlink(join(folder, sidecarFileName(source.name, 'sha1'))).catch(() => undefined);
  await rename(partPath, join(folder, source.name));
  await writeAtomically(
    join(folder, sidecarFileName(source.name, 'sha1')),
    formatSidecar(digest, source.name),
  );
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.part`, text);
  await rename(`${path}.part`, path);
}

/** Rebuilds the index from the folder: every image with a readable, well-formed `.sha1`, newest first. */
export async function writeIndex(folder: string): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const name of await readdir(folder)) {
    const parsed = parseImageName(name);
    if (!parsed.ok) continue;
    const sidecarPath = join(folder, sidecarFileName(name, 'sha1'));
    let text: string;
    try {
      if ((await stat(sidecarPath)).size > MAX_SIDECAR_BYTES) continue;
      text = await readFile(sidecarPath, 'utf8');
    } catch {
      continue;
    }
    const sidecar = parseSidecar(text, name, 'sha1');
    if (!sidecar.ok) continue;
    entries.push({ name, sha1: sidecar.digest, size: (await stat(join(folder, name))).size });
  }
  entries.sort((a, b) => {
    const va = parseImageName(a.name);
    const vb = parseImageName(b.name);
    return va.ok && vb.ok ? compareVersions(vb.version, va.version) : 0;
  });
  await writeAtomically(join(folder, INDEX_FILE_NAME), formatIndex(entries));
  return entries;
}
