// Checks what `npm run build:loader` wrote (assets/loader/): the manifest matches the files, the initramfs
// stays under its size goal, and its programs run from the unpacked archive with only the libraries it carries.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixtureCache } from '../fixtures/astlinux-images.js';
import { LOADER_ASSETS, loaderAssets } from '../fixtures/make-card.js';

interface Manifest {
  kernelRelease: string;
  compression: 'zstd' | 'xz' | 'gzip';
  files: Record<string, { bytes: number; sha256: string }>;
  packages: { name: string; version: string; sha256: string }[];
  libraries: string[];
  modules: string[];
}

const unpacked = join(fixtureCache, 'initramfs');
let manifest: Manifest;
let entries: string[];

beforeAll(() => {
  loaderAssets();
  manifest = JSON.parse(readFileSync(join(LOADER_ASSETS, 'manifest.json'), 'utf8')) as Manifest;
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(unpacked, { recursive: true });
  execFileSync(
    'sh',
    ['-c', '$0 -dc "$1" | cpio -id --quiet', manifest.compression, join(LOADER_ASSETS, 'loader.img')],
    {
      cwd: unpacked,
    },
  );
  entries = execFileSync(
    'sh',
    ['-c', '$0 -dc "$1" | cpio -t --quiet', manifest.compression, join(LOADER_ASSETS, 'loader.img')],
    {
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter(Boolean);
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('loader build output', () => {
  test('the manifest describes the files that are there', () => {
    for (const [name, entry] of Object.entries(manifest.files)) {
      const file = join(LOADER_ASSETS, name);
      expect(readFileSync(file).length).toBe(entry.bytes);
      expect(sha256(file)).toBe(entry.sha256);
    }
    const names = manifest.packages.map((pkg) => pkg.name);
    expect(names).toEqual(
      expect.arrayContaining(['busybox-static', 'kexec-tools', 'mujs', 'libc6', 'libxenmisc4.17']),
    );
    expect(names).toContain(`linux-image-${manifest.kernelRelease}`);
    for (const pkg of manifest.packages) expect(pkg.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the initramfs is at most 6 MB and sorted, with the kernel modules the card slots need', () => {
    expect(manifest.files['loader.img']?.bytes).toBeLessThanOrEqual(6 * 1024 * 1024);
    expect(entries).toEqual([...entries].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const path of [
      'init',
      'sbin/kexec',
      'usr/bin/mujs',
      'usr/share/astcard/astcard-plan.js',
      'usr/share/astcard/astcard-signatures.js',
      'usr/share/astcard/astcard-options.js',
      'bin/busybox',
    ]) {
      expect(entries).toContain(path);
    }
    const moduleDir = `lib/modules/${manifest.kernelRelease}`;
    expect(entries).toContain(`${moduleDir}/modules.dep`);
    for (const module of manifest.modules) expect(entries).toContain(`${moduleDir}/${module}`);
    const names = manifest.modules.map((path) =>
      path.slice(path.lastIndexOf('/') + 1).replace(/\.ko.*$/, ''),
    );
    for (const needed of [
      'usb-storage',
      'uas',
      'ehci-pci',
      'xhci-pci',
      'ata_piix',
      'ahci',
      'mmc_block',
      'sdhci-pci',
      'virtio_blk',
      'vfat',
      'loop',
      'squashfs',
      'ext4',
      'overlay',
      'e1000',
    ]) {
      expect(names).toContain(needed);
    }
  });

  test('kexec and mujs run from the unpacked initramfs with only the libraries it carries', () => {
    const loader = join(unpacked, 'lib64/ld-linux-x86-64.so.2');
    const libraries = join(unpacked, 'lib/x86_64-linux-gnu');
    const run = (binary: string, ...args: string[]) =>
      execFileSync(
        loader,
        ['--library-path', libraries, '--inhibit-cache', join(unpacked, binary), ...args],
        {
          encoding: 'utf8',
          env: {},
        },
      );
    expect(run('sbin/kexec', '--version')).toMatch(/kexec-tools 2\./);
    const cmdline = join(unpacked, 'cmdline.test');
    execFileSync('sh', ['-c', 'echo "console=ttyS0 astlinux.onfail=poweroff" > "$1"', 'w', cmdline]);
    expect(
      run('usr/bin/mujs', join(unpacked, 'usr/share/astcard/astcard-plan.js'), 'options', cmdline),
    ).toContain('onfail poweroff');
    // The options reader the init starts first prints the plan's lines exactly, from a far smaller bundle.
    const options = join(unpacked, 'usr/share/astcard/astcard-options.js');
    expect(run('usr/bin/mujs', options, cmdline)).toBe(
      run('usr/bin/mujs', join(unpacked, 'usr/share/astcard/astcard-plan.js'), 'options', cmdline),
    );
    expect(statSync(options).size * 4).toBeLessThan(
      statSync(join(unpacked, 'usr/share/astcard/astcard-plan.js')).size,
    );
    // The signature check runs too: a card without keys or lists has nothing signed, and the policy is off.
    const empty = join(unpacked, 'empty.test');
    execFileSync('sh', ['-c', ': > "$1"', 'w', empty]);
    const signatures = join(unpacked, 'usr/share/astcard/astcard-signatures.js');
    expect(run('usr/bin/mujs', signatures, 'signatures', unpacked, empty, empty, cmdline)).toBe(
      'keys 0\npolicy off\n',
    );
    expect(existsSync(join(unpacked, 'etc/astcard/loader-version'))).toBe(true);
  });
});
