import { describe, expect, it } from 'vitest';
import {
  BOOTABLE,
  crowd,
  debugfs,
  debugfsStat,
  dumpe2fs,
  type ExtType,
  extImage,
  INITRD,
  judge,
  KERNEL,
  patched,
  type Tree,
} from './image-tools.js';

const TYPES: ExtType[] = ['ext2', 'ext3', 'ext4'];
const LONG_NAME = `vmlinuz-${'6.1.0-generic-'.repeat(6)}`;

const u32At = (image: Uint8Array, offset: number) =>
  Buffer.from(image.buffer, image.byteOffset).readUInt32LE(offset);

describe.each(TYPES)('an %s image', (type) => {
  it('boots: kernel and initrd found, with their sizes, and the filesystem named', async () => {
    const { judgement } = await judge(extImage(BOOTABLE, type));
    expect(judgement).toEqual({
      ok: true,
      filesystem: type,
      kernel: { size: KERNEL.length },
      initrd: { size: INITRD.length },
    });
  });

  it('is no-kernel without /boot/bzImage, with an empty one, or with a folder there', async () => {
    const missing = await judge(extImage({ 'boot/vmlinuz': KERNEL }, type));
    expect(missing.judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: 'has no /boot/bzImage',
      filesystem: type,
    });
    const empty = await judge(extImage({ 'boot/bzImage': '' }, type));
    expect(empty.judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: expect.stringMatching(/empty kernel/),
    });
    const folder = await judge(extImage({ 'boot/bzImage/x': 'x' }, type));
    expect(folder.judgement).toMatchObject({ verdict: 'no-kernel', reason: expect.stringMatching(/folder/) });
  });

  it('follows short (in-inode) and long (in-block) relative links, refuses absolute ones', async () => {
    const short = await judge(
      extImage({ 'boot/vmlinuz': KERNEL, 'boot/bzImage': { link: 'vmlinuz' } }, type),
    );
    expect(short.judgement).toMatchObject({ ok: true, kernel: { size: KERNEL.length } });

    const longTree: Tree = {
      [`boot/${LONG_NAME}`]: KERNEL,
      'boot/bzImage': { link: `../boot/./${LONG_NAME}` },
    };
    const longImage = extImage(longTree, type);
    // debugfs shows a slow symlink's block list; a fast one keeps its target in the inode instead.
    expect(debugfsStat(longImage, '/boot/bzImage')).toMatch(/BLOCKS:|EXTENTS:/);
    expect((await judge(longImage)).judgement).toMatchObject({ ok: true, kernel: { size: KERNEL.length } });

    const absolute = await judge(
      extImage({ 'boot/vmlinuz': KERNEL, 'boot/bzImage': { link: '/boot/vmlinuz' } }, type),
    );
    expect(absolute.judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: expect.stringMatching(/relative link/),
    });
  });

  it('finds the kernel in a 600-entry /boot, as listed by mke2fs and as indexed by e2fsck -D', async () => {
    const tree: Tree = { ...crowd('boot', 600, 40), ...BOOTABLE };
    const listed = extImage(tree, type, { kib: 8192 });
    const indexed = extImage(tree, type, { kib: 8192, indexDirectories: true });
    expect(debugfsStat(indexed, '/boot')).toMatch(/Flags: 0x8?1000\b/);
    if (type === 'ext2') expect(debugfsStat(listed, '/boot')).toContain('(IND)');
    for (const image of [listed, indexed]) {
      const { judgement } = await judge(image);
      expect(judgement).toMatchObject({
        ok: true,
        kernel: { size: KERNEL.length },
        initrd: { size: INITRD.length },
      });
    }
  });

  it('refuses a truncated image, saying so', async () => {
    const whole = extImage(BOOTABLE, type);
    const { judgement } = await judge(whole.slice(0, whole.length - 4096));
    expect(judgement).toMatchObject({ verdict: 'mount-failed', filesystem: type });
    expect((judgement as { reason: string }).reason).toMatch(
      new RegExp(`^is shorter than its ${type} filesystem says`),
    );
  });
});

