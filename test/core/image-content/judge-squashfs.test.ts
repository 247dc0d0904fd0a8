import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CannotCheck, DamagedStructure } from '../../../electron/core/image-content/content-outcomes.js';
import { ImageReader } from '../../../electron/core/image-content/image-reader.js';
import { compressionOf } from '../../../electron/core/image-content/squashfs/squashfs-compression.js';
import { SquashfsVolume } from '../../../electron/core/image-content/squashfs/squashfs-volume.js';
import {
  BOOTABLE,
  crowd,
  INITRD,
  judge,
  KERNEL,
  le64,
  patched,
  type SquashfsCompressor,
  squashfsImage,
  type Tree,
} from './image-tools.js';

const u64At = (image: Uint8Array, offset: number) =>
  Number(Buffer.from(image.buffer, image.byteOffset, image.length).readBigUInt64LE(offset));

const DECODED: SquashfsCompressor[] = ['gzip', 'xz', 'zstd'];

describe.each(DECODED)('a squashfs compressed with %s', (compressor) => {
  const image = (tree: Tree, extra: string[] = []) => squashfsImage(tree, compressor, extra);

  it('boots: kernel and initrd found, with their sizes', async () => {
    const { judgement } = await judge(image(BOOTABLE));
    expect(judgement).toEqual({
      ok: true,
      filesystem: 'squashfs',
      kernel: { size: KERNEL.length },
      initrd: { size: INITRD.length },
    });
  });

  it('boots without an initrd, which is then not passed on', async () => {
    const { judgement } = await judge(image({ 'boot/bzImage': KERNEL }));
    expect(judgement).toEqual({
      ok: true,
      filesystem: 'squashfs',
      kernel: { size: KERNEL.length },
      initrd: null,
    });
  });

  it('is no-kernel without /boot/bzImage, and without /boot', async () => {
    const trees: Tree[] = [{ 'boot/vmlinuz': KERNEL }, { 'sbin/init': 'x' }];
    for (const tree of trees) {
      const { judgement } = await judge(image(tree));
      expect(judgement).toMatchObject({ ok: false, verdict: 'no-kernel', reason: 'has no /boot/bzImage' });
    }
  });

  it('is no-kernel when the kernel is empty', async () => {
    const { judgement } = await judge(image({ 'boot/bzImage': '', 'boot/initrd.img': INITRD }));
    expect(judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: 'has an empty kernel (/boot/bzImage is 0 bytes)',
    });
  });

  it('follows relative links inside the image, also through .. and a linked /boot', async () => {
    const trees: Tree[] = [
      { 'boot/vmlinuz-6.1': KERNEL, 'boot/bzImage': { link: 'vmlinuz-6.1' } },
      { 'kernels/vmlinuz': KERNEL, 'boot/bzImage': { link: '../kernels/./vmlinuz' } },
      { 'system/boot/bzImage': KERNEL, boot: { link: 'system/boot' } },
      { 'a/b': { link: '../kernels/k' }, 'kernels/k': KERNEL, 'boot/bzImage': { link: '../a/b' } },
    ];
    for (const tree of trees) {
      const { judgement } = await judge(image(tree));
      expect(judgement).toMatchObject({ ok: true, kernel: { size: KERNEL.length } });
    }
  });

  it('is no-kernel for a link the loader would resolve outside the image', async () => {
    const absolute = await judge(
      image({ 'boot/vmlinuz': KERNEL, 'boot/bzImage': { link: '/boot/vmlinuz' } }),
    );
    expect(absolute.judgement).toMatchObject({ verdict: 'no-kernel' });
    expect((absolute.judgement as { reason: string }).reason).toMatch(
      /\/boot\/vmlinuz.*outside the image.*relative link/,
    );

    const escaping = await judge(image({ 'boot/bzImage': { link: '../../../card/bzImage' } }));
    expect(escaping.judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: 'has /boot/bzImage only as a link that leads outside the image',
    });
  });

  it('is no-kernel for a dangling link, a loop of links and a folder named bzImage', async () => {
    const dangling = await judge(image({ 'boot/bzImage': { link: 'vmlinuz-gone' } }));
    expect(dangling.judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: 'has /boot/bzImage only as a link to something that is not in the image',
    });
    const loop = await judge(image({ 'boot/bzImage': { link: 'a' }, 'boot/a': { link: 'bzImage' } }));
    expect(loop.judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: expect.stringMatching(/chain of links/),
    });
    const folder = await judge(image({ 'boot/bzImage/x': 'x' }));
    expect(folder.judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: 'has a folder at /boot/bzImage, not a kernel',
    });
  });

  it('passes no initrd when /boot/initrd.img is a dangling link or a folder', async () => {
    for (const initrd of [{ link: 'nowhere' }, { dir: true as const }]) {
      const { judgement } = await judge(image({ 'boot/bzImage': KERNEL, 'boot/initrd.img': initrd }));
      expect(judgement).toMatchObject({ ok: true, initrd: null });
    }
  });

  it('finds every name of a 700-entry /boot (many directory headers and metadata blocks, indexed)', async () => {
    const tree: Tree = { ...crowd('boot', 700), ...BOOTABLE };
    const squashfs = image(tree);
    const { judgement } = await judge(squashfs);
    expect(judgement).toMatchObject({
      ok: true,
      kernel: { size: KERNEL.length },
      initrd: { size: INITRD.length },
    });

    const volume = await SquashfsVolume.open(
      new ImageReader(async (o, l) => squashfs.slice(o, o + l), squashfs.length),
    );
    const boot = await volume.lookup(await volume.root(), new TextEncoder().encode('boot'));
    expect(boot).toMatchObject({ kind: 'directory' });
    // mksquashfs indexes a listing that spans metadata blocks: the index is what the lookups below start from.
    expect((boot as { index: { count: number } | null }).index?.count).toBeGreaterThan(1);
    for (const name of Object.keys(tree).filter((path) => path.startsWith('boot/'))) {
      const found = await volume.lookup(boot as never, new TextEncoder().encode(name.slice(5)));
      expect(found, name).toMatchObject({ kind: 'file' });
    }
    for (const absent of ['a', 'bzImagf', 'm5', 'zzzzzzzzzzzzzzzzzzzzzzzzzzzz', '0']) {
      expect(await volume.lookup(boot as never, new TextEncoder().encode(absent)), absent).toBeNull();
    }
  });

  it('reads inodes past the first metadata block of the inode table', async () => {
    // 1500 files before /boot: their inodes fill several 8 KiB blocks; the root inode is written last.
    const squashfs = image({ ...crowd('aaa', 1500, 40), ...BOOTABLE }, ['-noI']);
    const rootReference = u64At(squashfs, 32);
    expect(Math.floor(rootReference / 0x10000)).toBeGreaterThan(8192);
    const { judgement } = await judge(squashfs);
    expect(judgement).toMatchObject({ ok: true, kernel: { size: KERNEL.length } });
  });
});

