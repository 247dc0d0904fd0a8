/**
 * Squashfs compressors: which ones the loader's kernel reads (Debian's 6.1 has zlib, lzo, xz, lz4 and zstd;
 * no kernel reads squashfs's old lzma), and which ones astcard can decode to look inside.
 *
 * gzip is zlib from node:zlib, which every AstLinux release uses (their build passes `-comp gzip`). xz is
 * `xz-decompress`, xz-embedded in WebAssembly — the decoder Linux itself uses. zstd is `fzstd`, pure
 * JavaScript. lz4 and lzo have no maintained pure-JS/wasm decoder on npm: their images are "cannot check".
 */

import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { CannotCheck, DamagedStructure, MountRefused } from '../content-outcomes.js';
import { u16, u32 } from '../fields.js';

export type Decompress = (data: Uint8Array, maxLength: number) => Promise<Uint8Array>;

export interface SquashfsCompression {
  id: number;
  name: string;
  /** null when astcard cannot decode it (the kernel can). */
  decompress: Decompress | null;
}

async function zlib(data: Uint8Array, maxLength: number): Promise<Uint8Array> {
  try {
    return inflateSync(data, { maxOutputLength: maxLength });
  } catch (error) {
    throw new DamagedStructure(`zlib: ${(error as Error).message}`);
  }
}

let xzModule: typeof import('xz-decompress') | undefined;

/**
 * Loaded on first use, so gzip images (the common case) never load the WebAssembly module. A CommonJS
 * package whose named export Node's ESM loader cannot see, hence require.
 */
function xzDecoder(): typeof import('xz-decompress') {
  xzModule ??= createRequire(import.meta.url)('xz-decompress') as typeof import('xz-decompress');
  return xzModule;
}

/** xz-embedded's status codes (xz.h) that mean "valid xz, but options this build cannot decode". */
const XZ_OPTIONS_ERROR = 6;

async function xz(data: Uint8Array, maxLength: number): Promise<Uint8Array> {
  const reader = new (xzDecoder().XzReadableStream)(new Blob([data]).stream()).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (total > maxLength) throw new DamagedStructure(`xz: more than ${maxLength} bytes`);
    }
    finished = true;
  } catch (error) {
    if (error instanceof DamagedStructure) throw error;
    const code = Number(/error code (\d+)/.exec(String((error as Error)?.message))?.[1]);
    if (code === XZ_OPTIONS_ERROR) {
      throw new CannotCheck(
        'is a squashfs compressed with xz filters astcard cannot decode',
        'xz: unsupported filter or check (XZ_OPTIONS_ERROR)',
      );
    }
    throw new DamagedStructure(`xz: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    // The package decodes one stream at a time; a stream left half-read would block every later one.
    if (!finished) await reader.cancel().catch(() => undefined);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The content size a zstd frame header declares (RFC 8878 §3.1.1.1), or null when it declares none.
 * fzstd allocates whatever a header claims (up to 2 GiB) unless handed a buffer, so the size is read first.
 */
function zstdContentSize(data: Uint8Array): number | null {
  if (u32(data, 0) !== 0xfd2fb528 || data.length < 6) return null;
  const descriptor = data[4] as number;
  const sizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const sizeBytes = [singleSegment, 2, 4, 8][sizeFlag] as number;
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes;
  if (data.length < at + sizeBytes) return null;
  if (sizeBytes === 0) return null;
  if (sizeBytes === 1) return data[at] as number;
  if (sizeBytes === 2) return u16(data, at) + 256;
  if (sizeBytes === 4) return u32(data, at);
  return u32(data, at) + u32(data, at + 4) * 0x1_0000_0000;
}

async function zstd(data: Uint8Array, maxLength: number): Promise<Uint8Array> {
  const size = zstdContentSize(data);
  if (size === null || size === 0 || size > maxLength) {
    throw new DamagedStructure(
      `zstd: frame declares ${size ?? 'no'} content size (at most ${maxLength} expected)`,
    );
  }
  const { decompress } = await import('fzstd');
  const out = new Uint8Array(size);
  try {
    decompress(data, out);
  } catch (error) {
    throw new DamagedStructure(`zstd: ${(error as Error)?.message ?? String(error)}`);
  }
  return out;
}

const COMPRESSIONS: Record<number, SquashfsCompression> = {
  1: { id: 1, name: 'gzip', decompress: zlib },
  3: { id: 3, name: 'lzo', decompress: null },
  4: { id: 4, name: 'xz', decompress: xz },
  5: { id: 5, name: 'lz4', decompress: null },
  6: { id: 6, name: 'zstd', decompress: zstd },
};

export function compressionOf(id: number): SquashfsCompression {
  const known = COMPRESSIONS[id];
  if (known) return known;
  if (id === 2) {
    throw new MountRefused(
      'is a squashfs compressed with lzma, which Linux cannot read (rebuild it with -comp xz or gzip)',
      'squashfs compression 2 (lzma) is not in the kernel',
    );
  }
  throw new MountRefused('is a damaged squashfs', `unknown squashfs compression ${id}`);
}

/**
 * The kernel's checks of the compressor options block (decompressor init): xz's dictionary size must be
 * 2^n or 3·2^n, lz4 must carry its options and be the legacy format. The others ignore theirs.
 */
export function checkCompressionOptions(compression: SquashfsCompression, options: Uint8Array | null): void {
  if (compression.name === 'xz' && options !== null) {
    if (options.length < 8)
      throw new MountRefused('is a damaged squashfs', 'xz options shorter than 8 bytes');
    const dictionary = u32(options, 0);
    const low = (dictionary & -dictionary) >>> 0;
    if (dictionary === 0 || (dictionary !== low && dictionary !== low * 3)) {
      throw new MountRefused('is a damaged squashfs', `xz dictionary size ${dictionary}`);
    }
  }
  if (compression.name === 'lz4') {
    if (options === null || options.length < 8) {
      throw new MountRefused('is a damaged squashfs', 'lz4 images must carry compressor options');
    }
    if (u32(options, 0) !== 1) {
      throw new MountRefused(
        'is a squashfs in an lz4 format Linux does not read',
        `lz4 version ${u32(options, 0)}`,
      );
    }
  }
}
