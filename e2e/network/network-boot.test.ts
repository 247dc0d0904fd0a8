import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatIndex } from '../../shared/index.js';
import { buildAstlinuxImage, fixtureCache, projectRoot, sha1Line } from '../fixtures/astlinux-images.js';
import { type CardFile, loaderAssets, makeCard } from '../fixtures/make-card.js';
import { boot, type UserNetwork } from '../loader/qemu.js';
import { loaderLines, markerOf } from '../loader/serial-log.js';

const dir = join(fixtureCache, 'network');
const VOLUME_ID = '4E37-B007';
const BUSYBOX = join(projectRoot, '.cache/loader-stage/bin/busybox');
const OPTIONS = `astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff`;

let server: Server;
let httpPort = 0;
const images: Record<string, string> = {};

const image = (version: string) => `AstLinux-${version}.img`;

function sha1Of(file: string): string {
  return (sha1Line(file, 'x').split(' ')[0] ?? '').toLowerCase();
}

/** A published folder: images and astlinux.index; `corrupt` images are served altered after indexing. */
function publishFolder(folder: string, versions: Record<string, 'good' | 'corrupt'>): void {
  mkdirSync(folder, { recursive: true });
  const entries = Object.entries(versions).map(([version, state]) => {
    const file = images[version] ?? '';
    const served = join(folder, image(version));
    copyFileSync(file, served);
    if (state === 'corrupt') {
      const bytes = readFileSync(served);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
      writeFileSync(served, bytes);
    }
    return { name: image(version), sha1: sha1Of(file), size: statSync(file).size };
  });
  writeFileSync(join(folder, 'astlinux.index'), formatIndex(entries));
}

async function bootNetwork(name: string, append: string, cardFiles: CardFile[], network: UserNetwork) {
  const card = join(dir, `${name}.card`);
  makeCard(card, {
    layout: 'mbr',
    volumeId: VOLUME_ID,
    append: `${OPTIONS} ${append}`,
    files: cardFiles,
  });
  const result = await boot([{ file: card, interface: 'ide' }], 150_000, network);
  writeFileSync(join(dir, `${name}.log`), result.log);
  expect(result.timedOut, `${name} timed out; log in ${dir}/${name}.log`).toBe(false);
  const text = loaderLines(result.log).map((line) => line.text);
  return { result, text, marker: markerOf(result.log) };
}

const http = (): UserNetwork => ({
  forwards: [{ guestAddress: '10.0.2.100', port: 80, command: `${BUSYBOX} nc 127.0.0.1 ${httpPort}` }],
});

beforeAll(async () => {
  loaderAssets();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  images['0.4.0'] = buildAstlinuxImage({ version: '0.4.0', format: 'squashfs' }, join(dir, 'v040.img'));
  images['1.0.0'] = buildAstlinuxImage({ version: '1.0.0', format: 'squashfs' }, join(dir, 'v100.img'));
  images['1.1.0'] = buildAstlinuxImage({ version: '1.1.0', format: 'squashfs' }, join(dir, 'v110.img'));
  publishFolder(join(dir, 'www/pub'), { '1.0.0': 'good', '1.1.0': 'corrupt' });
  publishFolder(join(dir, 'tftp/pub'), { '1.0.0': 'good', '1.1.0': 'good' });
  server = createServer((request, response) => {
    const path = join(dir, 'www', (request.url ?? '/').replace(/\.\.+/g, ''));
    try {
      const body = readFileSync(path);
      response.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  httpPort = (server.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  if (dir)
    for (const file of readdirSync(dir)) if (file.endsWith('.card')) rmSync(join(dir, file), { force: true });
});

/**
 * The downloaded image's kernel and initrd ran after the jump. The test image's AstLinux-side initrd then
 * looks for the image on the card (it does not act on astlinux.from yet), so no marker: its own line counts.
 */
function secondKernelRan(log: string, name: string): boolean {
  const after = log.split('kexec_core: Starting new kernel')[1] ?? '';
  return after.includes('astlinux-initrd:') && after.includes(name);
}

const cardImage = (): CardFile[] => [
  { name: image('0.4.0'), from: images['0.4.0'] ?? '' },
  { name: `${image('0.4.0')}.sha1`, data: sha1Line(images['0.4.0'] ?? '', image('0.4.0')) },
];

describe.concurrent('network boots (QEMU, restrict=on)', () => {
  test('HTTP: a 404 source is skipped, a corrupt remote newest falls back to the older remote image', async () => {
    const run = await bootNetwork(
      'http',
      'astlinux.source=http://10.0.2.100/missing/,http://10.0.2.100/pub/',
      cardImage(),
      http(),
    );
    expect(run.text.some((line) => line.startsWith('network: eth0 '))).toBe(true);
    expect(run.text.some((line) => line.includes('/missing/: cannot fetch astlinux.index'))).toBe(true);
    expect(run.text).toContain(`${image('1.1.0')}: sha1 checksum mismatch, skipping [mismatch]`);
    expect(
      run.text.some((line) => line.startsWith(`kexec -e ${image('1.0.0')} from http://10.0.2.100/pub/`)),
      run.text.join('\n'),
    ).toBe(true);
    expect(secondKernelRan(run.result.log, image('1.0.0'))).toBe(true);
  });

  test('TFTP (QEMU built-in server): boots the newest remote image', async () => {
    const run = await bootNetwork('tftp', 'astlinux.source=tftp://10.0.2.2/pub/', cardImage(), {
      tftpRoot: join(dir, 'tftp'),
    });
    expect(
      run.text.some((line) => line.startsWith(`kexec -e ${image('1.1.0')} from tftp://10.0.2.2/pub/`)),
      run.text.join('\n'),
    ).toBe(true);
    expect(secondKernelRan(run.result.log, image('1.1.0'))).toBe(true);
  });

  test('a dead source falls back to the card images, which boot all the way to AstLinux', async () => {
    const run = await bootNetwork('dead', 'astlinux.source=http://10.0.2.100/missing/', cardImage(), http());
    expect(run.text.some((line) => line.includes('cannot fetch astlinux.index'))).toBe(true);
    expect(run.marker?.version, run.text.join('\n')).toBe('0.4.0');
    expect(run.marker?.cmdline).not.toContain('astlinux.from=');
  });
});
