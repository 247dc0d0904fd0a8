// The loader's real init with real releases in the card's os/ folder, side effects mocked (init-harness.ts):
// how a release is started (its KCMD, its initrd from the card, FSTYPE, OFFSET, KERN), how it is ordered among
// astcard's own images, and which cards it is refused on. The QEMU boots are in real-boot.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixtureCache, projectRoot } from '../fixtures/astlinux-images.js';
import { standInRunConf } from '../fixtures/astlinux-real/release.js';
import { BUSYBOX, kexecLoads, makeFakeRoot, runInit, type Story, VOLUME_ID } from '../loader/init-harness.js';

const PLAN_BUNDLE = join(projectRoot, 'dist/loader/astcard-plan.js');
const base = join(fixtureCache, 'init-releases');
const CARD = 'run/astcard/card';

interface ReleaseOnCard {
  version: string;
  state?: 'good' | 'corrupt' | 'no-conf';
  /** Lines added to its .run.conf. */
  conf?: string;
}

/** Writes os/astlinux-<version>.{run,run.sha1,run.conf,initrd.img} as AstLinux's build names them. */
function putRelease(root: string, { version, state = 'good', conf = '' }: ReleaseOnCard): void {
  const os = join(root, CARD, 'os');
  mkdirSync(os, { recursive: true });
  const release = `astlinux-${version}`;
  writeFileSync(join(os, `${release}.run`), `squashfs of ${release}\n`);
  writeFileSync(join(os, `${release}.run.sha1`), execFileSync('sha1sum', [`${release}.run`], { cwd: os }));
  if (state === 'corrupt') writeFileSync(join(os, `${release}.run`), `damaged ${release}\n`);
  if (state !== 'no-conf')
    writeFileSync(join(os, `${release}.run.conf`), standInRunConf(release, 'genx86_64') + conf);
  writeFileSync(join(os, `${release}.initrd.img`), 'initrd');
}

