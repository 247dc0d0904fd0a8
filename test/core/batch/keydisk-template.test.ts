import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCardValues, parseCsv } from '../../../electron/core/batch/card-values.js';
import { applySettings, keydiskForCard, settingsFor } from '../../../electron/core/batch/keydisk-template.js';
import { createKeydiskImage } from '../../../electron/core/card/keydisk.js';
import { removeScratch, scratch } from '../card/card-fixtures.js';

afterAll(removeScratch);

function debugfs(image: Uint8Array, request: string): string {
  const path = join(scratch('kdt'), 'kd.img');
  writeFileSync(path, image);
  return execFileSync('debugfs', ['-R', request, path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

describe('CSV of per-card values', () => {
  it('reads quoted fields, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
    ]);
  });

  it('names rows by hostname and refuses a hostname given twice', () => {
    const rows = parseCardValues('Hostname,IP Address\npbx1,10.0.0.1\n,10.0.0.2\n');
    expect(rows.map((r) => r.id)).toEqual(['pbx1', 'row-2']);
    expect(rows[0]?.values.ip_address).toBe('10.0.0.1');
    expect(() => parseCardValues('hostname\na\na\n')).toThrow(/repeats "a"/);
    expect(() => parseCardValues('hostname\n"a\n')).toThrow(/closing "/);
  });

  it('refuses values that are not what their column needs, naming the row', () => {
    const [row] = parseCardValues('hostname,ip\npbx1,10.0.0.300\n');
    expect(() => settingsFor(row as never)).toThrow(/Row 1.*10\.0\.0\.300.*IPv4/);
    const [evil] = parseCardValues('hostname\n"pbx1""; rm -rf /"\n');
    expect(() => settingsFor(evil as never)).toThrow(/host name/);
  });
});

describe('keydiskForCard', () => {
  it('replaces settings the template has and keeps the rest of its user.conf', () => {
    const text = applySettings(
      '# tuned\nHOSTNAME="template"\nFWVERS="arno"\n',
      new Map([
        ['HOSTNAME', 'pbx9'],
        ['EXTIP', '10.0.0.9'],
      ]),
      'SN-9',
    );
    expect(text).toBe(
      '# tuned\nHOSTNAME="pbx9"\nFWVERS="arno"\n## Set by astcard batch for SN-9\nEXTIP="10.0.0.9"\n',
    );
  });

  it('writes the row into /rc.conf.d/user.conf of a copy that e2fsck accepts, leaving the template alone', async () => {
    const template = createKeydiskImage();
    const before = Buffer.from(template);
    const [row] = parseCardValues(
      'hostname,ip,netmask,gateway,dns\npbx7,192.168.7.2,255.255.0.0,192.168.7.1,1.1.1.1 9.9.9.9\n',
    );
    const kd = await keydiskForCard(template, row as never);
    expect(Buffer.compare(Buffer.from(template), before)).toBe(0);
    const conf = debugfs(kd, 'cat /rc.conf.d/user.conf');
    expect(conf).toContain('HOSTNAME="pbx7"');
    expect(conf).toContain('EXTIP="192.168.7.2"');
    expect(conf).toContain('EXTNM="255.255.0.0"');
    expect(conf).toContain('EXTGW="192.168.7.1"');
    expect(conf).toContain('DNS="1.1.1.1 9.9.9.9"');
    const path = join(scratch('kdt'), 'check.img');
    writeFileSync(path, kd);
    execFileSync('e2fsck', ['-fn', path], { stdio: 'ignore' });
    expect(debugfs(kd, 'stats')).toMatch(/Filesystem volume name:\s+ASTKD/);
  });
});
