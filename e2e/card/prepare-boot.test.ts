// The whole product under QEMU: a card made by `astcard prepare` (our FAT, our SYSLINUX installer, our loader)
// boots its newest image; after `astcard add` of a newer one it boots that; once that one is corrupted on the
// card, the previous one. Needs `npm run build:loader` and `npm run build:syslinux` first. Each test works on
// its own copy of the prepared card, so they run two at a time (one QEMU per core). A keydisk made by astcard and
// a loader update are booted in cut-retry-boot.test.ts, after a cut and its retry.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { buildAstlinuxImage, buildKeydisk, fixtureCache } from '../fixtures/astlinux-images.js';
import { boot } from '../loader/qemu.js';
import { handoffOf, loaderLines, markerOf } from '../loader/serial-log.js';

const dir = join(fixtureCache, 'astcard-prepare');
const card = join(dir, 'card.img');
const KEYDISK_ID = `KD-prepare-${process.pid}`;

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], {
    encoding: 'utf8',
  });
  if (run.status !== 0)
    throw new Error(`astcard ${args.join(' ')} failed (${run.status}): ${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** A copy of the prepared card for one test to change and boot. */
function copyOfCard(name: string): string {
  const copy = join(dir, `${name}.img`);
  copyFileSync(card, copy);
  return copy;
}

async function bootCard(name: string, file: string) {
  const result = await boot([{ file, interface: 'ide' }]);
  writeFileSync(join(dir, `${name}.log`), result.log);
  expect(result.timedOut, `${name} timed out; log in ${dir}/${name}.log`).toBe(false);
  return {
    marker: markerOf(result.log),
    lines: loaderLines(result.log).map((line) => line.text),
    log: result.log,
  };
}

let volumeId: string;

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const images = join(dir, 'images');
  mkdirSync(images);
  buildAstlinuxImage({ version: '0.4.0', format: 'squashfs' }, join(images, 'AstLinux-0.4.0.img'));
  buildAstlinuxImage({ version: '0.4.1', format: 'ext2' }, join(images, 'AstLinux-0.4.1.img'));
  buildAstlinuxImage({ version: '0.10.0', format: 'squashfs' }, join(images, 'AstLinux-0.10.0.img'));
  buildKeydisk(join(dir, 'kd.img'), KEYDISK_ID);
  const prepared = JSON.parse(
    astcard(
      'prepare',
      card,
      '--size',
      '96M',
      '--json',
      '--image',
      join(images, 'AstLinux-0.4.0.img'),
      '--image',
      join(images, 'AstLinux-0.4.1.img'),
      '--keydisk',
      join(dir, 'kd.img'),
      '--console',
      'ttyS0,115200',
      '--onfail',
      'poweroff',
    ),
  );
  volumeId = prepared.serial;
}, 300_000);

// Two boots at once (qemu.ts); a test's time includes its wait for a slot.
describe.concurrent('a card made by astcard', { timeout: 400_000 }, () => {
  test('boots its newest image, with the handoff and the keydisk', async () => {
    const { marker, lines, log } = await bootCard('prepared', copyOfCard('prepared'));
    // The loader's kernel skipped its crypto self-tests (the card's cryptomgr.notests); the image's kernel
    // was not told to.
    const loaderLog = log.slice(0, log.indexOf('kexec_core: Starting new kernel'));
    expect(loaderLog).toMatch(/alg: self-tests disabled/);
    expect(marker?.cmdline).not.toContain('cryptomgr');
    expect(marker?.version).toBe('0.4.1');
    const handoff = handoffOf(marker?.cmdline ?? '');
    expect(handoff.image).toBe('AstLinux-0.4.1.img');
    expect(handoff.card).toBe(volumeId);
    const sha1 = execFileSync('sha1sum', [join(dir, 'images', 'AstLinux-0.4.1.img')], {
      encoding: 'utf8',
    }).split(' ')[0];
    expect(handoff.digest).toBe(`sha1:${sha1}`);
    expect(marker?.keydiskId).toBe(KEYDISK_ID);
    expect(lines.some((line) => /AstLinux-0\.4\.1\.img.*ok/.test(line))).toBe(true);
  });

  test('after astcard add of a newer image, boots that', async () => {
    const card = copyOfCard('added');
    astcard('add', card, join(dir, 'images', 'AstLinux-0.10.0.img'));
    const upgraded = await bootCard('added', card);
    expect(upgraded.marker?.version).toBe('0.10.0');
  });

  test('once that newer image is corrupted on the card, the previous one', async () => {
    const card = copyOfCard('corrupted');
    astcard('add', card, join(dir, 'images', 'AstLinux-0.10.0.img'));
    const damaged = join(dir, 'damaged', 'AstLinux-0.10.0.img');
    mkdirSync(join(dir, 'damaged'), { recursive: true });
    const bytes = readFileSync(join(dir, 'images', 'AstLinux-0.10.0.img'));
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x40;
    writeFileSync(damaged, bytes);
    execFileSync('mcopy', ['-o', '-i', `${card}@@1M`, damaged, '::/AstLinux-0.10.0.img']);
    const inspected = JSON.parse(astcard('inspect', card, '--json'));
    expect(inspected.boot.image).toBe('AstLinux-0.4.1.img');

    const fallback = await bootCard('corrupted', card);
    expect(fallback.marker?.version).toBe('0.4.1');
    expect(fallback.lines.some((line) => /AstLinux-0\.10\.0\.img.*mismatch/.test(line))).toBe(true);
  });
});
