// Cards made by `astcard prepare` booted by UEFI firmware (Debian's OVMF under QEMU, Secure Boot off):
// OVMF starts EFI/BOOT/BOOTX64.EFI (syslinux.efi), which reads EFI/BOOT/syslinux.cfg and starts the loader;
// the loader kexecs the AstLinux image's kernel, which must still find the firmware's ACPI tables (it
// powers the machine off through them: QEMU exits by itself only then).
//
// Six boots, each proving several things:
//   card A, MBR FAT32 (a sparse 2.1 GB image, the size at which prepare chooses FAT32):
//     1. SATA (AHCI): the newest image boots; the loader and the AstLinux kernel both run on UEFI;
//     2. USB: after `astcard add` of a newer image that is then corrupted on the card, the previous one;
//     3. IDE: after `astcard loader update`, through the new loader (slot b);
//     4. IDE: `previous` typed at the UEFI boot prompt boots the old loader (slot a);
//   card B, superfloppy FAT16, virtio:
//     5. after `astcard source set`, the loader (UEFI-started) brings the network up, fetches the source's
//        index, downloads and rejects its corrupt image, then boots the card's newest image;
//   6. BIOS, card A after the loader update: the same card still boots on SeaBIOS.
// Needs `npm run build:loader` and `npm run build:syslinux` first, and the ovmf package.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ASTCARD_CLI } from '../../scripts/lib/cli-bundle.mjs';
import { formatIndex } from '../../shared/remote-source.js';
import { buildAstlinuxImage, fixtureCache, projectRoot, sha1Line } from '../fixtures/astlinux-images.js';
import { loaderAssets } from '../fixtures/make-card.js';
import { type BootOptions, boot, type Disk, OVMF } from '../loader/qemu.js';
import { handoffOf, loaderLines, markerOf } from '../loader/serial-log.js';

const dir = join(fixtureCache, 'uefi');
const cardA = join(dir, 'card-a.img');
const cardB = join(dir, 'card-b.img');
const BUSYBOX = join(projectRoot, '.cache/loader-stage/bin/busybox');
const image = (version: string) => `AstLinux-${version}.img`;
const images: Record<string, string> = {};
let volumeA = '';
let volumeB = '';
let server: Server | undefined;
let httpPort = 0;

/** A sparse copy of card A (2.1 GB, nearly all holes) for one test to change. */
function copyOfCardA(name: string): string {
  const copy = join(dir, `card-a-${name}.img`);
  execFileSync('cp', ['--sparse=always', cardA, copy]);
  copies.push(copy);
  return copy;
}
const copies: string[] = [];

function astcard(...args: string[]): string {
  const run = spawnSync(process.execPath, [ASTCARD_CLI, ...args], {
    encoding: 'utf8',
  });
  if (run.status !== 0)
    throw new Error(`astcard ${args.join(' ')} failed (${run.status}): ${run.stderr}${run.stdout}`);
  return run.stdout;
}

interface Booted {
  log: string;
  lines: string[];
  marker: ReturnType<typeof markerOf>;
  exitCode: number | null;
}

async function bootCard(name: string, disk: Disk, options: BootOptions = {}): Promise<Booted> {
  const result = await boot([disk], { firmware: 'uefi', timeoutMs: 240_000, ...options });
  writeFileSync(join(dir, `${name}.log`), result.log);
  expect(result.timedOut, `${name} timed out; log in ${dir}/${name}.log`).toBe(false);
  return {
    log: result.log,
    lines: loaderLines(result.log).map((line) => line.text),
    marker: markerOf(result.log),
    exitCode: result.exitCode,
  };
}

