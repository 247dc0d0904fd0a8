import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DigestAlgorithm,
  digestLength,
  formatSidecar,
  parseSidecar,
  sidecarAlgorithm,
  sidecarFileName,
} from '../../shared/checksums.js';
import { PolicyError } from '../../shared/errors.js';
import { expectVector, vectorRows } from './vector-table.js';

describe.each(['sidecar.json', 'sidecar-format.json'])('vectors %s', (file) => {
  it.each(vectorRows(file))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const algorithms: DigestAlgorithm[] = ['sha1', 'sha256'];
const imageName = fc
  .stringMatching(/^[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,3})?$/)
  .map((version) => `AstLinux-${version}.img`);

describe('sidecars', () => {
  it.each(algorithms)('formatSidecar(%s) output parses back to the same digest', (algo) => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), imageName, (bytes, name) => {
        const digest = createHash(algo).update(bytes).digest('hex');
        const parsed = parseSidecar(formatSidecar(digest.toUpperCase(), name), name, algo);
        expect(parsed).toEqual({ ok: true, algo, digest });
      }),
    );
  });

  it('formatSidecar writes what sha1sum writes', () => {
    const digest = createHash('sha1').update('abc').digest('hex');
    expect(formatSidecar(digest, 'AstLinux-1.0.img')).toBe(`${digest}  AstLinux-1.0.img\n`);
  });

  it('refuses what it cannot write with a PolicyError and a code', () => {
    let caught: unknown;
    try {
      formatSidecar('abc', 'AstLinux-1.0.img');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect((caught as PolicyError).code).toBe('invalid-digest');
  });

  it('knows the sidecar names and digest lengths', () => {
    expect(sidecarFileName('AstLinux-1.0.img', 'sha256')).toBe('AstLinux-1.0.img.sha256');
    expect(sidecarAlgorithm('AstLinux-1.0.img.SHA1')).toBe('sha1');
    expect(sidecarAlgorithm('AstLinux-1.0.img.sha256')).toBe('sha256');
    expect(sidecarAlgorithm('AstLinux-1.0.img.md5')).toBeNull();
    expect(digestLength('sha1')).toBe(40);
    expect(digestLength('sha256')).toBe(64);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom(...algorithms), (text, algo) => {
        const parsed = parseSidecar(text, 'AstLinux-1.0.img', algo);
        if (parsed.ok) expect(parsed.digest).toMatch(new RegExp(`^[0-9a-f]{${digestLength(algo)}}$`));
        else expect(parsed.reason.length).toBeGreaterThan(0);
      }),
    );
  });
});
