import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import {
  fakeImage,
  fsckCard,
  mtoolsNames,
  mtoolsRead,
  removeScratch,
  scratch,
} from '../core/card/card-fixtures.js';
import { analyseFsck } from '../core/card/fsck-analysis.js';

const dir = scratch('cli-upgrade');

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI as its own process, without blocking this one (the test's web server must keep serving). */
function astcard(args: string[], onStart?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve) => {
    // node itself, not npx: signals must reach the CLI's own process.
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
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    onStart?.(child);
  });
}

function inspectJson(card: string) {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, 'inspect', card, '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(run.stdout);
}

/** Serves one image slowly (64 KiB every 20 ms) so a test can act while it is being copied. */
async function slowServer(name: string, body: Buffer) {
  let served = 0;
  const waiters: Array<{ bytes: number; resolve: () => void }> = [];
  const server: Server = createServer((request, response) => {
    if (request.url !== `/${name}`) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    let at = 0;
    const timer = setInterval(() => {
      const next = Math.min(body.length, at + 64 * 1024);
      response.write(body.subarray(at, next));
      served += next - at;
      at = next;
      for (const waiter of waiters.filter((entry) => served >= entry.bytes)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (at >= body.length) {
        clearInterval(timer);
        response.end();
      }
    }, 20);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    /** Resolves once this many bytes of the image went out (counted over every request). */
    servedAtLeast: (bytes: number) =>
      new Promise<void>((resolve) => {
        if (served >= bytes) resolve();
        else waiters.push({ bytes, resolve });
      }),
    reset: () => {
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let base: string;
const sources = scratch('cli-upgrade-sources');

afterAll(removeScratch);

beforeAll(async () => {
  base = join(dir, 'base.img');
  const prepared = await astcard([
    'prepare',
    base,
    '--size',
    '40M',
    '--image',
    fakeImage(sources, '3.0.0', 400_000),
  ]);
  expect(prepared.status, prepared.stderr).toBe(0);
}, 60_000);

function copyOfBase(name: string): string {
  const card = join(dir, name);
  writeFileSync(card, readFileSync(base));
  return card;
}

describe('astcard add from the web, interrupted', () => {
  const image = fakeImage(sources, '3.1.0', 3_000_000);
  const bytes = readFileSync(image);
  let server: Awaited<ReturnType<typeof slowServer>>;
  beforeAll(async () => {
    server = await slowServer('AstLinux-3.1.0.img', bytes);
  });
  afterAll(() => server.close());

  it('stops at Ctrl-C with one plain line and exit 1, the card as it was', async () => {
    const card = copyOfBase('cancelled.img');
    server.reset();
    const run = await astcard(['add', card, server.url], (child) => {
      void server.servedAtLeast(1_000_000).then(() => child.kill('SIGINT'));
    });
    expect(run.status).toBe(1);
    // The download is staged before the card is touched: cancelled there, nothing was written.
    expect(run.stderr).toMatch(/cancelled; nothing was written to the card/);
    const report = inspectJson(card);
    expect(report.boot).toMatchObject({ image: 'AstLinux-3.0.0.img', verified: true });
    expect(mtoolsNames(card, 'mbr').some((name) => name.includes('3.1.0'))).toBe(false);
    expect(fsckCard(card, 'mbr').status).toBe(0);
  }, 60_000);

  it('killed outright at several points, the card always boots a verified image; fsck finds at most lost clusters', async () => {
    for (const fraction of [0.2, 0.5, 0.8, 0.99]) {
      const card = copyOfBase(`killed-${fraction}.img`);
      server.reset();
      const run = await astcard(['add', card, server.url], (child) => {
        void server.servedAtLeast(Math.floor(bytes.length * fraction)).then(() => child.kill('SIGKILL'));
      });
      expect(run.signal ?? run.status).not.toBe(0);
      const report = inspectJson(card);
      expect(report.boot, `killed at ${fraction}`).toMatchObject({
        image: 'AstLinux-3.0.0.img',
        verified: true,
      });
      const found = analyseFsck(
        fsckCard(card, 'mbr').output,
        /AstLinux-[\d.]+\.img\.part/,
        /AstLinux-[\d.]+\.img/,
      );
      expect(found.bad, `killed at ${fraction}`).toEqual([]);
    }
  }, 120_000);

  it('adds it whole when left alone, fetching the size first and writing the sidecar last', async () => {
    const card = copyOfBase('downloaded.img');
    server.reset();
    const run = await astcard(['add', card, server.url, '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).added[0]).toMatchObject({ name: 'AstLinux-3.1.0.img', size: bytes.length });
    expect(inspectJson(card).boot).toMatchObject({ image: 'AstLinux-3.1.0.img', verified: true });
    expect(mtoolsRead(card, 'mbr', 'AstLinux-3.1.0.img').equals(bytes)).toBe(true);
  }, 60_000);
});

describe('astcard add from an archive', () => {
  it('takes the image and its checksum out of a .tar.gz named on the command line', async () => {
    const tree = scratch('cli-archive');
    const image = fakeImage(tree, '3.2.0', 800_000);
    const archive = join(dir, 'astlinux-3.2.0.tgz');
    execFileSync('tar', ['czf', archive, '-C', tree, 'AstLinux-3.2.0.img', 'AstLinux-3.2.0.img.sha1']);
    const card = copyOfBase('archive.img');
    const run = await astcard(['add', card, archive, '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).added).toEqual([expect.objectContaining({ name: 'AstLinux-3.2.0.img' })]);
    expect(mtoolsRead(card, 'mbr', 'AstLinux-3.2.0.img').equals(readFileSync(image))).toBe(true);
    expect(inspectJson(card).boot).toMatchObject({ image: 'AstLinux-3.2.0.img', verified: true });
  }, 60_000);
});

describe('astcard loader update and keydisk', () => {
  it('loader update switches the card to this loader and keeps the old one; again is a no-op', async () => {
    const card = copyOfBase('loader.img');
    const forced = await astcard(['loader', 'update', card, '--force', '--json']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      changed: true,
      kernel: 'bzImage-b',
      fallback: { kernel: 'bzImage', initrd: 'loader.img' },
    });
    const again = await astcard(['loader', 'update', card]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/already has loader .*; nothing to do/);
    expect(inspectJson(card)).toMatchObject({ loader: { present: true }, problems: [] });
    expect(fsckCard(card, 'mbr').status).toBe(0);
    expect((await astcard(['loader', card])).status).toBe(2);
  }, 60_000);

  it('keydisk create, export and import round-trip through a card; e2fsck finds them clean', async () => {
    const card = copyOfBase('keydisk.img');
    const created = await astcard(['keydisk', 'create', card, '--size', '2M', '--json']);
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      size: 2 * 1024 * 1024,
      label: 'ASTKD',
      placement: 'card',
    });
    const refused = await astcard(['keydisk', 'create', card]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/already has a keydisk .* --force/),
    ]);

    const exported = join(dir, 'kd-exported.img');
    expect((await astcard(['keydisk', 'export', card, exported])).status).toBe(0);
    expect(spawnSync('e2fsck', ['-fn', exported]).status).toBe(0);
    expect(readFileSync(exported).equals(mtoolsRead(card, 'mbr', 'kd.img'))).toBe(true);

    const whole = join(dir, 'kd-whole.img');
    const raw = await astcard(['keydisk', 'create', whole, '--size', '1M']);
    expect(raw.status, raw.stderr).toBe(0);
    expect(spawnSync('e2fsck', ['-fn', whole]).status).toBe(0);
    const imported = await astcard(['keydisk', 'import', card, whole, '--force']);
    expect(imported.status, imported.stderr).toBe(0);
    expect(mtoolsRead(card, 'mbr', 'kd.img').equals(readFileSync(whole))).toBe(true);
    expect(inspectJson(card).keydisk).toMatchObject({ present: true, size: 1024 * 1024 });

    const fresh = join(dir, 'new-keydisk-card.img');
    const prepared = await astcard(['prepare', fresh, '--size', '32M', '--new-keydisk', '--json']);
    expect(prepared.status, prepared.stderr).toBe(0);
    expect(JSON.parse(prepared.stdout).keydisk).toBe(true);
    const onCard = join(dir, 'kd-from-prepare.img');
    writeFileSync(onCard, mtoolsRead(fresh, 'mbr', 'kd.img'));
    expect(spawnSync('e2fsck', ['-fn', onCard]).status).toBe(0);
  }, 90_000);
});
