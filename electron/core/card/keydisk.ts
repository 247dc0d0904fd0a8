/**
 * Keydisks: the small ext2 volume labelled ASTKD that AstLinux keeps its keys and settings on. On a card it
 * is the file `kd.img` in the root (the loader passes it on as `card:/kd.img`) or, on AstLinux's own layout,
 * a partition labelled ASTKD (kd.img wins when a card has both, as inspect reports); it can also be a whole
 * drive or image file of its own.
 */
import { createHash } from 'node:crypto';
import { open as openFile } from 'node:fs/promises';
import type { BlockDevice } from '../block/block-device.js';
import { FatError } from '../fat/fat-error.js';
import { partitionDevice, readMbr } from '../mbr/index.js';
import { keydiskState, readKeydisk } from '../settings/keydisk-fs.js';
import { CARD_FILES } from './assets.js';
import { readAstlinuxPartitions } from './astlinux-partitions.js';
import { CardError } from './card-error.js';
import { openCardVolume } from './card-volume.js';
import { PARTIAL_SUFFIX, removeIfPresent } from './copy-image.js';
import {
  EXT2_MIN_BYTES,
  type Ext2Summary,
  formatExt2,
  formatExt2Device,
  readExt2Summary,
} from './ext2-format.js';
import { digestChunks } from './hash.js';
import { byteProgress, checkCancelled, type ProgressListener } from './progress.js';

export const KEYDISK_LABEL = 'ASTKD';
export const DEFAULT_KEYDISK_BYTES = 4 * 1024 * 1024;
/** A kd.img is made and moved whole in memory; an ASTKD partition can be any size. */
export const KEYDISK_FILE_MAX_BYTES = 128 * 1024 * 1024;
const FAR_TOO_LARGE = 8 * KEYDISK_FILE_MAX_BYTES;

/** A keydisk put on a card. */
export interface PlacedKeydisk {
  size: number;
  /** Of the bytes written; null for an ASTKD partition formatted in place. */
  sha1: string | null;
  label: string;
  /** `card:/kd.img`, or the partition (`partition 3 (ASTKD)`). */
  location: string;
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
  if (!Number.isSafeInteger(size) || size < EXT2_MIN_BYTES || size > KEYDISK_FILE_MAX_BYTES) {
    throw new CardError(
      'invalid-option',
      `A keydisk is between ${EXT2_MIN_BYTES / 1024} KiB and ${KEYDISK_FILE_MAX_BYTES / 1024 ** 2} MiB; ${size} bytes was asked.`,
    );
  }
  return formatExt2({ size, label: KEYDISK_LABEL });
}

/** Refuses bytes that are not an ext2/3/4 volume; returns its label and size. */
export function checkKeydisk(data: Uint8Array, origin: string): Ext2Summary {
  if (data.length > FAR_TOO_LARGE) {
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
  const partition = await keydiskPartition(disk);
  if (partition) return putKeydiskOnPartition(partition, data, options);
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
    return { size: data.length, sha1, label: summary.label, location: `card:/${CARD_FILES.keydisk}` };
  } finally {
    await volume.close();
  }
}

/** An ASTKD partition: where the keydisk is on a card without kd.img that has one. */
export interface KeydiskPartition {
  number: number;
  device: BlockDevice;
}

/**
 * The ASTKD partition that holds (or is to hold) the card's keydisk, or null when the keydisk is kd.img:
 * a card with kd.img keeps using it, as inspect reports it.
 */
export async function keydiskPartition(disk: BlockDevice): Promise<KeydiskPartition | null> {
  const found = (await readAstlinuxPartitions(disk, null)).find((partition) => partition.role === 'keydisk');
  if (!found) return null;
  const { volume } = await openCardVolume(disk, { readOnly: true });
  try {
    if (await volume.stat(CARD_FILES.keydisk).catch(() => null)) return null;
  } finally {
    await volume.close();
  }
  const entry = (await readMbr(disk)).partitions.find((partition) => partition.index === found.number - 1);
  if (!entry) return null;
  return { number: found.number, device: partitionDevice(disk, entry) };
}

function partitionName(partition: KeydiskPartition): string {
  return `partition ${partition.number} (${KEYDISK_LABEL})`;
}

/** Whether the partition holds anything a person could lose: files besides lost+found, or an unreadable volume. */
async function holdsFiles(device: BlockDevice): Promise<boolean> {
  if ((await keydiskState(device)).unsafe === 'it holds no ext2 filesystem') return false;
  try {
    const names = await readKeydisk(device, (fs) => fs.readdir('/'));
    return names.some((name) => name !== 'lost+found' && name !== '.' && name !== '..');
  } catch {
    return true;
  }
}

