import type { BlockDevice } from '../block/block-device.js';
import { FatError } from '../fat/fat-error.js';
import { type FatVolume, openFat } from '../fat/fat-volume.js';
import { detectLayout, type PartitionEntry, partitionDevice } from '../mbr/index.js';
import { CardError } from './card-error.js';

const FAT_PARTITION_TYPES = new Set([0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e]);

export interface CardVolume {
  layout: 'mbr' | 'superfloppy';
  /** The FAT volume's own device: the whole disk, or the partition's window. */
  device: BlockDevice;
  partition: PartitionEntry | null;
  volume: FatVolume;
}

/** Finds and opens the card's FAT volume: the disk itself (superfloppy) or its first FAT partition. */
export async function openCardVolume(
  disk: BlockDevice,
  options: { readOnly?: boolean } = {},
): Promise<CardVolume> {
  const layout = await detectLayout(disk);
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
  try {
    const volume = await openFat(device, { readOnly: options.readOnly ?? false });
    return { layout: layout.kind, device, partition, volume };
  } catch (error) {
    if (
      error instanceof FatError &&
      (error.code === 'bad-boot-sector' || error.code === 'volume-exceeds-device')
    ) {
      throw new CardError('not-a-card', `${disk.name} holds no readable FAT volume.`, { cause: error });
    }
    throw error;
  }
}
