/**
 * Prepare: erase a target and make it an AstLinux card — partition table (or superfloppy), FAT labelled
 * ASTLINUX, SYSLINUX for BIOS and for UEFI (EFI/BOOT/), the loader, the boot menu naming the volume for the
 * loader (rendered twice: /syslinux.cfg and EFI/BOOT/syslinux.cfg), the images with their sidecars, and
 * optionally a keydisk. Everything that can be refused is refused before the first write.
 */
import { readFile } from 'node:fs/promises';
import { renderBiosConfig, renderEfiConfig } from '../../../shared/boot-menu.js';
import { type LoaderOptions, loaderKernelOptions } from '../../../shared/loader-config.js';
import { bootMenuFromSettings } from '../../../shared/syslinux-config.js';
import type { BlockDevice } from '../block/block-device.js';
import { DeferredFlushView } from '../block/deferred-flush-view.js';
import { formatFat } from '../fat/format.js';
import {
  DEFAULT_FIRST_LBA,
  PARTITION_TYPE,
  type PartitionEntry,
  partitionDevice,
  writePartitionTable,
} from '../mbr/index.js';
import type { SyslinuxBinaries } from '../syslinux/binaries.js';
import { installSyslinux } from '../syslinux/install.js';
import { CARD_FILES, type LoaderAssets } from './assets.js';
import { KEYDISK_LABEL, WRITABLE_LABEL } from './astlinux-partitions.js';
import { CardError } from './card-error.js';
import { openCardVolume } from './card-volume.js';
import { type CopiedImage, copyImageToCard } from './copy-image.js';
import { efiBytes, NO_EFI, writeEfiBoot } from './efi-files.js';
import { formatExt2Device } from './ext2-format.js';
import type { ImageSource } from './image-source.js';
import { checkKeydisk, writeKeydiskToDevice } from './keydisk.js';
import { checkCancelled, type ProgressListener } from './progress.js';
import type { ReleaseSource } from './release-source.js';
import { copyReleaseToCard, newestGoodRelease, switchVer } from './releases-on-card.js';

export const CARD_LABEL = 'ASTLINUX';
export const RUNNIX_LABEL = 'RUNNIX';
const FAT16_LIMIT = 2 * 1024 ** 3;
const WIPE_BYTES = 1024 * 1024;
/** FAT tables, directories, cluster rounding and SYSLINUX: generous, so a card is never filled to the brim. */
const OVERHEAD_FRACTION = 0.03;
const OVERHEAD_MIN = 4 * 1024 * 1024;

