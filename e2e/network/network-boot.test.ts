import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatIndex } from '../../shared/index.js';
import { buildAstlinuxImage, fixtureCache, projectRoot, sha1Line } from '../fixtures/astlinux-images.js';
import { type FtpServer, startFtpServer } from '../fixtures/ftp-server.js';
import { type CardFile, loaderAssets, makeCard } from '../fixtures/make-card.js';
import { type NfsServer, startNfsServer } from '../fixtures/nfs-server.js';
import { boot, type UserNetwork } from '../loader/qemu.js';
import { handoffOf, loaderLines, markerOf } from '../loader/serial-log.js';

const dir = join(fixtureCache, 'network');
const VOLUME_ID = '4E37-B007';
const BUSYBOX = join(projectRoot, '.cache/loader-stage/bin/busybox');
const OPTIONS = `astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff`;

let server: Server;
let httpPort = 0;
let ftp: FtpServer;
let nfs: NfsServer;
/** The passive data port the FTP server announces; QEMU forwards the guest's connections to it. */
const FTP_DATA_PORT = 2020;
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

async function bootNetwork(
  name: string,
  append: string,
  cardFiles: CardFile[],
  network: UserNetwork | undefined,
  until?: RegExp,
) {
  const card = join(dir, `${name}.card`);
  makeCard(card, {
    layout: 'mbr',
    volumeId: VOLUME_ID,
    append: `${OPTIONS} ${append}`,
    files: cardFiles,
  });
  const result = await boot([{ file: card, interface: 'ide' }], {
    timeoutMs: 150_000,
    ...(network ? { network } : {}),
    ...(until ? { until } : {}),
  });
  writeFileSync(join(dir, `${name}.log`), result.log);
  expect(result.timedOut, `${name} timed out; log in ${dir}/${name}.log`).toBe(false);
  const text = loaderLines(result.log).map((line) => line.text);
  return { result, text, marker: markerOf(result.log) };
}

const http = (): UserNetwork => ({
  forwards: [{ guestAddress: '10.0.2.100', port: 80, command: `${BUSYBOX} nc 127.0.0.1 ${httpPort}` }],
});

const ftpNetwork = (): UserNetwork => ({
  forwards: [
    { guestAddress: '10.0.2.100', port: 21, command: `${BUSYBOX} nc 127.0.0.1 ${ftp.controlPort}` },
    { guestAddress: '10.0.2.100', port: FTP_DATA_PORT, command: `${BUSYBOX} nc 127.0.0.1 ${ftp.dataPort}` },
  ],
});

beforeAll(async () => {
  loaderAssets();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  images['0.4.0'] = buildAstlinuxImage({ version: '0.4.0', format: 'squashfs' }, join(dir, 'v040.img'));
  images['1.0.0'] = buildAstlinuxImage({ version: '1.0.0', format: 'squashfs' }, join(dir, 'v100.img'));
  images['1.1.0'] = buildAstlinuxImage({ version: '1.1.0', format: 'squashfs' }, join(dir, 'v110.img'));
  publishFolder(join(dir, 'www/pub'), { '1.0.0': 'good', '1.1.0': 'corrupt' });
  publishFolder(join(dir, 'www/good'), { '1.0.0': 'good', '1.1.0': 'good' });
  publishFolder(join(dir, 'tftp/pub'), { '1.0.0': 'good', '1.1.0': 'good' });
  publishFolder(join(dir, 'ftp/pub'), { '1.0.0': 'good', '1.1.0': 'good' });
  ftp = await startFtpServer(join(dir, 'ftp'), FTP_DATA_PORT);
  publishFolder(join(dir, 'nfs/pub'), { '1.0.0': 'good', '1.1.0': 'good' });
  nfs = await startNfsServer(join(dir, 'nfs'), '/export', join(dir, 'ganesha'));
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
  await ftp?.close();
  await nfs?.close();
  if (dir)
    for (const file of readdirSync(dir)) if (file.endsWith('.card')) rmSync(join(dir, file), { force: true });
});

/**
 * The image's own initrd fetched the image again from astlinux.from (the loader's copy is gone after the
 * jump), checked it against astlinux.digest and booted it: the test image's marker proves which one runs.
 */
function bootedFromNetwork(log: string, version: string, from: string, withCard = true): void {
  const marker = markerOf(log);
  expect(marker?.version, log.slice(-3000)).toBe(version);
  const handoff = handoffOf(marker?.cmdline ?? '');
  expect(handoff.from).toBe(`${from}${image(version)}`);
  expect(handoff.digest).toBe(`sha1:${sha1Of(images[version] ?? '')}`);
  expect(log).toContain(`astlinux-initrd: root is ${image(version)} from ${from}${image(version)}`);
  // The card is still found and mounted: it holds the keydisk and is where upgrades go.
  expect(marker?.mounts.some((mount) => mount.startsWith('/mnt/card vfat /dev/sda1 ro'))).toBe(withCard);
}

const cardImage = (): CardFile[] => [
  { name: image('0.4.0'), from: images['0.4.0'] ?? '' },
  { name: `${image('0.4.0')}.sha1`, data: sha1Line(images['0.4.0'] ?? '', image('0.4.0')) },
];

