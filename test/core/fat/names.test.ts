import { describe, expect, it } from 'vitest';
import {
  makeShortName,
  normalizeLabel,
  shortKey,
  splitPath,
  validateLongName,
} from '../../../electron/core/fat/names.js';

const text = (raw: Uint8Array) => String.fromCharCode(...raw);
const taken = (...names: string[]) => new Set(names.map((name) => shortKey(new TextEncoder().encode(name))));

describe('makeShortName', () => {
  it('stores exact 8.3 names without LFN entries, lower case through the NT flags', () => {
    expect(makeShortName('LDLINUX.SYS', new Set())).toMatchObject({ caseFlags: 0, needsLongName: false });
    const lower = makeShortName('ldlinux.sys', new Set());
    expect(text(lower.raw)).toBe('LDLINUX SYS');
    expect(lower).toMatchObject({ caseFlags: 0x18, needsLongName: false });
    expect(makeShortName('KERNEL.img', new Set())).toMatchObject({ caseFlags: 0x10, needsLongName: false });
  });

  it('keeps a lossless but mixed-case name without a tail, with an LFN', () => {
    const mixed = makeShortName('Readme.txt', new Set());
    expect(text(mixed.raw)).toBe('README  TXT');
    expect(mixed.needsLongName).toBe(true);
  });

  it('builds lossy aliases with numeric tails, skipping taken ones', () => {
    expect(text(makeShortName('AstLinux-1.5.2.img', new Set()).raw)).toBe('ASTLIN~1IMG');
    expect(text(makeShortName('AstLinux-1.5.2.img', taken('ASTLIN~1IMG')).raw)).toBe('ASTLIN~2IMG');
    expect(text(makeShortName('.bashrc', new Set()).raw)).toBe('BASHRC~1   ');
    expect(text(makeShortName('a+b.txt', new Set()).raw)).toBe('A_B~1   TXT');
    expect(text(makeShortName('Ünïcödé.bin', new Set()).raw)).toBe('_N_C_D~1BIN');
    expect(text(makeShortName('archive.tar.gz', new Set()).raw)).toBe('ARCHIV~1GZ ');
    const many = taken(...Array.from({ length: 9 }, (_, i) => `LONGFI~${i + 1}TXT`));
    expect(text(makeShortName('Long file.txt', many).raw)).toBe('LONGF~10TXT');
    expect(makeShortName('Long file.txt', many).needsLongName).toBe(true);
  });

  it('takes a tail when the exact 8.3 name is already used by another file', () => {
    expect(text(makeShortName('readme.txt', taken('README  TXT')).raw)).toBe('README~1TXT');
  });
});

describe('name validation', () => {
  it('accepts ordinary long names and rejects hostile ones', () => {
    for (const good of [
      'a',
      'AstLinux-1.5.2.img.sha1',
      'with space.txt',
      'ünï',
      '[brackets]+plus;semi=eq,comma',
      'x'.repeat(255),
    ]) {
      expect(() => validateLongName(good)).not.toThrow();
    }
    for (const bad of [
      '',
      '.',
      '..',
      'a/b',
      'a\\b',
      'nul\u0000',
      'tab\t',
      'del\u007f',
      'q?',
      'a:b',
      'end.',
      'end ',
      ' lead',
      'x'.repeat(256),
      '\ud800',
    ]) {
      expect(() => validateLongName(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'invalid-name' }),
      );
    }
  });

  it('splits paths, treating "/" and "" as the root and refusing ".." anywhere', () => {
    expect(splitPath('/')).toEqual([]);
    expect(splitPath('')).toEqual([]);
    expect(splitPath('/a//b/')).toEqual(['a', 'b']);
    expect(() => splitPath('/a/../b')).toThrow(expect.objectContaining({ code: 'invalid-name' }));
    expect(() => splitPath('a\\b')).toThrow(expect.objectContaining({ code: 'invalid-name' }));
  });

  it('upper-cases labels and refuses long or invalid ones', () => {
    expect(normalizeLabel('AstLinux')).toBe('ASTLINUX');
    expect(() => normalizeLabel('twelve chars')).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(() => normalizeLabel('a.b')).toThrow(expect.objectContaining({ code: 'invalid-option' }));
  });
});
