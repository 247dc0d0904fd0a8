import { describe, expect, it } from 'vitest';
import { checkChanges, checkCombination } from '../../../electron/core/settings/changes.js';
import { checkName, isIpv6 } from '../../../electron/core/settings/checks.js';
import { astlinuxDefaults, COMMON_SETTINGS, checkSetting } from '../../../electron/core/settings/model.js';
import { previewUserConf } from '../../../electron/core/settings/preview.js';

const accepts = (name: string, value: string, expected = value) =>
  expect(checkSetting(name, value), `${name}=${value}`).toEqual({ ok: true, value: expected });
const refuses = (name: string, value: string, reason: RegExp) => {
  const checked = checkSetting(name, value);
  expect(checked.ok, `${name}=${value}`).toBe(false);
  if (!checked.ok) expect(checked.reason).toMatch(reason);
};

describe('the common settings', () => {
  it("covers the variables of issue 19 and knows AstLinux's defaults for them", () => {
    expect(COMMON_SETTINGS.map((setting) => setting.name)).toEqual([
      'HOSTNAME',
      'DOMAIN',
      'TIMEZONE',
      'NTPSERVS',
      'EXTIF',
      'EXTIP',
      'EXTNM',
      'EXTGW',
      'DNS',
      'INTIF',
      'INTIP',
      'INTNM',
    ]);
    expect(astlinuxDefaults()).toEqual({
      HOSTNAME: 'pbx',
      DOMAIN: 'astlinux',
      TIMEZONE: 'UTC',
      NTPSERVS: 'us.pool.ntp.org',
      EXTIF: 'eth0',
      INTIP: '192.168.101.1',
      INTNM: '255.255.255.0',
    });
  });

  it('takes host names as single RFC 1123 labels and says what to do with a dotted one', () => {
    accepts('HOSTNAME', 'pbx-1');
    accepts('HOSTNAME', '1pbx');
    accepts('HOSTNAME', ` ${'a'.repeat(63)} `, 'a'.repeat(63));
    refuses('HOSTNAME', 'a'.repeat(64), /64 characters long; a host name has 63 at most/);
    refuses('HOSTNAME', '-pbx', /not starting or ending with a hyphen/);
    refuses('HOSTNAME', 'pbx_1', /letters, digits and hyphens only/);
    refuses('HOSTNAME', 'pbx1.example.com', /HOSTNAME is the short name only. Put "example.com" in DOMAIN/);
    refuses('HOSTNAME', '', /unset HOSTNAME instead/);
    accepts('DOMAIN', 'office.example.com');
    accepts('DOMAIN', '');
    refuses('DOMAIN', 'example..com', /empty part between two dots/);
    refuses('DOMAIN', 'example.com.', /ends with a dot/);
    refuses('DOMAIN', 'ex_ample.com', /"ex_ample" may hold only letters, digits and hyphens/);
  });

  it('takes IPv4 addresses strictly and refuses ones no machine can have', () => {
    accepts('EXTIP', '192.168.1.10');
    accepts('EXTGW', ' 10.0.0.1 ', '10.0.0.1');
    accepts('EXTIP', '');
    refuses('EXTIP', '192.168.1.256', /number over 255/);
    refuses('EXTIP', '192.168.01.10', /leading zero, which some programs read as octal/);
    refuses('EXTIP', '192.168.1', /not an IPv4 address like 192\.168\.1\.10/);
    refuses('EXTIP', '127.0.0.1', /loopback/);
    refuses('EXTIP', '0.1.2.3', /0\.0\.0\.0\/8/);
    refuses('EXTGW', '224.0.0.1', /multicast or reserved/);
  });

  it('writes netmasks dotted, as AstLinux does, converting a prefix length', () => {
    accepts('EXTNM', '255.255.255.0');
    accepts('EXTNM', '/24', '255.255.255.0');
    accepts('INTNM', '20', '255.255.240.0');
    accepts('INTNM', '32', '255.255.255.255');
    accepts('EXTNM', '1', '128.0.0.0');
    refuses('EXTNM', '255.0.255.0', /one-bits must come first/);
    refuses('EXTNM', '33', /use 1 to 32/);
    refuses('EXTNM', '0.0.0.0', /not a usable netmask/);
    refuses('EXTNM', 'ffffff00', /write it like 255\.255\.255\.0, or as a prefix length like \/24/);
  });

  it('takes Linux interface names and time zone names from the shipped list', () => {
    for (const name of ['eth0', 'enp1s0', 'eth1.110', 'br0', 'ppp0', 'wlan0-1', 'a'.repeat(15)])
      accepts('EXTIF', name);
    refuses('EXTIF', 'a'.repeat(16), /15 at most/);
    refuses('INTIF', 'eth 0', /not an interface name/);
    refuses('INTIF', 'eth0:1', /not an interface name/);
    refuses('INTIF', '..', /not an interface name/);
    accepts('TIMEZONE', 'America/Chicago');
    accepts('TIMEZONE', 'US/Central');
    accepts('TIMEZONE', 'UTC');
    accepts('TIMEZONE', 'europe/berlin', 'Europe/Berlin');
    accepts('TIMEZONE', 'America/New York', 'America/New_York');
    refuses('TIMEZONE', 'Mars/Olympus_Mons', /not a time zone name like Europe\/Berlin/);
    refuses('TIMEZONE', 'Asia/Berlin', /did you mean Europe\/Berlin\?/);
    refuses('TIMEZONE', 'Factory', /not a time zone name/);
  });

  it('takes NTP servers by name or address and DNS servers by address, separated by spaces', () => {
    accepts(
      'NTPSERVS',
      '0.de.pool.ntp.org,  192.0.2.1 2001:db8::1',
      '0.de.pool.ntp.org 192.0.2.1 2001:db8::1',
    );
    refuses(
      'NTPSERVS',
      'pool.ntp.org ntp_1.example',
      /"ntp_1" may hold only.*Separate several servers with spaces/,
    );
    refuses('NTPSERVS', '192.0.2.300', /number over 255/);
    accepts('DNS', '1.1.1.1, 9.9.9.9\t2606:4700:4700::1111', '1.1.1.1 9.9.9.9 2606:4700:4700::1111');
    refuses('DNS', 'dns.example.com', /not an IPv4 address.*DNS servers are given by address/);
    refuses('DNS', '2001:db8:::1', /not an IPv6 address/);
    for (const ok of [
      '::',
      '::1',
      '2001:db8::',
      'fe80::1:2:3:4',
      '1:2:3:4:5:6:7:8',
      '::ffff:192.0.2.1',
      '64:ff9b::192.0.2.1',
    ])
      expect(isIpv6(ok), ok).toBe(true);
    for (const bad of [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      'g::1',
      '12345::',
      '::ffff:192.0.2.256',
      'fe80::1%eth0',
    ])
      expect(isIpv6(bad), bad).toBe(false);
  });

  it('takes any other variable by its name rules, and refuses shell variables', () => {
    accepts('FWVERS', 'arno');
    accepts('SIP_TLS_PORT_2', '5061');
    expect(checkName('hostname')).toEqual({
      ok: false,
      reason: expect.stringMatching(/capital letters, digits and _ only/),
    });
    expect(checkName('2FA')).toEqual({
      ok: false,
      reason: expect.stringMatching(/not starting with a digit/),
    });
    expect(checkName('PATH')).toEqual({
      ok: false,
      reason: expect.stringMatching(/PATH is a shell variable.*every AstLinux start-up script/),
    });
    refuses('IFS', ' ', /shell variable/);
  });
});

