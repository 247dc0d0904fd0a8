import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { fakeImage, removeScratch, scratch } from '../core/card/card-fixtures.js';

afterAll(removeScratch);

function astcard(...args: string[]) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('astcard publish', () => {
  it('writes a ready-to-serve folder and says what the index lists', () => {
    const from = scratch('cli-publish');
    const folder = join(from, 'www');
    const run = astcard(
      'publish',
      folder,
      fakeImage(from, '1.3.0', 20_000),
      fakeImage(from, '1.2.0', 20_000),
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/astlinux\.index lists AstLinux-1\.3\.0\.img, AstLinux-1\.2\.0\.img/);
    expect(run.stdout).toMatch(/point cards at it: astcard source set <card> http:\/\/<server>\/www\//);
    expect(
      execFileSync('sha1sum', ['-c', '--strict', 'astlinux.index'], { cwd: folder, encoding: 'utf8' }),
    ).toMatch(/AstLinux-1\.3\.0\.img: OK/);
  });

  it('exits 2 with the usage when no image is named', () => {
    const run = astcard('publish', scratch('cli-publish-usage'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: astcard publish/);
  });
});

describe('astcard source', () => {
  it('sets, shows and clears where a card boots from', () => {
    const dir = scratch('cli-source');
    const card = join(dir, 'card.img');
    expect(astcard('prepare', card, '--size', '40M', '--image', fakeImage(dir, '1.0.0', 10_000)).status).toBe(
      0,
    );
    const set = astcard('source', 'set', card, 'http://10.0.2.2:8000/os/', 'ftp://10.0.2.2/pub');
    expect(set.stderr).toBe('');
    expect(set.status).toBe(0);
    expect(set.stdout).toMatch(
      /1\. http:\/\/10\.0\.2\.2:8000\/os\/\n2\. ftp:\/\/10\.0\.2\.2\/pub\/\nthen the card/,
    );
    const shown = JSON.parse(astcard('source', 'show', card, '--json').stdout);
    expect(shown).toEqual({
      urls: ['http://10.0.2.2:8000/os/', 'ftp://10.0.2.2/pub/'],
      cardFallback: true,
      ip: null,
    });
    const bad = astcard('source', 'set', card, 'smb://host/share');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/not supported/);
    expect(astcard('source', 'clear', card).stdout).toMatch(/its own images only/);
    expect(JSON.parse(astcard('source', 'show', card, '--json').stdout).urls).toEqual([]);
  });
});
