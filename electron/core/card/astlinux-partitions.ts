/**
 * The ext2 partitions AstLinux keeps beside its FAT partition, found by their labels the way AstLinux's
 * initrd finds them (`astkd=auto`, `asturw=auto`): `ASTKD`, the keydisk, and `ASTURW`, its writable layer.
 */
import type { BlockDevice } from '../block/block-device.js';
import { detectLayout, type PartitionEntry } from '../mbr/index.js';
import { readExt2Summary } from './ext2-format.js';

export const KEYDISK_LABEL = 'ASTKD';
export const WRITABLE_LABEL = 'ASTURW';

export interface AstlinuxPartition {
  /** 1-based, as Linux names it (`sda3` is number 3). */
  number: number;
  type: number;
  /** Byte offset and length on the disk. */
  start: number;
  size: number;
  /** The ext2/3/4 label; null when the partition holds no ext2 filesystem. */
  label: string | null;
  role: 'keydisk' | 'writable' | null;
}

const SECTOR = 512;

/** Every partition of an MBR disk but the FAT one, with its ext2 label; empty for a superfloppy. */
export async function readAstlinuxPartitions(
  disk: BlockDevice,
  fatPartition: PartitionEntry | null,
): Promise<AstlinuxPartition[]> {
  const layout = await detectLayout(disk);
  if (layout.kind !== 'mbr') return [];
  const found: AstlinuxPartition[] = [];
  for (const entry of layout.table.partitions) {
    if (fatPartition && entry.index === fatPartition.index) continue;
    const start = entry.firstLba * SECTOR;
    const size = entry.sectorCount * SECTOR;
    let label: string | null = null;
    if (start + 2048 <= disk.size && size >= 2048) {
      label = readExt2Summary(await disk.read(start, 2048))?.label ?? null;
    }
    const role = label === KEYDISK_LABEL ? 'keydisk' : label === WRITABLE_LABEL ? 'writable' : null;
    found.push({ number: entry.index + 1, type: entry.type, start, size, label, role });
  }
  return found;
}
