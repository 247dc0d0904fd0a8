/**
 * Thousands of damaged images, mutated from real ones where their structures are (superblocks, descriptors,
 * inode tables, directories, squashfs metadata and tables): every one must get a typed judgement, quickly,
 * the same one twice, and never the "internal" fallback that stands for a bug in the readers.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContentJudgement } from '../../../electron/core/image-content/content-judgement.js';
import { judgeImageContent } from '../../../electron/core/image-content/judge-image-content.js';
import { BOOTABLE, crowd, debugfs, extImage, squashfsImage, type Tree } from './image-tools.js';

const RUNS_PER_IMAGE = 500;
/** Typically a few milliseconds; generous for a loaded two-core CI machine. */
const MAX_MS_PER_IMAGE = 750;
const HANG_MS = 5000;

const TREE: Tree = {
  ...BOOTABLE,
  'boot/vmlinuz': { link: 'bzImage' },
  'boot/old': { link: '/boot/bzImage' },
  ...crowd('boot', 40),
  ...crowd('usr/lib', 200),
};

type Range = [number, number];

interface Base {
  name: string;
  image: Uint8Array;
  /** Where the structures a judgement reads lie: most mutations land there. */
  hot: Range[];
}

const u32 = (image: Uint8Array, at: number) => Buffer.from(image.buffer, image.byteOffset).readUInt32LE(at);
const u64 = (image: Uint8Array, at: number) => u32(image, at) + u32(image, at + 4) * 2 ** 32;

/** `raw`: metadata stored uncompressed, so mutations reach the inode and directory parsers, not just zlib. */
function squashfsBase(compressor: 'gzip' | 'xz' | 'zstd', raw = false): Base {
  const image = squashfsImage(TREE, compressor, raw ? ['-noI', '-noId', '-noF', '-noX'] : []);
  const name = `squashfs ${compressor}${raw ? ' with uncompressed metadata' : ''}`;
  const superblock: Range = [0, 96];
  const inodes: Range = [u64(image, 64), u64(image, 72)];
  const directoriesAndTables: Range = [u64(image, 72), u64(image, 40)];
  // Repeats weight the draw: the superblock alone would make nearly every image unmountable.
  const hot = [
    superblock,
    inodes,
    inodes,
    inodes,
    inodes,
    directoriesAndTables,
    directoriesAndTables,
    directoriesAndTables,
  ];
  return { name, image, hot };
}

function extBase(type: 'ext2' | 'ext4'): Base {
  const image = extImage(TREE, type, { kib: 4096 });
  const blockSize = 1024 << u32(image, 1024 + 24);
  const inodeTable = u32(image, 2 * blockSize + 8) * blockSize; // group 0 (1 KiB blocks: descriptors in block 2)
  const hot: Range[] = [
    [1024, 4096],
    [inodeTable, inodeTable + 32 * 256],
  ];
  for (const path of ['/', '/boot']) {
    for (const block of debugfs(image, `blocks ${path}`).trim().split(/\s+/).map(Number)) {
      hot.push([block * blockSize, (block + 1) * blockSize]);
    }
  }
  return { name: type, image, hot };
}

const mutationArbitrary = fc.record({
  patches: fc.array(
    fc.record({
      hot: fc.integer({ min: 0, max: 99 }),
      where: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      kind: fc.constantFrom('set', 'flip', 'zero', 'ones'),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  // One image in eight is also cut short.
  cut: fc.oneof(
    { weight: 7, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  ),
});

type Mutation = typeof mutationArbitrary extends fc.Arbitrary<infer T> ? T : never;

function mutate(base: Base, mutation: Mutation): Uint8Array {
  const image = base.image.slice();
  for (const patch of mutation.patches) {
    // 9 in 10 land in a structure, the rest anywhere.
    const [from, to] = patch.hot < 90 ? (base.hot[patch.hot % base.hot.length] as Range) : [0, image.length];
    const at = from + Math.floor(patch.where * Math.max(1, to - from));
    patch.bytes.forEach((byte, i) => {
      if (at + i >= image.length) return;
      const old = image[at + i] as number;
      image[at + i] =
        patch.kind === 'set'
          ? byte
          : patch.kind === 'flip'
            ? old ^ (1 << (byte & 7))
            : patch.kind === 'zero'
              ? 0
              : 0xff;
    });
  }
  return mutation.cut === null ? image : image.subarray(0, Math.floor(mutation.cut * image.length));
}

async function judgeWithin(image: Uint8Array): Promise<{ judgement: ContentJudgement; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no judgement after ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const judgement = await Promise.race([
      judgeImageContent(async (offset, length) => image.slice(offset, offset + length), image.length),
      hang,
    ]);
    return { judgement, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function expectTyped(judgement: ContentJudgement): void {
  if (judgement.ok) {
    expect(['ext2', 'ext3', 'ext4', 'squashfs']).toContain(judgement.filesystem);
    expect(Number.isSafeInteger(judgement.kernel.size) && judgement.kernel.size > 0).toBe(true);
    return;
  }
  expect(['mount-failed', 'no-kernel', 'unchecked']).toContain(judgement.verdict);
  expect(judgement.reason.length).toBeGreaterThan(0);
  expect(judgement.detail ?? '', judgement.detail).not.toMatch(/^internal:/);
}

describe('judging damaged images', () => {
  const bases = [
    squashfsBase('gzip', true),
    squashfsBase('gzip'),
    squashfsBase('xz'),
    squashfsBase('zstd'),
    extBase('ext2'),
    extBase('ext4'),
  ];

  it.each(bases.map((base) => [base.name, base] as const))(
    '%s: every mutation gets a typed judgement, quickly and repeatably',
    async (_name, base) => {
      expect((await judgeWithin(base.image)).judgement).toMatchObject({ ok: true });
      const seen = new Map<string, number>();
      let slowest = { ms: 0, judgement: {} as ContentJudgement };
      await fc.assert(
        fc.asyncProperty(mutationArbitrary, async (mutation) => {
          const image = mutate(base, mutation);
          const first = await judgeWithin(image);
          expectTyped(first.judgement);
          const again = await judgeWithin(image);
          expect(again.judgement).toEqual(first.judgement);
          if (first.ms > slowest.ms) slowest = first;
          expect(first.ms).toBeLessThan(MAX_MS_PER_IMAGE);
          const key = first.judgement.ok ? 'ok' : first.judgement.verdict;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }),
        { numRuns: RUNS_PER_IMAGE },
      );
      // The mutations reach past the superblock: lookups fail too, not only mounts.
      expect(seen.get('mount-failed') ?? 0).toBeGreaterThan(0);
      expect((seen.get('no-kernel') ?? 0) + (seen.get('ok') ?? 0)).toBeGreaterThan(0);
      console.log(
        `${base.name}: ${JSON.stringify(Object.fromEntries(seen))}, slowest ${slowest.ms.toFixed(1)} ms (${JSON.stringify(slowest.judgement)})`,
      );
    },
  );
});