describe('a squashfs the loader cannot mount', () => {
  it('refuses lzma, which no kernel reads', async () => {
    const { judgement, reads } = await judge(squashfsImage(BOOTABLE, 'lzma'));
    expect(judgement).toMatchObject({ verdict: 'mount-failed', filesystem: 'squashfs' });
    expect((judgement as { reason: string }).reason).toMatch(/lzma, which Linux cannot read/);
    expect(reads).toBe(1);
  });

  it('refuses a truncated image, saying so', async () => {
    const whole = squashfsImage(BOOTABLE);
    const { judgement } = await judge(whole.slice(0, Math.floor(whole.length / 2)));
    expect(judgement).toMatchObject({ verdict: 'mount-failed' });
    expect((judgement as { reason: string }).reason).toMatch(
      /^is shorter than its squashfs filesystem says .* cut off/,
    );
  });

  it('refuses an unpadded image (-nopad) whose end is not a whole 512-byte sector: a loop device drops it', async () => {
    const unpadded = squashfsImage(BOOTABLE, 'gzip', ['-nopad']);
    const bytesUsed = u64At(unpadded, 40);
    expect(unpadded.length).toBe(bytesUsed);
    expect(bytesUsed % 512).not.toBe(0);
    const { judgement } = await judge(unpadded);
    expect(judgement).toMatchObject({ verdict: 'mount-failed', reason: expect.stringMatching(/shorter/) });
    // The same image padded to a sector boundary mounts.
    const padded = new Uint8Array(Math.ceil(bytesUsed / 512) * 512);
    padded.set(unpadded);
    expect((await judge(padded)).judgement).toMatchObject({ ok: true });
  });

  it('refuses a directory table that starts past the end, and one the inode table overlaps', async () => {
    const good = squashfsImage(BOOTABLE);
    const past = await judge(patched(good, 72, le64(good.length + 4096)));
    expect(past.judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/directory table/),
    });
    const inodeTable = u64At(good, 64);
    const overlapping = await judge(patched(good, 72, le64(inodeTable)));
    expect(overlapping.judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/inode table/),
    });
  });

  it('refuses other versions, block sizes Linux does not take, and inconsistent block sizes', async () => {
    const good = squashfsImage(BOOTABLE);
    const v3 = await judge(patched(good, 28, [3, 0]));
    expect(v3.judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/version 3\.0/),
    });
    const small = await judge(squashfsImage(BOOTABLE, 'gzip', ['-b', '4096']));
    expect(small.judgement).toMatchObject({ ok: true });
    const tooSmall = await judge(patched(good, 12, [0, 8, 0, 0, 11, 0])); // 2 KiB blocks, log 11
    expect(tooSmall.judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/4 KiB at least/),
    });
    const mismatch = await judge(patched(good, 22, [16, 0])); // 128 KiB blocks with log 16
    expect(mismatch.judgement).toMatchObject({ verdict: 'mount-failed', reason: 'is a damaged squashfs' });
  });

  it('refuses a damaged root inode and a damaged id table', async () => {
    const good = squashfsImage(BOOTABLE);
    const idTable = u64At(good, 48);
    const badIds = await judge(patched(good, idTable, le64(good.length)));
    expect(badIds.judgement).toMatchObject({ verdict: 'mount-failed', reason: 'is a damaged squashfs' });
    const badRoot = await judge(patched(good, 32, le64(0x7fff_0000)));
    expect(badRoot.judgement).toMatchObject({ verdict: 'mount-failed', reason: 'is a damaged squashfs' });
  });
});

