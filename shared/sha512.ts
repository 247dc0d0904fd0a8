/**
 * SHA-512 (FIPS 180-4) over bytes held in a plain array, for Ed25519 and signify in ES5 (the loader's mujs
 * has no typed arrays and no 64-bit integers). Each 64-bit word is a pair of 32-bit halves, high then low;
 * bitwise results are signed 32-bit numbers, and sums of low halves are taken unsigned to find the carry.
 *
 * The loader needs no SHA-256 here: it hashes images with busybox's sha256sum and only compares digests.
 */
import type { Bytes } from './bytes.js';

/** The first 64 bits of the fractional parts of the cube roots of the first 80 primes. */
const ROUND_CONSTANTS_HEX =
  '428a2f98d728ae227137449123ef65cdb5c0fbcfec4d3b2fe9b5dba58189dbbc3956c25bf348b53859f111f1b605d019' +
  '923f82a4af194f9bab1c5ed5da6d8118d807aa98a303024212835b0145706fbe243185be4ee4b28c550c7dc3d5ffb4e2' +
  '72be5d74f27b896f80deb1fe3b1696b19bdc06a725c71235c19bf174cf692694e49b69c19ef14ad2efbe4786384f25e3' +
  '0fc19dc68b8cd5b5240ca1cc77ac9c652de92c6f592b02754a7484aa6ea6e4835cb0a9dcbd41fbd476f988da831153b5' +
  '983e5152ee66dfaba831c66d2db43210b00327c898fb213fbf597fc7beef0ee4c6e00bf33da88fc2d5a79147930aa725' +
  '06ca6351e003826f142929670a0e6e7027b70a8546d22ffc2e1b21385c26c9264d2c6dfc5ac42aed53380d139d95b3df' +
  '650a73548baf63de766a0abb3c77b2a881c2c92e47edaee692722c851482353ba2bfe8a14cf10364a81a664bbc423001' +
  'c24b8b70d0f89791c76c51a30654be30d192e819d6ef5218d69906245565a910f40e35855771202a106aa07032bbd1b8' +
  '19a4c116b8d2d0c81e376c085141ab532748774cdf8eeb9934b0bcb5e19b48a8391c0cb3c5c95a634ed8aa4ae3418acb' +
  '5b9cca4f7763e373682e6ff3d6b2b8a3748f82ee5defb2fc78a5636f43172f6084c87814a1f0ab728cc702081a6439ec' +
  '90befffa23631e28a4506cebde82bde9bef9a3f7b2c67915c67178f2e372532bca273eceea26619cd186b8c721c0c207' +
  'eada7dd6cde0eb1ef57d4f7fee6ed17806f067aa72176fba0a637dc5a2c898a6113f9804bef90dae1b710b35131c471b' +
  '28db77f523047d8432caab7b40c724933c9ebe0a15c9bebc431d67c49c100d4c4cc5d4becb3e42b6597f299cfc657e2a' +
  '5fcb6fab3ad6faec6c44198c4a475817';

/** The first 64 bits of the fractional parts of the square roots of the first 8 primes. */
const INITIAL_HASH_HEX =
  '6a09e667f3bcc908bb67ae8584caa73b3c6ef372fe94f82ba54ff53a5f1d36f1' +
  '510e527fade682d19b05688c2b3e6c1f1f83d9abfb41bd6b5be0cd19137e2179';

/** Hex as signed 32-bit words, eight digits each. */
function wordsFromHex(hex: string): number[] {
  const words: number[] = [];
  for (let i = 0; i < hex.length; i += 8) words.push(parseInt(hex.slice(i, i + 8), 16) | 0);
  return words;
}

const K = wordsFromHex(ROUND_CONSTANTS_HEX);
const INITIAL_HASH = wordsFromHex(INITIAL_HASH_HEX);
const TWO_32 = 4294967296;

/** Carry out of a sum of unsigned low halves (below 2^35, so truncation is floor). */
function carryOf(lowSum: number): number {
  return (lowSum / TWO_32) | 0;
}

