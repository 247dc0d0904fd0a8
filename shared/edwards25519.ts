/**
 * Points of edwards25519 (-x² + y² = 1 + d·x²·y² over GF(2^255 - 19)) for Ed25519 verification, in ES5.
 *
 * Points are kept in extended coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z, x·y = T/Z, where one addition
 * formula (Hisil–Wong–Carter–Dawson, 2008) serves every pair of points, doubling and the neutral point
 * included, so no input needs a special case.
 */
import type { Bytes } from './bytes.js';
import {
  type Field,
  fieldAdd,
  fieldCopy,
  fieldEquals,
  fieldFromBytes,
  fieldFromHex,
  fieldInvert,
  fieldIsNegative,
  fieldIsZero,
  fieldMul,
  fieldNegate,
  fieldOne,
  fieldPowP58,
  fieldSquare,
  fieldSub,
  fieldToBytes,
  fieldZero,
} from './field25519.js';
import { signedWindows } from './scalar25519.js';

export interface Point {
  readonly x: Field;
  readonly y: Field;
  readonly z: Field;
  readonly t: Field;
}

/** A point prepared for adding: (Y + X, Y - X, 2Z, 2d·T). */
interface CachedPoint {
  readonly yPlusX: Field;
  readonly yMinusX: Field;
  readonly z2: Field;
  readonly t2d: Field;
}

/** d = -121665/121666 mod p, and 2d. */
export const CURVE_D = fieldFromHex('52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3');
const CURVE_2D = fieldFromHex('2406d9dc56dffce7198e80f2eef3d13000e0149a8283b156ebd69b9426b2f159');
/** A square root of -1 mod p: 2^((p-1)/4). */
export const SQRT_MINUS_ONE = fieldFromHex(
  '2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0',
);
/** The base point B: y = 4/5, x positive (even). */
export const BASE_POINT: Point = {
  x: fieldFromHex('216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a'),
  y: fieldFromHex('6666666666666666666666666666666666666666666666666666666666666658'),
  z: fieldOne(),
  t: fieldZero(),
};
fieldMul(BASE_POINT.t, BASE_POINT.x, BASE_POINT.y);

/**
 * Temporaries of doublePoint and addCached, which call nothing but field operations, so they can share
 * them: allocating eight fresh arrays per point operation is a noticeable cost under mujs.
 */
const SCRATCH: Field[] = [
  fieldZero(),
  fieldZero(),
  fieldZero(),
  fieldZero(),
  fieldZero(),
  fieldZero(),
  fieldZero(),
  fieldZero(),
];

/** Width of the signed windows: 8 precomputed odd multiples per point, a nonzero digit every ~6 bits. */
const WINDOW = 5;

export function neutralPoint(): Point {
  return { x: fieldZero(), y: fieldOne(), z: fieldOne(), t: fieldZero() };
}

export function negatePoint(p: Point): Point {
  const out = neutralPoint();
  fieldNegate(out.x, p.x);
  fieldCopy(out.y, p.y);
  fieldCopy(out.z, p.z);
  fieldNegate(out.t, p.t);
  return out;
}

/**
 * Decodes 32 bytes at offset (RFC 8032, 5.1.3), or null. Stricter than some implementations on purpose:
 * a y that is not reduced (y ≥ p) and "negative zero" (x = 0 with the sign bit set) are refused, so every
 * accepted point has exactly one encoding.
 */
export function decodePoint(bytes: readonly number[], offset: number): Point | null {
  const y = fieldFromBytes(bytes, offset);
  const yBytes = fieldToBytes(y);
  for (let i = 0; i < 31; i++) if (yBytes[i] !== bytes[offset + i]) return null;
  if (yBytes[31] !== (bytes[offset + 31] as number) % 128) return null;
  const sign = (bytes[offset + 31] as number) >= 128;
  // x² = u/v with u = y² - 1, v = d·y² + 1; candidate x = u·v³·(u·v⁷)^((p-5)/8).
  const u = fieldZero();
  const v = fieldZero();
  const t = fieldZero();
  fieldSquare(u, y);
  fieldMul(v, u, CURVE_D);
  fieldSub(u, u, fieldOne());
  fieldAdd(v, v, fieldOne());
  const v3 = fieldZero();
  fieldSquare(v3, v);
  fieldMul(v3, v3, v);
  const x = fieldZero();
  fieldSquare(x, v3);
  fieldMul(x, x, v);
  fieldMul(x, x, u); // u·v⁷
  fieldPowP58(x, x);
  fieldMul(x, x, v3);
  fieldMul(x, x, u);
  // v·x² is u (x is a root), -u (x·√-1 is), or neither (no point has this y).
  fieldSquare(t, x);
  fieldMul(t, t, v);
  if (!fieldEquals(t, u)) {
    fieldAdd(t, t, u);
    if (!fieldIsZero(t)) return null;
    fieldMul(x, x, SQRT_MINUS_ONE);
  }
  if (sign && fieldIsZero(x)) return null;
  if (fieldIsNegative(x) !== sign) fieldNegate(x, x);
  const point = { x, y, z: fieldOne(), t: fieldZero() };
  fieldMul(point.t, x, y);
  return point;
}

/** The 32-byte encoding: y, with the parity of x in the top bit. */
export function encodePoint(p: Point): Bytes {
  const inverse = fieldZero();
  const x = fieldZero();
  const y = fieldZero();
  fieldInvert(inverse, p.z);
  fieldMul(x, p.x, inverse);
  fieldMul(y, p.y, inverse);
  const out = fieldToBytes(y);
  if (fieldIsNegative(x)) out[31] = (out[31] as number) + 128;
  return out;
}