describe('what the ext4 driver refuses to mount read-only', () => {
  it.each(['ext3', 'ext4'] as const)('an %s journal that still needs replaying', async (type) => {
    const image = extImage(BOOTABLE, type, { debugfs: ['feature needs_recovery'] });
    const { judgement } = await judge(image);
    expect(judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/journal still needs replaying/),
    });
  });

  it('a journal whose superblock is gone', async () => {
    const image = extImage(BOOTABLE, 'ext4');
    const journalBlock = Number(debugfs(image, 'bmap <8> 0').trim());
    expect(journalBlock).toBeGreaterThan(0);
    const blockSize = 1024 << u32At(image, 1024 + 24);
    const { judgement } = await judge(patched(image, journalBlock * blockSize, new Array(16).fill(0)));
    expect(judgement).toMatchObject({ verdict: 'mount-failed', reason: 'is a damaged ext4 filesystem' });
    expect((judgement as { detail: string }).detail).toMatch(/journal/);
  });

  it('a superblock whose metadata checksum does not match (only where there is one)', async () => {
    const label = 1024 + 120;
    const withChecksum = extImage(BOOTABLE, 'ext4');
    expect(debugfs(withChecksum, 'stats')).toMatch(/metadata_csum/);
    const changed = await judge(patched(withChecksum, label, [0x41]));
    expect(changed.judgement).toMatchObject({
      verdict: 'mount-failed',
      detail: expect.stringMatching(/checksum/),
    });
    for (const image of [
      extImage(BOOTABLE, 'ext2'),
      extImage(BOOTABLE, 'ext4', { features: '^metadata_csum' }),
    ]) {
      expect((await judge(patched(image, label, [0x41]))).judgement).toMatchObject({ ok: true });
    }
  });

  it('a feature Linux does not know, a journal device, and blocks larger than a page', async () => {
    const ext2 = extImage(BOOTABLE, 'ext2');
    const incompat = u32At(ext2, 1024 + 96);
    const dirdata = await judge(
      patched(ext2, 1024 + 96, [(incompat | 0x1000) & 0xff, ((incompat | 0x1000) >> 8) & 0xff]),
    );
    expect(dirdata.judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/features Linux cannot mount \(0x1000\)/),
    });

    const journalDevice = extImage({}, 'ext4', { features: 'journal_dev' });
    expect((await judge(journalDevice)).judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/journal device/),
    });

    const big = extImage(BOOTABLE, 'ext4', { blockSize: 8192, kib: 16384 });
    expect((await judge(big)).judgement).toMatchObject({
      verdict: 'mount-failed',
      reason: expect.stringMatching(/8192-byte blocks/),
    });
  });

  it('a group whose inode table lies outside it, and a root inode that is not a folder', async () => {
    const image = extImage(BOOTABLE, 'ext2');
    expect(1024 << u32At(image, 1024 + 24)).toBe(1024);
    const descriptors = 2 * 1024; // 1 KiB blocks: superblock in block 1, descriptors from block 2
    const strayTable = await judge(patched(image, descriptors + 8, [0xff, 0xff, 0xff, 0x00]));
    expect(strayTable.judgement).toMatchObject({
      verdict: 'mount-failed',
      detail: expect.stringMatching(/inode table/),
    });

    const inodeTable = u32At(image, descriptors + 8);
    const inodeSize = Buffer.from(image.buffer).readUInt16LE(1024 + 88);
    const rootMode = inodeTable * 1024 + inodeSize; // inode 2
    const rootAsFile = await judge(patched(image, rootMode, [0xa4, 0x81]));
    expect(rootAsFile.judgement).toMatchObject({
      verdict: 'mount-failed',
      detail: expect.stringMatching(/root inode/),
    });
  });

  it('is no-kernel when the kernel inode is deleted (the loader stat fails)', async () => {
    const image = extImage(BOOTABLE, 'ext4', { debugfs: ['sif /boot/bzImage links_count 0'] });
    const { judgement } = await judge(image);
    expect(judgement).toMatchObject({
      verdict: 'no-kernel',
      reason: 'has a damaged filesystem where /boot/bzImage should be',
    });
  });
});

describe('ext layouts beyond the defaults', () => {
  it('reads an inline-data /boot, and an inline link whose target spills into its extended attribute', async () => {
    const target = `../kernels/./${LONG_NAME}`;
    const tree: Tree = {
      [`kernels/${LONG_NAME}`]: KERNEL,
      'boot/bzImage': { link: target },
      'boot/initrd.img': INITRD,
    };
    const image = extImage(tree, 'ext4', { features: 'inline_data' });
    expect(debugfsStat(image, '/boot')).toMatch(/Flags: 0x10000000/);
    const link = debugfsStat(image, '/boot/bzImage');
    expect(link).toMatch(/Flags: 0x10000000/);
    expect(target.length).toBeGreaterThan(60);
    expect(Number(/system\.data \((\d+)\)/.exec(link)?.[1])).toBe(target.length - 60);
    const { judgement } = await judge(image);
    expect(judgement).toMatchObject({
      ok: true,
      kernel: { size: KERNEL.length },
      initrd: { size: INITRD.length },
    });
  });

  it('reads 4 KiB-block 64-bit ext4 and a 1 KiB-block ext2 without sparse superblocks', async () => {
    const wide = extImage(BOOTABLE, 'ext4', { blockSize: 4096, features: '64bit', kib: 65536 });
    expect((await judge(wide)).judgement).toMatchObject({ ok: true, filesystem: 'ext4' });
    const old = extImage(BOOTABLE, 'ext2', {
      features: '^sparse_super,^resize_inode,^dir_index',
      kib: 32768,
    });
    expect((await judge(old)).judgement).toMatchObject({ ok: true, filesystem: 'ext2' });
  });

  it('reads a meta_bg filesystem, whose descriptors are spread over the groups', async () => {
    // 1 KiB blocks, 1024 per group: 64 groups, 16 descriptors per block, so four meta groups.
    const image = extImage(BOOTABLE, 'ext4', {
      features: 'meta_bg,^resize_inode',
      kib: 65536,
      blocksPerGroup: 1024,
    });
    expect(dumpe2fs(image)).toMatch(/Group 16: \(Blocks 16385-17408\).*\n\s+Group descriptor at 16385/);
    expect((await judge(image)).judgement).toMatchObject({ ok: true, kernel: { size: KERNEL.length } });
    // A stray inode table in the last meta group is found there, so those descriptors were read.
    const descriptor = 49153 * 1024 + (60 % 16) * 64; // group 48 holds the descriptor block of groups 48..63
    const stray = await judge(patched(image, descriptor + 8, [0xff, 0xff, 0xff, 0x7f]));
    expect(stray.judgement).toMatchObject({
      verdict: 'mount-failed',
      detail: expect.stringMatching(/group 60: inode table/),
    });
  });
});
