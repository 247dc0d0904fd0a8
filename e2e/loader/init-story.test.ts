// Runs the loader's real init script (under the busybox shell it boots with, and the real boot-plan bundle
// under mujs) outside a VM, in the Alpine style: ASTCARD_ROOT points it at a fake root, and ASTCARD_MOCK turns
// every side effect (mount, modprobe, kexec, poweroff...) into a line in an action log the test reads.
// Fast enough to cover the decisions the QEMU matrix does not (kexec failures, rescue mode...).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixtureCache, projectRoot } from '../fixtures/astlinux-images.js';

const BUSYBOX = join(projectRoot, '.cache/loader-stage/bin/busybox');
const PLAN_BUNDLE = join(projectRoot, 'dist/loader/astcard-plan.js');
const INIT = join(projectRoot, 'loader/init');
const base = join(fixtureCache, 'init-story');
const VOLUME_ID = '7E57-C0DE';

/** Records each side effect; passes mujs through (the plan is real); `kexec -e` ends the init like a reboot. */
const MOCK = `#!/bin/sh
log="$ASTCARD_ROOT/actions"
case "$1" in
mujs) shift; exec mujs "$@" ;;
kexec)
	echo "$*" >>"$log"
	if [ "$2" = -e ]; then kill -TERM "$PPID"; exit 0; fi
	case " $* " in *"$MOCK_KEXEC_FAILS"*) [ -n "$MOCK_KEXEC_FAILS" ] && { echo "kexec: mock refusal" >&2; exit 1; } ;; esac
	exit 0 ;;
*) echo "$*" >>"$log" ;;
esac
`;

interface Story {
  /** Lines the init printed, stamps removed. */
  said: string[];
  /** Side effects, one per line, ROOT prefix removed. */
  actions: string[];
}

interface Card {
  images: Record<string, 'good' | 'corrupt' | 'no-sidecar'>;
  kd?: boolean;
}

function makeRoot(name: string, card: Card, cmdline: string): string {
  const root = join(base, name);
  rmSync(root, { recursive: true, force: true });
  for (const dir of [
    'proc',
    'sys/class/block/sda1',
    'dev',
    'etc/astcard',
    'usr/share/astcard',
    'run/astcard/card',
    'run/astcard/image/boot',
  ]) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  writeFileSync(join(root, 'proc/uptime'), '3.14 2.00\n');
  writeFileSync(join(root, 'proc/cmdline'), `${cmdline}\n`);
  writeFileSync(join(root, 'etc/astcard/loader-version'), '9.9.9\n');
  writeFileSync(join(root, 'etc/astcard/modules.card'), 'vfat\n');
  writeFileSync(join(root, 'etc/astcard/modules.image'), 'loop\next4\n');
  copyFileSync(PLAN_BUNDLE, join(root, 'usr/share/astcard/astcard-plan.js'));
  // The card's device: a real FAT boot sector, so the init reads the volume ID the way it does at boot.
  const device = join(root, 'dev/sda1');
  execFileSync('truncate', ['-s', '2M', device]);
  execFileSync('mkfs.vfat', ['-F', '12', '-i', VOLUME_ID.replace('-', ''), device], { stdio: 'pipe' });
  // mount is mocked: the card and image mount points are filled in advance.
  const cardDir = join(root, 'run/astcard/card');
  writeFileSync(join(cardDir, 'syslinux.cfg'), 'DEFAULT loader\n');
  for (const [image, state] of Object.entries(card.images)) {
    writeFileSync(join(cardDir, image), `contents of ${image}\n`);
    const hex = execFileSync('sha1sum', [join(cardDir, image)], { encoding: 'utf8' }).split(' ')[0];
    if (state !== 'no-sidecar') writeFileSync(join(cardDir, `${image}.sha1`), `${hex}  ${image}\n`);
    if (state === 'corrupt') writeFileSync(join(cardDir, image), `altered ${image}\n`);
  }
  if (card.kd) writeFileSync(join(cardDir, 'kd.img'), 'keydisk\n');
  writeFileSync(join(root, 'run/astcard/image/boot/bzImage'), 'kernel');
  writeFileSync(join(root, 'run/astcard/image/boot/initrd.img'), 'initrd');
  writeFileSync(join(root, 'run/astcard/image/boot/cmdline'), 'console=ttyS0,115200 root=/dev/ram0\n');
  writeFileSync(join(root, 'mock'), MOCK);
  chmodSync(join(root, 'mock'), 0o755);
  return root;
}

function runInit(root: string, env: Record<string, string> = {}): Story {
  const result = spawnSync(BUSYBOX, ['sh', INIT], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ASTCARD_ROOT: root,
      ASTCARD_MOCK: join(root, 'mock'),
      ...env,
    },
  });
  const strip = (line: string) => line.split(root).join('');
  const said = result.stdout
    .split('\n')
    .map((line) => /^\[\s*[\d.?]+\] astcard: (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined)
    .map(strip);
  const actionsFile = join(root, 'actions');
  const actions = existsSync(actionsFile)
    ? readFileSync(actionsFile, 'utf8').split('\n').filter(Boolean).map(strip)
    : [];
  return { said, actions };
}

const kexecLoads = (story: Story) => story.actions.filter((action) => action.startsWith('kexec -l'));

