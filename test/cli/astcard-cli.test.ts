import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { fakeImage, fsckCard, mtoolsImage, removeScratch, scratch } from '../core/card/card-fixtures.js';

const dir = scratch('cli');

/** The CLI as a user runs it: a separate process, exit code, stdout and stderr. */
function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

afterAll(removeScratch);

describe('astcard CLI', () => {
  it('answers <command> --help with that command’s help, runs nothing, and reads its version from package.json', () => {
    for (const [args, usage] of [
      [['add', '--help'], /^usage: astcard add <target> <image\|archive\|url>…/m],
      // Even with a target named: --help never runs the command.
      [['prepare', '/dev/sda', '--image', 'x.img', '-h'], /^usage: astcard prepare <target> --image/m],
      [['keydisk', '--help'], /^usage: astcard keydisk create <card>/m],
    ] as const) {
      const run = astcard(...args);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^astcard ${args[0]} — `));
      expect(run.stdout).toMatch(usage);
      expect(run.stderr).toBe('');
    }
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    expect(astcard('--version').stdout).toBe(`astcard ${version}\n`);
  });

  it('prepares a new card image and inspects it, in plain words and as JSON', () => {
    const card = join(dir, 'card.img');
    const old = fakeImage(dir, '0.4.0', 300_000);
    const newest = fakeImage(dir, '0.4.1', 400_000);
    const prepared = astcard('prepare', card, '--size', '40M', '--image', old, '--image', newest);
    expect(prepared.stderr).toBe('');
    expect(prepared.status).toBe(0);
    expect(prepared.stdout).toMatch(/AstLinux-0\.4\.1\.img .* written and verified/);
    expect(fsckCard(card, 'mbr').status).toBe(0);

    const human = astcard('inspect', card);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(
      /boots: AstLinux-0\.4\.1\.img \(checksum verified against its published checksum\)/,
    );

    const json = astcard('inspect', card, '--json');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      layout: 'mbr',
      filesystem: 'FAT16',
      label: 'ASTLINUX',
      loader: { present: true },
      boot: { image: 'AstLinux-0.4.1.img', version: '0.4.1' },
      keydisk: { present: false },
      problems: [],
    });
    expect(report.images).toEqual([
      expect.objectContaining({
        name: 'AstLinux-0.4.1.img',
        version: '0.4.1',
        size: 400_000,
        checksum: 'ok',
      }),
      expect.objectContaining({
        name: 'AstLinux-0.4.0.img',
        version: '0.4.0',
        size: 300_000,
        checksum: 'ok',
      }),
    ]);
    expect(typeof report.free).toBe('number');
    // Progress goes to stderr as JSON lines, never mixed into the document.
    for (const line of json.stderr.split('\n').filter(Boolean))
      expect(JSON.parse(line)).toHaveProperty('progress');
  });

  it('never calls an image without a published checksum verified: inspect says astcard recorded it', () => {
    const card = join(dir, 'recorded.img');
    const unpublished = fakeImage(scratch('cli-unpublished'), '0.5.0', 300_000, false);
    const prepared = astcard('prepare', card, '--size', '40M', '--image', unpublished);
    expect(prepared.status, prepared.stderr).toBe(0);
    const human = astcard('inspect', card);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(
      /boots: AstLinux-0\.5\.0\.img \(checksum matches the one astcard recorded when it copied the image; none was published\)/,
    );
    expect(human.stdout).not.toMatch(/verified against/);
    const report = JSON.parse(astcard('inspect', card, '--json').stdout);
    expect(report.images[0]).toMatchObject({
      name: 'AstLinux-0.5.0.img',
      checksum: 'ok',
      checksumSource: 'recorded',
    });
  });

  it('checks every source before erasing: a wrong .sha1, a text file named like an image, a missing file', () => {
    const sources = scratch('cli-sources');
    const card = join(dir, 'checked.img');
    const current = fakeImage(sources, '1.5.7', 300_000);
    expect(astcard('prepare', card, '--size', '40M', '--image', current).status).toBe(0);
    const before = readFileSync(card);
    const wrong = fakeImage(sources, '1.5.8', 300_000);
    writeFileSync(`${wrong}.sha1`, `${'0'.repeat(40)}  AstLinux-1.5.8.img\n`);
    const text = join(sources, 'AstLinux-1.7.0.img');
    writeFileSync(text, 'this is not an AstLinux image at all!!\n');
    writeFileSync(
      `${text}.sha1`,
      `${createHash('sha1').update(readFileSync(text)).digest('hex')}  AstLinux-1.7.0.img\n`,
    );
    const refusals: [string, RegExp][] = [
      [
        wrong,
        /AstLinux-1\.5\.8\.img does not match its checksum file .*Nothing was written; the card is as it was\./,
      ],
      [
        text,
        /AstLinux-1\.7\.0\.img cannot boot: .*not a filesystem the loader can mount.*Nothing was written\./,
      ],
      [
        join(sources, 'missing.img'),
        /missing\.img cannot be used as a source: it does not exist.*Nothing was written\./,
      ],
    ];
    for (const [source, message] of refusals) {
      const run = astcard('prepare', card, '--yes', '--image', source);
      expect(run.status, source).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/rename it/);
      // The card is byte for byte the one that boots 1.5.7.
      expect(readFileSync(card).equals(before)).toBe(true);
    }
  });

  it('adds with --keep, removes, and verifies; verify fails on a damaged image', () => {
    const card = join(dir, 'upgrade.img');
    const sources = scratch('upgrade-sources');
    const v040 = fakeImage(sources, '0.4.0', 200_000);
    const v041 = fakeImage(sources, '0.4.1', 210_000);
    const v0100 = fakeImage(sources, '0.10.0', 220_000);
    expect(astcard('prepare', card, '--size', '40M', '--image', v040, '--image', v041).status).toBe(0);

    const added = astcard('add', card, v0100, '--keep', '2', '--json');
    expect(added.status).toBe(0);
    const result = JSON.parse(added.stdout);
    expect(result.added.map((image: { name: string }) => image.name)).toEqual(['AstLinux-0.10.0.img']);
    expect(result.removed).toEqual(['AstLinux-0.4.0.img']);
    expect(JSON.parse(astcard('inspect', card, '--json').stdout).boot.image).toBe('AstLinux-0.10.0.img');
    expect(fsckCard(card, 'mbr').status).toBe(0);

    const removed = astcard('remove', card, '0.10.0');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toMatch(/Removed AstLinux-0\.10\.0\.img/);
    expect(JSON.parse(astcard('inspect', card, '--json').stdout).boot.image).toBe('AstLinux-0.4.1.img');
    expect(astcard('remove', card, '9.9.9').status).toBe(1);

    expect(astcard('verify', card).status).toBe(0);
    const damaged = join(scratch('damaged'), 'AstLinux-0.4.1.img');
    writeFileSync(damaged, Buffer.alloc(210_000, 1));
    execFileSync('mcopy', ['-o', '-i', mtoolsImage(card, 'mbr'), damaged, '::/AstLinux-0.4.1.img']);
    const verified = astcard('verify', card, '--json');
    expect(verified.status).toBe(1);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: false, boot: null });
  });

  it('refuses an image that does not fit, naming what could go', () => {
    const card = join(dir, 'full.img');
    const sources = scratch('full-sources');
    expect(
      astcard('prepare', card, '--size', '32M', '--image', fakeImage(sources, '1.0.0', 2_000_000)).status,
    ).toBe(0);
    const big = fakeImage(sources, '1.1.0', 30_000_000);
    const refused = astcard('add', card, big, '--json');
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({
      code: 'no-space',
      message: expect.stringMatching(/MiB more/),
    });
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });

  it('exits 2 on a wrong command line and 1 on a failed operation, with one plain line', () => {
    const usage = astcard('prepare');
    expect(usage.status).toBe(2);
    const unknown = astcard('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/not an astcard command/);

    const missing = astcard('inspect', join(dir, 'nowhere.img'));
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);

    const badName = join(dir, 'firmware.bin');
    writeFileSync(badName, 'x');
    const refused = astcard('prepare', join(dir, 'x.img'), '--size', '16M', '--image', badName, '--json');
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'bad-image-name' });
  });

  it("refuses to touch a drive without --yes, and the running system's disk even with it", () => {
    const image = fakeImage(dir, '1.0.0', 1000);
    const withoutYes = astcard('prepare', '/dev/null', '--image', image);
    expect(withoutYes.status).not.toBe(0);
    const system = spawnSync('findmnt', ['-n', '-o', 'SOURCE', '/'], { encoding: 'utf8' }).stdout.trim();
    if (system.startsWith('/dev/')) {
      const refused = astcard('prepare', system, '--image', image, '--yes');
      expect(refused.status).toBe(1);
      // The writer's own rules refuse it, before the drive is opened.
      expect(refused.stderr).toMatch(/holds the system this computer is running; astcard never writes to it/);
    }
  });
});
