/**
 * Card operations against the tools people would otherwise use (goals from issue 6):
 *
 *   1. prepare with a 256 MiB image (source hashed, written, read back, sidecar written) against the
 *      `mkfs.vfat` + `syslinux` + `mcopy` + `sha1sum` toolchain, which does no read-back: ≤ 0.8×;
 *   2. prepare's write phase against `dd bs=1M` of the same bytes: ≤ 1.2×;
 *   3. verify (every image read back through FAT and hashed) against `sha1sum` of the image: ≥ 2× its
 *      throughput;
 *   4. peak RSS (VmHWM) of a process adding a 2 GiB image to a card: ≤ 150 MiB.
 *
 * Every contender reads its source from the page cache; medians of three runs. Superfloppy layout for
 * both sides, as mkfs.vfat makes one. Run: npx tsx bench/card-prepare.bench.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlockDevice } from '../electron/core/block/file-block-device.js';
import { loadLoaderAssets, loadSyslinuxAssets } from '../electron/core/card/assets.js';
import { imageFromFile } from '../electron/core/card/image-source.js';
import { addImages } from '../electron/core/card/images.js';
import { inspectCard } from '../electron/core/card/inspect.js';
import { prepareCard } from '../electron/core/card/prepare.js';
import type { Progress } from '../electron/core/card/progress.js';

const MiB = 1024 * 1024;
const IMAGE_BYTES = 256 * MiB;
const CARD_BYTES = 512 * MiB;
const RSS_IMAGE_BYTES = 2048 * MiB;
const RSS_CARD_BYTES = 2304 * MiB;
const RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function randomFile(path: string, bytes: number): void {
  const chunk = Buffer.alloc(16 * MiB);
  writeFileSync(path, new Uint8Array(0));
  for (let done = 0; done < bytes; done += chunk.length) {
    randomFillSync(chunk);
    writeFileSync(path, chunk.subarray(0, Math.min(chunk.length, bytes - done)), { flag: 'a' });
  }
  const sha1 = createHash('sha1').update(readFileSync(path)).digest('hex');
  writeFileSync(`${path}.sha1`, `${sha1}  ${path.split('/').pop()}\n`);
}

function timed(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

async function ours(dir: string, source: string) {
  const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
  const card = join(dir, 'ours.img');
  const disk = await FileBlockDevice.create(card, CARD_BYTES);
  let writeStart = 0;
  let writeEnd = 0;
  const onProgress = (event: Progress) => {
    if (event.phase === 'write' && writeStart === 0) writeStart = performance.now();
    if (event.phase === 'verify' && writeEnd === 0) writeEnd = performance.now();
  };
  const start = performance.now();
  await prepareCard(disk, {
    layout: 'superfloppy',
    images: [await imageFromFile(source)],
    loader,
    syslinux,
    onProgress,
  });
  await disk.flush();
  const total = performance.now() - start;
  await disk.close();

  const readOnly = await FileBlockDevice.open(card, { readOnly: true });
  const verifyStart = performance.now();
  const report = await inspectCard(readOnly);
  const verify = performance.now() - verifyStart;
  await readOnly.close();
  if (report.boot?.verified !== true) throw new Error('the benchmark card does not verify');
  rmSync(card);
  return { total, write: writeEnd - writeStart, verify };
}

function toolchain(dir: string, source: string, loaderDir: string): number {
  const card = join(dir, 'toolchain.img');
  const config = join(dir, 'syslinux.cfg');
  writeFileSync(config, 'DEFAULT loader\nLABEL loader\n  LINUX bzImage\n  INITRD loader.img\n');
  const elapsed = timed(() => {
    execFileSync('truncate', ['-s', String(CARD_BYTES), card]);
    execFileSync('mkfs.vfat', ['-n', 'ASTLINUX', card], { stdio: 'ignore' });
    execFileSync('syslinux', ['--install', card]);
    const sha1 = execFileSync('sha1sum', [source], { encoding: 'utf8' }).split(' ')[0];
    writeFileSync(join(dir, 'AstLinux-1.0.0.img.sha1.tool'), `${sha1}  AstLinux-1.0.0.img\n`);
    execFileSync('mcopy', [
      '-i',
      card,
      join(loaderDir, 'bzImage'),
      join(loaderDir, 'loader.img'),
      config,
      '::/',
    ]);
    execFileSync('mcopy', ['-i', card, source, '::/AstLinux-1.0.0.img']);
    execFileSync('mcopy', [
      '-i',
      card,
      join(dir, 'AstLinux-1.0.0.img.sha1.tool'),
      '::/AstLinux-1.0.0.img.sha1',
    ]);
    execFileSync('sync', ['-f', card]);
  });
  rmSync(card);
  return elapsed;
}

function dd(dir: string, source: string): number {
  const target = join(dir, 'dd.img');
  execFileSync('truncate', ['-s', String(CARD_BYTES), target]);
  const elapsed = timed(() =>
    execFileSync('dd', [`if=${source}`, `of=${target}`, 'bs=1M', 'conv=notrunc,fdatasync', 'status=none']),
  );
  rmSync(target);
  return elapsed;
}

/** The child measured for peak memory: prepares an empty card and adds a 2 GiB image to it. */
function peakRss(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
}

