import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type DigestAlgorithm, parseSidecar, sidecarFileName } from '../../../shared/checksums.js';
import { parseImageName } from '../../../shared/versions.js';
import { IO_CHUNK } from '../block/io-chunk.js';
import { CardError } from './card-error.js';
import { reusedFileChunks } from './file-chunks.js';

/** Sidecars are one line; anything far larger is not one. */
export const MAX_SIDECAR_BYTES = 64 * 1024;

/** An AstLinux image to put on a card, with the checksum that came with it (if any). */
export interface ImageSource {
  /** The name it gets on the card: `AstLinux-X.Y.Z.img`. */
  name: string;
  size: number;
  /** The digest its own sidecar promises, checked before the copy counts as done. */
  expected: { algo: DigestAlgorithm; digest: string; sidecar: string } | null;
  /** The signed checksum list that came with it (`<name>.sha256.sig`), copied onto the card beside it. */
  signedList?: { text: string } | null;
  /** The bytes in pieces the consumer owns: a piece stays as it is after the next is asked for. */
  chunks(): AsyncIterable<Uint8Array>;
  /**
   * The same bytes, read ahead into a few buffers used again and again: each piece is valid only until the
   * next is asked for. Local files have it; a copy that hands each piece on before asking for the next uses it.
   */
  reusedChunks?(): AsyncIterable<Uint8Array>;
  /** Where it came from, for messages. */
  origin: string;
}

/** A local image file, and the `.sha256` or `.sha1` beside it when there is one. */
export async function imageFromFile(path: string): Promise<ImageSource> {
  const name = basename(path);
  // Whether the file is there comes first: "rename it" is no advice for a file that does not exist.
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new CardError('source-unreadable', `${path} is not a file; choose an AstLinux image file.`);
    }
    size = info.size;
  } catch (error) {
    if (error instanceof CardError) throw error;
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CardError(
      'source-unreadable',
      missing ? `There is no file ${path}. Check the name and the folder.` : `Cannot read the image ${path}.`,
      { cause: error },
    );
  }
  checkImageName(name);
  return {
    name,
    size,
    expected: await sidecarBeside(path, name),
    signedList: await signedListBeside(path),
    origin: path,
    chunks: () => createReadStream(path, { highWaterMark: IO_CHUNK }) as AsyncIterable<Uint8Array>,
    reusedChunks: () => reusedFileChunks(path, size),
  };
}

/** The `<image>.sha256.sig` beside an image, when there is one (signed images, see shared/signed-images.ts). */
async function signedListBeside(path: string): Promise<{ text: string } | null> {
  const listPath = `${path}.sha256.sig`;
  try {
    if ((await stat(listPath)).size > MAX_SIDECAR_BYTES) {
      throw new CardError(
        'source-checksum-malformed',
        `${listPath} is far too large to be a signed checksum list.`,
      );
    }
    return { text: await readFile(listPath, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function sidecarBeside(path: string, name: string): Promise<ImageSource['expected']> {
  for (const algo of ['sha256', 'sha1'] as const) {
    const sidecarPath = `${path.slice(0, path.length - name.length)}${sidecarFileName(name, algo)}`;
    let text: string;
    try {
      const info = await stat(sidecarPath);
      if (info.size > MAX_SIDECAR_BYTES) {
        throw new CardError(
          'source-checksum-malformed',
          `${sidecarPath} is far too large to be a checksum file.`,
        );
      }
      text = await readFile(sidecarPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    return expectedFromSidecar(text, name, algo, basename(sidecarPath));
  }
  return null;
}

/** Refuses a name the boot plan could never order: `AstLinux-X.Y.Z.img` or nothing. */
export function checkImageName(name: string): void {
  const parsed = parseImageName(name);
  if (!parsed.ok) {
    throw new CardError(
      'bad-image-name',
      `${name} is not named like an AstLinux image (AstLinux-1.2.3.img); rename it so its version can be read.`,
      { detail: parsed.reason },
    );
  }
}

/** A source's own checksum file, parsed; a damaged one is refused rather than ignored. */
export function expectedFromSidecar(
  text: string,
  name: string,
  algo: DigestAlgorithm,
  sidecar: string,
): NonNullable<ImageSource['expected']> {
  const parsed = parseSidecar(text, name, algo);
  if (!parsed.ok) {
    throw new CardError(
      'source-checksum-malformed',
      `The checksum file ${sidecar} that came with ${name} is damaged (${parsed.reason}); download it again.`,
      { detail: sidecar },
    );
  }
  return { algo, digest: parsed.digest, sidecar };
}