/** The harness's mock, plus a `losetup -f` that names a free loop device. */
function withLoopDevices(root: string): void {
  renameSync(join(root, 'mock'), join(root, 'mock.harness'));
  writeFileSync(
    join(root, 'mock'),
    [
      '#!/bin/sh',
      'if [ "$1 $2" = "losetup -f" ]; then echo "losetup -f" >>"$ASTCARD_ROOT/actions"; echo /dev/loop7; exit 0; fi',
      'exec "$ASTCARD_ROOT/mock.harness" "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

function card(
  name: string,
  releases: ReleaseOnCard[],
  options: { astflag?: boolean; images?: string[] } = {},
) {
  const root = makeFakeRoot(join(base, name), {
    cmdline: `console=ttyS0,115200 astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff`,
    planBundle: PLAN_BUNDLE,
    images: Object.fromEntries((options.images ?? []).map((image) => [image, 'good' as const])),
  });
  for (const release of releases) putRelease(root, release);
  if (options.astflag !== false) writeFileSync(join(root, CARD, 'os/astflag'), '');
  withLoopDevices(root);
  return root;
}

const booted = (story: Story) => kexecLoads(story).map((load) => /astlinux\.image=(\S+)/.exec(load)?.[1]);

beforeAll(() => {
  for (const file of [BUSYBOX, PLAN_BUNDLE]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run npm run build and npm run build:loader first`);
  }
  rmSync(base, { recursive: true, force: true });
});

describe('loader init with releases in os/ (side effects mocked)', () => {
  test('the newest release starts as RUNNIX starts it: squashfs read-only, its KCMD, its initrd from the card', async () => {
    const story = await runInit(card('newest', [{ version: '1.5.9' }, { version: '1.5.10' }]));
    expect(story.said).toContain('verify os/astlinux-1.5.10.run (sha1)');
    expect(story.actions).toContain(
      'mount -t squashfs -o ro /run/astcard/card/os/astlinux-1.5.10.run /run/astcard/image',
    );
    const loads = kexecLoads(story);
    expect(loads).toHaveLength(1);
    const load = loads[0] ?? '';
    expect(load).toContain(
      '-l -i /run/astcard/image/boot/bzImage --initrd=/run/astcard/card/os/astlinux-1.5.10.initrd.img',
    );
    // KCMD exactly, then the handoff: no console= added (AstLinux reads it to pick its board), no keydisk.
    expect(load).toContain(
      '--append=root=/dev/ram0 rw init=/linuxrc astlinux=genx86_64 astimg=astlinux-1.5.10.run astkd=auto asturw=auto astlive libata.dma=3 astlinux.image=os/astlinux-1.5.10.run',
    );
    expect(load).not.toContain('console=');
    expect(load).not.toContain('astlinux.keydisk');
    expect(load).toMatch(/astlinux\.digest=sha1:[0-9a-f]{40}/);
    expect(story.actions.slice(-3)).toEqual([
      'umount /run/astcard/card',
      expect.stringMatching(/^stty -F \/dev\/console/),
      'kexec -e',
    ]);
  });

  test('a corrupted newest release falls back to the older; a release without .run.conf is skipped with why', async () => {
    const story = await runInit(
      card('fallback', [
        { version: '1.5.11', state: 'no-conf' },
        { version: '1.5.10', state: 'corrupt' },
        { version: '1.5.9' },
      ]),
    );
    expect(story.said).toContain(
      'os/astlinux-1.5.11.run: no astlinux-1.5.11.run.conf beside it, skipping [incomplete-release]',
    );
    expect(story.said).toContain('os/astlinux-1.5.10.run: sha1 checksum mismatch, skipping [mismatch]');
    expect(booted(story)).toEqual(['os/astlinux-1.5.9.run']);
  });

  test('releases and images share one version order: a newer image beats an older release, and the reverse', async () => {
    const imageNewer = await runInit(
      card('image-newer', [{ version: '1.5.9' }], { images: ['AstLinux-1.5.10.img'] }),
    );
    expect(booted(imageNewer)).toEqual(['AstLinux-1.5.10.img']);
    expect(kexecLoads(imageNewer)[0]).toContain('--initrd=/run/astcard/image/boot/initrd.img');
    const releaseNewer = await runInit(
      card('release-newer', [{ version: '1.5.11' }], { images: ['AstLinux-1.5.10.img'] }),
    );
    expect(booted(releaseNewer)).toEqual(['os/astlinux-1.5.11.run']);
  });

  test('OFFSET sets up a read-only loop device at that offset; a KERN the image lacks falls back to /boot/bzImage', async () => {
    const root = card('offset', [
      { version: '1.5.10', conf: 'OFFSET=32256\nKERN="/mnt/root/boot/vmlinuz-smp"\nFSTYPE=ext4\n' },
    ]);
    const story = await runInit(root);
    expect(story.actions).toContain(
      'losetup -r -o 32256 /dev/loop7 /run/astcard/card/os/astlinux-1.5.10.run',
    );
    expect(story.actions).toContain('mount -t ext4 -o ro /dev/loop7 /run/astcard/image');
    expect(story.said).toContain(
      'os/astlinux-1.5.10.run: KERN boot/vmlinuz-smp is not there; using /boot/bzImage in the image, as RUNNIX does',
    );
    expect(kexecLoads(story)[0]).toContain('-l -i /run/astcard/image/boot/bzImage');
    expect(story.actions).toContain('losetup -d /dev/loop7');
  });

  test('on a superfloppy card no release starts: AstLinux would not find its card; an image still boots', async () => {
    const root = card('superfloppy', [{ version: '1.5.10' }], { images: ['AstLinux-1.5.9.img'] });
    renameSync(join(root, 'sys/class/block/sda1'), join(root, 'sys/class/block/sda'));
    renameSync(join(root, 'dev/sda1'), join(root, 'dev/sda'));
    const story = await runInit(root);
    expect(story.said).toContain(
      "os/astlinux-1.5.10.run: AstLinux's own initrd finds its card only on partition 1 of an sd, vd or nvme disk, and this card is /dev/sda, skipping [not-partition-1]",
    );
    expect(story.said).not.toContain('verify os/astlinux-1.5.10.run (sha1)');
    expect(booted(story)).toEqual(['AstLinux-1.5.9.img']);
  });

  test('without os/astflag nothing in os/ starts, and the summary says why for each release', async () => {
    const story = await runInit(card('no-astflag', [{ version: '1.5.10' }], { astflag: false }));
    expect(story.said.filter((line) => line.startsWith('FAILED'))).toEqual([
      'FAILED: nothing bootable: os/astlinux-1.5.10.run (incomplete-release)',
    ]);
    expect(kexecLoads(story)).toEqual([]);
    expect(story.actions.at(-1)).toBe('poweroff -f');
  });
});