/**
 * out = 2p (out may be p): 4 multiplications (3 without T) and 4 squarings. Doubling does not read T, so
 * a doubling followed by another may leave it out: `withT` false leaves out.t stale.
 */
export function doublePoint(out: Point, p: Point, withT: boolean): void {
  const [a, b, c, e, f, g, h] = SCRATCH as [Field, Field, Field, Field, Field, Field, Field];
  fieldSquare(a, p.x);
  fieldSquare(b, p.y);
  fieldSquare(c, p.z);
  fieldAdd(c, c, c);
  fieldAdd(h, a, b);
  fieldAdd(e, p.x, p.y);
  fieldSquare(e, e);
  fieldSub(e, h, e);
  fieldSub(g, a, b);
  fieldAdd(f, c, g);
  fieldMul(out.x, e, f);
  fieldMul(out.y, g, h);
  if (withT) fieldMul(out.t, e, h);
  fieldMul(out.z, f, g);
}

function cachePoint(p: Point): CachedPoint {
  const cached = { yPlusX: fieldZero(), yMinusX: fieldZero(), z2: fieldZero(), t2d: fieldZero() };
  fieldAdd(cached.yPlusX, p.y, p.x);
  fieldSub(cached.yMinusX, p.y, p.x);
  fieldAdd(cached.z2, p.z, p.z);
  fieldMul(cached.t2d, p.t, CURVE_2D);
  return cached;
}

/** out = p + q, or p - q when `subtract` (out may be p): 8 multiplications. */
function addCached(out: Point, p: Point, q: CachedPoint, subtract: boolean): void {
  const [a, b, c, d, e, f, g, h] = SCRATCH as [Field, Field, Field, Field, Field, Field, Field, Field];
  // -q is (Y - X, Y + X, 2Z, -2dT): swap the first two, negate the last.
  fieldSub(a, p.y, p.x);
  fieldMul(a, a, subtract ? q.yPlusX : q.yMinusX);
  fieldAdd(b, p.y, p.x);
  fieldMul(b, b, subtract ? q.yMinusX : q.yPlusX);
  fieldMul(c, p.t, q.t2d);
  fieldMul(d, p.z, q.z2);
  fieldSub(e, b, a);
  fieldAdd(h, b, a);
  if (subtract) {
    fieldAdd(f, d, c);
    fieldSub(g, d, c);
  } else {
    fieldSub(f, d, c);
    fieldAdd(g, d, c);
  }
  fieldMul(out.x, e, f);
  fieldMul(out.y, g, h);
  fieldMul(out.t, e, h);
  fieldMul(out.z, f, g);
}

export function addPoints(p: Point, q: Point): Point {
  const out = neutralPoint();
  addCached(out, p, cachePoint(q), false);
  return out;
}

/** p, 3p, 5p, … (2^(WINDOW-1) - 1)p, ready for adding. */
function oddMultiples(p: Point): CachedPoint[] {
  const twice = neutralPoint();
  doublePoint(twice, p, true);
  const twiceCached = cachePoint(twice);
  const table = [cachePoint(p)];
  const current = neutralPoint();
  fieldCopy(current.x, p.x);
  fieldCopy(current.y, p.y);
  fieldCopy(current.z, p.z);
  fieldCopy(current.t, p.t);
  for (let i = 1; i < 1 << (WINDOW - 2); i++) {
    addCached(current, current, twiceCached, false);
    table.push(cachePoint(current));
  }
  return table;
}

let baseTable: CachedPoint[] | null = null;

/**
 * a·P + b·B for the base point B (Straus' method): one run of doublings shared by both scalars, with a
 * table of odd multiples per point and signed window digits. Variable time, for public inputs only.
 */
export function doubleScalarMultiply(a: readonly number[], p: Point, b: readonly number[]): Point {
  const pTable = oddMultiples(p);
  if (!baseTable) baseTable = oddMultiples(BASE_POINT);
  const bTable = baseTable;
  const aDigits = signedWindows(a, WINDOW);
  const bDigits = signedWindows(b, WINDOW);
  let top = aDigits.length - 1;
  while (top >= 0 && aDigits[top] === 0 && bDigits[top] === 0) top--;
  const acc = neutralPoint();
  for (let i = top; i >= 0; i--) {
    const aDigit = aDigits[i] as number;
    const bDigit = bDigits[i] as number;
    doublePoint(acc, acc, aDigit !== 0 || bDigit !== 0);
    if (aDigit > 0) addCached(acc, acc, pTable[aDigit >> 1] as CachedPoint, false);
    else if (aDigit < 0) addCached(acc, acc, pTable[-aDigit >> 1] as CachedPoint, true);
    if (bDigit > 0) addCached(acc, acc, bTable[bDigit >> 1] as CachedPoint, false);
    else if (bDigit < 0) addCached(acc, acc, bTable[-bDigit >> 1] as CachedPoint, true);
  }
  return acc;
}

/** Whether 8p is the neutral point: p has small order and, as a public key, proves nothing. */
export function hasSmallOrder(p: Point): boolean {
  const q = neutralPoint();
  doublePoint(q, p, false);
  doublePoint(q, q, false);
  doublePoint(q, q, false);
  // Neutral: x = 0 and y = 1, that is X = 0 and Y = Z.
  return fieldIsZero(q.x) && fieldEquals(q.y, q.z);
}
