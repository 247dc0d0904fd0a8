import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import {
  fakeImage,
  fsckCard,
  inspectImageFile,
  mtoolsRead,
  removeScratch,
  scratch,
} from '../core/card/card-fixtures.js';

afterAll(removeScratch);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function astcard(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ASTCARD_CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function hostnameOn(card: string): string | undefined {
  const path = join(scratch('cli-kd'), 'kd.img');
  writeFileSync(path, mtoolsRead(card, 'mbr', 'kd.img'));
  const conf = execFileSync('debugfs', ['-R', 'cat /rc.conf.d/user.conf', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return /^HOSTNAME="([^"]+)"$/m.exec(conf)?.[1];
}

const dir = scratch('cli-batch');
const image = fakeImage(dir, '1.6.0', 3 * 1024 * 1024);
const csv = join(dir, 'cards.csv');
writeFileSync(
  csv,
  'hostname,ip,gateway\nalpha,10.9.0.2,10.9.0.1\nbravo,10.9.0.3,10.9.0.1\ncharlie,10.9.0.4,10.9.0.1\ndelta,10.9.0.5,10.9.0.1\n',
);

/** `batch <cards> --size <size> --image <source> --report <report in dir>`, then `more`. */
function batchArgs(
  cards: string[],
  report: string,
  more: string[] = [],
  size = '40M',
  source = image,
): string[] {
  return ['batch', ...cards, '--size', size, '--image', source, '--report', join(dir, report), ...more];
}

describe('astcard batch', () => {
  it('never makes a new card image over a file with contents without --yes, nor ever over its own image', async () => {
    const kept = join(dir, 'kept.img');
    writeFileSync(kept, 'a file someone needs\n');
    const before = readFileSync(image);
    const refused = await astcard(batchArgs([kept], 'r1'));
    expect(refused.status, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(
      /kept\.img already exists and is not empty; .*Nothing was written\. .*add --yes/,
    );
    expect(readFileSync(kept, 'utf8')).toBe('a file someone needs\n');
    // Even with --yes, the image the batch copies is not a card to erase.
    const own = await astcard(batchArgs([image], 'r2', ['--yes']));
    expect(own.status, own.stderr).toBe(1);
    expect(own.stderr).toMatch(/is also one of the sources/);
    expect(readFileSync(image).equals(before)).toBe(true);
  }, 120_000);

  it('with --yes replaces a file only with a card that was written and verified', async () => {
    const kept = join(dir, 'replaced.img');
    const fresh = join(dir, 'fresh.img');
    writeFileSync(kept, 'a file someone needs\n');
    const broken = join(dir, 'broken', 'AstLinux-1.7.0.img');
    mkdirSync(join(dir, 'broken'), { recursive: true });
    writeFileSync(broken, Buffer.alloc(256 * 1024, 0x5a));
    const leftovers = () => readdirSync(dir).filter((name) => name.includes('astcard-new'));
    const failed = await astcard(batchArgs([kept, fresh], 'r3', ['--yes'], '40M', broken));
    expect(failed.status, failed.stderr).toBe(1);
    expect(statSync(kept).size).toBe('a file someone needs\n'.length);
    expect(readFileSync(kept, 'utf8')).toBe('a file someone needs\n');
    expect(existsSync(fresh)).toBe(false);
    expect(leftovers()).toEqual([]);

    // One file named twice (here once through another spelling) is one card, not two.
    const twice = await astcard(batchArgs([kept, join(dir, '.', 'replaced.img')], 'r5', ['--yes']));
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/replaced\.img is named twice; give each card once\./);
    expect(readFileSync(kept, 'utf8')).toBe('a file someone needs\n');

    // A card that fails: its row names the file the user gave, not the name the new image was made under.
    const small = await astcard(batchArgs([kept], 'r6', ['--yes', '--json'], '12M'));
    expect(small.status).toBe(1);
    const [row] = (JSON.parse(small.stdout) as { cards: { error: string }[] }).cards;
    expect(row?.error).toContain(`${kept} is too small`);
    expect(readFileSync(join(dir, 'r6', 'batch-report.csv'), 'utf8')).not.toContain('astcard-new');
    expect(readFileSync(kept, 'utf8')).toBe('a file someone needs\n');
    expect(leftovers()).toEqual([]);

    const replaced = await astcard(batchArgs([kept], 'r4', ['--yes']));
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(fsckCard(kept, 'mbr').status).toBe(0);
    expect((await inspectImageFile(kept)).boot?.version).toBe('1.6.0');
    // The report names the file the user gave, not the name the card was made under.
    expect(readFileSync(join(dir, 'r4', 'batch-report.csv'), 'utf8')).toContain(kept);
    expect(leftovers()).toEqual([]);
  }, 120_000);

  it('prepares three new card images with their own keydisks and writes the report', async () => {
    const cards = ['a', 'b', 'c'].map((name) => join(dir, `${name}.img`));
    const report = join(dir, 'report');
    const run = await astcard([
      'batch',
      ...cards,
      '--size',
      '40M',
      '--image',
      image,
      '--new-keydisk',
      '--csv',
      csv,
      '--report',
      report,
      '--name',
      'cli-test',
      '--json',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      cards: { target: string; verified: boolean; keydiskId: string }[];
    };
    expect(result.cards.map((c) => c.verified)).toEqual([true, true, true]);
    const hosts = [];
    for (const card of cards) {
      expect((await inspectImageFile(card)).boot?.version).toBe('1.6.0');
      expect(fsckCard(card, 'mbr').status).toBe(0);
      const host = hostnameOn(card);
      expect(host).toBe(result.cards.find((c) => c.target === card)?.keydiskId);
      hosts.push(host);
    }
    expect(new Set(hosts).size).toBe(3);
    expect(readFileSync(join(report, 'batch-report.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(readFileSync(join(report, 'rows-used.txt'), 'utf8').trim().split('\n').sort()).toEqual(
      [...hosts].sort(),
    );
  }, 120_000);

  it('in station mode takes card images as they appear in a folder, up to --count', async () => {
    const slots = join(dir, 'slots');
    mkdirSync(slots);
    const report = join(dir, 'station-report');
    const running = astcard([
      'batch',
      '--station',
      '--watch',
      slots,
      '--count',
      '2',
      '--image',
      image,
      '--new-keydisk',
      '--csv',
      csv,
      '--report',
      report,
    ]);
    for (const name of ['one.card', 'two.card']) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      writeFileSync(join(slots, name), Buffer.alloc(40 * 1024 * 1024));
    }
    const run = await running;
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/2\/2 done, 0 failed/);
    expect(run.stdout).toMatch(/2 of 2 cards written and verified/);
    for (const name of ['one.card', 'two.card']) {
      expect((await inspectImageFile(join(slots, name))).boot?.version).toBe('1.6.0');
      expect(hostnameOn(join(slots, name))).toMatch(/^(alpha|bravo)$/);
    }
  }, 120_000);

  it('refuses a CSV without a keydisk to write it into (exit 2)', async () => {
    const run = await astcard([
      'batch',
      join(dir, 'x.img'),
      '--image',
      image,
      '--csv',
      csv,
      '--report',
      join(dir, 'r2'),
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--csv needs --keydisk-template/);
  }, 30_000);
});
