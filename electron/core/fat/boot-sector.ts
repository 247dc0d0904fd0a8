/** The FAT boot sector (BPB) as named offsets, and the volume geometry it implies. */
import { ascii, u8, u16, u32 } from '../block/little-endian.js';
import { FatError } from './fat-error.js';

/** Offsets common to every FAT type (fatgen103 names without the `BPB_`/`BS_` prefixes). */
export const BPB = {
  jmpBoot: 0,
  oemName: 3,
  bytesPerSector: 11,
  sectorsPerCluster: 13,
  reservedSectors: 14,
  fatCount: 16,
  rootEntryCount: 17,
  totalSectors16: 19,
  media: 21,
  fatSize16: 22,
  sectorsPerTrack: 24,
  headCount: 26,
  hiddenSectors: 28,
  totalSectors32: 32,
  signature: 510,
} as const;

/** The extended BPB of FAT12/16 volumes. */
export const EBPB16 = {
  driveNumber: 36,
  reserved: 37,
  bootSignature: 38,
  volumeId: 39,
  volumeLabel: 43,
  fileSystemType: 54,
  bootCode: 62,
} as const;

/** The extended BPB of FAT32 volumes. */
export const EBPB32 = {
  fatSize32: 36,
  extFlags: 40,
  fsVersion: 42,
  rootCluster: 44,
  fsInfoSector: 48,
  backupBootSector: 50,
  driveNumber: 64,
  reserved: 65,
  bootSignature: 66,
  volumeId: 67,
  volumeLabel: 71,
  fileSystemType: 82,
  bootCode: 90,
} as const;

/** The FSInfo sector of FAT32 volumes. */
export const FSINFO = {
  leadSignature: 0,
  structSignature: 484,
  freeCount: 488,
  nextFree: 492,
  trailSignature: 508,
  LEAD: 0x41615252,
  STRUCT: 0x61417272,
  TRAIL: 0xaa550000,
  UNKNOWN: 0xffffffff,
} as const;

export const EXTENDED_BOOT_SIGNATURE = 0x29;
/** Microsoft's limits: fewer clusters than these make a FAT12 / FAT16 volume. */
export const FAT12_MAX_CLUSTERS = 4084;
export const FAT16_MAX_CLUSTERS = 65524;

export type FatType = 12 | 16 | 32;

export interface FatGeometry {
  type: FatType;
  bytesPerSector: number;
  sectorsPerCluster: number;
  clusterSize: number;
  reservedSectors: number;
  fatCount: number;
  fatSectors: number;
  rootEntryCount: number;
  /** First sector of the fixed root directory (FAT12/16); 0 on FAT32. */
  rootDirSector: number;
  rootDirSectors: number;
  firstDataSector: number;
  totalSectors: number;
  /** Data clusters, numbered 2 .. clusterCount + 1. */
  clusterCount: number;
  /** FAT32 root directory start cluster; 0 on FAT12/16. */
  rootCluster: number;
  fsInfoSector: number;
  backupBootSector: number;
  hiddenSectors: number;
  media: number;
  /** From the extended BPB when present. */
  serial: number | undefined;
  bpbLabel: string | undefined;
}

const SECTOR_SIZES = new Set([512, 1024, 2048, 4096]);

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/** Cheap recognition used to tell a superfloppy from an MBR: does this look like a FAT boot sector? */
export function looksLikeFatBootSector(sector: Uint8Array): boolean {
  try {
    parseBootSector(sector, Number.MAX_SAFE_INTEGER);
    return true;
  } catch {
    return false;
  }
}

