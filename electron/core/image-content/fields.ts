/**
 * 64-bit little-endian fields as plain numbers. Values past 2^53 lose precision, which is harmless here:
 * every such value is already far beyond the end of any image and is refused as out of range.
 */
export { u8, u16, u32, u64 } from '../block/little-endian.js';

import { u32 } from '../block/little-endian.js';

/** True for 0xFFFFFFFFFFFFFFFF exactly (squashfs's "no such table"), which u64 cannot tell from its neighbours. */
export function isAllOnes64(bytes: Uint8Array, offset: number): boolean {
  return u32(bytes, offset) === 0xffff_ffff && u32(bytes, offset + 4) === 0xffff_ffff;
}

export function s16(bytes: Uint8Array, offset: number): number {
  const value = (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
  return value >= 0x8000 ? value - 0x1_0000 : value;
}

/** A name as the kernel compares it: bytes up to the first NUL. */
export function cString(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end === -1 ? bytes : bytes.subarray(0, end);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
