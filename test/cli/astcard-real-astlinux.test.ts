/**
 * Real AstLinux releases and AstLinux's own card layout, as a user runs the CLI: a batch of cards from a
 * release archive (publish refuses one, saying why); `prepare
 * --writable-partition/--keydisk-partition` makes FAT partition 1 with ASTURW and ASTKD ext2 partitions after
 * it, and `keydisk import|export|create` and `settings` work on the ASTKD partition as they do on kd.img.
 * Oracles: the partition table read byte by byte here, fsck.fat -n, e2fsck -fn, blkid, debugfs, mtools.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStandInRelease, type StandInRelease } from '../../e2e/fixtures/astlinux-real/release.js';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { removeScratch, scratch } from '../core/card/card-fixtures.js';

const dir = scratch('cli-astlinux-partitions');
let release: StandInRelease;

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], {
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function ok(...args: string[]): string {
  const run = astcard(...args);
  expect(run.status, `astcard ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout;
}

interface Entry {
  type: number;
  bootable: boolean;
  start: number;
  sectors: number;
}

/** The four primary entries, read here from the bytes rather than through astcard's MBR code. */
function partitionTable(card: string): Entry[] {
  const mbr = readFileSync(card).subarray(0, 512);
  expect(mbr.readUInt16LE(510)).toBe(0xaa55);
  return [0, 1, 2, 3]
    .map((index) => {
      const at = 446 + 16 * index;
      return {
        type: mbr[at + 4] ?? 0,
        bootable: mbr[at] === 0x80,
        start: mbr.readUInt32LE(at + 8),
        sectors: mbr.readUInt32LE(at + 12),
      };
    })
    .filter((entry) => entry.type !== 0);
}

/** One partition copied out to a file of its own, for the tools that take a whole filesystem. */
function extract(card: string, entry: Entry, name: string): string {
  const out = join(dir, name);
  execFileSync('dd', [
    `if=${card}`,
    `of=${out}`,
    'bs=512',
    `skip=${entry.start}`,
    `count=${entry.sectors}`,
    'status=none',
  ]);
  return out;
}

function e2fsckClean(file: string): string {
  const run = spawnSync('e2fsck', ['-fn', file], { encoding: 'utf8' });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  return run.stdout;
}

