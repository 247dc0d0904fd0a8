import { setU64, u8, u16, u32 } from '../block/little-endian.js';
import { BPB, EBPB32 } from '../fat/boot-sector.js';
import type { PatchArea } from './patch-area.js';
import { SECTOR_SIZE } from './patch-area.js';
import { SyslinuxError } from './syslinux-error.js';

/** The FAT boot sector fields the installer reads: the FAT layer's named offsets. */
const BS = { ...BPB, fatSize32: EBPB32.fatSize32 } as const;

/** SYSLINUX's jump and OEM name, then its boot code after the largest (FAT32) BPB, up to the signature. */
const HEAD_END = 11;
const CODE_START = 90;
const CODE_END = 510;

const FAT12_LIMIT = 4085;
const FAT16_LIMIT = 65525;
/** Cluster counts this close to a type boundary are refused: tools disagree on how to count them. */
const BOUNDARY_MARGIN = 16;

export interface VolumeGeometry {
  bytesPerSector: number;
  media: number;
  hiddenSectors: number;
  clusters: number;
  fatType: 12 | 16 | 32;
}

function fatTypeOf(clusters: number): 12 | 16 | 32 {
  return clusters < FAT12_LIMIT ? 12 : clusters < FAT16_LIMIT ? 16 : 32;
}

/** Reads what the installer needs from a FAT boot sector, refusing volumes SYSLINUX cannot boot. */
export function checkBootableVolume(sector: Uint8Array): VolumeGeometry {
  if (sector.length < SECTOR_SIZE || u16(sector, BS.signature) !== 0xaa55) {
    throw new SyslinuxError('no-fat-volume', 'the volume boot sector has no 55AA signature');
  }
  const bytesPerSector = u16(sector, BS.bytesPerSector);
  if (bytesPerSector !== SECTOR_SIZE) {
    throw new SyslinuxError('unsupported-sector-size', `the volume uses ${bytesPerSector}-byte sectors`);
  }
  const perCluster = u8(sector, BS.sectorsPerCluster);
  if (perCluster === 0 || (perCluster & (perCluster - 1)) !== 0) {
    throw new SyslinuxError('no-fat-volume', `impossible cluster size of ${perCluster} sectors`);
  }
  const media = u8(sector, BS.media);
  if (media !== 0xf0 && media < 0xf8) {
    throw new SyslinuxError('unsupported-media', `media byte 0x${media.toString(16)}`);
  }
  const total = u16(sector, BS.totalSectors16) || u32(sector, BS.totalSectors32);
  const fatSize = u16(sector, BS.fatSize16) || u32(sector, BS.fatSize32);
  const rootEntries = u16(sector, BS.rootEntryCount);
  const metadata = u16(sector, BS.reservedSectors) + u8(sector, BS.fatCount) * fatSize;
  const rootSectors = Math.ceil((rootEntries * 32) / SECTOR_SIZE);
  const dataSectors = total - metadata - rootSectors;
  if (fatSize === 0 || u8(sector, BS.fatCount) === 0 || dataSectors <= 0) {
    throw new SyslinuxError('no-fat-volume', 'the BPB describes no data area');
  }
  const clusters = Math.floor(dataSectors / perCluster);
  // SYSLINUX's installer subtracts only about one root-directory sector, so it counts a few clusters more.
  const installerClusters = Math.floor(
    (dataSectors + rootSectors - Math.floor((rootEntries + 15) / 512)) / perCluster,
  );
  const fatType = fatTypeOf(clusters);
  const nearBoundary = [FAT12_LIMIT, FAT16_LIMIT].some(
    (limit) => Math.abs(clusters - limit) < BOUNDARY_MARGIN,
  );
  if (nearBoundary || fatTypeOf(installerClusters) !== fatType) {
    throw new SyslinuxError('ambiguous-fat-type', `${clusters} clusters, too close to a FAT type boundary`);
  }
  if (fatType !== 32 && u16(sector, BS.fatSize16) === 0) {
    throw new SyslinuxError(
      'ambiguous-fat-type',
      `${clusters} clusters make FAT${fatType}, but the BPB is FAT32's`,
    );
  }
  if (fatType === 32 && u16(sector, BS.fatSize16) !== 0) {
    throw new SyslinuxError(
      'ambiguous-fat-type',
      `${clusters} clusters make FAT32, but the BPB is FAT12/16's`,
    );
  }
  return { bytesPerSector, media, hiddenSectors: u32(sector, BS.hiddenSectors), clusters, fatType };
}

/**
 * The volume's boot sector with SYSLINUX's code merged in: its jump, OEM name and code replace the volume's,
 * its BPB stays, and the code learns where ldlinux.sys's first sector lies.
 */
export function mergeBootSector(
  volumeSector: Uint8Array,
  syslinuxSector: Uint8Array,
  area: Pick<PatchArea, 'sect1Ptr0' | 'sect1Ptr1'>,
  firstSector: number,
): Uint8Array {
  const merged = volumeSector.slice(0, SECTOR_SIZE);
  merged.set(syslinuxSector.subarray(0, HEAD_END), 0);
  merged.set(syslinuxSector.subarray(CODE_START, CODE_END), CODE_START);
  // The two halves of one 64-bit LBA, each at the place the boot code reads it from.
  const lba = new Uint8Array(8);
  setU64(lba, 0, firstSector);
  merged.set(lba.subarray(0, 4), area.sect1Ptr0);
  merged.set(lba.subarray(4, 8), area.sect1Ptr1);
  return merged;
}

/** Where the boot code's pointer to ldlinux.sys says the first sector lies. */
export function bootSectorFirstSector(
  sector: Uint8Array,
  area: Pick<PatchArea, 'sect1Ptr0' | 'sect1Ptr1'>,
): number {
  return u32(sector, area.sect1Ptr0) + u32(sector, area.sect1Ptr1) * 0x1_0000_0000;
}

/** Whether the sector carries SYSLINUX's boot code (its OEM name and the code area of the shipped build). */
export function hasSyslinuxOemName(sector: Uint8Array): boolean {
  return String.fromCharCode(...sector.subarray(3, 11)) === 'SYSLINUX';
}
