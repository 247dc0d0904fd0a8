/**
 * Issue 17 through the command line a user types: inspect saying plainly that SYSLINUX would not start
 * the loader (item 2), `prepare --size` refusing to destroy a file it was not told it may (item 3), and two
 * `add`s on one card at once, of which the second is refused by the card lock and the card stays sound
 * (item 4). Each `astcard` is a process of its own, as a user's would be.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsImage,
  mtoolsNames,
  preparedCard,
  removeScratch,
  scratch,
} from '../core/card/card-fixtures.js';

const dir = scratch('cli-safety');

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

afterAll(removeScratch);

describe('astcard inspect', () => {
  it('says the loader is there but SYSLINUX would not start it, and names a leftover with its fix', async () => {
    const card = join(dir, 'unstartable.img');
    await preparedCard(card, 40 * 1024 * 1024, [fakeImage(dir, '1.0.0', 300_000)]);
    writeFileSync(join(dir, 'syslinux.cfg'), '');
    writeFileSync(join(dir, 'kd.img.part'), Buffer.alloc(3000, 7));
    execFileSync('mcopy', [
      '-o',
      '-i',
      mtoolsImage(card, 'mbr'),
      join(dir, 'syslinux.cfg'),
      join(dir, 'kd.img.part'),
      '::/',
    ]);
    const run = astcard('inspect', card);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}loader: present but SYSLINUX would not start it;/m);
    expect(run.stdout).toMatch(/^ {2}boots: nothing — SYSLINUX would not start the loader$/m);
    expect(run.stdout).toMatch(
      /^ {2}problem: The loader is on this card, but SYSLINUX would not start it: .*Update the loader/m,
    );
    expect(run.stdout).toMatch(
      /^ {2}problem: kd\.img\.part \(3 KiB\) is left over .*Import the keydisk again/m,
    );
    expect(run.stdout).not.toMatch(/^ {2}loader: missing/m);
  });
});

describe('astcard prepare --size', () => {
  let source: string;
  let sourceHash: string;

  beforeAll(() => {
    source = fakeImage(dir, '3.0.0', 300_000);
    sourceHash = sha1(source);
  });

  it('refuses to make a card image over one of its sources, even with --force, by name or through a symlink', () => {
    const link = join(dir, 'card-link.img');
    symlinkSync(source, link);
    for (const target of [source, link]) {
      const run = astcard('prepare', target, '--size', '64M', '--image', source, '--force');
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /is also one of the sources .*would destroy it\. Nothing was written\. Choose another file name\./,
      );
      expect(sha1(source)).toBe(sourceHash);
    }
  });

  it('refuses to replace a file that holds something unless told so; with --yes replaces it only once the card is made', () => {
    const target = join(dir, 'notes.img');
    writeFileSync(target, 'a file the user still wants\n');
    const refused = astcard('prepare', target, '--size', '64M', '--image', source);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /already exists and is not empty; .*Nothing was written\. .*add --yes to replace it/,
    );
    expect(readFileSync(target, 'utf8')).toBe('a file the user still wants\n');

    // A card that cannot fit: the error names the user's file, never the name the new image was made under.
    mkdirSync(join(dir, 'large'), { recursive: true });
    const large = fakeImage(join(dir, 'large'), '3.2.0', 24 * 1024 * 1024);
    const tooSmall = astcard('prepare', target, '--size', '16M', '--image', large, '--yes');
    expect(tooSmall.status).toBe(1);
    expect(tooSmall.stderr).toContain(`${target} is too small`);
    expect(tooSmall.stderr).not.toContain('astcard-new');
    expect(readFileSync(target, 'utf8')).toBe('a file the user still wants\n');

    // --yes with an image the check refuses: nothing is written, so the file is still what it was.
    const broken = join(dir, 'broken', 'AstLinux-3.1.0.img');
    mkdirSync(dirname(broken), { recursive: true });
    writeFileSync(broken, Buffer.alloc(256 * 1024, 0x5a));
    chmodSync(target, 0o600);
    const failed = astcard('prepare', target, '--size', '64M', '--image', broken, '--yes');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/AstLinux-3\.1\.0\.img cannot boot: .*Nothing was written\./);
    // Compared by digest: a 64 MiB card image in its place must fail readably, not as a giant diff.
    expect(sha1(target)).toBe(createHash('sha1').update('a file the user still wants\n').digest('hex'));
    expect(readdirSync(dir).filter((name) => name.includes('astcard-new'))).toEqual([]);

    // A run killed before its clean-up left its new image behind; only such leftovers of this file go.
    const others = ['.notes.img.keep-me.astcard-new', '.other.img.0badc0de.astcard-new'];
    for (const name of ['.notes.img.0badc0de.astcard-new', ...others]) writeFileSync(join(dir, name), 'x');
    const replaced = astcard('prepare', target, '--size', '64M', '--image', source, '--yes');
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(
      readdirSync(dir)
        .filter((name) => name.includes('astcard-new'))
        .sort(),
    ).toEqual(others);
    expect(fsckCard(target, 'mbr').status).toBe(0);
    expect(mtoolsNames(target, 'mbr')).toContain('AstLinux-3.0.0.img');
    expect(sha1(source)).toBe(sourceHash);
  });

  it('takes an empty file as it is, and leaves a dangling link as it was when the card cannot be made', () => {
    const broken = join(dir, 'broken', 'AstLinux-3.1.0.img');
    const empty = join(dir, 'placeholder.img');
    writeFileSync(empty, '');
    const failed = astcard('prepare', empty, '--size', '64M', '--image', broken, '--yes');
    expect(failed.status).toBe(1);
    expect(statSync(empty).size).toBe(0);
    const made = astcard('prepare', empty, '--size', '64M', '--image', source);
    expect(made.status, made.stderr).toBe(0);
    expect(fsckCard(empty, 'mbr').status).toBe(0);

    const link = join(dir, 'link.img');
    const end = join(dir, 'link-end.img');
    symlinkSync(end, link);
    const refused = astcard('prepare', link, '--size', '64M', '--image', broken);
    expect(refused.status).toBe(1);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(end)).toBe(false);
    const through = astcard('prepare', link, '--size', '64M', '--image', source);
    expect(through.status, through.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fsckCard(end, 'mbr').status).toBe(0);
  });
});

describe('two astcard add on one card at once', () => {
  let first: ChildProcess | null = null;

  afterAll(() => {
    if (first?.pid && first.exitCode === null) {
      process.kill(-first.pid, 'SIGCONT');
      process.kill(-first.pid, 'SIGKILL');
    }
  });

  it('lets one write and refuses the other by the lock, and the card stays sound', async () => {
    const card = join(dir, 'shared.img');
    await preparedCard(card, 64 * 1024 * 1024, [fakeImage(dir, '1.0.0', 300_000)]);
    // Large enough that the copy is still going when the first write's progress is read.
    const winner = fakeImage(dir, '2.0.0', 12 * 1024 * 1024);
    const loser = fakeImage(dir, '2.1.0', 300_000);

    // Its own process group, so that stopping it stops any child it starts too.
    const started = spawn(process.execPath, [ASTCARD_CLI, 'add', card, winner, '--json'], { detached: true });
    first = started;
    let stdout = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    // The first `write` progress comes from inside the job, which holds the card's lock by then; the first
    // add is frozen there, mid-copy, so the second meets the lock however fast or slow either one runs.
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      const watch = (chunk: Buffer) => {
        stderr += chunk;
        if (!/"phase":"write /.test(stderr)) return;
        started.stderr?.off('data', watch);
        process.kill(-(started.pid as number), 'SIGSTOP');
        resolve();
      };
      started.stderr?.on('data', watch);
      started.on('exit', () => reject(new Error(`the first add ended before writing: ${stderr}`)));
    });

    const second = astcard('add', card, loser);
    process.kill(-(started.pid as number), 'SIGCONT');
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      /is in use by another astcard\b.*Wait for it to finish, then try again\. Nothing was written\./,
    );
    expect(second.stderr).not.toMatch(/may be failing/);

    expect(await exited).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      added: [expect.objectContaining({ name: 'AstLinux-2.0.0.img' })],
    });
    expect(fsckCard(card, 'mbr')).toMatchObject({ status: 0 });
    const names = mtoolsNames(card, 'mbr');
    expect(names).toEqual(expect.arrayContaining(['AstLinux-2.0.0.img', 'AstLinux-2.0.0.img.sha1']));
    expect(names.filter((name) => name.startsWith('AstLinux-2.1.0') || name.endsWith('.part'))).toEqual([]);
    const report = await inspectImageFile(card);
    expect(report.boot).toMatchObject({ image: 'AstLinux-2.0.0.img', verified: true });
  }, 180_000);
});
