import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { setU16, u64 } from '../../../electron/core/block/little-endian.js';
import type { SyslinuxBinaries } from '../../../electron/core/syslinux/binaries.js';
import { extentsToSectors } from '../../../electron/core/syslinux/extents.js';
import {
  dwordSum,
  EXTENDED,
  LDLINUX_MAGIC,
  readPatchArea,
} from '../../../electron/core/syslinux/patch-area.js';
import { patchLdlinux } from '../../../electron/core/syslinux/patch-ldlinux.js';
import { readExtentTable } from '../../../electron/core/syslinux/read-extents.js';
import { SyslinuxError } from '../../../electron/core/syslinux/syslinux-error.js';
import { shippedBinaries } from './binaries-fixture.js';

let binaries: SyslinuxBinaries;
let imageSectors: number;
beforeAll(async () => {
  binaries = await shippedBinaries();
  imageSectors = binaries.ldlinuxImage.length / 512;
});

/** Distinct sector numbers, shuffled: any placement a FAT allocator could produce, up to 2^40. */
function placements() {
  return fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 40 }), {
    minLength: imageSectors + 2,
    maxLength: imageSectors + 2,
  });
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof SyslinuxError ? error.code : `not a SyslinuxError: ${String(error)}`;
  }
  return undefined;
}

describe('patchLdlinux', () => {
  it('records every sector where the loader will look for it, and the checksum adds up', () => {
    fc.assert(
      fc.property(placements(), (sectors) => {
        const { image, firstSector, patchArea } = patchLdlinux(binaries.ldlinuxImage, sectors);
        expect(firstSector).toBe(sectors[0]);
        expect(extentsToSectors(readExtentTable(image, patchArea))).toEqual(sectors.slice(1, imageSectors));
        expect([
          u64(image, patchArea.advPointersOffset),
          u64(image, patchArea.advPointersOffset + 8),
        ]).toEqual(sectors.slice(imageSectors));
        expect(dwordSum(image, image.length / 4)).toBe(LDLINUX_MAGIC);
        expect(patchArea.dataSectors).toBe(imageSectors);
        expect(patchArea.advSectors).toBe(2);
      }),
      { numRuns: 25 },
    );
  });

  it('leaves the input untouched and writes the install directory NUL-terminated', () => {
    const before = binaries.ldlinuxImage.slice();
    const sectors = Array.from({ length: imageSectors + 2 }, (_, i) => 100 + i);
    const { image, patchArea } = patchLdlinux(binaries.ldlinuxImage, sectors, '/boot/syslinux/');
    expect(Buffer.from(binaries.ldlinuxImage)).toEqual(Buffer.from(before));
    const field = image.subarray(patchArea.directoryOffset, patchArea.directoryOffset + 16);
    expect(Buffer.from(field).toString('latin1')).toBe('/boot/syslinux/\0');
  });

  it('refuses a sector list of the wrong length', () => {
    expect(errorCode(() => patchLdlinux(binaries.ldlinuxImage, [1, 2, 3]))).toBe('binaries-invalid');
  });

  it('refuses placements with more pieces than the extent table holds', () => {
    // Shrink the table to 4 slots so a real build's table can overflow.
    const small = binaries.ldlinuxImage.slice();
    const area = readPatchArea(small);
    setU16(small, area.extendedOffset + EXTENDED.extentSlots, 4);
    const everyOther = Array.from({ length: imageSectors + 2 }, (_, i) => 1000 + 2 * i);
    expect(errorCode(() => patchLdlinux(small, everyOther))).toBe('too-fragmented');
    const pieceBase = (i: number) => (i === 0 ? 7 : i < 30 ? 100 : i < 60 ? 1000 : i < 90 ? 3000 : 9000);
    const fourPieces = Array.from({ length: imageSectors + 2 }, (_, i) => pieceBase(i) + i);
    expect(errorCode(() => patchLdlinux(small, fourPieces))).toBeUndefined();
  });

  it('refuses an image with no patch area', () => {
    expect(errorCode(() => patchLdlinux(new Uint8Array(1024), [1, 2, 3, 4]))).toBe('binaries-invalid');
  });
});
