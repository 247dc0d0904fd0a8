import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCardValues, parseCsv, settingForColumn } from '../../../electron/core/batch/card-values.js';
import { keydiskForCard } from '../../../electron/core/batch/keydisk-template.js';
import { createKeydiskImage } from '../../../electron/core/card/keydisk.js';
import { previewUserConf } from '../../../electron/core/settings/preview.js';
import { removeScratch, scratch } from '../card/card-fixtures.js';

afterAll(removeScratch);

function imageFile(image: Uint8Array): string {
  const path = join(scratch('kdt'), 'kd.img');
  writeFileSync(path, image);
  return path;
}

function debugfs(image: Uint8Array, request: string): string {
  return execFileSync('debugfs', ['-R', request, imageFile(image)], {
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

  it("takes the settings model's variable names as columns, the older names too, and leaves the rest alone", () => {
    expect(
      [
        'HOSTNAME',
        'hostname',
        'ExtIP',
        'IP Address',
        'netmask',
        'NTP Server',
        'time-zone',
        'FWVERS',
        'Serial Label',
        'SERIAL',
        'notes',
        'Notes',
      ].map(settingForColumn),
    ).toEqual([
      'HOSTNAME',
      'HOSTNAME',
      'EXTIP',
      'EXTIP',
      'EXTNM',
      'NTPSERVS',
      'TIMEZONE',
      'FWVERS',
      null,
      null,
      null,
      null,
    ]);
    const [row] = parseCardValues(
      'Serial Label,HOSTNAME,EXTIP,EXTNM,dns,TIMEZONE,FWVERS,notes\nSN-1,pbx1,10.0.0.5,/16,"1.1.1.1, 9.9.9.9",europe/berlin,arno,spare unit\n',
    );
    expect(row?.settings).toEqual({
      HOSTNAME: 'pbx1',
      EXTIP: '10.0.0.5',
      EXTNM: '255.255.0.0',
      DNS: '1.1.1.1 9.9.9.9',
      TIMEZONE: 'Europe/Berlin',
      FWVERS: 'arno',
    });
    const [cidr] = parseCardValues('hostname,ip\npbx2,10.0.0.6/24\n');
    expect(cidr?.settings).toEqual({ HOSTNAME: 'pbx2', EXTIP: '10.0.0.6', EXTNM: '255.255.255.0' });
    expect(() => parseCardValues('ip,EXTIP\n10.0.0.1,10.0.0.2\n')).toThrow(
      /columns "ip" and "EXTIP" both set EXTIP; keep one of them/,
    );
  });

  it('refuses a bad value when the CSV is read, naming the line and column, before any card is written', () => {
    expect(() => parseCardValues('hostname,ip\npbx1,10.0.0.1\npbx2,10.0.0.300\n')).toThrow(
      /^CSV line 3, column "ip": EXTIP: "10\.0\.0\.300" has a number over 255\. Correct the CSV and start again\.$/,
    );
    expect(() => parseCardValues('hostname\n"pbx1""; rm -rf /"\n')).toThrow(
      /CSV line 2, column "hostname": HOSTNAME: .* is not a host name/,
    );
    expect(() => parseCardValues('NOTE\n"a `reboot` b"\n')).toThrow(/column "NOTE": NOTE: contains `/);
    expect(() => parseCardValues('hostname,EXTIP\npbx1,10.0.0.1/99\n')).toThrow(
      /not an address with a prefix like 192\.168\.1\.10\/24/,
    );
  });
});

describe('keydiskForCard', () => {
  it('writes the row into /rc.conf.d/user.conf of a copy that e2fsck accepts, leaving the template alone', async () => {
    const template = createKeydiskImage();
    const before = Buffer.from(template);
    const [row] = parseCardValues(
      'hostname,ip,netmask,gateway,dns\npbx7,192.168.7.2,255.255.0.0,192.168.7.1,1.1.1.1 9.9.9.9\n',
    );
    const kd = await keydiskForCard(template, row as never);
    expect(Buffer.compare(Buffer.from(template), before)).toBe(0);
    expect(debugfs(kd, 'cat /rc.conf.d/user.conf')).toBe(
      [
        '## Set by astcard batch for pbx7',
        'HOSTNAME="pbx7"',
        'EXTIP="192.168.7.2"',
        'EXTNM="255.255.0.0"',
        'EXTGW="192.168.7.1"',
        'DNS="1.1.1.1 9.9.9.9"',
        '',
      ].join('\n'),
    );
    const run = spawnSync('e2fsck', ['-fn', imageFile(kd)], { encoding: 'utf8' });
    expect(run.status, run.stdout).toBe(0);
    expect(debugfs(kd, 'stats')).toMatch(/Filesystem volume name:\s+ASTKD/);
  });

  it("replaces settings the template has in place, keeps its other lines, and matches the app's preview", async () => {
    const dir = scratch('kdt-tree');
    const templateUserConf =
      '# tuned for the shop\nHOSTNAME="template"\nFWVERS="arno"\nEXTNM="255.255.255.128"\n';
    mkdirSync(join(dir, 'tree/rc.conf.d'), { recursive: true });
    writeFileSync(join(dir, 'tree/rc.conf.d/user.conf'), templateUserConf);
    execFileSync(
      'mke2fs',
      ['-q', '-F', '-t', 'ext2', '-L', 'ASTKD', '-d', join(dir, 'tree'), join(dir, 'kd.img'), '1024k'],
      {
        stdio: 'pipe',
      },
    );
    const template = new Uint8Array(readFileSync(join(dir, 'kd.img')));
    const [row] = parseCardValues('serial label,hostname,ip,gateway\n"SN-9, spare",pbx9,10.0.0.9,10.0.0.1\n');
    const kd = await keydiskForCard(template, row as never);
    const written = debugfs(kd, 'cat /rc.conf.d/user.conf');
    // The template's netmask stands: no /24 is added when it has one.
    expect(written).toBe(
      '# tuned for the shop\nHOSTNAME="pbx9"\nFWVERS="arno"\nEXTNM="255.255.255.128"\n## Set by astcard batch for SN-9, spare\nEXTIP="10.0.0.9"\nEXTGW="10.0.0.1"\n',
    );
    const preview = previewUserConf(
      templateUserConf,
      { set: row?.settings ?? {} },
      {
        appendComment: 'Set by astcard batch for SN-9, spare',
      },
    );
    expect(preview.text).toBe(written);
  });

  it('gives a row with only an address the usual /24, and says which row cannot go onto the template', async () => {
    const [row] = parseCardValues('hostname,ip,gateway\npbx3,10.1.0.13,10.1.0.1\n');
    const kd = await keydiskForCard(createKeydiskImage(), row as never);
    expect(debugfs(kd, 'cat /rc.conf.d/user.conf')).toContain('EXTIP="10.1.0.13"\nEXTNM="255.255.255.0"\n');

    const [far] = parseCardValues('hostname,ip,netmask,gateway\npbx4,10.1.0.0,255.255.255.0,10.1.0.1\n');
    await expect(keydiskForCard(createKeydiskImage(), far as never)).rejects.toMatchObject({
      code: 'bad-value',
      message: expect.stringMatching(
        /^Row 1 of the CSV \(pbx4\): Nothing was changed.*10\.1\.0\.0 is the network address/,
      ),
    });
    const broken = createKeydiskImage();
    broken.fill(0, 4096, 64 * 1024);
    await expect(keydiskForCard(broken, row as never)).rejects.toMatchObject({ code: 'bad-template' });
  });
});
