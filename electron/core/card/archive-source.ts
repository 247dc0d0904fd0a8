/**
 * AstLinux images inside a `.tar.gz`/`.tgz` or `.zip`, with the `.sha1`/`.sha256` that came beside them.
 *
 * Nothing is unpacked to disk: a first pass lists the archive and reads the (tiny) checksum files, and each
 * image's `chunks()` streams it straight out of the archive when the copy asks for it. A tarball has no
 * index, so that second pass decompresses again: cheaper than a temporary copy of a gigabyte image.
 */
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { type DigestAlgorithm, sidecarAlgorithm } from '../../../shared/checksums.js';
import { parseImageName } from '../../../shared/versions.js';
import { CardError } from './card-error.js';
import { expectedFromSidecar, type ImageSource, MAX_SIDECAR_BYTES } from './image-source.js';

export type ArchiveKind = 'tar.gz' | 'zip';

const GUNZIP_CHUNK = 1024 * 1024;

/** One tar entry as tar-stream's iterator yields it: its header and a readable of its bytes. */
type TarStream = NodeJS.ReadableStream & { header: { name: string; size?: number; type?: string | null } };

/** The archive kind a file name says, or null for anything else (a plain image). */
export function archiveKind(path: string): ArchiveKind | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.zip')) return 'zip';
  return null;
}

export interface ArchiveEntry {
  /** The path inside the archive. */
  path: string;
  size: number;
}

/** Every AstLinux image in the archive, each with the checksum file found beside it (if any). */
export async function imagesFromArchive(path: string): Promise<ImageSource[]> {
  const kind = archiveKind(path);
  if (!kind) throw new CardError('bad-archive', `${path} is not a .tar.gz, .tgz or .zip archive.`);
  const reader = kind === 'zip' ? zipReader(path) : tarReader(path);
  const images: ArchiveEntry[] = [];
  const sidecars = new Map<string, { text: string; algo: DigestAlgorithm; name: string }>();
  await damagedArchive(path, async () => {
    for await (const entry of reader.entries()) {
      const base = posix.basename(entry.path);
      const algo = sidecarAlgorithm(base);
      if (algo && entry.size <= MAX_SIDECAR_BYTES) {
        const text = new TextDecoder().decode(await entry.read());
        sidecars.set(entry.path.toLowerCase(), { text, algo, name: base });
      } else if (/\.img$/i.test(base) && parseImageName(base).ok) {
        images.push({ path: entry.path, size: entry.size });
      }
    }
  });
  if (images.length === 0) {
    throw new CardError(
      'bad-archive',
      `${posix.basename(path)} holds no AstLinux image (a file named like AstLinux-1.2.3.img).`,
    );
  }
  return images.map((image) => {
    const name = posix.basename(image.path);
    let expected: ImageSource['expected'] = null;
    for (const algo of ['sha256', 'sha1'] as const) {
      const sidecar = sidecars.get(`${image.path}.${algo}`.toLowerCase());
      if (sidecar) {
        expected = expectedFromSidecar(sidecar.text, name, algo, sidecar.name);
        break;
      }
    }
    const origin = `${path}:${image.path}`;
    return {
      name,
      size: image.size,
      expected,
      origin,
      chunks: () => damagedArchiveChunks(path, reader.contents(image.path)),
    };
  });
}

export interface ListedEntry extends ArchiveEntry {
  /** The whole entry; only ever called for small files. */
  read(): Promise<Uint8Array>;
}

export interface ArchiveReader {
  entries(): AsyncIterable<ListedEntry>;
  contents(entryPath: string): AsyncIterable<Uint8Array>;
}

function tarReader(path: string): ArchiveReader {
  async function* walk(): AsyncGenerator<{ entry: ListedEntry; stream: AsyncIterable<Buffer> }> {
    const file = createReadStream(path, { highWaterMark: GUNZIP_CHUNK });
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
    // The archive readers load only when an archive is read: most runs of the CLI never need them.
    const { extract: tarExtract } = await import('tar-stream');
    const extract = tarExtract();
    // pipe() does not forward errors: a damaged gzip stream must end the walk, not hang it.
    file.on('error', (error) => extract.destroy(error));
    gunzip.on('error', (error) => extract.destroy(error));
    file.pipe(gunzip).pipe(extract);
    try {
      for await (const stream of extract as AsyncIterable<TarStream>) {
        const { header } = stream;
        if (header.type !== 'file' && header.type !== 'contiguous-file') {
          stream.resume();
          continue;
        }
        let consumed = false;
        const entry: ListedEntry = {
          path: posix.normalize(header.name).replace(/^\.?\//, ''),
          size: header.size ?? 0,
          read: async () => {
            consumed = true;
            const parts: Buffer[] = [];
            for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
            return new Uint8Array(Buffer.concat(parts));
          },
        };
        yield { entry, stream: stream as AsyncIterable<Buffer> };
        if (!consumed) for await (const _ of stream) consumed = true;
      }
    } finally {
      file.destroy();
      gunzip.destroy();
      extract.destroy();
    }
  }
  return {
    async *entries() {
      for await (const { entry } of walk()) yield entry;
    },
    async *contents(entryPath) {
      for await (const { entry, stream } of walk()) {
        if (entry.path !== entryPath) continue;
        for await (const chunk of stream) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
        return;
      }
      throw new Error(`${entryPath} vanished from the archive`);
    },
  };
}

function zipReader(path: string): ArchiveReader {
  async function* walk(): AsyncGenerator<{ entry: ListedEntry; open: () => Promise<AsyncIterable<Buffer>> }> {
    const { default: yauzl } = await import('yauzl');
    const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
    try {
      for await (const raw of zip.eachEntry()) {
        if (raw.fileName.endsWith('/')) continue;
        const open = () => zip.openReadStreamPromise(raw) as Promise<AsyncIterable<Buffer>>;
        const entry: ListedEntry = {
          path: posix.normalize(raw.fileName).replace(/^\.?\//, ''),
          size: raw.uncompressedSize,
          read: async () => {
            const parts: Buffer[] = [];
            for await (const part of await open()) parts.push(part);
            return new Uint8Array(Buffer.concat(parts));
          },
        };
        yield { entry, open };
      }
    } finally {
      zip.close();
    }
  }
  return {
    async *entries() {
      for await (const { entry } of walk()) yield entry;
    },
    async *contents(entryPath) {
      for await (const { entry, open } of walk()) {
        if (entry.path !== entryPath) continue;
        for await (const chunk of await open())
          yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
        return;
      }
      throw new Error(`${entryPath} vanished from the archive`);
    },
  };
}

/** The archive's reader, by its kind (the file name says which). */
export function openArchive(path: string): ArchiveReader {
  const kind = archiveKind(path);
  if (!kind) throw new CardError('bad-archive', `${path} is not a .tar.gz, .tgz or .zip archive.`);
  return kind === 'zip' ? zipReader(path) : tarReader(path);
}

function damagedError(path: string, error: unknown): CardError {
  return new CardError(
    'bad-archive',
    `${posix.basename(path)} is damaged or incomplete and cannot be unpacked. Download it again.`,
    { cause: error, detail: error instanceof Error ? error.message : String(error) },
  );
}

export async function damagedArchive(path: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof CardError) throw error;
    throw damagedError(path, error);
  }
}

export async function* damagedArchiveChunks(path: string, chunks: AsyncIterable<Uint8Array>) {
  try {
    yield* chunks;
  } catch (error) {
    if (error instanceof CardError) throw error;
    throw damagedError(path, error);
  }
}
