// `astcard source` beyond the sources themselves: the static address (--ip / --dhcp), and a real block
// device changed through the privileged writer (a loop device stands in for a card; root and losetup are
// needed for that part, which is skipped and says so without them). Oracle: mtools reads syslinux.cfg.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { parseLoaderOptions } from '../../shared/loader-config.js';
import {
  fakeImage,
  fsckCard,
  mtoolsImage,
  mtoolsRead,
  preparedCard,
  removeScratch,
  scratch,
} from '../core/card/card-fixtures.js';

const loops: string[] = [];
afterAll(() => {
  for (const loop of loops.splice(0)) spawnSync('losetup', ['-d', loop]);
  removeScratch();
});

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const optionsOf = (card: string) =>
  parseLoaderOptions(
    /^\s*APPEND (.*)$/m.exec(mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8'))?.[1] ?? '',
  ).options;

describe('astcard source set --ip / --dhcp', () => {
  it('astcard inspect says what the loader tries first, and flags sources the loader cannot use', async () => {
    const dir = scratch('cli-source-inspect');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, [fakeImage(dir, '1.0.0', 10_000)]);
    expect(
      astcard('source', 'set', card, 'http://10.0.2.2/os/', 'tftp://10.0.2.2/os/', '--ip', '10.0.2.9/24')
        .status,
    ).toBe(0);
    const shown = astcard('inspect', card, '--quick');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(
      "network boot: http://10.0.2.2/os/, then tftp://10.0.2.2/os/ first (static address 10.0.2.9/24); then the card's own images",
    );
    const json = JSON.parse(astcard('inspect', card, '--quick', '--json').stdout);
    expect(json.network).toEqual({
      sources: ['http://10.0.2.2/os/', 'tftp://10.0.2.2/os/'],
      cardFallback: true,
      ip: '10.0.2.9/24',
    });

    // An https source typed into syslinux.cfg by hand: the loader skips it, inspect says so with a fix.
    const text = mtoolsRead(card, 'mbr', 'syslinux.cfg').toString('utf8').replace('http://', 'https://');
    const edited = join(dir, 'syslinux.cfg');
    writeFileSync(edited, text);
    execFileSync('mcopy', ['-o', '-i', mtoolsImage(card, 'mbr'), edited, '::syslinux.cfg']);
    const flagged = JSON.parse(astcard('inspect', card, '--quick', '--json').stdout);
    expect(flagged.network).toBeNull();
    expect(flagged.problems.map((problem: { code: string }) => problem.code)).toContain(
      'bad-network-sources',
    );
  });

  it('writes a static address, keeps it when neither is given, and goes back to DHCP', async () => {
    const dir = scratch('cli-source-ip');
    const card = join(dir, 'card.img');
    await preparedCard(card, 40 * 1024 * 1024, [fakeImage(dir, '1.0.0', 10_000)]);

    const set = astcard('source', 'set', card, 'http://10.0.2.2/os/', '--ip', '10.0.2.100/24,10.0.2.2');
    expect(set.stderr).toBe('');
    expect(set.status).toBe(0);
    expect(set.stdout).toMatch(/Network: static address 10\.0\.2\.100\/24,10\.0\.2\.2\./);
    expect(optionsOf(card).ip).toBe('10.0.2.100/24,10.0.2.2');

    const again = astcard('source', 'set', card, 'tftp://10.0.2.2/os/', '--no-card', '--json');
    expect(JSON.parse(again.stdout)).toEqual({
      urls: ['tftp://10.0.2.2/os/'],
      cardFallback: false,
      ip: '10.0.2.100/24,10.0.2.2',
    });

    const dhcp = astcard('source', 'set', card, 'tftp://10.0.2.2/os/', '--dhcp');
    expect(dhcp.stdout).toMatch(/Network: DHCP\./);
    expect(optionsOf(card).ip).toBeNull();

    const bad = astcard('source', 'set', card, 'http://10.0.2.2/os/', '--ip', '10.0.2.100');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/expected an IPv4 address with its prefix/);
    expect(optionsOf(card).ip).toBeNull();

    const both = astcard('source', 'set', card, 'http://10.0.2.2/os/', '--ip', '10.0.2.100/24', '--dhcp');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/either --ip or --dhcp/);
    expect(fsckCard(card, 'mbr').status).toBe(0);
  });
});

const isRoot = process.getuid?.() === 0;
const hasLosetup = spawnSync('losetup', ['--version']).status === 0;

describe.skipIf(!isRoot || !hasLosetup)(
  'astcard source on a drive (skipped unless root with losetup)',
  () => {
    it('asks for --yes, then changes the drive through the writer', async () => {
      const dir = scratch('cli-source-drive');
      const backing = join(dir, 'card.img');
      await preparedCard(backing, 40 * 1024 * 1024, [fakeImage(dir, '1.0.0', 10_000)]);
      const device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
      loops.push(device);

      const noYes = astcard('source', 'set', device, 'http://10.0.2.2/os/');
      expect(noYes.status).toBe(2);
      // The writer's wording: a drive change names --confirm-name for system drives.
      expect(noYes.stderr).toMatch(/is a drive; add --yes to change its sources .*--confirm-name/);
      expect(optionsOf(backing).sources).toEqual([]);

      const set = astcard(
        'source',
        'set',
        device,
        'http://10.0.2.2/os/',
        '--ip',
        '10.0.2.100/24',
        '--yes',
        '--json',
      );
      expect(set.stderr).toBe('');
      expect(set.status).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({
        urls: ['http://10.0.2.2/os/'],
        cardFallback: true,
        ip: '10.0.2.100/24',
      });
      expect(optionsOf(backing)).toMatchObject({ sources: ['http://10.0.2.2/os/'], ip: '10.0.2.100/24' });

      const shown = astcard('source', 'show', device, '--json');
      expect(JSON.parse(shown.stdout).ip).toBe('10.0.2.100/24');
      expect(fsckCard(backing, 'mbr').status).toBe(0);
    });
  },
);
