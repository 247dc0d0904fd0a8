// SHA-512 and UTF-8 bytes in shared/ (ES5, for the loader's mujs): FIPS 180 vectors, and node:crypto as
// the oracle for everything else. The vector file also runs under mujs (test/shared/mujs.test.ts).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, bytesFromHex, hexFromBytes, latin1Bytes, utf8Bytes } from '../../shared/bytes.js';
import { sha512 } from '../../shared/sha512.js';
import { expectVector, vectorRows } from './vector-table.js';

describe('vectors sha512.json', () => {
  it.each(vectorRows('sha512.json'))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

describe('sha512', () => {
  it('FIPS 180-2 C.3: one million "a"', () => {
    expect(hexFromBytes(sha512(latin1Bytes('a'.repeat(1_000_000))))).toBe(
      'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
    );
  });

  it('agrees with node:crypto on random messages of every length around the block edges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), (message) => {
        const expected = createHash('sha512').update(message).digest('hex');
        expect(hexFromBytes(sha512([...message]))).toBe(expected);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('bytes', () => {
  it('utf8Bytes is the UTF-8 encoding of any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(utf8Bytes(text)).toEqual([...Buffer.from(text, 'utf8')]);
      }),
      { numRuns: 2000 },
    );
  });

  it('hex round-trips, and anything but hex of even length is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hex = hexFromBytes([...bytes]);
        expect(hex).toBe(Buffer.from(bytes).toString('hex'));
        expect(bytesFromHex(hex.toUpperCase())).toEqual([...bytes]);
      }),
    );
    for (const bad of ['0', 'abc', 'zz', '0x00', '00 ', ' 00']) expect(bytesFromHex(bad), bad).toBeNull();
    // Longer than mujs lets a regular expression repeat: still decoded.
    expect(bytesFromHex('ab'.repeat(2000))).toHaveLength(2000);
  });

  it('bytesEqual compares length and content', () => {
    expect(bytesEqual([1, 2], [1, 2])).toBe(true);
    expect(bytesEqual([1, 2], [1, 3])).toBe(false);
    expect(bytesEqual([1, 2], [1, 2, 0])).toBe(false);
  });
});
