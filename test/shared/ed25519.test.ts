// Ed25519 verification in shared/ (ES5, for the loader's mujs): RFC 8032's vectors, its arithmetic against
// BigInt, its scalar multiplication against the public keys Node derives, and its verdicts against Node's
// crypto.verify on thousands of random keys and messages, in Node and under mujs, with identical results.
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesFromHex, hexFromBytes } from '../../shared/bytes.js';
import { ed25519Verify } from '../../shared/ed25519.js';
import {
  addPoints,
  BASE_POINT,
  CURVE_D,
  decodePoint,
  doublePoint,
  doubleScalarMultiply,
  encodePoint,
  neutralPoint,
  SQRT_MINUS_ONE,
} from '../../shared/edwards25519.js';
import {
  type Field,
  fieldFromBytes,
  fieldInvert,
  fieldMul,
  fieldPowP58,
  fieldSquare,
  fieldToBytes,
} from '../../shared/field25519.js';
import { isCanonicalScalar, reduceScalar, signedWindows } from '../../shared/scalar25519.js';
import { sha512 } from '../../shared/sha512.js';
import { planBundleForFile } from './plan-cli-runs.js';
import {
  expectVector,
  RUNNER_PATH,
  runInNode,
  type VectorCase,
  type VectorFile,
  vectorRows,
} from './vector-table.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const mod = (a: bigint, m = P) => ((a % m) + m) % m;

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const littleEndian = (bytes: readonly number[]) =>
  bytes.reduceRight((acc, byte) => acc * 256n + BigInt(byte), 0n);
const bytesOf = (value: bigint, length = 32) =>
  Array.from({ length }, (_, i) => Number((value >> BigInt(8 * i)) & 255n));
const numberOf = (field: Field) => littleEndian(fieldToBytes(field));
/** A field element from limbs of any size and sign, and the number it stands for. */
const fromLimbs = (limbs: number[]) => ({
  field: limbs.slice(),
  value: mod(limbs.reduceRight((acc, limb) => acc * 65536n + BigInt(limb), 0n)),
});

describe('vectors ed25519.json (RFC 8032 7.1, tampered copies, refused keys)', () => {
  it.each(vectorRows('ed25519.json'))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

describe('curve constants, checked against their definitions', () => {
  it('d = -121665/121666, √-1 squares to -1, and B has y = 4/5, an even x, and lies on the curve', () => {
    const d = numberOf(CURVE_D);
    expect(mod(d * 121666n)).toBe(mod(-121665n));
    expect(mod(numberOf(SQRT_MINUS_ONE) ** 2n)).toBe(P - 1n);
    const x = numberOf(BASE_POINT.x);
    const y = numberOf(BASE_POINT.y);
    expect(mod(y * 5n)).toBe(4n);
    expect(x % 2n).toBe(0n);
    expect(mod(-x * x + y * y - 1n - d * x * x * y * y)).toBe(0n);
    expect(mod(numberOf(BASE_POINT.t) - x * y)).toBe(0n);
  });
});

describe('field arithmetic against BigInt', () => {
  // The contract: inputs with limbs below 2^20 in magnitude (sums of a few results), exact results.
  const wideLimb = fc.integer({ min: -(2 ** 20) + 1, max: 2 ** 20 - 1 });
  const wideField = fc.array(wideLimb, { minLength: 16, maxLength: 16 }).map(fromLimbs);
  const extremes = fc
    .array(fc.constantFrom(2 ** 20 - 1, -(2 ** 20) + 1, 0, 1), { minLength: 16, maxLength: 16 })
    .map(fromLimbs);
  const anyField = fc.oneof(wideField, extremes);

  function expectResultBounds(out: Field): void {
    out.forEach((limb, index) => {
      expect(Math.abs(limb)).toBeLessThanOrEqual(index === 1 ? 2 ** 17.6 : 2 ** 15);
    });
  }

  it('fieldMul and fieldSquare are exact and return limbs within the documented bounds', () => {
    fc.assert(
      fc.property(anyField, anyField, (a, b) => {
        const product: Field = [];
        fieldMul(product, a.field, b.field);
        expect(numberOf(product)).toBe(mod(a.value * b.value));
        expectResultBounds(product);
        const square: Field = [];
        fieldSquare(square, a.field);
        expect(numberOf(square)).toBe(mod(a.value * a.value));
        expectResultBounds(square);
      }),
      { numRuns: 2000 },
    );
  });

  it('a sum of four results goes straight back into a product', () => {
    fc.assert(
      fc.property(fc.array(anyField, { minLength: 8, maxLength: 8 }), (inputs) => {
        const results = [0, 2, 4, 6].map((i) => {
          const out: Field = [];
          fieldMul(out, (inputs[i] as { field: Field }).field, (inputs[i + 1] as { field: Field }).field);
          return out;
        });
        const sum = results.reduce((acc, r) => acc.map((limb, i) => limb + (r[i] as number)));
        const out: Field = [];
        fieldMul(out, sum, sum);
        const value = results.reduce((acc, r) => acc + numberOf(r), 0n);
        expect(numberOf(out)).toBe(mod(value * value));
      }),
      { numRuns: 500 },
    );
  });

  it('inversion and the square-root power', () => {
    fc.assert(
      fc.property(wideField, (a) => {
        const inverse: Field = [];
        fieldInvert(inverse, a.field);
        expect(numberOf(inverse)).toBe(power(a.value, P - 2n));
        const root: Field = [];
        fieldPowP58(root, a.field);
        expect(numberOf(root)).toBe(power(a.value, (P - 5n) / 8n));
      }),
      { numRuns: 100 },
    );
  });

  it('encodes canonically: values p and above come out reduced, and bytes round-trip', () => {
    for (const value of [0n, 1n, P - 1n, P, P + 1n, 2n ** 255n - 1n, 2n ** 256n - 1n]) {
      const limbs = Array.from({ length: 16 }, (_, i) => Number((value >> BigInt(16 * i)) & 0xffffn));
      expect(littleEndian(fieldToBytes(limbs))).toBe(mod(value));
    }
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: P - 1n }), (value) => {
        expect(fieldToBytes(fieldFromBytes(bytesOf(value), 0))).toEqual(bytesOf(value));
      }),
    );
  });
});