async function rssChild(dir: string): Promise<void> {
  const baseline = peakRss();
  const [loader, syslinux] = await Promise.all([loadLoaderAssets(), loadSyslinuxAssets()]);
  const source = join(dir, 'AstLinux-2.0.0.img');
  // Sparse: its bytes are zeros, which costs the copy the same work and the disk nothing to make.
  execFileSync('truncate', ['-s', String(RSS_IMAGE_BYTES), source]);
  const card = join(dir, 'rss.img');
  const disk = await FileBlockDevice.create(card, RSS_CARD_BYTES);
  await prepareCard(disk, { layout: 'mbr', images: [], loader, syslinux });
  await addImages(disk, [await imageFromFile(source)]);
  await disk.close();
  const hwm = peakRss();
  rmSync(card);
  rmSync(source);
  process.stdout.write(`${JSON.stringify({ hwm, baseline })}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--rss-child') {
    await rssChild(process.argv[3] as string);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'astcard-bench-card-'));
  try {
    const source = join(dir, 'AstLinux-1.0.0.img');
    randomFile(source, IMAGE_BYTES);
    const loaderDir = join(process.cwd(), 'assets', 'loader');
    const runs = {
      ours: [] as number[],
      write: [] as number[],
      verify: [] as number[],
      tool: [] as number[],
      dd: [] as number[],
      sha1sum: [] as number[],
    };
    for (let run = 0; run < RUNS; run++) {
      const result = await ours(dir, source);
      runs.ours.push(result.total);
      runs.write.push(result.write);
      runs.verify.push(result.verify);
      runs.tool.push(toolchain(dir, source, loaderDir));
      runs.dd.push(dd(dir, source));
      runs.sha1sum.push(timed(() => execFileSync('sha1sum', [source])));
    }
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const rate = (bytes: number, millis: number) => `${(bytes / MiB / (millis / 1000)).toFixed(0)} MiB/s`;
    const prepareRatio = median(runs.ours) / median(runs.tool);
    const writeRatio = median(runs.write) / median(runs.dd);
    const verifyRatio = median(runs.sha1sum) / median(runs.verify);
    console.log(
      `prepare 256 MiB image: astcard ${ms(median(runs.ours))}, mkfs.vfat+syslinux+mcopy+sha1sum ${ms(median(runs.tool))}`,
    );
    console.log(
      `  ratio ${prepareRatio.toFixed(2)}x the toolchain (goal <= 0.8x) ${prepareRatio <= 0.8 ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `prepare write phase: astcard ${ms(median(runs.write))} (${rate(IMAGE_BYTES, median(runs.write))}), dd bs=1M fdatasync ${ms(median(runs.dd))} (${rate(IMAGE_BYTES, median(runs.dd))})`,
    );
    console.log(
      `  ratio ${writeRatio.toFixed(2)}x dd (goal <= 1.2x) ${writeRatio <= 1.2 ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `verify: astcard ${rate(IMAGE_BYTES, median(runs.verify))}, sha1sum ${rate(IMAGE_BYTES, median(runs.sha1sum))}`,
    );
    console.log(
      `  throughput ${verifyRatio.toFixed(2)}x sha1sum (goal >= 2x) ${verifyRatio >= 2 ? 'MET' : 'NOT MET'}`,
    );

    // The child runs as plain JavaScript, as the app ships it: tsx's on-the-fly compiler alone costs ~45 MiB.
    const bundle = join(dir, 'rss-child.mjs');
    const built = spawnSync(
      'npx',
      [
        'esbuild',
        'bench/card-prepare.bench.ts',
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--packages=external',
        '--log-level=warning',
        `--outfile=${bundle}`,
      ],
      { encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`esbuild failed: ${built.stderr}`);
    const child = spawnSync(process.execPath, [bundle, '--rss-child', dir], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`the RSS child failed: ${child.stderr}`);
    const { hwm, baseline } = JSON.parse(child.stdout.trim().split('\n').pop() as string) as {
      hwm: number;
      baseline: number;
    };
    console.log(
      `peak RSS adding a 2 GiB image: ${(hwm / MiB).toFixed(0)} MiB (goal <= 150 MiB) ${hwm <= 150 * MiB ? 'MET' : 'NOT MET'}; node alone had peaked at ${(baseline / MiB).toFixed(0)} MiB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
