/**
 * Writing a 256 MiB file onto a fresh FAT volume in an image file, against `dd bs=1M conv=notrunc`
 * of the same bytes into an image of the same size. Both read the source from the page cache; the
 * median of five runs each is compared. Ours includes its ordering flushes (fdatasync), dd does not:
 * the second line compares with `dd conv=notrunc,fdatasync` for that reason.
 *
 * Run: npx tsx bench/fat-write.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlockDevice } from '../electron/core/block/file-block-device.js';
import { formatFat } from '../electron/core/fat/format.js';

const MiB = 1024 * 1024;
const FILE_BYTES = 256 * MiB;
const IMAGE_BYTES = 1024 * MiB;
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'astcard-bench-'));
  try {
    const source = join(dir, 'source.bin');
    const chunk = Buffer.alloc(16 * MiB);
    writeFileSync(source, new Uint8Array(0));
    for (let done = 0; done < FILE_BYTES; done += chunk.length) {
      randomFillSync(chunk);
      writeFileSync(source, chunk, { flag: 'a' });
    }
    readFileSync(source); // warm the page cache for both contenders
    const timings = { dd: [] as number[], ddSync: [] as number[], ours: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      for (const [key, flags] of [
        ['dd', 'notrunc'],
        ['ddSync', 'notrunc,fdatasync'],
      ] as const) {
        const target = join(dir, `dd-${key}.img`);
        execFileSync('truncate', ['-s', String(IMAGE_BYTES), target]);
        const start = performance.now();
        execFileSync('dd', [`if=${source}`, `of=${target}`, 'bs=1M', `conv=${flags}`, 'status=none']);
        timings[key].push(performance.now() - start);
        rmSync(target);
      }
      const image = join(dir, 'fat.img');
      const device = await FileBlockDevice.create(image, IMAGE_BYTES);
      const volume = await formatFat(device, { fatType: 32, label: 'BENCH' });
      const start = performance.now();
      await volume.writeFile('/AstLinux-1.5.2.img', createReadStream(source, { highWaterMark: 4 * MiB }), {
        size: FILE_BYTES,
      });
      timings.ours.push(performance.now() - start);
      await device.close();
      rmSync(image);
    }
    const dd = median(timings.dd);
    const ddSync = median(timings.ddSync);
    const ours = median(timings.ours);
    const rate = (ms: number) => `${(FILE_BYTES / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
    console.log(
      `fat-write: 256 MiB file onto fresh FAT32 image: ours ${ours.toFixed(0)} ms (${rate(ours)}), dd ${dd.toFixed(0)} ms (${rate(dd)}), dd+fdatasync ${ddSync.toFixed(0)} ms (${rate(ddSync)})`,
    );
    console.log(
      `fat-write: ratio ours/dd = ${(ours / dd).toFixed(2)} (goal <= 1.20); ours/dd+fdatasync = ${(ours / ddSync).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
