/**
 * Images for the content judgement, made by the real tools (mksquashfs, mke2fs, debugfs, e2fsck) from a tree
 * of files described in the test, so every image is one the loader's kernel could be handed.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ContentJudgement } from '../../../electron/core/image-content/content-judgement.js';
import { judgeImageContent } from '../../../electron/core/image-content/judge-image-content.js';
import { makeTempDir, pseudoRandomBytes } from '../fat/fat-tools.js';

export { makeTempDir, pseudoRandomBytes };

/** A file's content, a symlink's target, or an empty directory. */
export type TreeEntry = string | Uint8Array | { link: string } | { dir: true };
export type Tree = Record<string, TreeEntry>;

/** A kernel-sized file: content matters only for its size, so any bytes do. */
export const KERNEL = pseudoRandomBytes(300_000, 1);
export const INITRD = pseudoRandomBytes(70_000, 2);
export const BOOTABLE: Tree = {
  'boot/bzImage': KERNEL,
  'boot/initrd.img': INITRD,
  'sbin/init': '#!/bin/sh\n',
};

export function writeTree(root: string, tree: Tree): void {
  mkdirSync(root, { recursive: true });
  for (const [path, entry] of Object.entries(tree)) {
    const target = join(root, path);
    if (typeof entry === 'object' && 'dir' in entry) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    if (typeof entry === 'object' && 'link' in entry) symlinkSync(entry.link, target);
    else writeFileSync(target, entry);
  }
}

/** `count` files named so they sort around the names that matter (bzImage, initrd.img). */
export function crowd(folder: string, count: number, nameLength = 24): Tree {
  const tree: Tree = {};
  for (let i = 0; i < count; i++) {
    const prefix = String.fromCharCode(0x61 + (i % 26)); // a..z: spread before and after "bzImage"
    tree[`${folder}/${prefix}${String(i).padStart(nameLength - 1, '0')}`] = `file ${i}\n`;
  }
  return tree;
}

let sequence = 0;

export type SquashfsCompressor = 'gzip' | 'xz' | 'zstd' | 'lz4' | 'lzo' | 'lzma';

export function squashfsImage(
  tree: Tree,
  compressor: SquashfsCompressor = 'gzip',
  extra: string[] = [],
): Uint8Array {
  const temp = makeTempDir('squashfs');
  try {
    const root = join(temp.dir, 'root');
    writeTree(root, tree);
    const image = join(temp.dir, `image-${sequence++}.img`);
    execFileSync(
      'mksquashfs',
      [root, image, '-comp', compressor, '-noappend', '-quiet', '-no-progress', ...extra],
      {
        stdio: 'pipe',
      },
    );
    return new Uint8Array(readFileSync(image));
  } finally {
    temp.remove();
  }
}

export type ExtType = 'ext2' | 'ext3' | 'ext4';

export interface ExtOptions {
  kib?: number;
  blockSize?: number;
  blocksPerGroup?: number;
  features?: string;
  /** debugfs -w requests run on the image after it is made (e.g. "feature needs_recovery"). */
  debugfs?: string[];
  /** Rebuild every directory's index the way `e2fsck -D` does (htree directories). */
  indexDirectories?: boolean;
}

export function extImage(tree: Tree, type: ExtType = 'ext4', options: ExtOptions = {}): Uint8Array {
  const temp = makeTempDir('ext');
  try {
    const root = join(temp.dir, 'root');
    writeTree(root, tree);
    const image = join(temp.dir, 'image.img');
    const args = ['-q', '-F', '-t', type, '-d', root];
    if (options.blockSize) args.push('-b', String(options.blockSize));
    if (options.blocksPerGroup) args.push('-g', String(options.blocksPerGroup));
    if (options.features) args.push('-O', options.features);
    args.push(image, `${options.kib ?? 4096}K`);
    execFileSync('mke2fs', args, { stdio: 'pipe' });
    for (const request of options.debugfs ?? [])
      execFileSync('debugfs', ['-w', '-R', request, image], { stdio: 'pipe' });
    if (options.indexDirectories) {
      const fsck = spawnSync('e2fsck', ['-fyD', image], { stdio: 'pipe' });
      // 0: nothing changed, 1: corrected (here: directories optimised).
      if (fsck.status !== 0 && fsck.status !== 1) throw new Error(`e2fsck -D failed: ${fsck.stderr}`);
    }
    return new Uint8Array(readFileSync(image));
  } finally {
    temp.remove();
  }
}

/** What `debugfs` says about a path in an ext image (its stat output), as an independent view of the image. */
export function debugfsStat(image: Uint8Array, path: string): string {
  const temp = makeTempDir('debugfs');
  try {
    const file = join(temp.dir, 'image.img');
    writeFileSync(file, image);
    return execFileSync('debugfs', ['-R', `stat ${path}`, file], { stdio: 'pipe', encoding: 'utf8' });
  } finally {
    temp.remove();
  }
}

/** `dumpe2fs` of an ext image: where every group's descriptors, bitmaps and inode table are. */
export function dumpe2fs(image: Uint8Array): string {
  const temp = makeTempDir('dumpe2fs');
  try {
    const file = join(temp.dir, 'image.img');
    writeFileSync(file, image);
    return execFileSync('dumpe2fs', [file], { stdio: 'pipe', encoding: 'utf8' });
  } finally {
    temp.remove();
  }
}

/** Runs a debugfs read-only request and returns its output. */
export function debugfs(image: Uint8Array, request: string): string {
  const temp = makeTempDir('debugfs');
  try {
    const file = join(temp.dir, 'image.img');
    writeFileSync(file, image);
    return execFileSync('debugfs', ['-R', request, file], { stdio: 'pipe', encoding: 'utf8' });
  } finally {
    temp.remove();
  }
}

export interface JudgedInMemory {
  judgement: ContentJudgement;
  reads: number;
  bytesRead: number;
}

/** Judges an in-memory image, counting what was read. */
export async function judge(image: Uint8Array): Promise<JudgedInMemory> {
  let reads = 0;
  let bytesRead = 0;
  const judgement = await judgeImageContent(async (offset, length) => {
    reads += 1;
    bytesRead += length;
    return image.slice(offset, offset + length);
  }, image.length);
  return { judgement, reads, bytesRead };
}

export function patched(image: Uint8Array, offset: number, bytes: number[]): Uint8Array {
  const copy = image.slice();
  copy.set(bytes, offset);
  return copy;
}

export function le64(value: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}
