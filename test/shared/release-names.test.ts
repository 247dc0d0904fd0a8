// Real AstLinux release names: the vectors, and the order of releases against what RUNNIX's `ls` does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseReleaseFileName,
  parseReleaseName,
  releaseFiles,
  releaseName,
} from '../../shared/release-names.js';
import { compareVersions, formatVersion, parseVersion } from '../../shared/versions.js';
import { expectVector, vectorRows } from './vector-table.js';

describe.each(['release-name.json', 'release-files.json'])('vectors %s', (file) => {
  it.each(vectorRows(file))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const version = fc
  .tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.nat(9), { nil: null }))
  .map(([a, b, c, d]) => [a, b, c, ...(d === null ? [] : [d])].join('.'));

describe('release name properties', () => {
  it('every file of a release reads back as that release, and nothing else', () => {
    fc.assert(
      fc.property(version, (text) => {
        const release = releaseName(text);
        const files = releaseFiles(release);
        const kinds = Object.values(files).map((name) => {
          const parsed = parseReleaseFileName(name);
          expect(parsed.ok && parsed.release).toBe(release);
          return parsed.ok ? parsed.kind : null;
        });
        expect(kinds).toEqual(['run', 'run-sha1', 'run-conf', 'initrd', 'archive', 'archive-sha1']);
      }),
    );
  });

  it('releases order as versions, which plain character order (RUNNIX) often does not', () => {
    let disagreements = 0;
    fc.assert(
      fc.property(version, version, (a, b) => {
        const ra = parseReleaseName(`astlinux-${a}`);
        const rb = parseReleaseName(`astlinux-${b}`);
        if (!ra.ok || !rb.ok) throw new Error('generated versions always parse');
        const byVersion = Math.sign(compareVersions(ra.version, rb.version));
        const va = parseVersion(a);
        const vb = parseVersion(b);
        if (!va.ok || !vb.ok) throw new Error('generated versions always parse');
        expect(byVersion).toBe(Math.sign(compareVersions(va.version, vb.version)));
        expect(formatVersion(ra.version)).toBe(a);
        const byName = Math.sign(`astlinux-${a}.run` < `astlinux-${b}.run` ? -1 : a === b ? 0 : 1);
        if (byName !== byVersion) disagreements++;
      }),
      { numRuns: 300 },
    );
    // 1.5.9 vs 1.5.10 is no corner case: a fair share of random pairs sort wrongly by name.
    expect(disagreements).toBeGreaterThan(10);
  });
});