describe('checking changes as a whole', () => {
  it('splits an address given with its prefix into EXTIP and EXTNM, and refuses two different masks', () => {
    expect(checkChanges({ set: { EXTIP: '10.0.0.5/24' } })).toEqual({
      set: { EXTIP: '10.0.0.5', EXTNM: '255.255.255.0' },
      unset: [],
      errors: [],
    });
    expect(checkChanges({ set: { INTIP: '172.16.0.1/255.255.0.0', INTNM: '16' } }).set).toEqual({
      INTIP: '172.16.0.1',
      INTNM: '255.255.0.0',
    });
    const clash = checkChanges({ set: { EXTIP: '10.0.0.5/24', EXTNM: '255.255.0.0' } });
    expect(clash.errors.map((error) => error.message)).toEqual([
      'EXTIP says /24 but EXTNM says 255.255.0.0; give the netmask once.',
    ]);
    expect(checkChanges({ set: { EXTIP: '10.0.0.5/' } }).errors[0]?.message).toMatch(
      /not an address with a prefix/,
    );
    expect(checkChanges({ set: { HOSTNAME: 'a' }, unset: ['HOSTNAME'] }).errors[0]?.message).toBe(
      'HOSTNAME is both set and unset; choose one.',
    );
  });

  it('finds the combinations that leave a PBX without its network, and the likely mistakes', () => {
    const names = (issues: { names: string[] }[]) => issues.map((issue) => issue.names.join('+'));
    const noMask = checkCombination({ EXTIF: 'eth0', EXTIP: '10.0.0.5', EXTGW: '10.0.0.1', DNS: '10.0.0.1' });
    expect(names(noMask.errors)).toEqual(['EXTIP+EXTNM']);
    expect(noMask.errors[0]?.message).toMatch(
      /needs a netmask in EXTNM \(such as 255\.255\.255\.0\); without one AstLinux cannot configure eth0/,
    );

    const good = checkCombination({
      EXTIP: '10.0.0.5',
      EXTNM: '255.255.255.0',
      EXTGW: '10.0.0.1',
      DNS: '10.0.0.1',
    });
    expect(good).toEqual({ errors: [], warnings: [] });

    const lonely = checkCombination({ EXTIP: '10.0.0.5', EXTNM: '255.255.255.0', EXTGW: '10.0.1.1' });
    expect(names(lonely.warnings)).toEqual(['EXTGW', 'DNS']);
    expect(lonely.warnings[0]?.message).toMatch(/outside the PBX's network 10\.0\.0\.0\/24/);

    expect(
      names(
        checkCombination({ EXTIP: '10.0.0.0', EXTNM: '255.255.255.0', EXTGW: '10.0.0.1', DNS: '1.1.1.1' })
          .errors,
      ),
    ).toEqual(['EXTIP']);
    expect(
      names(
        checkCombination({ EXTIP: '10.0.0.255', EXTNM: '255.255.255.0', EXTGW: '10.0.0.1', DNS: '1.1.1.1' })
          .errors,
      ),
    ).toEqual(['EXTIP']);
    expect(
      names(
        checkCombination({ EXTIP: '10.0.0.5', EXTNM: '255.255.255.0', EXTGW: '10.0.0.5', DNS: '1.1.1.1' })
          .errors,
      ),
    ).toEqual(['EXTGW']);
    expect(names(checkCombination({ EXTNM: '255.255.255.0', EXTGW: '10.0.0.1' }).warnings)).toEqual([
      'EXTNM+EXTGW',
    ]);

    const internal = checkCombination({ EXTIF: 'eth0', INTIF: 'eth0', INTIP: '192.168.1.1' });
    expect(names(internal.errors)).toEqual(['INTIF+EXTIF', 'INTIP+INTNM']);
    const overlap = checkCombination({
      EXTIP: '192.168.1.5',
      EXTNM: '255.255.0.0',
      EXTGW: '192.168.0.1',
      DNS: '192.168.0.1',
      INTIF: 'eth1',
      INTIP: '192.168.101.1',
      INTNM: '255.255.255.0',
    });
    expect(names(overlap.warnings)).toEqual(['INTIP+EXTIP']);
  });
});

describe('previewing a change', () => {
  it('shows the new text and the values AstLinux will use, with files read after user.conf winning', () => {
    const preview = previewUserConf(
      'HOSTNAME="old"\n',
      { set: { HOSTNAME: 'pbx9', DOMAIN: 'example.com' } },
      {
        before: [{ file: 'rc.conf.d/gui.network.conf', values: { DOMAIN: 'gui.example', EXTIF: 'eth1' } }],
        after: [{ file: 'rc.conf.d/zz-site.conf', values: { HOSTNAME: 'forced' } }],
      },
    );
    expect(preview.text).toBe('HOSTNAME="pbx9"\nDOMAIN="example.com"\n');
    expect(preview.errors).toEqual([]);
    expect(preview.effective.HOSTNAME).toEqual({ value: 'forced', from: 'rc.conf.d/zz-site.conf' });
    expect(preview.effective.DOMAIN).toEqual({ value: 'example.com', from: 'user.conf' });
    expect(preview.effective.EXTIF).toEqual({ value: 'eth1', from: 'rc.conf.d/gui.network.conf' });
    expect(preview.effective.NTPSERVS).toEqual({ value: 'us.pool.ntp.org', from: 'AstLinux default' });
    expect(preview.warnings.map((warning) => warning.message)).toEqual([
      'rc.conf.d/zz-site.conf also sets HOSTNAME and AstLinux reads it after user.conf, so its value "forced" is the one that counts.',
    ]);
  });

  it('blocks a change that breaks the network and only warns of problems the card already had', () => {
    const broken = previewUserConf('EXTNM="255.255.255.0"\n', {
      set: { EXTIP: '10.0.0.5' },
      unset: ['EXTNM'],
    });
    expect(broken.errors.map((error) => error.names)).toEqual([['EXTIP', 'EXTNM']]);
    const already = previewUserConf('EXTIP="10.0.0.5"\n', { set: { HOSTNAME: 'pbx2' } });
    expect(already.errors).toEqual([]);
    expect(already.warnings[0]?.message).toMatch(
      /^Already so before this change: The static address 10\.0\.0\.5 needs a netmask/,
    );
    const invalid = previewUserConf('', { set: { HOSTNAME: 'bad name', DOMAIN: 'example.com' } });
    expect(invalid.errors.map((error) => [error.kind, error.names])).toEqual([['value', ['HOSTNAME']]]);
    expect(invalid.text).toBe('DOMAIN="example.com"\n');
  });

  it('says when nothing would change', () => {
    const preview = previewUserConf('HOSTNAME=pbx # x\n', { set: { HOSTNAME: 'pbx' } });
    expect(preview).toMatchObject({ unchanged: true, text: 'HOSTNAME=pbx # x\n', changes: [] });
  });
});
