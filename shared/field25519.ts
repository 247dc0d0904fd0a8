/**
 * Arithmetic modulo p = 2^255 - 19, the field of Ed25519, for verification in the loader's mujs as well as
 * in Node: ES5 only, so no typed arrays, no Math.imul, no BigInt.
 *
 * An element is 16 limbs of 16 bits, little-endian, held in ordinary numbers (doubles). Limbs may be
 * negative and need not be reduced. fieldMul and fieldSquare accept limbs of magnitude below 2^20, which
 * keeps every sum of products below 2^50, so double arithmetic is exact; they return limbs of magnitude at
 * most 2^15, except limb 1, which stays below 2^17.6. So a sum or difference of up to four results can go
 * straight into the next product.
 *
 * The products are written out limb by limb rather than looped: under mujs an array access or a loop
 * step costs far more than arithmetic on locals, and the unrolled form is over ten times faster.
 */

export type Field = number[];

/** 2^256 mod p: a product's limbs 16 and above fold back onto limbs 0 and up with this factor. */
const FOLD = 38;

export function fieldZero(): Field {
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

export function fieldOne(): Field {
  return [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

export function fieldCopy(out: Field, a: Field): void {
  for (let i = 0; i < 16; i++) out[i] = a[i] as number;
}

/** Written out, like the products below: a loop costs twice as much under mujs. */
// biome-ignore format: two limbs a line
export function fieldAdd(out: Field, a: Field, b: Field): void {
  out[0] = (a[0] as number) + (b[0] as number); out[1] = (a[1] as number) + (b[1] as number);
  out[2] = (a[2] as number) + (b[2] as number); out[3] = (a[3] as number) + (b[3] as number);
  out[4] = (a[4] as number) + (b[4] as number); out[5] = (a[5] as number) + (b[5] as number);
  out[6] = (a[6] as number) + (b[6] as number); out[7] = (a[7] as number) + (b[7] as number);
  out[8] = (a[8] as number) + (b[8] as number); out[9] = (a[9] as number) + (b[9] as number);
  out[10] = (a[10] as number) + (b[10] as number); out[11] = (a[11] as number) + (b[11] as number);
  out[12] = (a[12] as number) + (b[12] as number); out[13] = (a[13] as number) + (b[13] as number);
  out[14] = (a[14] as number) + (b[14] as number); out[15] = (a[15] as number) + (b[15] as number);
}

// biome-ignore format: two limbs a line
export function fieldSub(out: Field, a: Field, b: Field): void {
  out[0] = (a[0] as number) - (b[0] as number); out[1] = (a[1] as number) - (b[1] as number);
  out[2] = (a[2] as number) - (b[2] as number); out[3] = (a[3] as number) - (b[3] as number);
  out[4] = (a[4] as number) - (b[4] as number); out[5] = (a[5] as number) - (b[5] as number);
  out[6] = (a[6] as number) - (b[6] as number); out[7] = (a[7] as number) - (b[7] as number);
  out[8] = (a[8] as number) - (b[8] as number); out[9] = (a[9] as number) - (b[9] as number);
  out[10] = (a[10] as number) - (b[10] as number); out[11] = (a[11] as number) - (b[11] as number);
  out[12] = (a[12] as number) - (b[12] as number); out[13] = (a[13] as number) - (b[13] as number);
  out[14] = (a[14] as number) - (b[14] as number); out[15] = (a[15] as number) - (b[15] as number);
}

export function fieldNegate(out: Field, a: Field): void {
  for (let i = 0; i < 16; i++) out[i] = -(a[i] as number);
}

/*
 * The carries below round each limb to the nearest multiple of 2^16 with `x + 1.5·2^52 - 1.5·2^52`: the
 * sum lands where doubles are spaced 1 apart, so IEEE round-to-nearest (which ECMAScript requires) does the
 * rounding. It is exact for |x| < 2^51 and, under mujs, cheaper than calling Math.floor. Limbs come out in
 * [-2^15, 2^15]. One pass leaves limb 0 with the carry out of limb 15 (times 38); one more step moves
 * that on to limb 1, which is small enough, because limb 15's sum has no folded products and the carries
 * into it shrink by 2^16 a limb.
 */

/** out = a·b mod p; out may be a or b. */
// biome-ignore format: one sum per output limb keeps the product pattern visible
export function fieldMul(out: Field, a: Field, b: Field): void {
  const a0 = a[0] as number, a1 = a[1] as number, a2 = a[2] as number, a3 = a[3] as number,
    a4 = a[4] as number, a5 = a[5] as number, a6 = a[6] as number, a7 = a[7] as number,
    a8 = a[8] as number, a9 = a[9] as number, a10 = a[10] as number, a11 = a[11] as number,
    a12 = a[12] as number, a13 = a[13] as number, a14 = a[14] as number, a15 = a[15] as number;
  const b0 = b[0] as number, b1 = b[1] as number, b2 = b[2] as number, b3 = b[3] as number,
    b4 = b[4] as number, b5 = b[5] as number, b6 = b[6] as number, b7 = b[7] as number,
    b8 = b[8] as number, b9 = b[9] as number, b10 = b[10] as number, b11 = b[11] as number,
    b12 = b[12] as number, b13 = b[13] as number, b14 = b[14] as number, b15 = b[15] as number;
  const w1 = 38 * b1, w2 = 38 * b2, w3 = 38 * b3, w4 = 38 * b4, w5 = 38 * b5, w6 = 38 * b6, w7 = 38 * b7,
    w8 = 38 * b8, w9 = 38 * b9, w10 = 38 * b10, w11 = 38 * b11, w12 = 38 * b12, w13 = 38 * b13,
    w14 = 38 * b14, w15 = 38 * b15;
  let t0 = a0 * b0 + a1 * w15 + a2 * w14 + a3 * w13 + a4 * w12 + a5 * w11 + a6 * w10 + a7 * w9 +
    a8 * w8 + a9 * w7 + a10 * w6 + a11 * w5 + a12 * w4 + a13 * w3 + a14 * w2 + a15 * w1;
  let t1 = a0 * b1 + a1 * b0 + a2 * w15 + a3 * w14 + a4 * w13 + a5 * w12 + a6 * w11 + a7 * w10 +
    a8 * w9 + a9 * w8 + a10 * w7 + a11 * w6 + a12 * w5 + a13 * w4 + a14 * w3 + a15 * w2;
  let t2 = a0 * b2 + a1 * b1 + a2 * b0 + a3 * w15 + a4 * w14 + a5 * w13 + a6 * w12 + a7 * w11 +
    a8 * w10 + a9 * w9 + a10 * w8 + a11 * w7 + a12 * w6 + a13 * w5 + a14 * w4 + a15 * w3;
  let t3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + a4 * w15 + a5 * w14 + a6 * w13 + a7 * w12 +
    a8 * w11 + a9 * w10 + a10 * w9 + a11 * w8 + a12 * w7 + a13 * w6 + a14 * w5 + a15 * w4;
  let t4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0 + a5 * w15 + a6 * w14 + a7 * w13 +
    a8 * w12 + a9 * w11 + a10 * w10 + a11 * w9 + a12 * w8 + a13 * w7 + a14 * w6 + a15 * w5;
  let t5 = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0 + a6 * w15 + a7 * w14 +
    a8 * w13 + a9 * w12 + a10 * w11 + a11 * w10 + a12 * w9 + a13 * w8 + a14 * w7 + a15 * w6;
  let t6 = a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0 + a7 * w15 +
    a8 * w14 + a9 * w13 + a10 * w12 + a11 * w11 + a12 * w10 + a13 * w9 + a14 * w8 + a15 * w7;
  let t7 = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0 +
    a8 * w15 + a9 * w14 + a10 * w13 + a11 * w12 + a12 * w11 + a13 * w10 + a14 * w9 + a15 * w8;
  let t8 = a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 +
    a8 * b0 + a9 * w15 + a10 * w14 + a11 * w13 + a12 * w12 + a13 * w11 + a14 * w10 + a15 * w9;
  let t9 = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 +
    a8 * b1 + a9 * b0 + a10 * w15 + a11 * w14 + a12 * w13 + a13 * w12 + a14 * w11 + a15 * w10;
  let t10 = a0 * b10 + a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 +
    a8 * b2 + a9 * b1 + a10 * b0 + a11 * w15 + a12 * w14 + a13 * w13 + a14 * w12 + a15 * w11;
  let t11 = a0 * b11 + a1 * b10 + a2 * b9 + a3 * b8 + a4 * b7 + a5 * b6 + a6 * b5 + a7 * b4 +
    a8 * b3 + a9 * b2 + a10 * b1 + a11 * b0 + a12 * w15 + a13 * w14 + a14 * w13 + a15 * w12;
  let t12 = a0 * b12 + a1 * b11 + a2 * b10 + a3 * b9 + a4 * b8 + a5 * b7 + a6 * b6 + a7 * b5 +
    a8 * b4 + a9 * b3 + a10 * b2 + a11 * b1 + a12 * b0 + a13 * w15 + a14 * w14 + a15 * w13;
  let t13 = a0 * b13 + a1 * b12 + a2 * b11 + a3 * b10 + a4 * b9 + a5 * b8 + a6 * b7 + a7 * b6 +
    a8 * b5 + a9 * b4 + a10 * b3 + a11 * b2 + a12 * b1 + a13 * b0 + a14 * w15 + a15 * w14;
  let t14 = a0 * b14 + a1 * b13 + a2 * b12 + a3 * b11 + a4 * b10 + a5 * b9 + a6 * b8 + a7 * b7 +
    a8 * b6 + a9 * b5 + a10 * b4 + a11 * b3 + a12 * b2 + a13 * b1 + a14 * b0 + a15 * w15;
  let t15 = a0 * b15 + a1 * b14 + a2 * b13 + a3 * b12 + a4 * b11 + a5 * b10 + a6 * b9 + a7 * b8 +
    a8 * b7 + a9 * b6 + a10 * b5 + a11 * b4 + a12 * b3 + a13 * b2 + a14 * b1 + a15 * b0;
  let c = 0;
  c = t0 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t0 -= c * 65536; t1 += c;
  c = t1 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t1 -= c * 65536; t2 += c;
  c = t2 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t2 -= c * 65536; t3 += c;
  c = t3 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t3 -= c * 65536; t4 += c;
  c = t4 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t4 -= c * 65536; t5 += c;
  c = t5 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t5 -= c * 65536; t6 += c;
  c = t6 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t6 -= c * 65536; t7 += c;
  c = t7 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t7 -= c * 65536; t8 += c;
  c = t8 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t8 -= c * 65536; t9 += c;
  c = t9 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t9 -= c * 65536; t10 += c;
  c = t10 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t10 -= c * 65536; t11 += c;
  c = t11 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t11 -= c * 65536; t12 += c;
  c = t12 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t12 -= c * 65536; t13 += c;
  c = t13 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t13 -= c * 65536; t14 += c;
  c = t14 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t14 -= c * 65536; t15 += c;
  c = t15 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t15 -= c * 65536; t0 += 38 * c;
  c = t0 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t0 -= c * 65536; t1 += c;
  out[0] = t0; out[1] = t1; out[2] = t2; out[3] = t3; out[4] = t4; out[5] = t5; out[6] = t6; out[7] = t7;
  out[8] = t8; out[9] = t9; out[10] = t10; out[11] = t11;
  out[12] = t12; out[13] = t13; out[14] = t14; out[15] = t15;
}

/** out = a² mod p; out may be a. Each cross product appears once, doubled: 136 products instead of 256. */
// biome-ignore format: one sum per output limb keeps the product pattern visible
export function fieldSquare(out: Field, a: Field): void {
  const a0 = a[0] as number, a1 = a[1] as number, a2 = a[2] as number, a3 = a[3] as number,
    a4 = a[4] as number, a5 = a[5] as number, a6 = a[6] as number, a7 = a[7] as number,
    a8 = a[8] as number, a9 = a[9] as number, a10 = a[10] as number, a11 = a[11] as number,
    a12 = a[12] as number, a13 = a[13] as number, a14 = a[14] as number, a15 = a[15] as number;
  const d0 = 2 * a0, d1 = 2 * a1, d2 = 2 * a2, d3 = 2 * a3, d4 = 2 * a4, d5 = 2 * a5, d6 = 2 * a6,
    d7 = 2 * a7, d8 = 2 * a8, d9 = 2 * a9, d10 = 2 * a10, d11 = 2 * a11, d12 = 2 * a12, d13 = 2 * a13,
    d14 = 2 * a14;
  const w8 = 38 * a8, w9 = 38 * a9, w10 = 38 * a10, w11 = 38 * a11, w12 = 38 * a12, w13 = 38 * a13,
    w14 = 38 * a14, w15 = 38 * a15;
  let t0 = a0 * a0 + d1 * w15 + d2 * w14 + d3 * w13 + d4 * w12 + d5 * w11 + d6 * w10 + d7 * w9 + a8 * w8;
  let t1 = d0 * a1 + d2 * w15 + d3 * w14 + d4 * w13 + d5 * w12 + d6 * w11 + d7 * w10 + d8 * w9;
  let t2 = d0 * a2 + a1 * a1 + d3 * w15 + d4 * w14 + d5 * w13 + d6 * w12 + d7 * w11 + d8 * w10 + a9 * w9;
  let t3 = d0 * a3 + d1 * a2 + d4 * w15 + d5 * w14 + d6 * w13 + d7 * w12 + d8 * w11 + d9 * w10;
  let t4 = d0 * a4 + d1 * a3 + a2 * a2 + d5 * w15 + d6 * w14 + d7 * w13 + d8 * w12 + d9 * w11 + a10 * w10;
  let t5 = d0 * a5 + d1 * a4 + d2 * a3 + d6 * w15 + d7 * w14 + d8 * w13 + d9 * w12 + d10 * w11;
  let t6 = d0 * a6 + d1 * a5 + d2 * a4 + a3 * a3 + d7 * w15 + d8 * w14 + d9 * w13 + d10 * w12 + a11 * w11;
  let t7 = d0 * a7 + d1 * a6 + d2 * a5 + d3 * a4 + d8 * w15 + d9 * w14 + d10 * w13 + d11 * w12;
  let t8 = d0 * a8 + d1 * a7 + d2 * a6 + d3 * a5 + a4 * a4 + d9 * w15 + d10 * w14 + d11 * w13 + a12 * w12;
  let t9 = d0 * a9 + d1 * a8 + d2 * a7 + d3 * a6 + d4 * a5 + d10 * w15 + d11 * w14 + d12 * w13;
  let t10 = d0 * a10 + d1 * a9 + d2 * a8 + d3 * a7 + d4 * a6 + a5 * a5 + d11 * w15 + d12 * w14 + a13 * w13;
  let t11 = d0 * a11 + d1 * a10 + d2 * a9 + d3 * a8 + d4 * a7 + d5 * a6 + d12 * w15 + d13 * w14;
  let t12 = d0 * a12 + d1 * a11 + d2 * a10 + d3 * a9 + d4 * a8 + d5 * a7 + a6 * a6 + d13 * w15 + a14 * w14;
  let t13 = d0 * a13 + d1 * a12 + d2 * a11 + d3 * a10 + d4 * a9 + d5 * a8 + d6 * a7 + d14 * w15;
  let t14 = d0 * a14 + d1 * a13 + d2 * a12 + d3 * a11 + d4 * a10 + d5 * a9 + d6 * a8 + a7 * a7 + a15 * w15;
  let t15 = d0 * a15 + d1 * a14 + d2 * a13 + d3 * a12 + d4 * a11 + d5 * a10 + d6 * a9 + d7 * a8;
  let c = 0;
  c = t0 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t0 -= c * 65536; t1 += c;
  c = t1 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t1 -= c * 65536; t2 += c;
  c = t2 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t2 -= c * 65536; t3 += c;
  c = t3 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t3 -= c * 65536; t4 += c;
  c = t4 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t4 -= c * 65536; t5 += c;
  c = t5 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t5 -= c * 65536; t6 += c;
  c = t6 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t6 -= c * 65536; t7 += c;
  c = t7 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t7 -= c * 65536; t8 += c;
  c = t8 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t8 -= c * 65536; t9 += c;
  c = t9 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t9 -= c * 65536; t10 += c;
  c = t10 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t10 -= c * 65536; t11 += c;
  c = t11 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t11 -= c * 65536; t12 += c;
  c = t12 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t12 -= c * 65536; t13 += c;
  c = t13 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t13 -= c * 65536; t14 += c;
  c = t14 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t14 -= c * 65536; t15 += c;
  c = t15 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t15 -= c * 65536; t0 += 38 * c;
  c = t0 * 1.52587890625e-5 + 6755399441055744 - 6755399441055744; t0 -= c * 65536; t1 += c;
  out[0] = t0; out[1] = t1; out[2] = t2; out[3] = t3; out[4] = t4; out[5] = t5; out[6] = t6; out[7] = t7;
  out[8] = t8; out[9] = t9; out[10] = t10; out[11] = t11;
  out[12] = t12; out[13] = t13; out[14] = t14; out[15] = t15;
}

/** out = a^(2^times). */
function fieldSquareTimes(out: Field, a: Field, times: number): void {
  fieldSquare(out, a);
  for (let i = 1; i < times; i++) fieldSquare(out, out);
}

/**
 * a^(2^250 - 1) and a^11, the common start of inversion (a^(p-2)) and of the square-root power
 * (a^((p-5)/8)): 249 squarings and 11 multiplications instead of one multiplication per exponent bit.
 */
function powerChain(a: Field): { top: Field; eleven: Field } {
  const a2 = fieldZero();
  const a9 = fieldZero();
  const a11 = fieldZero();
  const x5 = fieldZero(); // a^(2^5 - 1), and so on: xN = a^(2^N - 1)
  const x10 = fieldZero();
  const x20 = fieldZero();
  const x40 = fieldZero();
  const x50 = fieldZero();
  const x100 = fieldZero();
  const x200 = fieldZero();
  const x250 = fieldZero();
  const t = fieldZero();
  fieldSquare(a2, a);
  fieldSquareTimes(t, a2, 2);
  fieldMul(a9, t, a);
  fieldMul(a11, a9, a2);
  fieldSquare(t, a11);
  fieldMul(x5, t, a9); // a^22 · a^9 = a^31
  fieldSquareTimes(t, x5, 5);
  fieldMul(x10, t, x5);
  fieldSquareTimes(t, x10, 10);
  fieldMul(x20, t, x10);
  fieldSquareTimes(t, x20, 20);
  fieldMul(x40, t, x20);
  fieldSquareTimes(t, x40, 10);
  fieldMul(x50, t, x10);
  fieldSquareTimes(t, x50, 50);
  fieldMul(x100, t, x50);
  fieldSquareTimes(t, x100, 100);
  fieldMul(x200, t, x100);
  fieldSquareTimes(t, x200, 50);
  fieldMul(x250, t, x50);
  return { top: x250, eleven: a11 };
}

/** out = 1/a mod p, as a^(p-2) = a^((2^250 - 1)·2^5 + 11); 0 gives 0. */
export function fieldInvert(out: Field, a: Field): void {
  const chain = powerChain(a);
  const t = fieldZero();
  fieldSquareTimes(t, chain.top, 5);
  fieldMul(out, t, chain.eleven);
}

/** out = a^((p-5)/8) = a^((2^250 - 1)·4 + 1), the core of the square root used to decode points. */
export function fieldPowP58(out: Field, a: Field): void {
  const chain = powerChain(a);
  const t = fieldZero();
  fieldSquareTimes(t, chain.top, 2);
  fieldMul(out, t, a);
}

/** 32 little-endian bytes from offset; the top bit is ignored, as every Ed25519 encoding requires. */
export function fieldFromBytes(bytes: readonly number[], offset: number): Field {
  const out = fieldZero();
  for (let i = 0; i < 16; i++) {
    out[i] = (bytes[offset + 2 * i] as number) + 256 * (bytes[offset + 2 * i + 1] as number);
  }
  out[15] = (out[15] as number) % 32768;
  return out;
}

/** A constant written as a 64-digit big-endian hex number. */
export function fieldFromHex(hex: string): Field {
  const out = fieldZero();
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(60 - 4 * i, 64 - 4 * i), 16);
  return out;
}

/** Limbs into [0, 2^16) by floor carries; three passes settle any input this module produces. */
function normalizeLimbs(t: Field): void {
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < 16; i++) {
      const limb = t[i] as number;
      const carry = Math.floor(limb / 65536);
      t[i] = limb - carry * 65536;
      if (i < 15) t[i + 1] = (t[i + 1] as number) + carry;
      else t[0] = (t[0] as number) + FOLD * carry;
    }
  }
}

