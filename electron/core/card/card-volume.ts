/**
 * Every card operation opens the card's FAT volume here. Opened for writing, the volume is checked whole
 * before anything else happens: what a cut in one of astcard's own operations left is put right (lost
 * space freed, FAT copies brought in step, an interrupted replace finished), and any other damage refuses
 * the operation with the reason and the way out (`astcard repair`), before a single byte is written.
 */
import type { BlockDevice } from '../block/block-device.js';
import { u8 } from '../block/little-endian.js';
import { AstcardError } from '../errors.js';
import { parseBootSector } from '../fat/boot-sector.js';
import { FatError, VolumeDamagedError } from '../fat/fat-error.js';
import { type FatVolume, openFat, type VolumeProblem } from '../fat/fat-volume.js';
import { detectLayout, type PartitionEntry, partitionDevice } from '../mbr/index.js';
import { CardError } from './card-error.js';
import { finalNameOf } from './temporary-files.js';

const FAT_PARTITION_TYPES = new Set([0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e]);

export interface CardVolume {
  layout: 'mbr' | 'superfloppy';
  /** The FAT volume's own device: the whole disk, or the partition's window. */
  device: BlockDevice;
  partition: PartitionEntry | null;
  volume: FatVolume;
  /** What an interrupted operation had left and was put right on opening for writing (empty: nothing). */
  recovered: VolumeProblem[];
}

export interface OpenCardVolumeOptions {
  readOnly?: boolean;
  /**
   * Open for `astcard repair`: writable, but without the check that refuses a damaged volume (the repair
   * is what that check points to).
   */
  forRepair?: boolean;
}

/** Refusal to write to a card whose volume is damaged; `problems` says what the check found. */
export class DamagedCardError extends AstcardError {
  declare readonly code: 'volume-damaged';

  constructor(
    target: string,
    readonly problems: VolumeProblem[],
    cause: unknown,
  ) {
    const [first] = problems;
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`
        : '';
    super(
      'volume-damaged',
      `Nothing was written: the card's file system is damaged, and writing to it could destroy files. ${first?.message ?? ''}${more} Run "astcard repair ${target}" to fix it, then try again.`,
      { cause, detail: problems.map((problem) => `${problem.code}: ${problem.message}`).join('; ') },
    );
  }
}

/** Finds and opens the card's FAT volume: the disk itself (superfloppy) or its first FAT partition. */
export async function openCardVolume(
  disk: BlockDevice,
  options: OpenCardVolumeOptions = {},
): Promise<CardVolume> {
  const layout = await detectCardLayout(disk);
  let device: BlockDevice = disk;
  let partition: PartitionEntry | null = null;
  if (layout.kind === 'unrecognised') {
    throw new CardError('not-a-card', `${disk.name} is empty or holds no partition table or FAT volume.`);
  }
  if (layout.kind === 'mbr') {
    partition = layout.table.partitions.find((entry) => FAT_PARTITION_TYPES.has(entry.type)) ?? null;
    if (!partition) {
      throw new CardError('not-a-card', `${disk.name} has a partition table but no FAT partition.`);
    }
    device = partitionDevice(disk, partition);
  }
  let volume: FatVolume;
  try {
    volume = await openFat(device, { readOnly: options.readOnly ?? false, temporaryOf: finalNameOf });
  } catch (error) {
    if (
      error instanceof FatError &&
      (error.code === 'bad-boot-sector' || error.code === 'volume-exceeds-device')
    ) {
      throw new CardError('not-a-card', `${disk.name} holds no readable FAT volume.`, { cause: error });
    }
    throw error;
  }
  if (options.readOnly || options.forRepair)
    return { layout: layout.kind, device, partition, volume, recovered: [] };
  try {
    const { repaired } = await volume.prepareForWriting();
    return { layout: layout.kind, device, partition, volume, recovered: repaired };
  } catch (error) {
    await volume.close().catch(() => {});
    if (error instanceof VolumeDamagedError) throw new DamagedCardError(disk.name, error.problems, error);
    throw error;
  }
}

/**
 * The disk's layout, telling a superfloppy whose boot sector is damaged from a partition table: both end
 * in 0x55AA, and a FAT boot sector read as a partition table only ever yields nonsense entries.
 */
async function detectCardLayout(disk: BlockDevice): ReturnType<typeof detectLayout> {
  try {
    return await detectLayout(disk);
  } catch (error) {
    const sector = await disk.read(0, 512).catch(() => null);
    if (!sector || !looksLikeDamagedFatBootSector(sector)) throw error;
    let why = 'it does not describe a usable volume';
    try {
      parseBootSector(sector, disk.size);
    } catch (reason) {
      if (reason instanceof FatError) why = reason.detail;
    }
    throw new CardError(
      'not-a-card',
      `${disk.name} holds a FAT volume without a partition table whose boot sector is damaged (${why}), so its files cannot be read. If you need them, repair it with a FAT repair tool (fsck.fat); otherwise prepare the card again.`,
      { cause: error },
    );
  }
}

/** A jump instruction and a FAT type name where a FAT boot sector keeps them: a boot sector, if a broken one. */
function looksLikeDamagedFatBootSector(sector: Uint8Array): boolean {
  const jump = u8(sector, 0);
  if (jump !== 0xeb && jump !== 0xe9) return false;
  const text = (offset: number) => String.fromCharCode(...sector.subarray(offset, offset + 5));
  return /^FAT(1[26]|32)?/.test(text(54)) || /^FAT(1[26]|32)?/.test(text(82)) || text(54).startsWith('FAT');
}