describe('scalars', () => {
  it('reduceScalar is x mod L for any 64 bytes', () => {
    const edges = [0n, 1n, L - 1n, L, L + 1n, 2n * L, 2n ** 252n, 2n ** 256n - 1n, 2n ** 512n - 1n];
    for (const value of edges) expect(littleEndian(reduceScalar(bytesOf(value, 64)))).toBe(value % L);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (wide) => {
        expect(littleEndian(reduceScalar([...wide]))).toBe(littleEndian([...wide]) % L);
      }),
      { numRuns: 2000 },
    );
  });

  it('isCanonicalScalar accepts exactly the values below L', () => {
    for (const [value, canonical] of [
      [0n, true],
      [L - 1n, true],
      [L, false],
      [L + 1n, false],
      [2n ** 256n - 1n, false],
    ] as const) {
      expect(isCanonicalScalar([0, ...bytesOf(value)], 1)).toBe(canonical);
    }
  });

  it('signed windows add back up to the scalar, odd, bounded and spaced', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 2, max: 7 }), (s, w) => {
        const digits = signedWindows([...s], w);
        let sum = 0n;
        let lastNonzero = -w;
        digits.forEach((digit, i) => {
          sum += BigInt(digit) * 2n ** BigInt(i);
          if (digit === 0) return;
          expect(Math.abs(digit) % 2).toBe(1);
          expect(Math.abs(digit)).toBeLessThan(2 ** (w - 1));
          expect(i - lastNonzero).toBeGreaterThanOrEqual(w);
          lastNonzero = i;
        });
        expect(sum).toBe(littleEndian([...s]));
      }),
    );
  });
});

