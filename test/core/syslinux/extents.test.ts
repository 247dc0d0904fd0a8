import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extentsToSectors, sectorsToExtents } from '../../../electron/core/syslinux/extents.js';

/** File sector lists as a FAT file has them: distinct sectors in any order, with runs. */
const sectorLists = fc
  .array(fc.record({ start: fc.nat(1_000_000), length: fc.integer({ min: 1, max: 300 }) }), { maxLength: 8 })
  .map((runs) => {
    const seen = new Set<number>();
    const sectors: number[] = [];
    for (const run of runs) {
      for (let i = 0; i < run.length; i++) {
        if (!seen.has(run.start + i)) {
          seen.add(run.start + i);
          sectors.push(run.start + i);
        }
      }
    }
    return sectors;
  });

describe('sectorsToExtents', () => {
  it('merges consecutive sectors into one extent', () => {
    expect(sectorsToExtents([10, 11, 12, 20, 21, 5])).toEqual([
      { lba: 10, sectors: 3 },
      { lba: 20, sectors: 2 },
      { lba: 5, sectors: 1 },
    ]);
  });

  it('splits a long run so no extent reaches 64 KiB (one real-mode BIOS read)', () => {
    const run = Array.from({ length: 300 }, (_, i) => 1000 + i);
    const extents = sectorsToExtents(run);
    expect(extents.map((extent) => extent.sectors)).toEqual([127, 127, 46]);
  });

  it('covers exactly the given sectors, in order, with maximal extents under 64 KiB', () => {
    fc.assert(
      fc.property(sectorLists, (sectors) => {
        const extents = sectorsToExtents(sectors);
        expect(extentsToSectors(extents)).toEqual(sectors);
        for (const extent of extents) expect(extent.sectors * 512).toBeLessThan(65536);
        extents.forEach((extent, i) => {
          const next = extents[i + 1];
          // Two neighbours are separate only if they are not adjacent or the first is full.
          if (next && next.lba === extent.lba + extent.sectors) expect(extent.sectors).toBe(127);
        });
      }),
    );
  });
});
