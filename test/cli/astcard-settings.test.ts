/**
 * `astcard settings`: the PBX settings on a card's keydisk, set before it is first switched on. Checked on
 * the keydisk itself with e2fsprogs (e2fsck -fn, debugfs), as AstLinux would find it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { fakeImage, fsckCard, mtoolsRead, removeScratch, scratch } from '../core/card/card-fixtures.js';

const dir = scratch('settings-cli');

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The card's kd.img copied off with mtools, checked by e2fsck, and its user.conf read by debugfs. */
function keydiskUserConf(card: string): { fsck: number; text: string } {
  const kd = join(dir, `kd-${Math.random().toString(36).slice(2)}.img`);
  writeFileSync(kd, mtoolsRead(card, 'mbr', 'kd.img'));
  const fsck = spawnSync('e2fsck', ['-fn', kd], { encoding: 'utf8' }).status ?? -1;
  const text = execFileSync('debugfs', ['-R', 'cat /rc.conf.d/user.conf', kd], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return { fsck, text };
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

let card: string;
beforeAll(() => {
  card = join(dir, 'card.img');
  const image = fakeImage(dir, '1.5.10', 200_000);
  const prepared = astcard('prepare', card, '--size', '40M', '--image', image, '--new-keydisk');
  expect(prepared.status, prepared.stderr).toBe(0);
});
afterAll(removeScratch);

describe('astcard settings', () => {
  it('sets a host name and a static address on the keydisk: e2fsck finds it clean, the file holds them', () => {
    const run = astcard(
      'settings',
      'set',
      card,
      'HOSTNAME=pbx1',
      'EXTIP=192.168.10.20/24',
      'EXTGW=192.168.10.1',
      'DNS=192.168.10.1',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Changed HOSTNAME, EXTIP, EXTNM, EXTGW, DNS in \/rc\.conf\.d\/user\.conf/);
    const { fsck, text } = keydiskUserConf(card);
    expect(fsck).toBe(0);
    expect(text).toContain('HOSTNAME="pbx1"\n');
    expect(text).toContain('EXTIP="192.168.10.20"\n');
    expect(text).toContain('EXTNM="255.255.255.0"\n');
    expect(fsckCard(card, 'mbr').status).toBe(0);

    const shown = astcard('settings', 'show', card, '--json');
    expect(shown.status, shown.stderr).toBe(0);
    const document = JSON.parse(shown.stdout);
    expect(document.values).toMatchObject({ HOSTNAME: 'pbx1', EXTGW: '192.168.10.1' });
    expect(document.effective.TIMEZONE).toEqual({ value: 'UTC', from: 'AstLinux default' });
  });

  it('refuses values that could break out of their quotes, with the reason, and leaves the card as it was', () => {
    const before = sha(card);
    for (const hostile of ['HOSTNAME=$(reboot)', 'DOMAIN=a"b', 'NTPSERVS=`id`', 'FOO=line\nbreak']) {
      const run = astcard('settings', 'set', card, hostile);
      expect(run.status, hostile).toBe(1);
      expect(run.stderr).toMatch(/^astcard: Nothing was changed on the keydisk\. /);
    }
    expect(sha(card)).toBe(before);
    expect(astcard('settings', 'set', card, 'HOSTNAME').status).toBe(2);
  });

  it('unsets a variable, and says so plainly for a card without a keydisk', () => {
    expect(astcard('settings', 'unset', card, 'DNS').status).toBe(0);
    expect(keydiskUserConf(card).text).not.toContain('DNS=');
    const bare = join(dir, 'bare.img');
    const image = fakeImage(dir, '1.5.11', 100_000);
    expect(astcard('prepare', bare, '--size', '32M', '--image', image).status).toBe(0);
    const run = astcard('settings', 'show', bare);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no keydisk/);
  });
});
