/**
 * dosfstools' own corpus of damaged FAT volumes, rebuilt here from its `tests/check-*.fsck` hex dumps (the
 * damaged images its fsck tests start from), never committed: the source archive is fetched from Debian,
 * where CI can reach it, and checked against the digest of Debian's bookworm upload.
 *
 * For each volume, as fsck.fat -n sees it damaged: `add` through the one writer path is refused with a
 * reason pointing at `astcard repair` (or, for a volume that is no FAT at all, saying so), and not one byte
 * of the volume changes. Then `repair`: where it says the card is writable again, fsck.fat -n agrees and an
 * add goes through; where it says it cannot, the card still refuses every write.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureCache } from '../../../e2e/fixtures/astlinux-images.js';
import type { RepairCardResult } from '../../../electron/core/card/repair-card.js';
import { runJob } from '../../../electron/core/writer/run-job.js';
import { fakeImage, removeScratch, scratch } from './card-fixtures.js';

const SOURCE = 'http://deb.debian.org/debian/pool/main/d/dosfstools/dosfstools_4.2.orig.tar.gz';
/** dosfstools_4.2.orig.tar.gz as Debian bookworm lists it (its .dsc names this digest). */
const SOURCE_SHA256 = '64926eebf90092dca21b14259a5301b7b98e7b1943e8a201c7d726084809b527';

const dir = scratch('dosfstools-corpus');
const cache = join(fixtureCache, 'dosfstools');
let image = '';
let tests = '';
const names: string[] = [];

async function sourceArchive(): Promise<string> {
  const archive = join(cache, 'dosfstools_4.2.orig.tar.gz');
  const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  if (!existsSync(archive) || digest(archive) !== SOURCE_SHA256) {
    mkdirSync(cache, { recursive: true });
    const response = await fetch(SOURCE);
    if (!response.ok) throw new Error(`${SOURCE}: HTTP ${response.status}`);
    writeFileSync(archive, new Uint8Array(await response.arrayBuffer()));
  }
  expect(digest(archive)).toBe(SOURCE_SHA256);
  return archive;
}

beforeAll(async () => {
  const archive = await sourceArchive();
  execFileSync('tar', ['-xzf', archive, '-C', dir, '--wildcards', 'dosfstools-4.2/tests/check-*']);
  tests = join(dir, 'dosfstools-4.2', 'tests');
  for (const file of readdirSync(tests).sort())
    if (file.endsWith('.fsck')) names.push(file.slice(0, -'.fsck'.length));
  image = fakeImage(dir, '9.9.9', 200_000);
}, 120_000);

afterAll(removeScratch);

/** The damaged volume, from its hex dump (sparse: the largest is 1 GiB of mostly nothing). */
function rebuild(name: string): string {
  const out = join(dir, `${name}.img`);
  execFileSync('xxd', ['-r', join(tests, `${name}.fsck`), out]);
  return out;
}

function fsck(name: string, volume: string) {
  const argsFile = join(tests, `${name}.args`);
  const args = existsSync(argsFile) ? readFileSync(argsFile, 'utf8').trim().split(/\s+/) : [];
  const run = spawnSync('fsck.fat', ['-n', ...args, volume], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** sha1sum's digest: the largest volumes are 1 GiB, streamed rather than read into memory. */
const sha1 = (path: string) => execFileSync('sha1sum', [path], { encoding: 'utf8' }).slice(0, 40);

/**
 * Size, modification and change times to the nanosecond: any write to the file moves its ctime, which
 * nothing but the kernel sets. Cheaper than hashing a 1 GiB volume before and after every refusal, and it
 * also catches a write of the bytes that were already there.
 */
const untouched = (path: string) => {
  const stats = statSync(path, { bigint: true });
  return `${stats.size} ${stats.mtimeNs} ${stats.ctimeNs}`;
};

async function add(volume: string): Promise<unknown> {
  return runJob({ device: volume }, { kind: 'add', images: [image] }).then(
    () => null,
    (error: unknown) => error,
  );
}

describe("dosfstools' damaged volumes", () => {
  it('the corpus is there: every check-*.fsck volume, each one fsck.fat calls damaged', () => {
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const name of names) {
      const volume = rebuild(name);
      expect(fsck(name, volume).status, name).not.toBe(0);
    }
  });

  it('are never written: add is refused, pointing at repair, and every byte stays', async () => {
    for (const name of names) {
      const volume = rebuild(name);
      const before = untouched(volume);
      // The bytes too, where hashing is cheap (the 1 GiB volumes are left to their change time).
      const digest = statSync(volume).size <= 64 * 1024 * 1024 ? sha1(volume) : null;
      const refused = await add(volume);
      expect(refused, name).toBeInstanceOf(Error);
      const message = (refused as Error).message;
      expect(message, name).toMatch(/astcard repair|holds no readable FAT volume/);
      expect(message, name).toMatch(/Nothing was written|no readable FAT/);
      expect(untouched(volume), name).toBe(before);
      if (digest) expect(sha1(volume), name).toBe(digest);
    }
  }, 300_000);

  it('repair: a card it calls writable again is clean to fsck.fat and takes an add; one it cannot fix still refuses', async () => {
    let repaired = 0;
    for (const name of names) {
      const volume = rebuild(name);
      const before = untouched(volume);
      const outcome = (await runJob({ device: volume }, { kind: 'repair' }).then(
        (done) => done.result as RepairCardResult,
        (error: unknown) => error as Error,
      )) as RepairCardResult | Error;
      if (outcome instanceof Error) {
        // Only a volume that is no FAT at all; nothing was touched.
        expect(outcome.message, name).toMatch(/holds no readable FAT volume/);
        expect(untouched(volume), name).toBe(before);
        continue;
      }
      if (outcome.writable) {
        repaired++;
        // The repair wrote, and the change time shows it: the oracle above can fail.
        expect(untouched(volume), name).not.toBe(before);
        const checked = fsck(name, volume);
        expect(checked.status, `${name}\n${checked.output}`).toBe(0);
        expect(await add(volume), name).toBeNull();
        expect(fsck(name, volume).status, name).toBe(0);
      } else {
        expect(outcome.remaining.length, name).toBeGreaterThan(0);
        const before = untouched(volume);
        expect(await add(volume), name).toBeInstanceOf(Error);
        expect(untouched(volume), name).toBe(before);
      }
    }
    expect(repaired).toBeGreaterThan(names.length / 2);
  }, 600_000);
});