/** Validates the BPB in `sector` (the volume's first sector) for a device of `deviceSize` bytes. */
export function parseBootSector(sector: Uint8Array, deviceSize: number): FatGeometry {
  const bad = (why: string): never => {
    throw new FatError('bad-boot-sector', why);
  };
  if (sector.length < 512) bad('shorter than 512 bytes');
  const jump = u8(sector, BPB.jmpBoot);
  if (jump !== 0xeb && jump !== 0xe9) bad(`jump instruction 0x${jump.toString(16)}`);
  if (u16(sector, BPB.signature) !== 0xaa55) bad('missing 0x55AA signature');
  const bytesPerSector = u16(sector, BPB.bytesPerSector);
  if (!SECTOR_SIZES.has(bytesPerSector)) bad(`bytes per sector ${bytesPerSector}`);
  const sectorsPerCluster = u8(sector, BPB.sectorsPerCluster);
  if (!isPowerOfTwo(sectorsPerCluster)) bad(`sectors per cluster ${sectorsPerCluster}`);
  const clusterSize = bytesPerSector * sectorsPerCluster;
  if (clusterSize > 65536) bad(`cluster size ${clusterSize}`);
  const reservedSectors = u16(sector, BPB.reservedSectors);
  if (reservedSectors < 1) bad('no reserved sectors');
  const fatCount = u8(sector, BPB.fatCount);
  if (fatCount < 1 || fatCount > 4) bad(`${fatCount} FATs`);
  const rootEntryCount = u16(sector, BPB.rootEntryCount);
  const totalSectors = u16(sector, BPB.totalSectors16) || u32(sector, BPB.totalSectors32);
  if (totalSectors === 0) bad('zero total sectors');
  if (totalSectors * bytesPerSector > deviceSize) {
    throw new FatError(
      'volume-exceeds-device',
      `${totalSectors * bytesPerSector} bytes on a ${deviceSize}-byte device`,
    );
  }
  const fatSize16 = u16(sector, BPB.fatSize16);
  const fatSectors = fatSize16 || u32(sector, EBPB32.fatSize32);
  if (fatSectors === 0) bad('zero FAT size');
  const rootDirSectors = Math.ceil((rootEntryCount * 32) / bytesPerSector);
  const rootDirSector = reservedSectors + fatCount * fatSectors;
  const firstDataSector = rootDirSector + rootDirSectors;
  if (firstDataSector >= totalSectors) bad('no room for a data area');
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  if (clusterCount < 1) bad('no data clusters');
  const type: FatType =
    clusterCount <= FAT12_MAX_CLUSTERS ? 12 : clusterCount <= FAT16_MAX_CLUSTERS ? 16 : 32;
  if (type === 32 && (fatSize16 !== 0 || rootEntryCount !== 0)) bad('FAT32 cluster count with a FAT16 BPB');
  if (type !== 32 && rootEntryCount === 0) bad('FAT12/16 volume without root directory entries');
  const entryBits = type === 12 ? 12 : type === 16 ? 16 : 32;
  if (Math.floor((fatSectors * bytesPerSector * 8) / entryBits) < clusterCount + 2)
    bad('FAT too small for the clusters');
  let rootCluster = 0;
  let fsInfoSector = 0;
  let backupBootSector = 0;
  if (type === 32) {
    rootCluster = u32(sector, EBPB32.rootCluster);
    if (rootCluster < 2 || rootCluster > clusterCount + 1) bad(`root cluster ${rootCluster}`);
    fsInfoSector = u16(sector, EBPB32.fsInfoSector);
    if (fsInfoSector >= reservedSectors) fsInfoSector = 0;
    backupBootSector = u16(sector, EBPB32.backupBootSector);
    if (backupBootSector >= reservedSectors) backupBootSector = 0;
  }
  const ext = type === 32 ? EBPB32 : EBPB16;
  const hasExtended = u8(sector, ext.bootSignature) === EXTENDED_BOOT_SIGNATURE;
  return {
    type,
    bytesPerSector,
    sectorsPerCluster,
    clusterSize,
    reservedSectors,
    fatCount,
    fatSectors,
    rootEntryCount,
    rootDirSector: type === 32 ? 0 : rootDirSector,
    rootDirSectors,
    firstDataSector,
    totalSectors,
    clusterCount,
    rootCluster,
    fsInfoSector,
    backupBootSector,
    hiddenSectors: u32(sector, BPB.hiddenSectors),
    media: u8(sector, BPB.media),
    serial: hasExtended ? u32(sector, ext.volumeId) : undefined,
    bpbLabel: bpbLabelOf(sector, type),
  };
}

/** The label in a boot sector's extended BPB; undefined without one. Read again after the sector changes. */
export function bpbLabelOf(sector: Uint8Array, type: FatType): string | undefined {
  const ext = type === 32 ? EBPB32 : EBPB16;
  if (u8(sector, ext.bootSignature) !== EXTENDED_BOOT_SIGNATURE) return undefined;
  return ascii(sector, ext.volumeLabel, 11).trimEnd();
}
