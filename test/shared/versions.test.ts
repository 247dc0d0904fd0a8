import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareVersionRank,
  compareVersions,
  formatVersion,
  imageFileName,
  parseImageName,
  parseVersion,
  type Version,
} from '../../shared/versions.js';
import { expectVector, vectorRows } from './vector-table.js';

describe.each([
  'version-parse.json',
  'image-name.json',
  'version-compare.json',
  'version-order.json',
  'image-file-name.json',
])('vectors %s', (file) => {
  it.each(vectorRows(file))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const versionArbitrary: fc.Arbitrary<Version> = fc.record({
  parts: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 2, maxLength: 4 }),
  preRelease: fc.option(
    fc.record({
      stage: fc.constantFrom('alpha' as const, 'beta' as const, 'rc' as const),
      number: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
    }),
    { nil: null },
  ),
});

describe('version order properties', () => {
  it('formatVersion and parseVersion round-trip', () => {
    fc.assert(
      fc.property(versionArbitrary, (version) => {
        const parsed = parseVersion(formatVersion(version));
        expect(parsed).toEqual({ ok: true, version });
      }),
    );
  });

  it('compareVersions is antisymmetric and zero only for the same spelling', () => {
    fc.assert(
      fc.property(versionArbitrary, versionArbitrary, (a, b) => {
        expect(Math.sign(compareVersions(a, b))).toBe(-Math.sign(compareVersions(b, a)) || 0);
        expect(compareVersions(a, b) === 0).toBe(formatVersion(a) === formatVersion(b));
      }),
    );
  });

  it('compareVersions is transitive and refines the rank', () => {
    fc.assert(
      fc.property(versionArbitrary, versionArbitrary, versionArbitrary, (a, b, c) => {
        if (compareVersions(a, b) > 0 && compareVersions(b, c) > 0)
          expect(compareVersions(a, c)).toBeGreaterThan(0);
        const rank = compareVersionRank(a, b);
        if (rank !== 0) expect(Math.sign(compareVersions(a, b))).toBe(rank);
      }),
    );
  });

  it('a release outranks its pre-releases and adding trailing zeros keeps the rank', () => {
    fc.assert(
      fc.property(versionArbitrary, (version) => {
        const release: Version = { parts: version.parts, preRelease: null };
        if (version.preRelease) expect(compareVersionRank(release, version)).toBe(1);
        if (version.parts.length < 4) {
          const padded: Version = { ...version, parts: [...version.parts, 0] };
          expect(compareVersionRank(padded, version)).toBe(0);
        }
      }),
    );
  });

  it('imageFileName gives a name parseImageName reads back', () => {
    fc.assert(
      fc.property(versionArbitrary, (version) => {
        const parsed = parseImageName(imageFileName(version));
        expect(parsed.ok && formatVersion(parsed.version)).toBe(formatVersion(version));
      }),
    );
  });
});
