/**
 * Full-size images (256 MiB, and a 2 GiB ext4) judged from disk through a FileBlockDevice: the judgement
 * reads a few dozen kilobytes and takes milliseconds whatever the size. Prints what it measured.
 */

import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { blockDeviceImage, judgeImageContent } from '../../../electron/core/image-content/index.js';
import { makeTempDir, pseudoRandomBytes, writeTree } from './image-tools.js';

const MiB = 1024 * 1024;
const temp = makeTempDir('large-images');
afterAll(() => temp.remove());

const KERNEL_SIZE = 8 * MiB;
const INITRD_SIZE = 4 * MiB;

/** A tree of 12 MiB of boot files plus `fillerMiB` of data, written once per size. */
const sources = new Map<number, string>();
function source(fillerMiB: number): string {
  let root = sources.get(fillerMiB);
  if (!root) {
    for (const old of sources.values()) rmSync(old, { recursive: true, force: true });
    sources.clear();
    root = makeSource(fillerMiB);
    sources.set(fillerMiB, root);
  }
  return root;
}

function makeSource(fillerMiB: number): string {
  const root = join(temp.dir, `root-${fillerMiB}`);
  writeTree(root, {
    'boot/bzImage': pseudoRandomBytes(KERNEL_SIZE, 1),
    'boot/initrd.img': pseudoRandomBytes(INITRD_SIZE, 2),
    'sbin/init': '#!/bin/sh\n',
  });
  mkdirSync(join(root, 'usr/share'), { recursive: true });
  // A distinct random MiB repeated: squashfs cannot shrink it (-noD stores data as is), and it is quick to write.
  const chunk = pseudoRandomBytes(MiB, 3);
  const fd = openSync(join(root, 'usr/share/filler'), 'w');
  try {
    for (let i = 0; i < fillerMiB; i++) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return root;
}

interface Measured {
  kind: string;
  imageMiB: number;
  ms: number;
  reads: number;
  bytesRead: number;
  ok: boolean;
}

const measured: Measured[] = [];

async function measure(kind: string, image: string): Promise<Measured> {
  const device = await FileBlockDevice.open(image, { readOnly: true });
  try {
    const { read, size } = blockDeviceImage(device);
    let reads = 0;
    let bytesRead = 0;
    const counted = async (offset: number, length: number) => {
      reads += 1;
      bytesRead += length;
      return read(offset, length);
    };
    const started = performance.now();
    const judgement = await judgeImageContent(counted, size);
    const ms = performance.now() - started;
    expect(judgement).toMatchObject({
      ok: true,
      kernel: { size: KERNEL_SIZE },
      initrd: { size: INITRD_SIZE },
    });
    const result = { kind, imageMiB: Math.round(size / MiB), ms, reads, bytesRead, ok: judgement.ok };
    measured.push(result);
    return result;
  } finally {
    await device.close();
  }
}

describe('judging full-size images', () => {
  // squashfs: 256 MiB of content makes a 256 MiB image; ext: 212 MiB fill a 256 MiB filesystem.
  const SQUASHFS_FILLER = 244;
  const EXT_FILLER = 200;

  it.each(['gzip', 'xz', 'zstd'])('a 256 MiB squashfs (%s metadata) in a few reads', async (compressor) => {
    const image = join(temp.dir, `squashfs-${compressor}.img`);
    execFileSync('mksquashfs', [
      source(SQUASHFS_FILLER),
      image,
      '-comp',
      compressor,
      '-noD',
      '-noappend',
      '-quiet',
      '-no-progress',
    ]);
    expect(statSync(image).size).toBeGreaterThanOrEqual(256 * MiB);
    await measure(`squashfs ${compressor}`, image); // first run: loads the decoder
    const { ms, reads, bytesRead } = await measure(`squashfs ${compressor}`, image);
    rmSync(image);
    expect(reads).toBeLessThan(40);
    expect(bytesRead).toBeLessThan(256 * 1024);
    expect(ms).toBeLessThan(500);
  });

  it.each(['ext2', 'ext3', 'ext4'])('a 256 MiB %s in a few reads', async (type) => {
    const image = join(temp.dir, `${type}.img`);
    execFileSync('mke2fs', ['-q', '-F', '-t', type, '-d', source(EXT_FILLER), image, '256M'], {
      stdio: 'pipe',
    });
    await measure(type, image);
    const { ms, reads, bytesRead } = await measure(type, image);
    rmSync(image);
    expect(reads).toBeLessThan(40);
    expect(bytesRead).toBeLessThan(256 * 1024);
    expect(ms).toBeLessThan(500);
  });

  it('a 2 GiB ext4 (4 KiB blocks) no slower', async () => {
    const image = join(temp.dir, 'ext4-2g.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', source(EXT_FILLER), image, '2G'], {
      stdio: 'pipe',
    });
    await measure('ext4 2 GiB', image);
    const { ms, reads, bytesRead, imageMiB } = await measure('ext4 2 GiB', image);
    rmSync(image);
    expect(imageMiB).toBe(2048);
    expect(reads).toBeLessThan(40);
    expect(bytesRead).toBeLessThan(256 * 1024);
    expect(ms).toBeLessThan(500);
    const table = measured
      .filter((_, i) => i % 2 === 1)
      .map(
        (m) =>
          `${m.kind.padEnd(14)} ${String(m.imageMiB).padStart(5)} MiB  ${m.ms.toFixed(2).padStart(7)} ms  ${String(m.reads).padStart(3)} reads  ${(m.bytesRead / 1024).toFixed(1).padStart(6)} KiB`,
      )
      .join('\n');
    console.log(`image-content judgement, second (warm) run each:\n${table}`);
  });
});
