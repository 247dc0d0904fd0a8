/** Little-endian field access on raw on-disk bytes: every structure is named offsets read through these. */

export function u8(bytes: Uint8Array, offset: number): number {
  return bytes[offset] ?? 0;
}

export function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

export function u32(bytes: Uint8Array, offset: number): number {
  return (u16(bytes, offset) + u16(bytes, offset + 2) * 0x10000) >>> 0;
}

export function setU8(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
}

export function setU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
}

export function setU32(bytes: Uint8Array, offset: number, value: number): void {
  setU16(bytes, offset, value & 0xffff);
  setU16(bytes, offset + 2, (value >>> 16) & 0xffff);
}

/** 64-bit fields as plain numbers: exact up to 2^53, which covers every sector and byte count on a card. */
export function u64(bytes: Uint8Array, offset: number): number {
  return u32(bytes, offset) + u32(bytes, offset + 4) * 0x1_0000_0000;
}

export function setU64(bytes: Uint8Array, offset: number, value: number): void {
  setU32(bytes, offset, value >>> 0);
  setU32(bytes, offset + 4, Math.floor(value / 0x1_0000_0000));
}

/** ASCII text in a fixed-width field, right-padded (FAT labels, OEM names, type strings). */
export function setAscii(bytes: Uint8Array, offset: number, width: number, text: string, pad = 0x20): void {
  for (let i = 0; i < width; i++) bytes[offset + i] = i < text.length ? text.charCodeAt(i) & 0xff : pad;
}

export function ascii(bytes: Uint8Array, offset: number, width: number): string {
  let text = '';
  for (let i = 0; i < width; i++) text += String.fromCharCode(bytes[offset + i] ?? 0);
  return text;
}
