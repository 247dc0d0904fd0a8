import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADV_SIZE, emptyAdv, isValidAdvCopy } from '../../../electron/core/syslinux/adv.js';

describe('ADV', () => {
  it('is two identical valid copies of 512 bytes', () => {
    const adv = emptyAdv();
    expect(adv.length).toBe(2 * ADV_SIZE);
    expect(Buffer.from(adv.subarray(0, ADV_SIZE))).toEqual(Buffer.from(adv.subarray(ADV_SIZE)));
    expect(isValidAdvCopy(adv.subarray(0, ADV_SIZE))).toBe(true);
  });

  it('is invalid after any single byte changes', () => {
    fc.assert(
      fc.property(fc.nat(ADV_SIZE - 1), fc.integer({ min: 1, max: 255 }), (offset, delta) => {
        const copy = emptyAdv().subarray(0, ADV_SIZE);
        copy[offset] = ((copy[offset] ?? 0) + delta) & 0xff;
        expect(isValidAdvCopy(copy)).toBe(false);
      }),
    );
  });
});
