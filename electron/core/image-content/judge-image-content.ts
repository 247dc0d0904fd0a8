/**
 * Predicts what the loader does with an image after its checksum passes (loader/init, load_image): it
 * loop-mounts the image read-only, and boots it only when `[ -f /boot/bzImage ]` holds there, passing
 * /boot/initrd.img along when that is a file. The prediction reads the image's bytes only — a few
 * kilobytes, whatever the image's size — and reproduces the kernel's own mount-time checks.
 */

import type { BlockDevice } from '../block/block-device.js';
import type { ContentJudgement, ImageFilesystem, ReadImageBytes } from './content-judgement.js';
import { CannotCheck, DamagedStructure, MountRefused } from './content-outcomes.js';
import { EXT_MAGIC, EXT_SUPERBLOCK_OFFSET, extFilesystemOf } from './ext/ext-superblock.js';
import { ExtVolume } from './ext/ext-volume.js';
import { u16, u32 } from './fields.js';
import { ImageContentError } from './image-content-error.js';
import { ImageReader } from './image-reader.js';
import { type ImageNode, type ImageTree, resolvePath } from './path-lookup.js';
import { ISO9660_OFFSET, recogniseBytes } from './recognise-bytes.js';
import { SQUASHFS_MAGIC } from './squashfs/squashfs-superblock.js';
import { SquashfsVolume } from './squashfs/squashfs-volume.js';

export const KERNEL_PATH = '/boot/bzImage';
export const INITRD_PATH = '/boot/initrd.img';

const HEAD_SIZE = 4096;

async function judgeTree<N extends ImageNode>(
  tree: ImageTree<N>,
  filesystem: ImageFilesystem,
): Promise<ContentJudgement> {
  const kernel = await resolvePath(tree, KERNEL_PATH);
  const noKernel = (reason: string, detail: string): ContentJudgement => ({
    ok: false,
    verdict: 'no-kernel',
    reason,
    detail,
    filesystem,
  });
  if (!kernel.ok) return noKernel(kernel.reason, kernel.detail);
  if (kernel.found.kind === 'directory')
    return noKernel(`has a folder at ${KERNEL_PATH}, not a kernel`, 'a directory');
  if (kernel.found.kind !== 'file')
    return noKernel(`has ${KERNEL_PATH}, but not as a regular file`, 'not a file');
  if (kernel.found.size === 0) return noKernel(`has an empty kernel (${KERNEL_PATH} is 0 bytes)`, 'size 0');
  // Like the loader, an initrd that is missing or unreadable is simply not passed on.
  const initrd = await resolvePath(tree, INITRD_PATH);
  return {
    ok: true,
    filesystem,
    kernel: { size: kernel.found.size },
    initrd: initrd.ok && initrd.found.kind === 'file' ? { size: initrd.found.size } : null,
  };
}

async function notAFilesystem(reader: ImageReader, head: Uint8Array): Promise<ContentJudgement> {
  const iso = reader.size >= ISO9660_OFFSET + 5 ? await reader.read(ISO9660_OFFSET, 5) : null;
  const looksLike = recogniseBytes(head, iso);
  const start = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return {
    ok: false,
    verdict: 'mount-failed',
    reason: looksLike
      ? `is not a filesystem the loader can mount (it looks like ${looksLike})`
      : `is not a filesystem the loader can mount (it is neither squashfs nor ext2/3/4; it starts with ${start})`,
    detail: `no squashfs or ext magic; first bytes ${start}`,
  };
}

function filesystemOf(head: Uint8Array): ImageFilesystem | undefined {
  if (u32(head, 0) === SQUASHFS_MAGIC) return 'squashfs';
  if (u16(head, EXT_SUPERBLOCK_OFFSET + 56) !== EXT_MAGIC) return undefined;
  return extFilesystemOf(head.subarray(EXT_SUPERBLOCK_OFFSET, EXT_SUPERBLOCK_OFFSET + 1024));
}

/**
 * `read` must return exactly the bytes asked for; the judgement never asks past `size`. A failing `read`
 * surfaces as ImageContentError ('read-failed'); anything about the bytes themselves is a ContentJudgement.
 */
export async function judgeImageContent(read: ReadImageBytes, size: number): Promise<ContentJudgement> {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ImageContentError('bad-size', 'The image size given for checking its content is not valid.', {
      detail: `size ${size}`,
    });
  }
  if (size === 0) return { ok: false, verdict: 'mount-failed', reason: 'is empty', detail: 'size 0' };
  const reader = new ImageReader(read, size);
  let filesystem: ImageFilesystem | undefined;
  try {
    const head = await reader.read(0, Math.min(size, HEAD_SIZE));
    filesystem = filesystemOf(head);
    if (filesystem === 'squashfs')
      return await judgeTree(await SquashfsVolume.open(reader, head), filesystem);
    if (filesystem) {
      if (size < EXT_SUPERBLOCK_OFFSET + 1024)
        throw new MountRefused('is too short to be an ext filesystem', `${size} bytes`);
      const volume = await ExtVolume.open(reader, head);
      return await judgeTree(volume, volume.superblock.filesystem);
    }
    return await notAFilesystem(reader, head);
  } catch (error) {
    const known = filesystem ? { filesystem } : {};
    if (error instanceof MountRefused) {
      return { ok: false, verdict: 'mount-failed', reason: error.reason, detail: error.detail, ...known };
    }
    if (error instanceof DamagedStructure) {
      return {
        ok: false,
        verdict: 'mount-failed',
        reason: `is a damaged ${filesystem ?? 'filesystem'}`,
        detail: error.detail,
        ...known,
      };
    }
    if (error instanceof CannotCheck) {
      return { ok: false, verdict: 'unchecked', reason: error.reason, detail: error.detail, ...known };
    }
    if (error instanceof ImageContentError) throw error;
    // A bug of ours must not stop a prepare or an inspect; the detail keeps it visible in logs.
    return {
      ok: false,
      verdict: 'unchecked',
      reason: 'could not be checked by astcard',
      detail: `internal: ${(error as Error)?.stack ?? String(error)}`,
      ...known,
    };
  }
}

/** The bytes of an image that lies at `start` (`length` bytes) on a block device: a card's file, a partition. */
export function blockDeviceImage(
  device: BlockDevice,
  start = 0,
  length = device.size - start,
): { read: ReadImageBytes; size: number } {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > device.size
  ) {
    throw new ImageContentError('bad-size', 'The image lies outside the device it was to be read from.', {
      detail: `${device.name}: ${start}+${length} of ${device.size}`,
    });
  }
  return { read: (offset, count) => device.read(start + offset, count), size: length };
}
