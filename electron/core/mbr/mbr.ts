/**
 * The master boot record: 440 bytes of boot code, a disk signature, four primary partition entries
 * and the 0x55AA signature. Boot code and table are written separately, so installing SYSLINUX's
 * mbr.bin never touches the partitions and repartitioning never touches the boot code.
 */
import { randomInt } from 'node:crypto';
import type { BlockDevice } from '../block/block-device.js';
import { setU32, u8, u16, u32 } from '../block/little-endian.js';
import { PartitionBlockDevice } from '../block/partition-block-device.js';
import { looksLikeFatBootSector } from '../fat/boot-sector.js';
import { MbrError } from './mbr-error.js';

export const MBR = {
  bootCode: 0,
  bootCodeSize: 440,
  diskSignature: 440,
  copyProtect: 444,
  partitionTable: 446,
  entrySize: 16,
  entryCount: 4,
  signature: 510,
} as const;

/** Offsets inside one 16-byte partition entry. */
export const PARTITION = {
  status: 0,
  chsFirst: 1,
  type: 4,
  chsLast: 5,
  firstLba: 8,
  sectorCount: 12,
} as const;

export const PARTITION_TYPE = { fat16: 0x06, fat32Lba: 0x0c, linux: 0x83 } as const;
export const ACTIVE = 0x80;
/** 1 MiB in 512-byte sectors: where every modern tool starts the first partition. */
export const DEFAULT_FIRST_LBA = 2048;
const MBR_SECTOR = 512;
const ALIGNMENT = DEFAULT_FIRST_LBA;

export interface PartitionEntry {
  /** 0..3: the slot in the table. */
  index: number;
  bootable: boolean;
  type: number;
  firstLba: number;
  sectorCount: number;
}

export interface PartitionTable {
  diskSignature: number;
  /** Used slots only (type ≠ 0), in slot order. */
  partitions: PartitionEntry[];
}

export type DiskLayout =
  | { kind: 'superfloppy' }
  | { kind: 'mbr'; table: PartitionTable }
  /** Sector 0 has no signature: blank, or something we do not know. */
  | { kind: 'unrecognised' };

/** Parses sector 0 as an MBR. `diskSectors` bounds the partitions when given. */
export function parseMbr(sector: Uint8Array, diskSectors = Number.MAX_SAFE_INTEGER): PartitionTable {
  if (sector.length < MBR_SECTOR || u16(sector, MBR.signature) !== 0xaa55)
    throw new MbrError('no-signature', 'sector 0');
  const partitions: PartitionEntry[] = [];
  for (let index = 0; index < MBR.entryCount; index++) {
    const at = MBR.partitionTable + index * MBR.entrySize;
    const status = u8(sector, at + PARTITION.status);
    const type = u8(sector, at + PARTITION.type);
    if (type === 0) continue;
    if (status !== 0 && status !== ACTIVE)
      throw new MbrError('bad-partition-entry', `entry ${index}: status 0x${status.toString(16)}`);
    const firstLba = u32(sector, at + PARTITION.firstLba);
    const sectorCount = u32(sector, at + PARTITION.sectorCount);
    if (firstLba === 0 || sectorCount === 0)
      throw new MbrError('bad-partition-entry', `entry ${index}: empty range`);
    if (firstLba + sectorCount > diskSectors) {
      throw new MbrError(
        'partition-out-of-range',
        `entry ${index}: ends at ${firstLba + sectorCount} of ${diskSectors}`,
      );
    }
    partitions.push({ index, bootable: status === ACTIVE, type, firstLba, sectorCount });
  }
  const sorted = [...partitions].sort((a, b) => a.firstLba - b.firstLba);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1] as PartitionEntry;
    const after = sorted[i] as PartitionEntry;
    if (before.firstLba + before.sectorCount > after.firstLba) {
      throw new MbrError('overlapping-partitions', `entries ${before.index} and ${after.index}`);
    }
  }
  return { diskSignature: u32(sector, MBR.diskSignature), partitions };
}

export async function readMbr(device: BlockDevice): Promise<PartitionTable> {
  return parseMbr(await device.read(0, MBR_SECTOR), Math.floor(device.size / MBR_SECTOR));
}

/**
 * Superfloppy (a FAT boot sector at LBA 0, no table), MBR, or neither. A valid BPB wins: MBR boot
 * code never forms one, while a FAT boot sector's code area can happen to look like a table.
 */
export async function detectLayout(device: BlockDevice): Promise<DiskLayout> {
  const sector = await device.read(0, MBR_SECTOR);
  if (u16(sector, MBR.signature) !== 0xaa55) return { kind: 'unrecognised' };
  if (looksLikeFatBootSector(sector)) return { kind: 'superfloppy' };
  return { kind: 'mbr', table: parseMbr(sector, Math.floor(device.size / MBR_SECTOR)) };
}

