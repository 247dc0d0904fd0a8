import { setU16, setU32, setU64 } from '../block/little-endian.js';
import { ADV_COPIES } from './adv.js';
import { sectorsToExtents } from './extents.js';
import {
  dwordSum,
  EXTENT_SIZE,
  LDLINUX_MAGIC,
  PATCH,
  type PatchArea,
  readPatchArea,
  SECTOR_SIZE,
} from './patch-area.js';
import { SyslinuxError } from './syslinux-error.js';

export interface PatchedLdlinux {
  /** The loader image with every install-time field filled in; the ADV is not part of it. */
  image: Uint8Array;
  /** The image's first sector: the boot sector loads it and it loads the rest through the extent table. */
  firstSector: number;
  patchArea: PatchArea;
}

/**
 * Fills the loader image's patch area for a file occupying `sectors` (512-byte sector numbers relative to the
 * filesystem start, in file order: the image's sectors, then the ADV's two). Pure: returns a new image.
 * `directory` is the install directory as SYSLINUX expects it ("/boot/syslinux/"), or "" for the root.
 */
export function patchLdlinux(
  pristine: Uint8Array,
  sectors: readonly number[],
  directory = '',
): PatchedLdlinux {
  if (pristine.length === 0 || pristine.length % SECTOR_SIZE !== 0) {
    throw new SyslinuxError(
      'binaries-invalid',
      `loader image is ${pristine.length} bytes, not whole sectors`,
    );
  }
  const image = pristine.slice();
  const area = readPatchArea(image);
  const imageSectors = image.length / SECTOR_SIZE;
  if (sectors.length !== imageSectors + ADV_COPIES) {
    throw new SyslinuxError(
      'binaries-invalid',
      `ldlinux.sys occupies ${sectors.length} sectors; the image needs ${imageSectors} + ${ADV_COPIES} for the ADV`,
    );
  }
  const base = area.offset;
  setU16(image, base + PATCH.dataSectors, imageSectors);
  setU16(image, base + PATCH.advSectors, ADV_COPIES);
  setU32(image, base + PATCH.dwords, image.length / 4);

  // Sector 0 is found through the boot sector; the extent table lists the rest of the image.
  const extents = sectorsToExtents(sectors.slice(1, imageSectors));
  if (extents.length > area.extentSlots) {
    throw new SyslinuxError(
      'too-fragmented',
      `ldlinux.sys needs ${extents.length} extents; SYSLINUX ${area.extentSlots} slots hold at most that many`,
    );
  }
  image.fill(0, area.extentsOffset, area.extentsOffset + area.extentSlots * EXTENT_SIZE);
  extents.forEach((extent, index) => {
    const slot = area.extentsOffset + index * EXTENT_SIZE;
    setU64(image, slot, extent.lba);
    setU16(image, slot + 8, extent.sectors);
  });

  setU64(image, area.advPointersOffset, sectors[imageSectors] ?? 0);
  setU64(image, area.advPointersOffset + 8, sectors[imageSectors + 1] ?? 0);

  const encoded = new TextEncoder().encode(directory);
  if (encoded.length >= area.directoryLength) {
    throw new SyslinuxError(
      'binaries-invalid',
      `install directory "${directory}" is longer than SYSLINUX allows`,
    );
  }
  image.fill(0, area.directoryOffset, area.directoryOffset + area.directoryLength);
  image.set(encoded, area.directoryOffset);

  setU32(image, base + PATCH.checksum, 0);
  setU32(image, base + PATCH.checksum, (LDLINUX_MAGIC - dwordSum(image, image.length / 4)) >>> 0);

  return { image, firstSector: sectors[0] ?? 0, patchArea: readPatchArea(image) };
}