/** t - p in place when t ≥ p; t has normalized limbs, so the value is below 2^256. */
function subtractPrimeIfAbove(t: Field): void {
  const m = fieldZero();
  let borrow = 0;
  for (let i = 0; i < 16; i++) {
    const primeLimb = i === 0 ? 0xffed : i === 15 ? 0x7fff : 0xffff;
    const limb = (t[i] as number) - primeLimb - borrow;
    borrow = limb < 0 ? 1 : 0;
    m[i] = limb + borrow * 65536;
  }
  if (borrow === 0) fieldCopy(t, m);
}

/** The canonical 32-byte little-endian encoding of a mod p, in [0, p). */
export function fieldToBytes(a: Field): number[] {
  const t = fieldZero();
  fieldCopy(t, a);
  normalizeLimbs(t);
  // Below 2^256 = 2p + 38, so at most two subtractions.
  subtractPrimeIfAbove(t);
  subtractPrimeIfAbove(t);
  const out: number[] = [];
  for (let i = 0; i < 16; i++) {
    const limb = t[i] as number;
    out.push(limb % 256, Math.floor(limb / 256));
  }
  return out;
}

export function fieldEquals(a: Field, b: Field): boolean {
  const x = fieldToBytes(a);
  const y = fieldToBytes(b);
  for (let i = 0; i < 32; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function fieldIsZero(a: Field): boolean {
  const x = fieldToBytes(a);
  for (let i = 0; i < 32; i++) if (x[i] !== 0) return false;
  return true;
}

/** The "sign" of RFC 8032: whether the canonical value is odd. */
export function fieldIsNegative(a: Field): boolean {
  return (fieldToBytes(a)[0] as number) % 2 === 1;
}
