// Issue 19 under QEMU: the PBX settings saved in the app (the service the window calls: the preview, then
// changeSettings, a writer job) are the ones the booted AstLinux image runs with, and `astcard settings
// show` reads the same. The test image's init reads the keydisk it was handed as AstLinux's gen-rc-conf
// does (rc.conf.d/*.conf in order, comments and blank lines dropped, sourced) and prints
// `ASTLINUX-SETTING HOSTNAME=…`. One boot. Needs `npm run build:loader` and `npm run build:syslinux` first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AstcardService, createAstcardService } from '../../electron/service/service.js';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { buildAstlinuxImage, fixtureCache } from '../fixtures/astlinux-images.js';
import { boot } from '../loader/qemu.js';
import { markerOf } from '../loader/serial-log.js';

const dir = join(fixtureCache, 'astcard-settings-boot');
const card = join(dir, 'card.img');
let service: AstcardService | undefined;
afterAll(() => service?.close());

function astcard(...args: string[]): string {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`astcard ${args.join(' ')} failed (${run.status}): ${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** The settings line the booted image printed, or null when it printed none. */
function settingOf(log: string): string | null {
  const line = log
    .split('\n')
    .map((each) => each.trim())
    .find((each) => each.startsWith('ASTLINUX-SETTING '));
  return line === undefined ? null : line.slice('ASTLINUX-SETTING '.length);
}

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const image = buildAstlinuxImage({ version: '3.0.0', format: 'ext2' }, join(dir, 'AstLinux-3.0.0.img'));
  astcard(
    'prepare',
    card,
    '--size',
    '96M',
    '--image',
    image,
    '--new-keydisk',
    '--console',
    'ttyS0,115200',
    '--onfail',
    'poweroff',
  );
}, 300_000);

describe('PBX settings on the keydisk, as the booted AstLinux reads them', () => {
  test('after saving HOSTNAME and a static address in the app, the booted image runs with that host name', async () => {
    service = createAstcardService({ appVersion: 't', drives: { list: async () => [] } });
    const { api } = service;
    await api.openCardImage(card);
    const changes = {
      set: { HOSTNAME: 'pbx-qemu-7', EXTIP: '10.0.2.15/24', EXTGW: '10.0.2.2', SIP_REALM: 'Branch office 7' },
      unset: [],
    };
    // What the form shows before saving is what is saved.
    const current = await api.readSettings({ cardId: card });
    const preview = await api.previewSettings(current.base, changes);
    expect(preview.errors).toEqual([]);
    const saved = await api.changeSettings(card, changes);
    expect(saved.changes.map((change) => change.name)).toEqual([
      'HOSTNAME',
      'EXTIP',
      'EXTNM',
      'EXTGW',
      'SIP_REALM',
    ]);
    expect(saved.settings.base.text).toBe(preview.text);
    service.close();
    service = undefined;
    // The command line reads the same values off the card.
    const shown = JSON.parse(astcard('settings', 'show', card, '--json'));
    expect(shown.values).toMatchObject({
      HOSTNAME: 'pbx-qemu-7',
      EXTIP: '10.0.2.15',
      EXTNM: '255.255.255.0',
    });

    const result = await boot([{ file: card, interface: 'ide' }], { timeoutMs: 240_000 });
    writeFileSync(join(dir, 'set.log'), result.log);
    expect(result.timedOut, `timed out; log in ${dir}/set.log`).toBe(false);
    expect(markerOf(result.log)?.version).toBe('3.0.0');
    expect(settingOf(result.log)).toBe('HOSTNAME=pbx-qemu-7');
  }, 300_000);
});
