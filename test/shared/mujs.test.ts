// The ES5 bundle under Debian's mujs must answer the vector table exactly as the TypeScript sources do
// in Node, and the plan CLI must speak the loader's protocol on a real directory. No mujs = failure.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PlanRun, planBundleForFile, runBoth } from './plan-cli-runs.js';
import {
  expectVector,
  loadVectors,
  RUNNER_PATH,
  runInNode,
  VECTOR_DIR,
  vectorFileNames,
} from './vector-table.js';

const HARNESS = join(import.meta.dirname, 'mujs-harness.js');
const plan = planBundleForFile('astcard-mujs-');
const both = (...args: string[]): PlanRun => runBoth(plan.bundle, args);

describe('vector table under mujs', () => {
  it('gives the same results as Node for every vector file, and they meet the expectations', () => {
    const files = vectorFileNames();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const paths = files.map((file) => join(VECTOR_DIR, file));
    const output = execFileSync('mujs', [HARNESS, plan.bundle, RUNNER_PATH, ...paths], { encoding: 'utf8' });
    const fromMujs = JSON.parse(output) as Record<string, { name: string; actual: unknown }[]>;
    for (const [index, file] of files.entries()) {
      const vectors = loadVectors(file);
      const fromNode = JSON.parse(JSON.stringify(runInNode(vectors)));
      const results = fromMujs[paths[index] ?? ''];
      expect(results, file).toEqual(fromNode);
      for (const [caseIndex, c] of vectors.cases.entries())
        expectVector(results?.[caseIndex]?.actual, c.expect);
    }
  });
});

