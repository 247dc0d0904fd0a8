import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { CannotCheck } from '../../../electron/core/image-content/content-outcomes.js';
import { ImageReader, READ_BUDGET } from '../../../electron/core/image-content/image-reader.js';
import {
  blockDeviceImage,
  ImageContentError,
  judgeImageContent,
} from '../../../electron/core/image-content/index.js';
import {
  BOOTABLE,
  extImage,
  judge,
  KERNEL,
  makeTempDir,
  pseudoRandomBytes,
  squashfsImage,
} from './image-tools.js';

const temp = makeTempDir('image-content');
afterAll(() => temp.remove());

const reasonOf = async (bytes: Uint8Array) => {
  const { judgement } = await judge(bytes);
  expect(judgement).toMatchObject({ ok: false, verdict: 'mount-failed' });
  return (judgement as { reason: string }).reason;
};

describe('an image that is no filesystem at all', () => {
  it('says what random bytes start with', async () => {
    for (const seed of [1, 2, 3]) {
      const bytes = pseudoRandomBytes(1 << 20, seed);
      const start = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      expect(await reasonOf(bytes)).toBe(
        `is not a filesystem the loader can mount (it is neither squashfs nor ext2/3/4; it starts with ${start})`,
      );
    }
  });

  it('names the things people pick by mistake', async () => {
    const gzipped = gzipSync(squashfsImage(BOOTABLE));
    expect(await reasonOf(gzipped)).toMatch(/looks like a gzip-compressed file \(unpack it first\)/);
    expect(await reasonOf(new Uint8Array(1 << 20))).toMatch(/nothing but zero bytes/);
    expect(await reasonOf(new TextEncoder().encode('<!DOCTYPE html><html>Not Found</html>'))).toMatch(
      /web page/,
    );
    expect(await reasonOf(new TextEncoder().encode('AstLinux 1.5.10 release notes\n'))).toMatch(
      /a text file/,
    );

    const fat = join(temp.dir, 'fat.img');
    execFileSync('mkfs.fat', ['-C', fat, '8192'], { stdio: 'pipe' });
    expect(await reasonOf(new Uint8Array(readFileSync(fat)))).toMatch(/a FAT volume/);

    const kernel = new Uint8Array(64 * 1024);
    kernel.set(new TextEncoder().encode('HdrS'), 0x202);
    expect(await reasonOf(kernel)).toMatch(/a Linux kernel, not a filesystem image/);

    const iso = new Uint8Array(64 * 1024);
    iso.set(new TextEncoder().encode('\x01CD001'), 0x8000);
    expect(await reasonOf(iso)).toMatch(/ISO 9660/);
  });

  it('says an empty image is empty, and a few bytes are not a filesystem', async () => {
    expect(await reasonOf(new Uint8Array(0))).toBe('is empty');
    expect(await reasonOf(new Uint8Array(3).fill(7))).toMatch(/starts with 07 07 07/);
    const stub = new Uint8Array(1500);
    stub.set([0x53, 0xef], 1024 + 56);
    expect(await reasonOf(stub)).toBe('is too short to be an ext filesystem');
  });
});

describe('reading the image', () => {
  it('reports a medium that fails to read as a typed error, not as a verdict about the image', async () => {
    const image = squashfsImage(BOOTABLE);
    const failing = judgeImageContent(async (offset, length) => {
      if (offset > 0) throw new Error('EIO');
      return image.slice(offset, offset + length);
    }, image.length);
    await expect(failing).rejects.toMatchObject({ name: 'ImageContentError', code: 'read-failed' });
    const short = judgeImageContent(
      async (offset, length) => image.slice(offset, offset + length - 1),
      image.length,
    );
    await expect(short).rejects.toBeInstanceOf(ImageContentError);
    await expect(judgeImageContent(async () => new Uint8Array(0), -1)).rejects.toMatchObject({
      code: 'bad-size',
    });
  });

  it('never asks for bytes outside the image', async () => {
    for (const image of [squashfsImage(BOOTABLE), extImage(BOOTABLE, 'ext4'), pseudoRandomBytes(70_000, 5)]) {
      await judgeImageContent(async (offset, length) => {
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset + length).toBeLessThanOrEqual(image.length);
        return image.slice(offset, offset + length);
      }, image.length);
    }
  });

  it('stops at its read budget with "cannot check", whatever the image claims', async () => {
    const reader = new ImageReader(async (_offset, length) => new Uint8Array(length), 1 << 30);
    let failure: unknown;
    try {
      for (let i = 0; i <= READ_BUDGET.reads; i++) await reader.read(i * 512, 512);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CannotCheck);
    expect(reader.reads).toBe(READ_BUDGET.reads + 1);
  });

  it('judges an image inside a larger block device, and one in an image file', async () => {
    const image = extImage(BOOTABLE, 'ext3');
    const device = new MemoryBlockDevice(image.length + 3 * 1024 * 1024);
    await device.write(1024 * 1024, image);
    const inside = blockDeviceImage(device, 1024 * 1024, image.length);
    expect(await judgeImageContent(inside.read, inside.size)).toMatchObject({ ok: true, filesystem: 'ext3' });
    expect(() => blockDeviceImage(device, device.size - 10, 11)).toThrow(ImageContentError);

    const file = join(temp.dir, 'AstLinux-1.5.10.img');
    writeFileSync(file, squashfsImage(BOOTABLE, 'xz'));
    const onDisk = await FileBlockDevice.open(file, { readOnly: true });
    try {
      const whole = blockDeviceImage(onDisk);
      expect(await judgeImageContent(whole.read, whole.size)).toMatchObject({
        ok: true,
        kernel: { size: KERNEL.length },
      });
    } finally {
      await onDisk.close();
    }
  });
});
