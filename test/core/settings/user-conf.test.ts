import { describe, expect, it } from 'vitest';
import { checkChanges } from '../../../electron/core/settings/changes.js';
import { readUserConf } from '../../../electron/core/settings/user-conf.js';
import { editUserConf } from '../../../electron/core/settings/user-conf-edit.js';
import { SHELLS, sourceAsAstlinux } from './astlinux-shell.js';
import { GENERATED, HAND_EDITED, ONE_LINER, SAMPLES, WINDOWS } from './user-conf-samples.js';

function edit(text: string, set: Record<string, string>, unset: string[] = []) {
  const checked = checkChanges({ set, unset });
  expect(checked.errors).toEqual([]);
  const result = editUserConf(text, checked);
  expect(result.errors).toEqual([]);
  return result;
}

/** Lines of `after` that differ from `before`, compared from both ends so insertions and removals show. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

describe('reading a settings file as AstLinux does', () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    for (const shell of SHELLS) {
      it(`gives the values ${shell} gets from the ${name} sample after AstLinux's merge filter`, () => {
        const read = readUserConf(text);
        const names = read.variables.map((variable) => variable.name);
        const sourced = sourceAsAstlinux([text], names, shell);
        // The one deliberate difference: a CR of a CR LF line ending is reported, not passed on.
        const expected = Object.fromEntries(
          Object.entries(read.values).map(([key, value]) => [
            key,
            sourced[key] === `${value}\r` ? `${value}\r` : value,
          ]),
        );
        for (const [key, value] of Object.entries(expected)) expect(sourced[key], key).toBe(value);
      });
    }
  }

  it('knows which values are not plain text and which are set by shell code it does not edit', () => {
    const read = readUserConf(HAND_EDITED);
    expect(read.variables.find((variable) => variable.name === 'INT2IP')).toMatchObject({
      value: null,
      raw: '"$INTIP"',
    });
    expect(read.values).not.toHaveProperty('INT2IP');
    expect(read.others).toEqual([{ name: 'SIP_DOMAIN', line: 26 }]);
    // The later, effective assignment wins, as in the shell (the first EXTIP is dead).
    expect(read.values.EXTIP).toBe('10.20.30.40');
    expect(read.variables.find((variable) => variable.name === 'EXTIP')?.line).toBe(12);
    expect(read.values.ISSUE).toBe('Welcome to the Hamburg PBX.\nAsk IT before changing anything.');
    expect(read.values.DOMAIN).toBe('office.example.com');
    expect(read.variables.find((variable) => variable.name === 'DOMAIN')?.exported).toBe(true);
  });

  it('reports CR LF line endings once, and a quote that never closes as blocking edits', () => {
    const windows = readUserConf(WINDOWS);
    expect(windows.problems).toHaveLength(1);
    expect(windows.problems[0]).toMatchObject({ line: 1, blocksEditing: false });
    expect(windows.problems[0]?.message).toMatch(/and 3 more end with Windows line endings/);

    const open = readUserConf('HOSTNAME=pbx\nISSUE="never closed\nDOMAIN=x\n');
    expect(open.problems).toEqual([expect.objectContaining({ line: 2, blocksEditing: true })]);
    expect(open.problems[0]?.message).toMatch(/opens a " quote that never closes/);
    expect(open.values).toEqual({ HOSTNAME: 'pbx' });
  });

  it('treats assignments inside if/case/loops as shell code, and finds its way out again', () => {
    const text = [
      'case "$X" in',
      '  a) HOSTNAME=one ;;',
      'esac',
      'for i in 1 2; do DOMAIN=d$i; done',
      'while false; do',
      '  EXTIF=eth9',
      'done',
      'NTPSERVS=after.example.org',
      '',
    ].join('\n');
    const read = readUserConf(text);
    expect(read.others.map((other) => other.name)).toEqual(['HOSTNAME', 'DOMAIN', 'EXTIF']);
    expect(read.values).toEqual({ NTPSERVS: 'after.example.org' });
  });
});

describe('writing changes into a settings file', () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    it(`gives the ${name} sample back byte for byte when every value is set to what it already is`, () => {
      const values = readUserConf(text).values;
      const plain = Object.fromEntries(
        Object.entries(values).filter(
          ([key]) => /^[A-Z_][A-Z0-9_]*$/.test(key) && !/["$`\\\n]/.test(values[key] ?? ''),
        ),
      );
      const result = editUserConf(text, { set: plain, unset: [] });
      expect(result.text).toBe(text);
      expect(result.changes).toEqual([]);
      expect(editUserConf(text, { set: {}, unset: [] }).text).toBe(text);
    });
  }

  it('replaces a changed value in place, keeping indentation, export, quoting style and the comment after it', () => {
    const result = edit(HAND_EDITED, {
      HOSTNAME: 'pbx-hh2',
      DOMAIN: 'example.org',
      TIMEZONE: 'Europe/Paris',
      EXTGW: '10.20.30.254',
    });
    const before = HAND_EDITED.split('\n');
    const after = result.text.split('\n');
    expect(after).toHaveLength(before.length);
    const differing = before.flatMap((line, index) => (line === after[index] ? [] : [[line, after[index]]]));
    expect(differing).toEqual([
      ['HOSTNAME=pbx-hh        # renamed 2019', 'HOSTNAME=pbx-hh2        # renamed 2019'],
      ["export DOMAIN='office.example.com'", "export DOMAIN='example.org'"],
      ['  TIMEZONE="Europe/Berlin"', '  TIMEZONE="Europe/Paris"'],
      ['EXTGW=10.20.30.1', 'EXTGW=10.20.30.254'],
    ]);
    expect(result.changes).toEqual([
      { name: 'HOSTNAME', action: 'changed', before: 'pbx-hh', after: 'pbx-hh2', line: 4 },
      { name: 'DOMAIN', action: 'changed', before: 'office.example.com', after: 'example.org', line: 5 },
      { name: 'TIMEZONE', action: 'changed', before: 'Europe/Berlin', after: 'Europe/Paris', line: 6 },
      { name: 'EXTGW', action: 'changed', before: '10.20.30.1', after: '10.20.30.254', line: 14 },
    ]);
    for (const shell of SHELLS) {
      const sourced = sourceAsAstlinux(
        [result.text],
        ['HOSTNAME', 'DOMAIN', 'TIMEZONE', 'EXTGW', 'ISSUE'],
        shell,
      );
      expect(sourced).toMatchObject({
        HOSTNAME: 'pbx-hh2',
        DOMAIN: 'example.org',
        TIMEZONE: 'Europe/Paris',
        EXTGW: '10.20.30.254',
        ISSUE: 'Welcome to the Hamburg PBX.\nAsk IT before changing anything.',
      });
    }
  });

  it('edits the assignment that takes effect, keeping a trailing "; # comment"', () => {
    const result = edit(HAND_EDITED, { EXTIP: '10.20.30.41' });
    expect(changedLines(HAND_EDITED, result.text)).toEqual({
      removed: ['EXTIP="10.20.30.40" ; # a second assignment after the first, with a semicolon: shell code'],
      added: ['EXTIP="10.20.30.41" ; # a second assignment after the first, with a semicolon: shell code'],
    });
  });

  it('rewrites a multi-line value as one line, and quotes a bare value that now needs quotes', () => {
    const result = edit(HAND_EDITED, { ISSUE: 'Welcome.', LOCALE: 'en US' });
    expect(changedLines(HAND_EDITED, result.text)).toEqual({
      removed: [
        'ISSUE="Welcome to the Hamburg PBX.',
        "# this line is dropped by AstLinux's merge",
        '',
        'Ask IT before changing anything."',
        '',
        'VLANS="eth1.110 eth1.120"',
        'INT2IP="$INTIP"',
        `SMTP_PASS='pa"ss wo$rd'`,
        'BACKUP_DIR=/mnt/kd/backup\\ files',
        'if [ "$HOSTNAME" = "pbx-hh" ]; then',
        '  SIP_DOMAIN="sip.example.com"',
        'fi',
        'LOCALE=de_DE.UTF-8',
      ],
      added: [
        'ISSUE="Welcome."',
        '',
        'VLANS="eth1.110 eth1.120"',
        'INT2IP="$INTIP"',
        `SMTP_PASS='pa"ss wo$rd'`,
        'BACKUP_DIR=/mnt/kd/backup\\ files',
        'if [ "$HOSTNAME" = "pbx-hh" ]; then',
        '  SIP_DOMAIN="sip.example.com"',
        'fi',
        'LOCALE="en US"',
      ],
    });
    for (const shell of SHELLS) {
      expect(sourceAsAstlinux([result.text], ['ISSUE', 'LOCALE'], shell)).toEqual({
        ISSUE: 'Welcome.',
        LOCALE: 'en US',
      });
    }
  });

  it('appends new variables, after a newline the file was missing, and a set after shell code that sets it', () => {
    const one = edit(ONE_LINER, { DOMAIN: 'example.com', HOSTNAME: 'pbx8' });
    expect(one.text).toBe('HOSTNAME=pbx8\nDOMAIN="example.com"\n');
    const shellCode = edit(HAND_EDITED, { SIP_DOMAIN: 'sip.example.org' });
    expect(shellCode.text).toBe(`${HAND_EDITED}SIP_DOMAIN="sip.example.org"\n`);
    const lineAfterLast = HAND_EDITED.split('\n').length;
    expect(shellCode.changes).toEqual([
      { name: 'SIP_DOMAIN', action: 'added', after: 'sip.example.org', line: lineAfterLast },
    ]);
    expect(shellCode.text.split('\n')[lineAfterLast - 1]).toBe('SIP_DOMAIN="sip.example.org"');
    const empty = editUserConf(
      '',
      { set: { HOSTNAME: 'a' }, unset: [] },
      { appendComment: 'Set by astcard for\nSN-1' },
    );
    expect(empty.text).toBe('## Set by astcard for SN-1\nHOSTNAME="a"\n');
  });

  it('unsets by removing every assignment line of the variable, and nothing else', () => {
    const result = edit(HAND_EDITED, {}, ['EXTIP', 'ISSUE', 'NOT_THERE']);
    const removed = changedLines(HAND_EDITED, result.text).removed.filter(
      (line) => !result.text.includes(line),
    );
    expect(removed).toEqual([
      'EXTIP=10.1.1.2',
      'EXTIP="10.20.30.40" ; # a second assignment after the first, with a semicolon: shell code',
      'ISSUE="Welcome to the Hamburg PBX.',
      "# this line is dropped by AstLinux's merge",
      'Ask IT before changing anything."',
    ]);
    expect(result.text).toContain('# Old address, kept for reference:\n#EXTIP="10.1.1.2"\nEXTNM=');
    expect(result.changes.map((change) => [change.name, change.action])).toEqual([
      ['EXTIP', 'removed'],
      ['ISSUE', 'removed'],
    ]);
    for (const shell of SHELLS) {
      expect(sourceAsAstlinux([result.text], ['EXTIP', 'ISSUE', 'EXTNM'], shell)).toEqual({
        EXTNM: '255.255.255.0',
      });
    }
  });

  it('refuses to unset what shell code sets, and to edit a file with a quote that never closes', () => {
    const checked = checkChanges({ unset: ['SIP_DOMAIN'] });
    const refused = editUserConf(HAND_EDITED, checked);
    expect(refused.text).toBe(HAND_EDITED);
    expect(refused.errors[0]?.message).toMatch(/SIP_DOMAIN cannot be unset here: line 26/);
    const open = editUserConf('ISSUE="open\n', { set: { HOSTNAME: 'x' }, unset: [] });
    expect(open.text).toBe('ISSUE="open\n');
    expect(open.errors[0]?.message).toMatch(/cannot be edited safely: line 1 opens a " quote/);
  });

  it('keeps CR LF on the lines it does not touch and writes its own line with a plain line feed', () => {
    const result = edit(WINDOWS, { DOMAIN: 'example.org', NTPSERVS: 'ntp.example.org' });
    expect(result.text).toBe(
      'HOSTNAME="pbx-win"\r\n# comment\r\nDOMAIN="example.org"\n\r\nEXTIF="eth0"\nNTPSERVS="ntp.example.org"\n',
    );
    for (const shell of SHELLS) {
      expect(sourceAsAstlinux([result.text], ['DOMAIN', 'NTPSERVS'], shell)).toEqual({
        DOMAIN: 'example.org',
        NTPSERVS: 'ntp.example.org',
      });
    }
  });

  it('leaves the generated sample unchanged but for the one value, and its values agree with the shells', () => {
    const result = edit(GENERATED, { EXTIP: '203.0.113.11' });
    expect(changedLines(GENERATED, result.text)).toEqual({
      removed: ['EXTIP="203.0.113.10"'],
      added: ['EXTIP="203.0.113.11"'],
    });
  });
});
