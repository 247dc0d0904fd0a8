import { describe, expect, it } from 'vitest';
import { jobSourcePaths, parseJob } from '../../../electron/core/writer/jobs.js';

const codeOf = (value: unknown): string => {
  try {
    parseJob(value);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
};

describe('writer jobs', () => {
  it('accepts each typed job and lists the files it reads', () => {
    const prepare = parseJob({
      kind: 'prepare',
      images: ['/a/AstLinux-1.5.4.img'],
      keydisk: '/a/kd.img',
      layout: 'superfloppy',
    });
    expect(jobSourcePaths(prepare)).toEqual(['/a/AstLinux-1.5.4.img', '/a/kd.img']);
    expect(jobSourcePaths(parseJob({ kind: 'remove', images: ['1.5.4'] }))).toEqual([]);
    expect(codeOf({ kind: 'verify' })).toBe('accepted');
    expect(codeOf({ kind: 'loader-update', force: true })).toBe('accepted');
    expect(codeOf({ kind: 'keydisk-place', keydisk: '/a/kd.img' })).toBe('accepted');
    expect(jobSourcePaths(parseJob({ kind: 'keydisk-place', keydisk: null, replace: true }))).toEqual([]);
    expect(codeOf({ kind: 'add', images: ['/a/AstLinux-1.5.4.img'], keep: 2 })).toBe('accepted');
    const sources = parseJob({
      kind: 'sources',
      urls: ['http://10.0.2.2/os/'],
      cardFallback: false,
      ip: '10.0.2.100/24',
    });
    // Source addresses are where the loader looks, not files the writer reads.
    expect(jobSourcePaths(sources)).toEqual([]);
    expect(codeOf({ kind: 'sources', urls: [] })).toBe('accepted');
    expect(codeOf({ kind: 'sources', urls: ['tftp://h/p/'], ip: null })).toBe('accepted');
  });

  it('refuses a sources job with ill-typed fields', () => {
    expect(codeOf({ kind: 'sources' })).toBe('malformed-job');
    expect(codeOf({ kind: 'sources', urls: 'http://h/' })).toBe('malformed-job');
    expect(codeOf({ kind: 'sources', urls: [''] })).toBe('malformed-job');
    expect(codeOf({ kind: 'sources', urls: [], cardFallback: 'no' })).toBe('malformed-job');
    expect(codeOf({ kind: 'sources', urls: [], ip: 42 })).toBe('malformed-job');
    expect(codeOf({ kind: 'sources', urls: [], keydisk: '/a/kd.img' })).toBe('malformed-job');
    expect(codeOf({ kind: 'sources', urls: [], device: '/dev/sdb' })).toBe('job-names-device');
  });

  it('refuses unknown kinds, device-naming fields, extra fields and bad values, each with its own code', () => {
    expect(codeOf({ kind: 'dd', of: '/dev/sda' })).toBe('unknown-job');
    expect(codeOf({ kind: '__proto__' })).toBe('unknown-job');
    expect(codeOf(null)).toBe('malformed-job');
    for (const field of ['device', 'target', 'drive', 'disk', 'raw', 'output', 'destination']) {
      expect(codeOf({ kind: 'verify', [field]: '/dev/sdb' })).toBe('job-names-device');
    }
    expect(codeOf({ kind: 'verify', extra: 1 })).toBe('malformed-job');
    expect(codeOf({ kind: 'add', images: [] })).toBe('malformed-job');
    expect(codeOf({ kind: 'add', images: ['/a'], keep: 0 })).toBe('malformed-job');
    expect(codeOf({ kind: 'prepare', images: ['/a'], layout: 'gpt' })).toBe('malformed-job');
    expect(codeOf({ kind: 'prepare', images: [42] })).toBe('malformed-job');
  });
});
