// `astcard try`: a card prepared the way a user prepares it (default console options) is booted in QEMU
// behind a copy-on-write layer; the CLI reports what the loader started and compares it with the card
// doctor's prediction. The card's bytes are the same before and after every try.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { buildAstlinuxImage, fixtureCache } from '../fixtures/astlinux-images.js';

const dir = join(fixtureCache, 'astcard-try');

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HOME: dir },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The same, without blocking: the tries boot side by side, one per core. */
function astcardAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ASTCARD_CLI, ...args], {
      env: { ...process.env, HOME: dir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The card image with the image file's bytes overwritten somewhere in its middle (mtools finds it). */
function corruptOnCard(card: string, name: string): void {
  const copy = join(dir, 'extracted.img');
  const out = spawnSync('mcopy', ['-n', '-i', `${card}@@1M`, `::${name}`, copy]);
  expect(out.status).toBe(0);
  const bytes = readFileSync(copy);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
  writeFileSync(copy, bytes);
  expect(spawnSync('mcopy', ['-o', '-i', `${card}@@1M`, copy, `::${name}`]).status).toBe(0);
}

let good: string;
let corrupted: string;
let nothing: string;

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  const older = buildAstlinuxImage(
    { version: '2.0.0', format: 'squashfs' },
    join(dir, 'images', 'AstLinux-2.0.0.img'),
  );
  const newer = buildAstlinuxImage(
    { version: '2.1.0', format: 'ext2' },
    join(dir, 'images', 'AstLinux-2.1.0.img'),
  );
  for (const image of [older, newer]) {
    const digest = createHash('sha1').update(readFileSync(image)).digest('hex');
    writeFileSync(`${image}.sha1`, `${digest}  ${image.split('/').pop()}\n`);
  }
  good = join(dir, 'good.img');
  const made = astcard(
    'prepare',
    good,
    '--size',
    '96M',
    '--image',
    older,
    '--image',
    newer,
    '--onfail',
    'poweroff',
  );
  expect(made.status, made.stderr).toBe(0);
  corrupted = join(dir, 'corrupted.img');
  copyFileSync(good, corrupted);
  corruptOnCard(corrupted, 'AstLinux-2.1.0.img');
  nothing = join(dir, 'nothing.img');
  expect(astcard('prepare', nothing, '--size', '64M', '--onfail', 'poweroff').status).toBe(0);
}, 600_000);

describe.concurrent('astcard try', () => {
  test('boots a prepared card: the newest image, as predicted, exit 0; the card unchanged', async () => {
    const before = sha(good);
    const run = await astcardAsync('try', good, '--json');
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      outcome: 'booted',
      started: 'AstLinux-2.1.0.img',
      predicted: 'AstLinux-2.1.0.img',
      asPredicted: true,
    });
    expect(['kernel', 'userspace', 'login', 'powered-off']).toContain(result.stage);
    expect(
      result.loaderLines.some((line: { text: string }) => /AstLinux-2\.1\.0\.img.*ok/.test(line.text)),
    ).toBe(true);
    expect(readFileSync(result.logPath, 'utf8')).toMatch(/astcard: kexec -e AstLinux-2\.1\.0\.img/);
    expect(sha(good)).toBe(before);
  }, 600_000);

  test('on a card whose newest image is corrupted, reports the fallback it predicted', async () => {
    const before = sha(corrupted);
    const run = await astcardAsync('try', corrupted);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Booted AstLinux-2\.0\.0\.img, as predicted; /m);
    expect(run.stderr).toMatch(
      /loader: .*AstLinux-2\.1\.0\.img.*mismatch|loader: .*AstLinux-2\.1\.0\.img.*does not match/,
    );
    expect(sha(corrupted)).toBe(before);
  }, 600_000);

  test('on a card with nothing bootable, reports the loader’s FAILED line and exits 1', async () => {
    const before = sha(nothing);
    const run = await astcardAsync('try', nothing, '--json');
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.outcome).toBe('nothing-bootable');
    expect(result.failed).toMatch(/nothing bootable/);
    expect(result.predicted).toBeNull();
    expect(sha(nothing)).toBe(before);
  }, 600_000);
});
