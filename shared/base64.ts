/**
 * Standard base64 (RFC 4648 alphabet, `=` padding), the encoding of signify's key and signature lines.
 * Decoding is strict, like the `b64_pton` signify uses: padding only at the end and only as much as
 * needed, no characters outside the alphabet, and the unused bits of the last character zero, so one byte
 * string has exactly one accepted text.
 */
import type { Bytes } from './bytes.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function encodeBase64(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const rest = bytes.length - i;
    const b0 = bytes[i] as number;
    const b1 = rest > 1 ? (bytes[i + 1] as number) : 0;
    const b2 = rest > 2 ? (bytes[i + 2] as number) : 0;
    out += ALPHABET.charAt(b0 >> 2) + ALPHABET.charAt(((b0 & 3) << 4) | (b1 >> 4));
    out += rest > 1 ? ALPHABET.charAt(((b1 & 15) << 2) | (b2 >> 6)) : '=';
    out += rest > 2 ? ALPHABET.charAt(b2 & 63) : '=';
  }
  return out;
}

/** The bytes, or null when the text is not canonical base64. */
export function decodeBase64(text: string): Bytes | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.slice(-2) === '==' ? 2 : text.slice(-1) === '=' ? 1 : 0;
  const out: Bytes = [];
  let bits = 0;
  let bitCount = 0;
  for (let i = 0; i < text.length - padding; i++) {
    const value = ALPHABET.indexOf(text.charAt(i));
    if (value < 0) return null;
    bits = ((bits << 6) | value) & 0xffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out.push((bits >> bitCount) & 255);
    }
  }
  // What is left over (2 or 4 bits with padding) must be zero.
  if ((bits & ((1 << bitCount) - 1)) !== 0) return null;
  return out;
}