export interface SinglePartitionOptions {
  /** 0x06 (FAT16) or 0x0C (FAT32 LBA). */
  type: number;
  /** Default 2048 (1 MiB). */
  firstLba?: number;
  /** Default: the rest of the disk. */
  sectorCount?: number;
  /** Default: random, never 0. */
  diskSignature?: number;
  /** Default: true (0x80). */
  bootable?: boolean;
  /**
   * Partitions 2, 3 … at the end of the disk, in order, each starting on a 1 MiB boundary; partition 1 then
   * ends before the first of them (its `sectorCount`, when given, must leave them room).
   */
  following?: Array<{ type: number; sectorCount: number }>;
}

/** The 72 bytes at 440..511 (signature, entries, 0x55AA) for a disk of `diskSectors`. */
export function buildPartitionTable(diskSectors: number, options: SinglePartitionOptions): Uint8Array {
  const firstLba = options.firstLba ?? DEFAULT_FIRST_LBA;
  const following = options.following ?? [];
  if (following.length > 3) throw new MbrError('invalid-option', `${following.length + 1} partitions`);
  // The following partitions are laid out backwards from the disk's end, each on a 1 MiB boundary.
  const placed: Array<{ type: number; firstLba: number; sectorCount: number }> = [];
  let end = Math.min(diskSectors, 0x100000000);
  for (const partition of [...following].reverse()) {
    if (!Number.isInteger(partition.sectorCount) || partition.sectorCount < 1) {
      throw new MbrError('invalid-option', `${partition.sectorCount} sectors`);
    }
    const start = Math.floor((end - partition.sectorCount) / ALIGNMENT) * ALIGNMENT;
    placed.unshift({ type: partition.type, firstLba: start, sectorCount: partition.sectorCount });
    end = start;
  }
  const sectorCount = options.sectorCount ?? end - firstLba;
  const diskSignature = options.diskSignature ?? randomInt(1, 0x100000000);
  for (const type of [options.type, ...following.map((partition) => partition.type)]) {
    if (!Number.isInteger(type) || type <= 0 || type > 0xff) {
      throw new MbrError('invalid-option', `type ${type}`);
    }
  }
  if (!Number.isInteger(firstLba) || firstLba < 1 || !Number.isInteger(sectorCount) || sectorCount < 1) {
    throw new MbrError('invalid-option', `start ${firstLba}, ${sectorCount} sectors`);
  }
  if (firstLba + sectorCount > end || firstLba + sectorCount > 0x100000000) {
    throw new MbrError('partition-out-of-range', `${firstLba}+${sectorCount} on ${diskSectors} sectors`);
  }
  const sector = new Uint8Array(MBR_SECTOR);
  setU32(sector, MBR.diskSignature, diskSignature);
  const entries = [{ type: options.type, firstLba, sectorCount }, ...placed];
  entries.forEach((entry, index) => {
    const at = MBR.partitionTable + index * MBR.entrySize;
    sector[at + PARTITION.status] = index === 0 && (options.bootable ?? true) ? ACTIVE : 0;
    sector.set(chs(entry.firstLba), at + PARTITION.chsFirst);
    sector[at + PARTITION.type] = entry.type;
    sector.set(chs(entry.firstLba + entry.sectorCount - 1), at + PARTITION.chsLast);
    setU32(sector, at + PARTITION.firstLba, entry.firstLba);
    setU32(sector, at + PARTITION.sectorCount, entry.sectorCount);
  });
  sector[MBR.signature] = 0x55;
  sector[MBR.signature + 1] = 0xaa;
  return sector.subarray(MBR.diskSignature);
}

/** Writes the partition table, leaving the boot code (bytes 0..439) as it is. */
export async function writePartitionTable(
  device: BlockDevice,
  options: SinglePartitionOptions,
): Promise<PartitionTable> {
  const diskSectors = Math.floor(device.size / MBR_SECTOR);
  const tail = buildPartitionTable(diskSectors, options);
  await device.write(MBR.diskSignature, tail);
  await device.flush();
  return readMbr(device);
}

/** Writes boot code into bytes 0..439 only. Longer code (a whole 512-byte mbr.bin) is cut at 440. */
export async function writeBootCode(device: BlockDevice, code: Uint8Array): Promise<void> {
  if (code.length === 0) throw new MbrError('invalid-option', 'empty boot code');
  await device.write(MBR.bootCode, code.subarray(0, MBR.bootCodeSize));
  await device.flush();
}

/** A window onto one partition: what formatFat and openFat are given. */
export function partitionDevice(device: BlockDevice, entry: PartitionEntry): PartitionBlockDevice {
  const start = entry.firstLba * MBR_SECTOR;
  const size = entry.sectorCount * MBR_SECTOR;
  if (start + size > device.size) throw new MbrError('partition-out-of-range', `entry ${entry.index}`);
  return new PartitionBlockDevice(device, start, size);
}

/** Cylinder/head/sector for 255 heads × 63 sectors; 0xFE 0xFF 0xFF once past cylinder 1023. */
export function chs(lba: number): [number, number, number] {
  const cylinder = Math.floor(lba / (255 * 63));
  if (cylinder > 1023) return [0xfe, 0xff, 0xff];
  const head = Math.floor(lba / 63) % 255;
  const sector = (lba % 63) + 1;
  return [head, sector | ((cylinder >> 2) & 0xc0), cylinder & 0xff];
}