// Above the longest QEMU timeout used here (150 s), so a slow boot fails with its log, not the test's timeout.
describe.concurrent('network boots (QEMU, restrict=on)', { timeout: 180_000 }, () => {
  test('HTTP: boots the newest remote image', async () => {
    const run = await bootNetwork(
      'http-newest',
      'astlinux.source=http://10.0.2.100/good/',
      cardImage(),
      http(),
    );
    expect(
      run.text.some((line) => line.startsWith(`kexec -e ${image('1.1.0')} from http://10.0.2.100/good/`)),
      run.text.join('\n'),
    ).toBe(true);
    bootedFromNetwork(run.result.log, '1.1.0', 'http://10.0.2.100/good/');
  });

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
    bootedFromNetwork(run.result.log, '1.0.0', 'http://10.0.2.100/pub/');
  });

  test('TFTP (QEMU built-in server): boots the newest remote image', async () => {
    const run = await bootNetwork('tftp', 'astlinux.source=tftp://10.0.2.2/pub/', cardImage(), {
      tftpRoot: join(dir, 'tftp'),
    });
    expect(
      run.text.some((line) => line.startsWith(`kexec -e ${image('1.1.0')} from tftp://10.0.2.2/pub/`)),
      run.text.join('\n'),
    ).toBe(true);
    bootedFromNetwork(run.result.log, '1.1.0', 'tftp://10.0.2.2/pub/');
  });

  test('FTP with a static address: boots the newest remote image, AstLinux gets the same address', async () => {
    const run = await bootNetwork(
      'ftp',
      'astlinux.ip=10.0.2.30/24,10.0.2.2 astlinux.source=ftp://10.0.2.100/pub/',
      cardImage(),
      ftpNetwork(),
    );
    expect(run.text).toContain('network: eth0 10.0.2.30/24 via 10.0.2.2 (static)');
    expect(
      run.text.some((line) => line.startsWith(`kexec -e ${image('1.1.0')} from ftp://10.0.2.100/pub/`)),
      run.text.join('\n'),
    ).toBe(true);
    bootedFromNetwork(run.result.log, '1.1.0', 'ftp://10.0.2.100/pub/');
    expect(handoffOf(run.marker?.cmdline ?? '').ip).toBe('10.0.2.30/24,10.0.2.2');
    // Downloaded twice: by the loader, and again by the AstLinux initrd.
    expect(ftp.commands.filter((command) => command.endsWith(image('1.1.0'))).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  test('NFS (NFS-Ganesha, NFSv4 over TCP): boots the newest remote image', async () => {
    const run = await bootNetwork('nfs', 'astlinux.source=nfs://10.0.2.100/export/pub/', cardImage(), {
      forwards: [{ guestAddress: '10.0.2.100', port: 2049, command: `${BUSYBOX} nc 127.0.0.1 ${nfs.port}` }],
    });
    expect(
      run.text.some((line) =>
        line.startsWith(`kexec -e ${image('1.1.0')} from nfs://10.0.2.100/export/pub/`),
      ),
      `${run.text.join('\n')}\n${nfs.log().slice(-2000)}`,
    ).toBe(true);
    bootedFromNetwork(run.result.log, '1.1.0', 'nfs://10.0.2.100/export/pub/');
  });

  test('no card at all (the loader started directly, as over PXE): the network source still boots', async () => {
    const { bzImage, initramfs } = loaderAssets();
    const append =
      'console=ttyS0,115200 panic=5 astlinux.wait=2 astlinux.onfail=poweroff astlinux.source=http://10.0.2.100/good/';
    const result = await boot([], {
      timeoutMs: 150_000,
      network: http(),
      kernel: { bzImage, initrd: initramfs, append },
    });
    writeFileSync(join(dir, 'no-card.log'), result.log);
    expect(result.timedOut, `timed out; log in ${dir}/no-card.log`).toBe(false);
    const text = loaderLines(result.log).map((line) => line.text);
    expect(
      text.some(
        (line) =>
          line.startsWith('no card found after 2s') && line.endsWith('trying the network sources only'),
      ),
    ).toBe(true);
    expect(
      text.some((line) => line.startsWith(`kexec -e ${image('1.1.0')} from http://10.0.2.100/good/`)),
      text.join('\n'),
    ).toBe(true);
    bootedFromNetwork(result.log, '1.1.0', 'http://10.0.2.100/good/', false);
    expect(handoffOf(markerOf(result.log)?.cmdline ?? '').card).toBeUndefined();
  });

  test('no network and no card images: the rescue summary names both, then the rescue shell', async () => {
    const run = await bootNetwork(
      'rescue',
      'astlinux.source=http://10.0.2.100/pub/ astlinux.onfail=shell',
      [],
      undefined,
      /rescue shell \(/,
    );
    expect(run.text).toContain('network: no network interface (no network card, or no driver for it)');
    expect(run.text).toContain(
      'FAILED: nothing bootable: http://10.0.2.100/pub/ (no network), no AstLinux image on the card',
    );
    expect(run.text.some((line) => line.startsWith('rescue shell ('))).toBe(true);
    expect(run.marker).toBeNull();
  });

  test('a dead source falls back to the card images, which boot all the way to AstLinux', async () => {
    const run = await bootNetwork('dead', 'astlinux.source=http://10.0.2.100/missing/', cardImage(), http());
    expect(run.text.some((line) => line.includes('cannot fetch astlinux.index'))).toBe(true);
    expect(run.marker?.version, run.text.join('\n')).toBe('0.4.0');
    expect(run.marker?.cmdline).not.toContain('astlinux.from=');
  });
});
