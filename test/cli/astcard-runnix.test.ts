/**
 * `astcard revert` and `astcard loader update` on RUNNIX cards, as a user runs them, on card image files built from the stand-in releases (real
 * squashfs .run files, archives laid out as AstLinux ships them):
 * - a card astcard prepared from two release archives, a third added, then reverted: inspect predicts the
 *   old release (astcard's loader pinned to it), and a second revert goes back to the newest;
 * - a RUNNIX card without os/ver (RUNNIX boots the alphabetically last .run, 1.5.9): after add, os/Xver names
 *   what RUNNIX booted, and revert brings RUNNIX back to it;
 * - refusals that change nothing: no os/Xver, and an os/Xver release whose .run fails its checksum.
 * - `loader update` on a RUNNIX card with ASTURW and ASTKD partitions: our loader becomes the default
 *   label, RUNNIX's labels stay as RUNNIX wrote them (BIOS and UEFI menus), inspect says astcard's loader
 *   boots the newest verified release and RUNNIX is selectable; releases and partitions are byte for byte
 *   what they were, and e2fsck -fn finds the partitions clean.
 * fsck.fat -n finds nothing to fix after every step; mtools reads os/ver and os/Xver back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStandInRelease, type StandInRelease } from '../../e2e/fixtures/astlinux-real/release.js';
import { buildRunnixCard, RUNNIX_PARTITION_START } from '../../e2e/fixtures/astlinux-real/runnix-card.js';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { removeScratch, scratch } from '../core/card/card-fixtures.js';

const dir = scratch('cli-revert');
const releases: StandInRelease[] = [];

function astcard(...args: string[]) {
  // node itself rather than npx: a dozen runs, each saving npx's start-up.
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], {
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function inspect(card: string) {
  const run = astcard('inspect', card, '--json');
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** Where the FAT volume starts: astcard's cards at 1 MiB, RUNNIX cards at sector 63 (as fdisk put it). */
const AT = { astcard: 1024 * 1024, runnix: RUNNIX_PARTITION_START * 512 };

function fsckClean(card: string, offset: number): void {
  const volume = `${card}.volume`;
  execFileSync('dd', [`if=${card}`, `of=${volume}`, 'bs=512', `skip=${offset / 512}`, 'status=none']);
  try {
    const run = spawnSync('fsck.fat', ['-n', volume], { encoding: 'utf8' });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  } finally {
    rmSync(volume, { force: true });
  }
}

function osText(card: string, offset: number, name: string): string {
  return execFileSync('mtype', ['-i', `${card}@@${offset}`, `::os/${name}`], {
    encoding: 'utf8',
    env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
  });
}

beforeAll(async () => {
  for (const version of ['1.5.9', '1.5.10', '1.5.11'])
    releases.push(await buildStandInRelease({ version }, dir));
}, 600_000);

afterAll(removeScratch);

