import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../../../electron/core/card/assets.js';
import { imageFromFile } from '../../../electron/core/card/image-source.js';
import { inspectCard } from '../../../electron/core/card/inspect.js';
import { prepareCard } from '../../../electron/core/card/prepare.js';

const scratchDirs: string[] = [];

/** A scratch folder per test file; `removeScratch()` (in afterAll) takes them all away again. */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `astcard-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

export function removeScratch(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

let imageHead: Buffer | undefined;

/**
 * The start every stand-in image shares: a small squashfs (made once by mksquashfs) holding a
 * /boot/bzImage, so the loader — and astcard judging an image's content as the loader would — takes it for
 * an image it can mount and start.
 */
function bootableHead(): Buffer {
  if (imageHead) return imageHead;
  const tree = mkdtempSync(join(tmpdir(), 'astcard-image-tree-'));
  try {
    mkdirSync(join(tree, 'boot'));
    writeFileSync(join(tree, 'boot', 'bzImage'), 'a stand-in kernel\n');
    const out = join(tree, '..', `${tree.split('/').pop()}.sqsh`);
    execFileSync('mksquashfs', [tree, out, '-noappend', '-all-root', '-nopad', '-quiet', '-no-progress'], {
      stdio: 'pipe',
    });
    imageHead = readFileSync(out);
    rmSync(out, { force: true });
    return imageHead;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/**
 * A stand-in AstLinux image of `bytes` bytes: a bootable squashfs at its start, random bytes after it (each
 * image its own checksum), optionally with a sha1sum-format sidecar beside it.
 */
export function fakeImage(dir: string, version: string, bytes: number, withSidecar = true): string {
  const path = join(dir, `AstLinux-${version}.img`);
  const head = bootableHead();
  if (bytes < head.length) throw new Error(`a stand-in image needs at least ${head.length} bytes`);
  const data = Buffer.concat([head, randomBytes(bytes - head.length)]);
  writeFileSync(path, data);
  if (withSidecar)
    writeFileSync(
      `${path}.sha1`,
      `${createHash('sha1').update(data).digest('hex')}  AstLinux-${version}.img\n`,
    );
  return path;
}

export const PARTITION_OFFSET = 1024 * 1024;

/** mtools' view of a card: `-i img@@offset`. */
export function mtoolsImage(card: string, layout: 'mbr' | 'superfloppy'): string {
  return layout === 'mbr' ? `${card}@@${PARTITION_OFFSET}` : card;
}

/** `fsck.fat -n` over the card's FAT volume (copied out of the partition, as fsck takes no offset). */
export function fsckCard(card: string, layout: 'mbr' | 'superfloppy'): { status: number; output: string } {
  let volume = card;
  if (layout === 'mbr') {
    volume = `${card}.volume`;
    execFileSync('dd', [`if=${card}`, `of=${volume}`, 'bs=1M', 'skip=1', 'status=none']);
  }
  try {
    const output = execFileSync('fsck.fat', ['-n', volume], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  } finally {
    if (volume !== card) rmSync(volume, { force: true });
  }
}

/** A file copied out of the card by mtools. */
export function mtoolsRead(card: string, layout: 'mbr' | 'superfloppy', name: string): Buffer {
  // Its own folder, gone again at once: callers need not remember removeScratch (many did not).
  const dir = mkdtempSync(join(tmpdir(), 'astcard-mcopy-'));
  try {
    const out = join(dir, name);
    execFileSync('mcopy', ['-n', '-i', mtoolsImage(card, layout), `::/${name}`, out]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Long names in the card's root, as mtools lists them. */
export function mtoolsNames(card: string, layout: 'mbr' | 'superfloppy'): string[] {
  const listing = execFileSync('mdir', ['-a', '-b', '-i', mtoolsImage(card, layout), '::/'], {
    encoding: 'utf8',
  });
  return listing
    .split('\n')
    .filter((line) => line.startsWith('::/'))
    .map((line) => line.slice(3));
}

/** A card image made by prepareCard from the built loader and SYSLINUX, holding the given image files. */
export async function preparedCard(
  path: string,
  size: number,
  images: string[],
  layout: 'mbr' | 'superfloppy' = 'mbr',
): Promise<void> {
  const disk = await FileBlockDevice.create(path, size);
  try {
    await prepareCard(disk, {
      layout,
      images: await Promise.all(images.map((image) => imageFromFile(image))),
      loader: await loadLoaderAssets(),
      syslinux: await loadSyslinuxAssets(),
    });
  } finally {
    await disk.close();
  }
}

/** inspectCard over an image file, read-only. */
export async function inspectImageFile(path: string, quick = false) {
  const disk = await FileBlockDevice.open(path, { readOnly: true });
  try {
    return await inspectCard(disk, { quick });
  } finally {
    await disk.close();
  }
}
