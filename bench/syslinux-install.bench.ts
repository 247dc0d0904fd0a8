// How long making a card bootable takes, apart from the medium: installSyslinux on in-memory FAT16 and
// FAT32 volumes (superfloppy), and the pure patcher alone. Goal: well under 100 ms per install, so the
// installer never shows in a card's preparation time (which is dominated by writing the images).
import { resolve } from 'node:path';
import { MemoryBlockDevice } from '../electron/core/block/index.js';
import { formatFat } from '../electron/core/fat/index.js';
import { installSyslinux, loadSyslinuxBinaries, patchLdlinux } from '../electron/core/syslinux/index.js';

const MiB = 1024 * 1024;
const binaries = await loadSyslinuxBinaries(resolve(import.meta.dirname, '../assets/syslinux'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

for (const fatType of [16, 32] as const) {
  const times: number[] = [];
  for (let run = 0; run < 15; run++) {
    const disk = new MemoryBlockDevice((fatType === 32 ? 256 : 64) * MiB);
    const volume = await formatFat(disk, { fatType, label: 'BENCH' });
    await volume.close();
    const started = performance.now();
    await installSyslinux(disk, { binaries });
    times.push(performance.now() - started);
  }
  console.log(
    `syslinux-install FAT${fatType}: median ${median(times).toFixed(1)} ms over ${times.length} installs (goal < 100 ms)`,
  );
}

const sectors = Array.from({ length: binaries.ldlinuxImage.length / 512 + 2 }, (_, i) => 1000 + 3 * i);
const started = performance.now();
const rounds = 200;
for (let i = 0; i < rounds; i++) patchLdlinux(binaries.ldlinuxImage, sectors);
console.log(
  `syslinux-patch (fully fragmented): ${((performance.now() - started) / rounds).toFixed(2)} ms per patch`,
);
