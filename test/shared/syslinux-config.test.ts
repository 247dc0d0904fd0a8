import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSyslinuxConfig,
  generateSyslinuxConfig,
  parseSyslinuxConfig,
  setLabelLoaderOptions,
  syslinuxLabels,
} from '../../shared/syslinux-config.js';
import { expectVector, vectorRows } from './vector-table.js';

describe.each(['syslinux.json', 'syslinux-generate.json'])('vectors %s', (file) => {
  it.each(vectorRows(file))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const line = fc.oneof(
  fc.string({ maxLength: 30 }).map((text) => text.replace(/[\r\n]/g, '')),
  fc.constantFrom('LABEL loader', '  APPEND a=1', 'default loader', '# c', '', '\tKERNEL k', 'label x'),
);

describe('syslinux.cfg', () => {
  it('an unedited file formats back to the same bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n'))),
        fc.boolean(),
        (lines, finalEol) => {
          let text = lines.map(([content, eol]) => content + eol).join('');
          if (!finalEol) text = text.replace(/\r?\n$/, '');
          expect(formatSyslinuxConfig(parseSyslinuxConfig(text))).toBe(text);
        },
      ),
    );
  });

  it('editing the loader options of a generated file touches only its APPEND lines', () => {
    const original = generateSyslinuxConfig({ append: 'console=ttyS0,115200', options: { pin: '1.0' } });
    const edited = formatSyslinuxConfig(
      setLabelLoaderOptions(parseSyslinuxConfig(original), 'loader', { pin: '2.0', rescue: true }),
    );
    const before = original.split('\n');
    const after = edited.split('\n');
    expect(after.length).toBe(before.length);
    const changed = after.filter((text, i) => text !== before[i]);
    expect(changed).toEqual(['  APPEND console=ttyS0,115200 astlinux.pin=2.0 astlinux.rescue']);
    expect(syslinuxLabels(parseSyslinuxConfig(edited))[0]?.append).toBe(
      'console=ttyS0,115200 astlinux.pin=2.0 astlinux.rescue',
    );
  });
});
