// RUNNIX's choice, predicted: the vectors, and busybox (RUNNIX's own shell and ls) as the oracle for the two
// rules that pick the image — `ls *.run | tail -n1` and `$(cat os/ver).run`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { predictRunnixBoot, runnixAutoImage } from '../../shared/runnix-rules.js';
import { ash } from './busybox-oracle.js';
import { expectVector, vectorRows } from './vector-table.js';

describe('vectors runnix-boot.json', () => {
  it.each(vectorRows('runnix-boot.json'))('%s', (_name, actual, expected) => expectVector(actual, expected));
});

const work = mkdtempSync(join(tmpdir(), 'astcard-runnix-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let round = 0;

/** A fresh os/ folder holding empty files with these names. */
function osFolder(names: readonly string[]): string {
  const dir = join(work, `os${round++}`);
  mkdirSync(dir);
  for (const name of names) writeFileSync(join(dir, name), '');
  return dir;
}

const release = fc
  .tuple(fc.nat(12), fc.nat(12), fc.nat(12), fc.constantFrom('', '-rc1', '-rc2'))
  .map(([a, b, c, suffix]) => `astlinux-${a}.${b}.${c}${suffix}`);
const osName = fc.oneof(
  release.map((name) => `${name}.run`),
  release.map((name) => `${name}.run.sha1`),
  release.map((name) => `${name}.run.conf`),
  fc.constantFrom(
    'astflag',
    'ver',
    'Xver',
    'default.conf',
    'ASTLINUX-9.9.9.RUN',
    'astlinux-1.5-7231-8f3e2a.run',
    'initrd.img',
  ),
);

describe('busybox agrees', () => {
  it('on the auto rule: the last *.run in `ls` order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(osName, { maxLength: 12 }), (names) => {
        const dir = osFolder(names);
        const fromLs = ash('ls *.run 2>/dev/null | tail -n1', [], {}, dir).stdout.replace(/\n$/, '');
        expect(runnixAutoImage(names) ?? '').toBe(fromLs);
      }),
      { numRuns: 120 },
    );
  });

  it("on os/ver: RUNNIX's $(cat os/ver).run, CRs, blanks and trailing newlines included", () => {
    const endings = fc.constantFrom('', '\n', '\n\n', '\r\n', ' \n', '\t', '\n \n');
    fc.assert(
      fc.property(release, fc.constantFrom('', ' '), endings, (name, lead, ending) => {
        const ver = `${lead}${name}${ending}`;
        const dir = osFolder(['astflag', 'ver']);
        writeFileSync(join(dir, 'ver'), ver);
        const fromAsh = ash('RUNIMG="$(cat ver).run"; printf %s "$RUNIMG"', [], {}, dir).stdout;
        const predicted = predictRunnixBoot({ osFiles: ['astflag', 'ver'], ver, sidecars: {} });
        expect(predicted.image).toBe(fromAsh);
        expect(predicted.rule).toBe('os-ver');
      }),
      { numRuns: 60 },
    );
  });
});