describe('plan CLI protocol on a real card directory', () => {
  let card: string;
  const sums = (tool: string, name: string) => execFileSync(tool, [name], { cwd: card, encoding: 'utf8' });
  const hash = (tool: string, name: string) => sums(tool, name).slice(0, tool === 'sha1sum' ? 40 : 64);

  beforeAll(() => {
    card = join(plan.work, 'card');
    execFileSync('mkdir', ['-p', card]);
    const write = (name: string, content: string | Buffer) => writeFileSync(join(card, name), content);
    for (const version of ['1.5.9', '1.5.10', '0.10.0', '2.0'])
      write(`AstLinux-${version}.img`, `image ${version}\n`);
    write('AstLinux-1.5.9.img.sha1', sums('sha1sum', 'AstLinux-1.5.9.img'));
    write(
      'AstLinux-1.5.10.img.sha256',
      `\ufeff${sums('sha256sum', 'AstLinux-1.5.10.img').replace('\n', '\r\n')}`,
    );
    // Written for other bytes: the image is "corrupted".
    write(
      'AstLinux-2.0.img.sha1',
      `${execFileSync('sha1sum', [], { input: 'other', encoding: 'utf8' }).slice(0, 40)}  AstLinux-2.0.img\n`,
    );
    // 0.10.0 has no sidecar: an interrupted copy.
    write('AstLinux-3.0.img', '');
    write('AstLinux-3.0.img.sha1', sums('sha1sum', 'AstLinux-3.0.img'));
    write('AstLinux-4.0.img.part', 'half');
    write('AstLinux-5.0.img.sha1', `${'0'.repeat(40)}  AstLinux-5.0.img\n`);
    write('kd.img', 'keydisk');
    write('listing', execFileSync('sh', ['-c', "stat -c '%s %n' *"], { cwd: card, encoding: 'utf8' }));
    write(
      'cmdline',
      'BOOT_IMAGE=bzImage console=ttyS0,115200 astlinux.pin=1.4 astlinux.keydisk=label:ASTKD astlinux.card=9c2e-11aa astlinux.bogus\n',
    );
  });

  const planArgs = () => [card, join(card, 'listing'), join(card, 'cmdline')];

  it('plan: says, skips and checks in boot order', () => {
    const run = both('plan', ...planArgs());
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      'say astlinux.bogus: needs a value, ignored',
      'say astlinux.pin=1.4: no such image on the card, booting the newest good one',
      'say AstLinux-4.0.img.part: unfinished copy, ignored',
      'say AstLinux-5.0.img.sha1: checksum file without its image, ignored',
      'skip AstLinux-3.0.img zero-length AstLinux-3.0.img: empty file, skipping',
      `check AstLinux-2.0.img sha1 ${execFileSync('sha1sum', [], { input: 'other', encoding: 'utf8' }).slice(0, 40)}`,
      `check AstLinux-1.5.10.img sha256 ${hash('sha256sum', 'AstLinux-1.5.10.img')}`,
      `check AstLinux-1.5.9.img sha1 ${hash('sha1sum', 'AstLinux-1.5.9.img')}`,
      'skip AstLinux-0.10.0.img missing-sidecar AstLinux-0.10.0.img: no checksum file (.sha256 or .sha1), skipping',
    ]);
  });

  it('verdict: like the init, hash each checked image in order until one is ok', () => {
    const booted: string[] = [];
    const said: string[] = [];
    for (const line of both('plan', ...planArgs()).lines) {
      const [verb, name = '', algo = ''] = line.split(' ');
      if (verb !== 'check' || booted.length > 0) continue;
      const actual = hash(algo === 'sha1' ? 'sha1sum' : 'sha256sum', name);
      const run = both('verdict', ...planArgs(), name, actual);
      said.push(...run.lines);
      if (run.code === 0) booted.push(name);
      else expect(run.code).toBe(1);
    }
    expect(booted).toEqual(['AstLinux-1.5.10.img']);
    expect(said).toEqual([
      'bad mismatch AstLinux-2.0.img: sha1 checksum mismatch, skipping',
      'ok AstLinux-1.5.10.img: sha256 checksum ok',
    ]);
  });

  it('verdict: a rejected, unknown or unhashed image is bad', () => {
    expect(both('verdict', ...planArgs(), 'AstLinux-3.0.img', '-')).toEqual({
      code: 1,
      lines: ['bad zero-length AstLinux-3.0.img: empty file, skipping'],
    });
    expect(both('verdict', ...planArgs(), 'AstLinux-9.9.img', 'ab').code).toBe(1);
    expect(both('verdict', ...planArgs(), 'AstLinux-1.5.9.img', '-').lines).toEqual([
      'bad unverified AstLinux-1.5.9.img: not checked, skipping',
    ]);
  });

  it('handoff: the options for the AstLinux kernel, defaults taken from the command line', () => {
    const digest = hash('sha256sum', 'AstLinux-1.5.10.img');
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(
      both('handoff', join(card, 'cmdline'), 'AstLinux-1.5.10.img', '-', `sha256:${digest}`, '-'),
    ).toEqual({
      code: 0,
      lines: [
        `astlinux.image=AstLinux-1.5.10.img astlinux.card=9C2E-11AA astlinux.digest=sha256:${digest} astlinux.keydisk=label:ASTKD astlinux.loader=${version}`,
      ],
    });
    const sha1 = hash('sha1sum', 'AstLinux-1.5.9.img');
    const run = both(
      'handoff',
      join(card, 'cmdline'),
      'AstLinux-1.5.9.img',
      '1234-abcd',
      sha1,
      'card:/kd.img',
    );
    expect(run.lines[0]).toContain(
      `astlinux.card=1234-ABCD astlinux.digest=sha1:${sha1} astlinux.keydisk=card:/kd.img`,
    );
    expect(both('handoff', join(card, 'cmdline'), 'AstLinux-1.5.9.img', '-', 'nothex', '-').code).toBe(2);
    // The init passes unset shell variables as empty arguments: same as "-".
    expect(both('handoff', join(card, 'cmdline'), 'AstLinux-1.5.9.img', '', '', '').lines[0]).toBe(
      `astlinux.image=AstLinux-1.5.9.img astlinux.card=9C2E-11AA astlinux.keydisk=label:ASTKD astlinux.loader=${version}`,
    );
    expect(both('handoff', join(card, 'cmdline'), 'AstLinux-1.5.9.img', 'sda1', '-', '-').code).toBe(2);
  });

  it('accept: the verdict, then the handoff for a good image; a bad one stops at its verdict', () => {
    const digest = `sha256:${hash('sha256sum', 'AstLinux-1.5.10.img')}`;
    const good = both('accept', ...planArgs(), 'AstLinux-1.5.10.img', digest, '-', '-');
    expect(good.code).toBe(0);
    expect(good.lines).toEqual([
      ...both('verdict', ...planArgs(), 'AstLinux-1.5.10.img', digest.slice('sha256:'.length)).lines,
      ...both('handoff', join(card, 'cmdline'), 'AstLinux-1.5.10.img', '-', digest, '-').lines,
    ]);
    expect(both('accept', ...planArgs(), 'AstLinux-2.0.img', `sha1:${'0'.repeat(40)}`, '-', '-')).toEqual({
      code: 1,
      lines: ['bad mismatch AstLinux-2.0.img: sha1 checksum mismatch, skipping'],
    });
    const badCard = both('accept', ...planArgs(), 'AstLinux-1.5.10.img', digest, 'sda1', '-');
    expect(badCard.code).toBe(2);
    expect(badCard.lines[0]).toBe('ok AstLinux-1.5.10.img: sha256 checksum ok');
    expect(badCard.lines[1]).toMatch(/^usage error: /);
  });

  it('options: plain "key value" lines for `while read -r key value`', () => {
    expect(both('options', join(card, 'cmdline'))).toEqual({
      code: 0,
      lines: [
        'pin 1.4',
        'keydisk label:ASTKD',
        'card 9C2E-11AA',
        'rescue 0',
        'onfail shell',
        'debug 0',
        'wait 10',
        'console ttyS0,115200',
        'problem astlinux.bogus: needs a value, ignored',
      ],
    });
  });

  it('usage errors exit 2: no command, wrong arity, unknown command, unreadable file', () => {
    for (const args of [[], ['plan', card], ['boot', 'x'], ['options', join(card, 'missing')]]) {
      const run = both(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.lines[0]).toMatch(/^usage error: /);
    }
  });

  it('the init can read the output with plain shell `read`', () => {
    const script = `mujs "$1" options "$2" | while read -r key value; do echo "[$key][$value]"; done`;
    const output = execFileSync('sh', ['-c', script, 'sh', plan.bundle, join(card, 'cmdline')], {
      encoding: 'utf8',
    });
    expect(output).toContain('[console][ttyS0,115200]');
    expect(output).toContain('[problem][astlinux.bogus: needs a value, ignored]');
  });
});
