import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOADER_OPTIONS,
  formatHandoff,
  formatLoaderOptions,
  type LoaderOptions,
  parseHandoff,
  parseLoaderOptions,
  tokenizeCommandLine,
} from '../../shared/index.js';
import { expectVector, vectorRows } from './vector-table.js';

describe.each([
  'loader-options.json',
  'keydisk.json',
  'handoff-format.json',
  'handoff-parse.json',
  'replace-options.json',
])('vectors %s', (file) => {
  it.each(vectorRows(file))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const word = fc.stringMatching(/^[A-Za-z0-9._/:-]{1,12}$/);
const optionsArbitrary: fc.Arbitrary<LoaderOptions> = fc.record({
  pin: fc.option(word, { nil: null }),
  sources: fc.array(
    word.filter((source) => !source.includes(',')),
    { maxLength: 3 },
  ),
  ip: fc.option(fc.constantFrom('10.0.2.15/24', '192.168.1.20/24,192.168.1.1', '172.16.0.9/16,,172.16.0.1'), {
    nil: null,
  }),
  keydisk: fc.option(
    fc.constantFrom(
      'card:/kd.img',
      'label:ASTKD',
      'uuid:1234-ABCD',
      'dev:/dev/sdb1',
      'dev:/dev/sdb1:/kd.img',
    ),
    { nil: null },
  ),
  card: fc.option(fc.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}$/), { nil: null }),
  rescue: fc.boolean(),
  onfail: fc.constantFrom('shell' as const, 'poweroff' as const, 'reboot' as const),
  debug: fc.boolean(),
  wait: fc.integer({ min: 1, max: 120 }),
  signed: fc.constantFrom(null, 'required' as const, 'preferred' as const, 'off' as const),
  console: fc.array(fc.constantFrom('tty0', 'ttyS0,115200', 'ttyS1'), { maxLength: 2 }),
});

describe('loader options', () => {
  it('formatLoaderOptions output parses back to the same options, without problems', () => {
    fc.assert(
      fc.property(optionsArbitrary, (options) => {
        expect(parseLoaderOptions(`BOOT_IMAGE=bzImage ${formatLoaderOptions(options)} panic=5\n`)).toEqual({
          options,
          problems: [],
        });
      }),
    );
  });

  it('defaults format to nothing', () => {
    expect(formatLoaderOptions(DEFAULT_LOADER_OPTIONS)).toBe('');
  });

  it('never throws on arbitrary command lines, and every problem names an astlinux option', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        for (const problem of parseLoaderOptions(text).problems)
          expect(problem.toLowerCase()).toMatch(/^astlinux\./);
      }),
    );
  });

  it('tokenizes like Linux: quotes group and disappear', () => {
    expect(tokenizeCommandLine(' a=1  "b=two words"\tc\n').map((token) => [token.key, token.value])).toEqual([
      ['a', '1'],
      ['b', 'two words'],
      ['c', null],
    ]);
  });
});

describe('handoff', () => {
  it('round-trips through the AstLinux command line', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}$/),
        fc.option(fc.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}$/), { nil: null }),
        fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: null }),
        (version, card, hex) => {
          const handoff = {
            image: `AstLinux-${version}.img`,
            card,
            digest: hex === null ? null : { algo: 'sha1' as const, hex },
            keydisk: 'label:ASTKD',
            loader: '0.1.0',
          };
          expect(parseHandoff(`root=/dev/ram0 ${formatHandoff(handoff)} quiet`)).toEqual({
            ok: true,
            handoff,
          });
        },
      ),
    );
  });
});
