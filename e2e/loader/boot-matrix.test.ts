// Boots real card images under QEMU: SYSLINUX → the loader (Debian kernel + our initramfs) → the newest
// verified AstLinux image via kexec → the image's reference initrd → its /sbin/init, which prints a marker.
// Needs `npm run build:loader` first (assets/loader/), root (loop devices are not needed: mtools + mke2fs -d),
// and qemu-system-x86, syslinux, mtools, dosfstools, e2fsprogs, squashfs-tools.

import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inspectImageFile } from '../../test/core/card/card-fixtures.js';
import { buildAstlinuxImage, buildKeydisk, fixtureCache, sha1Line } from '../fixtures/astlinux-images.js';
import { type CardFile, type CardSpec, loaderAssets, makeCard, readCardFile } from '../fixtures/make-card.js';
import { boot, type Disk } from './qemu.js';
import { handoffOf, loaderLines, markerOf } from './serial-log.js';

const dir = join(fixtureCache, 'matrix');
const VOLUME_ID = '2A7C-51E3';
// Two boots share the machine's two cores; a boot alone takes 30–60 s under TCG.
const BOOT_TIMEOUT_MS = 150_000;

const KEYDISK_ID = `KD-${process.pid}-${Date.now()}`;
const LABELLED_KEYDISK_ID = `ASTKD-${process.pid}`;

interface Images {
  v040: string;
  v041: string;
  v0100: string;
  noKernel: string;
  keydisk: string;
  labelledKeydisk: string;
}
let images: Images;

const image = (version: string) => `AstLinux-${version}.img`;

/** An image and its correct sidecar, as `prepare` would write them. */
function good(version: string, file: string): CardFile[] {
  return [
    { name: image(version), from: file },
    { name: `${image(version)}.sha1`, data: sha1Line(file, image(version)) },
  ];
}

function variant(name: string, make: (file: string) => void, from: string): string {
  const file = join(dir, name);
  copyFileSync(from, file);
  make(file);
  return file;
}

interface Scenario {
  card: Omit<CardSpec, 'volumeId'>;
  disks?: (card: string) => Disk[];
}

async function bootScenario(name: string, scenario: Scenario) {
  const card = join(dir, `${name}.card`);
  makeCard(card, { ...scenario.card, volumeId: VOLUME_ID });
  const disks = scenario.disks?.(card) ?? [{ file: card, interface: 'ide' }];
  const result = await boot(disks, { timeoutMs: BOOT_TIMEOUT_MS });
  writeFileSync(join(dir, `${name}.log`), result.log);
  expect(result.timedOut, `${name} timed out; log in ${dir}/${name}.log`).toBe(false);
  const lines = loaderLines(result.log);
  // Every decision is one stamped line; the stamps never go backwards.
  expect(lines.length).toBeGreaterThan(5);
  for (let i = 1; i < lines.length; i++) expect(lines[i]?.at).toBeGreaterThanOrEqual(lines[i - 1]?.at ?? 0);
  return { card, result, lines, text: lines.map((line) => line.text), marker: markerOf(result.log) };
}

const OPTIONS = `astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff`;

beforeAll(() => {
  loaderAssets();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  images = {
    v040: buildAstlinuxImage({ version: '0.4.0', format: 'ext2' }, join(dir, 'v040.img')),
    v041: buildAstlinuxImage({ version: '0.4.1', format: 'squashfs' }, join(dir, 'v041.img')),
    v0100: buildAstlinuxImage({ version: '0.10.0', format: 'ext2' }, join(dir, 'v0100.img')),
    noKernel: buildAstlinuxImage(
      { version: '0.11.0', format: 'squashfs', kernel: false },
      join(dir, 'nokernel.img'),
    ),
    keydisk: buildKeydisk(join(dir, 'kd.img'), KEYDISK_ID, 'KDFILE'),
    labelledKeydisk: buildKeydisk(join(dir, 'astkd.img'), LABELLED_KEYDISK_ID, 'ASTKD'),
  };
});

afterAll(() => {
  // Card images are 64 MiB each; keep only the logs for a post-mortem.
  for (const file of readdirSync(dir)) if (file.endsWith('.card')) rmSync(join(dir, file), { force: true });
});