describe('a squashfs astcard cannot decode', () => {
  it.each(['lz4', 'lzo'] as const)(
    'says %s images cannot be checked (not that they fail)',
    async (compressor) => {
      const { judgement } = await judge(squashfsImage(BOOTABLE, compressor));
      expect(judgement).toEqual({
        ok: false,
        verdict: 'unchecked',
        reason: `is a squashfs compressed with ${compressor}, which astcard cannot check (the loader can mount it)`,
        detail: `no ${compressor} decoder`,
        filesystem: 'squashfs',
      });
    },
  );

  it('still finds lz4 damage it can see without decoding: a truncated lz4 image fails', async () => {
    const whole = squashfsImage(BOOTABLE, 'lz4');
    const { judgement } = await judge(whole.slice(0, 8192));
    expect(judgement).toMatchObject({ verdict: 'mount-failed' });
  });

  it('checks an xz image made with -Xbcj x86 (mksquashfs filters only the blocks that gain)', async () => {
    const { judgement } = await judge(squashfsImage(BOOTABLE, 'xz', ['-Xbcj', 'x86']));
    expect(judgement).toMatchObject({ ok: true, kernel: { size: KERNEL.length } });
  });

  it('says a block xz-embedded cannot decode (an x86 filter) cannot be checked, and damage is damage', async () => {
    const plain = new TextEncoder().encode('metadata '.repeat(500));
    const filtered = execFileSync('xz', ['--format=xz', '--check=crc32', '--x86', '--lzma2', '-c'], {
      input: plain,
    });
    const { decompress } = compressionOf(4);
    await expect(decompress?.(new Uint8Array(filtered), 8192)).rejects.toBeInstanceOf(CannotCheck);
    const normal = execFileSync('xz', ['--format=xz', '--check=crc32', '-c'], { input: plain });
    expect(
      Buffer.from((await decompress?.(new Uint8Array(normal), 8192)) ?? []).equals(Buffer.from(plain)),
    ).toBe(true);
    await expect(decompress?.(new Uint8Array(normal), 100)).rejects.toBeInstanceOf(DamagedStructure);
    const corrupt = new Uint8Array(normal);
    corrupt.fill(0x55, 20, 30);
    await expect(decompress?.(corrupt, 8192)).rejects.toBeInstanceOf(DamagedStructure);
    // Every failure above released the decoder: it still decodes.
    expect((await decompress?.(new Uint8Array(normal), 8192))?.length).toBe(plain.length);
  });
});

describe('reading little', () => {
  it('judges a squashfs in a handful of small reads', async () => {
    const { judgement, reads, bytesRead } = await judge(
      squashfsImage({ ...BOOTABLE, ...crowd('usr/lib', 300) }),
    );
    expect(judgement.ok).toBe(true);
    expect(reads).toBeLessThanOrEqual(16);
    expect(bytesRead).toBeLessThan(64 * 1024);
  });
});