async function refuseToReplace(partition: KeydiskPartition, replace: boolean | undefined): Promise<void> {
  if (!replace && (await holdsFiles(partition.device))) {
    throw new CardError(
      'keydisk-exists',
      `The keydisk in ${partitionName(partition)} on this card already holds files. Export it first if you need its keys, then replace it with --force.`,
    );
  }
}

/**
 * A keydisk image into the ASTKD partition, from its first byte (a smaller filesystem leaves the rest of the
 * partition unused). There is no room for a second copy beside it, so unlike kd.img a cut part-way loses the
 * old keydisk; the old superblock is cleared first so a half-written one is never taken for a keydisk.
 */
async function putKeydiskOnPartition(
  partition: KeydiskPartition,
  data: Uint8Array,
  options: KeydiskOptions,
): Promise<PlacedKeydisk> {
  if (data.length > partition.device.size) {
    throw new CardError(
      'too-small',
      `The keydisk (${mib(data.length)} MiB) does not fit the card's keydisk partition, ${partitionName(partition)} of ${mib(partition.device.size)} MiB. Nothing was written.`,
    );
  }
  await refuseToReplace(partition, options.replace);
  const written = await writeKeydiskToDevice(partition.device, data, options);
  return {
    size: written.size,
    sha1: createHash('sha1').update(data).digest('hex'),
    label: written.label,
    location: partitionName(partition),
  };
}

/**
 * A new, empty keydisk: formatted in place when the card's keydisk is an ASTKD partition (as large as the
 * partition), otherwise a kd.img of the default size.
 */
export async function createKeydiskOnCard(
  disk: BlockDevice,
  options: KeydiskOptions = {},
): Promise<PlacedKeydisk> {
  const partition = await keydiskPartition(disk);
  if (!partition) return putKeydiskOnCard(disk, createKeydiskImage(), options);
  checkCancelled(options.signal, () => new CardError('cancelled', 'The keydisk was not changed: cancelled.'));
  await refuseToReplace(partition, options.replace);
  options.onProgress?.({ phase: 'keydisk', done: 0, total: 1 });
  const plan = await formatExt2Device(partition.device, { label: KEYDISK_LABEL });
  options.onProgress?.({ phase: 'keydisk', done: 1, total: 1 });
  return { size: plan.bytes, sha1: null, label: KEYDISK_LABEL, location: partitionName(partition) };
}

/**
 * The card's keydisk, whole: kd.img, or the filesystem in the ASTKD partition (as many bytes as it covers).
 * For keydisks read into memory (settings, the app's views); `exportKeydisk` streams a large partition.
 */
export async function readKeydiskFromCard(
  disk: BlockDevice,
  /** What keydiskPartition said, when the caller has asked already: not asked again. */
  found?: KeydiskPartition | null,
): Promise<Uint8Array> {
  const partition = found === undefined ? await keydiskPartition(disk) : found;
  if (partition) return partition.device.read(0, await partitionKeydiskBytes(partition));
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

/** The bytes the partition's filesystem covers; refused when it holds none. */
async function partitionKeydiskBytes(partition: KeydiskPartition): Promise<number> {
  const summary = readExt2Summary(await partition.device.read(0, 2048));
  const bytes = summary ? summary.blocks * summary.blockSize : 0;
  if (!summary || bytes > partition.device.size) {
    throw new CardError(
      'bad-keydisk',
      `The card's keydisk partition, ${partitionName(partition)}, holds no complete ext2 filesystem. Import a keydisk or create a new one.`,
    );
  }
  return bytes;
}

/** Writes the keydisk to a file, refusing to overwrite one unless told to. */
export async function saveKeydisk(data: Uint8Array, path: string, overwrite = false): Promise<void> {
  await writeOut(path, overwrite, (handle) => handle.writeFile(data));
}

/** Copies the card's keydisk (kd.img or its ASTKD partition) to a file; returns the bytes written. */
export async function exportKeydisk(disk: BlockDevice, path: string, overwrite = false): Promise<number> {
  const partition = await keydiskPartition(disk);
  if (!partition) {
    const data = await readKeydiskFromCard(disk, null);
    await saveKeydisk(data, path, overwrite);
    return data.length;
  }
  const bytes = await partitionKeydiskBytes(partition);
  // A partition keydisk can be gigabytes (AstLinux's initial-setup gives it the rest of the card).
  const step = 4 * 1024 * 1024;
  await writeOut(path, overwrite, async (handle) => {
    for (let at = 0; at < bytes; at += step) {
      await handle.write(await partition.device.read(at, Math.min(step, bytes - at)));
    }
  });
  return bytes;
}

async function writeOut(
  path: string,
  overwrite: boolean,
  fill: (handle: Awaited<ReturnType<typeof openFile>>) => Promise<unknown>,
): Promise<void> {
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
    await fill(handle);
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
  // An old filesystem's superblock goes first: over half-new blocks it would describe a damaged keydisk.
  await disk.write(1024, new Uint8Array(1024));
  await disk.flush();
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