describe.concurrent('loader boot matrix (QEMU)', { timeout: BOOT_TIMEOUT_MS + 30_000 }, () => {
  test('boots the newest of 0.4.0, 0.4.1 and 0.10.0 (MBR, IDE) and hands over image, card, digest and keydisk', async () => {
    const run = await bootScenario('newest', {
      card: {
        layout: 'mbr',
        append: OPTIONS,
        files: [
          ...good('0.4.0', images.v040),
          ...good('0.4.1', images.v041),
          ...good('0.10.0', images.v0100),
          { name: 'kd.img', from: images.keydisk },
        ],
      },
    });
    expect(run.marker?.version).toBe('0.10.0');
    const handoff = handoffOf(run.marker?.cmdline ?? '');
    expect(handoff.image).toBe(image('0.10.0'));
    expect(handoff.card).toBe(VOLUME_ID);
    expect(handoff.digest).toBe(`sha1:${sha1Line(images.v0100, '').split(' ')[0]}`);
    expect(handoff.keydisk).toBe('card:/kd.img');
    expect(handoff.loader).toMatch(/^\d+\.\d+\.\d+/);
    // The image's own /boot/cmdline comes first, the handoff after it.
    expect(run.marker?.cmdline.startsWith('console=ttyS0,115200 panic=5')).toBe(true);
    expect(run.marker?.keydiskId).toBe(KEYDISK_ID);
    expect(run.marker?.mounts.some((mount) => mount.startsWith('/ overlay'))).toBe(true);
    expect(run.marker?.mounts.some((mount) => mount.startsWith('/mnt/kd ext2'))).toBe(true);
    expect(run.text.some((line) => line.startsWith(`kexec -e ${image('0.10.0')}`))).toBe(true);
    // Only the newest was hashed: older images are not touched when the newest is good.
    expect(run.text.filter((line) => line.startsWith('verify ')).length).toBe(1);
    // The keydisk is passed on, never modified.
    const back = join(dir, 'kd.back');
    readCardFile(run.card, 'mbr', 'kd.img', back);
    expect(readFileSync(back).equals(readFileSync(images.keydisk))).toBe(true);
  });

  /** A copy of 0.10.0 under another version's name, with the given change, and the sidecar to put beside it. */
  function damaged(version: string, how: string): CardFile[] {
    const name = image(version);
    const published = sha1Line(images.v0100, name);
    switch (how) {
      case 'mismatch-flip': {
        const flipped = variant(
          `${version}-flipped.img`,
          (file) => {
            const bytes = readFileSync(file);
            const at = Math.floor(bytes.length / 2);
            bytes[at] = (bytes[at] ?? 0) ^ 0x10;
            writeFileSync(file, bytes);
          },
          images.v0100,
        );
        return [
          { name, from: flipped },
          { name: `${name}.sha1`, data: published },
        ];
      }
      case 'mismatch-truncated': {
        const truncated = variant(
          `${version}-truncated.img`,
          (file) => truncateSync(file, 4 * 1024 * 1024),
          images.v0100,
        );
        return [
          { name, from: truncated },
          { name: `${name}.sha1`, data: published },
        ];
      }
      case 'missing-sidecar':
        return [{ name, from: images.v0100 }];
      case 'malformed-sidecar':
        return [
          { name, from: images.v0100 },
          { name: `${name}.sha1`, data: 'this is not a checksum\n' },
        ];
      case 'names-another-file':
        return [
          { name, from: images.v0100 },
          { name: `${name}.sha1`, data: sha1Line(images.v0100, image('0.4.1')) },
        ];
      case 'zero-length':
        return [
          { name, data: '' },
          { name: `${name}.sha1`, data: published },
        ];
      default:
        throw new Error(`no such damage: ${how}`);
    }
  }

  // Each card holds three damaged images above two good ones, so one boot shows the loader passing over all
  // three, newest first, each with its verdict, and starting the newest good one. Two cards cover both
  // layouts and three disk buses between them.
  const damagedCards: {
    name: string;
    layout: CardSpec['layout'];
    disk: Disk['interface'];
    damage: { version: string; how: string; verdict: string }[];
  }[] = [
    {
      name: 'a flipped bit, a missing .sha1 and a .sha1 naming another file',
      layout: 'superfloppy',
      disk: 'virtio',
      damage: [
        { version: '0.12.0', how: 'mismatch-flip', verdict: 'mismatch' },
        { version: '0.11.0', how: 'missing-sidecar', verdict: 'missing-sidecar' },
        { version: '0.10.0', how: 'names-another-file', verdict: 'malformed-sidecar' },
      ],
    },
    {
      name: 'truncation, a malformed .sha1 and a zero-length image',
      layout: 'mbr',
      disk: 'ide',
      damage: [
        { version: '0.12.0', how: 'mismatch-truncated', verdict: 'mismatch' },
        { version: '0.11.0', how: 'malformed-sidecar', verdict: 'malformed-sidecar' },
        { version: '0.10.0', how: 'zero-length', verdict: 'zero-length' },
      ],
    },
  ];

  for (const card of damagedCards) {
    test(`${card.name} above good images: each is passed over with its verdict, the newest good one boots (${card.layout}, ${card.disk})`, async () => {
      const slug = card.layout;
      const run = await bootScenario(`damaged-${slug}`, {
        card: {
          layout: card.layout,
          // Five images of up to 17 MB each.
          sizeMiB: 128,
          // The MBR card is found by scanning vfat volumes, not by its UUID.
          append: card.layout === 'mbr' ? 'astlinux.onfail=poweroff' : OPTIONS,
          files: [
            ...good('0.4.0', images.v040),
            ...good('0.4.1', images.v041),
            ...card.damage.flatMap((entry) => damaged(entry.version, entry.how)),
          ],
        },
        disks: (file) => [{ file, interface: card.disk }],
      });
      expect(run.marker?.version).toBe('0.4.1');
      expect(handoffOf(run.marker?.cmdline ?? '').image).toBe(image('0.4.1'));
      // One line per damaged image says why it was passed over, tagged with the verdict, newest first.
      const skips = card.damage.map((entry) =>
        run.text.findIndex(
          (line) => line.startsWith(`${image(entry.version)}:`) && line.endsWith(`[${entry.verdict}]`),
        ),
      );
      for (const [index, at] of skips.entries()) {
        expect(
          at,
          `${card.damage[index]?.version} [${card.damage[index]?.verdict}]\n${run.text.join('\n')}`,
        ).toBeGreaterThanOrEqual(0);
      }
      expect([...skips].sort((a, b) => a - b)).toEqual(skips);
      // The older good image is never looked at once 0.4.1 verifies.
      expect(run.text.some((line) => line.startsWith(`verify ${image('0.4.0')}`))).toBe(false);
    });
  }

  test('a pin boots the pinned version; the keydisk is then a disk labelled ASTKD (FAT32 card)', async () => {
    const run = await bootScenario('pinned', {
      card: {
        layout: 'superfloppy',
        fatBits: 32,
        sizeMiB: 96,
        append: `${OPTIONS} astlinux.pin=0.4.0`,
        files: [
          ...good('0.4.0', images.v040),
          ...good('0.4.1', images.v041),
          ...good('0.10.0', images.v0100),
        ],
      },
      disks: (card) => [
        { file: card, interface: 'ide' },
        { file: images.labelledKeydisk, interface: 'ide' },
      ],
    });
    expect(run.marker?.version).toBe('0.4.0');
    expect(handoffOf(run.marker?.cmdline ?? '').keydisk).toBe('label:ASTKD');
    expect(run.marker?.keydiskId).toBe(LABELLED_KEYDISK_ID);
    expect(run.text.some((line) => line.startsWith(`verify ${image('0.10.0')}`))).toBe(false);
  });

  test('images that verify but cannot boot (random bytes; no /boot/bzImage) are passed over, as inspect predicts (USB reader)', async () => {
    // Random bytes under a correct .sha1: the checksum passes, the mount cannot.
    const noise = join(dir, 'noise.img');
    writeFileSync(noise, randomBytes(2 * 1024 * 1024));
    const run = await bootScenario('not-bootable', {
      card: {
        layout: 'mbr',
        append: OPTIONS,
        files: [...good('0.4.1', images.v041), ...good('0.11.0', images.noKernel), ...good('0.12.0', noise)],
      },
      disks: (card) => [{ file: card, interface: 'usb' }],
    });
    expect(run.marker?.version).toBe('0.4.1');
    expect(run.text).toContain(`${image('0.11.0')}: no /boot/bzImage in the image, skipping [no-kernel]`);
    expect(
      run.text.some(
        (line) => line.startsWith(`${image('0.12.0')}: cannot mount`) && line.endsWith('[mount-failed]'),
      ),
      run.text.join('\n'),
    ).toBe(true);
    // The app's prediction, from the same card's bytes, is the loader's decision.
    const report = await inspectImageFile(run.card);
    expect(report.boot?.image).toBe(image('0.4.1'));
    expect(report.boot?.image).toBe(handoffOf(run.marker?.cmdline ?? '').image);
    const verdicts = Object.fromEntries(report.images.map((entry) => [entry.name, entry.content]));
    expect(verdicts[image('0.11.0')]).toBe('no-kernel');
    expect(verdicts[image('0.12.0')]).toBe('mount-failed');
  });

  test('nothing bootable: one summary line, then the failure path (power-off here)', async () => {
    const flipped = variant('only-bad.img', (file) => truncateSync(file, 1024 * 1024), images.v0100);
    const run = await bootScenario('nothing', {
      card: {
        layout: 'superfloppy',
        append: OPTIONS,
        files: [
          { name: image('0.10.0'), from: flipped },
          { name: `${image('0.10.0')}.sha1`, data: sha1Line(images.v0100, image('0.10.0')) },
          { name: image('0.4.0'), from: images.v040 },
        ],
      },
    });
    expect(run.marker).toBeNull();
    const summaries = run.text.filter((line) => line.startsWith('FAILED'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain(`${image('0.10.0')} (mismatch)`);
    expect(summaries[0]).toContain(`${image('0.4.0')} (missing-sidecar)`);
    expect(run.result.log).toContain('reboot: Power down');
    expect(run.result.exitCode).toBe(0);
  });
});