/** Runs the 80 rounds over one 128-byte block at `offset`, updating `state` (16 words: 8 hi/lo pairs). */
function compressBlock(state: number[], block: Bytes, offset: number, w: number[]): void {
  for (let i = 0; i < 32; i++) {
    const at = offset + 4 * i;
    w[i] =
      ((block[at] as number) << 24) |
      ((block[at + 1] as number) << 16) |
      ((block[at + 2] as number) << 8) |
      (block[at + 3] as number);
  }
  for (let i = 32; i < 160; i += 2) {
    // σ0 = rotr 1 ^ rotr 8 ^ shr 7 of w[t-15]; σ1 = rotr 19 ^ rotr 61 ^ shr 6 of w[t-2].
    let hi = w[i - 30] as number;
    let lo = w[i - 29] as number;
    const s0hi = ((hi >>> 1) | (lo << 31)) ^ ((hi >>> 8) | (lo << 24)) ^ (hi >>> 7);
    const s0lo = ((lo >>> 1) | (hi << 31)) ^ ((lo >>> 8) | (hi << 24)) ^ ((lo >>> 7) | (hi << 25));
    hi = w[i - 4] as number;
    lo = w[i - 3] as number;
    const s1hi = ((hi >>> 19) | (lo << 13)) ^ ((lo >>> 29) | (hi << 3)) ^ (hi >>> 6);
    const s1lo = ((lo >>> 19) | (hi << 13)) ^ ((hi >>> 29) | (lo << 3)) ^ ((lo >>> 6) | (hi << 26));
    const low = (s1lo >>> 0) + ((w[i - 13] as number) >>> 0) + (s0lo >>> 0) + ((w[i - 31] as number) >>> 0);
    w[i] = (s1hi + (w[i - 14] as number) + s0hi + (w[i - 32] as number) + carryOf(low)) | 0;
    w[i + 1] = low | 0;
  }
  let ah = state[0] as number;
  let al = state[1] as number;
  let bh = state[2] as number;
  let bl = state[3] as number;
  let ch = state[4] as number;
  let cl = state[5] as number;
  let dh = state[6] as number;
  let dl = state[7] as number;
  let eh = state[8] as number;
  let el = state[9] as number;
  let fh = state[10] as number;
  let fl = state[11] as number;
  let gh = state[12] as number;
  let gl = state[13] as number;
  let hh = state[14] as number;
  let hl = state[15] as number;
  for (let i = 0; i < 160; i += 2) {
    // Σ1(e) = rotr 14 ^ rotr 18 ^ rotr 41; Ch(e, f, g) = (e & f) ^ (~e & g).
    const sum1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
    const sum1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
    const chooseh = (eh & fh) ^ (~eh & gh);
    const choosel = (el & fl) ^ (~el & gl);
    const t1low =
      (hl >>> 0) +
      (sum1l >>> 0) +
      (choosel >>> 0) +
      ((K[i + 1] as number) >>> 0) +
      ((w[i + 1] as number) >>> 0);
    const t1h = hh + sum1h + chooseh + (K[i] as number) + (w[i] as number) + carryOf(t1low);
    const t1l = t1low % TWO_32;
    // Σ0(a) = rotr 28 ^ rotr 34 ^ rotr 39; Maj(a, b, c) = (a & b) ^ (a & c) ^ (b & c).
    const sum0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
    const sum0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
    const majorityh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
    const majorityl = (al & bl) ^ (al & cl) ^ (bl & cl);
    const t2low = (sum0l >>> 0) + (majorityl >>> 0);
    const t2h = sum0h + majorityh + carryOf(t2low);
    hh = gh;
    hl = gl;
    gh = fh;
    gl = fl;
    fh = eh;
    fl = el;
    const elow = (dl >>> 0) + t1l;
    eh = (dh + t1h + carryOf(elow)) | 0;
    el = elow | 0;
    dh = ch;
    dl = cl;
    ch = bh;
    cl = bl;
    bh = ah;
    bl = al;
    const alow = t1l + (t2low % TWO_32);
    ah = (t1h + t2h + carryOf(alow)) | 0;
    al = alow | 0;
  }
  const words = [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl];
  for (let i = 0; i < 16; i += 2) {
    const low = ((state[i + 1] as number) >>> 0) + ((words[i + 1] as number) >>> 0);
    state[i] = ((state[i] as number) + (words[i] as number) + carryOf(low)) | 0;
    state[i + 1] = low | 0;
  }
}

/** The 64-byte SHA-512 digest of message. */
export function sha512(message: readonly number[]): Bytes {
  const state = INITIAL_HASH.slice();
  const w: number[] = [];
  const length = message.length;
  const whole = length - (length % 128);
  const block = message as Bytes;
  for (let offset = 0; offset < whole; offset += 128) compressBlock(state, block, offset, w);
  // The tail: the remaining bytes, 0x80, zeros, and the length in bits as a 128-bit big-endian number.
  const tail: Bytes = [];
  for (let i = whole; i < length; i++) tail.push(message[i] as number);
  tail.push(0x80);
  while (tail.length % 128 !== 112) tail.push(0);
  const bits = length * 8;
  const high = Math.floor(bits / TWO_32);
  tail.push(0, 0, 0, 0, 0, 0, 0, 0);
  tail.push((high >>> 24) & 255, (high >>> 16) & 255, (high >>> 8) & 255, high & 255);
  tail.push((bits >>> 24) & 255, (bits >>> 16) & 255, (bits >>> 8) & 255, bits & 255);
  for (let offset = 0; offset < tail.length; offset += 128) compressBlock(state, tail, offset, w);
  const digest: Bytes = [];
  for (let i = 0; i < 16; i++) {
    const word = state[i] as number;
    digest.push((word >>> 24) & 255, (word >>> 16) & 255, (word >>> 8) & 255, word & 255);
  }
  return digest;
}