export interface PrepareOptions {
  layout?: 'mbr' | 'superfloppy';
  images: ImageSource[];
  /** Real AstLinux releases, put into os/ (they need the MBR layout: AstLinux looks on partition 1). */
  releases?: ReleaseSource[];
  /**
   * A keydisk to put on the card: as kd.img, or into the ASTKD partition when `partitions.keydisk` asks for
   * one — a file to copy, or the bytes of a new one (createKeydiskImage).
   */
  keydisk?: { path: string } | { data: Uint8Array } | null;
  /** AstLinux's ext2 partitions after the FAT one, in bytes: ASTURW (partition 2), then ASTKD. */
  partitions?: AstlinuxPartitionSizes;
  loader: LoaderAssets;
  syslinux: SyslinuxBinaries;
  /** Console devices for the loader's kernel, the last one primary: by default the serial port, then the screen (primary). */
  console?: string[];
  loaderOptions?: Partial<LoaderOptions>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface AstlinuxPartitionSizes {
  writable?: number;
  keydisk?: number;
}

/** Partitions smaller than this hold too little to be worth making (and ext2 wants 256 KiB). */
export const SMALLEST_EXT2_PARTITION = 1024 * 1024;
const MIB_SECTORS = 2048;

export interface PrepareResult {
  layout: 'mbr' | 'superfloppy';
  /** The ext2 partitions made after the FAT one. */
  partitions: Array<{ number: number; label: string; size: number }>;
  fatType: 12 | 16 | 32;
  label: string;
  serial: string;
  images: CopiedImage[];
  keydisk: boolean;
  loaderVersion: string;
}

export function requiredBytes(
  options: Pick<PrepareOptions, 'images' | 'loader' | 'syslinux' | 'releases' | 'partitions'>,
  keydiskBytes: number,
): number {
  const sizes = options.partitions ?? {};
  const partitionBytes = ext2Partitions(sizes).reduce(
    (sum, partition) => sum + partition.sectorCount * 512 + MIB_SECTORS * 512,
    0,
  );
  // A keydisk that goes into its partition takes no room on the FAT volume.
  const fatKeydisk = sizes.keydisk ? 0 : keydiskBytes;
  const payload =
    options.images.reduce((sum, image) => sum + image.size, 0) +
    (options.releases ?? []).reduce(
      (sum, release) => sum + release.run.size + release.initrd.size + release.conf.length,
      0,
    ) +
    options.loader.kernel.length +
    options.loader.initramfs.length +
    options.syslinux.ldlinuxImage.length +
    options.syslinux.ldlinuxC32.length +
    efiBytes(options.syslinux.efi) +
    fatKeydisk;
  const layoutBytes = DEFAULT_FIRST_LBA * 512;
  return (
    payload + layoutBytes + partitionBytes + Math.max(OVERHEAD_MIN, Math.ceil(payload * OVERHEAD_FRACTION))
  );
}

/** The partitions to make after the FAT one, in AstLinux's order, each a whole number of MiB. */
function ext2Partitions(sizes: AstlinuxPartitionSizes): Array<{ label: string; sectorCount: number }> {
  const wanted: Array<[string, number | undefined]> = [
    [WRITABLE_LABEL, sizes.writable],
    [KEYDISK_LABEL, sizes.keydisk],
  ];
  return wanted.flatMap(([label, bytes]) =>
    bytes === undefined ? [] : [{ label, sectorCount: Math.ceil(bytes / 512 / MIB_SECTORS) * MIB_SECTORS }],
  );
}

/**
 * Erases `disk` and makes it a card. The file system's write barriers wait until the end (see
 * DeferredFlushView): nothing on a card being prepared is worth keeping through a cut, and a read-back
 * still reads what the medium holds. Every write is durable when this returns, or has been tried to be
 * when it throws.
 */
export async function prepareCard(disk: BlockDevice, options: PrepareOptions): Promise<PrepareResult> {
  const card = new DeferredFlushView(disk);
  let result: PrepareResult;
  try {
    result = await prepareFromNothing(card, options);
  } catch (error) {
    await card.flushNow().catch(() => {});
    throw error;
  }
  await card.flushNow();
  return result;
}

async function prepareFromNothing(disk: BlockDevice, options: PrepareOptions): Promise<PrepareResult> {
  const layout = options.layout ?? 'mbr';
  const { onProgress, signal } = options;
  const seen = new Set<string>();
  for (const image of options.images) {
    const key = image.name.toLowerCase();
    if (seen.has(key)) throw new CardError('duplicate-image', `${image.name} was given twice.`);
    seen.add(key);
  }
  const releases = options.releases ?? [];
  for (const release of releases) {
    const key = release.release.toLowerCase();
    if (seen.has(key)) throw new CardError('duplicate-image', `${release.release} was given twice.`);
    seen.add(key);
  }
  if (releases.length > 0 && layout !== 'mbr') {
    throw new CardError(
      'wrong-layout',
      "Real AstLinux releases need a partitioned card: AstLinux's own initrd finds its card only on partition 1 of an MBR disk. Choose the MBR layout. Nothing was written.",
    );
  }
  const extraPartitions = ext2Partitions(options.partitions ?? {});
  if (extraPartitions.length > 0 && layout !== 'mbr') {
    throw new CardError(
      'wrong-layout',
      "AstLinux's ASTURW and ASTKD partitions need a partitioned card. Choose the MBR layout. Nothing was written.",
    );
  }
  for (const [label, bytes] of [
    [WRITABLE_LABEL, options.partitions?.writable],
    [KEYDISK_LABEL, options.partitions?.keydisk],
  ] as const) {
    if (bytes !== undefined && (!Number.isSafeInteger(bytes) || bytes < SMALLEST_EXT2_PARTITION)) {
      throw new CardError(
        'invalid-option',
        `The ${label} partition must be at least 1 MiB (${bytes} bytes was asked). Nothing was written.`,
      );
    }
  }
  const keydisk = options.keydisk
    ? 'data' in options.keydisk
      ? options.keydisk.data
      : await readKeydisk(options.keydisk.path)
    : null;
  if (keydisk) checkKeydisk(keydisk, 'The keydisk');
  const keydiskPartitionBytes = options.partitions?.keydisk;
  if (keydisk && keydiskPartitionBytes !== undefined && keydisk.length > keydiskPartitionBytes) {
    throw new CardError(
      'too-small',
      `The keydisk (${mib(keydisk.length)} MiB) does not fit the ${mib(keydiskPartitionBytes)} MiB ASTKD partition asked for. Make the partition larger. Nothing was written.`,
    );
  }
  const needed = requiredBytes(options, keydisk?.length ?? 0);
  if (needed > disk.size) {
    throw new CardError(
      'too-small',
      `${disk.name} is too small: it holds ${mib(disk.size)} MiB, this card needs about ${mib(needed)} MiB (${mib(needed - disk.size)} MiB more). Use a larger card${extraPartitions.length > 0 ? ', smaller partitions' : ''} or fewer images.`,
    );
  }
  checkCancelled(
    signal,
    () => new CardError('cancelled', 'Prepare was cancelled before anything was written.'),
  );

  // From here on the target is being erased.
  onProgress?.({ phase: 'format', done: 0, total: 1 });
  await disk.write(0, new Uint8Array(Math.min(WIPE_BYTES, disk.size)));
  const fatType: 16 | 32 = layoutSize(disk, layout, extraPartitions) <= FAT16_LIMIT ? 16 : 32;
  let volumeDevice: BlockDevice = disk;
  let hiddenSectors = 0;
  let extraEntries: PartitionEntry[] = [];
  if (layout === 'mbr') {
    const table = await writePartitionTable(disk, {
      type: fatType === 16 ? PARTITION_TYPE.fat16 : PARTITION_TYPE.fat32Lba,
      following: extraPartitions.map(({ sectorCount }) => ({ type: PARTITION_TYPE.linux, sectorCount })),
    });
    const partition = table.partitions[0];
    if (!partition) {
      throw new CardError(
        'card-check-failed',
        'The partition table astcard just wrote does not read back: the card may be failing. Try another card.',
        { detail: 'partition 1 missing after writePartitionTable' },
      );
    }
    hiddenSectors = partition.firstLba;
    volumeDevice = partitionDevice(disk, partition);
    extraEntries = table.partitions.slice(1);
  }
  // AstLinux's own upgrade finds a card holding releases by the label RUNNIX cards carry.
  const label = releases.length > 0 ? RUNNIX_LABEL : CARD_LABEL;
  const formatted = await formatFat(volumeDevice, { fatType, label, hiddenSectors });
  await formatted.close();
  const partitions = await formatExt2Partitions(disk, extraPartitions, extraEntries);
  onProgress?.({ phase: 'format', done: 1, total: 1 });

  onProgress?.({ phase: 'bootloader', done: 0, total: 1 });
  await installSyslinux(disk, { binaries: options.syslinux });
  onProgress?.({ phase: 'bootloader', done: 1, total: 1 });

  const card = await openCardVolume(disk);
  const { volume } = card;
  try {
    const info = await volume.volumeInfo();
    onProgress?.({ phase: 'loader', done: 0, total: 1 });
    await volume.writeFile(CARD_FILES.kernel, options.loader.kernel);
    await volume.writeFile(CARD_FILES.initramfs, options.loader.initramfs);
    await volume.writeFile(CARD_FILES.loaderInfo, encodeLoaderInfo(options.loader));
    const menu = bootMenuFromSettings({
      serial: { port: 0, baud: 115200 },
      kernel: CARD_FILES.kernel,
      initrd: CARD_FILES.initramfs,
      append: loaderKernelOptions(options.console?.map((c) => `console=${c}`)),
      options: { ...options.loaderOptions, card: info.serial },
    });
    await volume.writeFile(CARD_FILES.config, new TextEncoder().encode(renderBiosConfig(menu)));
    await writeEfiBoot(volume, {
      binaries: options.syslinux.efi,
      configText: renderEfiConfig(menu),
      state: NO_EFI,
    });
    onProgress?.({ phase: 'loader', done: 1, total: 1 });

    const images: CopiedImage[] = [];
    for (const image of options.images) {
      images.push(await copyImageToCard(volume, image, { onProgress, signal }));
    }
    for (const release of releases) {
      images.push(await copyReleaseToCard(volume, release, { onProgress, signal }));
    }
    // RUNNIX boots what os/ver names: the release astcard's loader would pick, so either loader agrees.
    const newest = releases.length > 0 ? await newestGoodRelease(volume) : null;
    if (newest) await switchVer(volume, newest);
    const keydiskPartition = partitions.find((partition) => partition.label === KEYDISK_LABEL);
    if (keydisk && keydiskPartition) {
      await writeKeydiskToDevice(keydiskPartition.device, keydisk, { onProgress });
    } else if (keydisk) {
      onProgress?.({ phase: 'keydisk', done: 0, total: keydisk.length });
      await volume.writeFile(CARD_FILES.keydisk, keydisk);
      onProgress?.({ phase: 'keydisk', done: keydisk.length, total: keydisk.length });
    }
    await volume.flush();
    onProgress?.({ phase: 'finish', done: 1, total: 1 });
    return {
      layout,
      partitions: partitions.map(({ number, label, device }) => ({ number, label, size: device.size })),
      fatType: info.type,
      label: info.label,
      serial: info.serial,
      images,
      keydisk: keydisk !== null,
      loaderVersion: options.loader.version,
    };
  } finally {
    await volume.close();
  }
}

export function encodeLoaderInfo(loader: LoaderAssets): Uint8Array {
  const info = { loader: 'astcard', version: loader.version, kernel: loader.kernelRelease };
  return new TextEncoder().encode(`${JSON.stringify(info, null, 2)}\n`);
}

function layoutSize(
  disk: BlockDevice,
  layout: 'mbr' | 'superfloppy',
  extra: Array<{ sectorCount: number }>,
): number {
  const extraBytes = extra.reduce((sum, partition) => sum + (partition.sectorCount + MIB_SECTORS) * 512, 0);
  return layout === 'mbr' ? disk.size - DEFAULT_FIRST_LBA * 512 - extraBytes : disk.size;
}

/** Each ext2 partition the table now holds, formatted empty and labelled as AstLinux finds it. */
async function formatExt2Partitions(
  disk: BlockDevice,
  wanted: Array<{ label: string }>,
  entries: PartitionEntry[],
): Promise<Array<{ number: number; label: string; device: BlockDevice }>> {
  const made: Array<{ number: number; label: string; device: BlockDevice }> = [];
  for (const [index, { label }] of wanted.entries()) {
    const entry = entries[index];
    if (!entry) {
      throw new CardError(
        'card-check-failed',
        'The partition table astcard just wrote does not read back: the card may be failing. Try another card.',
        { detail: `partition ${index + 2} missing after writePartitionTable` },
      );
    }
    const device = partitionDevice(disk, entry);
    await formatExt2Device(device, { label });
    made.push({ number: entry.index + 1, label, device });
  }
  return made;
}

async function readKeydisk(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new CardError('source-unreadable', `Cannot read the keydisk ${path}.`, { cause: error });
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 1 : 0);
}