describe('astcard revert', () => {
  it('on a card astcard prepared: pins the release it ran before the add, and a second revert unpins it', () => {
    const card = join(dir, 'loader.card');
    const [r9, r10, r11] = releases as [StandInRelease, StandInRelease, StandInRelease];
    const prepared = astcard('prepare', card, '--size', '96M', '--image', r9.archive, '--image', r10.archive);
    expect(prepared.status, prepared.stderr).toBe(0);
    fsckClean(card, AT.astcard);
    expect(inspect(card).boot).toMatchObject({
      image: 'os/astlinux-1.5.10.run',
      verified: true,
      by: 'astcard',
    });

    // Freshly prepared: no previous release is recorded, so there is nothing to go back to.
    const nothing = astcard('revert', card);
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toMatch(/nothing to revert to.*Nothing was changed/);

    const added = astcard('add', card, r11.archive);
    expect(added.status, added.stderr).toBe(0);
    fsckClean(card, AT.astcard);
    expect(inspect(card).boot).toMatchObject({ image: 'os/astlinux-1.5.11.run', verified: true });
    expect(osText(card, AT.astcard, 'Xver')).toBe('astlinux-1.5.10\n');

    const reverted = astcard('revert', card, '--json');
    expect(reverted.status, reverted.stderr).toBe(0);
    expect(JSON.parse(reverted.stdout)).toEqual({
      by: 'astcard',
      boots: 'astlinux-1.5.10',
      previous: 'astlinux-1.5.11',
      pin: 'astlinux-1.5.10',
    });
    fsckClean(card, AT.astcard);
    const after = inspect(card);
    expect(after.boot).toMatchObject({ image: 'os/astlinux-1.5.10.run', verified: true, by: 'astcard' });
    expect(after.pin).toBe('astlinux-1.5.10');
    expect(after.problems).toEqual([]);
    // RUNNIX (were it started) would agree: os/ver follows the revert.
    expect(osText(card, AT.astcard, 'ver')).toBe('astlinux-1.5.10\n');
    expect(osText(card, AT.astcard, 'Xver')).toBe('astlinux-1.5.11\n');
    // Both boot menus carry the pin (the UEFI one is rendered from the BIOS one).
    for (const config of ['::syslinux.cfg', '::EFI/BOOT/syslinux.cfg'])
      expect(execFileSync('mtype', ['-i', `${card}@@${AT.astcard}`, config], { encoding: 'utf8' })).toMatch(
        /^\s*APPEND .*astlinux\.pin=astlinux-1\.5\.10/m,
      );

    const back = astcard('revert', card);
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toMatch(
      /boots the newest release that verifies again, astlinux-1\.5\.11: the pin is gone/,
    );
    fsckClean(card, AT.astcard);
    const again = inspect(card);
    expect(again.boot).toMatchObject({ image: 'os/astlinux-1.5.11.run', verified: true });
    expect(again.pin).toBeNull();
  });

  it('on a RUNNIX card without os/ver: add records what RUNNIX booted in os/Xver, and revert goes back to it', async () => {
    const [r9, r10, r11] = releases as [StandInRelease, StandInRelease, StandInRelease];
    const built = await buildRunnixCard(join(dir, 'runnix.card'), { releases: [r9, r10] });
    const card = built.file;
    fsckClean(card, AT.runnix);
    // RUNNIX's own rule: the alphabetically last .run, 1.5.9 over 1.5.10.
    expect(inspect(card).boot).toMatchObject({ image: 'os/astlinux-1.5.9.run', by: 'runnix' });

    expect(astcard('add', card, r11.archive).status).toBe(0);
    fsckClean(card, AT.runnix);
    expect(inspect(card).boot).toMatchObject({
      image: 'os/astlinux-1.5.11.run',
      verified: true,
      by: 'runnix',
    });
    expect(osText(card, AT.runnix, 'ver')).toBe('astlinux-1.5.11\n');
    expect(osText(card, AT.runnix, 'Xver')).toBe('astlinux-1.5.9\n');

    const reverted = astcard('revert', card, '--json');
    expect(reverted.status, reverted.stderr).toBe(0);
    expect(JSON.parse(reverted.stdout)).toEqual({
      by: 'runnix',
      boots: 'astlinux-1.5.9',
      previous: 'astlinux-1.5.11',
      pin: null,
    });
    fsckClean(card, AT.runnix);
    const after = inspect(card);
    expect(after.boot).toMatchObject({ image: 'os/astlinux-1.5.9.run', verified: true, by: 'runnix' });
    expect(after.runnix).toMatchObject({ ver: 'astlinux-1.5.9', xver: 'astlinux-1.5.11' });
    expect(after.runnix.prediction).toMatchObject({ rule: 'os-ver', found: true });
  });

  it('refuses, changing nothing, when the release os/Xver names fails its checksum', async () => {
    const [r9, r10] = releases as [StandInRelease, StandInRelease, StandInRelease];
    const badSha1 = `${'0'.repeat(40)}  astlinux-1.5.9.run\n`;
    const built = await buildRunnixCard(join(dir, 'damaged.card'), {
      releases: [r9, r10],
      ver: 'astlinux-1.5.10\n',
      xver: 'astlinux-1.5.9\n',
      osFiles: [{ name: 'astlinux-1.5.9.run.sha1', data: badSha1 }],
    });
    const before = readFileSync(built.file);
    const refused = astcard('revert', built.file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /astlinux-1\.5\.9, does not match its checksum.*Nothing was changed\. Add astlinux-1\.5\.9 again from its archive/,
    );
    expect(readFileSync(built.file).equals(before)).toBe(true);
  });

  it('says what it does in its help', () => {
    const help = astcard('revert', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: astcard revert <target> \[--yes\]/m);
    expect(help.stdout).toMatch(/os\/Xver/);
  });
});

