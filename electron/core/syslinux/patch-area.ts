import { u16, u32 } from '../block/little-endian.js';
import { SyslinuxError } from './syslinux-error.js';

/** The dword that marks ldlinux.sys's patch area (and that its checksum sums up to). */
export const LDLINUX_MAGIC = 0x3eb202fe;
export const SECTOR_SIZE = 512;

/** Byte offsets inside the patch area, relative to its magic. */
export const PATCH = {
  magic: 0,
  /** LDLINUX_MAGIC xor the build's Unix time: the boot sector carries the same value and checks it. */
  instance: 4,
  dataSectors: 8,
  advSectors: 10,
  dwords: 12,
  checksum: 16,
  maxTransfer: 20,
  extendedOffset: 22,
} as const;

/** u16 fields of the extended patch area, in order; each is an offset into the image (or the boot sector). */
export const EXTENDED = {
  advPointers: 0,
  directory: 2,
  directoryLength: 4,
  subvolume: 6,
  subvolumeLength: 8,
  extents: 10,
  extentSlots: 12,
  sect1Ptr0: 14,
  sect1Ptr1: 16,
  raidPatch: 18,
} as const;

/** One extent-table entry: u64 LBA + u16 sector count. */
export const EXTENT_SIZE = 10;

export interface PatchArea {
  offset: number;
  instance: number;
  dataSectors: number;
  advSectors: number;
  dwords: number;
  checksum: number;
  maxTransfer: number;
  extendedOffset: number;
  advPointersOffset: number;
  directoryOffset: number;
  directoryLength: number;
  extentsOffset: number;
  extentSlots: number;
  /** Where in the boot sector the first sector's LBA goes (low and high dwords). */
  sect1Ptr0: number;
  sect1Ptr1: number;
}

/** Finds and reads the patch area; it lies dword-aligned within the first sector. */
export function readPatchArea(image: Uint8Array): PatchArea {
  const limit = Math.min(image.length, SECTOR_SIZE) - 24;
  for (let offset = 0; offset <= limit; offset += 4) {
    if (u32(image, offset) !== LDLINUX_MAGIC) continue;
    const ext = u16(image, offset + PATCH.extendedOffset);
    if (ext + 20 > image.length) {
      throw new SyslinuxError('binaries-invalid', `extended patch area at ${ext} lies past the image end`);
    }
    const area: PatchArea = {
      offset,
      instance: u32(image, offset + PATCH.instance),
      dataSectors: u16(image, offset + PATCH.dataSectors),
      advSectors: u16(image, offset + PATCH.advSectors),
      dwords: u32(image, offset + PATCH.dwords),
      checksum: u32(image, offset + PATCH.checksum),
      maxTransfer: u16(image, offset + PATCH.maxTransfer),
      extendedOffset: ext,
      advPointersOffset: u16(image, ext + EXTENDED.advPointers),
      directoryOffset: u16(image, ext + EXTENDED.directory),
      directoryLength: u16(image, ext + EXTENDED.directoryLength),
      extentsOffset: u16(image, ext + EXTENDED.extents),
      extentSlots: u16(image, ext + EXTENDED.extentSlots),
      sect1Ptr0: u16(image, ext + EXTENDED.sect1Ptr0),
      sect1Ptr1: u16(image, ext + EXTENDED.sect1Ptr1),
    };
    checkInside(area.advPointersOffset + 16, image.length, 'ADV pointers');
    checkInside(area.directoryOffset + area.directoryLength, image.length, 'directory field');
    checkInside(area.extentsOffset + area.extentSlots * EXTENT_SIZE, image.length, 'extent table');
    checkInside(area.sect1Ptr0 + 4, SECTOR_SIZE - 2, 'boot-sector pointer');
    checkInside(area.sect1Ptr1 + 4, SECTOR_SIZE - 2, 'boot-sector pointer');
    return area;
  }
  throw new SyslinuxError('binaries-invalid', 'no SYSLINUX patch area in the first sector');
}

function checkInside(end: number, limit: number, what: string): void {
  if (end > limit) throw new SyslinuxError('binaries-invalid', `${what} ends at ${end}, past ${limit}`);
}

/** The 32-bit sum of the image's dwords (the first `dwords` of them). */
export function dwordSum(image: Uint8Array, dwords: number): number {
  let sum = 0;
  for (let i = 0; i < dwords; i++) sum = (sum + u32(image, i * 4)) >>> 0;
  return sum;
}
