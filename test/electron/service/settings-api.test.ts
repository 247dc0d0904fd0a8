// The window's PBX settings calls over the real core, on card image files: the form's model, the preview
// (the settings model's verdicts, and the exact text saving writes), saving through the writer, and
// Prepare's "Set up this PBX". Oracles: the card's kd.img copied off by mtools, checked by e2fsck -fn and
// read by debugfs, as AstLinux would find it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type AstcardService, createAstcardService } from '../../../electron/service/service.js';
import type { SettingsChanges } from '../../../shared/api.js';
import {
  fakeImage,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from '../../core/card/card-fixtures.js';

const MIB = 1024 * 1024;
let service: AstcardService | undefined;
afterEach(() => service?.close());
afterAll(removeScratch);

function newService(): AstcardService {
  service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
  return service;
}

/** The card's kd.img copied off by mtools: e2fsck's verdict and user.conf as debugfs reads it. */
function keydiskOf(card: string, dir: string): { fsck: number; userConf: string } {
  const kd = join(dir, `kd-${Math.random().toString(36).slice(2)}.img`);
  writeFileSync(kd, mtoolsRead(card, 'mbr', 'kd.img'));
  const fsck = spawnSync('e2fsck', ['-fn', kd], { encoding: 'utf8' }).status ?? -1;
  const userConf = execFileSync('debugfs', ['-R', 'cat /rc.conf.d/user.conf', kd], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return { fsck, userConf };
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function cardWithKeydisk(dir: string): Promise<string> {
  const card = join(dir, 'card.img');
  await preparedCard(card, 40 * MIB, [fakeImage(dir, '1.5.10', MIB)]);
  const { api } = newService();
  await api.openCardImage(card);
  await api.createKeydisk(card, false);
  return card;
}

describe('PBX settings through the API', () => {
  test('the model lists the common settings and every time zone', async () => {
    const { api } = newService();
    const model = await api.settingsModel();
    expect(model.fields.map((field) => field.name)).toEqual([
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
    expect(model.fields.find((field) => field.name === 'HOSTNAME')?.astlinuxDefault).toBe('pbx');
    expect(model.fields.find((field) => field.name === 'EXTIP')?.astlinuxDefault).toBeNull();
    expect(model.timeZones).toContain('Europe/Berlin');
    expect(model.timeZones.length).toBeGreaterThan(400);
  });

  test('the preview is what saving writes, byte for byte; the keydisk is clean and holds the values', async () => {
    const dir = scratch('settings-api');
    const card = await cardWithKeydisk(dir);
    const { api } = service as AstcardService;
    const before = await api.readSettings({ cardId: card });
    expect(before).toMatchObject({ exists: false, values: {} });
    expect(before.base.file).toBe('/rc.conf.d/user.conf');
    expect(before.effective.HOSTNAME).toEqual({ value: 'pbx', from: 'AstLinux default' });

    const changes: SettingsChanges = {
      set: {
        HOSTNAME: 'pbx1',
        EXTIP: '192.168.10.20/24',
        EXTGW: '192.168.10.1',
        DNS: '192.168.10.1',
        TIMEZONE: 'Europe/Berlin',
      },
      unset: [],
    };
    const preview = await api.previewSettings(before.base, changes);
    expect(preview.errors).toEqual([]);
    expect(preview.text).toContain('EXTNM="255.255.255.0"\n');
    expect(preview.changes.map((change) => change.name)).toEqual([
      'HOSTNAME',
      'EXTIP',
      'EXTNM',
      'EXTGW',
      'DNS',
      'TIMEZONE',
    ]);

    const saved = await api.changeSettings(card, changes);
    expect(saved.file).toBe('/rc.conf.d/user.conf');
    const { fsck, userConf } = keydiskOf(card, dir);
    expect(fsck).toBe(0);
    expect(userConf).toBe(preview.text);
    expect(saved.settings.base.text).toBe(userConf);
    expect(saved.settings.values).toMatchObject({ HOSTNAME: 'pbx1', EXTNM: '255.255.255.0' });

    // Changing one value again changes that line only; every other byte stays.
    const next = await api.previewSettings(saved.settings.base, { set: { HOSTNAME: 'pbx2' }, unset: [] });
    expect(next.changes).toEqual([
      { name: 'HOSTNAME', action: 'changed', before: 'pbx1', after: 'pbx2', line: expect.any(Number) },
    ]);
    expect(next.text).toBe(userConf.replace('HOSTNAME="pbx1"', 'HOSTNAME="pbx2"'));
  });

  test('values that could break out of their quotes, or that do not fit, are explained and nothing is written', async () => {
    const dir = scratch('settings-api-refused');
    const card = await cardWithKeydisk(dir);
    const { api } = service as AstcardService;
    const base = (await api.readSettings({ cardId: card })).base;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ HOSTNAME: 'pbx_1' }, /^HOSTNAME: "pbx_1" is not a host name/],
      [{ HOSTNAME: 'pbx.example.com' }, /HOSTNAME is the short name only\. Put "example\.com" in DOMAIN/],
      [{ DOMAIN: 'a"b' }, /DOMAIN: /],
      [{ SIP_NAME: '$(reboot)' }, /contains \$, which AstLinux's shell would read as quoting or code/],
      [{ NOTE: 'two\nlines' }, /must fit on one line/],
      [{ EXTIP: '192.168.1.300' }, /^EXTIP: /],
      [{ EXTIP: '10.0.0.5' }, /needs a netmask in EXTNM/],
    ];
    for (const [set, reason] of cases) {
      const preview = await api.previewSettings(base, { set, unset: [] });
      expect(preview.errors.map((error) => error.message).join(' '), JSON.stringify(set)).toMatch(reason);
      expect(preview.errors[0]?.names.length).toBeGreaterThan(0);
    }
    const before = sha(card);
    await expect(api.changeSettings(card, { set: { HOSTNAME: '`id`' }, unset: [] })).rejects.toMatchObject({
      message: expect.stringMatching(/^Nothing was changed on the keydisk\. HOSTNAME: /),
    });
    expect(sha(card)).toBe(before);
  });

  test('a card without a keydisk says so in plain words', async () => {
    const dir = scratch('settings-api-none');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * MIB, [fakeImage(dir, '1.5.10', MIB)]);
    const { api } = newService();
    await api.openCardImage(card);
    await expect(api.readSettings({ cardId: card })).rejects.toMatchObject({
      message: 'This card has no keydisk (kd.img).',
    });
  });

  test('Prepare with "Set up this PBX" writes the settings into the new keydisk, and refuses bad ones before erasing', async () => {
    const dir = scratch('settings-api-prepare');
    const image = fakeImage(dir, '1.5.10', MIB);
    const card = join(dir, 'fresh.img');
    const { api } = newService();
    await api.createCardImage(card, 40 * MIB);
    const blank = sha(card);

    await expect(
      api.prepareCards({
        jobId: 'p1',
        cards: [card],
        images: [image],
        keydisk: { mode: 'new' },
        layout: 'mbr',
        settings: { set: { HOSTNAME: 'bad name' }, unset: [] },
      }),
    ).rejects.toMatchObject({
      code: 'settings-refused',
      message: expect.stringMatching(/no card was erased: HOSTNAME: "bad name" is not a host name/),
    });
    await expect(
      api.prepareCards({
        jobId: 'p2',
        cards: [card],
        images: [image],
        keydisk: { mode: 'none' },
        layout: 'mbr',
        settings: { set: { HOSTNAME: 'pbx7' }, unset: [] },
      }),
    ).rejects.toMatchObject({ code: 'settings-refused' });
    expect(sha(card)).toBe(blank);

    const newKeydisk = await api.readSettings({ newKeydisk: true });
    const changes = { set: { HOSTNAME: 'pbx7', EXTIP: '10.1.2.3/16', EXTGW: '10.1.0.1' }, unset: [] };
    const preview = await api.previewSettings(newKeydisk.base, changes);
    const [result] = await api.prepareCards({
      jobId: 'p3',
      cards: [card],
      images: [image],
      keydisk: { mode: 'new' },
      layout: 'mbr',
      settings: changes,
    });
    expect(result).toMatchObject({
      ok: true,
      keydisk: true,
      settings: { file: '/rc.conf.d/user.conf', changed: ['HOSTNAME', 'EXTIP', 'EXTNM', 'EXTGW'] },
    });
    const { fsck, userConf } = keydiskOf(card, dir);
    expect(fsck).toBe(0);
    expect(userConf).toBe(preview.text);
    expect(userConf).toContain('EXTNM="255.255.0.0"\n');
  });
});
