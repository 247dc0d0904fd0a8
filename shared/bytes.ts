/**
 * Bytes as plain arrays of numbers 0–255: the loader's mujs has no typed arrays, and shared/ must run there.
 * Text reaches us as strings in both engines: Node decodes UTF-16 with surrogate pairs, mujs 1.3 gives one
 * character per code point (charCodeAt can exceed 0xFFFF) and U+FFFD for bytes that are not UTF-8.
 */

export type Bytes = number[];

/** The UTF-8 encoding of text, as signify and every other tool on the card saw the file. */
export function utf8Bytes(text: string): Bytes {
  const out: Bytes = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (code >= 0xd800 && code < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
      code = 0x10000 + (code - 0xd800) * 1024 + (next - 0xdc00);
      i++;
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 + (code >> 6), 0x80 + (code & 63));
    else if (code < 0x10000) out.push(0xe0 + (code >> 12), 0x80 + ((code >> 6) & 63), 0x80 + (code & 63));
    else
      out.push(
        0xf0 + (code >> 18),
        0x80 + ((code >> 12) & 63),
        0x80 + ((code >> 6) & 63),
        0x80 + (code & 63),
      );
  }
  return out;
}

/** A string of characters 0–255 (a "binary string") as bytes; larger characters keep their low byte. */
export function latin1Bytes(text: string): Bytes {
  const out: Bytes = [];
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i) & 255);
  return out;
}

const HEX_DIGITS = '0123456789abcdef';

export function hexFromBytes(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    out += HEX_DIGITS.charAt(byte >> 4) + HEX_DIGITS.charAt(byte & 15);
  }
  return out;
}

/** Hex (either case, even length) as bytes, or null for anything else. */
export function bytesFromHex(hex: string): Bytes | null {
  // A loop, not a regular expression: mujs refuses to repeat a pattern more than about a thousand times.
  if (hex.length % 2 !== 0) return null;
  const lower = hex.toLowerCase();
  const out: Bytes = [];
  for (let i = 0; i < lower.length; i += 2) {
    const high = HEX_DIGITS.indexOf(lower.charAt(i));
    const low = HEX_DIGITS.indexOf(lower.charAt(i + 1));
    if (high < 0 || low < 0) return null;
    out.push(high * 16 + low);
  }
  return out;
}

export function bytesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
