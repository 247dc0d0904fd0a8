// Runs the loader's real init script outside a VM with its side effects mocked (see init-harness.ts).
// Fast enough to cover the decisions the QEMU matrix does not (kexec failures, rescue mode...).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixtureCache, projectRoot } from '../fixtures/astlinux-images.js';
import {
  BUSYBOX,
  type CardImageState,
  kexecLoads,
  makeFakeRoot,
  runInit,
  type Story,
  VOLUME_ID,
} from './init-harness.js';

const PLAN_BUNDLE = join(projectRoot, 'dist/loader/astcard-plan.js');
const base = join(fixtureCache, 'init-story');

interface Card {
  images: Record<string, CardImageState>;
  kd?: boolean;
}

function makeRoot(name: string, card: Card, cmdline: string): string {
  return makeFakeRoot(join(base, name), {
    cmdline,
    planBundle: PLAN_BUNDLE,
    images: card.images,
    keydisk: card.kd ?? false,
  });
}

beforeAll(() => {
  for (const [file, hint] of [
    [BUSYBOX, 'npm run build:loader'],
    [PLAN_BUNDLE, 'npm run build:shared-es5'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run ${hint} first`);
  }
});

describe('loader init, side effects mocked', () => {
  test('boots the newest good image: kexec -l with its initrd, its cmdline and the handoff, then kexec -e', async () => {
    const root = makeRoot(
      'newest',
      { images: { 'AstLinux-0.4.1.img': 'good', 'AstLinux-0.10.0.img': 'good' }, kd: true },
      `console=ttyS0 astlinux.card=${VOLUME_ID}`,
    );
    const story = await runInit(root);
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
    // Each step of the story says when it begins and how it ended, in order, before the jump.
    const steps = story.said.filter((line) => line.startsWith('== '));
    expect(steps.map((line) => line.replace(/ \(\d+\.\d+ s\)$/, ' (t)'))).toEqual([
      '== options',
      '== options: done (t)',
      '== drivers',
      '== drivers: done (t)',
      '== card',
      '== card: done (t)',
      '== images',
      '== images: starting AstLinux-0.10.0.img (t)',
    ]);
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

  test('a corrupt newest image is skipped with its verdict; the next one boots', async () => {
    const root = makeRoot(
      'corrupt',
      { images: { 'AstLinux-0.4.1.img': 'good', 'AstLinux-0.10.0.img': 'corrupt' } },
      `astlinux.card=${VOLUME_ID}`,
    );
    const story = await runInit(root);
    expect(
      story.said.some((line) => line.startsWith('AstLinux-0.10.0.img:') && line.endsWith('[mismatch]')),
    ).toBe(true);
    expect(kexecLoads(story).map((load) => /astlinux\.image=(\S+)/.exec(load)?.[1])).toEqual([
      'AstLinux-0.4.1.img',
    ]);
  });

  // The plan, then a verdict for each of the two images: three questions, one mujs start for all of them.
  const twoImages: Card = { images: { 'AstLinux-0.4.1.img': 'good', 'AstLinux-0.10.0.img': 'corrupt' } };
  const booted = (story: Story) => kexecLoads(story).map((load) => /astlinux\.image=(\S+)/.exec(load)?.[1]);

  test('one mujs process answers every boot-plan question of a boot: the plan bundle is compiled once', async () => {
    const story = await runInit(makeRoot('one-plan-process', twoImages, `astlinux.card=${VOLUME_ID}`));
    expect(story.mujsStarts).toEqual(['astcard-options.js /run/astcard/cmdline', 'astcard-plan.js serve']);
    expect(booted(story)).toEqual(['AstLinux-0.4.1.img']);
    expect(story.said.some((line) => line.endsWith('[mismatch]'))).toBe(true);
  });

  test("when the boot plan's process is gone, each question starts mujs and the boot tells the same story", async () => {
    const cmdline = `astlinux.card=${VOLUME_ID}`;
    const served = await runInit(makeRoot('plan-process-served', twoImages, cmdline));
    const story = await runInit(makeRoot('plan-process-dies', twoImages, cmdline), {
      MOCK_PLAN_SERVER_DIES: '1',
    });
    const notice = "the boot plan's process stopped answering; starting it for each question";
    expect(story.said.filter((line) => line === notice)).toHaveLength(1);
    expect(story.mujsStarts).toEqual([
      'astcard-options.js /run/astcard/cmdline',
      'astcard-plan.js serve',
      'astcard-plan.js plan',
      'astcard-plan.js accept',
      'astcard-plan.js accept',
    ]);
    expect(story.said.filter((line) => line !== notice)).toEqual(served.said);
    expect(story.actions).toEqual(
      served.actions.map((line) => line.replace('plan-process-served', 'plan-process-dies')),
    );
    expect(booted(story)).toEqual(['AstLinux-0.4.1.img']);
  });

  test('when kexec -l refuses a kernel the next image is tried, and the summary names both refusals', async () => {
    const root = makeRoot(
      'kexec-fails',
      { images: { 'AstLinux-0.4.1.img': 'good', 'AstLinux-0.10.0.img': 'good' } },
      `astlinux.card=${VOLUME_ID} astlinux.onfail=poweroff`,
    );
    const story = await runInit(root, { MOCK_KEXEC_FAILS: '-l' });
    expect(kexecLoads(story)).toHaveLength(2);
    const summary = story.said.filter((line) => line.startsWith('FAILED'));
    expect(summary).toEqual([
      'FAILED: nothing bootable: AstLinux-0.10.0.img (kexec-load-failed), AstLinux-0.4.1.img (kexec-load-failed)',
    ]);
    expect(story.actions.at(-1)).toBe('poweroff -f');
    expect(story.actions).not.toContain('kexec -e');
  });

  test('without astlinux.card the card is found by its files; a pin boots the pinned version', async () => {
    const root = makeRoot(
      'scan-pin',
      { images: { 'AstLinux-0.4.0.img': 'good', 'AstLinux-0.4.1.img': 'good' } },
      'astlinux.pin=0.4.0',
    );
    const story = await runInit(root);
    expect(story.said).toContain(`card ${VOLUME_ID} on /dev/sda1`);
    expect(kexecLoads(story).map((load) => /astlinux\.image=(\S+)/.exec(load)?.[1])).toEqual([
      'AstLinux-0.4.0.img',
    ]);
  });

  test('the card is told by its volume ID, FAT32 too; a device with no sectors is not even read', async () => {
    const root = makeRoot(
      'fat32',
      { images: { 'AstLinux-0.4.1.img': 'good' } },
      `astlinux.card=${VOLUME_ID}`,
    );
    const device = join(root, 'dev/sda1');
    execFileSync('truncate', ['-s', '40M', device]);
    execFileSync('mkfs.vfat', ['-F', '32', '-i', VOLUME_ID.replace('-', ''), device], { stdio: 'pipe' });
    // An empty loop device sorts first and would match, were it read: the kernel says it has 0 sectors.
    mkdirSync(join(root, 'sys/class/block/loop0'));
    writeFileSync(join(root, 'sys/class/block/loop0/size'), '0\n');
    copyFileSync(device, join(root, 'dev/loop0'));
    writeFileSync(join(root, 'sys/class/block/sda1/size'), '81920\n');
    const story = await runInit(root);
    expect(story.said).toContain(`card ${VOLUME_ID} on /dev/sda1`);
    expect(story.actions.filter((action) => action.includes('/dev/loop0'))).toEqual([]);
    expect(kexecLoads(story)).toHaveLength(1);
  });

  test('astlinux.keydisk= overrides the kd.img on the card and is passed on as written', async () => {
    const root = makeRoot(
      'keydisk-option',
      { images: { 'AstLinux-0.4.1.img': 'good' }, kd: true },
      `astlinux.card=${VOLUME_ID} astlinux.keydisk=dev:/dev/sdb1`,
    );
    const story = await runInit(root);
    expect(story.said).toContain('keydisk: dev:/dev/sdb1');
    expect(kexecLoads(story)[0]).toContain('astlinux.keydisk=dev:/dev/sdb1');
    expect(kexecLoads(story)[0]).not.toContain('card:/kd.img');
  });

  test('rescue mode stops with the card mounted and boots nothing', async () => {
    const root = makeRoot(
      'rescue',
      { images: { 'AstLinux-0.4.1.img': 'good' } },
      `astlinux.card=${VOLUME_ID} astlinux.rescue`,
    );
    const story = await runInit(root);
    expect(story.actions).toContain('setsid cttyhack sh');
    expect(kexecLoads(story)).toEqual([]);
  });

  test('a card without images: one summary line and the shell', async () => {
    const root = makeRoot(
      'empty',
      { images: { 'AstLinux-0.4.1.img': 'no-sidecar' } },
      `astlinux.card=${VOLUME_ID}`,
    );
    const story = await runInit(root);
    expect(story.said.filter((line) => line.startsWith('FAILED'))).toEqual([
      'FAILED: nothing bootable: AstLinux-0.4.1.img (missing-sidecar)',
    ]);
    expect(story.actions).toContain('setsid cttyhack sh');
  });
});
