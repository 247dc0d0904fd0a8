import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../../electron/core/block/file-block-device.js';
import { MemoryBlockDevice } from '../../../electron/core/block/memory-block-device.js';
import { PartitionBlockDevice } from '../../../electron/core/block/partition-block-device.js';
import { createKeydiskImage } from '../../../electron/core/card/keydisk.js';
import { readCardSettings, writeCardSettings } from '../../../electron/core/settings/card-settings.js';
import { SettingsError } from '../../../electron/core/settings/settings-error.js';
import { removeScratch, scratch } from '../card/card-fixtures.js';
import { sourceAsAstlinux } from './astlinux-shell.js';
import { HAND_EDITED } from './user-conf-samples.js';

afterAll(removeScratch);

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

function imageFile(bytes: Uint8Array): string {
  const path = join(scratch('kdset'), 'kd.img');
  writeFileSync(path, bytes);
  return path;
}

/** `debugfs -R <request>` on the image: its stdout. */
function debugfs(image: Uint8Array | string, request: string): string {
  const path = typeof image === 'string' ? image : imageFile(image);
  return execFileSync('debugfs', ['-R', request, path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** `debugfs -R 'dump …'` of a file, byte for byte. */
function dumpFile(image: Uint8Array, path: string): Buffer {
  const file = imageFile(image);
  const out = `${file}.out`;
  execFileSync('debugfs', ['-R', `dump ${path} ${out}`, file], { stdio: 'ignore' });
  return readFileSync(out);
}

function expectClean(image: Uint8Array | string): void {
  const path = typeof image === 'string' ? image : imageFile(image);
  const run = spawnSync('e2fsck', ['-fn', path], { encoding: 'utf8' });
  expect(run.status, run.stdout + run.stderr).toBe(0);
}

/** A keydisk made by mke2fs from a tree of files, as AstLinux's own tools make them. */
function mke2fsKeydisk(
  files: Record<string, string | Uint8Array>,
  options: { kib?: number; type?: string } = {},
): Uint8Array {
  const dir = scratch('kdtree');
  const tree = join(dir, 'tree');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(tree, path, '..'), { recursive: true });
    writeFileSync(join(tree, path), content);
  }
  mkdirSync(tree, { recursive: true });
  const image = join(dir, 'kd.img');
  execFileSync(
    'mke2fs',
    [
      '-q',
      '-F',
      '-t',
      options.type ?? 'ext2',
      '-b',
      '1024',
      '-m',
      '0',
      '-L',
      'ASTKD',
      '-d',
      tree,
      '-E',
      'root_owner=0:0',
      image,
      `${options.kib ?? 2048}k`,
    ],
    { stdio: 'pipe' },
  );
  return new Uint8Array(readFileSync(image));
}

const GUI_NETWORK = '### gui.network.conf - start ###\nHOSTNAME="from-gui"\nEXTIF="eth1"\nDNS="192.0.2.53"\n';
const SITE_OVERRIDE = '## read after user.conf\nNTPSERVS="ntp.site.example"\n';

describe("reading a keydisk's settings", () => {
  it('reads user.conf with the files AstLinux merges around it, and changes nothing', async () => {
    const kd = mke2fsKeydisk({
      'rc.conf.d/user.conf': HAND_EDITED,
      'rc.conf.d/gui.network.conf': GUI_NETWORK,
      'rc.conf.d/zz-site.conf': SITE_OVERRIDE,
      'rc.conf.d/notes.txt': 'HOSTNAME=ignored\n',
      'rc.conf.d/.hidden.conf': 'HOSTNAME=hidden\n',
    });
    const before = sha1(kd);
    const settings = await readCardSettings(kd);
    expect(sha1(kd)).toBe(before);
    expect(settings).toMatchObject({
      file: '/rc.conf.d/user.conf',
      exists: true,
      text: HAND_EDITED,
      replacesDefaults: false,
    });
    expect(settings.values.HOSTNAME).toBe('pbx-hh');
    expect(settings.before).toEqual([
      {
        file: 'rc.conf.d/gui.network.conf',
        values: { HOSTNAME: 'from-gui', EXTIF: 'eth1', DNS: '192.0.2.53' },
      },
    ]);
    expect(settings.after).toEqual([
      { file: 'rc.conf.d/zz-site.conf', values: { NTPSERVS: 'ntp.site.example' } },
    ]);
    expect(settings.effective).toMatchObject({
      HOSTNAME: { value: 'pbx-hh', from: 'rc.conf.d/user.conf' },
      EXTIF: { value: 'eth1', from: 'rc.conf.d/gui.network.conf' },
      NTPSERVS: { value: 'ntp.site.example', from: 'rc.conf.d/zz-site.conf' },
      INTNM: { value: '255.255.255.0', from: 'AstLinux default' },
    });
    expect(settings.warnings.map((warning) => warning.message)).toEqual([
      'rc.conf.d/zz-site.conf also sets NTPSERVS and AstLinux reads it after rc.conf.d/user.conf, so "ntp.site.example" is the value that counts.',
    ]);
    // The merge order is AstLinux's: what the shells get from the files concatenated in that order.
    const sourced = sourceAsAstlinux(
      [GUI_NETWORK, HAND_EDITED, SITE_OVERRIDE],
      ['HOSTNAME', 'EXTIF', 'NTPSERVS', 'DNS'],
      'busybox ash',
    );
    for (const [name, value] of Object.entries(sourced))
      expect(settings.effective[name]?.value, name).toBe(value);
  });

  it("reads a keydisk with no settings yet as an empty user.conf over AstLinux's defaults", async () => {
    const settings = await readCardSettings(createKeydiskImage());
    expect(settings).toMatchObject({
      file: '/rc.conf.d/user.conf',
      exists: false,
      text: '',
      values: {},
      before: [],
      after: [],
    });
    expect(settings.effective.HOSTNAME).toEqual({ value: 'pbx', from: 'AstLinux default' });
  });

  it('warns of values AstLinux would not take and of a keydisk that was not shut down cleanly', async () => {
    const kd = mke2fsKeydisk({ 'rc.conf.d/user.conf': 'HOSTNAME="pbx_1"\nTIMEZONE=Mars/Base\n' });
    expect((await readCardSettings(kd)).warnings.map((warning) => warning.message)).toEqual([
      'rc.conf.d/user.conf sets HOSTNAME to "pbx_1": "pbx_1" is not a host name: use letters, digits and hyphens only, not starting or ending with a hyphen.',
      'rc.conf.d/user.conf sets TIMEZONE to "Mars/Base": "Mars/Base" is not a time zone name like Europe/Berlin or America/Chicago.',
    ]);
    const view = new DataView(kd.buffer, kd.byteOffset, kd.byteLength);
    view.setUint16(1024 + 58, 0, true);
    expect((await readCardSettings(kd)).warnings.at(-1)?.message).toMatch(
      /not shut down cleanly; what it shows may be older/,
    );
  });

  it('refuses what is not an ext2 keydisk, in words', async () => {
    const error = await readCardSettings(new Uint8Array(1024 * 1024)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SettingsError);
    expect(error).toMatchObject({ code: 'bad-keydisk' });
    expect((error as Error).message).toMatch(
      /cannot be opened as an ext2 keydisk\. Check that it is the keydisk/,
    );
  });
});

describe("writing a keydisk's settings", () => {
  it('creates rc.conf.d/user.conf on a fresh keydisk: e2fsck clean, debugfs shows the values', async () => {
    const kd = createKeydiskImage();
    const original = sha1(kd);
    const result = await writeCardSettings(kd, {
      set: {
        HOSTNAME: 'pbx1',
        EXTIP: '192.168.7.2/24',
        EXTGW: '192.168.7.1',
        DNS: '1.1.1.1, 9.9.9.9',
        TIMEZONE: 'europe/vienna',
      },
    });
    expect(sha1(kd)).toBe(original);
    const image = result.image as Uint8Array;
    expect(result).toMatchObject({ file: '/rc.conf.d/user.conf', created: true, before: '', warnings: [] });
    expect(result.text).toBe(
      'HOSTNAME="pbx1"\nEXTIP="192.168.7.2"\nEXTNM="255.255.255.0"\nEXTGW="192.168.7.1"\nDNS="1.1.1.1 9.9.9.9"\nTIMEZONE="Europe/Vienna"\n',
    );
    expectClean(image);
    expect(debugfs(image, 'cat /rc.conf.d/user.conf')).toBe(result.text);
    expect(debugfs(image, 'stat /rc.conf.d')).toMatch(/Type: directory\s+Mode:\s+0755/);
    expect(debugfs(image, 'stat /rc.conf.d/user.conf')).toMatch(/Type: regular\s+Mode:\s+0644/);
    expect(
      sourceAsAstlinux([dumpFile(image, '/rc.conf.d/user.conf')], ['HOSTNAME', 'EXTNM'], 'busybox ash'),
    ).toEqual({
      HOSTNAME: 'pbx1',
      EXTNM: '255.255.255.0',
    });
    expect((await readCardSettings(image)).values.TIMEZONE).toBe('Europe/Vienna');
  });

  it('changes one line of an existing user.conf and leaves the other files byte for byte', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(HAND_EDITED),
      Buffer.from('# Gr\xfc\xdfe aus Hamburg\n', 'latin1'),
    ]);
    const kd = mke2fsKeydisk({
      'rc.conf.d/user.conf': latin1,
      'rc.conf.d/gui.network.conf': GUI_NETWORK,
      'ssh/ssh_host_rsa_key': 'not really a key\n',
    });
    const result = await writeCardSettings(kd, { set: { HOSTNAME: 'pbx-hh2' }, unset: ['VLANS'] });
    const image = result.image as Uint8Array;
    expectClean(image);
    const expected = Buffer.from(
      latin1
        .toString('latin1')
        .replace('HOSTNAME=pbx-hh ', 'HOSTNAME=pbx-hh2 ')
        .replace('VLANS="eth1.110 eth1.120"\n', ''),
      'latin1',
    );
    expect(dumpFile(image, '/rc.conf.d/user.conf').equals(expected)).toBe(true);
    expect(dumpFile(image, '/rc.conf.d/gui.network.conf').toString()).toBe(GUI_NETWORK);
    expect(dumpFile(image, '/ssh/ssh_host_rsa_key').toString()).toBe('not really a key\n');
    expect(result.changes.map((change) => `${change.action} ${change.name} ${change.line}`)).toEqual([
      'changed HOSTNAME 4',
      'removed VLANS 21',
    ]);
  });

  it('writes only inside a partition window and only when something changes', async () => {
    const kd = mke2fsKeydisk({ 'rc.conf.d/user.conf': 'HOSTNAME="old"\n' });
    const start = 1024 * 1024;
    const outside = new Uint8Array(start).fill(0xa5);
    const path = join(scratch('kdpart'), 'card.img');
    writeFileSync(path, Buffer.concat([outside, kd, outside]));
    const device = await FileBlockDevice.open(path);
    try {
      const window = new PartitionBlockDevice(device, start, kd.length);
      const unchanged = await writeCardSettings(window, { set: { HOSTNAME: 'old' } });
      expect(unchanged.changes).toEqual([]);
      expect(sha1(readFileSync(path))).toBe(sha1(Buffer.concat([outside, kd, outside])));

      const result = await writeCardSettings(window, {
        set: { HOSTNAME: 'new', NTPSERVS: 'ntp.example.org' },
      });
      expect(result.image).toBeUndefined();
      expect(result.created).toBe(false);
      const after = readFileSync(path);
      expect(after.subarray(0, start).equals(Buffer.from(outside))).toBe(true);
      expect(after.subarray(start + kd.length).equals(Buffer.from(outside))).toBe(true);
      const volume = new Uint8Array(after.subarray(start, start + kd.length));
      expectClean(volume);
      expect(debugfs(volume, 'cat /rc.conf.d/user.conf')).toBe(
        'HOSTNAME="new"\nNTPSERVS="ntp.example.org"\n',
      );
      expect((await readCardSettings(window)).values).toEqual({
        HOSTNAME: 'new',
        NTPSERVS: 'ntp.example.org',
      });
    } finally {
      await device.close();
    }
  });

  it('edits the old single rc.conf when the keydisk has no rc.conf.d, and creates no folder', async () => {
    const legacy =
      'DOMAIN="astlinux"\nHOSTNAME="pbx"\nEXTIF="eth0"\nINTIP="192.168.101.1"\nINTNM="255.255.255.0"\n';
    const kd = mke2fsKeydisk({ 'rc.conf': legacy });
    const settings = await readCardSettings(kd);
    expect(settings).toMatchObject({ file: '/rc.conf', replacesDefaults: true });
    expect(settings.effective.NTPSERVS).toBeUndefined();
    const result = await writeCardSettings(kd, { set: { HOSTNAME: 'pbx-legacy' } });
    const image = result.image as Uint8Array;
    expectClean(image);
    expect(debugfs(image, 'cat /rc.conf')).toBe(legacy.replace('HOSTNAME="pbx"', 'HOSTNAME="pbx-legacy"'));
    expect(debugfs(image, 'ls /')).not.toContain('rc.conf.d');
  });

  it('writes nothing when a value or the result is refused, and says why', async () => {
    const memory = new MemoryBlockDevice(mke2fsKeydisk({ 'rc.conf.d/user.conf': 'HOSTNAME=pbx\n' }));
    const before = sha1(memory.bytes);
    const hostile = await writeCardSettings(memory, { set: { HOSTNAME: 'pbx"; reboot; "' } }).catch(
      (e: unknown) => e,
    );
    expect(hostile).toMatchObject({ code: 'invalid-setting' });
    expect((hostile as Error).message).toMatch(
      /^Nothing was changed on the keydisk\. HOSTNAME: "pbx"; reboot; "" is not a host name/,
    );
    const inconsistent = await writeCardSettings(memory, { set: { EXTIP: '10.0.0.5' } }).catch(
      (e: unknown) => e,
    );
    expect(inconsistent).toMatchObject({ code: 'inconsistent-settings' });
    expect((inconsistent as Error).message).toMatch(/needs a netmask in EXTNM/);
    expect(sha1(memory.bytes)).toBe(before);
  });

  it('refuses a keydisk whose journal still needs replaying', async () => {
    const kd = mke2fsKeydisk({ 'rc.conf.d/user.conf': 'HOSTNAME=pbx\n' }, { type: 'ext3', kib: 4096 });
    const view = new DataView(kd.buffer, kd.byteOffset, kd.byteLength);
    view.setUint32(1024 + 96, view.getUint32(1024 + 96, true) | 0x4, true);
    const error = await writeCardSettings(kd, { set: { HOSTNAME: 'x' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad-keydisk' });
    expect((error as Error).message).toMatch(
      /not safe to change: its journal still holds changes.*shut it down properly, or run e2fsck/,
    );
  });

  it('says so when the keydisk is full, and leaves it as it was', async () => {
    const kd = mke2fsKeydisk(
      { filler: new Uint8Array(370000).fill(7), 'rc.conf.d/user.conf': 'HOSTNAME=pbx\n' },
      { kib: 400 },
    );
    expect(Number(/Free blocks:\s+(\d+)/.exec(debugfs(kd, 'stats'))?.[1])).toBeLessThan(8);
    const memory = new MemoryBlockDevice(kd);
    const before = sha1(kd);
    const set = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`NOTE_${i}`, 'x'.repeat(100)]));
    const error = await writeCardSettings(memory, { set }).catch((e: unknown) => e);
    expect(error, String((error as Error).message)).toMatchObject({ code: 'keydisk-full' });
    expect((error as Error).message).toMatch(/is full: there is no room for the settings file/);
    expect(sha1(memory.bytes)).toBe(before);
  });
});
