// Runs the loader's real init with network sources (loader/network.sh) outside a VM, side effects mocked
// (see e2e/loader/init-harness.ts). The downloads are real: an HTTP server in this process serves a
// published folder (images, astlinux.index) on 127.0.0.1, and the boot plan is the real bundle under mujs.
// QEMU network boots are in network-boot.test.ts.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatIndex } from '../../shared/index.js';
import { fixtureCache, projectRoot } from '../fixtures/astlinux-images.js';
import { BUSYBOX, jumped, kexecLoads, makeFakeRoot, runInit } from '../loader/init-harness.js';

const base = join(fixtureCache, 'init-network');
const PLAN_BUNDLE = join(base, 'astcard-plan.js');

/** What the HTTP server serves: path → bytes. Each test publishes its own folder. */
const served = new Map<string, Buffer>();
let server: Server;
let port = 0;

beforeAll(async () => {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: run npm run build:loader first`);
  // Our own bundle from the current sources: the shared dist/ one may predate the plan's index command.
  mkdirSync(base, { recursive: true });
  execFileSync(process.execPath, ['scripts/build-shared-es5.mjs', '--out', PLAN_BUNDLE], {
    cwd: projectRoot,
    stdio: 'pipe',
  });
  server = createServer((request, response) => {
    const body = served.get(request.url ?? '');
    if (!body) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

type RemoteState = 'good' | 'corrupt' | 'short';

/** Publishes images under /<folder>/ with an index whose digests and sizes describe the good contents. */
function publish(folder: string, images: Record<string, RemoteState>): string {
  const entries = Object.entries(images).map(([name, state]) => {
    const good = Buffer.from(`remote ${name} `.repeat(1000));
    const sha1 = createHash('sha1').update(good).digest('hex');
    const body =
      state === 'corrupt'
        ? Buffer.from(good.toString().toUpperCase())
        : state === 'short'
          ? good.subarray(0, 100)
          : good;
    served.set(`/${folder}/${name}`, body);
    return { name, sha1, size: good.length };
  });
  served.set(`/${folder}/astlinux.index`, Buffer.from(formatIndex(entries)));
  return `http://127.0.0.1:${port}/${folder}/`;
}

function makeRoot(name: string, cardImages: string[], cmdline: string, memAvailableKb = 400_000): string {
  const images = Object.fromEntries(cardImages.map((image) => [image, 'good' as const]));
  return makeFakeRoot(join(base, name), {
    cmdline,
    planBundle: PLAN_BUNDLE,
    images,
    network: true,
    memAvailableKb,
  });
}

describe('loader init with network sources, side effects mocked, downloads real', () => {
  test('boots the newest remote image and tells AstLinux where it came from', async () => {
    const url = publish('newest', { 'AstLinux-1.0.0.img': 'good', 'AstLinux-1.1.0.img': 'good' });
    const root = makeRoot('newest', ['AstLinux-2.0.0.img'], `console=ttyS0 astlinux.source=${url}`);
    const story = await runInit(root);
    const loads = kexecLoads(story);
    expect(loads, story.said.join('\n')).toHaveLength(1);
    expect(loads[0]).toContain(`astlinux.from=${url}AstLinux-1.1.0.img`);
    expect(loads[0]).toContain('astlinux.image=AstLinux-1.1.0.img');
    expect(jumped(story)).toBe(true);
    expect(story.actions).toContain('udhcpc -i eth0 -t 5 -T 1 -n -q -s /run/astcard/udhcpc.script');
    // The downloaded image really is the served one.
    const downloaded = readFileSync(join(root, 'run/astcard/net1/AstLinux-1.1.0.img'));
    expect(downloaded.equals(served.get('/newest/AstLinux-1.1.0.img') as Buffer)).toBe(true);
  });

  test('a corrupt remote newest falls back to the older remote image', async () => {
    const url = publish('corrupt', { 'AstLinux-1.0.0.img': 'good', 'AstLinux-1.1.0.img': 'corrupt' });
    const root = makeRoot('corrupt', ['AstLinux-2.0.0.img'], `astlinux.source=${url}`);
    const story = await runInit(root);
    const loads = kexecLoads(story);
    expect(loads, story.said.join('\n')).toHaveLength(1);
    expect(loads[0]).toContain(`astlinux.from=${url}AstLinux-1.0.0.img`);
    expect(story.said).toContain('AstLinux-1.1.0.img: sha1 checksum mismatch, skipping [mismatch]');
  });

  test('a truncated download is one line and the next candidate', async () => {
    const url = publish('short', { 'AstLinux-1.0.0.img': 'good', 'AstLinux-1.1.0.img': 'short' });
    const root = makeRoot('short', ['AstLinux-0.1.0.img'], `astlinux.source=${url}`);
    const story = await runInit(root);
    const full = Buffer.byteLength('remote AstLinux-1.1.0.img '.repeat(1000));
    expect(story.said).toContain(`AstLinux-1.1.0.img: downloaded 100 of ${full} bytes, skipping [truncated]`);
    expect(kexecLoads(story)[0]).toContain(`astlinux.from=${url}AstLinux-1.0.0.img`);
  });

  test('a dead source, then a 404 source, fall back to the card images', async () => {
    const dead = 'http://127.0.0.1:9/gone/';
    const missing = `http://127.0.0.1:${port}/nothing-here/`;
    const root = makeRoot('dead', ['AstLinux-2.0.0.img'], `astlinux.source=${dead},${missing}`);
    const story = await runInit(root);
    const lines = story.said.filter((line) => line.includes('cannot fetch astlinux.index'));
    expect(lines, story.said.join('\n')).toHaveLength(2);
    const loads = kexecLoads(story);
    expect(loads).toHaveLength(1);
    expect(loads[0]).toContain('astlinux.image=AstLinux-2.0.0.img');
    expect(loads[0]).not.toContain('astlinux.from=');
  });

  test('not enough RAM for the image: refused before downloading, the card boots', async () => {
    const url = publish('ram', { 'AstLinux-1.1.0.img': 'good' });
    const root = makeRoot('ram', ['AstLinux-2.0.0.img'], `astlinux.source=${url}`, 20_000);
    const story = await runInit(root);
    expect(
      story.said.some((line) => line.includes('[no-memory]')),
      story.said.join('\n'),
    ).toBe(true);
    expect(existsSync(join(root, 'run/astcard/net1/AstLinux-1.1.0.img'))).toBe(false);
    expect(kexecLoads(story)[0]).toContain('astlinux.image=AstLinux-2.0.0.img');
  });

  test('no DHCP lease: one line, the card boots', async () => {
    const url = publish('nolease', { 'AstLinux-1.1.0.img': 'good' });
    const root = makeRoot('nolease', ['AstLinux-2.0.0.img'], `astlinux.source=${url}`);
    const story = await runInit(root, { MOCK_NO_LEASE: '1' });
    expect(story.said).toContain('network: no DHCP lease on eth0 (no DHCP server answered)');
    expect(kexecLoads(story)[0]).toContain('astlinux.image=AstLinux-2.0.0.img');
  });

  test('a static address replaces DHCP and is handed on to AstLinux', async () => {
    const url = publish('static', { 'AstLinux-1.1.0.img': 'good' });
    const root = makeRoot(
      'static',
      ['AstLinux-2.0.0.img'],
      `astlinux.ip=192.168.7.20/24,192.168.7.1,192.168.7.53 astlinux.source=${url}`,
    );
    const story = await runInit(root);
    expect(story.actions).toContain('ip addr add 192.168.7.20/24 dev eth0');
    expect(story.actions).toContain('ip route add default via 192.168.7.1 dev eth0');
    expect(story.actions.some((action) => action.startsWith('udhcpc'))).toBe(false);
    expect(readFileSync(join(root, 'etc/resolv.conf'), 'utf8')).toBe('nameserver 192.168.7.53\n');
    expect(story.said).toContain('network: eth0 192.168.7.20/24 via 192.168.7.1 (static)');
    const loads = kexecLoads(story);
    expect(loads, story.said.join('\n')).toHaveLength(1);
    expect(loads[0]).toContain(
      `astlinux.from=${url}AstLinux-1.1.0.img astlinux.ip=192.168.7.20/24,192.168.7.1,192.168.7.53`,
    );
  });

  test('a bad static address is reported and DHCP is used instead', async () => {
    const url = publish('badstatic', { 'AstLinux-1.1.0.img': 'good' });
    const root = makeRoot(
      'badstatic',
      ['AstLinux-0.1.0.img'],
      `astlinux.ip=192.168.7.300/24 astlinux.source=${url}`,
    );
    const story = await runInit(root);
    expect(
      story.said.some((line) => line.startsWith('option astlinux.ip=192.168.7.300/24: expected an IPv4')),
    ).toBe(true);
    expect(story.actions.some((action) => action.startsWith('udhcpc -i eth0'))).toBe(true);
    expect(kexecLoads(story)[0]).not.toContain('astlinux.ip=');
  });

  test('no card found: the network sources still boot', async () => {
    const url = publish('nocard', { 'AstLinux-1.1.0.img': 'good' });
    const root = makeRoot('nocard', [], `astlinux.wait=1 astlinux.source=${url}`);
    rmSync(join(root, 'sys/class/block/sda1'), { recursive: true });
    const story = await runInit(root);
    expect(
      story.said.some(
        (line) =>
          line.startsWith('no card found after 1s') && line.endsWith('trying the network sources only'),
      ),
    ).toBe(true);
    const loads = kexecLoads(story);
    expect(loads, story.said.join('\n')).toHaveLength(1);
    expect(loads[0]).toContain(`astlinux.from=${url}AstLinux-1.1.0.img`);
    expect(loads[0]).not.toContain('astlinux.card=');
  });

  test('no card found and the network fails: one summary names both', async () => {
    const root = makeRoot(
      'nocardnonet',
      [],
      'astlinux.wait=1 astlinux.source=http://127.0.0.1:9/gone/ astlinux.onfail=poweroff',
    );
    rmSync(join(root, 'sys/class/block/sda1'), { recursive: true });
    const story = await runInit(root);
    const failed = story.said.find((line) => line.startsWith('FAILED: nothing bootable'));
    expect(failed, story.said.join('\n')).toMatch(
      /^FAILED: nothing bootable: no card found after 1s .*, http:\/\/127\.0\.0\.1:9\/gone\/ \(no index\)$/,
    );
    expect(story.actions).toContain('poweroff -f');
    expect(kexecLoads(story)).toHaveLength(0);
  });

  test('card=no: a dead source gives the failure summary, the card images are not booted', async () => {
    const root = makeRoot(
      'cardno',
      ['AstLinux-2.0.0.img'],
      'astlinux.source=http://127.0.0.1:9/gone/,card=no',
    );
    const story = await runInit(root);
    expect(kexecLoads(story)).toHaveLength(0);
    const failed = story.said.find((line) => line.startsWith('FAILED: nothing bootable'));
    expect(failed, story.said.join('\n')).toContain('card=no');
  });

  test('`card` in the list is tried where it stands: before the sources after it', async () => {
    const url = publish('aftercard', { 'AstLinux-9.0.0.img': 'good' });
    const root = makeRoot(
      'aftercard',
      ['AstLinux-2.0.0.img'],
      `astlinux.source=http://127.0.0.1:9/gone/,card,${url}`,
    );
    const story = await runInit(root);
    expect(story.said.some((line) => line.includes('/gone/: cannot fetch astlinux.index'))).toBe(true);
    expect(story.said.some((line) => line.startsWith('== source') && line.includes('aftercard'))).toBe(false);
    const loads = kexecLoads(story);
    expect(loads, story.said.join('\n')).toHaveLength(1);
    expect(loads[0]).toContain('astlinux.image=AstLinux-2.0.0.img');
  });

  test('without astlinux.source the network file is never read', async () => {
    const root = makeRoot('cardonly', ['AstLinux-2.0.0.img'], 'console=ttyS0');
    rmSync(join(root, 'usr/share/astcard/network.sh'));
    writeFileSync(join(root, 'usr/share/astcard/network.sh'), 'echo NETWORK-SOURCED; exit 9\n');
    const story = await runInit(root);
    expect(story.said.some((line) => line.includes('network'))).toBe(false);
    expect(kexecLoads(story)[0]).toContain('astlinux.image=AstLinux-2.0.0.img');
  });
});
