import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkChanges } from '../../../electron/core/settings/changes.js';
import { checkText } from '../../../electron/core/settings/checks.js';
import { quoteValue } from '../../../electron/core/settings/shell-quote.js';
import { readUserConf } from '../../../electron/core/settings/user-conf.js';
import { editUserConf } from '../../../electron/core/settings/user-conf-edit.js';
import { SHELLS, sourceAsAstlinux } from './astlinux-shell.js';

/** What the rule says must be refused: shell quoting and code characters, line breaks, control characters. */
const mustRefuse = (value: string) =>
  [...value].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return (
      '"$`\\'.includes(char) ||
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0xd800 && code <= 0xdfff)
    );
  });

const PIECES = [
  '"',
  "'",
  '$',
  '$(reboot)',
  '`id`',
  '\\',
  '\n',
  '\r',
  '\0',
  '#',
  ' ',
  '\t',
  ';',
  '&',
  '|',
  '*',
  '~',
  '!',
  'é',
  '😀',
  'a',
  '1',
  '=',
  '{',
  '}',
  '%',
];

describe('quoting values so they cannot break out', () => {
  const hostile = [
    'pbx"; reboot; "',
    '$(rm -rf /)',
    '`reboot`',
    'a\nEXTIP=1.2.3.4',
    'C:\\temp',
    'nul\0byte',
    'cr\rhere',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell expansion itself is the hostile value
    '${IFS}',
    'tab\there',
  ];
  for (const value of hostile) {
    it(`refuses ${JSON.stringify(value)} with a plain reason`, () => {
      const checked = checkChanges({ set: { NOTE: value } });
      expect(checked.set).toEqual({});
      expect(checked.errors).toHaveLength(1);
      expect(checked.errors[0]?.message).toMatch(/^NOTE: (contains|a value must fit on one line)/);
      expect(() => quoteValue(value)).toThrow(/cannot be written/);
    });
  }

  it('explains a line break and a $ in words a person can act on', () => {
    expect(checkText('a\nb')).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /must fit on one line: AstLinux drops blank lines and lines starting with #/,
      ),
    });
    expect(checkText('pa$$')).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /contains \$, which AstLinux's shell would read as quoting or code.*leave it out/,
      ),
    });
  });

  it('refuses exactly what the rule names, and everything else reads back literally in ash, dash and bash', () => {
    const values = fc.sample(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...PIECES), maxLength: 12 }),
        fc.string({ unit: 'binary', maxLength: 12 }),
      ),
      { numRuns: 400, seed: 19 },
    );
    const accepted: string[] = [];
    for (const value of values) {
      const checked = checkText(value);
      expect(checked.ok, JSON.stringify(value)).toBe(!mustRefuse(value));
      if (checked.ok) accepted.push(value);
    }
    expect(accepted.length).toBeGreaterThan(100);
    for (const piece of ["'", '#', ' ', ';', '~', '*', 'é', '😀']) {
      expect(
        accepted.some((value) => value.includes(piece)),
        piece,
      ).toBe(true);
    }

    // One file holding every accepted value, written by the editor in each quoting style it uses.
    const set: Record<string, string> = {};
    accepted.forEach((value, index) => {
      set[`V${index}`] = value;
    });
    const text = editUserConf('', { set, unset: [] }).text;
    const names = Object.keys(set);
    expect(readUserConf(text).values).toMatchObject(set);
    for (const shell of SHELLS) {
      const sourced = sourceAsAstlinux([text], names, shell);
      for (const name of names)
        expect(sourced[name], `${shell} ${JSON.stringify(set[name])}`).toBe(set[name]);
    }
  });

  it('keeps single quotes and bare words where the file used them, and reads them back literally', () => {
    const values = ["it's here", 'plain-word_1.2:3/4@5%6+7,8=9', 'two words', '', '#hash'];
    const bare = values.map((_, index) => `B${index}=old`).join('\n');
    const single = values.map((_, index) => `S${index}='old'`).join('\n');
    const text = `${bare}\n${single}\n`;
    const set: Record<string, string> = {};
    values.forEach((value, index) => {
      set[`B${index}`] = value;
      set[`S${index}`] = value;
    });
    const result = editUserConf(text, { set, unset: [] }).text;
    expect(result.split('\n')).toEqual([
      `B0="it's here"`,
      'B1=plain-word_1.2:3/4@5%6+7,8=9',
      'B2="two words"',
      'B3=""',
      'B4="#hash"',
      `S0="it's here"`,
      "S1='plain-word_1.2:3/4@5%6+7,8=9'",
      "S2='two words'",
      "S3=''",
      "S4='#hash'",
      '',
    ]);
    for (const shell of SHELLS) expect(sourceAsAstlinux([result], Object.keys(set), shell)).toEqual(set);
  });
});