/** What every UEFI boot of an astcard card shows, whichever image it ends in. */
function expectUefiChain(run: Booted, kernel: string, initrd: string): void {
  // OVMF started the card's removable-media boot program, and syslinux.efi read the UEFI menu: the kernel's
  // command line names the files with the absolute paths only EFI/BOOT/syslinux.cfg uses.
  expect(run.log).toMatch(/BdsDxe: starting Boot\d+ "UEFI /);
  const commandLine = /Command line: (BOOT_IMAGE=.*)/.exec(run.log)?.[1] ?? '';
  expect(commandLine.split(' ')).toEqual(
    expect.arrayContaining([`BOOT_IMAGE=/${kernel}`, `initrd=/${initrd}`]),
  );
  // The loader's kernel was handed the UEFI system table, and the loader says it runs on UEFI.
  expect(run.log).toMatch(/efi: EFI v[\d.]+ by EDK II/);
  expect(
    run.lines.some((line) => /^loader \S+ starting \(UEFI\)$/.test(line)),
    run.lines.join('\n'),
  ).toBe(true);
  // The AstLinux kernel powered the machine off through ACPI: without the firmware's tables it would halt
  // instead, and QEMU would still be running at the timeout.
  expect(run.log).toContain('reboot: Power down');
  expect(run.exitCode).toBe(0);
}

function corruptOnCard(version: string, offsetArg: string): void {
  const damaged = join(dir, 'damaged', image(version));
  mkdirSync(join(dir, 'damaged'), { recursive: true });
  const bytes = readFileSync(images[version] ?? '');
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x40;
  writeFileSync(damaged, bytes);
  execFileSync('mcopy', ['-o', '-i', offsetArg, damaged, `::/${image(version)}`]);
}

beforeAll(async () => {
  loaderAssets();
  for (const file of [OVMF.code, OVMF.vars])
    if (!existsSync(file)) throw new Error(`${file} is missing: install Debian's ovmf package`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'images'), { recursive: true });
  for (const [version, format] of [
    ['0.4.0', 'squashfs'],
    ['0.4.1', 'ext2'],
    ['0.10.0', 'squashfs'],
  ] as const)
    images[version] = buildAstlinuxImage({ version, format }, join(dir, 'images', image(version)));

  const prepared = (card: string, size: string, layout: string, versions: string[]) =>
    JSON.parse(
      astcard(
        'prepare',
        card,
        '--size',
        size,
        '--layout',
        layout,
        '--json',
        ...versions.flatMap((version) => ['--image', images[version] ?? '']),
        '--console',
        'ttyS0,115200',
        '--onfail',
        'poweroff',
      ),
    );
  const a = prepared(cardA, '2100M', 'mbr', ['0.4.0', '0.4.1']);
  expect(a).toMatchObject({ layout: 'mbr', fatType: 32 });
  volumeA = a.serial;
  const b = prepared(cardB, '96M', 'superfloppy', ['0.4.0', '0.4.1']);
  expect(b).toMatchObject({ layout: 'superfloppy', fatType: 16 });
  volumeB = b.serial;
  // The 2.1 GB card stays sparse: the test machine's disk holds only what was written.
  expect(statSync(cardA).blocks * 512).toBeLessThan(200 * 1024 * 1024);

  // A source whose index is right but whose image was damaged after indexing.
  const www = join(dir, 'www', 'pub');
  mkdirSync(www, { recursive: true });
  const served = join(www, image('0.10.0'));
  copyFileSync(images['0.10.0'] ?? '', served);
  const bytes = readFileSync(served);
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
  writeFileSync(served, bytes);
  const sha1 = sha1Line(images['0.10.0'] ?? '', image('0.10.0')).split(' ')[0] ?? '';
  writeFileSync(
    join(www, 'astlinux.index'),
    formatIndex([{ name: image('0.10.0'), sha1, size: bytes.length }]),
  );
  server = createServer((request, response) => {
    const path = join(dir, 'www', (request.url ?? '/').replace(/\.\.+/g, ''));
    try {
      const body = readFileSync(path);
      response.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  httpPort = (server.address() as AddressInfo).port;
}, 600_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  for (const card of [cardA, cardB, ...copies]) rmSync(card, { force: true });
});

describe.concurrent('UEFI boots of cards made by astcard (QEMU + OVMF)', () => {
  // Card A's three stories each on their own (sparse) copy of it, so their boots share the two QEMU slots.
  test('MBR FAT32 (IDE): after a loader update, the new loader, the previous one by name, and BIOS', async () => {
    const card = copyOfCardA('ide');
    const updated = JSON.parse(astcard('loader', 'update', card, '--force', '--json'));
    expect(updated).toMatchObject({ kernel: 'bzImage-b', fallback: { kernel: 'bzImage' } });
    const report = JSON.parse(astcard('inspect', card, '--quick', '--json'));
    expect(report.firmware).toEqual({ bios: true, uefi: true });
    expect(report.efi).toMatchObject({ config: 'same', shipped: null });

    const [third, fourth] = await Promise.all([
      // Both at once, each on a copy-on-write view of the card.
      bootCard('a3-updated', { file: card, interface: 'ide', snapshot: true }),
      // The old loader is still there to choose: typed at syslinux.efi's prompt.
      bootCard(
        'a4-previous',
        { file: card, interface: 'ide', snapshot: true },
        { keys: [{ after: /boot: *$/, text: 'previous\r' }] },
      ),
    ]);
    expectUefiChain(third, 'bzImage-b', 'loader-b.img');
    expect(third.marker?.version).toBe('0.4.1');
    expect(handoffOf(third.marker?.cmdline ?? '').card).toBe(volumeA);
    expectUefiChain(fourth, 'bzImage', 'loader.img');
    expect(fourth.log).toMatch(/boot: *previous/);
    expect(fourth.marker?.version).toBe('0.4.1');

    // And SeaBIOS still boots the same card through /syslinux.cfg, relative paths, no prompt.
    const bios = await bootCard('a5-bios', { file: card, interface: 'ide' }, { firmware: 'bios' });
    expect(bios.log).toMatch(/Command line: BOOT_IMAGE=bzImage-b .*initrd=loader-b\.img/);
    expect(bios.lines.some((line) => /^loader \S+ starting \(BIOS\)$/.test(line))).toBe(true);
    expect(bios.marker?.version).toBe('0.4.1');
  }, 1_500_000);

  test('MBR FAT32 (SATA): boots the newest, with the handoff', async () => {
    const first = await bootCard('a1-sata', { file: copyOfCardA('sata'), interface: 'sata' });
    expectUefiChain(first, 'bzImage', 'loader.img');
    expect(first.marker?.version).toBe('0.4.1');
    const handoff = handoffOf(first.marker?.cmdline ?? '');
    expect(handoff.card).toBe(volumeA);
    expect(handoff.image).toBe(image('0.4.1'));
    expect(handoff.digest).toBe(`sha1:${sha1Line(images['0.4.1'] ?? '', 'x').split(' ')[0]}`);
  }, 900_000);

  test('MBR FAT32 (USB): a newer image added, then corrupted: the previous one boots', async () => {
    const card = copyOfCardA('usb');
    astcard('add', card, images['0.10.0'] ?? '');
    corruptOnCard('0.10.0', `${card}@@1M`);
    const second = await bootCard('a2-usb', { file: card, interface: 'usb' });
    expectUefiChain(second, 'bzImage', 'loader.img');
    expect(second.lines).toContain(`${image('0.10.0')}: sha1 checksum mismatch, skipping [mismatch]`);
    expect(second.marker?.version).toBe('0.4.1');
  }, 900_000);

  test('superfloppy FAT16 (virtio): network sources from a UEFI-started loader, then the card’s newest', async () => {
    astcard('source', 'set', cardB, 'http://10.0.2.100/pub/');
    const run = await bootCard(
      'b1-network',
      { file: cardB, interface: 'virtio' },
      {
        network: {
          forwards: [
            { guestAddress: '10.0.2.100', port: 80, command: `${BUSYBOX} nc 127.0.0.1 ${httpPort}` },
          ],
        },
      },
    );
    expectUefiChain(run, 'bzImage', 'loader.img');
    expect(
      run.lines.some((line) => line.startsWith('network: eth0 ')),
      run.lines.join('\n'),
    ).toBe(true);
    expect(run.lines).toContain(`${image('0.10.0')}: sha1 checksum mismatch, skipping [mismatch]`);
    expect(run.lines).toContain(`download http://10.0.2.100/pub/${image('0.10.0')}`);
    expect(run.marker?.version).toBe('0.4.1');
    const handoff = handoffOf(run.marker?.cmdline ?? '');
    expect(handoff.card).toBe(volumeB);
    expect(handoff.from).toBeUndefined();
    expect(run.marker?.mounts.some((mount) => mount.startsWith('/mnt/card vfat /dev/vda ro'))).toBe(true);
  }, 900_000);
});
