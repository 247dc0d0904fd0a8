/**
 * Keydisks: the small ext2 volume labelled ASTKD that AstLinux keeps its keys and settings on. On a card it
 * is the file `kd.img` in the root (the loader passes it on as `card:/kd.img`); it can also be a whole
 * drive or image file of its own.
 */
import { createHash } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import type { BlockDevice } from '../block/block-device.js';
import { FatError } from '../fat/fat-error.js';
import { CARD_FILES } from './assets.js';
import { CardError } from './card-error.js';
import { openCardVolume } from './card-volume.js';
import { PARTIAL_SUFFIX, removeIfPresent } from './copy-image.js';
import { EXT2_MAX_BYTES, type Ext2Summary, formatExt2, readExt2Summary } from './ext2-format.js';
import { digestChunks } from './hash.js';
import { byteProgress, checkCancelled, type ProgressListener } from './progress.js';

export const KEYDISK_LABEL = 'ASTKD';
export const DEFAULT_KEYDISK_BYTES = 4 * 1024 * 1024;

/** A keydisk put on a card as kd.img. */
export interface PlacedKeydisk {
  size: number;
  sha1: string;
  label: string;
}

/** A whole image file or drive made a keydisk. */
export interface WholeKeydisk {
  size: number;
  label: string;
}

export interface KeydiskOptions {
  /** Replace a keydisk already on the card (its keys are lost unless exported first). */
  replace?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** A new, empty keydisk image: ext2 labelled ASTKD. */
export function createKeydiskImage(size = DEFAULT_KEYDISK_BYTES): Uint8Array {
  return formatExt2({ size, label: KEYDISK_LABEL });
}

/** Refuses bytes that are not an ext2/3/4 volume; returns its label and size. */
export function checkKeydisk(data: Uint8Array, origin: string): Ext2Summary {
  if (data.length > EXT2_MAX_BYTES * 8) {
    throw new CardError('bad-keydisk', `${origin} is far too large to be a keydisk (${data.length} bytes).`);
  }
  const summary = readExt2Summary(data);
  if (!summary || summary.blocks * summary.blockSize > data.length) {
    throw new CardError(
      'bad-keydisk',
      `${origin} is not a keydisk: it holds no complete ext2 filesystem. Use a kd.img made by AstLinux or astcard.`,
    );
  }
  return summary;
}

/**
 * Puts a keydisk on the card as kd.img: written under a temporary name, read back, then renamed over any
 * kd.img already there, so a cut leaves the old keydisk or the new one, never half of one.
 */
export async function putKeydiskOnCard(
  disk: BlockDevice,
  data: Uint8Array,
  options: KeydiskOptions = {},
): Promise<PlacedKeydisk> {
  const summary = checkKeydisk(data, 'The keydisk');
  const cancelled = () => new CardError('cancelled', 'The keydisk was not changed: cancelled.');
  checkCancelled(options.signal, cancelled);
  const { volume } = await openCardVolume(disk);
  try {
    const partial = `${CARD_FILES.keydisk}${PARTIAL_SUFFIX}`;
    await removeIfPresent(volume, partial);
    const existing = await volume.stat(CARD_FILES.keydisk).catch(() => null);
    if (existing && !options.replace) {
      throw new CardError(
        'keydisk-exists',
        'This card already has a keydisk (kd.img). Export it first if you need its keys, then replace it with --force.',
      );
    }
    const free = (await volume.freeBytes()) + (existing?.size ?? 0);
    if (data.length > free) {
      throw new CardError(
        'no-space',
        `There is no room for a ${mib(data.length)} MiB keydisk on the card. Remove an old image first.`,
      );
    }
    options.onProgress?.({ phase: 'keydisk', done: 0, total: data.length });
    await volume.writeFile(partial, data);
    await volume.flush();
    const sha1 = createHash('sha1').update(data).digest('hex');
    const readBack = await digestChunks(
      volume.chunks(partial),
      'sha1',
      byteProgress(options.onProgress, 'verify', data.length, CARD_FILES.keydisk),
    );
    if (readBack.digest !== sha1) {
      await removeIfPresent(volume, partial);
      throw new CardError(
        'verify-failed',
        'The keydisk reads back differently from what was written: the card may be failing. Try another card.',
        { detail: `wrote ${sha1}, read back ${readBack.digest}` },
      );
    }
    await volume.rename(partial, CARD_FILES.keydisk, { replace: true });
    await volume.flush();
    options.onProgress?.({ phase: 'keydisk', done: data.length, total: data.length });
    return { size: data.length, sha1, label: summary.label };
  } finally {
    await volume.close();
  }
}

/** The card's kd.img, whole (keydisks are a few MiB). */
export async function readKeydiskFromCard(disk: BlockDevice): Promise<Uint8Array> {
  const { volume } = await openCardVolume(disk, { readOnly: true });
  try {
    return await volume.readFile(CARD_FILES.keydisk);
  } catch (error) {
    if (error instanceof FatError && error.code === 'not-found') {
      throw new CardError('bad-keydisk', 'This card has no keydisk (kd.img).');
    }
    throw error;
  } finally {
    await volume.close();
  }
}

/** Writes the keydisk to a file, refusing to overwrite one unless told to. */
export async function saveKeydisk(data: Uint8Array, path: string, overwrite = false): Promise<void> {
  let handle: Awaited<ReturnType<typeof openFile>>;
  try {
    handle = await openFile(path, overwrite ? 'w' : 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CardError(
        'invalid-option',
        `${path} already exists; choose another name or remove it first.`,
      );
    }
    throw new CardError('source-unreadable', `Cannot write ${path}.`, { cause: error });
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes a whole drive or image file the keydisk: the ext2 volume from byte 0, read back afterwards.
 * AstLinux finds such a drive by its ASTKD label.
 */
export async function writeKeydiskToDevice(
  disk: BlockDevice,
  data: Uint8Array,
  options: KeydiskOptions = {},
): Promise<WholeKeydisk> {
  const summary = checkKeydisk(data, 'The keydisk');
  if (data.length > disk.size) {
    throw new CardError(
      'too-small',
      `${disk.name} holds ${mib(disk.size)} MiB; the keydisk needs ${mib(data.length)} MiB.`,
    );
  }
  checkCancelled(options.signal, () => new CardError('cancelled', 'Cancelled before anything was written.'));
  const report = byteProgress(options.onProgress, 'keydisk', data.length);
  const step = 1024 * 1024;
  // Byte 0 last: until the superblock's block is in place, nothing recognises a half-written keydisk.
  for (let at = step; at < data.length; at += step) {
    await disk.write(at, data.subarray(at, Math.min(at + step, data.length)));
    report(at);
  }
  await disk.flush();
  await disk.write(0, data.subarray(0, Math.min(step, data.length)));
  await disk.flush();
  report(data.length);
  const back = await disk.read(0, data.length);
  if (createHash('sha1').update(back).digest('hex') !== createHash('sha1').update(data).digest('hex')) {
    throw new CardError(
      'verify-failed',
      `The keydisk reads back differently from ${disk.name}; the drive may be failing.`,
    );
  }
  return { size: data.length, label: summary.label };
}

function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}