/** PKCS#8 wrapping of a raw seed (RFC 8410), and SPKI wrapping of a raw public key. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const privateKeyOf = (seed: Uint8Array) =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
const rawPublicKey = (key: KeyObject) =>
  createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);

describe('points and scalar multiplication', () => {
  it('[s]B for the clamped secret scalar is the public key Node derives from the seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const scalar = sha512([...seed]).slice(0, 32);
        scalar[0] = (scalar[0] as number) & 248;
        scalar[31] = ((scalar[31] as number) & 127) | 64;
        const publicKey = encodePoint(doubleScalarMultiply(bytesOf(0n), BASE_POINT, scalar));
        expect(hexFromBytes(publicKey)).toBe(rawPublicKey(privateKeyOf(seed)).toString('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('doubling agrees with adding a point to itself, and [L]B is the neutral point', () => {
    const point = decodePoint([...rawPublicKey(privateKeyOf(randomBytes(32)))], 0);
    if (!point) throw new Error('Node made a key that does not decode');
    const doubled = neutralPoint();
    doublePoint(doubled, point, true);
    expect(encodePoint(doubled)).toEqual(encodePoint(addPoints(point, point)));
    expect(encodePoint(doubleScalarMultiply(bytesOf(0n), point, bytesOf(L)))).toEqual(bytesOf(1n));
    expect(encodePoint(doubleScalarMultiply(bytesOf(1n), point, bytesOf(0n)))).toEqual(encodePoint(point));
  });
});

// ----- the property test: shared/ against crypto.verify, in Node and under mujs -----

const TAMPERS = ['none', 'message', 'r', 's', 'key', 'other-key', 's-plus-l', 'short'] as const;
type Tamper = (typeof TAMPERS)[number];

interface VerifyCase extends VectorCase {
  name: string;
  publicKey: string;
  message: string;
  signature: string;
  expect: { valid: boolean };
}

const caseInput = fc.record({
  seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  otherSeed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  message: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  tamper: fc.oneof({ weight: 3, arbitrary: fc.constant<Tamper>('none') }, fc.constantFrom(...TAMPERS)),
  bit: fc.nat(),
});

function flipBit(bytes: Buffer, bit: number, from: number, to: number): void {
  const index = from + (Math.floor(bit / 8) % (to - from));
  bytes[index] = (bytes[index] as number) ^ (1 << (bit % 8));
}

/** Node's verdict: crypto.verify, with keys Node cannot even import counting as refused. */
function nodeVerifies(publicKey: Buffer, message: Buffer, signature: Buffer): boolean {
  try {
    const key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

type CaseInput = typeof caseInput extends fc.Arbitrary<infer T> ? T : never;

function makeCase(input: CaseInput, index: number): VerifyCase {
  const privateKey = privateKeyOf(input.seed);
  let publicKey = Buffer.from(rawPublicKey(privateKey));
  let message = Buffer.from(input.message);
  let signature = Buffer.from(sign(null, message, privateKey));
  switch (input.tamper) {
    case 'message':
      if (message.length === 0) message = Buffer.from([input.bit & 255]);
      else flipBit(message, input.bit, 0, message.length);
      break;
    case 'r':
      flipBit(signature, input.bit, 0, 32);
      break;
    case 's':
      flipBit(signature, input.bit, 32, 64);
      break;
    case 'key':
      flipBit(publicKey, input.bit, 0, 32);
      break;
    case 'other-key':
      publicKey = Buffer.from(rawPublicKey(privateKeyOf(input.otherSeed)));
      break;
    case 's-plus-l':
      signature = Buffer.concat([
        signature.subarray(0, 32),
        Buffer.from(bytesOf(littleEndian([...signature.subarray(32)]) + L)),
      ]);
      break;
    case 'short':
      signature = signature.subarray(0, 63);
      break;
    case 'none':
      break;
  }
  return {
    name: `${index}: ${input.tamper}, ${message.length}-byte message`,
    publicKey: publicKey.toString('hex'),
    message: message.toString('hex'),
    signature: signature.toString('hex'),
    expect: { valid: nodeVerifies(publicKey, message, signature) },
  };
}

const NODE_CASES = 3000;
/**
 * Under mujs a verification costs about 60 ms of CPU, so the default run checks the first 500 cases (two
 * mujs processes share them); ASTCARD_MUJS_PROPERTY_CASES=3000 checks all of them, in a few minutes.
 */
const MUJS_CASES = Number(process.env.ASTCARD_MUJS_PROPERTY_CASES ?? 500);

describe('property: the same verdicts as crypto.verify', () => {
  const seed = Date.now();
  const inputs = fc.sample(caseInput, { seed, numRuns: Math.max(NODE_CASES, MUJS_CASES) });
  const cases = inputs.map((input, index) => makeCase(input, index));
  const plan = planBundleForFile('astcard-ed25519-');

  it(`in Node, on ${NODE_CASES} random keys and messages, some tampered (seed ${seed})`, () => {
    const tally: Record<string, number> = {};
    for (const c of cases.slice(0, NODE_CASES)) {
      const valid = ed25519Verify(
        bytesFromHex(c.publicKey) ?? [],
        bytesFromHex(c.message) ?? [],
        bytesFromHex(c.signature) ?? [],
      );
      expect(valid, c.name).toBe(c.expect.valid);
      const key = `${c.name.split(', ')[0]?.split(': ')[1]} → ${valid}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    // Every kind of case occurred, and the untampered ones verified.
    for (const tamper of TAMPERS)
      expect(
        Object.keys(tally).some((k) => k.startsWith(`${tamper} →`)),
        tamper,
      ).toBe(true);
    expect(tally['none → false']).toBeUndefined();
    expect(tally['none → true']).toBeGreaterThan(NODE_CASES / 5);
  });

  it(`under mujs, on ${MUJS_CASES} of the same cases, with the same results as Node (seed ${seed})`, async () => {
    const chosen = cases.slice(0, MUJS_CASES);
    const halves = [chosen.slice(0, chosen.length / 2), chosen.slice(chosen.length / 2)];
    const files = halves.map((half, index) => {
      const path = join(plan.work, `property-${index}.json`);
      const vectors: VectorFile = {
        kind: 'ed25519-verify',
        about: `property cases, seed ${seed}`,
        cases: half,
      };
      writeFileSync(path, JSON.stringify(vectors));
      return { path, vectors };
    });
    const outputs = await Promise.all(files.map((file) => runMujs(plan.bundle, file.path)));
    for (const [index, file] of files.entries()) {
      const fromMujs = (JSON.parse(outputs[index] ?? '{}') as Record<string, unknown>)[file.path];
      expect(fromMujs).toEqual(JSON.parse(JSON.stringify(runInNode(file.vectors))));
      const results = fromMujs as { name: string; actual: { valid: boolean } }[];
      file.vectors.cases.forEach((c, i) => {
        expect(results[i]?.actual.valid, c.name).toBe((c as VerifyCase).expect.valid);
      });
    }
  }, 600_000);
});

const HARNESS = join(import.meta.dirname, 'mujs-harness.js');

function runMujs(bundle: string, vectorFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('mujs', [HARNESS, bundle, RUNNER_PATH, vectorFile]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error) =>
      reject(new Error(`mujs is required (apt-get install mujs): ${error.message}`)),
    );
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`mujs exited ${code}: ${stderr}`)),
    );
  });
}
