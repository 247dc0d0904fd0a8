import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BlockDevice } from '../block/block-device.js';
import { BlockDeviceError } from '../block/block-device-error.js';
import { FileBlockDevice } from '../block/file-block-device.js';
import { RawBlockDevice } from '../block/raw-block-device.js';
import { AstcardError } from '../errors.js';

/** Where a card lives: an image file, or a whole block device the user named. */
export type TargetKind = 'image-file' | 'block-device';

export class TargetError extends AstcardError {}

export interface OpenTargetOptions {
  readOnly?: boolean;
  /** For a new image file: create it with this many bytes (sparse). */
  createSize?: number;
}

export async function targetKind(path: string): Promise<TargetKind | 'missing'> {
  try {
    const info = await stat(path);
    if (info.isBlockDevice()) return 'block-device';
    if (info.isFile()) return 'image-file';
    throw new TargetError('not-a-target', `${path} is neither an image file nor a drive.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * Until the drive rules arrive, a block device is writable only when the kernel calls it removable:
 * fixed disks (the system disk above all) are refused outright.
 */
export function isRemovableLinuxDevice(path: string): boolean {
  const name = basename(path);
  try {
    return readFileSync(`/sys/class/block/${name}/removable`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

export async function openTarget(path: string, options: OpenTargetOptions = {}): Promise<BlockDevice> {
  const kind = await targetKind(path);
  if (kind === 'missing') {
    if (options.createSize !== undefined) return FileBlockDevice.create(path, options.createSize);
    throw new TargetError(
      'target-missing',
      `${path} does not exist. To make a new card image, give its size with --size.`,
    );
  }
  if (kind === 'image-file') {
    if (options.createSize !== undefined) return FileBlockDevice.create(path, options.createSize);
    return FileBlockDevice.open(path, { readOnly: options.readOnly ?? false });
  }
  if (!options.readOnly && process.platform === 'linux' && !isRemovableLinuxDevice(path)) {
    throw new TargetError(
      'not-removable',
      `${path} is a fixed disk, not a removable card or USB drive; astcard will not write to it.`,
    );
  }
  try {
    return await RawBlockDevice.open(path, { readOnly: options.readOnly ?? false });
  } catch (error) {
    if (error instanceof BlockDeviceError) throw error;
    throw new TargetError('open-failed', `Could not open ${path}.`, { cause: error });
  }
}