describe('astcard loader update on a RUNNIX card', () => {
  it('makes our loader the default and keeps RUNNIX as a label; releases and partitions untouched', async () => {
    const [r9, r10] = releases as [StandInRelease, StandInRelease, StandInRelease];
    const built = await buildRunnixCard(join(dir, 'convert.card'), {
      releases: [r9, r10],
      sizeMiB: 80,
      asturwMiB: 8,
      astkdMiB: 4,
    });
    const card = built.file;
    const bytes = (partition: number) => {
      const found = built.partitions.find((entry) => entry.number === partition);
      if (!found) throw new Error(`no partition ${partition}`);
      return readFileSync(card).subarray(found.start * 512, (found.start + found.sectors) * 512);
    };
    // RUNNIX's own files and every release file, by digest (mtools reads them, not astcard).
    const untouched = ['runnix', 'runnix.img', 'ver', 'os/astflag', 'os/default.conf'].concat(
      releases
        .slice(0, 2)
        .flatMap((r) => [r.run, r.runSha1, r.runConf, r.initrd].map((file) => `os/${basename(file)}`)),
    );
    const osFiles = () =>
      untouched.map((name) =>
        execFileSync('sh', ['-c', 'mtype -i "$1" "::$2" | sha1sum', 'sh', `${card}@@${AT.runnix}`, name], {
          encoding: 'utf8',
        }),
      );
    const before = { p2: bytes(2), p3: bytes(3), os: osFiles() };
    // Each one was there to read: the SHA-1 of nothing would mean mtools found no such file (os/astflag
    // is empty on purpose).
    before.os.forEach((digest, at) => {
      expect(digest.startsWith('da39a3ee'), untouched[at]).toBe(untouched[at] === 'os/astflag');
    });
    expect(inspect(card).bootLoader).toBe('runnix');

    const updated = astcard('loader', 'update', card, '--json');
    expect(updated.status, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      changed: true,
      kernel: 'bzImage',
      initrd: 'loader.img',
      fallback: null,
      runnixLabels: ['runnix', 'shell', 'ssh'],
    });
    fsckClean(card, AT.runnix);

    const after = inspect(card);
    expect(after.bootLoader).toBe('astcard');
    expect(after.boot).toMatchObject({ image: 'os/astlinux-1.5.10.run', verified: true, by: 'astcard' });
    expect(after.runnix).toMatchObject({ isDefault: false, label: 'runnix', version: 'runnix-0.6.26' });
    expect(after.firmware).toEqual({ bios: true, uefi: true });
    expect(after.efi.config).toBe('same');
    expect(after.partitions.map((p: { label: string }) => p.label)).toEqual(['ASTURW', 'ASTKD']);
    const plain = astcard('inspect', card);
    expect(plain.stdout).toMatch(
      /loader: astcard's, version \S+; RUNNIX \(runnix-0\.6\.26\) kept as the "runnix" label/,
    );

    const bios = execFileSync('mtype', ['-i', `${card}@@${AT.runnix}`, '::syslinux.cfg'], {
      encoding: 'utf8',
    });
    expect(bios).toMatch(/^DEFAULT loader$/m);
    expect(bios).toMatch(
      /^LABEL loader\n {2}LINUX bzImage\n {2}INITRD loader\.img\n {2}APPEND console=ttyS0,115200n8 panic=10 cryptomgr\.notests astlinux\.card=52A1-0626$/m,
    );
    // RUNNIX's own command line, unchanged: what starts RUNNIX is RUNNIX's business.
    expect(bios).toMatch(
      /^LABEL runnix\n {2}LINUX runnix\n {2}INITRD runnix\.img\n {2}APPEND root=\/dev\/ram0 rw init=\/runnix runimg=auto /m,
    );
    const efi = execFileSync('mtype', ['-i', `${card}@@${AT.runnix}`, '::EFI/BOOT/syslinux.cfg'], {
      encoding: 'utf8',
    });
    expect(efi).toMatch(/^LABEL runnix\n {2}LINUX \/runnix\n {2}INITRD \/runnix\.img\n/m);

    expect(bytes(2).equals(before.p2)).toBe(true);
    expect(bytes(3).equals(before.p3)).toBe(true);
    expect(osFiles()).toEqual(before.os);
    for (const partition of [2, 3]) {
      const image = join(dir, `p${partition}.ext2`);
      writeFileSync(image, bytes(partition));
      execFileSync('e2fsck', ['-fn', image], { stdio: 'pipe' });
      rmSync(image);
    }
  });
});
