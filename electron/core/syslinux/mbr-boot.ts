import { ACTIVE, type PartitionEntry, type PartitionTable, parseMbr } from '../mbr/index.js';
import { SECTOR_SIZE } from './patch-area.js';
import { SyslinuxError } from './syslinux-error.js';

/** The MBR boot program's room: bytes 0–439, before the disk signature and the partition table. */
const MBR_CODE_SIZE = 440;
const TABLE = 446;
const ENTRY_SIZE = 16;
const ENTRIES = 4;

/** Partition type bytes that hold FAT (plain and hidden variants). */
const FAT_TYPES = new Set([0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e, 0x11, 0x14, 0x16, 0x1b, 0x1c, 0x1e]);

export function isFatPartitionType(type: number): boolean {
  return FAT_TYPES.has(type);
}

/** Picks the partition to boot: the one asked for (0-based slot), else the only FAT partition. */
export function choosePartition(table: PartitionTable, index: number | undefined): PartitionEntry {
  if (index !== undefined) {
    const chosen = table.partitions.find((partition) => partition.index === index);
    if (!chosen) throw new SyslinuxError('no-such-partition', `partition slot ${index} is empty`);
    return chosen;
  }
  const fat = table.partitions.filter((partition) => isFatPartitionType(partition.type));
  const [only] = fat;
  if (!only) throw new SyslinuxError('no-fat-volume', 'the partition table lists no FAT partition');
  if (fat.length > 1) {
    throw new SyslinuxError(
      'partition-ambiguous',
      `FAT partitions in slots ${fat.map((p) => p.index).join(', ')}`,
    );
  }
  return only;
}

/**
 * The MBR with SYSLINUX's boot program in bytes 0–439 and `activeIndex` as the one active entry (mbr.bin
 * boots the single active partition and stops on none or several); signature and table otherwise stay.
 */
export function installMbrCode(mbr: Uint8Array, code: Uint8Array, activeIndex: number): Uint8Array {
  if (code.length > MBR_CODE_SIZE)
    throw new SyslinuxError('binaries-invalid', `MBR code is ${code.length} bytes`);
  const updated = mbr.slice(0, SECTOR_SIZE);
  updated.set(code, 0);
  for (let index = 0; index < ENTRIES; index++) {
    updated[TABLE + index * ENTRY_SIZE] = index === activeIndex ? ACTIVE : 0;
  }
  return updated;
}

/** The slot of the single active entry; undefined when none or several are active. */
export function singleActivePartition(mbr: Uint8Array): number | undefined {
  const active = parseMbr(mbr).partitions.filter((partition) => partition.bootable);
  return active.length === 1 ? active[0]?.index : undefined;
}