beforeAll(() => {
  for (const [file, hint] of [
    [BUSYBOX, 'npm run build:loader'],
    [PLAN_BUNDLE, 'npm run build:shared-es5'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run ${hint} first`);
  }
});

describe('loader init, side effects mocked', () => {
  test('boots the newest good image: kexec -l with its initrd, its cmdline and the handoff, then kexec -e', () => {
    const root = makeRoot(
      'newest',
      { images: { 'AstLinux-0.4.1.img': 'good', 'AstLinux-0.10.0.img': 'good' }, kd: true },
      `console=ttyS0 astlinux.card=${VOLUME_ID}`,
    );
    const story = runInit(root);
    const loads = kexecLoads(story);
    expect(loads).toHaveLength(1);
    const load = loads[0] ?? '';
    expect(load).toContain(
      '-l -i /run/astcard/image/boot/bzImage --initrd=/run/astcard/image/boot/initrd.img',
    );
    expect(load).toContain('--append=console=ttyS0,115200 root=/dev/ram0 astlinux.image=AstLinux-0.10.0.img');
    expect(load).toContain(`astlinux.card=${VOLUME_ID}`);
    expect(load).toContain('astlinux.keydisk=card:/kd.img');
    expect(load).toContain('astlinux.loader=');
    // The card is unmounted and the console drained before the jump; nothing was ever mounted read-write.
    expect(story.actions.slice(-3)).toEqual([
      'umount /run/astcard/card',
      expect.stringMatching(/^stty -F \/dev\/console/),
      'kexec -e',
    ]);
    expect(
      story.actions.filter(
        (a) => a.startsWith('mount ') && !/ -o ro |^mount -t (proc|sysfs|devtmpfs) /.test(a),
      ),
    ).toEqual([]);
  });

  test('a corrupt newest image is skipped with its verdict; the next one boots', () => {
    const root = makeRoot(
      'corrupt',
      { images: { 'AstLinux-0.4.1.img': 'good', 'AstLinux-0.10.0.img': 'corrupt' } },
      `astlinux.card=${VOLUME_ID}`,
    );
    const story = runInit(root);
    expect(
      story.said.some((line) => line.startsWith('AstLinux-0.10.0.img:') && line.endsWith('[mismatch]')),
    ).toBe(true);
    expect(kexecLoads(story).map((load) => /astlinux\.image=(\S+)/.exec(load)?.[1])).toEqual([
      'AstLinux-0.4.1.img',
    ]);
  });

  test('when kexec -l refuses a kernel the next image is tried, and the summary names both refusals', () => {
    const root = makeRoot(
      'kexec-fails',
      { images: { 'AstLinux-0.4.1.img': 'good', 'AstLinux-0.10.0.img': 'good' } },
      `astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff`,
    );
    const story = runInit(root, { MOCK_KEXEC_FAILS: '-l' });
    expect(kexecLoads(story)).toHaveLength(2);
    const summary = story.said.filter((line) => line.startsWith('FAILED'));
    expect(summary).toEqual([
      'FAILED: nothing bootable: AstLinux-0.10.0.img (kexec-load-failed), AstLinux-0.4.1.img (kexec-load-failed)',
    ]);
    expect(story.actions.at(-1)).toBe('poweroff -f');
    expect(story.actions).not.toContain('kexec -e');
  });

  test('without astlinux.card the card is found by its files; a pin boots the pinned version', () => {
    const root = makeRoot(
      'scan-pin',
      { images: { 'AstLinux-0.4.0.img': 'good', 'AstLinux-0.4.1.img': 'good' } },
      'astlinux.pin=0.4.0',
    );
    const story = runInit(root);
    expect(story.said).toContain(`card ${VOLUME_ID} on /dev/sda1`);
    expect(kexecLoads(story).map((load) => /astlinux\.image=(\S+)/.exec(load)?.[1])).toEqual([
      'AstLinux-0.4.0.img',
    ]);
  });

  test('astlinux.keydisk= overrides the kd.img on the card and is passed on as written', () => {
    const root = makeRoot(
      'keydisk-option',
      { images: { 'AstLinux-0.4.1.img': 'good' }, kd: true },
      `astlinux.card=${VOLUME_ID} astlinux.keydisk=dev:/dev/sdb1`,
    );
    const story = runInit(root);
    expect(story.said).toContain('keydisk: dev:/dev/sdb1');
    expect(kexecLoads(story)[0]).toContain('astlinux.keydisk=dev:/dev/sdb1');
    expect(kexecLoads(story)[0]).not.toContain('card:/kd.img');
  });

  test('rescue mode stops with the card mounted and boots nothing', () => {
    const root = makeRoot(
      'rescue',
      { images: { 'AstLinux-0.4.1.img': 'good' } },
      `astlinux.card=${VOLUME_ID} astlinux.rescue`,
    );
    const story = runInit(root);
    expect(story.actions).toContain('setsid cttyhack sh');
    expect(kexecLoads(story)).toEqual([]);
  });

  test('a card without images: one summary line and the shell', () => {
    const root = makeRoot(
      'empty',
      { images: { 'AstLinux-0.4.1.img': 'no-sidecar' } },
      `astlinux.card=${VOLUME_ID}`,
    );
    const story = runInit(root);
    expect(story.said.filter((line) => line.startsWith('FAILED'))).toEqual([
      'FAILED: nothing bootable: AstLinux-0.4.1.img (missing-sidecar)',
    ]);
    expect(story.actions).toContain('setsid cttyhack sh');
  });
});
