/**
 * A card made only by our code — partition table, FAT, syslinux.cfg, kernel, SYSLINUX — boots under QEMU:
 * SYSLINUX prints its banner and starts the kernel syslinux.cfg names.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlockDevice, FileBlockDevice } from '../../electron/core/block/index.js';
import { type FatVolume, formatFat } from '../../electron/core/fat/index.js';
import { PARTITION_TYPE, partitionDevice, writePartitionTable } from '../../electron/core/mbr/index.js';
import {
  type InstallSyslinuxResult,
  inspectSyslinux,
  installSyslinux,
  loadSyslinuxBinaries,
  type SyslinuxBinaries,
} from '../../electron/core/syslinux/index.js';
import { boot } from '../loader/qemu.js';

const root = resolve(import.meta.dirname, '../..');
const KERNEL = join(root, 'assets/loader/bzImage');
const SYSLINUX_ASSETS = join(root, 'assets/syslinux');
const MiB = 1024 * 1024;

const SYSLINUX_CFG = [
  'SERIAL 0 115200',
  'DEFAULT linux',
  'PROMPT 0',
  'TIMEOUT 0',
  'LABEL linux',
  '  LINUX vmlinuz',
  '  APPEND console=ttyS0,115200 panic=-1',
  '',
].join('\n');

let work: string;
let binaries: SyslinuxBinaries;
let kernel: Uint8Array;

beforeAll(async () => {
  if (!existsSync(KERNEL)) {
    throw new Error(`${KERNEL} is missing: the loader build must run first (it puts Debian's kernel there)`);
  }
  if (!existsSync(join(SYSLINUX_ASSETS, 'manifest.json'))) {
    throw new Error(`${SYSLINUX_ASSETS} is missing: run npm run build:syslinux first`);
  }
  binaries = await loadSyslinuxBinaries(SYSLINUX_ASSETS);
  kernel = new Uint8Array(readFileSync(KERNEL));
  work = mkdtempSync(join(tmpdir(), 'syslinux-boot-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * Leaves only holes of one cluster free (small files, a filler after them, every other small file
 * deleted), so ldlinux.sys must be spread over many extents.
 */
async function fragmentFreeSpace(volume: FatVolume): Promise<void> {
  const { clusterSize } = await volume.volumeInfo();
  await volume.mkdir('holes');
  for (let i = 0; i < 300; i++) await volume.writeFile(`holes/${i}`, new Uint8Array(clusterSize).fill(i));
  await volume.writeFile('filler', new Uint8Array((await volume.freeBytes()) - 8 * clusterSize));
  for (let i = 0; i < 300; i += 2) await volume.unlink(`holes/${i}`);
}

async function makeCard(
  path: string,
  layout: 'superfloppy' | 'mbr',
  fatType: 16 | 32,
  fragment: boolean,
): Promise<InstallSyslinuxResult> {
  const disk = await FileBlockDevice.create(path, (fatType === 32 ? 300 : 64) * MiB);
  try {
    let volumeDevice: BlockDevice = disk;
    let hiddenSectors = 0;
    if (layout === 'mbr') {
      const table = await writePartitionTable(disk, {
        type: fatType === 32 ? PARTITION_TYPE.fat32Lba : PARTITION_TYPE.fat16,
        bootable: false,
      });
      const entry = table.partitions[0];
      if (!entry) throw new Error('writePartitionTable made no partition');
      volumeDevice = partitionDevice(disk, entry);
      hiddenSectors = entry.firstLba;
    }
    const volume = await formatFat(volumeDevice, { fatType, label: 'ASTCARD', hiddenSectors });
    await volume.writeFile('syslinux.cfg', new TextEncoder().encode(SYSLINUX_CFG));
    await volume.writeFile('vmlinuz', kernel);
    if (fragment) await fragmentFreeSpace(volume);
    await volume.close();
    const result = await installSyslinux(disk, { binaries });
    const inspection = await inspectSyslinux(disk, { knownBuilds: [binaries] });
    expect(inspection.problems).toEqual([]);
    return result;
  } finally {
    await disk.close();
  }
}

// Each case on its own card: two boots at once (qemu.ts).
describe.concurrent('a card made by astcard boots SYSLINUX and the kernel under QEMU', () => {
  it.each([
    { layout: 'superfloppy' as const, fatType: 16 as const, fragment: false },
    { layout: 'mbr' as const, fatType: 32 as const, fragment: false },
    { layout: 'superfloppy' as const, fatType: 16 as const, fragment: true },
  ])('$layout, FAT$fatType, fragmented: $fragment', async ({ layout, fatType, fragment }) => {
    const image = join(work, `${layout}-${fatType}-${fragment}.img`);
    const result = await makeCard(image, layout, fatType, fragment);
    expect(result.extents > 20).toBe(fragment);
    const run = await boot([{ file: image, interface: 'ide' }], { until: /Linux version \S+/ });
    expect(run.log, run.log.slice(-3000)).toContain(`SYSLINUX ${binaries.version}`);
    expect(
      /Linux version \S+/.test(run.log),
      `no "Linux version" on the serial console after ${run.seconds} s:\n${run.log.slice(-3000)}`,
    ).toBe(true);
  });
});