function debugfs(file: string, request: string): string {
  return execFileSync('debugfs', ['-R', request, file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

const sha1 = (file: string) => createHash('sha1').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  release = await buildStandInRelease({ version: '1.5.10' }, dir);
}, 300_000);

afterAll(removeScratch);

describe("prepare makes AstLinux's layout", () => {
  const card = join(dir, 'astlinux.card');

  it('FAT partition 1, then ASTURW and ASTKD: each clean, labelled, aligned, inside the card', () => {
    const said = ok(
      ...['prepare', card, '--size', '120M', '--image', release.archive],
      ...['--writable-partition', '16M', '--keydisk-partition', '8M'],
    );
    expect(said).toMatch(/partition 2: ext2 "ASTURW", 16\.0 MiB/);
    expect(said).toMatch(/partition 3: ext2 "ASTKD", 8\.0 MiB \(the keydisk\)/);

    const table = partitionTable(card);
    expect(table.map((entry) => [entry.type, entry.bootable])).toEqual([
      [0x06, true],
      [0x83, false],
      [0x83, false],
    ]);
    expect(table.map((entry) => entry.sectors).slice(1)).toEqual([16 * 2048, 8 * 2048]);
    for (const [index, entry] of table.entries()) {
      expect(entry.start % 2048).toBe(0);
      const next = table[index + 1];
      expect(entry.start + entry.sectors).toBeLessThanOrEqual(next ? next.start : (120 * 1024 * 1024) / 512);
    }
    const fat = extract(card, table[0] as Entry, 'p1');
    expect(spawnSync('fsck.fat', ['-n', fat]).status).toBe(0);
    const labels = table.slice(1).map((entry, index) => {
      const file = extract(card, entry, `p${index + 2}`);
      e2fsckClean(file);
      return execFileSync('blkid', ['-o', 'value', '-s', 'LABEL', file], { encoding: 'utf8' }).trim();
    });
    expect(labels).toEqual(['ASTURW', 'ASTKD']);

    const report = JSON.parse(ok('inspect', card, '--json'));
    expect(report.partitions.map((p: { number: number; role: string }) => [p.number, p.role])).toEqual([
      [2, 'writable'],
      [3, 'keydisk'],
    ]);
    expect(report.keydisk).toMatchObject({ present: true, location: 'partition 3 (ASTKD)' });
    expect(report.boot).toMatchObject({ image: 'os/astlinux-1.5.10.run', verified: true });
  });

  it('keydisk import, export, create and settings work on the ASTKD partition', () => {
    // A keydisk with a secret in it, made by e2fsprogs' own tools.
    const kd = join(dir, 'secret.kd');
    ok('keydisk', 'create', kd, '--raw', '--size', '2M');
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'ssh host key\n');
    execFileSync('debugfs', ['-w', '-R', `write ${secret} secret.txt`, kd], { stdio: 'ignore' });

    // The partition prepare made is empty: importing needs no --force.
    expect(ok('keydisk', 'import', card, kd)).toMatch(/into partition 3 \(ASTKD\)/);
    expect(
      spawnSync('mdir', ['-i', `${card}@@1M`, '::KD.IMG'], {
        env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
      }).status,
    ).not.toBe(0);
    const exported = join(dir, 'exported.kd');
    ok('keydisk', 'export', card, exported);
    expect(sha1(exported)).toBe(sha1(kd));

    // Now it holds a file: neither create nor import replaces it unasked, and the card is untouched.
    const before = sha1(card);
    const refused = astcard('keydisk', 'create', card);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/already holds files\. Export it first .* --force/);
    expect(astcard('keydisk', 'import', card, kd).status).not.toBe(0);
    expect(sha1(card)).toBe(before);

    // Settings are changed in place on the partition.
    ok('settings', 'set', card, 'HOSTNAME=pbx9');
    let keydisk = extract(card, partitionTable(card)[2] as Entry, 'p3-settings');
    e2fsckClean(keydisk);
    expect(debugfs(keydisk, 'cat /rc.conf.d/user.conf')).toMatch(/^HOSTNAME="pbx9"$/m);
    expect(debugfs(keydisk, 'cat secret.txt')).toBe('ssh host key\n');

    // Create with --force: the whole partition becomes an empty keydisk.
    expect(ok('keydisk', 'create', card, '--force')).toMatch(/8\.0 MiB keydisk labelled ASTKD .*partition 3/);
    keydisk = extract(card, partitionTable(card)[2] as Entry, 'p3-new');
    expect(e2fsckClean(keydisk)).toMatch(/ASTKD: 11\/\d+ files .*\/2048 blocks/);
    expect(debugfs(keydisk, 'ls /')).not.toMatch(/secret\.txt/);
  });

  it('prepare --keydisk puts the keydisk into the ASTKD partition, not beside it as kd.img', () => {
    const kd = join(dir, 'given.kd');
    ok('keydisk', 'create', kd, '--raw', '--size', '1M');
    const other = join(dir, 'given.card');
    const said = ok(
      ...['prepare', other, '--size', '96M', '--image', release.archive],
      ...['--keydisk', kd, '--keydisk-partition', '4M'],
    );
    expect(said).toMatch(/keydisk copied into the ASTKD partition/);
    const table = partitionTable(other);
    expect(table.map((entry) => entry.type)).toEqual([0x06, 0x83]);
    const exported = join(dir, 'given-back.kd');
    ok('keydisk', 'export', other, exported);
    expect(sha1(exported)).toBe(sha1(kd));
    const listing = execFileSync('mdir', ['-b', '-i', `${other}@@1M`, '::'], {
      encoding: 'utf8',
      env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
    });
    expect(listing).not.toMatch(/kd\.img/i);
  });

  it('refuses what cannot be made, before writing, and leaves no new file behind', () => {
    const target = join(dir, 'refused.card');
    const big = join(dir, 'big.kd');
    ok('keydisk', 'create', big, '--raw', '--size', '8M');
    const cases: Array<[string[], RegExp]> = [
      [['--layout', 'superfloppy', '--writable-partition', '8M'], /need a partitioned card/],
      [['--keydisk', big, '--keydisk-partition', '4M'], /does not fit the 4\.0 MiB ASTKD partition/],
      [['--keydisk-partition', '100K'], /at least 1 MiB/],
      [['--keydisk-partition', '90M'], /too small.*smaller partitions/],
      [
        ['--new-keydisk', '--keydisk-size', '2M', '--keydisk-partition', '4M'],
        /--keydisk-size is for a kd\.img/,
      ],
    ];
    for (const [extra, message] of cases) {
      const run = astcard('prepare', target, '--size', '96M', '--image', release.archive, ...extra);
      expect(run.status, extra.join(' ')).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(existsSync(target), extra.join(' ')).toBe(false);
    }
  });
});

describe('batch and publish with a release archive', () => {
  it('a batch writes the release onto every card, each read back and booting it verified', () => {
    const report = join(dir, 'report');
    const targets = [join(dir, 'batch-1.img'), join(dir, 'batch-2.img')];
    const said = ok(
      ...['batch', ...targets, '--size', '64M', '--image', release.archive],
      ...['--new-keydisk', '--report', report],
    );
    expect(said).toMatch(/2 of 2 cards written and verified/);
    const rows = readFileSync(join(report, 'batch-report.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/,true,$/);
    for (const target of targets) {
      const inspected = JSON.parse(ok('inspect', target, '--json'));
      expect(inspected.boot).toMatchObject({ image: 'os/astlinux-1.5.10.run', verified: true });
      expect(inspected.keydisk.present).toBe(true);
      const fat = extract(target, partitionTable(target)[0] as Entry, 'batch-p1');
      expect(spawnSync('fsck.fat', ['-n', fat]).status).toBe(0);
    }
  });

  it('publish refuses a release archive in plain words and writes nothing', () => {
    const folder = join(dir, 'served');
    const run = astcard('publish', folder, release.archive);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /is a real AstLinux release, and those cannot boot over the network: .* looks for the release on the card/,
    );
    expect(existsSync(folder)).toBe(false);
  });
});
