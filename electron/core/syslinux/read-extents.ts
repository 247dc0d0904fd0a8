import { u16, u64 } from '../block/little-endian.js';
import type { Extent } from './extents.js';
import { EXTENT_SIZE, type PatchArea } from './patch-area.js';

/** The extents an installed ldlinux.sys records, up to the first empty slot. */
export function readExtentTable(image: Uint8Array, area: PatchArea): Extent[] {
  const extents: Extent[] = [];
  for (let slot = 0; slot < area.extentSlots; slot++) {
    const at = area.extentsOffset + slot * EXTENT_SIZE;
    const sectors = u16(image, at + 8);
    if (sectors === 0) break;
    extents.push({ lba: u64(image, at), sectors });
  }
  return extents;
}
