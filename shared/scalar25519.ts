/**
 * Scalars of Ed25519: numbers modulo the group order L = 2^252 + δ, δ = 27742317777372353535851937790883648493,
 * as little-endian byte arrays (ES5, for the loader's mujs as well as Node).
 */
import type { Bytes } from './bytes.js';

/** L, little-endian. */
const ORDER: readonly number[] = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/** δ = L - 2^252: its first 16 bytes; 2^252 ≡ -δ (mod L) is what the reduction folds with. */
const DELTA = ORDER.slice(0, 16);

/** Whether the 32 bytes at offset are a scalar below L, as RFC 8032 requires of a signature's S. */
export function isCanonicalScalar(bytes: readonly number[], offset: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const byte = bytes[offset + i] as number;
    const limit = ORDER[i] as number;
    if (byte !== limit) return byte < limit;
  }
  return false; // equal to L
}

/** Carries digits from..to-1 (any sign) into [0, 256); digit `to` takes what is left, whatever its size. */
function carryDigits(x: number[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const carry = Math.floor((x[i] as number) / 256);
    x[i] = (x[i] as number) - carry * 256;
    x[i + 1] = (x[i + 1] as number) + carry;
  }
}

/**
 * A little-endian number of up to 64 bytes (a SHA-512 digest) modulo L, as 32 bytes.
 *
 * From the top byte down to byte 32, each byte's weight 2^(8i) = 2^(8(i-32)+4)·2^252 is folded onto the
 * lower bytes as -16·byte·δ·2^(8(i-32)); then the bits above 2^252 of what remains are folded the same
 * way. The result is in (-L, 2L) at most and is brought into [0, L) by adding or subtracting L.
 */
export function reduceScalar(wide: readonly number[]): Bytes {
  const x: number[] = [];
  for (let i = 0; i < 64; i++) x.push(i < wide.length ? (wide[i] as number) : 0);
  for (let i = 63; i >= 32; i--) {
    const top = x[i] as number;
    if (top === 0) continue;
    x[i] = 0;
    for (let j = 0; j < 16; j++) x[i - 32 + j] = (x[i - 32 + j] as number) - 16 * top * (DELTA[j] as number);
    // Keep digits small so the next fold's products stay exact; the carry stops at byte i - 1, the next
    // to be folded (carrying further would bring back the byte just cleared).
    carryDigits(x, i - 32, i - 1);
  }
  // Bits 252 and up now sit in byte 31 (its high nibble, and any sign carried there).
  const high = Math.floor((x[31] as number) / 16);
  x[31] = (x[31] as number) - 16 * high;
  for (let j = 0; j < 16; j++) x[j] = (x[j] as number) - high * (DELTA[j] as number);
  const digits = x.slice(0, 33);
  digits[32] = 0;
  carryDigits(digits, 0, 32);
  // digits[32] is now the sign: -1 for a negative value, which one addition of L fixes.
  while ((digits[32] as number) < 0) {
    for (let j = 0; j < 32; j++) digits[j] = (digits[j] as number) + (ORDER[j] as number);
    carryDigits(digits, 0, 32);
  }
  const out = digits.slice(0, 32);
  while (!isCanonicalScalar(out, 0)) {
    for (let j = 0; j < 32; j++) out[j] = (out[j] as number) - (ORDER[j] as number);
    carryDigits(out, 0, 31);
  }
  return out;
}

/**
 * The scalar's signed sliding-window digits (width-w NAF), least significant first: each nonzero digit is
 * odd and in (-2^(w-1), 2^(w-1)), and at least w-1 zeros follow it. Σ digit[i]·2^i equals the scalar.
 * Scalars here are public (a signature's S and the hash), so the variable time this implies is fine.
 */
export function signedWindows(scalar: readonly number[], width: number): number[] {
  const bits: number[] = [];
  for (let i = 0; i < 256; i++) bits.push(((scalar[i >> 3] as number) >> (i & 7)) & 1);
  const half = 1 << (width - 1);
  const digits: number[] = [];
  for (let i = 0; i < 256 + width; i++) digits.push(0);
  let carry = 0;
  let position = 0;
  while (position < 256) {
    if ((bits[position] as number) === carry) {
      // An even value here: digit 0, and a carry of 1 stays a carry of 1 one place up.
      position++;
      continue;
    }
    let window = carry;
    for (let j = 0; j < width && position + j < 256; j++) window += (bits[position + j] as number) << j;
    carry = window >= half ? 1 : 0;
    digits[position] = window - carry * 2 * half;
    position += width;
  }
  if (carry) digits[position] = 1;
  return digits;
}
